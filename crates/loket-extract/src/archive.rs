//! ZIP archives: each file inside extracted in turn, within the limits on
//! total unpacked size, number of files and depth (a zip bomb stops at the
//! limit and is reported as not scanned).

use crate::{Budget, extract_into, join};
use loket_privacy::{NotScanned, Piece};
use std::io::{Cursor, Read};

pub(crate) fn extract(bytes: &[u8], part: &str, depth: usize, budget: &mut Budget, out: &mut Vec<Piece>) {
    let Ok(mut zip) = zip::ZipArchive::new(Cursor::new(bytes)) else {
        out.push(Piece::NotScanned {
            part: part.to_owned(),
            reason: NotScanned::Unreadable,
        });
        return;
    };
    for i in 0..zip.len() {
        let Ok(file) = zip.by_index(i) else {
            out.push(Piece::NotScanned {
                part: part.to_owned(),
                reason: NotScanned::Unreadable,
            });
            continue;
        };
        if file.is_dir() {
            continue;
        }
        let name = file.name().to_owned();
        let here = join(part, &name);
        budget.files += 1;
        if budget.files > budget.limits.max_files {
            out.push(Piece::NotScanned {
                part: here,
                reason: NotScanned::TooLarge,
            });
            return;
        }
        if file.encrypted() {
            out.push(Piece::NotScanned {
                part: here,
                reason: NotScanned::Unreadable,
            });
            continue;
        }
        // The header's size may lie: read at most what the budget has left.
        let room = budget.limits.max_total_bytes.saturating_sub(budget.bytes);
        let mut content = Vec::new();
        let read = file.take(room.saturating_add(1)).read_to_end(&mut content);
        if !budget.take(content.len() as u64) {
            out.push(Piece::NotScanned {
                part: here,
                reason: NotScanned::TooLarge,
            });
            return;
        }
        if read.is_err() {
            out.push(Piece::NotScanned {
                part: here,
                reason: NotScanned::Unreadable,
            });
            continue;
        }
        let base = name.rsplit('/').next().unwrap_or(&name).to_owned();
        extract_into(&base, "", &content, &here, depth + 1, budget, out);
    }
}
