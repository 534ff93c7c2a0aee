-- What a mail states, as the change that queued it left the ticket: the
-- service-level deadline and the version.
ALTER TABLE outbox ADD COLUMN due_at TEXT;
ALTER TABLE outbox ADD COLUMN release_version TEXT;
-- Webhooks and the log of every delivery attempt.
CREATE TABLE webhooks (
    id INTEGER PRIMARY KEY,
    url TEXT NOT NULL,
    secret TEXT NOT NULL,
    active BOOLEAN NOT NULL,
    created_at TEXT NOT NULL
);
CREATE TABLE webhook_deliveries (
    id INTEGER PRIMARY KEY,
    webhook_id INTEGER NOT NULL REFERENCES webhooks(id) ON DELETE CASCADE,
    job_id INTEGER NOT NULL,
    attempt INTEGER NOT NULL,
    status INTEGER,
    error TEXT,
    created_at TEXT NOT NULL
);
