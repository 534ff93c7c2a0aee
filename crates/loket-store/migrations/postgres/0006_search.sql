-- Search documents are now made by Loket itself (Dutch stems, accents folded;
-- the same on SQLite): the generated column on messages becomes a plain one,
-- filled when a message is stored and by the rebuild at start-up.
ALTER TABLE messages DROP COLUMN search_doc;
ALTER TABLE messages ADD COLUMN search_doc TSVECTOR NOT NULL DEFAULT ''::tsvector;
CREATE INDEX messages_search ON messages USING GIN (search_doc);
