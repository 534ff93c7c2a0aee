//! What is scanned (pieces of text and tables taken from a message or an
//! attachment, or a note that a part could not be read) and what a scan of
//! one item comes to: counts per kind, people, a few masked samples.

use crate::finding::{Finding, Kind, Place};
use crate::scan::{Known, people, scan_table, scan_text};
use std::collections::BTreeMap;

/// Why a part was not scanned (it is then never called clean).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotScanned {
    /// An image, and no OCR program is installed.
    NoOcr,
    /// A kind of file the extractor cannot read.
    Unsupported,
    /// A damaged or encrypted file.
    Unreadable,
    /// Beyond the limits on size, count or depth (archives).
    TooLarge,
}

impl NotScanned {
    /// A stable id (for storage).
    pub fn id(self) -> &'static str {
        match self {
            NotScanned::NoOcr => "no_ocr",
            NotScanned::Unsupported => "unsupported",
            NotScanned::Unreadable => "unreadable",
            NotScanned::TooLarge => "too_large",
        }
    }
}

/// A piece of content. `part` names where it is inside the item (a file in
/// an archive, a page); empty for the item itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece {
    /// Running text.
    Text {
        /// Where inside the item.
        part: String,
        /// The text.
        text: String,
    },
    /// A table (a spreadsheet's sheet, a CSV file).
    Table {
        /// Where inside the item.
        part: String,
        /// The sheet's name.
        sheet: Option<String>,
        /// The rows.
        rows: Vec<Vec<String>>,
    },
    /// A part that could not be read.
    NotScanned {
        /// Where inside the item.
        part: String,
        /// Why.
        reason: NotScanned,
    },
}

/// One finding as shown to an agent: kind, where, masked value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sample {
    /// What it is.
    pub kind: Kind,
    /// The part inside the item (empty for the item itself).
    pub part: String,
    /// Where in that part.
    pub place: Place,
    /// The masked value.
    pub preview: String,
}

/// What the scan of one item (a message's text, an attachment) found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    /// Findings per kind.
    pub counts: BTreeMap<Kind, usize>,
    /// Distinct people the findings point to.
    pub people: usize,
    /// The first few findings, masked.
    pub samples: Vec<Sample>,
    /// Parts that could not be read.
    pub not_scanned: Vec<(String, NotScanned)>,
}

/// One scanned item: its findings (for counting people across items) and
/// its summary.
#[derive(Debug, Clone, Default)]
pub struct Item {
    /// Every finding (not to be stored: keys only count).
    pub findings: Vec<Finding>,
    /// The summary.
    pub summary: Summary,
}

/// How many samples a summary keeps.
const SAMPLES: usize = 5;

/// Scans every piece of one item.
pub fn summarise(pieces: &[Piece], known: &Known) -> Item {
    let mut item = Item::default();
    for piece in pieces {
        let (part, found) = match piece {
            Piece::Text { part, text } => (part, scan_text(text, known)),
            Piece::Table { part, sheet, rows } => (part, scan_table(sheet.as_deref(), rows, known)),
            Piece::NotScanned { part, reason } => {
                item.summary.not_scanned.push((part.clone(), *reason));
                continue;
            }
        };
        for f in found {
            *item.summary.counts.entry(f.kind).or_default() += 1;
            if item.summary.samples.len() < SAMPLES {
                item.summary.samples.push(Sample {
                    kind: f.kind,
                    part: part.clone(),
                    place: f.place.clone(),
                    preview: f.preview.clone(),
                });
            }
            item.findings.push(f);
        }
    }
    item.summary.people = people(&item.findings);
    item
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_summary_counts_people_across_pieces_and_keeps_unread_parts() {
        let pieces = vec![
            Piece::Text {
                part: String::new(),
                text: "BSN 111222333".into(),
            },
            Piece::Table {
                part: "lijst.csv".into(),
                sheet: None,
                rows: vec![vec!["BSN".into()], vec!["123456782".into()], vec!["111222333".into()]],
            },
            Piece::NotScanned {
                part: "foto.jpg".into(),
                reason: NotScanned::NoOcr,
            },
        ];
        let item = summarise(&pieces, &Known::default());
        assert_eq!(item.summary.people, 2);
        assert_eq!(item.summary.counts.get(&Kind::Bsn), Some(&3));
        assert_eq!(item.summary.samples[1].part, "lijst.csv");
        assert_eq!(
            item.summary.not_scanned,
            vec![("foto.jpg".to_owned(), NotScanned::NoOcr)]
        );
        assert!(item.summary.samples.iter().all(|s| !s.preview.contains("222333")));
    }
}
