//! PDF text: content streams (inflated where FlateDecode) read for their
//! text operators (`Tj`, `TJ`, `'`, `"`), with line breaks where the text
//! moves down; strings decoded as WinAnsi, or through the file's ToUnicode
//! maps where the fonts have them. Enough for the PDFs office programs and
//! report tools write; a PDF whose text cannot be found is not scanned.

use crate::{Budget, text};
use loket_privacy::{NotScanned, Piece};
use std::collections::HashMap;
use std::io::Read;

pub(crate) fn extract(bytes: &[u8], part: &str, budget: &mut Budget, out: &mut Vec<Piece>) {
    let mut streams = Vec::new();
    for (dict, raw) in raw_streams(bytes) {
        if contains(dict, b"/Image") || contains(dict, b"/XObject") {
            continue;
        }
        let data = if contains(dict, b"/FlateDecode") {
            let room = budget.limits.max_total_bytes.saturating_sub(budget.bytes);
            let mut inflated = Vec::new();
            let ok = flate2::read::ZlibDecoder::new(raw)
                .take(room.saturating_add(1))
                .read_to_end(&mut inflated)
                .is_ok();
            if !budget.take(inflated.len() as u64) {
                out.push(Piece::NotScanned {
                    part: part.to_owned(),
                    reason: NotScanned::TooLarge,
                });
                return;
            }
            if !ok {
                continue;
            }
            inflated
        } else if contains(dict, b"/Filter") {
            continue;
        } else {
            raw.to_vec()
        };
        streams.push(data);
    }
    let mut map = HashMap::new();
    for s in streams.iter().filter(|s| contains(s, b"beginbf")) {
        to_unicode(s, &mut map);
    }
    let mut text = String::new();
    for s in streams
        .iter()
        .filter(|s| contains(s, b"BT") && !contains(s, b"beginbf"))
    {
        content_text(s, &map, &mut text);
    }
    if text.trim().is_empty() {
        out.push(Piece::NotScanned {
            part: part.to_owned(),
            reason: NotScanned::Unreadable,
        });
    } else {
        out.push(Piece::Text {
            part: part.to_owned(),
            text,
        });
    }
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

fn find(hay: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    hay.get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|i| i + from)
}

/// Each stream's dictionary (the bytes since the previous `obj`) and data.
fn raw_streams(pdf: &[u8]) -> Vec<(&[u8], &[u8])> {
    let mut out = Vec::new();
    let mut at = 0;
    while let Some(s) = find(pdf, b"stream", at) {
        if s >= 3 && &pdf[s - 3..s] == b"end" {
            at = s + 6;
            continue;
        }
        let mut start = s + 6;
        if pdf.get(start) == Some(&b'\r') {
            start += 1;
        }
        if pdf.get(start) == Some(&b'\n') {
            start += 1;
        }
        let Some(end) = find(pdf, b"endstream", start) else {
            break;
        };
        // The dictionary is just before `stream`: look back a little only
        // (looking back to the start for each stream is quadratic).
        let window = s.saturating_sub(1024).max(at);
        let dict_from = pdf[window..s]
            .windows(3)
            .rposition(|w| w == b"obj")
            .map_or(window, |i| window + i);
        out.push((&pdf[dict_from..s], &pdf[start..end]));
        at = end + 9;
    }
    out
}

/// Reads `bfchar` and `bfrange` entries of a ToUnicode map.
fn to_unicode(cmap: &[u8], map: &mut HashMap<u32, String>) {
    let s = String::from_utf8_lossy(cmap);
    let hexes = |line: &str| -> Vec<String> {
        line.split('<')
            .skip(1)
            .filter_map(|h| h.split_once('>').map(|(h, _)| h.to_owned()))
            .collect()
    };
    let mut mode = "";
    for line in s.lines() {
        let l = line.trim();
        if l.ends_with("beginbfchar") {
            mode = "char";
        } else if l.ends_with("beginbfrange") {
            mode = "range";
        } else if l.starts_with("endbf") {
            mode = "";
        } else {
            let h = hexes(l);
            match (mode, h.as_slice()) {
                ("char", [code, uni, ..]) => {
                    if let Ok(c) = u32::from_str_radix(code, 16) {
                        map.insert(c, utf16_hex(uni));
                    }
                }
                ("range", [lo, hi, first, ..]) => {
                    let (Ok(lo), Ok(hi), Ok(first)) = (
                        u32::from_str_radix(lo, 16),
                        u32::from_str_radix(hi, 16),
                        u32::from_str_radix(first, 16),
                    ) else {
                        continue;
                    };
                    for (i, c) in (lo..=hi.min(lo + 0xFFFF)).enumerate() {
                        let u = first + u32::try_from(i).unwrap_or(0);
                        map.insert(c, char::from_u32(u).map(String::from).unwrap_or_default());
                    }
                }
                _ => {}
            }
        }
    }
}

fn utf16_hex(h: &str) -> String {
    let units: Vec<u16> = h
        .as_bytes()
        .chunks(4)
        .filter_map(|c| u16::from_str_radix(std::str::from_utf8(c).ok()?, 16).ok())
        .collect();
    String::from_utf16_lossy(&units)
}

/// The text a content stream shows.
fn content_text(s: &[u8], map: &HashMap<u32, String>, out: &mut String) {
    let mut i = 0;
    let mut operands: Vec<f64> = Vec::new();
    while i < s.len() {
        match s[i] {
            b'(' => {
                let (bytes, next) = literal(s, i + 1);
                out.push_str(&decode(&bytes, map, false));
                i = next;
            }
            b'<' if s.get(i + 1) != Some(&b'<') => {
                // No closing `>`: the rest is no string (and not searched again).
                let Some(end) = find(s, b">", i) else { break };
                let hex: Vec<u8> = s[i + 1..end].iter().copied().filter(u8::is_ascii_hexdigit).collect();
                let bytes: Vec<u8> = hex
                    .chunks(2)
                    .filter_map(|c| u8::from_str_radix(std::str::from_utf8(c).ok()?, 16).ok())
                    .collect();
                out.push_str(&decode(&bytes, map, true));
                i = end + 1;
            }
            b'-' | b'.' | b'0'..=b'9' => {
                let start = i;
                while i < s.len() && matches!(s[i], b'-' | b'.' | b'0'..=b'9') {
                    i += 1;
                }
                let n: f64 = std::str::from_utf8(&s[start..i])
                    .ok()
                    .and_then(|t| t.parse().ok())
                    .unwrap_or(0.0);
                // Inside TJ arrays a large negative shift is a space.
                if n < -200.0 && !out.ends_with(' ') {
                    out.push(' ');
                }
                operands.push(n);
            }
            b'a'..=b'z' | b'A'..=b'Z' | b'\'' | b'"' | b'*' => {
                let start = i;
                while i < s.len() && (s[i].is_ascii_alphabetic() || matches!(s[i], b'*' | b'\'' | b'"')) {
                    i += 1;
                }
                match &s[start..i] {
                    b"T*" | b"'" | b"\"" | b"ET" | b"Tm" => out.push('\n'),
                    b"Td" | b"TD" if operands.last().is_some_and(|y| *y != 0.0) => out.push('\n'),
                    _ => {}
                }
                operands.clear();
            }
            _ => i += 1,
        }
    }
}

/// A literal string from just after its `(`: its bytes and where it ends.
fn literal(s: &[u8], mut i: usize) -> (Vec<u8>, usize) {
    let mut out = Vec::new();
    let mut depth = 1;
    while i < s.len() {
        let c = s[i];
        i += 1;
        match c {
            b'\\' => {
                let Some(&escaped) = s.get(i) else { break };
                i += 1;
                match escaped {
                    b'n' => out.push(b'\n'),
                    b'r' | b'\n' => {}
                    b't' => out.push(b'\t'),
                    b'0'..=b'7' => {
                        let mut value = u32::from(escaped - b'0');
                        for _ in 0..2 {
                            match s.get(i) {
                                Some(digit @ b'0'..=b'7') => {
                                    value = value * 8 + u32::from(digit - b'0');
                                    i += 1;
                                }
                                _ => break,
                            }
                        }
                        out.push(u8::try_from(value & 0xFF).unwrap_or(b'?'));
                    }
                    other => out.push(other),
                }
            }
            b'(' => {
                depth += 1;
                out.push(c);
            }
            b')' => {
                depth -= 1;
                if depth == 0 {
                    break;
                }
                out.push(c);
            }
            _ => out.push(c),
        }
    }
    (out, i)
}

/// String bytes as text: through the ToUnicode map when there is one (two
/// bytes a code for hex strings), else as WinAnsi.
fn decode(bytes: &[u8], map: &HashMap<u32, String>, hex: bool) -> String {
    if map.is_empty() {
        return text::decode_single(bytes);
    }
    let wide = hex
        && bytes.len().is_multiple_of(2)
        && bytes
            .chunks(2)
            .any(|c| map.contains_key(&u32::from(u16::from_be_bytes([c[0], c[1]]))));
    if wide {
        return bytes
            .chunks(2)
            .map(|c| {
                map.get(&u32::from(u16::from_be_bytes([c[0], c[1]])))
                    .cloned()
                    .unwrap_or_default()
            })
            .collect();
    }
    bytes
        .iter()
        .map(|b| {
            map.get(&u32::from(*b))
                .cloned()
                .unwrap_or_else(|| text::decode_single(&[*b]))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_operators_are_read() {
        let mut out = String::new();
        content_text(
            b"BT /F1 12 Tf 72 720 Td (BSN: 123456782) Tj 0 -14 Td [(Jan) -300 (sen \\(cli\\353nt\\))] TJ ET",
            &HashMap::new(),
            &mut out,
        );
        assert!(out.contains("BSN: 123456782\n"), "{out:?}");
        assert!(out.contains("Jan sen (cliënt)"), "{out:?}");
    }

    #[test]
    fn to_unicode_maps_decode_hex_strings() {
        let mut map = HashMap::new();
        to_unicode(
            b"2 beginbfchar\n<0003> <0020>\n<0011> <0031>\nendbfchar\n1 beginbfrange\n<0012> <001A> <0032>\nendbfrange",
            &mut map,
        );
        let mut out = String::new();
        content_text(b"BT <00110012001300030014> Tj ET", &map, &mut out);
        assert!(out.starts_with("123 4"), "{out:?}");
    }
}
