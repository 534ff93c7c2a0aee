//! The portal's words in Dutch (default) and English.

use loket_core::problem::megabytes;
use loket_core::{Department, Field, Lang, Problem};

/// Fixed texts of the portal pages.
pub struct Texts {
    /// `nl` or `en`.
    pub lang: &'static str,
    /// The other language's code, for the switch.
    pub other_lang: &'static str,
    /// The other language's name, in that language.
    pub other_lang_name: &'static str,
    pub skip: &'static str,
    pub ticket: &'static str,
    pub status: &'static str,
    pub messages: &'static str,
    pub reply: &'static str,
    pub your_message: &'static str,
    pub send: &'static str,
    pub solved: &'static str,
    pub you: &'static str,
    pub helpdesk: &'static str,
    /// The first message of a phone ticket, written down by staff.
    pub helpdesk_phone: &'static str,
    pub not_found: &'static str,
    pub not_found_text: &'static str,
    pub forbidden: &'static str,
    pub forbidden_text: &'static str,
    pub not_allowed_text: &'static str,
    pub error: &'static str,
    pub error_text: &'static str,
    pub bad_request_text: &'static str,
    pub too_large: &'static str,
    pub too_large_text: &'static str,
    pub busy: &'static str,
    pub busy_text: &'static str,
    pub logged_in_as: &'static str,
    pub optional: &'static str,
    pub submitted_by: &'static str,
    pub to_ticket: &'static str,
    pub security_incident_text: &'static str,
    pub solved_title: &'static str,
    pub solve_confirm_title: &'static str,
    pub solve_confirm_text: &'static str,
    pub solve_yes: &'static str,
    pub solve_no: &'static str,
    pub reply_sent: &'static str,
    pub solved_notice: &'static str,
    pub merged_notice: &'static str,
    pub login_needed: &'static str,
    pub logged_out: &'static str,
    pub password_saved: &'static str,
    pub reply_not_sent: &'static str,
    pub to_your_reply: &'static str,
    pub files_again: &'static str,
    /// A form whose token no longer fits (logged in or out elsewhere).
    pub form_stale: &'static str,
    pub home_title: &'static str,
    pub next_meeting: &'static str,
    pub submit_title: &'static str,
    pub name: &'static str,
    pub email: &'static str,
    pub subject: &'static str,
    pub urgent: &'static str,
    pub attachments: &'static str,
    pub privacy_advice: &'static str,
    pub submit: &'static str,
    pub submitted_title: &'static str,
    pub submitted_text: &'static str,
    pub submitted_mail: &'static str,
    pub back_home: &'static str,
    pub too_many: &'static str,
    pub too_many_hour: &'static str,
    /// Too many in the past hour, without the advice about mail.
    pub too_many_later: &'static str,
    pub access_title: &'static str,
    pub access_intro: &'static str,
    pub access_send: &'static str,
    pub access_sent: &'static str,
    pub access_link: &'static str,
    pub password_title: &'static str,
    pub new_password: &'static str,
    pub repeat_password: &'static str,
    pub save: &'static str,
    pub passwords_differ: &'static str,
    pub link_invalid: &'static str,
    pub login_title: &'static str,
    pub password: &'static str,
    pub login: &'static str,
    pub login_failed: &'static str,
    pub logout: &'static str,
    /// The change documents.
    pub changes_title: &'static str,
    pub changes_intro: &'static str,
    pub changes_search: &'static str,
    pub changes_none: &'static str,
    pub changes_none_found: &'static str,
    pub changes_yours: &'static str,
    pub changes_yours_none: &'static str,
    pub changes_login: &'static str,
    pub version: &'static str,
    pub released_on: &'static str,
    /// The outage page.
    pub outages_title: &'static str,
    pub outages_intro: &'static str,
    pub outages_feed: &'static str,
    pub outages_components: &'static str,
    pub outages_ok: &'static str,
    pub outages_now: &'static str,
    pub outages_none: &'static str,
    pub outages_history: &'static str,
    pub outages_planned: &'static str,
    pub subscribe_title: &'static str,
    pub subscribe_intro: &'static str,
    pub subscribe_button: &'static str,
    pub subscribe_sent: &'static str,
    pub subscribe_confirm_ask: &'static str,
    pub subscribe_confirm: &'static str,
    pub subscribe_done: &'static str,
    pub unsubscribe_title: &'static str,
    pub unsubscribe_ask: &'static str,
    pub unsubscribe: &'static str,
    pub unsubscribe_done: &'static str,
    pub mine_title: &'static str,
    pub search_label: &'static str,
    pub search: &'static str,
    pub all: &'static str,
    pub none_found: &'static str,
    pub updated: &'static str,
}

const NL: Texts = Texts {
    lang: "nl",
    other_lang: "en",
    other_lang_name: "English",
    skip: "Naar de inhoud",
    ticket: "Ticket",
    status: "Status",
    messages: "Berichten",
    reply: "Reageren",
    your_message: "Uw bericht",
    send: "Versturen",
    solved: "Ja, mijn vraag is opgelost…",
    you: "U",
    helpdesk: "Helpdesk",
    helpdesk_phone: "Helpdesk, genoteerd uit uw telefoongesprek",
    not_found: "Niet gevonden",
    not_found_text: "Deze pagina bestaat niet, of de link is niet (meer) geldig.",
    forbidden: "Niet toegestaan",
    forbidden_text: "Dit formulier is verlopen. Laad de pagina opnieuw en probeer het nog eens.",
    not_allowed_text: "U heeft geen toegang tot deze pagina. Vraag een beheerder als u die wel nodig heeft.",
    error: "Er ging iets mis",
    error_text: "Er is niets veranderd. Probeer het later opnieuw.",
    bad_request_text: "Dit verzoek kon niet worden gelezen; er is niets veranderd. Ga terug en probeer het opnieuw.",
    too_large: "Te groot",
    too_large_text: "Uw bericht met bijlagen is groter dan 50 MB en is niet verstuurd. Ga terug met de terugknop van uw browser: uw tekst staat er dan nog. Kies kleinere bijlagen, of vraag de helpdesk om de beveiligde bestandsuitwisseling voor grote bestanden.",
    logged_in_as: "Ingelogd als",
    optional: "niet verplicht",
    submitted_by: "Ingediend door",
    to_ticket: "Naar uw ticket",
    security_incident_text: "De helpdesk trof in deze melding privacygevoelige gegevens van meerdere personen aan; bijlagen met die gegevens zijn verwijderd. Stuur zulke gegevens liever niet mee: het cliëntnummer volstaat meestal.",
    solved_title: "Is uw vraag opgelost?",
    solve_confirm_title: "Is uw vraag opgelost?",
    solve_confirm_text: "Dan sluiten wij de melding. Reageert u later toch nog, dan gaat de melding weer open.",
    solve_yes: "Ja, mijn vraag is opgelost",
    solve_no: "Nee, terug naar de melding",
    reply_sent: "Uw reactie is verstuurd.",
    solved_notice: "U heeft aangegeven dat uw vraag is opgelost. Dank u wel. Reageert u later toch nog, dan gaat de melding weer open.",
    merged_notice: "Uw melding is samengevoegd met deze melding, omdat het om dezelfde vraag gaat. Alle berichten staan hieronder; u kunt hier verder reageren.",
    login_needed: "Log in om uw tickets te zien.",
    logged_out: "U bent uitgelogd.",
    password_saved: "Uw wachtwoord is ingesteld; u bent nu ingelogd.",
    reply_not_sent: "Uw reactie is niet verstuurd.",
    to_your_reply: "Naar uw reactie",
    files_again: "Er is nog niets verstuurd. Kies uw bijlagen opnieuw.",
    form_stale: "Er is nog niets verstuurd: u bent intussen in- of uitgelogd (misschien in een ander tabblad). Uw tekst staat er nog; controleer hem en klik opnieuw op Versturen. Bijlagen moet u opnieuw kiezen.",
    busy: "Even geduld",
    busy_text: "Het is nu erg druk (veel bestanden of zoekvragen tegelijk). Er is niets veranderd; probeer het over een minuut opnieuw.",
    home_title: "Helpdesk",
    next_meeting: "Eerstvolgend functioneel overleg",
    submit_title: "Verstuur ticket",
    name: "Naam",
    email: "E-mailadres",
    subject: "Onderwerp",
    urgent: "De bedrijfsvoering is ernstig verstoord",
    attachments: "Bijlagen",
    privacy_advice: "Stuur geen privacygevoelige gegevens (BSN, naam en adres, IBAN) mee: het cliëntnummer volstaat meestal.",
    submit: "Versturen",
    submitted_title: "Uw melding is ontvangen",
    submitted_text: "Uw melding is geregistreerd onder ticketnummer",
    submitted_mail: "U ontvangt een bevestiging per e-mail met een link om de voortgang te volgen. Kijk ook in uw map met ongewenste e-mail.",
    back_home: "Terug naar het begin",
    too_many: "Te veel pogingen; probeer het over een minuut opnieuw.",
    too_many_later: "U heeft het afgelopen uur al veel verstuurd; probeer het over een uur opnieuw.",
    too_many_hour: "U heeft het afgelopen uur al veel verstuurd; probeer het over een uur opnieuw. Is het dringend? Beantwoord dan de e-mail van een eerdere melding: die komt altijd bij de helpdesk aan.",
    access_title: "Registreren of wachtwoord vergeten",
    access_intro: "Vul uw e-mailadres in. U ontvangt een e-mail met een link waarmee u uw wachtwoord instelt.",
    access_send: "Stuur mij een link",
    access_sent: "Als dit adres gebruikt kan worden, is er nu een e-mail met een link onderweg. Kijk ook in uw map met ongewenste e-mail (spam). De link werkt één keer en 24 uur lang.",
    access_link: "Registreren of wachtwoord vergeten?",
    password_title: "Wachtwoord instellen",
    new_password: "Nieuw wachtwoord (minstens 10 tekens)",
    repeat_password: "Herhaal het wachtwoord",
    save: "Opslaan",
    passwords_differ: "De twee wachtwoorden zijn niet gelijk.",
    link_invalid: "Deze link is al gebruikt of verlopen. Vraag een nieuwe aan.",
    login_title: "Inloggen",
    password: "Wachtwoord",
    login: "Inloggen",
    login_failed: "Onbekend e-mailadres of onjuist wachtwoord.",
    logout: "Uitloggen",
    changes_title: "Wijzigingen per versie",
    changes_intro: "Wat er in elke uitgebrachte versie is veranderd, met de opgeloste meldingen.",
    changes_search: "Zoek in de wijzigingen",
    changes_none: "Er is nog geen versie uitgebracht.",
    changes_none_found: "Geen versie gevonden met deze woorden.",
    changes_yours: "Uw meldingen in deze versie",
    changes_yours_none: "In deze versie zit geen melding van u.",
    changes_login: "Log in om te zien welke van uw meldingen in deze versie zijn opgelost.",
    version: "Versie",
    released_on: "uitgebracht op",
    outages_title: "Storingen en onderhoud",
    outages_intro: "Hier staat of de dienst werkt, wat er nu speelt en wat er eerder was.",
    outages_feed: "Volgen via Atom",
    outages_components: "Onderdelen",
    outages_ok: "werkt",
    outages_now: "Nu",
    outages_none: "Er is nu geen storing en geen onderhoud.",
    outages_history: "Eerder",
    outages_planned: "Gepland onderhoud",
    subscribe_title: "Storingsberichten per e-mail",
    subscribe_intro: "Ontvang elk bericht over storingen en onderhoud per e-mail. U krijgt eerst een e-mail met een link om uw aanmelding te bevestigen.",
    subscribe_button: "Aanmelden",
    subscribe_sent: "Als dit adres nog niet is aangemeld, krijgt u een e-mail met een link om uw aanmelding te bevestigen. Kijk ook in uw map met ongewenste e-mail.",
    subscribe_confirm_ask: "Bevestig dat u berichten over storingen en onderhoud per e-mail wilt ontvangen.",
    subscribe_confirm: "Aanmelding bevestigen",
    subscribe_done: "Uw aanmelding is bevestigd. U krijgt voortaan elk bericht over storingen en onderhoud per e-mail.",
    unsubscribe_title: "Afmelden voor storingsberichten",
    unsubscribe_ask: "Wilt u geen berichten over storingen en onderhoud meer ontvangen?",
    unsubscribe: "Afmelden",
    unsubscribe_done: "U bent afgemeld. U krijgt geen storingsberichten meer.",
    mine_title: "Mijn tickets",
    search_label: "Zoek op trefwoord of ticketnummer",
    search: "Zoeken",
    all: "Alle",
    none_found: "Geen tickets gevonden.",
    updated: "Bijgewerkt",
};

const EN: Texts = Texts {
    lang: "en",
    other_lang: "nl",
    other_lang_name: "Nederlands",
    skip: "Skip to content",
    ticket: "Ticket",
    status: "Status",
    messages: "Messages",
    reply: "Reply",
    your_message: "Your message",
    send: "Send",
    solved: "Yes, my question is solved…",
    you: "You",
    helpdesk: "Helpdesk",
    helpdesk_phone: "Helpdesk, noted from your phone call",
    not_found: "Not found",
    not_found_text: "This page does not exist, or the link is not (or no longer) valid.",
    forbidden: "Not allowed",
    forbidden_text: "This form has expired. Reload the page and try again.",
    not_allowed_text: "You have no access to this page. Ask an administrator if you need it.",
    error: "Something went wrong",
    error_text: "Nothing was changed. Please try again later.",
    bad_request_text: "This request could not be read; nothing was changed. Please go back and try again.",
    too_large: "Too large",
    too_large_text: "Your message with its attachments is larger than 50 MB and was not sent. Go back with your browser's back button: your text will still be there. Choose smaller attachments, or ask the helpdesk for the secure file exchange for large files.",
    logged_in_as: "Logged in as",
    optional: "optional",
    submitted_by: "Submitted by",
    to_ticket: "Go to your ticket",
    security_incident_text: "The helpdesk found privacy-sensitive data of several people in this ticket; attachments holding it were removed. Please do not send such data: the client number usually suffices.",
    solved_title: "Is your question solved?",
    solve_confirm_title: "Is your question solved?",
    solve_confirm_text: "Then we close the ticket. If you reply later after all, the ticket opens again.",
    solve_yes: "Yes, my question is solved",
    solve_no: "No, back to the ticket",
    reply_sent: "Your reply was sent.",
    solved_notice: "You marked your question as solved. Thank you. If you reply later after all, the ticket opens again.",
    merged_notice: "Your ticket was merged into this one, as it is about the same question. Every message is below; you can reply here.",
    login_needed: "Please log in to see your tickets.",
    logged_out: "You are logged out.",
    password_saved: "Your password is set; you are now logged in.",
    reply_not_sent: "Your reply was not sent.",
    to_your_reply: "Go to your reply",
    files_again: "Nothing was sent yet. Please choose your attachments again.",
    form_stale: "Nothing was sent yet: you logged in or out meanwhile (perhaps in another tab). Your text is still here; please check it and click Send again. Attachments must be chosen again.",
    busy: "One moment, please",
    busy_text: "It is very busy right now (many files or searches at once). Nothing was changed; please try again in a minute.",
    home_title: "Helpdesk",
    next_meeting: "Next functional meeting",
    submit_title: "Submit a ticket",
    name: "Name",
    email: "E-mail address",
    subject: "Subject",
    urgent: "Business is seriously disrupted",
    attachments: "Attachments",
    privacy_advice: "Do not send privacy-sensitive data (citizen numbers, names and addresses, IBANs): the client number usually suffices.",
    submit: "Send",
    submitted_title: "Your request was received",
    submitted_text: "Your request was registered as ticket",
    submitted_mail: "You will receive a confirmation by e-mail with a link to follow the progress. Please also check your spam folder.",
    back_home: "Back to the start",
    too_many: "Too many attempts; please try again in a minute.",
    too_many_later: "You have sent a lot in the past hour; please try again in an hour.",
    too_many_hour: "You have sent a lot in the past hour; please try again in an hour. Is it urgent? Then reply to the e-mail about an earlier ticket: that always reaches the helpdesk.",
    access_title: "Register or forgot your password",
    access_intro: "Enter your e-mail address. You will receive an e-mail with a link to set your password.",
    access_send: "Send me a link",
    access_sent: "If this address can be used, an e-mail with a link is on its way. Please also check your spam folder. The link works once, for 24 hours.",
    access_link: "Register or forgot your password?",
    password_title: "Set your password",
    new_password: "New password (at least 10 characters)",
    repeat_password: "Repeat the password",
    save: "Save",
    passwords_differ: "The two passwords differ.",
    link_invalid: "This link was used or has expired. Please ask for a new one.",
    login_title: "Log in",
    password: "Password",
    login: "Log in",
    login_failed: "Unknown e-mail address or wrong password.",
    logout: "Log out",
    changes_title: "Changes per version",
    changes_intro: "What changed in each released version, with the tickets it solved.",
    changes_search: "Search the changes",
    changes_none: "No version has been released yet.",
    changes_none_found: "No version found with these words.",
    changes_yours: "Your tickets in this version",
    changes_yours_none: "None of your tickets is in this version.",
    changes_login: "Log in to see which of your tickets this version solved.",
    version: "Version",
    released_on: "released on",
    outages_title: "Outages and maintenance",
    outages_intro: "Whether the service works, what is going on now and what happened before.",
    outages_feed: "Follow by Atom",
    outages_components: "Components",
    outages_ok: "working",
    outages_now: "Now",
    outages_none: "There is no outage or maintenance now.",
    outages_history: "Earlier",
    outages_planned: "Planned maintenance",
    subscribe_title: "Outage updates by e-mail",
    subscribe_intro: "Receive every update about outages and maintenance by e-mail. You first get an e-mail with a link to confirm.",
    subscribe_button: "Subscribe",
    subscribe_sent: "If this address is not subscribed yet, you get an e-mail with a link to confirm. Also look in your junk mail folder.",
    subscribe_confirm_ask: "Confirm that you want to receive updates about outages and maintenance by e-mail.",
    subscribe_confirm: "Confirm subscription",
    subscribe_done: "Your subscription is confirmed. From now on you get every update about outages and maintenance by e-mail.",
    unsubscribe_title: "Unsubscribe from outage updates",
    unsubscribe_ask: "Do you no longer want updates about outages and maintenance?",
    unsubscribe: "Unsubscribe",
    unsubscribe_done: "You are unsubscribed. You get no more outage updates.",
    mine_title: "My tickets",
    search_label: "Search by keyword or ticket number",
    search: "Search",
    all: "All",
    none_found: "No tickets found.",
    updated: "Updated",
};

/// The texts for a language.
pub fn texts(lang: Lang) -> &'static Texts {
    match lang {
        Lang::Nl => &NL,
        Lang::En => &EN,
    }
}

/// Where a ticket stands, for its requester: the status, and what the
/// department means for them (a date they are asked to answer by, the reaction
/// they can expect). A promise that no longer applies (a resolved ticket) is
/// not shown.
pub fn standing(
    t: &loket_core::Ticket,
    lang: Lang,
    zone: loket_core::time::Zone,
    meeting: Option<chrono::DateTime<chrono::Utc>>,
) -> (String, Option<String>) {
    use loket_core::Status;
    match (t.status, lang) {
        (Status::Postponed, Lang::Nl) => (
            "Wacht op uw reactie".into(),
            t.postponed_until.map(|d| {
                format!(
                    "wij wachten op uw reactie vóór {}; zonder reactie sluiten wij de melding op die datum",
                    zone.long_date(d, lang)
                )
            }),
        ),
        (Status::Postponed, Lang::En) => (
            "Waiting for your reply".into(),
            t.postponed_until.map(|d| {
                format!(
                    "please reply before {}; without a reply we close the ticket on that date",
                    zone.long_date(d, lang)
                )
            }),
        ),
        // Resolved: no promise any more, but what became of the question.
        (Status::Resolved, _) => (t.status.label(lang).into(), work_note(t, lang)),
        _ if work_note(t, lang).is_some() => (
            format!("{} · {}", t.status.label(lang), t.department.label(lang)),
            work_note(t, lang),
        ),
        _ => {
            let note = match due_note(t, lang, zone, meeting) {
                Some(note) => Some(note),
                None => meeting_note(t.department, lang, zone, meeting)
                    .or_else(|| promise(t.department, lang).map(str::to_owned)),
            };
            (format!("{} · {}", t.status.label(lang), t.department.label(lang)), note)
        }
    }
}

/// The reaction the requester can expect by the deadline running on the
/// ticket (the service level, or the date promised for a discussion).
fn due_note(
    t: &loket_core::Ticket,
    lang: Lang,
    zone: loket_core::time::Zone,
    meeting: Option<chrono::DateTime<chrono::Utc>>,
) -> Option<String> {
    use loket_core::service_level::DueKind;
    let (kind, due) = (t.due_kind?, t.due_at?);
    Some(match (kind, lang) {
        (DueKind::Urgent | DueKind::Answer, Lang::Nl) => {
            format!("u krijgt vóór {} een antwoord", zone.long_date_time(due, lang))
        }
        (DueKind::Urgent | DueKind::Answer, Lang::En) => {
            format!("you get an answer before {}", zone.long_date_time(due, lang))
        }
        (DueKind::Reaction, Lang::Nl) => format!("u krijgt vóór {} een reactie", zone.long_date(due, lang)),
        (DueKind::Reaction, Lang::En) => format!("you hear from us before {}", zone.long_date(due, lang)),
        (DueKind::Meeting, _) => format!(
            "{}; {}",
            meeting_note(t.department, lang, zone, meeting)?,
            match lang {
                Lang::Nl => format!("u krijgt vóór {} een reactie", zone.long_date(due, lang)),
                Lang::En => format!("you hear from us before {}", zone.long_date(due, lang)),
            }
        ),
    })
}

/// What a meeting department means for the customer, with the meeting's
/// date when one is kept.
fn meeting_note(
    department: Department,
    lang: Lang,
    zone: loket_core::time::Zone,
    meeting: Option<chrono::DateTime<chrono::Utc>>,
) -> Option<String> {
    let day = meeting.map(|m| zone.long_date(m, lang));
    Some(match (department, lang, day) {
        (Department::InternalReview, Lang::Nl, Some(d)) => format!("wordt besproken in het intern overleg van {d}"),
        (Department::InternalReview, Lang::En, Some(d)) => format!("discussed in the internal meeting of {d}"),
        (Department::FunctionalMeeting, Lang::Nl, Some(d)) => {
            format!("wordt besproken in het Functioneel overleg van {d}")
        }
        (Department::FunctionalMeeting, Lang::En, Some(d)) => format!("discussed in the functional meeting of {d}"),
        (Department::InternalReview, Lang::Nl, None) => "wordt intern besproken".into(),
        (Department::InternalReview, Lang::En, None) => "discussed internally".into(),
        (Department::FunctionalMeeting, Lang::Nl, None) => "staat op de agenda van het functioneel overleg".into(),
        (Department::FunctionalMeeting, Lang::En, None) => "on the agenda of the functional meeting".into(),
        _ => return None,
    })
}

/// A size as people of `lang` write it: "2,5 MB" in Dutch, "2.5 MB" in English.
pub fn size_in(lang: Lang, bytes: u64) -> String {
    let text = megabytes(bytes);
    match lang {
        Lang::Nl => text.replace('.', ","),
        Lang::En => text,
    }
}

/// The upload limits as the forms state them: per file (the installation's
/// `max_attachment_bytes`) and all files of one form together.
pub fn attachment_limits(lang: Lang, per_file: usize) -> String {
    let (one, all) = (
        size_in(lang, per_file as u64),
        size_in(lang, crate::PORTAL_UPLOAD_LIMIT as u64),
    );
    match lang {
        Lang::Nl => format!("hoogstens {one} per bestand en {all} samen"),
        Lang::En => format!("at most {one} per file and {all} together"),
    }
}

/// What became of a question taken up as work: planned or delivered in a
/// version, taken up for a future version, or put on the wish list.
fn work_note(t: &loket_core::Ticket, lang: Lang) -> Option<String> {
    let version = t.release_version.as_deref().filter(|v| !v.is_empty());
    Some(match (t.department, version, lang) {
        (Department::Planned, Some(v), Lang::Nl) => format!("gepland in versie {v}"),
        (Department::Planned, Some(v), Lang::En) => format!("planned for version {v}"),
        (Department::Delivered, Some(v), Lang::Nl) => format!("opgeleverd in versie {v}"),
        (Department::Delivered, Some(v), Lang::En) => format!("delivered in version {v}"),
        (Department::Wishlist, _, Lang::Nl) => "staat op de wensenlijst voor een volgende versie".into(),
        (Department::Wishlist, _, Lang::En) => "on the wish list for a future version".into(),
        (Department::Design | Department::Development, _, _) => promise(t.department, lang)?.to_owned(),
        _ => return None,
    })
}

/// What a department means for the customer, with the reaction they can expect.
pub fn promise(department: Department, lang: Lang) -> Option<&'static str> {
    match (department, lang) {
        (Department::InternalReview, Lang::Nl) => Some("wordt intern besproken; u krijgt binnen 2 weken een reactie"),
        (Department::InternalReview, Lang::En) => Some("discussed internally; you hear from us within 2 weeks"),
        (Department::FunctionalMeeting, Lang::Nl) => {
            Some("staat op de agenda van het functioneel overleg; reactie in ongeveer 6 weken")
        }
        (Department::FunctionalMeeting, Lang::En) => {
            Some("on the agenda of the functional meeting; reaction in about 6 weeks")
        }
        (Department::Design | Department::Development, Lang::Nl) => Some("opgenomen voor een volgende versie"),
        (Department::Design | Department::Development, Lang::En) => Some("taken up for a future version"),
        _ => None,
    }
}

/// A field as the forms name it, with its article, in Dutch.
fn field_nl(f: Field) -> &'static str {
    match f {
        Field::Name => "de naam",
        Field::Email => "het e-mailadres",
        Field::Subject => "het onderwerp",
        Field::Message => "het bericht",
        Field::Attachments => "de bijlagen",
        Field::Password => "het wachtwoord",
        Field::Labels => "het label",
        Field::ReleaseVersion => "het versienummer",
        Field::WorkItem => "het werkitem",
        Field::OrganisationName => "de naam van de organisatie",
        Field::Domain => "het maildomein",
        Field::Reason => "de reden",
        Field::Date => "de datum",
    }
}

/// A field as the forms name it, in English.
fn field_en(f: Field) -> &'static str {
    match f {
        Field::Name => "the name",
        Field::Email => "the e-mail address",
        Field::Subject => "the subject",
        Field::Message => "the message",
        Field::Attachments => "the attachments",
        Field::Password => "the password",
        Field::Labels => "the label",
        Field::ReleaseVersion => "the version number",
        Field::WorkItem => "the work item",
        Field::OrganisationName => "the organisation's name",
        Field::Domain => "the mail domain",
        Field::Reason => "the reason",
        Field::Date => "the date",
    }
}

fn capital(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

/// What is wrong with input, for people, in their language; fields are named
/// as the forms name them and sizes are in MB.
pub fn problem_text(p: &Problem, lang: Lang) -> String {
    match lang {
        Lang::Nl => match p {
            Problem::Empty(f) => format!("Vul {} in.", field_nl(*f)),
            Problem::NotAnEmail(a) if a.trim().is_empty() => "Vul uw e-mailadres in.".into(),
            Problem::TooLong(f, max) => format!("{} mag hoogstens {max} tekens lang zijn.", capital(field_nl(*f))),
            Problem::ControlCharacters(f) => format!("{} bevat tekens die niet zijn toegestaan.", capital(field_nl(*f))),
            Problem::NotAnEmail(a) => format!(
                "'{a}' is geen geldig e-mailadres. Controleer het adres, bijvoorbeeld naam@gemeente.nl."
            ),
            Problem::TooManyFiles(n) => format!("U kunt hoogstens {n} bijlagen per bericht meesturen."),
            Problem::FileTooLarge { name, max } => format!(
                "De bijlage '{name}' is groter dan {}. Verklein het bestand of stuur het via de beveiligde bestandsuitwisseling.",
                size_in(Lang::Nl, *max)
            ),
            Problem::FileName => "Een bijlage heeft geen bruikbare bestandsnaam (hoogstens 255 tekens).".into(),
            Problem::PasswordTooShort(n) => format!("Kies een wachtwoord van minstens {n} tekens."),
            Problem::PasswordTooWeak => "Dit wachtwoord is te makkelijk te raden, bijvoorbeeld omdat het een bekend woord, uw naam of uw e-mailadres bevat. Kies iets anders, bijvoorbeeld een zin van een paar woorden.".into(),
            Problem::TooManyLabels(n) => format!("Een ticket heeft hoogstens {n} labels."),
            Problem::PublicMailDomain(d) => {
                format!("'{d}' is het domein van een openbare maildienst en kan niet bij een organisatie horen.")
            }
            Problem::NotADomain(d) => format!("'{d}' is geen maildomein (zoals gemeente.nl)."),
            Problem::Other(_) => "Deze invoer is niet geldig; de Engelse melding zegt waarom.".into(),
        },
        Lang::En => match p {
            Problem::Empty(f) => format!("Please fill in {}.", field_en(*f)),
            Problem::NotAnEmail(a) if a.trim().is_empty() => "Please fill in your e-mail address.".into(),
            Problem::TooLong(f, max) => format!("{} can be at most {max} characters long.", capital(field_en(*f))),
            Problem::ControlCharacters(f) => format!("{} contains characters that are not allowed.", capital(field_en(*f))),
            Problem::NotAnEmail(a) => format!(
                "'{a}' is not a valid e-mail address. Please check it, for example name@municipality.nl."
            ),
            Problem::TooManyFiles(n) => format!("You can send at most {n} attachments per message."),
            Problem::FileTooLarge { name, max } => format!(
                "The attachment '{name}' is larger than {}. Make the file smaller or send it through the secure file exchange.",
                megabytes(*max)
            ),
            Problem::FileName => "An attachment has no usable file name (at most 255 characters).".into(),
            Problem::PasswordTooShort(n) => format!("Please choose a password of at least {n} characters."),
            Problem::PasswordTooWeak => "This password is too easy to guess, for example because it contains a common word, your name or your e-mail address. Please choose another, for example a sentence of a few words.".into(),
            Problem::TooManyLabels(n) => format!("A ticket has at most {n} labels."),
            Problem::PublicMailDomain(d) => {
                format!("'{d}' is the domain of a public mail provider and cannot belong to an organisation.")
            }
            Problem::NotADomain(d) => format!("'{d}' is not a mail domain (such as municipality.nl)."),
            Problem::Other(s) => format!("{}.", capital(s)),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_use_the_languages_decimal_mark() {
        assert_eq!(size_in(Lang::Nl, 2_621_440), "2,5 MB");
        assert_eq!(size_in(Lang::En, 2_621_440), "2.5 MB");
        assert_eq!(size_in(Lang::Nl, 36), "1 kB");
    }

    #[test]
    fn problems_read_in_dutch_with_the_forms_field_names() {
        assert_eq!(
            problem_text(&Problem::Empty(Field::Message), Lang::Nl),
            "Vul het bericht in."
        );
        assert_eq!(
            problem_text(&Problem::TooLong(Field::Subject, 250), Lang::Nl),
            "Het onderwerp mag hoogstens 250 tekens lang zijn."
        );
        let big = Problem::FileTooLarge {
            name: "big.bin".into(),
            max: 26_214_400,
        };
        assert!(problem_text(&big, Lang::Nl).contains("groter dan 25 MB"));
        assert!(problem_text(&big, Lang::En).contains("larger than 25 MB"));
        assert!(problem_text(&Problem::PasswordTooShort(10), Lang::Nl).contains("minstens 10 tekens"));
    }
}
