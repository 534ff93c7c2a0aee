//! The forum's categories, topics, posts, files, subscriptions and bans,
//! for both backends; each backend indexes posts for its full-text search.

/// Implements `ForumStore` for `$t` over database `$db`.
macro_rules! forum_store {
    ($t:ty, $db:ty) => {
        use loket_core::forum::{Poster, Category, ForumFile, ForumMail, ForumStore, Moderation, NewPost, Post, Topic};

        /// id, category, title, author, author name, staff, hidden, locked,
        /// solution, ticket number, replies, created, last post.
        type TopicRow = (i64, i64, String, String, String, bool, bool, bool, Option<i64>, Option<i64>, i64, DateTime<Utc>, DateTime<Utc>);

        const TOPIC_COLS: &str = "t.id, t.category_id, t.title, t.author, t.author_name, t.staff, t.hidden, t.locked, \
             t.solution_post_id, tk.number, \
             (SELECT COUNT(*) FROM forum_posts p WHERE p.topic_id = t.id AND p.hidden = FALSE) - 1, t.created_at, t.last_post_at \
             FROM forum_topics t LEFT JOIN tickets tk ON tk.id = t.ticket_id";

        fn topic_of(r: TopicRow) -> Topic {
            let (id, category_id, title, author, name, staff, hidden, locked, solution, ticket, replies, created_at, last_post_at) = r;
            Topic {
                id,
                category_id,
                title,
                author: Poster { id: author, name, staff },
                hidden,
                locked,
                solution,
                ticket: ticket.map(TicketNumber),
                replies: replies.max(0),
                created_at,
                last_post_at,
            }
        }

        fn topic_audit(action: &str, field: Option<&str>, old: Option<String>, new: Option<String>) -> AuditEntry {
            AuditEntry {
                action: action.to_owned(),
                field: field.map(str::to_owned),
                old_value: old,
                new_value: new,
            }
        }

        impl $t {
            /// Adds a post with its files, its index entry and the writer's
            /// subscription; a reply (`reply`) queues a mail to every other
            /// follower. Inside the caller's transaction.
            async fn insert_forum_post(
                tx: &mut <$db as sqlx::Database>::Connection,
                topic: i64,
                title: Option<&str>,
                post: &NewPost,
                at: DateTime<Utc>,
            ) -> Result<i64> {
                let (id,): (i64,) = sqlx::query_as(
                    "INSERT INTO forum_posts (topic_id, author, author_name, staff, body, hidden, created_at) \
                     VALUES ($1, $2, $3, $4, $5, FALSE, $6) RETURNING id",
                )
                .bind(topic)
                .bind(&post.author.id)
                .bind(&post.author.name)
                .bind(post.author.staff)
                .bind(&post.body)
                .bind(at)
                .fetch_one(&mut *tx)
                .await
                .map_err(db_err)?;
                for f in &post.files {
                    sqlx::query("INSERT INTO forum_files (post_id, filename, media_type, size, sha256) VALUES ($1, $2, $3, $4, $5)")
                        .bind(id)
                        .bind(&f.filename)
                        .bind(&f.media_type)
                        .bind(f.size)
                        .bind(&f.sha256)
                        .execute(&mut *tx)
                        .await
                        .map_err(db_err)?;
                }
                let text = match title {
                    Some(t) => format!("{t}\n{}", post.body),
                    None => post.body.clone(),
                };
                Self::index_forum_post(tx, id, &loket_core::search::index_text(&text)).await?;
                let writer = post.author.contact().map_or(-1, |c| c.0);
                if title.is_none() {
                    sqlx::query("UPDATE forum_topics SET last_post_at = $1 WHERE id = $2")
                        .bind(at)
                        .bind(topic)
                        .execute(&mut *tx)
                        .await
                        .map_err(db_err)?;
                    sqlx::query(
                        "INSERT INTO outbox (kind, to_addr, automatic, created_at, forum_post_id) \
                         SELECT 'forum_reply', c.email, TRUE, $1, $2 FROM forum_subscriptions s \
                         JOIN contacts c ON c.id = s.contact_id WHERE s.topic_id = $3 AND s.contact_id <> $4 AND s.ended_at IS NULL",
                    )
                    .bind(at)
                    .bind(id)
                    .bind(topic)
                    .bind(writer)
                    .execute(&mut *tx)
                    .await
                    .map_err(db_err)?;
                }
                if post.subscribe && writer > 0 {
                    sqlx::query(
                        "INSERT INTO forum_subscriptions (topic_id, contact_id, created_at) VALUES ($1, $2, $3) \
                         ON CONFLICT (topic_id, contact_id) DO UPDATE SET ended_at = NULL",
                    )
                    .bind(topic)
                    .bind(writer)
                    .bind(at)
                    .execute(&mut *tx)
                    .await
                    .map_err(db_err)?;
                }
                Ok(id)
            }

            async fn topics_where(&self, filter: &str, binds: &[i64]) -> Result<Vec<Topic>> {
                let sql = format!("SELECT {TOPIC_COLS} {filter}");
                let mut q = sqlx::query_as::<_, TopicRow>(&sql);
                for b in binds {
                    q = q.bind(*b);
                }
                Ok(q.fetch_all(self.reader()).await.map_err(db_err)?.into_iter().map(topic_of).collect())
            }
        }

        #[async_trait]
        impl ForumStore for $t {
            async fn create_forum_category(&self, name: &str, description: &str, by: &Stamp) -> Result<Category> {
                let mut tx = self.begin_write().await?;
                let id: Option<i64> = sqlx::query_scalar(
                    "INSERT INTO forum_categories (name, description, created_at) VALUES ($1, $2, $3) \
                     ON CONFLICT (name) DO NOTHING RETURNING id",
                )
                .bind(name)
                .bind(description)
                .bind(by.at)
                .fetch_optional(&mut *tx)
                .await
                .map_err(db_err)?;
                let Some(id) = id else {
                    return Err(DomainError::conflict(format!("a category named {name} exists already")));
                };
                let entry = topic_audit("forum.category", Some("name"), None, Some(name.to_owned()));
                Self::insert_audit(&mut tx, &format!("forum_category:{id}"), None, by, &[entry]).await?;
                tx.commit().await.map_err(db_err)?;
                Ok(Category { id, name: name.to_owned(), description: description.to_owned(), topics: 0, last_post_at: None })
            }

            async fn forum_categories(&self) -> Result<Vec<Category>> {
                let rows: Vec<(i64, String, String, i64, Option<DateTime<Utc>>)> = sqlx::query_as(
                    "SELECT c.id, c.name, c.description, \
                     (SELECT COUNT(*) FROM forum_topics t WHERE t.category_id = c.id AND t.hidden = FALSE), \
                     (SELECT t.last_post_at FROM forum_topics t WHERE t.category_id = c.id AND t.hidden = FALSE \
                      ORDER BY t.last_post_at DESC LIMIT 1) \
                     FROM forum_categories c ORDER BY c.name",
                )
                .fetch_all(self.reader())
                .await
                .map_err(db_err)?;
                Ok(rows
                    .into_iter()
                    .map(|(id, name, description, topics, last_post_at)| Category { id, name, description, topics, last_post_at })
                    .collect())
            }

            async fn forum_topics(&self, category: Option<i64>, hidden: bool, limit: i64) -> Result<Vec<Topic>> {
                self.topics_where(
                    "WHERE ($1 < 0 OR t.category_id = $1) AND ($2 = 1 OR t.hidden = FALSE) ORDER BY t.last_post_at DESC, t.id DESC LIMIT $3",
                    &[category.unwrap_or(-1), i64::from(hidden), limit],
                )
                .await
            }

            async fn forum_topic(&self, id: i64) -> Result<Option<Topic>> {
                Ok(self.topics_where("WHERE t.id = $1", &[id]).await?.pop())
            }

            async fn forum_posts(&self, topic: i64) -> Result<Vec<Post>> {
                let rows: Vec<(i64, String, String, bool, String, bool, DateTime<Utc>)> = sqlx::query_as(
                    "SELECT id, author, author_name, staff, body, hidden, created_at FROM forum_posts WHERE topic_id = $1 ORDER BY id",
                )
                .bind(topic)
                .fetch_all(self.reader())
                .await
                .map_err(db_err)?;
                let files: Vec<(i64, i64, String, String, i64, String)> = sqlx::query_as(
                    "SELECT f.id, f.post_id, f.filename, f.media_type, f.size, f.sha256 FROM forum_files f \
                     JOIN forum_posts p ON p.id = f.post_id WHERE p.topic_id = $1 ORDER BY f.id",
                )
                .bind(topic)
                .fetch_all(self.reader())
                .await
                .map_err(db_err)?;
                Ok(rows
                    .into_iter()
                    .map(|(id, author, name, staff, body, hidden, created_at)| Post {
                        id,
                        topic_id: topic,
                        author: Poster { id: author, name, staff },
                        body,
                        hidden,
                        created_at,
                        files: files
                            .iter()
                            .filter(|f| f.1 == id)
                            .map(|(fid, post_id, filename, media_type, size, sha256)| ForumFile {
                                id: *fid,
                                post_id: *post_id,
                                topic_id: topic,
                                filename: filename.clone(),
                                media_type: media_type.clone(),
                                size: *size,
                                sha256: sha256.clone(),
                            })
                            .collect(),
                    })
                    .collect())
            }

            async fn forum_file(&self, id: i64) -> Result<Option<ForumFile>> {
                let row: Option<(i64, i64, i64, String, String, i64, String)> = sqlx::query_as(
                    "SELECT f.id, f.post_id, p.topic_id, f.filename, f.media_type, f.size, f.sha256 FROM forum_files f \
                     JOIN forum_posts p ON p.id = f.post_id WHERE f.id = $1",
                )
                .bind(id)
                .fetch_optional(self.reader())
                .await
                .map_err(db_err)?;
                Ok(row.map(|(id, post_id, topic_id, filename, media_type, size, sha256)| ForumFile {
                    id,
                    post_id,
                    topic_id,
                    filename,
                    media_type,
                    size,
                    sha256,
                }))
            }

            async fn create_forum_topic(&self, category: i64, title: &str, post: &NewPost, at: DateTime<Utc>) -> Result<i64> {
                let mut tx = self.begin_write().await?;
                let (id,): (i64,) = sqlx::query_as(
                    "INSERT INTO forum_topics (category_id, title, author, author_name, staff, hidden, locked, created_at, last_post_at) \
                     VALUES ($1, $2, $3, $4, $5, FALSE, FALSE, $6, $6) RETURNING id",
                )
                .bind(category)
                .bind(title)
                .bind(&post.author.id)
                .bind(&post.author.name)
                .bind(post.author.staff)
                .bind(at)
                .fetch_one(&mut *tx)
                .await
                .map_err(db_err)?;
                Self::insert_forum_post(&mut tx, id, Some(title), post, at).await?;
                tx.commit().await.map_err(db_err)?;
                Ok(id)
            }

            async fn add_forum_post(&self, topic: i64, post: &NewPost, at: DateTime<Utc>) -> Result<i64> {
                let mut tx = self.begin_write().await?;
                let id = Self::insert_forum_post(&mut tx, topic, None, post, at).await?;
                tx.commit().await.map_err(db_err)?;
                Ok(id)
            }

            async fn moderate_forum(&self, topic: i64, step: &Moderation, by: &Stamp) -> Result<()> {
                let mut tx = self.begin_write().await?;
                let flag = |b: bool| Some(b.to_string());
                // The topic's row to change (with its value), and the audit entry.
                let (change, entry): (Option<(&str, i64)>, AuditEntry) = match step {
                    Moderation::HideTopic(h) => (
                        Some(("UPDATE forum_topics SET hidden = ($1 = 1) WHERE id = $2", i64::from(*h))),
                        topic_audit(if *h { "forum.hide" } else { "forum.show" }, Some("hidden"), flag(!*h), flag(*h)),
                    ),
                    Moderation::Lock(l) => (
                        Some(("UPDATE forum_topics SET locked = ($1 = 1) WHERE id = $2", i64::from(*l))),
                        topic_audit(if *l { "forum.lock" } else { "forum.unlock" }, Some("locked"), flag(!*l), flag(*l)),
                    ),
                    Moderation::Move(c) => {
                        let old: Option<i64> = sqlx::query_scalar("SELECT category_id FROM forum_topics WHERE id = $1")
                            .bind(topic)
                            .fetch_optional(&mut *tx)
                            .await
                            .map_err(db_err)?;
                        (
                            Some(("UPDATE forum_topics SET category_id = $1 WHERE id = $2", *c)),
                            topic_audit("forum.move", Some("category"), old.map(|o| o.to_string()), Some(c.to_string())),
                        )
                    }
                    Moderation::HidePost(p, h) => {
                        let done = sqlx::query("UPDATE forum_posts SET hidden = ($1 = 1) WHERE id = $2 AND topic_id = $3")
                            .bind(i64::from(*h))
                            .bind(*p)
                            .bind(topic)
                            .execute(&mut *tx)
                            .await
                            .map_err(db_err)?;
                        if done.rows_affected() == 0 {
                            return Err(DomainError::not_found(format!("post {p}")));
                        }
                        let action = if *h { "forum.hide_post" } else { "forum.show_post" };
                        (None, topic_audit(action, Some("post"), None, Some(p.to_string())))
                    }
                    Moderation::Solution(p) => {
                        // Only a change is recorded and mailed (marked already, or
                        // marked at the same moment by another request: nothing).
                        let changed = sqlx::query(
                            "UPDATE forum_topics SET solution_post_id = $1 WHERE id = $2 \
                             AND (solution_post_id IS NULL OR solution_post_id <> $1)",
                        )
                        .bind(*p)
                        .bind(topic)
                        .execute(&mut *tx)
                        .await
                        .map_err(db_err)?
                        .rows_affected();
                        if changed == 0 {
                            return Ok(());
                        }
                        sqlx::query(
                            "INSERT INTO outbox (kind, to_addr, automatic, created_at, forum_post_id) \
                             SELECT 'forum_solution', c.email, TRUE, $1, $2 FROM forum_subscriptions s \
                             JOIN contacts c ON c.id = s.contact_id WHERE s.topic_id = $3 AND s.ended_at IS NULL",
                        )
                        .bind(by.at)
                        .bind(*p)
                        .bind(topic)
                        .execute(&mut *tx)
                        .await
                        .map_err(db_err)?;
                        (None, topic_audit("forum.solution", Some("solution"), None, Some(p.to_string())))
                    }
                    Moderation::Ticket(n) => (
                        Some(("UPDATE forum_topics SET ticket_id = (SELECT id FROM tickets WHERE number = $1) WHERE id = $2", n.0)),
                        topic_audit("forum.ticket", Some("ticket"), None, Some(n.to_string())),
                    ),
                };
                if let Some((sql, value)) = change {
                    let done = sqlx::query(sql)
                        .bind(value)
                        .bind(topic)
                        .execute(&mut *tx)
                        .await
                        .map_err(db_err)?;
                    if done.rows_affected() == 0 {
                        return Err(DomainError::not_found(format!("topic {topic}")));
                    }
                }
                Self::insert_audit(&mut tx, &format!("forum_topic:{topic}"), None, by, &[entry]).await?;
                tx.commit().await.map_err(db_err)?;
                Ok(())
            }

            async fn set_forum_subscription(&self, topic: i64, contact: ContactId, on: bool, at: DateTime<Utc>) -> Result<Option<i64>> {
                let mut tx = self.begin_write().await?;
                if on {
                    sqlx::query(
                        "INSERT INTO forum_subscriptions (topic_id, contact_id, created_at) VALUES ($1, $2, $3) \
                         ON CONFLICT (topic_id, contact_id) DO UPDATE SET ended_at = NULL",
                    )
                    .bind(topic)
                    .bind(contact.0)
                    .bind(at)
                    .execute(&mut *tx)
                    .await
                    .map_err(db_err)?;
                } else {
                    // Kept, ended: its mailed link still answers "unsubscribed".
                    sqlx::query(
                        "UPDATE forum_subscriptions SET ended_at = COALESCE(ended_at, $3) WHERE topic_id = $1 AND contact_id = $2",
                    )
                        .bind(topic)
                        .bind(contact.0)
                        .bind(at)
                        .execute(&mut *tx)
                        .await
                        .map_err(db_err)?;
                }
                let id: Option<i64> = sqlx::query_scalar("SELECT id FROM forum_subscriptions WHERE topic_id = $1 AND contact_id = $2")
                    .bind(topic)
                    .bind(contact.0)
                    .fetch_optional(&mut *tx)
                    .await
                    .map_err(db_err)?;
                tx.commit().await.map_err(db_err)?;
                Ok(id)
            }

            async fn forum_subscribed(&self, topic: i64, contact: ContactId) -> Result<bool> {
                let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM forum_subscriptions WHERE topic_id = $1 AND contact_id = $2 AND ended_at IS NULL")
                    .bind(topic)
                    .bind(contact.0)
                    .fetch_one(self.reader())
                    .await
                    .map_err(db_err)?;
                Ok(n > 0)
            }

            async fn forum_subscription(&self, id: i64) -> Result<Option<(i64, ContactId)>> {
                let row: Option<(i64, i64)> = sqlx::query_as("SELECT topic_id, contact_id FROM forum_subscriptions WHERE id = $1")
                    .bind(id)
                    .fetch_optional(self.reader())
                    .await
                    .map_err(db_err)?;
                Ok(row.map(|(t, c)| (t, ContactId(c))))
            }

            async fn set_forum_ban(&self, contact: ContactId, reason: Option<&str>, topic: Option<i64>, by: &Stamp) -> Result<()> {
                let mut tx = self.begin_write().await?;
                let entry = match reason {
                    Some(r) => {
                        sqlx::query(
                            "INSERT INTO forum_bans (contact_id, reason, banned_by, created_at) VALUES ($1, $2, $3, $4) \
                             ON CONFLICT (contact_id) DO UPDATE SET reason = excluded.reason, banned_by = excluded.banned_by",
                        )
                        .bind(contact.0)
                        .bind(r)
                        .bind(&by.actor)
                        .bind(by.at)
                        .execute(&mut *tx)
                        .await
                        .map_err(db_err)?;
                        topic_audit("forum.ban", Some("reason"), None, Some(r.to_owned()))
                    }
                    None => {
                        sqlx::query("DELETE FROM forum_bans WHERE contact_id = $1")
                            .bind(contact.0)
                            .execute(&mut *tx)
                            .await
                            .map_err(db_err)?;
                        topic_audit("forum.unban", None, None, None)
                    }
                };
                Self::insert_audit(&mut tx, &format!("contact:{}", contact.0), None, by, std::slice::from_ref(&entry)).await?;
                if let Some(t) = topic {
                    let on_topic = AuditEntry { new_value: Some(format!("contact:{}", contact.0)), ..entry };
                    Self::insert_audit(&mut tx, &format!("forum_topic:{t}"), None, by, &[on_topic]).await?;
                }
                tx.commit().await.map_err(db_err)?;
                Ok(())
            }

            async fn forum_name(&self, contact: ContactId) -> Result<Option<String>> {
                sqlx::query_scalar("SELECT name FROM forum_names WHERE contact_id = $1")
                    .bind(contact.0)
                    .fetch_optional(self.reader())
                    .await
                    .map_err(db_err)
            }

            async fn set_forum_name(&self, contact: ContactId, name: &str, at: DateTime<Utc>) -> Result<()> {
                let mut tx = self.begin_write().await?;
                sqlx::query(
                    "INSERT INTO forum_names (contact_id, name, updated_at) VALUES ($1, $2, $3) \
                     ON CONFLICT (contact_id) DO UPDATE SET name = excluded.name, updated_at = excluded.updated_at",
                )
                .bind(contact.0)
                .bind(name)
                .bind(at)
                .execute(&mut *tx)
                .await
                .map_err(db_err)?;
                tx.commit().await.map_err(db_err)?;
                Ok(())
            }

            async fn forum_ban(&self, contact: ContactId) -> Result<Option<String>> {
                sqlx::query_scalar("SELECT reason FROM forum_bans WHERE contact_id = $1")
                    .bind(contact.0)
                    .fetch_optional(self.reader())
                    .await
                    .map_err(db_err)
            }

            async fn forum_bans(&self) -> Result<Vec<(ContactId, String, String)>> {
                let rows: Vec<(i64, String, String)> = sqlx::query_as(
                    "SELECT b.contact_id, c.email, b.reason FROM forum_bans b JOIN contacts c ON c.id = b.contact_id ORDER BY c.email",
                )
                .fetch_all(self.reader())
                .await
                .map_err(db_err)?;
                Ok(rows.into_iter().map(|(id, email, reason)| (ContactId(id), email, reason)).collect())
            }

            async fn search_forum(&self, query: &str, limit: i64) -> Result<Vec<Topic>> {
                let ids = self.forum_search_ids(query, limit).await?;
                if ids.is_empty() {
                    return Ok(Vec::new());
                }
                // One query for all of them, in the search's order.
                let list = (1..=ids.len()).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ");
                let mut out = self.topics_where(&format!("WHERE t.id IN ({list}) AND t.hidden = FALSE"), &ids).await?;
                out.sort_by_key(|t| ids.iter().position(|id| *id == t.id));
                Ok(out)
            }

            async fn forum_mail(&self, post: i64, to: &str) -> Result<Option<ForumMail>> {
                let row: Option<(i64, String, String, bool, String, bool, Option<i64>)> = sqlx::query_as(
                    "SELECT t.id, t.title, p.author_name, p.staff, p.body, p.hidden OR t.hidden, \
                     (SELECT s.id FROM forum_subscriptions s JOIN contacts c ON c.id = s.contact_id \
                      WHERE s.topic_id = t.id AND c.email = $2 AND s.ended_at IS NULL) \
                     FROM forum_posts p JOIN forum_topics t ON t.id = p.topic_id WHERE p.id = $1",
                )
                .bind(post)
                .bind(to)
                .fetch_optional(self.reader())
                .await
                .map_err(db_err)?;
                Ok(row.and_then(|(topic, title, author, staff, body, hidden, subscription)| {
                    Some(ForumMail { topic, title, author, staff, body, hidden, subscription: subscription? })
                }))
            }
        }
    };
}

pub(crate) use forum_store;
