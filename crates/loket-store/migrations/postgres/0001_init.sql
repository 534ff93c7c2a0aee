-- Loket schema for PostgreSQL.
CREATE TABLE organisations (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE TABLE organisation_domains (
    domain TEXT PRIMARY KEY,
    organisation_id BIGINT NOT NULL REFERENCES organisations(id) ON DELETE CASCADE
);
CREATE TABLE contacts (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL DEFAULT '',
    organisation_id BIGINT REFERENCES organisations(id),
    authorised BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX contacts_organisation ON contacts(organisation_id);
CREATE TABLE staff (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    role TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE TABLE api_tokens (
    token_sha256 TEXT PRIMARY KEY,
    staff_id BIGINT NOT NULL REFERENCES staff(id) ON DELETE CASCADE,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE SEQUENCE ticket_number_seq START WITH 100001;
CREATE TABLE tickets (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    number BIGINT NOT NULL UNIQUE,
    subject TEXT NOT NULL,
    requester_id BIGINT NOT NULL REFERENCES contacts(id),
    organisation_id BIGINT REFERENCES organisations(id),
    channel TEXT NOT NULL,
    mailbox TEXT,
    status TEXT NOT NULL,
    department TEXT NOT NULL,
    urgent BOOLEAN NOT NULL,
    assignee_id BIGINT REFERENCES staff(id),
    release_version TEXT,
    work_item TEXT,
    postponed_until TIMESTAMPTZ,
    promised_at TIMESTAMPTZ,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    first_response_at TIMESTAMPTZ,
    last_customer_at TIMESTAMPTZ,
    last_agent_at TIMESTAMPTZ,
    version BIGINT NOT NULL,
    search_doc TSVECTOR NOT NULL DEFAULT ''::tsvector
);
CREATE INDEX tickets_requester ON tickets(requester_id, id);
CREATE INDEX tickets_organisation ON tickets(organisation_id, id);
CREATE INDEX tickets_status ON tickets(status, id);
CREATE INDEX tickets_department ON tickets(department, id);
CREATE INDEX tickets_assignee ON tickets(assignee_id, id);
CREATE INDEX tickets_postponed ON tickets(postponed_until) WHERE status = 'postponed';
CREATE INDEX tickets_search ON tickets USING GIN (search_doc);
CREATE TABLE ticket_labels (
    ticket_id BIGINT NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
    label TEXT NOT NULL,
    PRIMARY KEY (ticket_id, label)
);
CREATE INDEX ticket_labels_label ON ticket_labels(label, ticket_id);
CREATE TABLE messages (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    ticket_id BIGINT NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    author_staff_id BIGINT REFERENCES staff(id),
    author_contact_id BIGINT REFERENCES contacts(id),
    body_text TEXT NOT NULL,
    body_html TEXT NOT NULL,
    mail_message_id TEXT,
    mail_references TEXT,
    created_at TIMESTAMPTZ NOT NULL,
    search_doc TSVECTOR GENERATED ALWAYS AS (to_tsvector('dutch', body_text)) STORED
);
CREATE INDEX messages_ticket ON messages(ticket_id, id);
CREATE INDEX messages_mail_id ON messages(mail_message_id) WHERE mail_message_id IS NOT NULL;
CREATE INDEX messages_search ON messages USING GIN (search_doc);
CREATE TABLE attachments (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    ticket_id BIGINT NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
    message_id BIGINT REFERENCES messages(id) ON DELETE SET NULL,
    filename TEXT NOT NULL,
    media_type TEXT NOT NULL,
    size BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    removed_at TIMESTAMPTZ,
    removed_by TEXT,
    removal_reason TEXT
);
CREATE INDEX attachments_ticket ON attachments(ticket_id);
CREATE INDEX attachments_sha ON attachments(sha256);
CREATE TABLE audit_events (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    entity TEXT NOT NULL,
    ticket_id BIGINT REFERENCES tickets(id) ON DELETE CASCADE,
    actor TEXT NOT NULL,
    at TIMESTAMPTZ NOT NULL,
    action TEXT NOT NULL,
    field TEXT,
    old_value TEXT,
    new_value TEXT
);
CREATE INDEX audit_entity ON audit_events(entity, id);
CREATE INDEX audit_ticket ON audit_events(ticket_id);
CREATE TABLE outbox (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind TEXT NOT NULL,
    ticket_id BIGINT REFERENCES tickets(id) ON DELETE CASCADE,
    message_id BIGINT REFERENCES messages(id) ON DELETE SET NULL,
    to_addr TEXT NOT NULL,
    automatic BOOLEAN NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    state TEXT NOT NULL DEFAULT 'pending',
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMPTZ,
    last_error TEXT,
    sent_at TIMESTAMPTZ
);
CREATE INDEX outbox_pending ON outbox(id) WHERE state = 'pending';
