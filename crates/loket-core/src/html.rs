//! HTML sanitising and plain-text helpers for message bodies.

/// What a remote image in mail shows instead: a local picture saying that an
/// image was blocked (remote images track readers and can reach addresses
/// inside the network from staff browsers).
pub const BLOCKED_IMAGE: &str = "/static/blocked-image.svg";

/// Removes everything from `html` that could run script, load remote content or
/// break out of the page it is shown in. Remote images are replaced by
/// [`BLOCKED_IMAGE`]; links keep working, opening apart from the page.
pub fn sanitise(html: &str) -> String {
    ammonia::Builder::default()
        .url_schemes(std::collections::HashSet::from(["http", "https", "mailto", "cid"]))
        .link_rel(Some("noopener noreferrer nofollow"))
        .attribute_filter(|element, attribute, value| {
            if element == "img" && attribute == "src" && !value.trim_start().to_ascii_lowercase().starts_with("cid:") {
                Some(BLOCKED_IMAGE.into())
            } else {
                Some(value.into())
            }
        })
        .clean(html)
        .to_string()
}

/// Renders Markdown (CommonMark with tables and strikethrough) as safe HTML:
/// raw HTML in it is cleaned like mail, links open apart from the page.
pub fn markdown(md: &str) -> String {
    let mut options = pulldown_cmark::Options::empty();
    options.insert(pulldown_cmark::Options::ENABLE_TABLES);
    options.insert(pulldown_cmark::Options::ENABLE_STRIKETHROUGH);
    let mut out = String::with_capacity(md.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut out, pulldown_cmark::Parser::new_ext(md, options));
    sanitise(&out)
}

/// The text a reader sees of Markdown: rendered and cleaned as
/// [`markdown`], without its tags, entities decoded (what checks for
/// personal data must read: `&#49;` and `<!-- -->` hide nothing).
pub fn markdown_text(md: &str) -> String {
    let html = markdown(md);
    let mut out = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                out.push(' ');
            }
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

/// Renders plain text as safe HTML paragraphs (escaped, line breaks kept).
pub fn text_to_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    for (i, para) in text.split("\n\n").enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str("<p>");
        for (j, line) in para.lines().enumerate() {
            if j > 0 {
                out.push_str("<br>");
            }
            escape_into(line, &mut out);
        }
        out.push_str("</p>");
    }
    out
}

/// Appends `s` to `out` with the five HTML-special characters escaped.
pub fn escape_into(s: &str, out: &mut String) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sanitise_strips_script_and_handlers() {
        let out = sanitise(r#"<p onclick="x()">Hoi<script>alert(1)</script><a href="javascript:x">l</a></p>"#);
        assert!(!out.contains("script"));
        assert!(!out.contains("onclick"));
        assert!(!out.contains("javascript"));
        assert!(out.contains("Hoi"));
    }

    #[test]
    fn remote_images_are_blocked_visibly() {
        let out = sanitise(
            r#"<p><img src="http://169.254.169.254/latest/meta-data" alt="logo"><img src="https://t.example/p.gif"><img src="cid:part1@x"></p>"#,
        );
        assert!(!out.contains("169.254") && !out.contains("t.example"), "{out}");
        assert_eq!(out.matches(BLOCKED_IMAGE).count(), 2, "{out}");
        assert!(out.contains("alt=\"logo\"") && out.contains("cid:part1@x"), "{out}");
    }

    #[test]
    fn text_to_html_escapes() {
        assert_eq!(text_to_html("a<b\nc\n\nd"), "<p>a&lt;b<br>c</p>\n<p>d</p>");
    }
}

#[cfg(test)]
mod markdown_tests {
    #[test]
    fn markdown_renders_and_stays_safe() {
        let html = super::markdown(
            "# Versie 8.4\n\n- **BRP**: sneller\n\n[klik](javascript:alert(1)) en [site](https://example.nl)\n\n<script>alert(1)</script> <img src=\"http://evil/x.png\" onerror=\"alert(1)\">",
        );
        assert!(
            html.contains("<h1>Versie 8.4</h1>") && html.contains("<strong>BRP</strong>"),
            "{html}"
        );
        assert!(
            !html.contains("<script") && !html.contains("href=\"javascript") && !html.contains("onerror"),
            "{html}"
        );
        assert!(!html.contains("http://evil"), "remote images are blocked: {html}");
        assert!(
            html.contains("<a href=\"https://example.nl\" rel=\"noopener noreferrer nofollow\">site</a>"),
            "{html}"
        );
    }
}
