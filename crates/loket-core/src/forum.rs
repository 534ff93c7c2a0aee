//! The customers' forum: categories, topics and replies (Markdown), their
//! attachments, subscriptions, a marked solution, moderation and the
//! storage port. Posts are by contacts and staff; staff posts carry a badge.

use crate::store::{NewAttachment, Stamp};
use crate::*;
use async_trait::async_trait;
use chrono::{DateTime, Utc};

/// A forum category (managed by admins).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Category {
    /// Id.
    pub id: i64,
    /// Name.
    pub name: String,
    /// One line on what belongs there.
    pub description: String,
    /// Visible topics in it.
    pub topics: i64,
    /// When its newest visible post was written.
    pub last_post_at: Option<DateTime<Utc>>,
}

/// Who wrote a post, as the forum shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Poster {
    /// `contact:ID` or `staff:ID`.
    pub id: String,
    /// The name shown (never an e-mail address).
    pub name: String,
    /// Staff: shown with a badge.
    pub staff: bool,
}

impl Poster {
    /// The contact who wrote it, when a contact did.
    pub fn contact(&self) -> Option<ContactId> {
        self.id.strip_prefix("contact:")?.parse().ok().map(ContactId)
    }
}

/// A topic as lists show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Topic {
    /// Id.
    pub id: i64,
    /// Its category.
    pub category_id: i64,
    /// Title.
    pub title: String,
    /// Who started it.
    pub author: Poster,
    /// Hidden by a moderator: staff only.
    pub hidden: bool,
    /// Locked by a moderator: no more replies.
    pub locked: bool,
    /// The post marked as the solution.
    pub solution: Option<i64>,
    /// The ticket it was turned into.
    pub ticket: Option<TicketNumber>,
    /// Replies (visible ones).
    pub replies: i64,
    /// When it was started.
    pub created_at: DateTime<Utc>,
    /// When its newest post was written.
    pub last_post_at: DateTime<Utc>,
}

/// A file with a post.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ForumFile {
    /// Id.
    pub id: i64,
    /// The post.
    pub post_id: i64,
    /// The post's topic.
    pub topic_id: i64,
    /// File name as given (cleaned).
    pub filename: String,
    /// Media type.
    pub media_type: String,
    /// Size in bytes.
    pub size: i64,
    /// The stored bytes' key.
    pub sha256: String,
}

/// A post: the topic's opening post or a reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Post {
    /// Id.
    pub id: i64,
    /// Its topic.
    pub topic_id: i64,
    /// Who wrote it.
    pub author: Poster,
    /// Markdown text.
    pub body: String,
    /// Hidden by a moderator: staff only.
    pub hidden: bool,
    /// When.
    pub created_at: DateTime<Utc>,
    /// Its files.
    pub files: Vec<ForumFile>,
}

/// A new post: the text, who, and the files already staged.
#[derive(Debug, Clone)]
pub struct NewPost {
    /// Who writes it.
    pub author: Poster,
    /// Markdown text.
    pub body: String,
    /// Its files' records (the bytes are staged).
    pub files: Vec<NewAttachment>,
    /// Subscribe the author (a contact) to the topic.
    pub subscribe: bool,
}

/// A moderation step, recorded in the topic's audit trail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Moderation {
    /// Hides the topic (or shows it again).
    HideTopic(bool),
    /// Locks the topic (or opens it again).
    Lock(bool),
    /// Moves the topic to another category.
    Move(i64),
    /// Hides a post (or shows it again).
    HidePost(i64, bool),
    /// Marks a post as the solution.
    Solution(i64),
    /// Records the ticket the topic became.
    Ticket(TicketNumber),
}

/// What a mail about a post says, for one follower.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ForumMail {
    /// The topic.
    pub topic: i64,
    /// Its title.
    pub title: String,
    /// Who wrote the post.
    pub author: String,
    /// Whether staff wrote it.
    pub staff: bool,
    /// Its text (Markdown).
    pub body: String,
    /// Whether the post or topic is hidden now (then it is not sent).
    pub hidden: bool,
    /// The follower's subscription (for the unsubscribe link).
    pub subscription: i64,
}

/// Storage of the forum.
#[async_trait]
pub trait ForumStore: Send + Sync + 'static {
    /// Adds a category; a name in use is a conflict.
    async fn create_forum_category(&self, name: &str, description: &str, by: &Stamp) -> Result<Category>;
    /// Every category with its count of visible topics.
    async fn forum_categories(&self) -> Result<Vec<Category>>;
    /// A category's topics, newest activity first; hidden ones only when `hidden`.
    async fn forum_topics(&self, category: Option<i64>, hidden: bool, limit: i64) -> Result<Vec<Topic>>;
    /// One topic.
    async fn forum_topic(&self, id: i64) -> Result<Option<Topic>>;
    /// A topic's posts in order, with their files.
    async fn forum_posts(&self, topic: i64) -> Result<Vec<Post>>;
    /// One file.
    async fn forum_file(&self, id: i64) -> Result<Option<ForumFile>>;
    /// Starts a topic with its opening post; answers the topic's id.
    async fn create_forum_topic(&self, category: i64, title: &str, post: &NewPost, at: DateTime<Utc>) -> Result<i64>;
    /// Adds a reply, and queues a mail to each subscriber of the topic but
    /// its writer, in one transaction; answers the post's id.
    async fn add_forum_post(&self, topic: i64, post: &NewPost, at: DateTime<Utc>) -> Result<i64>;
    /// Applies a moderation step with its audit entry (and, for a solution,
    /// mails to the subscribers).
    async fn moderate_forum(&self, topic: i64, step: &Moderation, by: &Stamp) -> Result<()>;
    /// Subscribes a contact to a topic (or ends it); answers the subscription's id.
    async fn set_forum_subscription(
        &self,
        topic: i64,
        contact: ContactId,
        on: bool,
        at: DateTime<Utc>,
    ) -> Result<Option<i64>>;
    /// Whether a contact follows a topic.
    async fn forum_subscribed(&self, topic: i64, contact: ContactId) -> Result<bool>;
    /// A subscription by id: its topic and contact.
    async fn forum_subscription(&self, id: i64) -> Result<Option<(i64, ContactId)>>;
    /// Bans a contact from posting (or lifts it), with an audit entry (on
    /// the contact, and on `topic` when given).
    async fn set_forum_ban(
        &self,
        contact: ContactId,
        reason: Option<&str>,
        topic: Option<i64>,
        by: &Stamp,
    ) -> Result<()>;
    /// The name a contact chose for the forum (empty: none), when they chose.
    async fn forum_name(&self, contact: ContactId) -> Result<Option<String>>;
    /// Sets the name a contact chose for the forum.
    async fn set_forum_name(&self, contact: ContactId, name: &str, at: DateTime<Utc>) -> Result<()>;
    /// Why a contact is banned, when they are.
    async fn forum_ban(&self, contact: ContactId) -> Result<Option<String>>;
    /// Every banned contact: id, address, reason.
    async fn forum_bans(&self) -> Result<Vec<(ContactId, String, String)>>;
    /// What a mail about `post` says to the follower at `to`; `None` when
    /// they no longer follow its topic.
    async fn forum_mail(&self, post: i64, to: &str) -> Result<Option<ForumMail>>;
    /// Visible topics whose visible posts match every word, newest first.
    async fn search_forum(&self, query: &str, limit: i64) -> Result<Vec<Topic>>;
}
