//! Writing a plain XLSX file (one sheet, deflated as office programs write
//! it), for the evaluation set, the benchmark and tests that need a real
//! spreadsheet to read back.

use std::fmt::Write as _;
use std::io::{Cursor, Write as _};

/// An XLSX of one sheet named `sheet` holding `rows`: cells of digits only
/// as numbers, the rest as text.
pub fn write_xlsx(sheet: &str, rows: &[Vec<String>]) -> Vec<u8> {
    let mut xml = String::from(
        "<?xml version=\"1.0\"?><worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><sheetData>",
    );
    for row in rows {
        xml.push_str("<row>");
        for cell in row {
            if !cell.is_empty() && cell.len() < 16 && cell.bytes().all(|b| b.is_ascii_digit()) {
                let _ = write!(xml, "<c><v>{cell}</v></c>");
            } else {
                let _ = write!(xml, "<c t=\"inlineStr\"><is><t>{}</t></is></c>", escape(cell));
            }
        }
        xml.push_str("</row>");
    }
    xml.push_str("</sheetData></worksheet>");
    xlsx_with_sheet_xml(sheet, &xml)
}

/// An XLSX around one sheet's own XML (`<worksheet>…</worksheet>`).
pub fn xlsx_with_sheet_xml(sheet: &str, xml: &str) -> Vec<u8> {
    let workbook = format!(
        "<?xml version=\"1.0\"?><workbook xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\"><sheets><sheet name=\"{}\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>",
        escape(sheet)
    );
    let parts: [(&str, &[u8]); 5] = [
        ("[Content_Types].xml", br#"<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#),
        ("_rels/.rels", br#"<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#),
        ("xl/workbook.xml", workbook.as_bytes()),
        ("xl/_rels/workbook.xml.rels", br#"<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#),
        ("xl/worksheets/sheet1.xml", xml.as_bytes()),
    ];
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for (name, bytes) in parts {
        // Writing to memory cannot fail but for a bug in the zip crate.
        if w.start_file(name, options).is_err() || w.write_all(bytes).is_err() {
            return Vec::new();
        }
    }
    w.finish().map(Cursor::into_inner).unwrap_or_default()
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
