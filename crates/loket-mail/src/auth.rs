//! Whether a mail's sender is authenticated, read from the
//! `Authentication-Results` header (RFC 8601) that a trusted receiving server
//! added. Anyone can write such a header, so only the topmost one carrying the
//! configured server's id counts (a receiving server adds its own on top and
//! removes copies of its id from below), and only a pass aligned with the From
//! domain: DMARC, or DKIM signed by that domain, or SPF for that domain.

/// Whether the sender address at `from_domain` is authenticated by the
/// results of the server named `authserv_id`; `headers` topmost first.
pub fn authenticated(headers: &[String], authserv_id: &str, from_domain: &str) -> bool {
    let authserv_id = authserv_id.trim().to_ascii_lowercase();
    if authserv_id.is_empty() || from_domain.is_empty() {
        return false;
    }
    let Some(results) = headers
        .iter()
        .map(|h| parse(h))
        .find(|(id, _)| *id == authserv_id)
        .map(|(_, r)| r)
    else {
        return false;
    };
    let aligned = |d: &str| {
        let d = d.trim().trim_start_matches('@').to_ascii_lowercase();
        let d = d.rsplit('@').next().unwrap_or_default();
        !d.is_empty() && (from_domain == d || from_domain.ends_with(&format!(".{d}")))
    };
    results.iter().any(|r| match r.method.as_str() {
        "dmarc" => r.result == "pass" && r.prop("header.from").is_none_or(aligned),
        "dkim" => r.result == "pass" && r.prop("header.d").is_some_and(aligned),
        "spf" => r.result == "pass" && r.prop("smtp.mailfrom").is_some_and(aligned),
        _ => false,
    })
}

/// One `method=result` with its properties.
#[derive(Debug, PartialEq, Eq)]
struct MethodResult {
    method: String,
    result: String,
    props: Vec<(String, String)>,
}

impl MethodResult {
    fn prop(&self, name: &str) -> Option<&str> {
        self.props.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }
}

/// Removes `(comments)` (they may nest), which carry no results.
fn strip_comments(s: &str) -> String {
    let mut depth = 0usize;
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '(' => depth += 1,
            ')' if depth > 0 => depth -= 1,
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out
}

/// The authserv-id (lower-case) and the results of one header value.
fn parse(value: &str) -> (String, Vec<MethodResult>) {
    let value = strip_comments(value);
    let mut parts = value.split(';');
    let id = parts
        .next()
        .unwrap_or_default()
        .split_whitespace()
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    let mut results = Vec::new();
    for part in parts {
        let mut words = part.split_whitespace();
        let Some((method, result)) = words.next().and_then(|w| w.split_once('=')) else {
            continue;
        };
        let props = words
            .filter_map(|w| w.split_once('='))
            .map(|(k, v)| (k.to_ascii_lowercase(), v.trim_matches('"').to_owned()))
            .collect();
        results.push(MethodResult {
            method: method.to_ascii_lowercase(),
            result: result.to_ascii_lowercase(),
            props,
        });
    }
    (id, results)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(v: &str) -> Vec<String> {
        vec![v.to_owned()]
    }

    #[test]
    fn a_pass_from_the_trusted_server_aligned_with_from_counts() {
        let dmarc =
            h("mx.leverancier.nl; dkim=pass header.d=leverancier.nl; dmarc=pass (p=reject) header.from=leverancier.nl");
        assert!(authenticated(&dmarc, "mx.leverancier.nl", "leverancier.nl"));
        let dkim = h("MX.Leverancier.nl; dkim=pass (2048-bit key) header.d=leverancier.nl header.s=sel");
        assert!(authenticated(&dkim, "mx.leverancier.nl", "leverancier.nl"));
        let spf = h("mx.leverancier.nl; spf=pass smtp.mailfrom=agent@leverancier.nl");
        assert!(authenticated(&spf, "mx.leverancier.nl", "leverancier.nl"));
    }

    #[test]
    fn anything_else_does_not() {
        let ok = "mx.leverancier.nl; dmarc=pass header.from=leverancier.nl";
        assert!(
            !authenticated(&h(ok), "mx.elders.nl", "leverancier.nl"),
            "another server's results"
        );
        assert!(
            !authenticated(&h(ok), "", "leverancier.nl"),
            "no trusted server configured"
        );
        assert!(!authenticated(&h(ok), "mx.leverancier.nl", "evil.nl"), "not aligned");
        let fail = h("mx.leverancier.nl; dmarc=fail header.from=leverancier.nl; spf=softfail smtp.mailfrom=x@evil.nl");
        assert!(!authenticated(&fail, "mx.leverancier.nl", "leverancier.nl"));
        let other_d = h("mx.leverancier.nl; dkim=pass header.d=evil.nl");
        assert!(!authenticated(&other_d, "mx.leverancier.nl", "leverancier.nl"));
        let lookalike = h("mx.leverancier.nl; dkim=pass header.d=erancier.nl");
        assert!(!authenticated(&lookalike, "mx.leverancier.nl", "leverancier.nl"));
        let in_comment = h("mx.leverancier.nl; dkim=fail (dmarc=pass) header.d=leverancier.nl");
        assert!(!authenticated(&in_comment, "mx.leverancier.nl", "leverancier.nl"));
        // Only the topmost header of the trusted server counts: a forged one
        // below it (added before the mail reached that server) is ignored.
        let forged_below = vec![
            "mx.leverancier.nl; dmarc=fail header.from=leverancier.nl".to_owned(),
            ok.to_owned(),
        ];
        assert!(!authenticated(&forged_below, "mx.leverancier.nl", "leverancier.nl"));
    }
}
