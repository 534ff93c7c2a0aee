//! Following a ticket from the link in a mail, without an account: read the
//! public thread, reply, mark as solved. The link's token is checked on every
//! request; a forged or foreign token sees nothing but "not found".

use super::csrf;
use super::i18n::{Texts, standing, texts};
use super::page::{Chrome, PageError, PageForm, PagePath, PageQuery, chrome, render};
use crate::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use loket_core::service::{Actor, Reply};
use loket_core::*;
use serde::Deserialize;

/// The label customers see on a ticket with a serious privacy incident.
pub const SECURITY_LABEL: &str = "Security incident Helpdesk";

/// `?lang=` on any page; on a ticket page also what the last action did
/// (`?verstuurd=1` a reply was sent, `?opgelost=1` it was marked solved).
#[derive(Debug, Deserialize)]
pub struct LangQuery {
    verstuurd: Option<String>,
    opgelost: Option<String>,
    samengevoegd: Option<String>,
}

impl LangQuery {
    /// What the page tells about the last action, in `lang`.
    pub(super) fn notice(&self, lang: Lang) -> Option<&'static str> {
        let t = texts(lang);
        if self.verstuurd.is_some() {
            Some(t.reply_sent)
        } else if self.opgelost.is_some() {
            Some(t.solved_notice)
        } else if self.samengevoegd.is_some() {
            Some(t.merged_notice)
        } else {
            None
        }
    }
}

/// How a ticket page is shown: where its forms post, in which language, and
/// what it tells (a refused reply, the result of the last action).
pub(super) struct View {
    pub base: String,
    pub lang: Lang,
    pub draft: Option<Draft>,
    pub notice: Option<&'static str>,
}

/// A posted "solved".
#[derive(Debug, Deserialize)]
pub struct CsrfForm {
    pub(super) csrf: String,
}

struct MessageView {
    who: String,
    at: String,
    at_iso: String,
    html: String,
    /// Attachments: id, file name, size.
    files: Vec<(i64, String, String)>,
}

/// The attachments a requester may download: those of public messages, not removed.
pub(super) async fn visible_attachments(s: &AppState, ticket: &Ticket) -> loket_core::Result<Vec<Attachment>> {
    let public: Vec<MessageId> = s
        .service
        .store()
        .messages(ticket.id, false)
        .await?
        .iter()
        .map(|m| m.id)
        .collect();
    let all = s.service.store().attachments(ticket.id).await?;
    Ok(all
        .into_iter()
        .filter(|a| a.removed_at.is_none() && a.message_id.is_some_and(|m| public.contains(&m)))
        .collect())
}

/// A file's size as shown beside it: bytes under 1 kB, else as the forms
/// state sizes ([`super::i18n::size_in`]).
fn size(bytes: i64, lang: Lang) -> String {
    match u64::try_from(bytes) {
        Ok(b) if b >= 1024 => super::i18n::size_in(lang, b),
        _ => format!("{bytes} bytes"),
    }
}

/// Sends an attachment of a ticket the visitor may see, as a download.
pub(super) async fn download(s: &AppState, ticket: &Ticket, id: i64, lang: Lang) -> Result<Response, PageError> {
    let fail = |e: DomainError| PageError::from_domain(&e, lang);
    let att = visible_attachments(s, ticket)
        .await
        .map_err(fail)?
        .into_iter()
        .find(|a| a.id.0 == id)
        .ok_or(PageError::not_found(lang))?;
    crate::files::send(s, &att, crate::files::Disposition::Download)
        .await
        .map_err(fail)?
        .ok_or(PageError::not_found(lang))
}

#[derive(Template)]
#[template(path = "portal/follow.html")]
struct FollowPage<'a> {
    t: &'a Texts,
    chrome: Chrome,
    base: String,
    number: TicketNumber,
    subject: String,
    /// Status and department, or what is asked of the requester.
    standing: String,
    /// What that means for them (a date, a reaction to expect).
    promise: Option<String>,
    security_incident: bool,
    messages: Vec<MessageView>,
    can_solve: bool,
    /// A reply that was refused: why, and the text typed.
    draft: Option<Draft>,
    /// What the last action did.
    notice: Option<&'static str>,
    /// The upload limits, as the form states them.
    limits: String,
}

#[derive(Template)]
#[template(path = "portal/solve.html")]
struct SolvePage<'a> {
    t: &'a Texts,
    chrome: Chrome,
    base: String,
    number: TicketNumber,
    subject: String,
}

/// A refused reply, shown again with its reason and the text typed.
pub(super) struct Draft {
    pub error: String,
    pub text: String,
    /// Stopped for personal data: offer "send anyway" (with its label).
    pub anyway: Option<&'static str>,
}

/// The ticket and its requester, when `token` is that pair's follow token.
async fn verified(s: &AppState, number: i64, token: &str, lang: Lang) -> Result<(Ticket, Contact), PageError> {
    let store = s.service.store();
    let fail = |e: DomainError| PageError::from_domain(&e, lang);
    let ticket = store
        .ticket_by_number(TicketNumber(number))
        .await
        .map_err(fail)?
        .ok_or(PageError::not_found(lang))?;
    let secret = store.secret("follow_link").await.map_err(fail)?;
    let revoked = store.follow_links_revoked_at(ticket.id).await.map_err(fail)?;
    if !loket_mail::links::verify(&secret, ticket.id, ticket.requester_id, token, s.service.now(), revoked) {
        return Err(PageError::not_found(lang));
    }
    // A ticket merged into another (of the same requester) lives on there:
    // its link opens that one.
    let ticket = match s.service.merged_into(&ticket).await.map_err(fail)? {
        Some(into) if into.requester_id == ticket.requester_id => into,
        _ => ticket,
    };
    let contact = store
        .get_contact(ticket.requester_id)
        .await
        .map_err(fail)?
        .ok_or(PageError::not_found(lang))?;
    Ok((ticket, contact))
}

/// `GET /t/{number}/{token}`: the ticket page.
pub async fn view_follow_get(
    State(s): State<AppState>,
    PagePath((number, token)): PagePath<(i64, String)>,
    PageQuery(q): PageQuery<LangQuery>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let lang = super::language(&headers);
    let (ticket, contact) = verified(&s, number, &token, lang).await?;
    if ticket.number.0 != number {
        // Merged: on to the ticket it lives in, with a link of its own.
        let secret = s
            .service
            .store()
            .secret("follow_link")
            .await
            .map_err(|e| PageError::from_domain(&e, lang))?;
        let fresh = loket_mail::links::follow_token(&secret, ticket.id, ticket.requester_id, s.service.now());
        return Ok(Redirect::to(&format!("/t/{}/{fresh}?samengevoegd=1", ticket.number)).into_response());
    }
    let view = View {
        base: format!("/t/{number}/{token}"),
        lang,
        draft: None,
        notice: q.notice(lang),
    };
    ticket_page(&s, &ticket, &contact, &headers, view).await
}

/// A ticket's page for `viewer` (its requester, or a colleague who may see
/// the organisation's tickets), shown as `view` says.
pub(super) async fn ticket_page(
    s: &AppState,
    ticket: &Ticket,
    viewer: &Contact,
    headers: &HeaderMap,
    view: View,
) -> Result<Response, PageError> {
    let lang = view.lang;
    let t = texts(lang);
    let messages = s
        .service
        .store()
        .messages(ticket.id, false)
        .await
        .map_err(|e| PageError::from_domain(&e, lang))?;
    let files = visible_attachments(s, ticket)
        .await
        .map_err(|e| PageError::from_domain(&e, lang))?;
    // Other writers (colleagues of the requester's organisation) by name.
    let mut writers = std::collections::HashMap::new();
    for m in &messages {
        if let Author::Contact(c) = m.author
            && c != viewer.id
            && !writers.contains_key(&c)
        {
            let who = s
                .service
                .store()
                .get_contact(c)
                .await
                .map_err(|e| PageError::from_domain(&e, lang))?
                .map(|w| if w.name.is_empty() { w.email } else { w.name })
                .unwrap_or_default();
            writers.insert(c, who);
        }
    }
    let first = messages.first().map(|m| m.id);
    let messages = messages
        .into_iter()
        .map(|m| MessageView {
            files: files
                .iter()
                .filter(|a| a.message_id == Some(m.id))
                .map(|a| (a.id.0, a.filename.clone(), size(a.size, lang)))
                .collect(),
            who: match m.author {
                Author::Contact(c) if c == viewer.id => t.you.to_owned(),
                Author::Contact(c) => writers.get(&c).cloned().unwrap_or_default(),
                Author::Staff(_) if ticket.channel == Channel::Phone && Some(m.id) == first => {
                    t.helpdesk_phone.to_owned()
                }
                Author::Staff(_) | Author::System => t.helpdesk.to_owned(),
            },
            at: s.portal.time_zone.date_time(m.created_at),
            at_iso: s.portal.time_zone.iso(m.created_at),
            html: m.body_html,
        })
        .collect();
    let (chrome, set_csrf) = chrome(s, headers).await.map_err(|e| PageError::from_domain(&e, lang))?;
    let (standing, promise) = standing(
        ticket,
        lang,
        s.portal.time_zone,
        s.service.next_meeting(ticket.department),
    );
    let page = FollowPage {
        t,
        chrome,
        base: view.base,
        number: ticket.number,
        subject: ticket.subject.clone(),
        standing,
        promise,
        security_incident: ticket.labels.iter().any(|l| l == SECURITY_LABEL),
        messages,
        can_solve: ticket.status != Status::Resolved,
        draft: view.draft,
        notice: view.notice,
        limits: super::i18n::attachment_limits(lang, s.service.limits().max_attachment_bytes),
    };
    let cookies: Vec<String> = set_csrf.into_iter().collect();
    Ok(render(&page, &cookies, lang))
}

/// Replies one visitor may post per hour, and one ticket may receive.
const REPLIES_PER_IP_PER_HOUR: i64 = 30;
const REPLIES_PER_TICKET_PER_HOUR: i64 = 20;

/// Adds the requester's reply, then back to `base` (Post/Redirect/Get); a
/// refused reply shows the ticket page again with the reason and the text.
pub(super) async fn reply_as(
    s: &AppState,
    contact: Contact,
    ticket: &Ticket,
    request: axum::extract::Request,
    base: &str,
    lang: Lang,
) -> Result<Response, PageError> {
    let headers = request.headers().clone();
    let ip = super::client_ip(request.extensions(), &headers, &s.portal.trusted_proxies);
    let (posted, stale) = match super::upload::read(s, request, &ip, lang).await? {
        super::upload::Read::Fresh(p) => (p, false),
        super::upload::Read::Stale(p) => (p, true),
    };
    let text = posted.get("message").to_owned();
    let with_files = !posted.files.is_empty() || !posted.problems.is_empty();
    // `stopped`: personal data found; the form offers "send anyway".
    let refused = async |error: String, status: StatusCode, stopped: bool| -> Result<Response, PageError> {
        let error = if with_files && !stopped {
            format!("{error} {}", texts(lang).files_again)
        } else {
            error
        };
        let draft = Draft {
            error,
            text: text.clone(),
            anyway: stopped.then(|| super::privacy::anyway_label(lang)),
        };
        let view = View {
            base: base.to_owned(),
            lang,
            draft: Some(draft),
            notice: None,
        };
        let mut r = ticket_page(s, ticket, &contact, &headers, view).await?;
        *r.status_mut() = status;
        Ok(r)
    };
    if stale {
        // Shown again with a fresh token; nothing of it is used.
        return refused(texts(lang).form_stale.into(), StatusCode::FORBIDDEN, false).await;
    }
    let keys = [
        (format!("reply-ip:{ip}"), REPLIES_PER_IP_PER_HOUR, 60),
        (format!("reply-ticket:{}", ticket.id), REPLIES_PER_TICKET_PER_HOUR, 60),
    ];
    if super::limited(s, &keys, lang).await? {
        return refused(texts(lang).too_many_hour.into(), StatusCode::TOO_MANY_REQUESTS, false).await;
    }
    if let Some(p) = posted.problems.first() {
        return refused(super::problem_text(p, lang), StatusCode::UNPROCESSABLE_ENTITY, false).await;
    }
    let anyway = !posted.get("anyway").is_empty();
    if let Some(why) = super::privacy::check(s, &contact.email, &text, &posted.files, anyway, lang).await? {
        return refused(why, StatusCode::UNPROCESSABLE_ENTITY, true).await;
    }
    let reply = Reply {
        attachments: posted.files,
        ..Reply::text(&text)
    };
    match s
        .service
        .customer_reply(&Actor::Contact(contact.clone()), ticket.number, reply)
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("{base}?verstuurd=1")).into_response()),
        Err(DomainError::Invalid(p)) => {
            refused(super::problem_text(&p, lang), StatusCode::UNPROCESSABLE_ENTITY, false).await
        }
        Err(e) => Err(PageError::from_domain(&e, lang)),
    }
}

/// Marks the ticket solved for its requester; then back to `base`.
pub(super) async fn solve_as(
    s: &AppState,
    contact: Contact,
    number: TicketNumber,
    base: &str,
    lang: Lang,
) -> Result<Response, PageError> {
    match s.service.resolve(&Actor::Contact(contact), number).await {
        Ok(_) | Err(DomainError::Conflict(_)) => Ok(Redirect::to(&format!("{base}?opgelost=1")).into_response()),
        Err(e) => Err(PageError::from_domain(&e, lang)),
    }
}

/// The step before marking a ticket solved: asks whether the question is
/// solved, and says that a later reply opens it again.
pub(super) async fn solve_page(
    s: &AppState,
    ticket: &Ticket,
    base: String,
    headers: &HeaderMap,
    lang: Lang,
) -> Result<Response, PageError> {
    if ticket.status == Status::Resolved {
        return Ok(Redirect::to(&base).into_response());
    }
    let (chrome, set) = chrome(s, headers).await.map_err(|e| PageError::from_domain(&e, lang))?;
    let page = SolvePage {
        t: texts(lang),
        chrome,
        base,
        number: ticket.number,
        subject: ticket.subject.clone(),
    };
    Ok(render(&page, &set.into_iter().collect::<Vec<_>>(), lang))
}

/// `GET /t/{number}/{token}/solve`: asks whether the question is solved.
pub async fn view_follow_solve_get(
    State(s): State<AppState>,
    PagePath((number, token)): PagePath<(i64, String)>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let lang = super::language(&headers);
    let (ticket, _) = verified(&s, number, &token, lang).await?;
    solve_page(&s, &ticket, format!("/t/{number}/{token}"), &headers, lang).await
}

/// `GET /t/{number}/{token}/bijlage/{id}`: an attachment of the ticket.
pub async fn view_follow_attachment_get(
    State(s): State<AppState>,
    PagePath((number, token, id)): PagePath<(i64, String, i64)>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let lang = super::language(&headers);
    let (ticket, _) = verified(&s, number, &token, lang).await?;
    download(&s, &ticket, id, lang).await
}

/// `POST /t/{number}/{token}/reply`: the customer's reply, with attachments.
pub async fn view_follow_reply_post(
    State(s): State<AppState>,
    PagePath((number, token)): PagePath<(i64, String)>,
    request: axum::extract::Request,
) -> Result<Response, PageError> {
    let lang = super::language(request.headers());
    let (ticket, contact) = verified(&s, number, &token, lang).await?;
    reply_as(&s, contact, &ticket, request, &format!("/t/{number}/{token}"), lang).await
}

/// `POST /t/{number}/{token}/solve`: the customer marks the ticket solved.
pub async fn view_follow_solve_post(
    State(s): State<AppState>,
    PagePath((number, token)): PagePath<(i64, String)>,
    headers: HeaderMap,
    PageForm(form): PageForm<CsrfForm>,
) -> Result<Response, PageError> {
    let lang = super::language(&headers);
    if !csrf::valid(&s.csrf_key, &headers, s.portal.secure_cookies, &form.csrf) {
        return Err(PageError::forbidden(lang));
    }
    let (ticket, contact) = verified(&s, number, &token, lang).await?;
    solve_as(&s, contact, ticket.number, &format!("/t/{number}/{token}"), lang).await
}
