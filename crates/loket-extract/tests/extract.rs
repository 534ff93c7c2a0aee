//! Extraction from real file formats, built here byte for byte (XLSX, DOCX,
//! ZIP, nested mail, PDF), and the limits against archives that unfold
//! beyond them.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use loket_extract::{Limits, NotScanned, Piece, extract};
use std::io::{Cursor, Write};
use zip::write::SimpleFileOptions;

fn zip_of(files: &[(&str, &[u8])]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for (name, bytes) in files {
        w.start_file(*name, SimpleFileOptions::default()).expect("start");
        w.write_all(bytes).expect("write");
    }
    w.finish().expect("finish").into_inner()
}

fn xlsx(rows: &[Vec<String>]) -> Vec<u8> {
    loket_extract::write_xlsx("Clienten", rows)
}

fn xlsx_with_sheet(sheet: &str) -> Vec<u8> {
    loket_extract::xlsx_with_sheet_xml("Clienten", sheet)
}

fn texts(pieces: &[Piece]) -> String {
    pieces
        .iter()
        .map(|p| match p {
            Piece::Text { part, text } => format!("[{part}] {text}\n"),
            Piece::Table { part, sheet, rows } => format!("[{part}:{sheet:?}] {rows:?}\n"),
            Piece::NotScanned { part, reason } => format!("[{part}] NOT {reason:?}\n"),
        })
        .collect()
}

#[test]
fn spreadsheets_become_tables_with_their_sheet_names() {
    let rows = vec![
        vec!["Naam".to_owned(), "BSN".to_owned()],
        vec!["Jansen".to_owned(), "123456782".to_owned()],
    ];
    let pieces = extract(
        "clienten.xlsx",
        "application/octet-stream",
        &xlsx(&rows),
        &Limits::default(),
    );
    assert_eq!(
        pieces,
        vec![Piece::Table {
            part: String::new(),
            sheet: Some("Clienten".into()),
            rows
        }]
    );
}

#[test]
fn documents_archives_and_nested_mails_are_unfolded() {
    let docx = zip_of(&[(
        "word/document.xml",
        b"<w:document><w:body><w:p><w:r><w:t>BSN 111222333</w:t></w:r></w:p></w:body></w:document>",
    )]);
    let csv = b"naam;iban\nPietersen;NL91ABNA0417164300\n";
    let mail = format!(
        "From: a@b.nl\r\nSubject: doorgestuurd\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=x\r\n\r\n--x\r\nContent-Type: text/plain\r\n\r\nTel 06-12345678\r\n--x\r\nContent-Type: text/csv\r\nContent-Disposition: attachment; filename=lijst.csv\r\n\r\n{}\r\n--x--\r\n",
        String::from_utf8_lossy(csv)
    );
    let archive = zip_of(&[
        ("map/verslag.docx", &docx),
        ("map/doorgestuurd.eml", mail.as_bytes()),
        ("foto.png", b"\x89PNG\r\n\x1a\n"),
        ("programma.exe", b"MZ\x90\0\x03\0\0\0"),
    ]);
    let limits = Limits {
        ocr: false,
        ..Limits::default()
    };
    let all = texts(&extract("bijlagen.zip", "application/zip", &archive, &limits));
    assert!(all.contains("[map/verslag.docx] BSN 111222333"), "{all}");
    assert!(
        all.contains("[map/doorgestuurd.eml] doorgestuurd\nTel 06-12345678"),
        "{all}"
    );
    assert!(
        all.contains(
            "[map/doorgestuurd.eml/lijst.csv:None] [[\"naam\", \"iban\"], [\"Pietersen\", \"NL91ABNA0417164300\"]"
        ),
        "{all}"
    );
    assert!(all.contains("[foto.png] NOT NoOcr"), "{all}");
    assert!(all.contains("[programma.exe] NOT Unsupported"), "{all}");
}

#[test]
fn archives_stop_at_their_limits() {
    let zeros = vec![0u8; 4 * 1024 * 1024];
    let bomb = zip_of(&[("a.txt", &zeros), ("b.txt", &zeros)]);
    assert!(bomb.len() < 64 * 1024, "compresses well: {}", bomb.len());
    let limits = Limits {
        max_total_bytes: 5 * 1024 * 1024,
        ..Limits::default()
    };
    let pieces = extract("bom.zip", "application/zip", &bomb, &limits);
    assert!(
        pieces.contains(&Piece::NotScanned {
            part: "b.txt".into(),
            reason: NotScanned::TooLarge
        }),
        "{}",
        texts(&pieces)
    );
    // Nesting deeper than allowed is not followed.
    let mut nested = zip_of(&[("x.txt", b"BSN 123456782")]);
    for _ in 0..6 {
        nested = zip_of(&[("in.zip", &nested)]);
    }
    let all = texts(&extract("diep.zip", "", &nested, &Limits::default()));
    assert!(all.contains("NOT TooLarge") && !all.contains("123456782"), "{all}");
    // Too many files.
    let many: Vec<(String, Vec<u8>)> = (0..30).map(|i| (format!("f{i}.txt"), b"x".to_vec())).collect();
    let refs: Vec<(&str, &[u8])> = many.iter().map(|(n, b)| (n.as_str(), b.as_slice())).collect();
    let limits = Limits {
        max_files: 10,
        ..Limits::default()
    };
    let all = texts(&extract("veel.zip", "", &zip_of(&refs), &limits));
    assert!(
        all.contains("[f10.txt] NOT TooLarge") && !all.contains("[f11.txt]"),
        "{all}"
    );
}

#[test]
fn pdf_text_is_read_plain_and_deflated() {
    let content = b"BT /F1 12 Tf 72 720 Td (Naam: Jan Jansen) Tj 0 -14 Td (BSN 123456782) Tj ET";
    let plain = pdf_with(content, false);
    let all = texts(&extract("brief.pdf", "application/pdf", &plain, &Limits::default()));
    assert!(all.contains("Naam: Jan Jansen\nBSN 123456782"), "{all}");
    let deflated = pdf_with(content, true);
    let all = texts(&extract(
        "brief",
        "application/octet-stream",
        &deflated,
        &Limits::default(),
    ));
    assert!(all.contains("BSN 123456782"), "{all}");
    let empty = pdf_with(b"q 1 0 0 1 0 0 cm Q", false);
    assert_eq!(
        extract("scan.pdf", "application/pdf", &empty, &Limits::default()),
        vec![Piece::NotScanned {
            part: String::new(),
            reason: NotScanned::Unreadable
        }]
    );
}

fn pdf_with(content: &[u8], deflate: bool) -> Vec<u8> {
    let (data, filter) = if deflate {
        let mut e = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
        e.write_all(content).expect("deflate");
        (e.finish().expect("deflate"), " /Filter /FlateDecode")
    } else {
        (content.to_vec(), "")
    };
    let mut pdf = b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n".to_vec();
    pdf.extend_from_slice(format!("4 0 obj << /Length {}{filter} >>\nstream\n", data.len()).as_bytes());
    pdf.extend_from_slice(&data);
    pdf.extend_from_slice(b"\nendstream\nendobj\ntrailer << /Root 1 0 R >>\n%%EOF\n");
    pdf
}

/// An image through `tesseract` (Debian's `tesseract-ocr` with `nld`):
/// needs `LOKET_TEST_OCR=1` (CI sets it after installing tesseract);
/// without it the test says so and skips.
#[test]
fn images_are_read_through_ocr_where_tesseract_is_installed() {
    if std::env::var("LOKET_TEST_OCR").ok().as_deref() != Some("1") {
        assert!(
            std::env::var_os("LOKET_TEST_STRICT").is_none(),
            "LOKET_TEST_STRICT is set but LOKET_TEST_OCR is not"
        );
        eprintln!("LOKET_TEST_OCR is not set: skipping the OCR test");
        return;
    }
    let png = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/scan.png")).unwrap();
    let pieces = extract("scan.png", "image/png", &png, &Limits::default());
    let all = texts(&pieces);
    assert!(all.contains("123456782") && all.contains("NL91"), "{all}");
    let item = loket_privacy::summarise(&pieces, &loket_privacy::Known::default());
    assert_eq!(item.summary.people, 1, "{all}");
    // Not an image after all: not scanned (unreadable), never clean.
    let broken = extract("foto.jpg", "image/jpeg", b"\xff\xd8\xff garbage", &Limits::default());
    assert_eq!(
        broken,
        vec![Piece::NotScanned {
            part: String::new(),
            reason: NotScanned::Unreadable
        }]
    );
}

#[test]
fn spreadsheets_that_claim_more_than_they_hold_cost_only_what_they_hold() {
    // One cell in A1 and one in the last cell Excel has: read as two cells,
    // not as a range of seventeen billion.
    let sheet = "<?xml version=\"1.0\"?><worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">\
        <dimension ref=\"A1:XFD1048576\"/><sheetData>\
        <row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>BSN</t></is></c></row>\
        <row r=\"1048576\"><c r=\"XFD1048576\"><v>123456782</v></c></row>\
        </sheetData></worksheet>";
    let pieces = extract("ver.xlsx", "", &xlsx_with_sheet(sheet), &Limits::default());
    let Piece::Table { rows, .. } = &pieces[0] else {
        panic!("{}", texts(&pieces))
    };
    assert_eq!(rows.len(), 1_048_576);
    assert_eq!(
        rows[1_048_575],
        vec!["123456782".to_owned()],
        "far right follows in order"
    );
    assert_eq!(rows.iter().map(Vec::len).sum::<usize>(), 2);
    // A sheet that unpacks beyond the budget is not handed to the parser.
    let big = format!(
        "<?xml version=\"1.0\"?><worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><sheetData><row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>{}</t></is></c></row></sheetData></worksheet>",
        "A".repeat(8 << 20)
    );
    let limits = Limits {
        max_total_bytes: 4 << 20,
        ..Limits::default()
    };
    assert_eq!(
        extract("bom.xlsx", "", &xlsx_with_sheet(&big), &limits),
        vec![Piece::NotScanned {
            part: String::new(),
            reason: NotScanned::TooLarge
        }]
    );
    // Headers lower down the sheet still name the columns.
    let lower = "<?xml version=\"1.0\"?><worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><sheetData>\
        <row r=\"3\"><c r=\"B3\" t=\"inlineStr\"><is><t>Achternaam</t></is></c></row>\
        <row r=\"4\"><c r=\"B4\" t=\"inlineStr\"><is><t>Pietersen</t></is></c></row></sheetData></worksheet>";
    let pieces = extract("lager.xlsx", "", &xlsx_with_sheet(lower), &Limits::default());
    let item = loket_privacy::summarise(&pieces, &loket_privacy::Known::default());
    assert_eq!(
        item.summary.counts.get(&loket_privacy::Kind::Name),
        Some(&1),
        "{}",
        texts(&pieces)
    );
    assert!(matches!(
        item.summary.samples[0].place,
        loket_privacy::Place::Cell { row: 4, column: 2, .. }
    ));
}

/// The files an outside review built to crash, poison or stall the scan
/// (`min_repro.py` of the review): each is read or refused, never a crash,
/// a panic or hours of work.
#[test]
fn files_built_to_attack_the_extractor_are_read_or_refused() {
    // A shared string that is not there: calamine panics; unreadable.
    let sst = "<?xml version=\"1.0\"?><worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><sheetData><row><c t=\"s\"><v>99999999</v></c></row></sheetData></worksheet>";
    let pieces = extract("sst.xlsx", "", &xlsx_with_sheet(sst), &Limits::default());
    assert!(
        pieces.iter().all(|p| !matches!(p, Piece::Text { .. })),
        "{}",
        texts(&pieces)
    );
    // One ODS cell repeated fifty million times: read once.
    let content = "<?xml version=\"1.0\"?><office:document-content xmlns:office=\"urn:oasis:names:tc:opendocument:xmlns:office:1.0\" xmlns:table=\"urn:oasis:names:tc:opendocument:xmlns:table:1.0\" xmlns:text=\"urn:oasis:names:tc:opendocument:xmlns:text:1.0\"><office:body><office:spreadsheet><table:table table:name=\"S\"><table:table-row><table:table-cell table:number-columns-repeated=\"50000000\" office:value-type=\"string\"><text:p>BSN 123456782</text:p></table:table-cell></table:table-row></table:table></office:spreadsheet></office:body></office:document-content>";
    let ods = zip_of(&[
        ("mimetype", b"application/vnd.oasis.opendocument.spreadsheet"),
        ("content.xml", content.as_bytes()),
    ]);
    let pieces = extract("kolommen.ods", "", &ods, &Limits::default());
    let item = loket_privacy::summarise(&pieces, &loket_privacy::Known::default());
    assert_eq!(item.summary.people, 1, "{}", texts(&pieces));
    // Many bare streams and no objects; many script tags: linear work.
    let pdf = [b"%PDF-1.4\n".as_slice(), &b"stream\nendstream\n".repeat(200_000)].concat();
    let pieces = extract("kwadraat.pdf", "", &pdf, &Limits::default());
    assert_eq!(
        pieces,
        vec![Piece::NotScanned {
            part: String::new(),
            reason: NotScanned::Unreadable
        }]
    );
    // A CSV of twelve million cells: the first five million read.
    let csv = "1;".repeat(12_000_000);
    let pieces = extract("cellen.csv", "", csv.as_bytes(), &Limits::default());
    assert!(
        pieces.contains(&Piece::NotScanned {
            part: String::new(),
            reason: NotScanned::TooLarge
        }),
        "the rest is not scanned"
    );
    let html = format!(
        "<html>{}<p>BSN 123456782</p></html>",
        "<script></script>".repeat(300_000)
    );
    let all = texts(&extract(
        "pagina.html",
        "text/html",
        html.as_bytes(),
        &Limits::default(),
    ));
    assert!(all.contains("BSN 123456782"), "{}", &all[..all.len().min(200)]);
}
