//! The portal's words in Dutch (default) and English.

use loket_core::{Department, Lang};

/// Fixed texts of the portal pages.
pub struct Texts {
    /// `nl` or `en`.
    pub lang: &'static str,
    /// The other language's code, for the switch.
    pub other_lang: &'static str,
    /// The other language's name, in that language.
    pub other_lang_name: &'static str,
    pub skip: &'static str,
    pub language: &'static str,
    pub ticket: &'static str,
    pub status: &'static str,
    pub department: &'static str,
    pub messages: &'static str,
    pub reply: &'static str,
    pub your_message: &'static str,
    pub send: &'static str,
    pub solved: &'static str,
    pub you: &'static str,
    pub helpdesk: &'static str,
    pub not_found: &'static str,
    pub not_found_text: &'static str,
    pub forbidden: &'static str,
    pub forbidden_text: &'static str,
    pub error: &'static str,
    pub error_text: &'static str,
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
}

const NL: Texts = Texts {
    lang: "nl",
    other_lang: "en",
    other_lang_name: "English",
    skip: "Naar de inhoud",
    language: "Taal",
    ticket: "Ticket",
    status: "Status",
    department: "Afdeling",
    messages: "Berichten",
    reply: "Reageren",
    your_message: "Uw bericht",
    send: "Versturen",
    solved: "Mijn vraag is opgelost",
    you: "U",
    helpdesk: "Helpdesk",
    not_found: "Niet gevonden",
    not_found_text: "Deze pagina bestaat niet, of de link is niet (meer) geldig.",
    forbidden: "Niet toegestaan",
    forbidden_text: "Dit formulier is verlopen. Laad de pagina opnieuw en probeer het nog eens.",
    error: "Er ging iets mis",
    error_text: "Er is niets veranderd. Probeer het later opnieuw.",
    home_title: "Helpdesk",
    next_meeting: "Eerstvolgende functioneel overleg",
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
    too_many: "Te veel pogingen; probeer het over een paar minuten opnieuw.",
};

const EN: Texts = Texts {
    lang: "en",
    other_lang: "nl",
    other_lang_name: "Nederlands",
    skip: "Skip to content",
    language: "Language",
    ticket: "Ticket",
    status: "Status",
    department: "Department",
    messages: "Messages",
    reply: "Reply",
    your_message: "Your message",
    send: "Send",
    solved: "My question is solved",
    you: "You",
    helpdesk: "Helpdesk",
    not_found: "Not found",
    not_found_text: "This page does not exist, or the link is not (or no longer) valid.",
    forbidden: "Not allowed",
    forbidden_text: "This form has expired. Reload the page and try again.",
    error: "Something went wrong",
    error_text: "Nothing was changed. Please try again later.",
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
    too_many: "Too many attempts; please try again in a few minutes.",
};

/// The texts for a language.
pub fn texts(lang: Lang) -> &'static Texts {
    match lang {
        Lang::Nl => &NL,
        Lang::En => &EN,
    }
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
