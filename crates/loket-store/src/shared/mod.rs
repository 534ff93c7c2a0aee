//! The store implementation both backends share: SQL text that SQLite and
//! PostgreSQL both accept, written once. Each backend supplies the few
//! dialect-specific parts (write transactions, ticket numbers, full-text index)
//! as inherent methods, and instantiates this with `shared_store!`.

mod directory;
mod forum;
mod jobs;
mod mail;
mod outages;
pub(crate) mod privacy;
mod releases;
mod service_levels;
mod staff;
mod tickets;
mod webhooks;
mod wishes;
mod writes;

/// Implements the core's store traits for `$t` over database `$db`.
macro_rules! shared_store {
    ($t:ty, $db:ty) => {
        use async_trait::async_trait;
        use chrono::{DateTime, Utc};
        use loket_core::store::*;
        use loket_core::*;
        use sqlx::QueryBuilder;
        use $crate::rows::*;

        $crate::shared::directory_store!($t, $db);
        $crate::shared::write_helpers!($t, $db);
        $crate::shared::ticket_store!($t, $db);
        $crate::shared::mail_store!($t, $db);
        $crate::shared::staff_store!($t, $db);
        $crate::shared::privacy_store!($t, $db);
        $crate::shared::service_level_store!($t, $db);
        $crate::shared::job_store!($t, $db);
        $crate::shared::release_store!($t, $db);
        $crate::shared::wish_store!($t, $db);
        $crate::shared::webhook_store!($t, $db);
        $crate::shared::outage_store!($t, $db);
        $crate::shared::forum_store!($t, $db);
    };
}

pub(crate) use directory::directory_store;
pub(crate) use forum::forum_store;
pub(crate) use jobs::job_store;
pub(crate) use mail::mail_store;
pub(crate) use outages::outage_store;
pub(crate) use privacy::privacy_store;
pub(crate) use releases::release_store;
pub(crate) use service_levels::service_level_store;
pub(crate) use shared_store;
pub(crate) use staff::staff_store;
pub(crate) use tickets::ticket_store;
pub(crate) use webhooks::webhook_store;
pub(crate) use wishes::wish_store;
pub(crate) use writes::write_helpers;
