//! Office files: spreadsheets through `calamine` (each sheet a table, dates
//! written as dates), DOCX and ODT as the text of their main XML part.

use crate::{Budget, text};
use calamine::{Data, Reader};
use loket_privacy::{NotScanned, Piece};
use std::io::{Cursor, Read};

use crate::MAX_CELLS;
/// Rows of a sheet (Excel's own limit); cells beyond are not read.
const MAX_ROWS: u32 = 1_048_576;
/// Columns kept in place; cells further right follow them in order (so a
/// cell in column XFD does not make a row 16,384 cells wide).
const DENSE_COLUMNS: usize = 256;

/// Every sheet of a spreadsheet as a table. XLSX is read cell by cell (a
/// sheet claiming a huge range costs only its real cells); ODS through its
/// XML; XLS through calamine. Zipped formats are unpacked once first, within
/// the budget, so a bomb stops before any parser sees it.
pub(crate) fn spreadsheet(bytes: &[u8], part: &str, budget: &mut Budget, out: &mut Vec<Piece>) {
    // The parser panics on some malformed files (a shared string that is
    // not there): such a file is unreadable, not the end of the scan.
    let mut found = Vec::new();
    let read = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        spreadsheet_unguarded(bytes, part, budget, &mut found);
    }));
    match read {
        Ok(()) => out.extend(found),
        Err(_) => out.push(Piece::NotScanned {
            part: part.to_owned(),
            reason: NotScanned::Unreadable,
        }),
    }
}

fn spreadsheet_unguarded(bytes: &[u8], part: &str, budget: &mut Budget, out: &mut Vec<Piece>) {
    let not = |reason| Piece::NotScanned {
        part: part.to_owned(),
        reason,
    };
    if bytes.starts_with(b"PK\x03\x04") {
        match unpacked_size(bytes, budget.limits.max_total_bytes.saturating_sub(budget.bytes)) {
            Some(n) if budget.take(n) => {}
            Some(_) => return out.push(not(NotScanned::TooLarge)),
            None => return out.push(not(NotScanned::Unreadable)),
        }
        if is_ods(bytes) {
            return ods(bytes, part, budget, out);
        }
        return xlsx(bytes, part, out);
    }
    let Ok(mut book) = calamine::open_workbook_auto_from_rs(Cursor::new(bytes)) else {
        out.push(not(NotScanned::Unreadable));
        return;
    };
    for sheet in book.sheet_names() {
        let Ok(range) = book.worksheet_range(&sheet) else {
            out.push(Piece::NotScanned {
                part: crate::join(part, &sheet),
                reason: NotScanned::Unreadable,
            });
            continue;
        };
        let rows = range.rows().map(|r| r.iter().map(cell).collect()).collect();
        out.push(Piece::Table {
            part: part.to_owned(),
            sheet: Some(sheet),
            rows,
        });
    }
}

/// The bytes a ZIP unpacks to, counted by unpacking (headers may lie);
/// `Some(limit + 1)` when it is more than `limit`, `None` when it is broken.
fn unpacked_size(bytes: &[u8], limit: u64) -> Option<u64> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).ok()?;
    let mut total = 0u64;
    for i in 0..zip.len() {
        let file = zip.by_index(i).ok()?;
        let room = limit.saturating_sub(total);
        total += std::io::copy(&mut file.take(room + 1), &mut std::io::sink()).ok()?;
        if total > limit {
            return Some(total);
        }
    }
    Some(total)
}

fn is_ods(bytes: &[u8]) -> bool {
    zip::ZipArchive::new(Cursor::new(bytes)).is_ok_and(|mut z| {
        z.by_name("mimetype").is_ok_and(|f| {
            let mut m = String::new();
            f.take(100).read_to_string(&mut m).is_ok() && m.contains("opendocument.spreadsheet")
        })
    })
}

/// An XLSX read cell by cell, within [`MAX_CELLS`] and [`MAX_ROWS`].
fn xlsx(bytes: &[u8], part: &str, out: &mut Vec<Piece>) {
    let Ok(mut book) = calamine::Xlsx::new(Cursor::new(bytes)) else {
        out.push(Piece::NotScanned {
            part: part.to_owned(),
            reason: NotScanned::Unreadable,
        });
        return;
    };
    let mut cells = 0usize;
    for sheet in book.sheet_names() {
        let here = crate::join(part, &sheet);
        let Ok(mut reader) = book.worksheet_cells_reader(&sheet) else {
            out.push(Piece::NotScanned {
                part: here,
                reason: NotScanned::Unreadable,
            });
            continue;
        };
        let mut rows: Vec<Vec<String>> = Vec::new();
        let mut complete = true;
        loop {
            match reader.next_cell() {
                Ok(Some(c)) => {
                    let (row, column) = c.get_position();
                    if row >= MAX_ROWS || cells >= MAX_CELLS {
                        complete = false;
                        break;
                    }
                    let text = cell_ref(c.get_value());
                    if text.is_empty() {
                        continue;
                    }
                    cells += 1;
                    let row = row as usize;
                    if rows.len() <= row {
                        rows.resize_with(row + 1, Vec::new);
                    }
                    let cells_of = &mut rows[row];
                    let column = column as usize;
                    if column < DENSE_COLUMNS {
                        if cells_of.len() <= column {
                            cells_of.resize(column + 1, String::new());
                        }
                        cells_of[column] = text;
                    } else {
                        cells_of.push(text);
                    }
                }
                Ok(None) => break,
                Err(_) => {
                    complete = false;
                    break;
                }
            }
        }
        out.push(Piece::Table {
            part: part.to_owned(),
            sheet: Some(sheet),
            rows,
        });
        if !complete {
            out.push(Piece::NotScanned {
                part: here,
                reason: NotScanned::TooLarge,
            });
        }
    }
}

/// A streamed cell as text; dates as day-month-year.
fn cell_ref(d: &calamine::DataRef<'_>) -> String {
    use calamine::DataRef;
    match d {
        DataRef::Empty => String::new(),
        DataRef::SharedString(s) => (*s).to_owned(),
        DataRef::String(s) | DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => s.clone(),
        DataRef::Int(i) => i.to_string(),
        DataRef::Float(f) => Data::Float(*f).to_string(),
        DataRef::Bool(b) => b.to_string(),
        DataRef::DateTime(t) => serial_date(t.as_f64()).unwrap_or_else(|| t.as_f64().to_string()),
        DataRef::Error(e) => e.to_string(),
    }
}

/// An ODS spreadsheet: the rows and cells of its `content.xml` (sheets one
/// after another; repeated empty cells are not expanded).
fn ods(bytes: &[u8], part: &str, budget: &mut Budget, out: &mut Vec<Piece>) {
    let mut text = Vec::new();
    document(bytes, part, "content.xml", budget, &mut text);
    for piece in text {
        match piece {
            Piece::Text { part, text } => {
                let rows = text
                    .lines()
                    .filter(|l| !l.trim().is_empty())
                    .map(|l| l.split('\t').map(str::to_owned).collect())
                    .collect();
                out.push(Piece::Table {
                    part,
                    sheet: None,
                    rows,
                });
            }
            other => out.push(other),
        }
    }
}

/// A cell as text; dates as day-month-year.
fn cell(d: &Data) -> String {
    match d {
        Data::Empty => String::new(),
        Data::DateTime(t) => serial_date(t.as_f64()).unwrap_or_else(|| d.to_string()),
        other => other.to_string(),
    }
}

/// A spreadsheet serial day (days since 1899-12-30) as `dd-mm-yyyy`.
fn serial_date(serial: f64) -> Option<String> {
    if !(1.0..2_958_466.0).contains(&serial) {
        return None;
    }
    #[allow(clippy::cast_possible_truncation, reason = "range checked above")]
    let days = serial.floor() as i64 - 25_569; // days since 1970-01-01
    // Civil date from days since the epoch (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    Some(format!("{day:02}-{month:02}-{year}"))
}

/// The text of a DOCX or ODT: the XML part `inner` with paragraphs, table
/// cells and line breaks kept apart.
pub(crate) fn document(bytes: &[u8], part: &str, inner: &str, budget: &mut Budget, out: &mut Vec<Piece>) {
    let not = |reason| Piece::NotScanned {
        part: part.to_owned(),
        reason,
    };
    let Ok(mut zip) = zip::ZipArchive::new(Cursor::new(bytes)) else {
        out.push(not(NotScanned::Unreadable));
        return;
    };
    let Ok(file) = zip.by_name(inner) else {
        out.push(not(NotScanned::Unreadable));
        return;
    };
    let room = budget.limits.max_total_bytes.saturating_sub(budget.bytes);
    let mut xml = Vec::new();
    if file.take(room.saturating_add(1)).read_to_end(&mut xml).is_err() {
        out.push(not(NotScanned::Unreadable));
        return;
    }
    if !budget.take(xml.len() as u64) {
        out.push(not(NotScanned::TooLarge));
        return;
    }
    out.push(Piece::Text {
        part: part.to_owned(),
        text: xml_text(&String::from_utf8_lossy(&xml)),
    });
}

/// Text from WordprocessingML or ODF XML.
fn xml_text(xml: &str) -> String {
    let mut out = String::with_capacity(xml.len() / 4);
    let mut rest = xml;
    while let Some(open) = rest.find('<') {
        out.push_str(&text::unescape(&rest[..open]));
        let Some(close) = rest[open..].find('>') else {
            break;
        };
        let tag = &rest[open + 1..open + close];
        let name = tag.split([' ', '/']).find(|s| !s.is_empty()).unwrap_or_default();
        match (tag.starts_with('/'), name) {
            (true, "w:p" | "text:p" | "text:h" | "w:tr" | "table:table-row") | (false, "w:br" | "text:line-break") => {
                out.push('\n');
            }
            (true, "w:tc" | "table:table-cell") | (false, "w:tab" | "text:tab") => out.push('\t'),
            (false, "text:s") => out.push(' '),
            _ => {}
        }
        rest = &rest[open + close + 1..];
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serial_dates_are_civil_dates() {
        assert_eq!(serial_date(18_264.0).as_deref(), Some("01-01-1950"));
        assert_eq!(serial_date(46_356.5).as_deref(), Some("30-11-2026"));
    }

    #[test]
    fn document_xml_keeps_paragraphs_and_cells_apart() {
        let t = xml_text(
            "<w:body><w:p><w:r><w:t>BSN</w:t></w:r><w:r><w:t xml:space=\"preserve\"> 123456782</w:t></w:r></w:p>\
             <w:tbl><w:tr><w:tc><w:p><w:t>Jansen</w:t></w:p></w:tc><w:tc><w:p><w:t>A&amp;B</w:t></w:p></w:tc></w:tr></w:tbl></w:body>",
        );
        assert!(t.contains("BSN 123456782\n"), "{t:?}");
        assert!(t.contains("Jansen\n\tA&B"), "{t:?}");
    }
}
