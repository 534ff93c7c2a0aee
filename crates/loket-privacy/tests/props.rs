//! Properties of the number detectors over generated values: every valid
//! BSN and IBAN is found wherever it stands in a sentence, in the usual
//! spellings; numbers that fail their check are never reported as one.
#![allow(clippy::unwrap_used)]

use loket_privacy::{Kind, Known, scan_text};
use proptest::prelude::*;

/// A valid BSN from eight digits (the ninth makes the eleven-test pass),
/// or none when no ninth digit can.
fn bsn(first: [u8; 8]) -> Option<String> {
    let sum: u32 = first.iter().zip((2..=9).rev()).map(|(d, w)| u32::from(*d) * w).sum();
    let check = sum % 11;
    (check < 10 && first.iter().any(|d| *d != 0))
        .then(|| first.iter().map(|d| char::from(b'0' + d)).collect::<String>() + &check.to_string())
}

/// A Dutch IBAN with correct check digits for a bank code and account.
fn iban(bank: &str, account: u64) -> String {
    let bban = format!("{bank}{account:010}");
    let digits: String = format!("{bban}NL00")
        .chars()
        .map(|c| {
            if c.is_ascii_digit() {
                c.to_string()
            } else {
                (u32::from(c) - 55).to_string()
            }
        })
        .collect();
    let rem = digits
        .chars()
        .fold(0u32, |r, c| (r * 10 + c.to_digit(10).unwrap()) % 97);
    format!("NL{:02}{bban}", 98 - rem)
}

fn found(text: &str, kind: Kind) -> usize {
    scan_text(text, &Known::default())
        .iter()
        .filter(|f| f.kind == kind)
        .count()
}

proptest! {
    #[test]
    fn any_text_is_read_to_its_end(text in "\\PC{0,200}") {
        // Every scan ends, whatever the input (a loop here would hang the test).
        let _ = scan_text(&text, &Known::default());
    }

    #[test]
    fn any_text_of_digits_and_signs_is_read_to_its_end(text in "[0-9 +()./@A-Za-z-]{0,80}") {
        let _ = scan_text(&text, &Known::default());
    }

    #[test]
    fn numbers_and_words_mixed_with_wide_characters_are_read(text in "[0-9A-Zaéë€ó ,.:@+()-]{0,60}") {
        // Postcodes, house numbers and addresses next to characters of more
        // than one byte (a slice in the middle of one would panic).
        let _ = scan_text(&text, &Known::default());
        let _ = loket_privacy::scan_table(None, &[vec!["Naam".into()], vec![text.clone()]], &Known::default());
    }

    #[test]
    fn every_valid_bsn_is_found_in_any_spelling(first in proptest::array::uniform8(0u8..10), sep in 0usize..3) {
        if let Some(b) = bsn(first) {
            let written = match sep {
                0 => b.clone(),
                1 => format!("{} {} {}", &b[..3], &b[3..6], &b[6..]),
                _ => format!("{}.{}.{}", &b[..4], &b[4..6], &b[6..]),
            };
            let text = format!("Het gaat om cliënt met BSN {written}, zie bijlage.");
            prop_assert_eq!(found(&text, Kind::Bsn), 1, "{}", text);
        }
    }

    #[test]
    fn nine_digits_that_fail_the_eleven_test_are_no_bsn(n in 100_000_000u32..1_000_000_000) {
        let s = n.to_string();
        let digits: Vec<u32> = s.chars().map(|c| c.to_digit(10).unwrap()).collect();
        let sum: i64 = digits[..8].iter().zip((2..=9).rev()).map(|(d, w)| i64::from(*d) * w).sum::<i64>() - i64::from(digits[8]);
        let text = format!("Factuurnummer {s} is betaald.");
        if sum % 11 != 0 {
            prop_assert_eq!(found(&text, Kind::Bsn), 0, "{}", text);
        }
    }

    #[test]
    fn every_valid_iban_is_found_spaced_or_not(bank in "[A-Z]{4}", account in 0u64..10_000_000_000, spaced: bool) {
        let i = iban(&bank, account);
        let written = if spaced {
            i.as_bytes().chunks(4).map(|c| String::from_utf8_lossy(c).into_owned()).collect::<Vec<_>>().join(" ")
        } else {
            i.clone()
        };
        let text = format!("Graag terugstorten op {written} t.n.v. de gemeente.");
        prop_assert_eq!(found(&text, Kind::Iban), 1, "{}", text);
        // One changed digit breaks the check.
        let last = i.chars().last().unwrap().to_digit(10).unwrap();
        let broken = format!("{}{}", &i[..i.len() - 1], (last + 1) % 10);
        prop_assert_eq!(found(&format!("Rekening {broken}."), Kind::Iban), 0);
    }
}
