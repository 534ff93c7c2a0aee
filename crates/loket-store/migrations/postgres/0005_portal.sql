-- A form submitted twice (a refresh, a double click) makes one ticket: the
-- form's own id is kept with the ticket it made.
CREATE TABLE ticket_requests (
    key TEXT PRIMARY KEY,
    ticket_id BIGINT NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
    created_at TIMESTAMPTZ NOT NULL
);
-- An organisation may let its authorised contacts see all of its tickets.
ALTER TABLE organisations ADD COLUMN share_tickets BOOLEAN NOT NULL DEFAULT FALSE;
