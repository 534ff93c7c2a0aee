-- The outage page: components, incidents and maintenance with their updates.
CREATE TABLE status_components (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL
);
CREATE TABLE outages (
    id INTEGER PRIMARY KEY,
    title TEXT NOT NULL,
    kind TEXT NOT NULL,
    state TEXT NOT NULL,
    starts_at TEXT NOT NULL,
    ends_at TEXT,
    resolved_at TEXT,
    created_at TEXT NOT NULL
);
CREATE TABLE outage_components (
    outage_id INTEGER NOT NULL REFERENCES outages(id) ON DELETE CASCADE,
    component_id INTEGER NOT NULL REFERENCES status_components(id) ON DELETE CASCADE,
    PRIMARY KEY (outage_id, component_id)
);
CREATE TABLE outage_updates (
    id INTEGER PRIMARY KEY,
    outage_id INTEGER NOT NULL REFERENCES outages(id) ON DELETE CASCADE,
    state TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX outage_updates_outage ON outage_updates(outage_id);
-- Subscribers by mail (double opt-in) and tickets linked to an outage.
CREATE TABLE outage_subscribers (
    id INTEGER PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    confirmed_at TEXT,
    unsubscribed_at TEXT,
    last_mail_at TEXT,
    created_at TEXT NOT NULL
);
CREATE TABLE outage_tickets (
    outage_id INTEGER NOT NULL REFERENCES outages(id) ON DELETE CASCADE,
    ticket_id INTEGER NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
    PRIMARY KEY (outage_id, ticket_id)
);
ALTER TABLE outbox ADD COLUMN outage_update_id INTEGER REFERENCES outage_updates(id) ON DELETE CASCADE;
