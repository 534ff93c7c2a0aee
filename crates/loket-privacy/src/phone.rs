//! Phone numbers: Dutch fixed and mobile numbers (`06-12345678`,
//! `020 123 4567`), with `+31` or `0031` (and the `(0)` people write after
//! it), and international numbers after `+` or `00`.

/// Characters that may stand between the digits of a phone number.
fn separator(b: u8) -> bool {
    matches!(b, b' ' | b'-' | b'.' | b'/' | b'(' | b')')
}

/// A phone number starting at `at` (a boundary): where it ends and its
/// digits as dialled internationally (`31612345678`).
pub(crate) fn at(s: &[u8], at: usize) -> Option<(usize, String)> {
    let plus = s[at] == b'+';
    // "(0416) 858783": an area code in brackets.
    let bracket = s[at] == b'(';
    let mut i = at + usize::from(plus || bracket);
    let mut digits = String::new();
    let mut seps = 0;
    let mut last_digit_end = i;
    while i < s.len() {
        let b = s[i];
        if b.is_ascii_digit() {
            digits.push(char::from(b));
            seps = 0;
            last_digit_end = i + 1;
        } else if separator(b) && !digits.is_empty() {
            seps += 1;
            if seps > 2 {
                break;
            }
        } else {
            break;
        }
        i += 1;
        if digits.len() > 16 {
            return None;
        }
    }
    // Never glued to a letter or digit after.
    if s.get(last_digit_end).is_some_and(u8::is_ascii_alphanumeric) {
        return None;
    }
    let international = if plus {
        Some(digits.as_str())
    } else {
        digits.strip_prefix("00")
    };
    let normal = if let Some(rest) = international {
        if let Some(nl) = rest.strip_prefix("31") {
            // "+31 (0)6 …": the 0 is not dialled. After an explicit +31 a
            // number a digit short (as often mistyped) still is one.
            let nl = nl.strip_prefix('0').unwrap_or(nl);
            ((8..=9).contains(&nl.len()) && !nl.starts_with('0')).then(|| format!("31{nl}"))?
        } else if (8..=15).contains(&rest.len()) && !rest.starts_with('0') {
            rest.to_owned()
        } else {
            return None;
        }
    } else if digits.len() == 10 && digits.starts_with('0') && !digits.starts_with("00") {
        format!("31{}", &digits[1..])
    } else {
        return None;
    };
    Some((last_digit_end, normal))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn find(s: &str) -> Option<String> {
        at(s.as_bytes(), 0).map(|(_, n)| n)
    }

    #[test]
    fn dutch_and_international_forms() {
        for (text, want) in [
            ("06-12345678", "31612345678"),
            ("06 12 34 56 78", "31612345678"),
            ("0612345678", "31612345678"),
            ("+31 6 12345678", "31612345678"),
            ("+31 (0)6 1234 5678", "31612345678"),
            ("0031 6 12345678", "31612345678"),
            ("020-1234567", "31201234567"),
            ("0591 123456", "31591123456"),
            ("+44 20 7946 0958", "442079460958"),
            ("(0416) 858783", "31416858783"),
            ("+31058 492386", "3158492386"),
        ] {
            assert_eq!(find(text).as_deref(), Some(want), "{text}");
        }
        for not in [
            "01-02-2020",
            "123456782",
            "100001",
            "06-1234567",
            "061234567890",
            "0612345678a",
        ] {
            assert_eq!(find(not), None, "{not}");
        }
    }
}
