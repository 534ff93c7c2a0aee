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
/// what is clearly not an address.
pub fn normalise_email(raw: &str) -> crate::Result<String> {
    let e = raw.trim().to_lowercase();
    let valid = e.len() <= 254
        && e.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !domain.contains('@')
        })
        && !e
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || c == '<' || c == '>');
    if valid {
        Ok(e)
    } else {
        Err(crate::DomainError::invalid(format!(
            "'{}' is not a valid e-mail address",
            raw.trim()
        )))
    }
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
        for bad in ["", "jan", "jan@", "@x.nl", "jan@nl", "a b@x.nl", "a@x.nl.", "<a@x.nl>"] {
            assert!(normalise_email(bad).is_err(), "{bad}");
        }
        assert_eq!(email_domain("a@b.nl"), "b.nl");
    }
}
