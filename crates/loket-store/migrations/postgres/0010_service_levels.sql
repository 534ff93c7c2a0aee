-- Service levels: the deadline running on a ticket, when the check looks at
-- it next, and the warnings and breaches recorded once each.
ALTER TABLE tickets ADD COLUMN due_at TIMESTAMPTZ;
ALTER TABLE tickets ADD COLUMN due_kind TEXT;
ALTER TABLE tickets ADD COLUMN sla_check_at TIMESTAMPTZ;
CREATE INDEX tickets_sla_check ON tickets(sla_check_at) WHERE sla_check_at IS NOT NULL;
CREATE INDEX tickets_due ON tickets(due_at) WHERE due_at IS NOT NULL;
CREATE TABLE sla_events (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    ticket_id BIGINT NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
    event TEXT NOT NULL,
    due_kind TEXT NOT NULL,
    due_at TIMESTAMPTZ NOT NULL,
    department TEXT NOT NULL,
    organisation_id BIGINT REFERENCES organisations(id) ON DELETE SET NULL,
    created_at TIMESTAMPTZ NOT NULL,
    UNIQUE (ticket_id, event, due_at)
);
CREATE INDEX sla_events_created ON sla_events(created_at);
ALTER TABLE outbox ADD COLUMN sla_event_id BIGINT REFERENCES sla_events(id) ON DELETE CASCADE;
