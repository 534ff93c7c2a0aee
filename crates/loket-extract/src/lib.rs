//! Text and tables from attachments, for the privacy scan: plain text and
//! CSV, spreadsheets (XLSX, XLS, ODS), DOCX and ODT, PDF text, HTML, nested
//! mails, ZIP archives (bounded against zip bombs) and images through the
//! `tesseract` program where it is installed. A part that cannot be read is
//! answered as not scanned, never as empty.

mod archive;
mod kind;
mod mail;
mod ocr;
mod office;
mod pdf;
mod text;
mod write;

pub use kind::{FileKind, kind_of};
pub use loket_privacy::{NotScanned, Piece};
pub use write::{write_xlsx, xlsx_with_sheet_xml};

/// Most cells read from one table file (CSV or spreadsheet); the rest is
/// not scanned. Bounds the memory one file takes (a few hundred MB).
pub(crate) const MAX_CELLS: usize = 5_000_000;

/// Bounds on what one attachment may unfold into.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Most bytes unpacked from archives and documents, in total.
    pub max_total_bytes: u64,
    /// Most files read from archives, in total.
    pub max_files: usize,
    /// Deepest nesting of archives and mails.
    pub max_depth: usize,
    /// Whether images go through OCR (when `tesseract` is installed).
    pub ocr: bool,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_total_bytes: 200 * 1024 * 1024,
            max_files: 2_000,
            max_depth: 4,
            ocr: true,
        }
    }
}

/// What is left of the limits while one attachment unfolds.
pub(crate) struct Budget {
    pub(crate) limits: Limits,
    pub(crate) bytes: u64,
    pub(crate) files: usize,
}

impl Budget {
    /// Takes `n` bytes from the budget; false when that goes beyond it.
    pub(crate) fn take(&mut self, n: u64) -> bool {
        self.bytes = self.bytes.saturating_add(n);
        self.bytes <= self.limits.max_total_bytes
    }
}

/// Every piece of text and every table in a file, named `name` and sent as
/// `media_type`.
pub fn extract(name: &str, media_type: &str, bytes: &[u8], limits: &Limits) -> Vec<Piece> {
    let mut budget = Budget {
        limits: *limits,
        bytes: 0,
        files: 0,
    };
    let mut out = Vec::new();
    extract_into(name, media_type, bytes, "", 0, &mut budget, &mut out);
    out
}

/// Extracts one file found at `part` (empty at the top) into `out`.
pub(crate) fn extract_into(
    name: &str,
    media_type: &str,
    bytes: &[u8],
    part: &str,
    depth: usize,
    budget: &mut Budget,
    out: &mut Vec<Piece>,
) {
    let not = |reason| Piece::NotScanned {
        part: part.to_owned(),
        reason,
    };
    match kind_of(name, media_type, bytes) {
        FileKind::Text => out.push(Piece::Text {
            part: part.to_owned(),
            text: text::decode(bytes),
        }),
        FileKind::Csv => {
            let (table, complete) = text::csv(part, &text::decode(bytes));
            out.push(table);
            if !complete {
                out.push(not(NotScanned::TooLarge));
            }
        }
        FileKind::Html => out.push(Piece::Text {
            part: part.to_owned(),
            text: text::html_to_text(&text::decode(bytes)),
        }),
        FileKind::Spreadsheet => office::spreadsheet(bytes, part, budget, out),
        FileKind::Docx => office::document(bytes, part, "word/document.xml", budget, out),
        FileKind::Odt => office::document(bytes, part, "content.xml", budget, out),
        FileKind::Pdf => pdf::extract(bytes, part, budget, out),
        FileKind::Mail if depth < budget.limits.max_depth => mail::extract(bytes, part, depth, budget, out),
        FileKind::Zip if depth < budget.limits.max_depth => archive::extract(bytes, part, depth, budget, out),
        FileKind::Mail | FileKind::Zip => out.push(not(NotScanned::TooLarge)),
        FileKind::Image if budget.limits.ocr => match ocr::read(bytes) {
            Ok(text) => out.push(Piece::Text {
                part: part.to_owned(),
                text,
            }),
            Err(why) => out.push(not(why)),
        },
        FileKind::Image => out.push(not(NotScanned::NoOcr)),
        FileKind::Other => out.push(not(NotScanned::Unsupported)),
    }
}

/// Joins a part name onto where it was found.
pub(crate) fn join(part: &str, name: &str) -> String {
    if part.is_empty() {
        name.to_owned()
    } else {
        format!("{part}/{name}")
    }
}
