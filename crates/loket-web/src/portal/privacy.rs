//! The check before a customer's form is stored: other people's personal
//! data in the text or a file stops the form with an explanation ("dit
//! bestand lijkt gegevens van 143 personen te bevatten") and the choice to
//! leave the file out or send anyway; the stop counts as prevented.

use super::page::PageError;
use crate::AppState;
use loket_core::service::{Suspect, Upload};
use loket_core::{DomainError, Lang};

/// The label of the "send anyway" box.
pub(crate) fn anyway_label(lang: Lang) -> &'static str {
    match lang {
        Lang::Nl => {
            "Ik heb dit gecontroleerd: de gegevens zijn echt nodig, verstuur toch (kies de bestanden hierboven opnieuw)"
        }
        Lang::En => "I checked this: the data is really needed, send anyway (choose the files above again)",
    }
}

fn kind(kind: &str, lang: Lang) -> &'static str {
    match (kind, lang) {
        ("bsn", Lang::Nl) => "BSN",
        ("bsn", Lang::En) => "citizen service number",
        ("iban", _) => "IBAN",
        ("birth_date", Lang::Nl) => "geboortedatum",
        ("birth_date", Lang::En) => "date of birth",
        ("address", Lang::Nl) => "adres",
        ("address", Lang::En) => "address",
        ("phone", Lang::Nl) => "telefoonnummer",
        ("phone", Lang::En) => "phone number",
        ("email", Lang::Nl) => "e-mailadres",
        ("email", Lang::En) => "e-mail address",
        (_, Lang::Nl) => "naam",
        (_, Lang::En) => "name",
    }
}

/// What was found, a sentence per text or file.
pub(crate) fn found_lines(found: &[Suspect], lang: Lang) -> String {
    let mut parts = Vec::new();
    for f in found {
        let kinds = f
            .counts
            .iter()
            .map(|(k, _)| kind(k, lang))
            .collect::<Vec<_>>()
            .join(", ");
        let line = match (&f.file, lang, f.people) {
            (Some(name), Lang::Nl, 1) => {
                format!("Het bestand {name} lijkt gegevens van een persoon te bevatten ({kinds}).")
            }
            (Some(name), Lang::Nl, n) => {
                format!("Het bestand {name} lijkt gegevens van {n} personen te bevatten ({kinds}).")
            }
            (None, Lang::Nl, 1) => format!("Uw bericht lijkt gegevens van een persoon te bevatten ({kinds})."),
            (None, Lang::Nl, n) => format!("Uw bericht lijkt gegevens van {n} personen te bevatten ({kinds})."),
            (Some(name), Lang::En, 1) => format!("The file {name} seems to hold one person's data ({kinds})."),
            (Some(name), Lang::En, n) => format!("The file {name} seems to hold data of {n} people ({kinds})."),
            (None, Lang::En, 1) => format!("Your message seems to hold one person's data ({kinds})."),
            (None, Lang::En, n) => format!("Your message seems to hold data of {n} people ({kinds})."),
        };
        parts.push(line);
    }
    parts.join(" ")
}

/// What the customer reads when their form is stopped.
pub(crate) fn stop_message(found: &[Suspect], lang: Lang) -> String {
    let advice = match lang {
        Lang::Nl => {
            "Wij hebben niets opgeslagen. Noem liever alleen het cliëntnummer en haal persoonsgegevens uit bestanden; \
             is het echt nodig, gebruik dan beveiligde e-mail (bijvoorbeeld Zivver of ZorgMail). \
             Wilt u het toch zo versturen, vink dan het vakje hieronder aan en kies de bestanden opnieuw."
        }
        Lang::En => {
            "Nothing was stored. Prefer giving only the client number and strip personal data from files; \
             when it is really needed, use secure e-mail (for example Zivver or ZorgMail). \
             To send it like this anyway, tick the box below and choose the files again."
        }
    };
    format!("{} {advice}", found_lines(found, lang))
}

/// Checks a form before it is stored: `Some(message)` when it is stopped
/// (and counted as prevented); `None` when it may go on (nothing found, or
/// the customer chose to send anyway).
pub(crate) async fn check(
    s: &AppState,
    sender: &str,
    text: &str,
    files: &[Upload],
    anyway: bool,
    lang: Lang,
) -> Result<Option<String>, PageError> {
    if anyway {
        return Ok(None);
    }
    Ok(stopped(s, sender, text, files, lang)
        .await?
        .map(|found| stop_message(&found, lang)))
}

/// The personal data found in a form (text and files), recorded as
/// prevented; `None` when there is none.
pub(crate) async fn stopped(
    s: &AppState,
    sender: &str,
    text: &str,
    files: &[Upload],
    lang: Lang,
) -> Result<Option<Vec<Suspect>>, PageError> {
    let fail = |e: DomainError| PageError::from_domain(&e, lang);
    let found = s.service.check_submission(sender, text, files).await.map_err(fail)?;
    if found.is_empty() {
        return Ok(None);
    }
    s.service.record_prevented(sender, &found).await.map_err(fail)?;
    Ok(Some(found))
}
