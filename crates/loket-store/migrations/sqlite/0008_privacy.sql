-- Privacy incidents: what the scan found in a message (counts, masked
-- samples, parts it could not read, as JSON), how serious, and the decision.
-- Prevented uploads have no ticket; they count for the contact's organisation.
CREATE TABLE privacy_incidents (
    id INTEGER PRIMARY KEY,
    ticket_id INTEGER REFERENCES tickets(id) ON DELETE CASCADE,
    message_id INTEGER,
    contact_id INTEGER REFERENCES contacts(id) ON DELETE SET NULL,
    -- A prevented upload by someone who is no contact: the organisation of
    -- the address's domain (no contact is made for them).
    organisation_id INTEGER REFERENCES organisations(id) ON DELETE SET NULL,
    class TEXT NOT NULL,
    people INTEGER NOT NULL,
    items TEXT NOT NULL,
    state TEXT NOT NULL,
    created_at TEXT NOT NULL,
    decided_by TEXT,
    decided_at TEXT
);
CREATE INDEX privacy_incidents_ticket ON privacy_incidents(ticket_id);
CREATE INDEX privacy_incidents_created ON privacy_incidents(created_at);
CREATE INDEX privacy_incidents_proposed ON privacy_incidents(id) WHERE state = 'proposed';
-- A threshold reached: an organisation's confirmed incidents in a period
-- (for example a quarter); its authorised contacts are mailed once.
CREATE TABLE privacy_alerts (
    id INTEGER PRIMARY KEY,
    organisation_id INTEGER NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    period TEXT NOT NULL,
    incidents INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (organisation_id, period)
);
ALTER TABLE outbox ADD COLUMN privacy_alert_id INTEGER REFERENCES privacy_alerts(id) ON DELETE CASCADE;
-- Messages waiting for the scan, queued in the same transaction as the
-- message (ids can be reused after a removal, so the queue holds them, not
-- a place in the stream). Messages from before this migration are not queued.
-- `attempts` counts scans begun: a file that brings the process down is
-- tried three times, then recorded as not scanned.
CREATE TABLE privacy_pending (
    message_id INTEGER PRIMARY KEY REFERENCES messages(id) ON DELETE CASCADE,
    attempts INTEGER NOT NULL DEFAULT 0
);
-- Deleted index entries are overwritten, not only marked (removal for good).
INSERT INTO search_docs (search_docs, rank) VALUES ('secure-delete', 1);
