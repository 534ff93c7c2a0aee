//! Versions of the product and their change documents: planned and actual
//! dates, release notes in Markdown, and the storage port for them. Gepland
//! tickets belong to a version by its number; releasing it moves them to
//! Opgeleverd (a queued job, so a crash halfway finishes later).

use crate::jobs::NewJob;
use crate::store::Stamp;
use crate::*;
use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};

/// A major version or an interim one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReleaseKind {
    /// A major version.
    Major,
    /// An interim version (a patch).
    Interim,
}

impl ReleaseKind {
    /// Stable id.
    pub fn id(self) -> &'static str {
        match self {
            ReleaseKind::Major => "major",
            ReleaseKind::Interim => "interim",
        }
    }

    /// From its id.
    pub fn parse(id: &str) -> Option<Self> {
        match id {
            "major" => Some(ReleaseKind::Major),
            "interim" => Some(ReleaseKind::Interim),
            _ => None,
        }
    }

    /// Its name in `lang`.
    pub fn label(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (ReleaseKind::Major, Lang::Nl) => "hoofdversie",
            (ReleaseKind::Interim, Lang::Nl) => "tussenversie",
            (ReleaseKind::Major, Lang::En) => "major version",
            (ReleaseKind::Interim, Lang::En) => "interim version",
        }
    }
}

/// A version.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct Release {
    /// Id.
    pub id: i64,
    /// The version number, as on tickets (`8.4.1`).
    pub version: String,
    /// Major or interim.
    pub kind: ReleaseKind,
    /// The day it is planned for.
    pub planned_on: Option<NaiveDate>,
    /// When it was released (its tickets moved to Opgeleverd).
    pub released_at: Option<DateTime<Utc>>,
    /// The change document, Markdown.
    pub notes: String,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

/// What staff write about a version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReleaseDraft {
    /// The version number.
    pub version: String,
    /// Major or interim.
    pub kind: ReleaseKind,
    /// The day it is planned for.
    pub planned_on: Option<NaiveDate>,
    /// The change document, Markdown.
    pub notes: String,
}

/// Storage of versions.
#[async_trait]
pub trait ReleaseStore: Send + Sync + 'static {
    /// Adds a version; a number that exists is a conflict.
    async fn create_release(&self, d: &ReleaseDraft, by: &Stamp) -> Result<Release>;
    /// Changes a version's kind, planned day and notes.
    async fn update_release(&self, d: &ReleaseDraft, by: &Stamp) -> Result<Release>;
    /// A version by its number.
    async fn release(&self, version: &str) -> Result<Option<Release>>;
    /// Versions, newest first: all, or only released ones; with `query`
    /// only those whose number or notes contain it; their notes only when
    /// `with_notes` (a list shows none, and they can be long).
    async fn list_releases(
        &self,
        released_only: bool,
        query: Option<&str>,
        with_notes: bool,
        limit: i64,
    ) -> Result<Vec<Release>>;
    /// How many tickets carry each version number.
    async fn release_ticket_counts(&self) -> Result<std::collections::HashMap<String, i64>>;
    /// Marks a version released at `at` and queues `job` (moving its
    /// tickets) in one transaction; false when it was released before.
    async fn mark_released(&self, version: &str, job: &NewJob, by: &Stamp) -> Result<bool>;
}
