//! Reading a multipart form (fields and files) from a portal request.

use super::page::PageError;
use axum::extract::{FromRequest, Multipart, Request};
use loket_core::Lang;
use loket_core::service::Upload;
use std::collections::HashMap;

/// The text fields and the files of a posted form.
pub struct Posted {
    /// Text fields by name (the last value wins).
    pub fields: HashMap<String, String>,
    /// Files from inputs named `files`.
    pub files: Vec<Upload>,
}

impl Posted {
    /// A text field, or empty.
    pub fn get(&self, name: &str) -> &str {
        self.fields.get(name).map_or("", String::as_str)
    }
}

/// Reads the whole multipart body; a form that cannot be read is a 400 page.
pub async fn read(request: Request, lang: Lang) -> Result<Posted, PageError> {
    let bad = |_| PageError::bad_request(lang);
    let mut multipart = Multipart::from_request(request, &())
        .await
        .map_err(|_| PageError::bad_request(lang))?;
    let mut posted = Posted {
        fields: HashMap::new(),
        files: Vec::new(),
    };
    while let Some(field) = multipart.next_field().await.map_err(bad)? {
        let name = field.name().unwrap_or_default().to_owned();
        if name == "files" {
            let filename = field.file_name().unwrap_or_default().to_owned();
            let media_type = field.content_type().unwrap_or_default().to_owned();
            let bytes = field.bytes().await.map_err(bad)?;
            if !filename.is_empty() || !bytes.is_empty() {
                posted.files.push(Upload {
                    filename,
                    media_type,
                    bytes: bytes.to_vec(),
                });
            }
        } else {
            let value = field.text().await.map_err(bad)?;
            posted.fields.insert(name, value);
        }
    }
    Ok(posted)
}
