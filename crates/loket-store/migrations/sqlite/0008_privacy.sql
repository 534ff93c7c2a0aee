-- Privacy incidents: what the scan found in a message (counts, masked
-- samples, parts it could not read, as JSON), how serious, and the decision.
-- Prevented uploads have no ticket; they count for the contact's organisation.
CREATE TABLE privacy_incidents (
    id INTEGER PRIMARY KEY,
    ticket_id INTEGER REFERENCES tickets(id) ON DELETE CASCADE,
    message_id INTEGER,
    contact_id INTEGER REFERENCES contacts(id) ON DELETE SET NULL,
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
-- The scan follows the stream of messages; it starts after the messages
-- that exist when this migration runs (history is not scanned by itself).
CREATE TABLE privacy_scan (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    last_message INTEGER NOT NULL
);
INSERT INTO privacy_scan (id, last_message) SELECT 1, COALESCE(MAX(id), 0) FROM messages;
-- Deleted index entries are overwritten, not only marked (removal for good).
INSERT INTO search_docs (search_docs, rank) VALUES ('secure-delete', 1);
