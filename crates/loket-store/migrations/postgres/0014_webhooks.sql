-- What a mail states, as the change that queued it left the ticket: the
-- service-level deadline and the version.
ALTER TABLE outbox ADD COLUMN due_at TIMESTAMPTZ;
ALTER TABLE outbox ADD COLUMN release_version TEXT;
-- Webhooks and the log of every delivery attempt.
CREATE TABLE webhooks (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    url TEXT NOT NULL,
    secret TEXT NOT NULL,
    active BOOLEAN NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE TABLE webhook_deliveries (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    webhook_id BIGINT NOT NULL REFERENCES webhooks(id) ON DELETE CASCADE,
    job_id BIGINT NOT NULL,
    attempt BIGINT NOT NULL,
    status BIGINT,
    error TEXT,
    created_at TIMESTAMPTZ NOT NULL
);
