//! The rules' own words (English, from the service layer) in Dutch for the
//! workspace's pages. A message without a translation is shown as it is.

use loket_core::{Department, Lang};

/// `why` as a staff member reading `lang` should see it.
pub(crate) fn rule_message(why: &str, lang: Lang) -> String {
    if lang == Lang::En {
        return capitalised(why);
    }
    dutch(why).unwrap_or_else(|| capitalised(why))
}

fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// A department's Dutch name from its id inside a message.
fn department(id: &str) -> String {
    Department::parse(id.trim()).map_or_else(|_| id.to_owned(), |d| d.label(Lang::Nl).to_owned())
}

fn dutch(why: &str) -> Option<String> {
    let fixed: &[(&str, &str)] = &[
        (
            "this privacy incident was already decided",
            "Over dit privacy-incident is al besloten (door u of een collega); de pagina toont nu het besluit.",
        ),
        ("this attachment was removed already", "Deze bijlage is al verwijderd."),
        ("choose confirm or no incident", "Kies Bevestigen of Geen incident."),
        (
            "tick that you understand this cannot be undone",
            "Vink aan dat u begrijpt dat dit niet terug te draaien is.",
        ),
        (
            "a ticket cannot be merged with itself",
            "Een ticket kan niet met zichzelf worden samengevoegd.",
        ),
        (
            "only tickets of the same requester can be merged; move the tickets to one address first",
            "Alleen tickets van dezelfde aanvrager kunnen worden samengevoegd. Verplaats de tickets eerst naar één adres.",
        ),
        (
            "one of these tickets was merged into another before",
            "Een van deze tickets is al eerder samengevoegd.",
        ),
        (
            "the last administrator keeps that role",
            "De laatste beheerder houdt die rol.",
        ),
        ("the ticket is already resolved", "Het ticket is al opgelost."),
        (
            "a wish cannot be linked to itself",
            "Een wens kan niet aan zichzelf worden gekoppeld.",
        ),
        (
            "the wish is linked to another wish, or tickets are linked to this one; link to the first wish",
            "Die wens is zelf aan een andere wens gekoppeld, of aan dit ticket zijn al tickets gekoppeld; koppel aan de eerste wens.",
        ),
        (
            "this ticket is linked to a wish already",
            "Dit ticket is al aan een wens gekoppeld.",
        ),
        (
            "other tickets are linked to this wish; link them to the other wish one by one",
            "Aan deze wens zijn andere tickets gekoppeld; koppel die een voor een aan de andere wens.",
        ),
        (
            "the postpone date must lie in the future",
            "De datum moet in de toekomst liggen.",
        ),
        (
            "the two addresses are the same",
            "Dat is hetzelfde adres; kies een ander adres.",
        ),
        ("give a reason for the ban", "Geef een reden voor de blokkade."),
        (
            "the reason is longer than 500 characters",
            "De reden is langer dan 500 tekens.",
        ),
        (
            "hide the topic to hide its opening post",
            "Het eerste bericht verbergt u door het hele onderwerp te verbergen.",
        ),
        (
            "a topic started by staff cannot become a ticket",
            "Van een onderwerp dat een medewerker startte, kan geen ticket worden gemaakt.",
        ),
        ("this topic is locked", "Dit onderwerp is gesloten."),
        (
            "the reason holds control characters",
            "De reden bevat tekens die niet zijn toegestaan.",
        ),
        (
            "the description is at most 200 characters, without control characters",
            "De omschrijving is hoogstens 200 tekens, zonder bijzondere tekens.",
        ),
        (
            "maintenance needs an end after its start",
            "Onderhoud heeft een einde na het begin nodig.",
        ),
        ("the start is not a date and time", "Het begin is geen datum en tijd."),
        (
            "this maintenance window is over already",
            "Dit onderhoud is al voorbij: het einde ligt in het verleden.",
        ),
        (
            "an incident cannot start in the future; plan maintenance instead",
            "Een storing kan niet in de toekomst beginnen; plan dan onderhoud.",
        ),
        (
            "an incident cannot be scheduled maintenance",
            "Een storing kan niet de status gepland onderhoud krijgen.",
        ),
    ];
    if let Some((_, nl)) = fixed.iter().find(|(en, _)| *en == why) {
        return Some((*nl).to_owned());
    }
    if let Some(rest) = why.strip_prefix("a ticket can be postponed by at most ") {
        let days = rest.trim_end_matches(" days");
        return Some(format!("Een ticket kan hoogstens {days} dagen worden uitgesteld."));
    }
    if why.starts_with("only a resolved ticket can be reopened") {
        return Some("Alleen een opgelost ticket kan worden heropend.".into());
    }
    if let Some(d) = why.strip_prefix("the ticket is already in department ") {
        return Some(format!("Het ticket staat al in de afdeling {}.", department(d)));
    }
    if let Some(rest) = why.strip_prefix("department ")
        && let Some((d, _)) = rest.split_once(" needs a release version")
    {
        return Some(format!(
            "Voor de afdeling {} is een releaseversie nodig.",
            department(d)
        ));
    }
    if let Some(rest) = why.strip_prefix("a ticket in department ")
        && let Some((d, _)) = rest.split_once(" needs a release version")
    {
        return Some(format!(
            "Een ticket in de afdeling {} heeft een releaseversie nodig.",
            department(d)
        ));
    }
    if let Some(c) = why
        .strip_prefix("a category named ")
        .and_then(|r| r.strip_suffix(" exists already"))
    {
        return Some(format!("Er is al een categorie met de naam {c}."));
    }
    if let Some(c) = why
        .strip_prefix("a component named ")
        .and_then(|r| r.strip_suffix(" exists already"))
    {
        return Some(format!("Er is al een onderdeel met de naam {c}."));
    }
    let what = |w: &str| match w {
        "title" => Some("De titel"),
        "message" => Some("Het bericht"),
        "component name" => Some("De naam van het onderdeel"),
        _ => None,
    };
    if let Some(w) = why
        .strip_prefix("the ")
        .and_then(|r| r.strip_suffix(" is empty"))
        .and_then(what)
    {
        return Some(format!("{w} is leeg."));
    }
    if let Some(w) = why
        .strip_prefix("the ")
        .and_then(|r| r.strip_suffix(" holds control characters"))
        .and_then(what)
    {
        return Some(format!(
            "{w} bevat tekens die niet zijn toegestaan (zoals een regeleinde in een titel)."
        ));
    }
    if let Some((w, n)) = why
        .strip_prefix("the ")
        .and_then(|r| r.split_once(" is longer than "))
        .and_then(|(w, r)| Some((what(w)?, r.strip_suffix(" characters")?)))
    {
        return Some(format!("{w} is langer dan {n} tekens."));
    }
    if let Some(e) = why.strip_prefix("no staff member with address ") {
        return Some(format!("Er is geen medewerker met het adres {e}."));
    }
    if let Some(d) = why.strip_suffix(" is a public mail provider: ban the address, not the domain") {
        return Some(format!(
            "{d} is een publieke maildienst: blokkeer het adres, niet het domein."
        ));
    }
    if let Some(d) = why.strip_suffix(" belongs to a customer organisation: ban the address, not the domain") {
        return Some(format!(
            "{d} hoort bij een klantorganisatie: blokkeer het adres, niet het domein."
        ));
    }
    if let Some(d) = why.strip_suffix(" is already a domain of this organisation") {
        return Some(format!("{d} is al een domein van deze organisatie."));
    }
    if let Some(d) = why.strip_suffix(" belongs to another organisation") {
        return Some(format!("{d} hoort al bij een andere organisatie."));
    }
    if let Some(v) = why
        .strip_prefix("version ")
        .and_then(|r| r.strip_suffix(" has no change document yet; write it before releasing"))
    {
        return Some(format!(
            "Versie {v} heeft nog geen wijzigingsdocument; schrijf het voordat u de versie uitbrengt (elke aanvrager krijgt er een link naar)."
        ));
    }
    if let Some(v) = why
        .strip_prefix("version ")
        .and_then(|r| r.strip_suffix(" was released before"))
    {
        return Some(format!("Versie {v} is al eerder uitgebracht."));
    }
    if let Some(v) = why
        .strip_prefix("version ")
        .and_then(|r| r.strip_suffix(" exists already"))
    {
        return Some(format!("Versie {v} bestaat al; kies haar in de lijst."));
    }
    if let Some(rest) = why.strip_prefix("the version '")
        && let Some((v, _)) = rest.split_once("' may hold only")
    {
        return Some(format!(
            "De versie '{v}' mag alleen letters, cijfers, '.', '-' en '_' bevatten (alleen a-z en 0-9, geen andere tekens die erop lijken), begint met een letter of cijfer en is hoogstens 40 tekens lang; schrijf haar als 8.4.1."
        ));
    }
    if let Some(v) = why
        .strip_prefix("version ")
        .and_then(|r| r.strip_suffix(" was released already; plan the ticket in a version still to come"))
    {
        return Some(format!(
            "Versie {v} is al uitgebracht; plan het ticket in een versie die nog komt."
        ));
    }
    if let Some(rest) = why.strip_prefix("ticket ")
        && let Some((n, d)) = rest.split_once(" is not a wish (it is in department ")
    {
        return Some(format!(
            "Ticket {n} is geen wens (het staat in de afdeling {}).",
            department(d.trim_end_matches(')'))
        ));
    }
    if let Some(code) = why.strip_prefix("the webhook answered ") {
        return Some(format!("De webhook antwoordde {code}."));
    }
    if let Some(n) = why
        .strip_prefix("no answer within ")
        .and_then(|r| r.strip_suffix(" seconds"))
    {
        return Some(format!("Geen antwoord binnen {n} seconden."));
    }
    if let Some(rest) = why.strip_prefix("cannot connect to ") {
        return Some(format!("Geen verbinding met {rest}"));
    }
    if let Some(kind) = why
        .strip_prefix("unknown job kind '")
        .and_then(|r| r.strip_suffix('\''))
    {
        return Some(format!(
            "Onbekende soort taak '{kind}'; deze versie van Loket kan haar niet uitvoeren."
        ));
    }
    if why == "no HTTP answer" {
        return Some("Geen HTTP-antwoord.".into());
    }
    if let Some(x) = why.strip_suffix(" is not a ticket number") {
        return Some(format!("{x} is geen ticketnummer."));
    }
    if let Some(x) = why.strip_suffix(" is not a date (YYYY-MM-DD)") {
        return Some(format!("{x} is geen datum."));
    }
    if let Some(n) = why
        .strip_prefix("this ticket was merged into ticket ")
        .and_then(|r| r.strip_suffix("; work on that one"))
    {
        return Some(format!("Dit ticket is samengevoegd met ticket {n}; werk daar verder."));
    }
    if let Some(rest) = why.strip_prefix("the label '")
        && let Some((label, _)) = rest.split_once("' contains")
    {
        return Some(format!(
            "Het label '{label}' bevat een van de tekens , ; < > \"; een label is één woord of een paar woorden."
        ));
    }
    if let Some(rest) = why
        .strip_prefix("not allowed: the sender ")
        .or_else(|| why.strip_prefix("the sender "))
        && let Some(addr) = rest.strip_suffix(" is banned (marked as spam)")
    {
        return Some(format!("De afzender {addr} is geblokkeerd (gemarkeerd als spam)."));
    }
    if let Some((d, org)) = why.split_once(" belongs to another organisation: ") {
        return Some(format!("{d} hoort al bij de organisatie {org}."));
    }
    if why.contains("already in use") || why.contains("already exists") {
        return Some("Dit e-mailadres is al in gebruik.".into());
    }
    if let Some(x) = why.strip_prefix("a canned reply is already called ") {
        return Some(format!("Er is al een standaardantwoord met de titel {x}."));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rule_messages_in_dutch() {
        let nl = |s: &str| rule_message(s, Lang::Nl);
        assert_eq!(
            nl("the postpone date must lie in the future"),
            "De datum moet in de toekomst liggen."
        );
        assert_eq!(
            nl("department planned needs a release version; set one first or pass it with the transfer"),
            "Voor de afdeling Gepland is een releaseversie nodig."
        );
        assert_eq!(
            nl("the ticket is already in department bi"),
            "Het ticket staat al in de afdeling BI."
        );
        assert_eq!(
            nl("a ticket can be postponed by at most 366 days"),
            "Een ticket kan hoogstens 366 dagen worden uitgesteld."
        );
        assert_eq!(nl("something new"), "Something new");
        assert_eq!(
            rule_message("the ticket is already resolved", Lang::En),
            "The ticket is already resolved"
        );
    }
}
