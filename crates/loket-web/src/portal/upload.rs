//! Reading a posted multipart form (fields and files) without holding it in
//! memory. The form's first field must be its CSRF token (at most a few hundred
//! bytes), checked before anything else is read, so a forged post costs a few
//! bytes. Files stream to the blob store's temporary place, hashed on the way,
//! within the size limit; a file over the limit is dropped (and reported) while
//! the rest of the form is still read, so nothing typed is lost. A form with
//! files takes one of a limited number of upload slots when its first file
//! begins, at most two per visitor address, and the whole form must arrive
//! within ten minutes.

use super::page::PageError;
use crate::AppState;
use axum::extract::multipart::{Field, MultipartError};
use axum::extract::{FromRequest, Multipart, Request};
use axum::http::StatusCode;
use loket_core::service::{Upload, UploadContent};
use loket_core::{Lang, Problem};
use std::collections::HashMap;
use std::time::Duration;

/// Longest text field read, in bytes (a message is at most 1 MB).
const MAX_FIELD_BYTES: usize = 2 * 1024 * 1024;
/// All text fields of one form together, in bytes: the message and a few
/// short fields. More (many fields, or one repeated) is refused, so a form
/// never holds more than this in memory.
const MAX_FIELDS_BYTES: usize = MAX_FIELD_BYTES + 64 * 1024;
/// Most fields one form may have (the portal's have fewer than ten); more are
/// refused, whatever their size.
const MAX_FIELDS: usize = 32;
/// The text fields the portal's forms have; others are read and dropped.
const KNOWN_FIELDS: &[&str] = &["name", "email", "subject", "message", "urgent", "anyway"];
/// How long a visitor waits for a free upload slot.
const SLOT_WAIT: Duration = Duration::from_secs(30);
/// How long a request may stall between two pieces of its body.
const STALL: Duration = Duration::from_mins(1);
/// How long a whole form may take to arrive (25 MB at 50 kB/s).
const DEADLINE: Duration = Duration::from_mins(10);
/// Longest CSRF field read (the token is 64 characters).
const MAX_TOKEN_BYTES: usize = 256;

/// What a posted form brought.
pub enum Read {
    /// Its token was good: its fields and files.
    Fresh(Posted),
    /// It came from the visitor's own page, but its token no longer fits
    /// (they logged in or out in another tab meanwhile): only its text
    /// fields, to show the form again with a fresh token; nothing else may be
    /// done with them. Files were not kept.
    Stale(Posted),
}

/// The text fields and the files of a posted form.
pub struct Posted {
    /// Text fields by name (the last value wins).
    pub fields: HashMap<String, String>,
    /// Files from inputs named `files`, staged.
    pub files: Vec<Upload>,
    /// What was wrong with files that were dropped.
    pub problems: Vec<Problem>,
}

impl Posted {
    /// A text field, or empty.
    pub fn get(&self, name: &str) -> &str {
        self.fields.get(name).map_or("", String::as_str)
    }
}

fn failed(e: &MultipartError, lang: Lang) -> PageError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        PageError::too_large(lang)
    } else {
        PageError::bad_request(lang)
    }
}

/// The next piece of a field, or a page error when the body fails or stalls.
async fn chunk(field: &mut Field<'_>, lang: Lang) -> Result<Option<axum::body::Bytes>, PageError> {
    match tokio::time::timeout(STALL, field.chunk()).await {
        Ok(Ok(c)) => Ok(c),
        Ok(Err(e)) => Err(failed(&e, lang)),
        Err(_) => Err(PageError::bad_request(lang)),
    }
}

/// A text field of at most `max` bytes; a longer one is refused (`refusal`).
async fn text(mut field: Field<'_>, max: usize, refusal: PageError) -> Result<String, PageError> {
    let lang = refusal.lang();
    let mut buf = Vec::new();
    while let Some(c) = chunk(&mut field, lang).await? {
        if buf.len() + c.len() > max {
            return Err(refusal);
        }
        buf.extend_from_slice(&c);
    }
    Ok(String::from_utf8_lossy(&buf).into_owned())
}

/// Reads a posted form whose first field is `csrf`: refused (403) at once
/// when that token is missing or not of the visitor's own page; then every
/// field, with files streamed to the blob store within the service's limits
/// ([`Read::Stale`], text only, when the token no longer fits the session).
/// `ip` is the visitor's address.
pub async fn read(s: &AppState, request: Request, ip: &str, lang: Lang) -> Result<Read, PageError> {
    let headers = request.headers().clone();
    let mut multipart = Multipart::from_request(request, &())
        .await
        .map_err(|_| PageError::bad_request(lang))?;
    let first = multipart.next_field().await.map_err(|e| failed(&e, lang))?;
    let token = match first {
        Some(f) if f.name() == Some("csrf") => text(f, MAX_TOKEN_BYTES, PageError::forbidden(lang)).await?,
        _ => String::new(),
    };
    let fresh = super::csrf::valid(&s.csrf_key, &headers, s.portal.secure_cookies, &token);
    // A form of another site (no nonce of ours: the cookie is SameSite=Strict)
    // or without a token is refused outright.
    let ours = super::csrf::nonce(&headers, s.portal.secure_cookies).is_some() && token.len() == 64;
    if !(fresh || ours) {
        return Err(PageError::forbidden(lang));
    }
    let posted = tokio::time::timeout(DEADLINE, fields(s, &mut multipart, ip, lang, fresh))
        .await
        .map_err(|_| PageError::bad_request(lang))??;
    Ok(if fresh {
        Read::Fresh(posted)
    } else {
        Read::Stale(posted)
    })
}

/// A form's upload slot: taken when its first file begins.
struct Slot {
    _global: tokio::sync::OwnedSemaphorePermit,
    _ip: crate::state::IpUpload,
}

async fn slot(s: &AppState, ip: &str, lang: Lang) -> Result<Slot, PageError> {
    let ip_upload = s.upload_for(ip).ok_or(PageError::busy(lang))?;
    let global = tokio::time::timeout(SLOT_WAIT, s.uploads.clone().acquire_owned())
        .await
        .map_err(|_| PageError::busy(lang))?
        .map_err(|_| PageError::busy(lang))?;
    Ok(Slot {
        _global: global,
        _ip: ip_upload,
    })
}

/// The fields after the CSRF token; files are kept only when `keep_files`.
async fn fields(
    s: &AppState,
    multipart: &mut Multipart,
    ip: &str,
    lang: Lang,
    keep_files: bool,
) -> Result<Posted, PageError> {
    let mut held: Option<Slot> = None;
    let limits = s.service.limits();
    let max_file = limits.max_attachment_bytes as u64;
    let mut posted = Posted {
        fields: HashMap::new(),
        files: Vec::new(),
        problems: Vec::new(),
    };
    let mut budget = MAX_FIELDS_BYTES;
    let mut count = 0;
    while let Some(mut field) = multipart.next_field().await.map_err(|e| failed(&e, lang))? {
        count += 1;
        if count > MAX_FIELDS {
            return Err(PageError::too_large(lang));
        }
        let name = field.name().unwrap_or_default().to_owned();
        if name != "files" {
            // Names count too: many empty fields must not add up either.
            budget = budget.checked_sub(name.len() + 1).ok_or(PageError::too_large(lang))?;
            let value = text(field, budget.min(MAX_FIELD_BYTES), PageError::too_large(lang)).await?;
            budget -= value.len().min(budget);
            if KNOWN_FIELDS.contains(&name.as_str()) {
                posted.fields.insert(name, value);
            }
            continue;
        }
        if !keep_files {
            // A stale form's files are never read (the text comes first in
            // the portal's forms): it costs no more than a refused one.
            break;
        }
        if held.is_none() {
            held = Some(slot(s, ip, lang).await?);
        }
        let filename = field.file_name().unwrap_or_default().to_owned();
        let media_type = field.content_type().unwrap_or_default().to_owned();
        let shown: String = filename.chars().take(100).collect();
        if posted.files.len() >= limits.max_attachments {
            while chunk(&mut field, lang).await?.is_some() {}
            let p = Problem::TooManyFiles(limits.max_attachments);
            if !posted.problems.contains(&p) {
                posted.problems.push(p);
            }
            continue;
        }
        let mut writer = s
            .service
            .blobs()
            .writer()
            .await
            .map_err(|e| PageError::from_domain(&e, lang))?;
        let mut too_large = false;
        while let Some(c) = chunk(&mut field, lang).await? {
            if too_large || writer.written() + c.len() as u64 > max_file {
                // Dropped as it comes; the rest of the form is still read.
                too_large = true;
                continue;
            }
            writer.write(&c).await.map_err(|e| PageError::from_domain(&e, lang))?;
        }
        if too_large {
            drop(writer);
            posted.problems.push(Problem::FileTooLarge {
                name: shown,
                max: max_file,
            });
            continue;
        }
        if filename.is_empty() && writer.written() == 0 {
            continue; // no file chosen
        }
        let staged = writer.finish().await.map_err(|e| PageError::from_domain(&e, lang))?;
        posted.files.push(Upload {
            filename,
            media_type,
            content: UploadContent::Staged(staged),
        });
    }
    Ok(posted)
}
