-- Wish-list demand: a ticket linked to the wish it asks for too.
CREATE TABLE wish_links (
    ticket_id BIGINT PRIMARY KEY REFERENCES tickets(id) ON DELETE CASCADE,
    wish_id BIGINT NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX wish_links_wish ON wish_links(wish_id);
