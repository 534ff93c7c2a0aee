//! Mail domains of public providers: many unrelated people share them, so they
//! never make anyone part of an organisation.

/// Domains of public mail providers common in the Netherlands and abroad.
const PUBLIC: &[&str] = &[
    "aol.com",
    "casema.nl",
    "chello.nl",
    "fastmail.com",
    "freeler.nl",
    "gmail.com",
    "gmx.com",
    "gmx.de",
    "gmx.net",
    "googlemail.com",
    "hccnet.nl",
    "hetnet.nl",
    "hey.com",
    "home.nl",
    "hotmail.com",
    "hotmail.nl",
    "icloud.com",
    "kpnmail.nl",
    "kpnplanet.nl",
    "live.com",
    "live.nl",
    "mac.com",
    "mail.com",
    "me.com",
    "msn.com",
    "online.nl",
    "outlook.com",
    "outlook.nl",
    "planet.nl",
    "pm.me",
    "proton.me",
    "protonmail.com",
    "quicknet.nl",
    "solcon.nl",
    "tele2.nl",
    "telfort.nl",
    "tutanota.com",
    "upcmail.nl",
    "web.de",
    "xs4all.nl",
    "yahoo.com",
    "yahoo.nl",
    "yandex.com",
    "zeelandnet.nl",
    "ziggo.nl",
    "zoho.com",
];

/// Whether `domain` (lower-case) belongs to a public mail provider.
pub fn is_public_mail_domain(domain: &str) -> bool {
    PUBLIC.binary_search(&domain).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_list_is_sorted_and_found() {
        assert!(PUBLIC.windows(2).all(|w| w[0] < w[1]), "binary search needs order");
        assert!(is_public_mail_domain("gmail.com") && is_public_mail_domain("ziggo.nl"));
        assert!(!is_public_mail_domain("utrecht.nl"));
    }
}
