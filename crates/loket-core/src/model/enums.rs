//! Closed vocabularies with their API ids and Dutch/English labels: statuses,
//! departments, channels, staff roles, message kinds and mail kinds.

use super::Lang;
use serde::{Deserialize, Serialize};

macro_rules! vocabulary {
    ($(#[$doc:meta])* $name:ident { $($(#[$vdoc:meta])* $variant:ident = $id:literal, $nl:literal, $en:literal;)+ }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
        #[serde(rename_all = "snake_case")]
        pub enum $name {
            $($(#[$vdoc])* #[serde(rename = $id)] $variant,)+
        }

        impl $name {
            /// Every value, in display order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The stable id used in the API and in storage.
            pub fn id(self) -> &'static str {
                match self { $($name::$variant => $id,)+ }
            }

            /// The label users see.
            pub fn label(self, lang: Lang) -> &'static str {
                match (self, lang) {
                    $(($name::$variant, Lang::Nl) => $nl, ($name::$variant, Lang::En) => $en,)+
                }
            }

            /// Parses an API id; the error lists what is accepted.
            pub fn parse(s: &str) -> crate::Result<Self> {
                match s {
                    $($id => Ok($name::$variant),)+
                    _ => Err(crate::DomainError::invalid(format!(
                        "unknown {} '{}'; expected one of: {}",
                        stringify!($name).to_lowercase(),
                        s,
                        [$($id),+].join(", ")
                    ))),
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.id())
            }
        }
    };
}

vocabulary!(
    /// Where a ticket is in its life.
    Status {
        /// Came in, nothing done yet.
        New = "new", "Nieuw", "New";
        /// An agent replied.
        Answered = "answered", "Beantwoord", "Answered";
        /// The customer reacted to the answer.
        Open = "open", "Open", "Open";
        /// Handled.
        Resolved = "resolved", "Opgelost", "Resolved";
        /// Waiting for the customer until a date.
        Postponed = "postponed", "Uitgesteld", "Postponed";
    }
);

vocabulary!(
    /// Where a ticket is in the vendor's process.
    Department {
        /// Every ticket starts here.
        Helpdesk = "helpdesk", "Helpdesk", "Helpdesk";
        /// BI module and data extractions.
        Bi = "bi", "BI", "BI";
        /// The helpdesk asked the reporter something.
        AwaitingReply = "awaiting_reply", "Wacht op reactie", "Awaiting reply";
        /// On the agenda of the weekly helpdesk and product manager meeting.
        InternalReview = "internal_review", "Intern bespreken", "Internal review";
        /// On the agenda of the monthly functional meeting.
        FunctionalMeeting = "functional_meeting", "Functioneel overleg", "Functional meeting";
        /// Needs design; ticket closed.
        Design = "design", "Ontwerp", "Design";
        /// On the to-develop list; ticket closed.
        Development = "development", "Ontwikkel", "Development";
        /// Planned into a version.
        Planned = "planned", "Gepland", "Planned";
        /// Shipped in a version.
        Delivered = "delivered", "Opgeleverd", "Delivered";
        /// Not relevant for all customers.
        Wishlist = "wishlist", "Wensenlijst", "Wish list";
        /// SaaS update and upgrade requests.
        Updates = "updates", "Updates", "Updates";
    }
);

vocabulary!(
    /// How a ticket came in.
    Channel {
        /// The portal's "Verstuur ticket" form.
        Portal = "portal", "Portaal", "Portal";
        /// A mail to one of the mailboxes.
        Email = "email", "E-mail", "E-mail";
        /// Registered by an agent from a phone call or conversation.
        Phone = "phone", "Telefoon", "Phone";
        /// Created through the JSON API.
        Api = "api", "API", "API";
    }
);

vocabulary!(
    /// A staff member's role.
    Role {
        /// Helpdesk agent.
        Agent = "agent", "Helpdeskmedewerker", "Agent";
        /// Product manager.
        ProductManager = "product_manager", "Productmanager", "Product manager";
        /// Consultant.
        Consultant = "consultant", "Consultant", "Consultant";
        /// Administrator.
        Admin = "admin", "Beheerder", "Administrator";
    }
);

vocabulary!(
    /// What a message in a thread is.
    MessageKind {
        /// Visible to the customer.
        Public = "public", "Bericht", "Message";
        /// Visible to staff only.
        Internal = "internal", "Interne notitie", "Internal note";
        /// A recorded system event (status change and the like).
        Event = "event", "Gebeurtenis", "Event";
    }
);

vocabulary!(
    /// Which mail an outbox row is.
    MailKind {
        /// Confirmation with ticket number and follow link.
        Confirmation = "confirmation", "Bevestiging", "Confirmation";
        /// An agent's public reply.
        AgentReply = "agent_reply", "Antwoord", "Reply";
        /// A request for information (ticket postponed).
        InfoRequest = "info_request", "Verzoek om informatie", "Request for information";
        /// Notice that a postponed ticket was resolved automatically.
        AutoResolved = "auto_resolved", "Automatisch opgelost", "Resolved automatically";
        /// Notice that privacy-sensitive data was received.
        PrivacyNotice = "privacy_notice", "Privacymelding", "Privacy notice";
        /// To an organisation's authorised contacts: its incidents reached the threshold.
        PrivacyThreshold = "privacy_threshold", "Privacydrempel bereikt", "Privacy threshold reached";
        /// A link to set the portal password (registration and forgotten password).
        Access = "access", "Toegang tot het portaal", "Portal access";
        /// A link for a new staff member to set their workspace password.
        StaffAccess = "staff_access", "Toegang tot de werkplek", "Workspace access";
        /// To the requester: the version their ticket was planned in is released.
        Released = "released", "Opgeleverd", "Delivered";
        /// To the requester of a linked wish: the wish is planned in a version.
        WishPlanned = "wish_planned", "Wens gepland", "Wish planned";
        /// To a new outage-page subscriber: the link that confirms the subscription.
        OutageSubscribe = "outage_subscribe", "Aanmelding storingsberichten", "Outage updates subscription";
        /// To a confirmed subscriber: an update of an outage.
        OutageUpdate = "outage_update", "Storingsbericht", "Outage update";
        /// To a follower of a forum topic: a new reply.
        ForumReply = "forum_reply", "Nieuwe reactie op het forum", "New forum reply";
        /// To a follower of a forum topic: a reply is marked as the solution.
        ForumSolution = "forum_solution", "Oplossing op het forum", "Forum solution";
        /// To the requester of a ticket linked to an outage: it is resolved.
        OutageResolved = "outage_resolved", "Storing opgelost", "Outage resolved";
        /// To staff: a service-level deadline comes near.
        SlaWarning = "sla_warning", "Termijn loopt bijna af", "Deadline near";
        /// To staff: a service-level deadline passed.
        SlaBreach = "sla_breach", "Termijn verstreken", "Deadline passed";
    }
);

impl Department {
    /// Departments whose arrival closes the ticket for the helpdesk: the work
    /// continues elsewhere (design, development).
    pub fn closes_ticket(self) -> bool {
        matches!(self, Department::Design | Department::Development)
    }

    /// Departments that require a release version on the ticket.
    pub fn needs_version(self) -> bool {
        matches!(self, Department::Planned | Department::Delivered)
    }

    /// The reaction time the customer is promised on arrival, in days.
    pub fn promised_days(self) -> Option<i64> {
        match self {
            Department::InternalReview => Some(14),
            Department::FunctionalMeeting => Some(42),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_and_unknown_is_refused() {
        for d in Department::ALL {
            assert_eq!(Department::parse(d.id()).ok(), Some(*d));
        }
        for s in Status::ALL {
            assert_eq!(Status::parse(s.id()).ok(), Some(*s));
        }
        let err = Department::parse("kantine")
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(err.contains("kantine") && err.contains("helpdesk"), "{err}");
        assert_eq!(Department::FunctionalMeeting.label(Lang::Nl), "Functioneel overleg");
        assert_eq!(Status::Postponed.label(Lang::Nl), "Uitgesteld");
    }

    #[test]
    fn serde_uses_api_ids() {
        assert_eq!(
            serde_json::to_string(&Department::AwaitingReply).ok().as_deref(),
            Some("\"awaiting_reply\"")
        );
        let d: Department = serde_json::from_str("\"internal_review\"").unwrap_or(Department::Helpdesk);
        assert_eq!(d, Department::InternalReview);
    }
}
