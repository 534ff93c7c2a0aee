-- Mail intake: every received message is recorded once, in the same
-- transaction as the ticket or reply it made; failures wait in quarantine.
CREATE TABLE mail_receipts (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    mailbox TEXT NOT NULL,
    message_id TEXT,
    uidvalidity BIGINT,
    uid BIGINT,
    raw_sha256 TEXT NOT NULL,
    raw BYTEA NOT NULL,
    received_at TIMESTAMPTZ NOT NULL,
    state TEXT NOT NULL,
    reason TEXT,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMPTZ,
    ticket_id BIGINT REFERENCES tickets(id) ON DELETE SET NULL
);
CREATE UNIQUE INDEX mail_receipts_uid ON mail_receipts(mailbox, uidvalidity, uid) WHERE uid IS NOT NULL;
CREATE UNIQUE INDEX mail_receipts_message_id ON mail_receipts(message_id) WHERE message_id IS NOT NULL AND state = 'stored';
CREATE INDEX mail_receipts_quarantine ON mail_receipts(next_attempt_at) WHERE state = 'quarantined';
ALTER TABLE outbox ADD COLUMN mail_message_id TEXT;
CREATE INDEX outbox_mail_id ON outbox(mail_message_id) WHERE mail_message_id IS NOT NULL;
CREATE INDEX outbox_recent_automatic ON outbox(to_addr, created_at) WHERE automatic;
ALTER TABLE contacts ADD COLUMN language TEXT NOT NULL DEFAULT 'nl';
ALTER TABLE contacts ADD COLUMN undeliverable_at TIMESTAMPTZ;
-- Installation-wide values every process shares (for example the key that
-- signs the follow links in mails).
CREATE TABLE settings (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
