//! Request and response bodies of the API.

use crate::ApiError;
use base64::Engine;

use loket_core::service::{Reply, Upload};
use loket_core::{Channel, Department, Message, Ticket};
use serde::{Deserialize, Deserializer, Serialize};
use utoipa::ToSchema;

/// A file in a request, base64-encoded.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AttachmentBody {
    /// File name.
    pub filename: String,
    /// Media type; `application/octet-stream` when absent.
    #[serde(default)]
    pub media_type: Option<String>,
    /// The content, standard base64.
    pub content_base64: String,
}

/// Decodes attachment bodies.
pub fn uploads(files: Vec<AttachmentBody>) -> Result<Vec<Upload>, ApiError> {
    files
        .into_iter()
        .map(|f| {
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(f.content_base64.trim())
                .map_err(|e| {
                    ApiError::invalid(format!(
                        "attachment '{}': content_base64 is not base64: {e}",
                        f.filename
                    ))
                })?;
            Ok(Upload::bytes(f.filename, f.media_type.unwrap_or_default(), bytes))
        })
        .collect()
}

/// `POST /tickets`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateTicketBody {
    /// Subject line.
    pub subject: String,
    /// The first message (plain text).
    pub message: String,
    /// The requester's e-mail address.
    pub requester: String,
    /// The requester's name.
    #[serde(default)]
    pub requester_name: Option<String>,
    /// How it came in; `api` when absent.
    #[serde(default)]
    pub channel: Option<Channel>,
    /// Department; `helpdesk` when absent.
    #[serde(default)]
    pub department: Option<Department>,
    /// Business seriously disrupted.
    #[serde(default)]
    pub urgent: bool,
    /// Files.
    #[serde(default)]
    pub attachments: Vec<AttachmentBody>,
}

/// A reply, note or customer reply.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReplyBody {
    /// Plain text.
    pub message: String,
    /// HTML version (sanitised on arrival).
    #[serde(default)]
    pub html: Option<String>,
    /// Files.
    #[serde(default)]
    pub attachments: Vec<AttachmentBody>,
}

impl ReplyBody {
    /// As a service reply.
    pub fn into_reply(self) -> Result<Reply, ApiError> {
        Ok(Reply {
            text: self.message,
            html: self.html,
            attachments: uploads(self.attachments)?,
            ..Reply::default()
        })
    }
}

/// `POST /tickets/{number}/postpone`: ask for information.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PostponeBody {
    /// The question to the customer.
    pub message: String,
    /// Until when: a day (`2026-12-13`, the end of that day in the
    /// configured time zone) or an RFC 3339 time; two weeks from now when absent.
    #[serde(default)]
    pub until: Option<String>,
}

/// `POST /tickets/{number}/resolve` (the body is optional).
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResolveBody {
    /// A message to the customer, sent as a public reply before resolving.
    #[serde(default)]
    pub message: Option<String>,
}

/// `POST /tickets/{number}/transfer`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TransferBody {
    /// Target department.
    pub department: Department,
    /// Release version to set in the same step (needed for `planned`, `delivered`).
    #[serde(default)]
    pub version: Option<String>,
}

/// `PUT /tickets/{number}/labels`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LabelsBody {
    /// The complete set of labels.
    pub labels: Vec<String>,
}

/// `PUT /tickets/{number}/assignee`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssigneeBody {
    /// Staff e-mail address, or null to unassign.
    pub assignee: Option<String>,
}

/// `PUT /tickets/{number}/version`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VersionBody {
    /// Release version, or null to clear.
    pub version: Option<String>,
}

/// `PUT /tickets/{number}/work-item`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WorkItemBody {
    /// Work item reference, or null to clear.
    pub work_item: Option<String>,
}

/// A page of tickets.
#[derive(Debug, Serialize, ToSchema)]
pub struct TicketPage {
    /// The tickets, newest first (oldest first with `sort=oldest`).
    pub tickets: Vec<TicketView>,
    /// Pass as `before` for the next page; absent on the last page (and with
    /// `sort=oldest`).
    pub next_before: Option<i64>,
    /// With `sort=oldest`: pass as `after` for the next page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_after: Option<i64>,
}

/// Distinguishes an absent field (`None`) from an explicit null (`Some(None)`).
pub fn double_option<'de, D, T>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(d).map(Some)
}

/// `POST /tickets/{number}/spam`.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SpamBody {
    /// `none` (default), `address` or `domain`.
    #[serde(default)]
    pub ban: Option<loket_core::service::SpamBan>,
}

/// `POST /tickets/{number}/merge`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MergeBody {
    /// The number of the ticket that stays.
    pub into: i64,
}

/// A ticket with its requester's address and name.
#[derive(Debug, Serialize, ToSchema)]
pub struct TicketView {
    /// The ticket.
    #[serde(flatten)]
    pub ticket: Ticket,
    /// The requester's address.
    pub requester_email: String,
    /// The requester's name (empty when unknown).
    pub requester_name: String,
}

/// A message with its author's name.
#[derive(Debug, Serialize, ToSchema)]
pub struct MessageView {
    /// The message.
    #[serde(flatten)]
    pub message: Message,
    /// Who wrote it: the staff member's or contact's name (the address when
    /// the contact has no name), "Loket" for the system.
    pub author_name: String,
}
