//! The domain's records and their vocabularies.

mod enums;
mod records;

pub use enums::*;
pub use records::*;

/// The display language of a page or mail.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    /// Dutch, the default.
    #[default]
    Nl,
    /// English.
    En,
}

impl Lang {
    /// The language code (`nl`, `en`).
    pub fn id(self) -> &'static str {
        match self {
            Lang::Nl => "nl",
            Lang::En => "en",
        }
    }

    /// Parses a language code; anything unknown is Dutch.
    pub fn parse_or_default(code: &str) -> Self {
        if code.eq_ignore_ascii_case("en") {
            Lang::En
        } else {
            Lang::Nl
        }
    }
}

/// Normalises an e-mail address for identity: trimmed and lower-cased; refuses
/// what Loket could not send mail to (RFC 5321 dot-atom local part, a domain of
/// letter/digit/hyphen labels with a top-level name; no quoted local parts,
/// comments, lists or address literals).
pub fn normalise_email(raw: &str) -> crate::Result<String> {
    let e = raw.trim().to_lowercase();
    if valid_address(&e) {
        Ok(e)
    } else {
        let shown: String = raw.trim().chars().take(100).collect();
        Err(crate::Problem::NotAnEmail(shown).into())
    }
}

fn valid_address(e: &str) -> bool {
    let Some((local, domain)) = e.rsplit_once('@') else {
        return false;
    };
    e.len() <= 254 && valid_local_part(local) && valid_domain(domain)
}

fn valid_local_part(local: &str) -> bool {
    (1..=64).contains(&local.len())
        && local.split('.').all(|atom| {
            !atom.is_empty()
                && atom
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "!#$%&'*+/=?^_`{|}~-".contains(c))
        })
}

/// Whether `domain` is a host name with at least two labels whose last one is
/// not numeric (so no IP addresses), in ASCII (an international domain in its
/// `xn--` form): look-alike letters from other scripts cannot pass for a
/// customer's domain, and every mail server takes the address.
pub fn valid_domain(domain: &str) -> bool {
    let labels: Vec<&str> = domain.split('.').collect();
    (1..=253).contains(&domain.len())
        && labels.len() >= 2
        && labels.iter().all(|l| {
            (1..=63).contains(&l.chars().count())
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        })
        && labels
            .last()
            .is_some_and(|tld| tld.chars().count() >= 2 && !tld.chars().all(|c| c.is_ascii_digit()))
}

/// The domain part of a normalised address.
pub fn email_domain(email: &str) -> &str {
    email.rsplit_once('@').map_or("", |(_, d)| d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_normalised_and_checked() {
        assert_eq!(
            normalise_email(" Jan@Gemeente.NL ").ok().as_deref(),
            Some("jan@gemeente.nl")
        );
        for bad in [
            "",
            "jan",
            "jan@",
            "@x.nl",
            "jan@nl",
            "a b@x.nl",
            "a@x.nl.",
            "<a@x.nl>",
            "a,b@x.nl",
            "a@[127.0.0.1]",
            "a@127.0.0.1",
            "(c)a@x.nl",
            "a..b@x.nl",
            ".a@x.nl",
            "a@-x.nl",
            "a@x_y.nl",
            "\"a b\"@x.nl",
            "a@b@x.nl",
            "a@münchen.de",
            "jan@\u{ff47}emeente.nl",
        ] {
            assert!(normalise_email(bad).is_err(), "{bad}");
        }
        for good in [
            "j.de.vries@gemeente-utrecht.nl",
            "info+loket@x.nl",
            "o'brien@x.co.uk",
            "a@xn--mnchen-3ya.de",
        ] {
            assert!(normalise_email(good).is_ok(), "{good}");
        }
        let long = format!("{}@x.nl", "a".repeat(1_000_000));
        let Err(crate::DomainError::Invalid(crate::Problem::NotAnEmail(shown))) = normalise_email(&long) else {
            panic!("refused")
        };
        assert_eq!(shown.len(), 100, "a huge input is not echoed back whole");
        assert_eq!(email_domain("a@b.nl"), "b.nl");
    }
}
