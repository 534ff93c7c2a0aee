//! Mail templates in Dutch and English. Each is a text with a `Subject:` line,
//! a blank line and the body; `{{name}}` placeholders are filled in. A file
//! `templates/<kind>.<lang>.txt` in the data folder replaces the built-in one.

use loket_core::{Lang, MailKind};
use std::path::{Path, PathBuf};

/// Values a template can use.
#[derive(Debug, Clone, Default)]
pub struct Vars {
    /// `{{number}}`: the ticket number.
    pub number: String,
    /// `{{subject}}`: the ticket subject.
    pub subject: String,
    /// `{{name}}`: the requester's name (or address).
    pub name: String,
    /// `{{link}}`: the follow link.
    pub link: String,
    /// `{{message}}`: the message the mail carries.
    pub message: String,
    /// `{{until}}`: the date a reaction is expected by.
    pub until: String,
    /// `{{version}}`: the ticket's release version.
    pub version: String,
    /// `{{notes}}`: the link to that version's change document.
    pub notes: String,
    /// `{{promise}}`: when the customer can expect an answer, as a sentence
    /// (empty when no deadline runs).
    pub promise: String,
}

/// A rendered mail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    /// Subject line.
    pub subject: String,
    /// Plain-text body.
    pub body: String,
}

const SUBJECT: &str = "Subject: [#{{number}}] {{subject}}\n\n";

fn builtin(kind: MailKind, lang: Lang) -> String {
    let body = match (kind, lang) {
        (MailKind::Access, _) => return account(lang),
        (MailKind::StaffAccess, _) => return staff_account(lang),
        (MailKind::PrivacyThreshold, _) => return privacy_threshold(lang),
        (MailKind::SlaWarning | MailKind::SlaBreach, _) => return service_level(kind, lang),
        (MailKind::OutageSubscribe | MailKind::OutageUpdate, _) => return outage_mail(kind, lang),
        (MailKind::ForumReply | MailKind::ForumSolution, _) => return forum_mail(kind, lang),
        (MailKind::OutageResolved, Lang::Nl) => {
            "Beste {{name}},\n\nDe storing waar uw melding {{number}} bij hoort, is opgelost:\n\n{{message}}\n\nMerkt u er nog iets van? Beantwoord dan deze e-mail.\n\n{{link}}\n\nMet vriendelijke groet,\nde helpdesk\n"
        }
        (MailKind::OutageResolved, Lang::En) => {
            "Dear {{name}},\n\nThe outage your ticket {{number}} belongs to is resolved:\n\n{{message}}\n\nStill noticing something? Reply to this e-mail.\n\n{{link}}\n\nKind regards,\nthe helpdesk\n"
        }
        (MailKind::Confirmation, Lang::Nl) => {
            "Beste {{name}},\n\nWij hebben uw melding ontvangen en geregistreerd onder ticketnummer {{number}}.{{promise}}\nU volgt de voortgang via deze link:\n\n{{link}}\n\nWilt u iets aanvullen? Beantwoord dan deze e-mail en laat het ticketnummer in het onderwerp staan.\n\nMet vriendelijke groet,\nde helpdesk\n"
        }
        (MailKind::Confirmation, Lang::En) => {
            "Dear {{name}},\n\nWe received your request and registered it as ticket {{number}}.{{promise}}\nFollow its progress here:\n\n{{link}}\n\nTo add something, reply to this e-mail and keep the ticket number in the subject.\n\nKind regards,\nthe helpdesk\n"
        }
        (MailKind::WishPlanned, Lang::Nl) => {
            "Beste {{name}},\n\nUw wens bij melding {{number}} staat nu gepland: wij nemen haar op in versie {{version}}. Zodra die versie is uitgebracht, krijgt u opnieuw bericht.\n\nUw melding volgt u via deze link:\n\n{{link}}\n\nMet vriendelijke groet,\nde helpdesk\n"
        }
        (MailKind::WishPlanned, Lang::En) => {
            "Dear {{name}},\n\nYour wish in ticket {{number}} is now planned: we include it in version {{version}}. Once that version is released, we let you know again.\n\nFollow your ticket here:\n\n{{link}}\n\nKind regards,\nthe helpdesk\n"
        }
        (MailKind::Released, Lang::Nl) => {
            "Beste {{name}},\n\nDe oplossing voor uw melding {{number}} zit in versie {{version}}, die nu is uitgebracht. Wat er in deze versie is veranderd, leest u in het wijzigingsdocument:\n\n{{notes}}\n\nUw melding volgt u via deze link:\n\n{{link}}\n\nMet vriendelijke groet,\nde helpdesk\n"
        }
        (MailKind::Released, Lang::En) => {
            "Dear {{name}},\n\nThe solution for your ticket {{number}} is in version {{version}}, which has now been released. What changed in this version is in its change document:\n\n{{notes}}\n\nFollow your ticket here:\n\n{{link}}\n\nKind regards,\nthe helpdesk\n"
        }
        (MailKind::AgentReply, _) => "{{message}}\n\n--\nTicket {{number}}: {{link}}\n",
        (MailKind::InfoRequest, Lang::Nl) => {
            "{{message}}\n\nWij ontvangen uw reactie graag vóór {{until}}. Zonder reactie sluiten wij de melding op die datum.\n\n--\nTicket {{number}}: {{link}}\n"
        }
        (MailKind::InfoRequest, Lang::En) => {
            "{{message}}\n\nPlease reply before {{until}}. Without a reply we close the ticket on that date.\n\n--\nTicket {{number}}: {{link}}\n"
        }
        (MailKind::AutoResolved, Lang::Nl) => {
            "Beste {{name}},\n\nWij hebben geen reactie ontvangen op onze vraag. Daarom is melding {{number}} nu opgelost. Beantwoordt u deze e-mail, dan openen wij de melding opnieuw.\n\n{{link}}\n\nMet vriendelijke groet,\nde helpdesk\n"
        }
        (MailKind::AutoResolved, Lang::En) => {
            "Dear {{name}},\n\nWe received no reply to our question, so ticket {{number}} is now resolved. Reply to this e-mail and we reopen it.\n\n{{link}}\n\nKind regards,\nthe helpdesk\n"
        }
        (MailKind::PrivacyNotice, Lang::Nl) => {
            "Beste {{name}},\n\nIn uw bericht bij melding {{number}} trof de helpdesk persoonsgegevens aan van meerdere personen (zoals BSN, naam en adres, geboortedatum of IBAN). Wij willen die niet onbeveiligd per e-mail of via het portaal ontvangen. Stonden ze in een bijlage, dan hebben wij die bijlage daarom definitief verwijderd; uw vraag zelf behandelen wij gewoon.\n\nHet advies voor een volgende keer:\n- noem alleen het cliëntnummer; meestal is dat genoeg;\n- haal persoonsgegevens uit spreadsheets en exports voordat u ze meestuurt;\n- is het echt nodig, verstuur het dan beveiligd: met beveiligde e-mail (bijvoorbeeld Zivver of ZorgMail) of via de beveiligde bestandsuitwisseling van de helpdesk.\n\n{{message}}\n\n{{link}}\n"
        }
        (MailKind::PrivacyNotice, Lang::En) => {
            "Dear {{name}},\n\nYour message on ticket {{number}} contained personal data of several people (such as citizen service numbers, names and addresses, dates of birth or IBANs). We do not want to receive these unprotected by e-mail or through the portal, so where they were in an attachment, we removed that attachment for good; we handle your question as usual.\n\nOur advice for next time:\n- give only the client number; that is usually enough;\n- strip personal data from spreadsheets and exports before you send them;\n- when it is really needed, send it securely: by secure e-mail (for example Zivver or ZorgMail) or through the helpdesk's secure file exchange.\n\n{{message}}\n\n{{link}}\n"
        }
    };
    format!("{SUBJECT}{body}")
}

/// To an organisation's authorised contacts: `{{subject}}` is the
/// organisation, `{{number}}` the incidents, `{{until}}` the period.
fn privacy_threshold(lang: Lang) -> String {
    match lang {
        Lang::Nl => "Subject: Privacy-incidenten bij {{subject}}\n\nBeste {{name}},\n\nU bent een geautoriseerde contactpersoon van {{subject}}. In {{until}} ontving de helpdesk van uw organisatie {{number}} keer persoonsgegevens van inwoners of cliënten die niet nodig waren voor de vraag (zoals BSN, naam en adres of IBAN, vaak in een spreadsheet). Dat is de grens die wij met u hebben afgesproken.\n\nWilt u uw collega's erop wijzen dat:\n- alleen het cliëntnummer meestal genoeg is;\n- persoonsgegevens uit spreadsheets en exports gehaald moeten worden voordat ze worden meegestuurd;\n- wat echt nodig is beveiligd verstuurd wordt: met beveiligde e-mail (bijvoorbeeld Zivver of ZorgMail) of via de beveiligde bestandsuitwisseling van de helpdesk.\n\nDe incidenten komen aan bod in het volgende klantoverleg.\n\n{{link}}\n\nMet vriendelijke groet,\nde helpdesk\n".into(),
        Lang::En => "Subject: Privacy incidents at {{subject}}\n\nDear {{name}},\n\nYou are an authorised contact of {{subject}}. In {{until}} the helpdesk received personal data of residents or clients from your organisation {{number}} times that the question did not need (such as citizen service numbers, names and addresses or IBANs, often in a spreadsheet). That is the limit we agreed with you.\n\nPlease remind your colleagues that:\n- the client number alone is usually enough;\n- personal data must be stripped from spreadsheets and exports before they are sent;\n- what is really needed goes securely: by secure e-mail (for example Zivver or ZorgMail) or through the helpdesk's secure file exchange.\n\nThe incidents will be discussed at the next customer meeting.\n\n{{link}}\n\nKind regards,\nthe helpdesk\n".into(),
    }
}

/// To staff: `{{message}}` is the promise, `{{until}}` its deadline,
/// `{{link}}` the ticket in the workspace.
fn service_level(kind: MailKind, lang: Lang) -> String {
    match (kind, lang) {
        (MailKind::SlaWarning, Lang::Nl) => "Subject: Termijn loopt bijna af: [#{{number}}] {{subject}}\n\nDe termijn voor {{message}} op ticket {{number}} loopt af op {{until}}.\n\n{{link}}\n".into(),
        (MailKind::SlaWarning, Lang::En) => "Subject: Deadline near: [#{{number}}] {{subject}}\n\nThe deadline for the {{message}} on ticket {{number}} is {{until}}.\n\n{{link}}\n".into(),
        (_, Lang::Nl) => "Subject: Termijn verstreken: [#{{number}}] {{subject}}\n\nDe termijn voor {{message}} op ticket {{number}} is verstreken op {{until}}. De klant wacht.\n\n{{link}}\n".into(),
        (_, Lang::En) => "Subject: Deadline passed: [#{{number}}] {{subject}}\n\nThe deadline for the {{message}} on ticket {{number}} passed at {{until}}. The customer is waiting.\n\n{{link}}\n".into(),
    }
}

/// Outage-page mails: the confirmation link (`{{link}}`), and an update
/// (`{{subject}}` the outage, `{{until}}` its state, `{{message}}` the text,
/// `{{link}}` the unsubscribe link, `{{notes}}` the page).
fn outage_mail(kind: MailKind, lang: Lang) -> String {
    match (kind, lang) {
        (MailKind::OutageSubscribe, Lang::Nl) => "Subject: Bevestig uw aanmelding voor storingsberichten\n\nGoedendag,\n\nIemand (hopelijk u) heeft dit adres aangemeld voor berichten over storingen en onderhoud. Met deze link bevestigt u dat:\n\n{{link}}\n\nHeeft u hier niet om gevraagd? Dan kunt u deze e-mail negeren; u krijgt dan niets.\n\nMet vriendelijke groet,\nde helpdesk\n".into(),
        (MailKind::OutageSubscribe, Lang::En) => "Subject: Confirm your subscription to outage updates\n\nHello,\n\nSomeone (hopefully you) subscribed this address to updates about outages and maintenance. Confirm with this link:\n\n{{link}}\n\nDid you not ask for this? Then ignore this e-mail; you will get nothing.\n\nKind regards,\nthe helpdesk\n".into(),
        (_, Lang::Nl) => "Subject: {{subject}} ({{until}})\n\n{{message}}\n\nAlles over storingen en onderhoud: {{notes}}\n\nGeen storingsberichten meer ontvangen? Meld u af: {{link}}\n".into(),
        (_, Lang::En) => "Subject: {{subject}} ({{until}})\n\n{{message}}\n\nEverything about outages and maintenance: {{notes}}\n\nNo more outage updates? Unsubscribe: {{link}}\n".into(),
    }
}

fn forum_mail(kind: MailKind, lang: Lang) -> String {
    match (kind, lang) {
        (MailKind::ForumReply, Lang::Nl) => "Subject: Nieuwe reactie: {{subject}}\n\n{{name}} reageerde op het forum op \"{{subject}}\":\n\n{{message}}\n\nLees en reageer op het forum: {{notes}}\n\nU krijgt deze e-mail omdat u dit onderwerp volgt. Afmelden: {{link}}\n".into(),
        (MailKind::ForumReply, Lang::En) => "Subject: New reply: {{subject}}\n\n{{name}} replied on the forum to \"{{subject}}\":\n\n{{message}}\n\nRead and reply on the forum: {{notes}}\n\nYou get this e-mail because you follow this topic. Unsubscribe: {{link}}\n".into(),
        (_, Lang::Nl) => "Subject: Oplossing gevonden: {{subject}}\n\nOp het forum is deze reactie van {{name}} gemarkeerd als de oplossing voor \"{{subject}}\":\n\n{{message}}\n\nHet hele onderwerp: {{notes}}\n\nU krijgt deze e-mail omdat u dit onderwerp volgt. Afmelden: {{link}}\n".into(),
        (_, Lang::En) => "Subject: Solution found: {{subject}}\n\nOn the forum, this reply by {{name}} is marked as the solution to \"{{subject}}\":\n\n{{message}}\n\nThe whole topic: {{notes}}\n\nYou get this e-mail because you follow this topic. Unsubscribe: {{link}}\n".into(),
    }
}

fn account(lang: Lang) -> String {
    match lang {
        Lang::Nl => "Subject: Uw toegang tot het helpdeskportaal\n\nGoedendag,\n\nMet deze link stelt u uw wachtwoord voor het helpdeskportaal in (de link werkt één keer en 24 uur lang):\n\n{{link}}\n\nHeeft u hier niet om gevraagd? Dan kunt u deze e-mail negeren.\n\nMet vriendelijke groet,\nde helpdesk\n".into(),
        Lang::En => "Subject: Your access to the helpdesk portal\n\nHello,\n\nUse this link to set your password for the helpdesk portal (it works once, for 24 hours):\n\n{{link}}\n\nDid you not ask for this? Then you can ignore this e-mail.\n\nKind regards,\nthe helpdesk\n".into(),
    }
}

fn staff_account(lang: Lang) -> String {
    match lang {
        Lang::Nl => "Subject: Uw account voor de helpdeskwerkplek\n\nGoedendag,\n\nEr is een account voor u aangemaakt in de werkplek van de helpdesk. Met deze link stelt u uw wachtwoord in (de link werkt één keer en 48 uur lang):\n\n{{link}}\n\nDaarna logt u in op de werkplek. Verwachtte u deze e-mail niet? Neem dan contact op met de beheerder.\n\nMet vriendelijke groet,\nde helpdesk\n".into(),
        Lang::En => "Subject: Your helpdesk workspace account\n\nHello,\n\nAn account was made for you in the helpdesk's workspace. Use this link to set your password (it works once, for 48 hours):\n\n{{link}}\n\nThen sign in to the workspace. Did you not expect this e-mail? Then contact the administrator.\n\nKind regards,\nthe helpdesk\n".into(),
    }
}

/// The templates, with overrides from a folder.
#[derive(Debug, Clone, Default)]
pub struct Templates {
    dir: Option<PathBuf>,
}

impl Templates {
    /// Templates overridable from `dir` (usually `<data_dir>/templates`).
    pub fn new(dir: Option<&Path>) -> Self {
        Self {
            dir: dir.map(Path::to_path_buf),
        }
    }

    /// Renders a mail.
    pub fn render(&self, kind: MailKind, lang: Lang, vars: &Vars) -> Rendered {
        let text = self
            .dir
            .as_ref()
            .and_then(|d| std::fs::read_to_string(d.join(format!("{}.{}.txt", kind.id(), lang.id()))).ok())
            .unwrap_or_else(|| builtin(kind, lang));
        // The subject line and the body are split before expansion, so no value
        // can add a line to the subject or start the body.
        let (subject, body) = match text.strip_prefix("Subject:") {
            Some(rest) => {
                let (s, b) = rest.split_once('\n').unwrap_or((rest, ""));
                (fill(s.trim(), vars), fill(b.trim_start_matches(['\r', '\n']), vars))
            }
            None => (format!("[#{}] {}", vars.number, vars.subject), fill(&text, vars)),
        };
        let subject = subject.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
        Rendered { subject, body }
    }
}

/// Expands the template's own `{{name}}` placeholders in one pass over its
/// text: a value is copied as it is, so a placeholder inside user data (a
/// subject containing `{{link}}`) stays text. Unknown placeholders stay too.
pub fn fill(text: &str, v: &Vars) -> String {
    let mut out = String::with_capacity(text.len() + v.message.len() + 256);
    let mut rest = text;
    while let Some(open) = rest.find("{{") {
        out.push_str(&rest[..open]);
        let after = &rest[open + 2..];
        let value = after.find("}}").and_then(|close| {
            let value = match &after[..close] {
                "number" => &v.number,
                "subject" => &v.subject,
                "name" => &v.name,
                "link" => &v.link,
                "message" => &v.message,
                "until" => &v.until,
                "version" => &v.version,
                "notes" => &v.notes,
                "promise" => &v.promise,
                _ => return None,
            };
            Some((value, close))
        });
        if let Some((value, close)) = value {
            out.push_str(value);
            rest = &after[close + 2..];
        } else {
            out.push_str("{{");
            rest = after;
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars() -> Vars {
        Vars {
            number: "100001".into(),
            subject: "Printer".into(),
            name: "Jan".into(),
            link: "http://x/t/1/a".into(),
            ..Vars::default()
        }
    }

    #[test]
    fn every_builtin_renders_in_both_languages() {
        for kind in MailKind::ALL {
            for lang in [Lang::Nl, Lang::En] {
                let r = Templates::default().render(*kind, lang, &vars());
                if matches!(*kind, MailKind::PrivacyThreshold) {
                    assert!(r.subject.contains("Printer") && r.body.contains("100001") && !r.body.contains("{{"));
                    continue;
                }
                if matches!(
                    *kind,
                    MailKind::OutageSubscribe | MailKind::OutageUpdate | MailKind::ForumReply | MailKind::ForumSolution
                ) {
                    assert!(r.body.contains("http://x/t/1/a") && !r.subject.is_empty() && !r.body.contains("{{"));
                    continue;
                }
                if matches!(*kind, MailKind::SlaWarning | MailKind::SlaBreach) {
                    assert!(r.subject.ends_with("[#100001] Printer") && r.body.contains("http://x/t/1/a"));
                    assert!(!r.body.contains("{{"), "{kind:?} {lang:?}: {}", r.body);
                    continue;
                }
                if matches!(*kind, MailKind::Access | MailKind::StaffAccess) {
                    assert!(r.body.contains("http://x/t/1/a") && !r.subject.is_empty() && !r.body.contains("{{"));
                    continue;
                }
                assert_eq!(r.subject, "[#100001] Printer");
                assert!(
                    r.body.contains("100001") && !r.body.contains("{{"),
                    "{kind:?} {lang:?}: {}",
                    r.body
                );
            }
        }
        let nl = Templates::default().render(MailKind::Confirmation, Lang::Nl, &vars());
        assert!(nl.body.contains("http://x/t/1/a") && nl.body.starts_with("Beste Jan"));
        let promised = Vars {
            promise: "\nU krijgt vóór 21 december 2026 om 16:45 een antwoord.".into(),
            ..vars()
        };
        let nl = Templates::default().render(MailKind::Confirmation, Lang::Nl, &promised);
        assert!(
            nl.body
                .contains("100001.\nU krijgt vóór 21 december 2026 om 16:45 een antwoord.\nU volgt"),
            "{}",
            nl.body
        );
    }

    #[test]
    fn placeholders_in_values_stay_text() {
        let v = Vars {
            subject: "Klik {{link}} en {{name}}\r\nBcc: x@evil.nl".into(),
            link: "http://x/t/1/geheim".into(),
            ..vars()
        };
        let r = Templates::default().render(MailKind::Confirmation, Lang::Nl, &v);
        assert!(!r.subject.contains("geheim"), "{}", r.subject);
        assert!(r.subject.contains("{{link}}") && r.subject.contains("{{name}}"));
        assert!(!r.subject.contains('\n') && !r.subject.contains('\r'));
        assert_eq!(fill("{{a}} {{number", &vars()), "{{a}} {{number");
    }

    #[test]
    fn a_file_in_the_data_folder_overrides() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        std::fs::write(
            dir.path().join("confirmation.nl.txt"),
            "Subject: Ontvangen {{number}}\n\nDank, {{name}}.",
        )
        .unwrap_or_default();
        let r = Templates::new(Some(dir.path())).render(MailKind::Confirmation, Lang::Nl, &vars());
        assert_eq!(
            r,
            Rendered {
                subject: "Ontvangen 100001".into(),
                body: "Dank, Jan.".into()
            }
        );
        let en = Templates::new(Some(dir.path())).render(MailKind::Confirmation, Lang::En, &vars());
        assert!(en.body.starts_with("Dear Jan"));
    }
}
