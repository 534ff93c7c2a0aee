-- Rate-limit counters every process shares: one row per key and window.
CREATE TABLE rate_limits (
    key TEXT NOT NULL,
    window_start TIMESTAMPTZ NOT NULL,
    hits INTEGER NOT NULL,
    PRIMARY KEY (key, window_start)
);

-- Portal accounts: a contact sets a password through a single-use link sent
-- to their address; sessions are shared by every process.
ALTER TABLE contacts ADD COLUMN password_hash TEXT;
ALTER TABLE contacts ADD COLUMN verified_at TIMESTAMPTZ;
CREATE TABLE access_tokens (
    token_sha256 TEXT PRIMARY KEY,
    contact_id BIGINT NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL,
    used_at TIMESTAMPTZ
);
CREATE TABLE sessions (
    id_sha256 TEXT PRIMARY KEY,
    contact_id BIGINT NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL
);
-- A mail that carries a link with a secret (set-password): cleared once sent.
ALTER TABLE outbox ADD COLUMN link_token TEXT;
-- Follow links of a ticket issued before revoked_at no longer work.
CREATE TABLE follow_revocations (
    ticket_id BIGINT PRIMARY KEY REFERENCES tickets(id) ON DELETE CASCADE,
    revoked_at TIMESTAMPTZ NOT NULL
);
