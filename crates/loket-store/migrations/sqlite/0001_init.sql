-- Loket schema for SQLite. Timestamps are RFC 3339 text in UTC.
CREATE TABLE organisations (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE TABLE organisation_domains (
    domain TEXT PRIMARY KEY,
    organisation_id INTEGER NOT NULL REFERENCES organisations(id) ON DELETE CASCADE
);
CREATE TABLE contacts (
    id INTEGER PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL DEFAULT '',
    organisation_id INTEGER REFERENCES organisations(id),
    authorised BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TEXT NOT NULL
);
CREATE INDEX contacts_organisation ON contacts(organisation_id);
CREATE TABLE staff (
    id INTEGER PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    role TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE TABLE api_tokens (
    token_sha256 TEXT PRIMARY KEY,
    staff_id INTEGER NOT NULL REFERENCES staff(id) ON DELETE CASCADE,
    created_at TEXT NOT NULL
);
CREATE TABLE counters (
    name TEXT PRIMARY KEY,
    value INTEGER NOT NULL
);
INSERT INTO counters (name, value) VALUES ('ticket_number', 100000);
CREATE TABLE tickets (
    id INTEGER PRIMARY KEY,
    number INTEGER NOT NULL UNIQUE,
    subject TEXT NOT NULL,
    requester_id INTEGER NOT NULL REFERENCES contacts(id),
    organisation_id INTEGER REFERENCES organisations(id),
    channel TEXT NOT NULL,
    mailbox TEXT,
    status TEXT NOT NULL,
    department TEXT NOT NULL,
    urgent BOOLEAN NOT NULL,
    assignee_id INTEGER REFERENCES staff(id),
    release_version TEXT,
    work_item TEXT,
    postponed_until TEXT,
    promised_at TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    first_response_at TEXT,
    last_customer_at TEXT,
    last_agent_at TEXT,
    version INTEGER NOT NULL
);
-- Numbers come from the counter; moving it on inside the INSERT's transaction
-- means a number is never given twice, nor reused after a deletion.
CREATE TRIGGER tickets_number_counter AFTER INSERT ON tickets BEGIN
    UPDATE counters SET value = NEW.number WHERE name = 'ticket_number' AND value < NEW.number;
END;
CREATE INDEX tickets_requester ON tickets(requester_id, id);
CREATE INDEX tickets_organisation ON tickets(organisation_id, id);
CREATE INDEX tickets_status ON tickets(status, id);
CREATE INDEX tickets_department ON tickets(department, id);
CREATE INDEX tickets_assignee ON tickets(assignee_id, id);
CREATE INDEX tickets_postponed ON tickets(postponed_until) WHERE status = 'postponed';
CREATE TABLE ticket_labels (
    ticket_id INTEGER NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
    label TEXT NOT NULL,
    PRIMARY KEY (ticket_id, label)
);
CREATE INDEX ticket_labels_label ON ticket_labels(label, ticket_id);
CREATE TABLE messages (
    id INTEGER PRIMARY KEY,
    ticket_id INTEGER NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    author_staff_id INTEGER REFERENCES staff(id),
    author_contact_id INTEGER REFERENCES contacts(id),
    body_text TEXT NOT NULL,
    body_html TEXT NOT NULL,
    mail_message_id TEXT,
    mail_references TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX messages_ticket ON messages(ticket_id, id);
CREATE INDEX messages_mail_id ON messages(mail_message_id) WHERE mail_message_id IS NOT NULL;
CREATE TABLE attachments (
    id INTEGER PRIMARY KEY,
    ticket_id INTEGER NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
    message_id INTEGER REFERENCES messages(id) ON DELETE SET NULL,
    filename TEXT NOT NULL,
    media_type TEXT NOT NULL,
    size INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    created_at TEXT NOT NULL,
    removed_at TEXT,
    removed_by TEXT,
    removal_reason TEXT
);
CREATE INDEX attachments_ticket ON attachments(ticket_id);
CREATE INDEX attachments_sha ON attachments(sha256);
CREATE TABLE audit_events (
    id INTEGER PRIMARY KEY,
    entity TEXT NOT NULL,
    ticket_id INTEGER REFERENCES tickets(id) ON DELETE CASCADE,
    actor TEXT NOT NULL,
    at TEXT NOT NULL,
    action TEXT NOT NULL,
    field TEXT,
    old_value TEXT,
    new_value TEXT
);
CREATE INDEX audit_entity ON audit_events(entity, id);
CREATE INDEX audit_ticket ON audit_events(ticket_id);
CREATE TABLE outbox (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    ticket_id INTEGER REFERENCES tickets(id) ON DELETE CASCADE,
    message_id INTEGER REFERENCES messages(id) ON DELETE SET NULL,
    to_addr TEXT NOT NULL,
    automatic BOOLEAN NOT NULL,
    created_at TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'pending',
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT,
    last_error TEXT,
    sent_at TEXT
);
CREATE INDEX outbox_pending ON outbox(id) WHERE state = 'pending';
-- Full-text index: one document per ticket (subject and requester, rowid 2*id+1)
-- and one per message (rowid 2*id); `public` says whether customers may match it.
CREATE VIRTUAL TABLE search_docs USING fts5(
    body,
    ticket_id UNINDEXED,
    public UNINDEXED,
    tokenize = 'unicode61 remove_diacritics 2'
);
