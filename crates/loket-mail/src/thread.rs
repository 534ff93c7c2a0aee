//! Which ticket a received mail belongs to, and whether its sender may add to
//! it. Headers and subjects are written by the sender, so neither a matching
//! In-Reply-To/References nor a `[#123456]` in the subject is enough: the
//! sender must also take part in the ticket (its requester, a contact of the
//! requester's organisation, or an authenticated staff member). A mail that
//! names a ticket its sender does not take part in makes a new ticket, with a
//! note pointing at the other one.

use crate::parse::InboundMail;
use crate::{Automatic, subject};
use loket_core::service::Service;
use loket_core::*;

/// Where a mail goes.
#[derive(Debug)]
pub enum Thread {
    /// Onto this ticket, from a customer (or a bounce of Loket's own mail).
    Existing(Ticket),
    /// Onto this ticket as an internal note of this (authenticated) staff member.
    Staff(Ticket, Staff),
    /// A new ticket; it named this one, whose sender does not take part in it.
    Linked(Ticket),
    /// A new ticket.
    New,
}

/// Finds the ticket of `mail` from `from` (normalised); `authenticated` says
/// whether a trusted server vouched for the sender.
pub async fn find(service: &Service, mail: &InboundMail, from: &str, authenticated: bool) -> Result<Thread> {
    let store = service.store();
    // A bounce returns a mail Loket sent, whose Message-ID is 128 random bits:
    // matching one is proof enough, whoever the bounce claims to be from.
    if matches!(mail.automatic, Some(Automatic::Bounce | Automatic::NullSender))
        && let Some((id, true)) = store.ticket_for_mail_ids(&mail.bounced_ids).await?
        && let Some(t) = store.get_ticket(id).await?
    {
        return Ok(Thread::Existing(t));
    }
    let by_headers = match store.ticket_for_mail_ids(&mail.references).await? {
        Some((id, _)) => store.get_ticket(id).await?,
        None => None,
    };
    let named = match by_headers {
        Some(t) => Some(t),
        None => match subject::number_in(&mail.subject) {
            Some(n) => store.ticket_by_number(n).await?,
            None => None,
        },
    };
    let Some(mut ticket) = named else {
        return Ok(Thread::New);
    };
    // A ticket merged into another lives on there.
    if let Some(into) = store.merged_into(ticket.id).await? {
        ticket = into;
    }
    if authenticated && let Some(staff) = store.staff_by_email(from).await? {
        return Ok(Thread::Staff(ticket, staff));
    }
    Ok(if takes_part(service, &ticket, from).await? {
        Thread::Existing(ticket)
    } else {
        Thread::Linked(ticket)
    })
}

/// Whether the address `from` is the ticket's requester or a contact of the
/// ticket's organisation (by assignment, or by a domain that is not a public
/// mail provider's).
async fn takes_part(service: &Service, ticket: &Ticket, from: &str) -> Result<bool> {
    let store = service.store();
    let sender = store.contact_by_email(from).await?;
    if sender.as_ref().is_some_and(|s| s.id == ticket.requester_id) {
        return Ok(true);
    }
    let Some(org) = ticket.organisation_id else {
        return Ok(false);
    };
    let domain = email_domain(from);
    let sender_org = if let Some(o) = sender.and_then(|s| s.organisation_id) {
        Some(o)
    } else if public_domains::is_public_mail_domain(domain) {
        None
    } else {
        store.organisation_for_domain(domain).await?
    };
    Ok(sender_org == Some(org))
}

/// The internal note on a new ticket that named a ticket its sender does not take part in.
pub fn linked_note(other: TicketNumber) -> String {
    format!(
        "Dit bericht verwees naar ticket #{other} (in het onderwerp of in de berichtkoppen), maar de afzender \
         hoort niet bij dat ticket; daarom is een nieuw ticket gemaakt."
    )
}
