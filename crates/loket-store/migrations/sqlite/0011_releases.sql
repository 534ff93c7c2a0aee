-- Versions and their change documents.
CREATE TABLE releases (
    id INTEGER PRIMARY KEY,
    version TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    planned_on TEXT,
    released_at TEXT,
    notes TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX tickets_release ON tickets(release_version) WHERE release_version IS NOT NULL;
