//! Unpacks Outlook's `winmail.dat` (TNEF): the files packed inside it. Reads
//! only what it needs (attachment title and data), skips every other
//! attribute, and checks every length against the input, so hostile input
//! yields nothing rather than a panic.

/// A file found in a TNEF stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TnefFile {
    /// File name (the short title when no other is known).
    pub name: String,
    /// Content.
    pub data: Vec<u8>,
}

const SIGNATURE: u32 = 0x223E_9F78;
/// Most files taken from one stream; beyond it the stream is kept whole.
const MAX_FILES: usize = 100;
/// Most attributes read from one stream (a real one has a few dozen per file).
const MAX_ATTRIBUTES: usize = 10_000;
const LEVEL_ATTACHMENT: u8 = 2;
const ATT_ATTACH_REND_DATA: u16 = 0x9002;
const ATT_ATTACH_TITLE: u16 = 0x8010;
const ATT_ATTACH_DATA: u16 = 0x800F;

fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

/// The files in a TNEF stream; `None` when it is not TNEF, is damaged, or
/// holds more files or attributes than a real one (it is then kept whole).
pub fn files(b: &[u8]) -> Option<Vec<TnefFile>> {
    if u32_at(b, 0)? != SIGNATURE {
        return None;
    }
    let mut at = 6; // signature and key
    let mut out: Vec<TnefFile> = Vec::new();
    let mut attributes = 0;
    while at < b.len() {
        attributes += 1;
        if attributes > MAX_ATTRIBUTES {
            return None;
        }
        let level = *b.get(at)?;
        let id = u32_at(b, at + 1)?;
        let len = usize::try_from(u32_at(b, at + 5)?).ok()?;
        let start = at + 9;
        let data = b.get(start..start.checked_add(len)?)?;
        at = start + len + 2; // data and checksum
        if level != LEVEL_ATTACHMENT {
            continue;
        }
        match u16::try_from(id & 0xFFFF).ok()? {
            ATT_ATTACH_REND_DATA => {
                if out.len() >= MAX_FILES {
                    return None;
                }
                out.push(TnefFile {
                    name: String::new(),
                    data: Vec::new(),
                });
            }
            ATT_ATTACH_TITLE => {
                if let Some(f) = out.last_mut() {
                    let title = data.split(|&c| c == 0).next().unwrap_or_default();
                    String::from_utf8_lossy(title).trim().clone_into(&mut f.name);
                }
            }
            ATT_ATTACH_DATA => {
                if let Some(f) = out.last_mut() {
                    f.data = data.to_vec();
                }
            }
            _ => {}
        }
    }
    for (i, f) in out.iter_mut().enumerate() {
        if f.name.is_empty() {
            f.name = format!("bijlage-{}", i + 1);
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn published_samples_unpack_with_names() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus/tnef");
        let mut seen = Vec::new();
        for name in [
            "one-file.tnef",
            "long-filename.tnef",
            "missing-filenames.tnef",
            "winmail.dat",
            "rtf.tnef",
            "multi-value-attribute.tnef",
        ] {
            let raw = std::fs::read(dir.join(name)).unwrap_or_default();
            let files = files(&raw).unwrap_or_else(|| panic!("{name} is TNEF"));
            seen.push((
                name,
                files.iter().map(|f| (f.name.clone(), f.data.len())).collect::<Vec<_>>(),
            ));
        }
        let one = &seen[0].1;
        assert_eq!(one.len(), 1);
        assert_eq!(one[0].0, "AUTHORS");
        assert!(
            seen[2].1.len() >= 4 && seen[2].1.iter().all(|(n, _)| !n.is_empty()),
            "{seen:?}"
        );
        assert!(
            seen[3].1.iter().any(|(_, len)| *len > 0),
            "winmail.dat has files: {seen:?}"
        );
    }

    #[test]
    fn damaged_input_yields_nothing() {
        assert_eq!(files(b""), None);
        assert_eq!(files(b"not tnef at all"), None);
        let mut cut = vec![0x78, 0x9F, 0x3E, 0x22, 0, 0, 2, 0x02, 0x90, 0x06, 0];
        cut.extend_from_slice(&u32::MAX.to_le_bytes());
        assert_eq!(files(&cut), None);
    }

    #[test]
    fn a_stream_with_millions_of_entries_is_kept_whole() {
        let mut b = vec![0x78, 0x9F, 0x3E, 0x22, 0, 0];
        for _ in 0..200_000 {
            // An attachment-level ATT_ATTACH_REND_DATA with no data, and its checksum.
            b.extend_from_slice(&[2, 0x02, 0x90, 0x06, 0, 0, 0, 0, 0, 0, 0]);
        }
        assert_eq!(files(&b), None);
    }
}
