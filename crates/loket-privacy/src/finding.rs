//! What a detector reports: the kind, where, a masked preview, and a key
//! that tells equal values apart without keeping them.

use std::hash::{Hash, Hasher};

/// The kinds of personal data found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    /// Burgerservicenummer (passes the eleven-test).
    Bsn,
    /// Bank account number (ISO 13616 check digits).
    Iban,
    /// An e-mail address that is not a known one.
    Email,
    /// A phone number.
    Phone,
    /// A Dutch address: street and house number, or postcode and house number.
    Address,
    /// A date of birth (a date the context calls one).
    BirthDate,
    /// A person's name (where the context shows it is one).
    Name,
}

impl Kind {
    /// A stable id (for storage and reports).
    pub fn id(self) -> &'static str {
        match self {
            Kind::Bsn => "bsn",
            Kind::Iban => "iban",
            Kind::Email => "email",
            Kind::Phone => "phone",
            Kind::Address => "address",
            Kind::BirthDate => "birth_date",
            Kind::Name => "name",
        }
    }
}

/// Where a finding is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Place {
    /// In running text, on this line (from 1).
    Line(usize),
    /// In a table: the sheet (when it has a name), row and column (from 1).
    Cell {
        /// The sheet's name.
        sheet: Option<String>,
        /// The row.
        row: usize,
        /// The column.
        column: usize,
    },
}

/// One finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// What it is.
    pub kind: Kind,
    /// Where it is.
    pub place: Place,
    /// The value masked, enough for an agent to recognise it.
    pub preview: String,
    /// A hash of the normalised value, to count distinct values (not stored).
    pub key: u64,
}

/// The counting key of a normalised value.
pub(crate) fn key(kind: Kind, normalised: &str) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    kind.hash(&mut h);
    normalised.hash(&mut h);
    h.finish()
}

/// Keeps the last `keep` characters, masking the rest with `•`.
pub(crate) fn mask_tail(value: &str, keep: usize) -> String {
    let n = value.chars().count();
    value
        .chars()
        .enumerate()
        .map(|(i, c)| {
            if i + keep >= n || !c.is_alphanumeric() {
                c
            } else {
                '•'
            }
        })
        .collect()
}
