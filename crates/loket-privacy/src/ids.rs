//! Numbers with check digits: BSN (the eleven-test) and IBAN (ISO 13616,
//! mod 97), found in text with or without separators.

/// Whether 8 or 9 digits pass the BSN eleven-test (8 digits: a leading zero).
pub fn is_bsn(digits: &[u8]) -> bool {
    if !digits.iter().all(u8::is_ascii_digit) {
        return false;
    }
    let d: Vec<u32> = match digits.len() {
        9 => digits.iter().map(|b| u32::from(b - b'0')).collect(),
        8 => std::iter::once(0)
            .chain(digits.iter().map(|b| u32::from(b - b'0')))
            .collect(),
        _ => return false,
    };
    if d.iter().all(|x| *x == 0) {
        return false;
    }
    let sum: i64 = d[..8]
        .iter()
        .zip((2..=9).rev())
        .map(|(x, w)| i64::from(*x) * w)
        .sum::<i64>()
        - i64::from(d[8]);
    sum % 11 == 0
}

/// IBAN lengths per country (the SWIFT registry); unknown countries are
/// checked by their check digits and a length of 15 to 34.
const LENGTHS: &[(&str, usize)] = &[
    ("AD", 24),
    ("AE", 23),
    ("AL", 28),
    ("AT", 20),
    ("AZ", 28),
    ("BA", 20),
    ("BE", 16),
    ("BG", 22),
    ("BH", 22),
    ("BR", 29),
    ("BY", 28),
    ("CH", 21),
    ("CR", 22),
    ("CY", 28),
    ("CZ", 24),
    ("DE", 22),
    ("DK", 18),
    ("DO", 28),
    ("EE", 20),
    ("EG", 29),
    ("ES", 24),
    ("FI", 18),
    ("FO", 18),
    ("FR", 27),
    ("GB", 22),
    ("GE", 22),
    ("GI", 23),
    ("GL", 18),
    ("GR", 27),
    ("GT", 28),
    ("HR", 21),
    ("HU", 28),
    ("IE", 22),
    ("IL", 23),
    ("IQ", 23),
    ("IS", 26),
    ("IT", 27),
    ("JO", 30),
    ("KW", 30),
    ("KZ", 20),
    ("LB", 28),
    ("LC", 32),
    ("LI", 21),
    ("LT", 20),
    ("LU", 20),
    ("LV", 21),
    ("MC", 27),
    ("MD", 24),
    ("ME", 22),
    ("MK", 19),
    ("MR", 27),
    ("MT", 31),
    ("MU", 30),
    ("NL", 18),
    ("NO", 15),
    ("PK", 24),
    ("PL", 28),
    ("PS", 29),
    ("PT", 25),
    ("QA", 29),
    ("RO", 24),
    ("RS", 22),
    ("SA", 24),
    ("SC", 31),
    ("SE", 24),
    ("SI", 19),
    ("SK", 24),
    ("SM", 27),
    ("ST", 25),
    ("SV", 28),
    ("TL", 23),
    ("TN", 24),
    ("TR", 26),
    ("UA", 29),
    ("VA", 22),
    ("VG", 24),
    ("XK", 20),
];

/// Whether a compact, upper-case IBAN candidate is valid.
pub(crate) fn is_iban(iban: &[u8]) -> bool {
    if iban.len() < 15 || iban.len() > 34 {
        return false;
    }
    if !(iban[0].is_ascii_uppercase()
        && iban[1].is_ascii_uppercase()
        && iban[2].is_ascii_digit()
        && iban[3].is_ascii_digit())
    {
        return false;
    }
    let country = std::str::from_utf8(&iban[..2]).unwrap_or_default();
    if let Some((_, len)) = LENGTHS.iter().find(|(c, _)| *c == country)
        && *len != iban.len()
    {
        return false;
    }
    // Move the first four characters to the end, letters as 10..35, mod 97.
    let mut rem: u32 = 0;
    for &b in iban[4..].iter().chain(&iban[..4]) {
        let v = match b {
            b'0'..=b'9' => u32::from(b - b'0'),
            b'A'..=b'Z' => u32::from(b - b'A') + 10,
            _ => return false,
        };
        rem = if v >= 10 {
            (rem * 100 + v) % 97
        } else {
            (rem * 10 + v) % 97
        };
    }
    rem == 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_eleven_test() {
        assert!(is_bsn(b"111222333"));
        assert!(is_bsn(b"123456782"));
        assert!(!is_bsn(b"123456789"));
        assert!(!is_bsn(b"000000000"));
        assert!(is_bsn(b"12345672"), "eight digits: a leading zero");
    }

    #[test]
    fn iban_check_digits() {
        assert!(is_iban(b"NL91ABNA0417164300"));
        assert!(is_iban(b"GB82WEST12345698765432"));
        assert!(is_iban(b"DE89370400440532013000"));
        assert!(!is_iban(b"NL91ABNA0417164301"));
        assert!(!is_iban(b"NL91ABNA041716430"), "too short for NL");
    }
}
