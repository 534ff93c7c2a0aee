//! What kind of file an attachment is, from its name, its media type and its
//! first bytes (the bytes win where they are clear).

/// The kinds the extractor reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    /// Plain text.
    Text,
    /// Comma-, semicolon- or tab-separated values.
    Csv,
    /// HTML.
    Html,
    /// XLSX, XLS or ODS.
    Spreadsheet,
    /// Word document (DOCX).
    Docx,
    /// OpenDocument text.
    Odt,
    /// PDF.
    Pdf,
    /// A mail (message/rfc822, .eml).
    Mail,
    /// A ZIP archive.
    Zip,
    /// An image (OCR).
    Image,
    /// Anything else.
    Other,
}

/// The kind of a file.
pub fn kind_of(name: &str, media_type: &str, bytes: &[u8]) -> FileKind {
    let ext = name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    let media = media_type.to_ascii_lowercase();
    let by_name = match ext.as_str() {
        "txt" | "text" | "log" | "md" | "json" | "xml" => Some(FileKind::Text),
        "csv" | "tsv" => Some(FileKind::Csv),
        "htm" | "html" => Some(FileKind::Html),
        "xlsx" | "xlsm" | "xlsb" | "xls" | "ods" => Some(FileKind::Spreadsheet),
        "docx" | "docm" => Some(FileKind::Docx),
        "odt" => Some(FileKind::Odt),
        "pdf" => Some(FileKind::Pdf),
        "eml" => Some(FileKind::Mail),
        "zip" => Some(FileKind::Zip),
        "png" | "jpg" | "jpeg" | "gif" | "bmp" | "tif" | "tiff" | "webp" => Some(FileKind::Image),
        _ => None,
    };
    if bytes.starts_with(b"%PDF-") {
        return FileKind::Pdf;
    }
    if bytes.starts_with(b"PK\x03\x04") {
        return match by_name {
            Some(k @ (FileKind::Spreadsheet | FileKind::Docx | FileKind::Odt)) => k,
            _ => FileKind::Zip,
        };
    }
    if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        // OLE2: an old Excel file is read; an old Word file is not.
        return if by_name == Some(FileKind::Spreadsheet) {
            FileKind::Spreadsheet
        } else {
            FileKind::Other
        };
    }
    if is_image(bytes) {
        return FileKind::Image;
    }
    if let Some(k) = by_name {
        return k;
    }
    match media.as_str() {
        "text/csv" | "text/tab-separated-values" => FileKind::Csv,
        "text/html" => FileKind::Html,
        "message/rfc822" => FileKind::Mail,
        m if m.starts_with("text/") => FileKind::Text,
        m if m.starts_with("image/") => FileKind::Image,
        _ if std::str::from_utf8(bytes).is_ok() && !bytes.contains(&0) => FileKind::Text,
        _ => FileKind::Other,
    }
}

fn is_image(b: &[u8]) -> bool {
    b.starts_with(b"\x89PNG")
        || b.starts_with(&[0xFF, 0xD8, 0xFF])
        || b.starts_with(b"GIF8")
        || b.starts_with(b"BM")
        || b.starts_with(b"II*\0")
        || b.starts_with(b"MM\0*")
        || (b.len() > 12 && &b[..4] == b"RIFF" && &b[8..12] == b"WEBP")
}
