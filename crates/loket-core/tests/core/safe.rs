//! What "safe" means for HTML shown in Loket's pages: read the sanitiser's
//! output tag by tag and find nothing that can run script, style the page,
//! frame or load anything from elsewhere.

/// Elements that must never come out of the sanitiser.
const FORBIDDEN: &[&str] = &[
    "script", "style", "iframe", "frame", "frameset", "object", "embed", "applet", "svg", "math", "link", "meta",
    "base", "form", "input", "button", "textarea", "select", "option", "noscript", "template", "xml", "isindex",
    "keygen", "bgsound", "audio", "video", "source", "track", "canvas", "portal", "title", "head", "body", "html",
];

/// Attributes that must never come out of the sanitiser.
const FORBIDDEN_ATTRS: &[&str] = &[
    "style",
    "srcset",
    "formaction",
    "action",
    "background",
    "dynsrc",
    "lowsrc",
    "xmlns",
    "data",
    "poster",
];

/// Decodes character references in an attribute value, as a browser does
/// (named ones the serialiser writes, and numeric ones).
fn decode(v: &str) -> String {
    let mut out = String::with_capacity(v.len());
    let mut rest = v;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        rest = &rest[amp..];
        let end = rest.find(';').filter(|e| *e < 12);
        let decoded = end.and_then(|e| match &rest[1..e] {
            "quot" => Some('"'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "amp" => Some('&'),
            "nbsp" => Some('\u{a0}'),
            n if n.starts_with("#x") || n.starts_with("#X") => {
                u32::from_str_radix(&n[2..], 16).ok().and_then(char::from_u32)
            }
            n if n.starts_with('#') => n[1..].parse().ok().and_then(char::from_u32),
            _ => None,
        });
        if let (Some(c), Some(e)) = (decoded, end) {
            out.push(c);
            rest = &rest[e + 1..];
        } else {
            out.push('&');
            rest = &rest[1..];
        }
    }
    out.push_str(rest);
    out
}

/// Whether a URL in an `href` is one a browser cannot run: relative, or with
/// one of the schemes mail links may have. (A scheme is letters, digits, `+`,
/// `-`, `.` before the first `:`; anything else is a relative path.)
fn safe_link(v: &str) -> bool {
    let v: String = decode(v)
        .chars()
        .filter(|c| !c.is_ascii_whitespace() && !c.is_control())
        .collect::<String>()
        .to_ascii_lowercase();
    let Some((scheme, _)) = v.split_once(':') else {
        return true;
    };
    let is_scheme = scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme.chars().all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c));
    !is_scheme || ["http", "https", "mailto", "cid"].contains(&scheme)
}

/// Panics (naming `input`) when `html` holds anything unsafe.
pub fn assert_safe(html: &str, input: &str) {
    let mut rest = html;
    while let Some(open) = rest.find('<') {
        rest = &rest[open + 1..];
        assert!(
            !rest.starts_with('!'),
            "a comment or declaration survived {input:?}: {html}"
        );
        let closing = rest.starts_with('/');
        let name_start = usize::from(closing);
        let name: String = rest[name_start..]
            .chars()
            .take_while(char::is_ascii_alphanumeric)
            .collect::<String>()
            .to_ascii_lowercase();
        assert!(!name.is_empty(), "a '<' that is not a tag survived {input:?}: {html}");
        assert!(
            !FORBIDDEN.contains(&name.as_str()),
            "<{name}> survived {input:?}: {html}"
        );
        // Attributes: name="value" pairs (the serialiser always quotes values).
        let mut at = &rest[name_start + name.len()..];
        loop {
            at = at.trim_start();
            if let Some(after) = at.strip_prefix('>') {
                rest = after;
                break;
            }
            if let Some(after) = at.strip_prefix("/>") {
                rest = after;
                break;
            }
            let attr: String = at
                .chars()
                .take_while(|c| !c.is_whitespace() && *c != '=' && *c != '>')
                .collect();
            assert!(!attr.is_empty(), "an unreadable tag survived {input:?}: {html}");
            at = &at[attr.len()..];
            let attr = attr.to_ascii_lowercase();
            let mut value = String::new();
            if let Some(after) = at.strip_prefix("=\"") {
                let end = after
                    .find('"')
                    .unwrap_or_else(|| panic!("unterminated value for {input:?}: {html}"));
                after[..end].clone_into(&mut value);
                at = &after[end + 1..];
            }
            assert!(!attr.starts_with("on"), "{attr} survived {input:?}: {html}");
            assert!(
                !FORBIDDEN_ATTRS.contains(&attr.as_str()),
                "{attr} survived {input:?}: {html}"
            );
            if attr == "href" || attr == "cite" || attr == "longdesc" {
                assert!(safe_link(&value), "{attr}={value} survived {input:?}: {html}");
            }
            if attr == "src" {
                assert!(
                    value == loket_core::html::BLOCKED_IMAGE || value.to_ascii_lowercase().starts_with("cid:"),
                    "src={value} survived {input:?}: {html}"
                );
            }
        }
    }
}
