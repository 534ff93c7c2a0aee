-- The outage page: components, incidents and maintenance with their updates.
CREATE TABLE status_components (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE TABLE outages (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    title TEXT NOT NULL,
    kind TEXT NOT NULL,
    state TEXT NOT NULL,
    starts_at TIMESTAMPTZ NOT NULL,
    ends_at TIMESTAMPTZ,
    resolved_at TIMESTAMPTZ,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE TABLE outage_components (
    outage_id BIGINT NOT NULL REFERENCES outages(id) ON DELETE CASCADE,
    component_id BIGINT NOT NULL REFERENCES status_components(id) ON DELETE CASCADE,
    PRIMARY KEY (outage_id, component_id)
);
CREATE TABLE outage_updates (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    outage_id BIGINT NOT NULL REFERENCES outages(id) ON DELETE CASCADE,
    state TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX outage_updates_outage ON outage_updates(outage_id);
-- Subscribers by mail (double opt-in) and tickets linked to an outage.
CREATE TABLE outage_subscribers (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    confirmed_at TIMESTAMPTZ,
    unsubscribed_at TIMESTAMPTZ,
    last_mail_at TIMESTAMPTZ,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE TABLE outage_tickets (
    outage_id BIGINT NOT NULL REFERENCES outages(id) ON DELETE CASCADE,
    ticket_id BIGINT NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
    PRIMARY KEY (outage_id, ticket_id)
);
ALTER TABLE outbox ADD COLUMN outage_update_id BIGINT REFERENCES outage_updates(id) ON DELETE CASCADE;
