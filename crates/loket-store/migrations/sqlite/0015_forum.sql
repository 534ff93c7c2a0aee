-- The forum: categories, topics, posts with files, subscriptions, bans and
-- a full-text index of the posts (rowid = post id).
CREATE TABLE forum_categories (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    description TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE TABLE forum_topics (
    id INTEGER PRIMARY KEY,
    category_id INTEGER NOT NULL REFERENCES forum_categories(id),
    title TEXT NOT NULL,
    author TEXT NOT NULL,
    author_name TEXT NOT NULL,
    staff BOOLEAN NOT NULL,
    hidden BOOLEAN NOT NULL DEFAULT FALSE,
    locked BOOLEAN NOT NULL DEFAULT FALSE,
    solution_post_id INTEGER,
    ticket_id INTEGER REFERENCES tickets(id) ON DELETE SET NULL,
    created_at TEXT NOT NULL,
    last_post_at TEXT NOT NULL
);
CREATE INDEX forum_topics_category ON forum_topics(category_id, last_post_at);
CREATE TABLE forum_posts (
    id INTEGER PRIMARY KEY,
    topic_id INTEGER NOT NULL REFERENCES forum_topics(id) ON DELETE CASCADE,
    author TEXT NOT NULL,
    author_name TEXT NOT NULL,
    staff BOOLEAN NOT NULL,
    body TEXT NOT NULL,
    hidden BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TEXT NOT NULL
);
CREATE INDEX forum_posts_topic ON forum_posts(topic_id, id);
CREATE TABLE forum_files (
    id INTEGER PRIMARY KEY,
    post_id INTEGER NOT NULL REFERENCES forum_posts(id) ON DELETE CASCADE,
    filename TEXT NOT NULL,
    media_type TEXT NOT NULL,
    size INTEGER NOT NULL,
    sha256 TEXT NOT NULL
);
CREATE INDEX forum_files_post ON forum_files(post_id);
CREATE INDEX forum_files_sha ON forum_files(sha256);
CREATE TABLE forum_subscriptions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    topic_id INTEGER NOT NULL REFERENCES forum_topics(id) ON DELETE CASCADE,
    contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
    created_at TEXT NOT NULL,
    ended_at TEXT,
    UNIQUE (topic_id, contact_id)
);
-- The name a contact chose for the forum (apart from the name staff keep).
CREATE TABLE forum_names (
    contact_id INTEGER PRIMARY KEY REFERENCES contacts(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE TABLE forum_bans (
    contact_id INTEGER PRIMARY KEY REFERENCES contacts(id) ON DELETE CASCADE,
    reason TEXT NOT NULL,
    banned_by TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE VIRTUAL TABLE forum_search USING fts5(
    body,
    tokenize = 'unicode61 remove_diacritics 2'
);
INSERT INTO forum_search (forum_search, rank) VALUES ('secure-delete', 1);
ALTER TABLE outbox ADD COLUMN forum_post_id INTEGER REFERENCES forum_posts(id) ON DELETE CASCADE;
