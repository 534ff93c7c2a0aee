//! The audit trail as the ticket page shows it: one line per change (the
//! fields it changed together), actions and fields in the reader's language,
//! ids as names and labels, times in the configured time zone.

use loket_core::time::Zone;
use loket_core::*;
use std::collections::HashMap;

/// One change, ready to show.
pub(crate) struct AuditLine {
    pub at: String,
    pub who: String,
    pub what: String,
}

fn action(a: &str, lang: Lang) -> String {
    let nl = match a {
        "create" => "Aangemaakt",
        "import" => "Geïmporteerd",
        "agent_reply" => "Antwoord verstuurd",
        "customer_reply" => "Reactie van de klant",
        "note" => "Interne notitie",
        "ask_info" => "Informatie gevraagd",
        "resolve" => "Opgelost",
        "auto_resolve" => "Automatisch opgelost",
        "reopen" => "Heropend",
        "transfer" => "Doorgestuurd",
        "set_labels" => "Labels",
        "assign" => "Toegewezen",
        "set_version" => "Releaseversie",
        "set_work_item" => "Werkitem",
        "move" => "Verplaatst naar een ander adres",
        "merged_into" => "Samengevoegd met",
        "merged_from" => "Hierin samengevoegd",
        "remove_message" => "Bericht definitief verwijderd",
        "remove_attachment" => "Bijlage definitief verwijderd",
        "privacy_confirm" => "Privacy-incident bevestigd",
        "privacy_dismiss" => "Geen privacy-incident (afgewezen)",
        "privacy_notice" => "Privacymelding gestuurd",
        "privacy_notice_withheld" => {
            "Privacymelding niet gestuurd (automatisch afzendadres of te veel automatische mail)"
        }
        "revoke_follow_links" => "Volglinks ingetrokken",
        "confirmation_withheld" => "Bevestiging niet verstuurd",
        "mail_received" => "Mail ontvangen",
        "bounce" => "Mail kwam niet aan",
        "organisation_domain" => "Bij de organisatie gekomen (e-maildomein toegevoegd)",
        "spam" => "Gemarkeerd als spam",
        _ => return a.replace('_', " "),
    };
    if lang == Lang::Nl {
        return nl.to_owned();
    }
    match a {
        "agent_reply" => "Reply sent".into(),
        "customer_reply" => "Customer replied".into(),
        "ask_info" => "Information requested".into(),
        "set_labels" => "Labels".into(),
        "merged_into" => "Merged into ticket".into(),
        "merged_from" => "Ticket merged into this one".into(),
        "remove_message" => "Message removed for good".into(),
        "remove_attachment" => "Attachment removed for good".into(),
        "privacy_confirm" => "Privacy incident confirmed".into(),
        "privacy_dismiss" => "No privacy incident (overruled)".into(),
        "privacy_notice" => "Privacy notice sent".into(),
        "privacy_notice_withheld" => "Privacy notice withheld (automatic sender or too much automatic mail)".into(),
        other => {
            let s = other.replace('_', " ");
            let mut c = s.chars();
            c.next()
                .map(|f| f.to_uppercase().chain(c).collect())
                .unwrap_or_default()
        }
    }
}

fn field(f: &str, lang: Lang) -> &str {
    match (f, lang) {
        ("status", Lang::Nl) => "status",
        ("department", Lang::Nl) => "afdeling",
        ("subject", Lang::Nl) => "onderwerp",
        ("labels", Lang::Nl) => "labels",
        ("assignee", Lang::Nl) => "behandelaar",
        ("release_version", Lang::Nl) => "releaseversie",
        ("work_item", Lang::Nl) => "werkitem",
        ("postponed_until", Lang::Nl) => "uitgesteld tot",
        ("promised_at", Lang::Nl) => "reactie beloofd vóór",
        ("requester", Lang::Nl) => "aanvrager",
        ("organisation", Lang::Nl) => "organisatie",
        ("channel", Lang::Nl) => "kanaal",
        ("urgent", Lang::Nl) => "urgent",
        ("privacy_incident", Lang::Nl) => "privacy-incident",
        ("attachment", Lang::Nl) => "bijlage",
        ("message", Lang::Nl) => "bericht",
        ("to", Lang::Nl) => "aan",
        ("privacy_incident", Lang::En) => "privacy incident",
        ("postponed_until", Lang::En) => "postponed until",
        ("promised_at", Lang::En) => "reaction promised before",
        ("release_version", Lang::En) => "release version",
        ("work_item", Lang::En) => "work item",
        (other, _) => other,
    }
}

/// The names the trail refers to by id.
pub(crate) struct Names {
    pub staff: HashMap<String, String>,
    pub contacts: HashMap<String, String>,
    pub organisations: HashMap<String, String>,
}

fn value(f: &str, v: Option<&str>, names: &Names, zone: Zone, lang: Lang) -> String {
    let Some(v) = v.filter(|v| !v.is_empty()) else {
        return "–".into();
    };
    match f {
        "status" => Status::parse(v).map_or_else(|_| v.to_owned(), |s| s.label(lang).to_owned()),
        "department" => Department::parse(v).map_or_else(|_| v.to_owned(), |d| d.label(lang).to_owned()),
        "channel" => Channel::parse(v).map_or_else(|_| v.to_owned(), |c| c.label(lang).to_owned()),
        "assignee" => names
            .staff
            .get(&format!("staff:{v}"))
            .cloned()
            .unwrap_or_else(|| v.to_owned()),
        "requester" => names.contacts.get(v).cloned().unwrap_or_else(|| v.to_owned()),
        "organisation" => names.organisations.get(v).cloned().unwrap_or_else(|| v.to_owned()),
        "privacy_incident" => privacy_value(v, lang),
        "urgent" => match (v, lang) {
            ("true", Lang::Nl) => "ja".into(),
            ("false", Lang::Nl) => "nee".into(),
            (other, _) => other.to_owned(),
        },
        _ => chrono::DateTime::parse_from_rfc3339(v)
            .map(|d| zone.date_time(d.with_timezone(&chrono::Utc)))
            .or_else(|_| {
                // Stored as "2026-12-10 22:59:59 UTC".
                chrono::NaiveDateTime::parse_from_str(v.trim_end_matches(" UTC"), "%Y-%m-%d %H:%M:%S")
                    .map(|d| zone.date_time(d.and_utc()))
            })
            .unwrap_or_else(|_| v.to_owned()),
    }
}

/// A privacy incident's stored state (`applied`, `dismissed`) or summary
/// (`12: full (25 people)`) in the reader's language.
fn privacy_value(v: &str, lang: Lang) -> String {
    let word = |w: &str| -> String {
        match (w, lang) {
            ("applied", Lang::Nl) => "bevestigd".into(),
            ("dismissed", Lang::Nl) => "geen incident".into(),
            ("proposed", Lang::Nl) => "voorstel".into(),
            ("full", Lang::Nl) => "volledig".into(),
            ("light", Lang::Nl) => "licht".into(),
            (other, _) => other.to_owned(),
        }
    };
    let Some((_, rest)) = v.split_once(": ") else {
        return word(v);
    };
    let (class, people) = rest.split_once(" (").unwrap_or((rest, ""));
    let n = people.split(' ').next().unwrap_or_default();
    match lang {
        Lang::Nl => format!("{}, {n} personen", word(class)),
        Lang::En => format!("{class}, {n} people"),
    }
}

/// Who did it, by name.
fn who(actor: &str, names: &Names, lang: Lang) -> String {
    if actor == "system" {
        return "Loket".into();
    }
    if let Some(n) = names.staff.get(actor) {
        return n.clone();
    }
    if let Some(id) = actor.strip_prefix("contact:") {
        let customer = if lang == Lang::Nl { "klant" } else { "customer" };
        return names
            .contacts
            .get(id)
            .map_or_else(|| customer.to_owned(), |n| format!("{n} ({customer})"));
    }
    actor.to_owned()
}

/// The trail, newest first, one line per change.
pub(crate) fn lines(events: &[AuditEvent], names: &Names, zone: Zone, lang: Lang) -> Vec<AuditLine> {
    let mut out: Vec<(chrono::DateTime<chrono::Utc>, String, String, Vec<String>)> = Vec::new();
    for e in events {
        let change = match &e.field {
            Some(f) if e.old_value.is_some() || e.new_value.is_some() => {
                let name = field(f, lang);
                let old = value(f, e.old_value.as_deref(), names, zone, lang);
                let new = value(f, e.new_value.as_deref(), names, zone, lang);
                if e.old_value.is_none() {
                    Some(format!("{name}: {new}"))
                } else {
                    Some(format!("{name} {old} → {new}"))
                }
            }
            _ => e.new_value.clone().filter(|v| !v.is_empty()),
        };
        match out.last_mut() {
            Some(last) if last.0 == e.at && last.1 == e.actor && last.2 == e.action => {
                last.3.extend(change);
            }
            _ => out.push((e.at, e.actor.clone(), e.action.clone(), change.into_iter().collect())),
        }
    }
    out.into_iter()
        .rev()
        .map(|(at, actor, act, changes)| AuditLine {
            at: zone.date_time(at),
            who: who(&actor, names, lang),
            what: if changes.is_empty() {
                action(&act, lang)
            } else {
                format!("{}: {}", action(&act, lang), changes.join(", "))
            },
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(action: &str, field: Option<&str>, old: Option<&str>, new: Option<&str>) -> AuditEvent {
        AuditEvent {
            entity: "ticket:1".into(),
            ticket_id: Some(TicketId(1)),
            actor: "staff:2".into(),
            at: chrono::DateTime::from_timestamp(1_765_000_000, 0).unwrap_or_default(),
            action: action.into(),
            field: field.map(Into::into),
            old_value: old.map(Into::into),
            new_value: new.map(Into::into),
        }
    }

    #[test]
    fn one_dutch_line_per_change_with_names_and_local_times() {
        let names = Names {
            staff: HashMap::from([("staff:2".to_owned(), "Anna".to_owned())]),
            contacts: HashMap::new(),
            organisations: HashMap::new(),
        };
        let events = [
            event("ask_info", Some("status"), Some("answered"), Some("postponed")),
            event("ask_info", Some("department"), Some("helpdesk"), Some("awaiting_reply")),
            event(
                "ask_info",
                Some("postponed_until"),
                None,
                Some("2026-12-10 22:59:59 UTC"),
            ),
        ];
        let l = lines(&events, &names, Zone::default(), Lang::Nl);
        assert_eq!(l.len(), 1);
        assert_eq!(l[0].who, "Anna");
        assert_eq!(
            l[0].what,
            "Informatie gevraagd: status Beantwoord → Uitgesteld, afdeling Helpdesk → Wacht op reactie, uitgesteld tot: 10-12-2026 23:59"
        );
    }
}
