-- Wish-list demand: a ticket linked to the wish it asks for too.
CREATE TABLE wish_links (
    ticket_id INTEGER PRIMARY KEY REFERENCES tickets(id) ON DELETE CASCADE,
    wish_id INTEGER NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
    created_at TEXT NOT NULL
);
CREATE INDEX wish_links_wish ON wish_links(wish_id);
