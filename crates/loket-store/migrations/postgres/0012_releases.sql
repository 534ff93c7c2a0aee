-- Versions and their change documents.
CREATE TABLE releases (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    version TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    planned_on DATE,
    released_at TIMESTAMPTZ,
    notes TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX tickets_release ON tickets(release_version) WHERE release_version IS NOT NULL;
