//! Privacy incidents in the workspace: the panel on the ticket page (what
//! the scan found, masked, with confirm and overrule), removing one
//! attachment or one message for good, and the reports: incidents per
//! organisation in a period, and one organisation's year by quarter (page
//! and CSV, for the customer meeting).

use super::ticket::{Action, act};
use super::{Frame, SignedIn, Texts, texts};
use crate::AppState;
use crate::portal::page::{PageError, PageForm, PagePath, PageQuery, render};
use askama::Template;
use axum::extract::State;
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use chrono::{Datelike, NaiveDate};
use loket_core::privacy_store::{Incident, IncidentClass, IncidentSample, IncidentState};
use loket_core::time::Zone;
use loket_core::*;
use serde::Deserialize;
use std::fmt::Write as _;

/// The texts of the privacy panel and reports.
#[allow(missing_docs)]
pub struct PrivacyTexts {
    pub title: &'static str,
    pub intro: &'static str,
    pub light: &'static str,
    pub full: &'static str,
    pub unscanned: &'static str,
    pub proposed: &'static str,
    pub applied: &'static str,
    pub dismissed: &'static str,
    pub noted: &'static str,
    pub people: &'static str,
    pub person: &'static str,
    pub dismiss_help: &'static str,
    pub confirm_sure: &'static str,
    pub samples_of: &'static str,
    pub year_range: &'static str,
    pub message_text: &'static str,
    pub not_scanned: &'static str,
    pub confirm: &'static str,
    pub confirm_full_help: &'static str,
    pub confirm_light_help: &'static str,
    pub dismiss: &'static str,
    pub found_at: &'static str,
    pub decided_by: &'static str,
    pub line: &'static str,
    pub sheet: &'static str,
    pub row: &'static str,
    pub column: &'static str,
    pub remove_file: &'static str,
    pub remove_message: &'static str,
    pub reason: &'static str,
    pub remove_sure: &'static str,
    pub tombstone: &'static str,
    pub removed_files: &'static str,
    pub report_title: &'static str,
    pub report_intro: &'static str,
    pub from: &'static str,
    pub to: &'static str,
    pub show: &'static str,
    pub organisation: &'static str,
    pub no_organisation: &'static str,
    pub prevented: &'static str,
    pub light_short: &'static str,
    pub full_short: &'static str,
    pub total: &'static str,
    pub none_in_period: &'static str,
    pub year_title: &'static str,
    pub year: &'static str,
    pub quarter: &'static str,
    pub csv: &'static str,
    pub bad_date: &'static str,
    pub bad_period: &'static str,
    pub proposals: &'static str,
    pub no_proposals: &'static str,
    pub ticket: &'static str,
    pub done_decided: &'static str,
    pub done_file: &'static str,
    pub done_message: &'static str,
}

static NL: PrivacyTexts = PrivacyTexts {
    title: "Privacy",
    intro: "Loket heeft dit bericht doorzocht op persoonsgegevens. Alleen gemaskeerde waarden staan hier.",
    light: "Security incident Helpdesk Light (één persoon)",
    full: "Security incident Helpdesk (meerdere personen)",
    unscanned: "Niet alles kon worden doorzocht",
    proposed: "Voorstel: wacht op uw besluit",
    applied: "bevestigd",
    dismissed: "geen incident (afgewezen)",
    noted: "vastgelegd",
    people: "personen",
    person: "persoon",
    dismiss_help: "Geen incident: het ticket blijft zoals het is (geen label, niets verwijderd, geen mail); uw besluit wordt vastgelegd in de geschiedenis.",
    confirm_sure: "Ik begrijp dat de bijlagen met deze gegevens definitief worden verwijderd",
    samples_of: "de eerste {n} van {total} vondsten",
    year_range: "Kies een jaar vanaf 2000 tot en met volgend jaar; getoond wordt {year}.",
    message_text: "tekst van het bericht",
    not_scanned: "Niet doorzocht (dus niet 'schoon')",
    confirm: "Bevestigen",
    confirm_full_help: "Bevestigen zet het label, verwijdert de bijlagen met deze gegevens definitief en stuurt de afzender de privacymelding.",
    confirm_light_help: "Bevestigen zet het interne label.",
    dismiss: "Geen incident",
    found_at: "gevonden op",
    decided_by: "besloten door",
    line: "regel",
    sheet: "blad",
    row: "rij",
    column: "kolom",
    remove_file: "Bijlage definitief verwijderen",
    remove_message: "Bericht definitief verwijderen",
    reason: "Reden",
    remove_sure: "Ik begrijp dat dit niet terug te draaien is",
    tombstone: "definitief verwijderd",
    removed_files: "Verwijderde bijlagen",
    report_title: "Privacy-incidenten per organisatie",
    report_intro: "Bevestigde incidenten (licht: één persoon, volledig: meerdere personen) en uploads die het portaal tegenhield. Een ticket telt bij de huidige organisatie van de aanvrager.",
    from: "Van",
    to: "Tot en met",
    show: "Tonen",
    organisation: "Organisatie",
    no_organisation: "(zonder organisatie)",
    prevented: "Tegengehouden bij upload",
    light_short: "Licht (één persoon)",
    full_short: "Volledig (meerdere personen)",
    total: "Totaal",
    none_in_period: "Geen incidenten in deze periode.",
    year_title: "Jaaroverzicht privacy-incidenten",
    year: "Jaar",
    quarter: "Kwartaal",
    csv: "Downloaden als CSV",
    bad_date: "Vul een datum in als 2026-12-31.",
    bad_period: "De periode eindigt voordat hij begint.",
    proposals: "Wachten op een besluit",
    no_proposals: "Geen voorstellen: over alles is besloten.",
    ticket: "Ticket",
    done_decided: "Besluit over het privacy-incident vastgelegd.",
    done_file: "Bijlage definitief verwijderd.",
    done_message: "Bericht definitief verwijderd.",
};

static EN: PrivacyTexts = PrivacyTexts {
    title: "Privacy",
    intro: "Loket searched this message for personal data. Only masked values are shown.",
    light: "Security incident Helpdesk Light (one person)",
    full: "Security incident Helpdesk (several people)",
    unscanned: "Not everything could be searched",
    proposed: "Proposal: waiting for your decision",
    applied: "confirmed",
    dismissed: "no incident (overruled)",
    noted: "recorded",
    people: "people",
    person: "person",
    dismiss_help: "No incident: the ticket stays as it is (no label, nothing removed, no mail); your decision is recorded in the history.",
    confirm_sure: "I understand the attachments holding this data are removed for good",
    samples_of: "the first {n} of {total} findings",
    year_range: "Choose a year from 2000 up to next year; showing {year}.",
    message_text: "the message's text",
    not_scanned: "Not searched (so not 'clean')",
    confirm: "Confirm",
    confirm_full_help: "Confirming sets the label, removes the attachments holding this data for good and sends the sender the privacy notice.",
    confirm_light_help: "Confirming sets the internal label.",
    dismiss: "No incident",
    found_at: "found on",
    decided_by: "decided by",
    line: "line",
    sheet: "sheet",
    row: "row",
    column: "column",
    remove_file: "Remove attachment for good",
    remove_message: "Remove message for good",
    reason: "Reason",
    remove_sure: "I understand this cannot be undone",
    tombstone: "removed for good",
    removed_files: "Removed attachments",
    report_title: "Privacy incidents per organisation",
    report_intro: "Confirmed incidents (light: one person, full: several people) and uploads the portal stopped. A ticket counts for its requester's current organisation.",
    from: "From",
    to: "Up to and including",
    show: "Show",
    organisation: "Organisation",
    no_organisation: "(no organisation)",
    prevented: "Prevented",
    light_short: "Light (one person)",
    full_short: "Full (several people)",
    total: "Total",
    none_in_period: "No incidents in this period.",
    year_title: "Year overview of privacy incidents",
    year: "Year",
    quarter: "Quarter",
    csv: "Download as CSV",
    bad_date: "Enter a date like 2026-12-31.",
    bad_period: "The period ends before it starts.",
    proposals: "Waiting for a decision",
    no_proposals: "No proposals: everything is decided.",
    ticket: "Ticket",
    done_decided: "Decision on the privacy incident recorded.",
    done_file: "Attachment removed for good.",
    done_message: "Message removed for good.",
};

/// The privacy texts in a language.
pub fn privacy_texts(lang: Lang) -> &'static PrivacyTexts {
    match lang {
        Lang::Nl => &NL,
        Lang::En => &EN,
    }
}

/// What the ticket page says after a privacy action (`?gedaan=`).
pub(super) fn done_text(lang: Lang, what: &str) -> &'static str {
    let p = privacy_texts(lang);
    match what {
        "bijlage-verwijderd" => p.done_file,
        "bericht-verwijderd" => p.done_message,
        _ => p.done_decided,
    }
}

/// A kind of personal data, named.
fn kind_label(kind: &str, lang: Lang) -> &'static str {
    match (kind, lang) {
        ("bsn", Lang::Nl) => "BSN",
        ("bsn", Lang::En) => "citizen service number",
        ("iban", _) => "IBAN",
        ("email", Lang::Nl) => "e-mailadres",
        ("email", Lang::En) => "e-mail address",
        ("phone", Lang::Nl) => "telefoonnummer",
        ("phone", Lang::En) => "phone number",
        ("address", Lang::Nl) => "adres",
        ("address", Lang::En) => "address",
        ("birth_date", Lang::Nl) => "geboortedatum",
        ("birth_date", Lang::En) => "date of birth",
        (_, Lang::Nl) => "naam",
        (_, Lang::En) => "name",
    }
}

/// Why a part was not searched.
fn unread_label(reason: &str, lang: Lang) -> &'static str {
    match (reason, lang) {
        ("no_ocr", Lang::Nl) => "afbeelding; tekstherkenning (OCR) is niet geïnstalleerd",
        ("no_ocr", Lang::En) => "image; text recognition (OCR) is not installed",
        ("too_large", Lang::Nl) => "groter of dieper genest dan de grenzen toelaten",
        ("too_large", Lang::En) => "larger or nested deeper than the limits allow",
        ("unreadable", Lang::Nl) => "beschadigd, versleuteld of zonder leesbare tekst",
        ("unreadable", Lang::En) => "damaged, encrypted or without readable text",
        (_, Lang::Nl) => "bestandssoort die Loket niet kan lezen",
        (_, Lang::En) => "a kind of file Loket cannot read",
    }
}

/// One item of an incident as shown.
pub struct ItemView {
    pub name: String,
    pub people: usize,
    pub counts: String,
    /// "the first 5 of 50 findings", when not all are shown.
    pub shown: String,
    /// Kind, where, masked value.
    pub samples: Vec<(&'static str, String, String)>,
    /// Part, why not searched.
    pub unread: Vec<(String, &'static str)>,
}

/// One incident as shown on the ticket page.
pub struct IncidentView {
    pub id: i64,
    pub full: bool,
    pub class: &'static str,
    pub state: &'static str,
    pub proposed: bool,
    pub people: usize,
    pub found: String,
    pub decided: String,
    pub items: Vec<ItemView>,
}

fn place(p: &PrivacyTexts, s: &IncidentSample) -> String {
    let mut at = Vec::new();
    if !s.part.is_empty() {
        at.push(s.part.clone());
    }
    if let Some(sheet) = &s.sheet {
        at.push(format!("{} {sheet}", p.sheet));
    }
    if let Some(n) = s.line {
        at.push(format!("{} {n}", p.line));
    }
    if let (Some(r), Some(c)) = (s.row, s.column) {
        at.push(format!("{} {r}, {} {c}", p.row, p.column));
    }
    at.join(" › ")
}

/// The ticket's incidents as the panel shows them, newest first.
pub(super) fn incident_views(
    incidents: Vec<Incident>,
    staff: &std::collections::HashMap<StaffId, String>,
    zone: Zone,
    lang: Lang,
) -> Vec<IncidentView> {
    let p = privacy_texts(lang);
    let mut out: Vec<IncidentView> = incidents
        .into_iter()
        .map(|i| IncidentView {
            id: i.id,
            full: i.class == IncidentClass::Full,
            class: match i.class {
                IncidentClass::Light => p.light,
                IncidentClass::Full => p.full,
                IncidentClass::Unscanned => p.unscanned,
            },
            state: match i.state {
                IncidentState::Proposed => p.proposed,
                IncidentState::Applied => p.applied,
                IncidentState::Dismissed => p.dismissed,
                IncidentState::Prevented | IncidentState::Noted => p.noted,
            },
            proposed: i.state == IncidentState::Proposed,
            people: i.people,
            found: zone.date_time(i.created_at),
            decided: match (&i.decided_by, i.decided_at) {
                (Some(by), Some(at)) => {
                    let who = by
                        .strip_prefix("staff:")
                        .and_then(|id| id.parse().ok())
                        .and_then(|id| staff.get(&StaffId(id)).cloned())
                        .unwrap_or_else(|| "Loket".to_owned());
                    format!("{} {who}, {}", p.decided_by, zone.date_time(at))
                }
                _ => String::new(),
            },
            items: i
                .items
                .into_iter()
                .map(|item| ItemView {
                    name: if item.name.is_empty() {
                        p.message_text.to_owned()
                    } else {
                        item.name.clone()
                    },
                    people: item.people,
                    shown: {
                        let total: usize = item.counts.values().sum();
                        if total > item.samples.len() {
                            p.samples_of
                                .replace("{n}", &item.samples.len().to_string())
                                .replace("{total}", &total.to_string())
                        } else {
                            String::new()
                        }
                    },
                    counts: item
                        .counts
                        .iter()
                        .map(|(k, n)| format!("{n} × {}", kind_label(k, lang)))
                        .collect::<Vec<_>>()
                        .join(", "),
                    samples: item
                        .samples
                        .iter()
                        .map(|s| (kind_label(&s.kind, lang), place(p, s), s.preview.clone()))
                        .collect(),
                    unread: item
                        .not_scanned
                        .iter()
                        .map(|(part, why)| {
                            let part = if part.is_empty() {
                                item.name.clone()
                            } else {
                                part.clone()
                            };
                            (part, unread_label(why, lang))
                        })
                        .collect(),
                })
                .collect(),
        })
        .collect();
    out.reverse();
    out
}

/// A workspace action on a ticket whose path carries a second id.
macro_rules! id_action_route {
    ($(#[$doc:meta])* $name:ident, $action:path) => {
        $(#[$doc])*
        pub async fn $name(
            State(s): State<AppState>,
            PagePath((number, id)): PagePath<(i64, i64)>,
            headers: HeaderMap,
            PageForm(form): PageForm<super::ticket::ActionForm>,
        ) -> Result<Response, PageError> {
            act(s, number, headers, form, $action(id)).await
        }
    };
}

id_action_route!(
    /// `POST /agent/tickets/{number}/privacy/{id}`: `decision=confirm|dismiss`.
    view_incident_post,
    Action::Decide
);
id_action_route!(
    /// `POST /agent/tickets/{number}/bijlage/{id}/verwijderen`: one
    /// attachment removed for good, with a reason.
    view_remove_file_post,
    Action::RemoveFile
);
id_action_route!(
    /// `POST /agent/tickets/{number}/bericht/{id}/verwijderen`: one message
    /// (with its attachments and its stored mail) removed for good.
    view_remove_message_post,
    Action::RemoveMessage
);

/// `?van=2026-01-01&tot=2026-12-31` for the report; `?jaar=2026&formaat=csv`
/// for an organisation's year.
#[derive(Debug, Default, Deserialize)]
pub struct ReportQuery {
    van: Option<String>,
    tot: Option<String>,
    jaar: Option<i32>,
    formaat: Option<String>,
}

/// One organisation's row: id (none: no organisation), name, light, full,
/// prevented.
type Row = (Option<i64>, String, i64, i64, i64);

#[derive(Template)]
#[template(path = "agent/privacy.html")]
struct ReportPage<'a> {
    t: &'a Texts,
    p: &'a PrivacyTexts,
    frame: Frame,
    from: String,
    to: String,
    year: i32,
    rows: Vec<Row>,
    error: Option<&'static str>,
    /// Incidents waiting for a decision: ticket, subject, class, people, found.
    proposals: Vec<(TicketNumber, String, &'static str, usize, String)>,
}

fn day(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok()
}

/// `GET /agent/privacy`: incidents per organisation in a period (this year
/// unless `van` and `tot` say otherwise).
pub async fn view_privacy_get(
    State(s): State<AppState>,
    SignedIn(me): SignedIn,
    PageQuery(q): PageQuery<ReportQuery>,
) -> Result<Response, PageError> {
    let lang = me.lang;
    let p = privacy_texts(lang);
    let zone = s.portal.time_zone;
    let today = day(&zone.day(s.service.now())).unwrap_or_default();
    let year = today.year();
    let first = NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or(today);
    let from_text = q.van.clone().unwrap_or_else(|| first.to_string());
    let to_text = q.tot.clone().unwrap_or_else(|| today.to_string());
    let (from, to) = (day(&from_text), day(&to_text));
    let mut error = None;
    let mut rows = Vec::new();
    match (from, to) {
        (Some(first_day), Some(last_day)) if last_day >= first_day => {
            let counts = s
                .service
                .incident_report(
                    &me.actor(),
                    zone.start_of_day(first_day),
                    zone.start_of_day(last_day + chrono::Days::new(1)),
                )
                .await
                .map_err(|e| PageError::from_domain(&e, lang))?;
            rows = counts
                .into_iter()
                .map(|row| {
                    (
                        row.organisation.map(|o| o.0),
                        row.name,
                        row.light,
                        row.full,
                        row.prevented,
                    )
                })
                .collect();
        }
        (Some(_), Some(_)) => error = Some(p.bad_period),
        _ => error = Some(p.bad_date),
    }
    let mut proposals = Vec::new();
    let store = s.service.store();
    let fail = |e: DomainError| PageError::from_domain(&e, lang);
    for i in store.proposed_incidents(200).await.map_err(fail)? {
        let Some(t) = i.ticket else { continue };
        let Some(t) = store.get_ticket(t).await.map_err(fail)? else {
            continue;
        };
        let class = if i.class == IncidentClass::Full {
            p.full
        } else {
            p.light
        };
        proposals.push((t.number, t.subject, class, i.people, zone.date_time(i.created_at)));
    }
    let page = ReportPage {
        t: texts(lang),
        p,
        frame: me.frame,
        proposals,
        from: from_text,
        to: to_text,
        year,
        rows,
        error,
    };
    let status = if error.is_some() {
        axum::http::StatusCode::UNPROCESSABLE_ENTITY
    } else {
        axum::http::StatusCode::OK
    };
    Ok(crate::portal::page::with_status(
        render(&page, &me.cookies, lang),
        status,
    ))
}

#[derive(Template)]
#[template(path = "agent/privacy_year.html")]
struct YearPage<'a> {
    t: &'a Texts,
    p: &'a PrivacyTexts,
    frame: Frame,
    id: i64,
    name: String,
    year: i32,
    /// Quarter (1-4), light, full, prevented.
    quarters: Vec<(u32, i64, i64, i64)>,
    total: (i64, i64, i64),
    /// The year asked for was out of range.
    notice: Option<String>,
}

/// `GET /agent/privacy/organisatie/{id}?jaar=2026[&formaat=csv]`: one
/// organisation's year by quarter (id 0: contacts without organisation).
pub async fn view_privacy_org_get(
    State(s): State<AppState>,
    SignedIn(me): SignedIn,
    PagePath(id): PagePath<i64>,
    PageQuery(q): PageQuery<ReportQuery>,
) -> Result<Response, PageError> {
    let lang = me.lang;
    let p = privacy_texts(lang);
    let fail = |e: DomainError| PageError::from_domain(&e, lang);
    let zone = s.portal.time_zone;
    let now_year = day(&zone.day(s.service.now())).map_or(2026, |d| d.year());
    let year = q.jaar.filter(|y| (2000..=now_year + 1).contains(y)).unwrap_or(now_year);
    let notice = q
        .jaar
        .filter(|y| *y != year)
        .map(|_| p.year_range.replace("{year}", &year.to_string()));
    let org = if id == 0 {
        None
    } else {
        Some(
            s.service
                .store()
                .get_organisation(OrganisationId(id))
                .await
                .map_err(fail)?
                .ok_or_else(|| PageError::not_found(lang))?,
        )
    };
    let mut quarters = Vec::new();
    for quarter in 1..=4u32 {
        let start = NaiveDate::from_ymd_opt(year, quarter * 3 - 2, 1).unwrap_or_default();
        let end = if quarter == 4 {
            NaiveDate::from_ymd_opt(year + 1, 1, 1)
        } else {
            NaiveDate::from_ymd_opt(year, quarter * 3 + 1, 1)
        }
        .unwrap_or_default();
        let counts = s
            .service
            .incident_report(&me.actor(), zone.start_of_day(start), zone.start_of_day(end))
            .await
            .map_err(fail)?;
        let mine = counts
            .into_iter()
            .find(|c| c.organisation.map_or(0, |o| o.0) == id)
            .map_or((0, 0, 0), |c| (c.light, c.full, c.prevented));
        quarters.push((quarter, mine.0, mine.1, mine.2));
    }
    let total = quarters
        .iter()
        .fold((0, 0, 0), |a, q| (a.0 + q.1, a.1 + q.2, a.2 + q.3));
    let name = org.map_or_else(|| p.no_organisation.to_owned(), |o| o.name);
    if q.formaat.as_deref() == Some("csv") {
        // A byte-order mark, so spreadsheet programs read the accents right.
        let mut csv = "\u{feff}".to_owned();
        let _ = write!(
            csv,
            "{};{};{};{};{}\r\n",
            p.quarter, p.light_short, p.full_short, p.prevented, p.organisation
        );
        for (quarter, light, full, prevented) in &quarters {
            let _ = write!(
                csv,
                "{year}-Q{quarter};{light};{full};{prevented};{}\r\n",
                csv_cell(&name)
            );
        }
        let _ = write!(
            csv,
            "{year};{};{};{};{}\r\n",
            total.0,
            total.1,
            total.2,
            csv_cell(&name)
        );
        let file = format!("privacy-incidenten-{year}-{id}.csv");
        return Ok((
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
                (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{file}\"")),
            ],
            csv,
        )
            .into_response());
    }
    let page = YearPage {
        t: texts(lang),
        p,
        frame: me.frame,
        id,
        name,
        year,
        quarters,
        total,
        notice,
    };
    Ok(render(&page, &me.cookies, lang))
}

/// A CSV cell: quoted when it holds a separator, quote or line break; a
/// leading `=`, `+`, `-` or `@` is defused so spreadsheets do not run it.
fn csv_cell(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@']) {
        format!("'{s}")
    } else {
        s.to_owned()
    };
    if s.contains([';', ',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}
