//! Newtype ids for every stored entity, so a contact id never passes for a ticket id.

use serde::{Deserialize, Serialize};
use std::fmt;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema)]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}

id_type!(
    /// Internal id of a ticket (not the number customers see).
    TicketId
);
id_type!(
    /// The human-readable ticket number: unique, never reused.
    TicketNumber
);
id_type!(
    /// Id of a customer contact.
    ContactId
);
id_type!(
    /// Id of a customer organisation.
    OrganisationId
);
id_type!(
    /// Id of a staff user.
    StaffId
);
id_type!(
    /// Id of a message in a ticket thread.
    MessageId
);
id_type!(
    /// Id of an attachment.
    AttachmentId
);
id_type!(
    /// Id of an outbox mail.
    OutboxId
);
