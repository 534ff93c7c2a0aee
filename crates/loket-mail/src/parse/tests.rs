//! Parsing the mail Dutch municipalities send.

use super::*;

fn mail(headers: &str, body: &str) -> Vec<u8> {
    format!("{headers}\r\n\r\n{body}").into_bytes()
}

#[test]
fn plain_mail_with_encoded_subject_and_latin1_body() {
    let mut raw = b"From: =?ISO-8859-1?Q?Jos=E9_Jansen?= <Jose@Gemeente.nl>\r\nTo: helpdesk@leverancier.nl\r\n\
Subject: =?iso-8859-15?Q?Beschikking_=A4_niet_aangemaakt?=\r\nMessage-ID: <abc@gemeente.nl>\r\n\
Content-Type: text/plain; charset=iso-8859-1\r\nContent-Transfer-Encoding: 8bit\r\n\r\nCli\xebnt kan niet verder.\r\n"
        .to_vec();
    raw.extend_from_slice(b"");
    let m = parse(&raw).unwrap();
    assert_eq!(m.from.as_deref(), Some("Jose@Gemeente.nl"));
    assert_eq!(m.from_name.as_deref(), Some("José Jansen"));
    assert_eq!(m.subject, "Beschikking € niet aangemaakt");
    assert_eq!(m.message_id.as_deref(), Some("abc@gemeente.nl"));
    assert!(m.text.contains("Cliënt kan niet verder."), "{}", m.text);
    assert_eq!(m.automatic, None);
}

#[test]
fn windows_1252_html_only_mail_gets_text_for_search() {
    let raw = b"From: a@b.nl\r\nSubject: html\r\nContent-Type: text/html; charset=windows-1252\r\n\r\n<p>Prijs \x80 5,\x93test\x94</p><script>x()</script>".to_vec();
    let m = parse(&raw).unwrap();
    assert!(m.text.contains("Prijs € 5"), "{}", m.text);
    assert!(m.html.as_deref().unwrap_or_default().contains("<p>"));
}

#[test]
fn multipart_with_attachment_and_threading_headers() {
    let raw = mail(
        "From: jan@gemeente.nl\r\nSubject: Re: [#100001] Vraag\r\nIn-Reply-To: <out-1@loket>\r\nReferences: <a@x> <out-1@loket>\r\n\
MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b1\"",
        "--b1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nZie bijlage.\r\n--b1\r\nContent-Type: application/vnd.ms-excel\r\n\
Content-Disposition: attachment; filename=\"lijst.xls\"\r\nContent-Transfer-Encoding: base64\r\n\r\nQlNOIDEyMzQ1Njc4Mg==\r\n--b1--\r\n",
    );
    let m = parse(&raw).unwrap();
    assert_eq!(m.references, vec!["out-1@loket".to_string(), "a@x".to_string()]);
    assert_eq!(m.attachments.len(), 1);
    assert_eq!(m.attachments[0].filename, "lijst.xls");
    assert_eq!(m.attachments[0].media_type, "application/vnd.ms-excel");
    assert_eq!(m.attachments[0].in_memory(), Some(&b"BSN 123456782"[..]));
    assert!(m.text.contains("Zie bijlage."));
}

#[test]
fn automatic_mail_is_recognised() {
    let cases = [
        ("Auto-Submitted: auto-replied", Some(Automatic::AutoSubmitted)),
        ("Auto-Submitted: no", None),
        ("Precedence: bulk", Some(Automatic::Precedence)),
        ("X-Autoreply: yes", Some(Automatic::AutoReplyHeader)),
        ("X-Auto-Response-Suppress: All", Some(Automatic::AutoReplyHeader)),
        ("List-Id: <gebruikers.lijst>", Some(Automatic::MailingList)),
        ("Return-Path: <>", Some(Automatic::NullSender)),
    ];
    for (h, expect) in cases {
        let m = parse(&mail(
            &format!("From: a@b.nl\r\nSubject: Afwezig\r\n{h}"),
            "Ik ben afwezig.",
        ))
        .unwrap();
        assert_eq!(m.automatic, expect, "{h}");
    }
    let daemon = parse(&mail("From: MAILER-DAEMON@mx.b.nl\r\nSubject: Undelivered", "x")).unwrap();
    assert_eq!(daemon.automatic, Some(Automatic::NullSender));
    let dsn = parse(&mail(
        "From: postmaster@b.nl\r\nSubject: DSN\r\nContent-Type: multipart/report; report-type=delivery-status; boundary=\"r\"",
        "--r\r\nContent-Type: text/plain\r\n\r\nfailed\r\n--r--\r\n",
    ))
    .unwrap();
    assert_eq!(dsn.automatic, Some(Automatic::Bounce));
}

#[test]
fn garbage_is_not_mail() {
    assert!(matches!(parse(b""), Err(ParseError::NotMail(_))));
    assert!(matches!(parse(b"   \r\n"), Err(ParseError::NotMail(_))));
    assert!(matches!(
        parse(b"\x00\x01\x02 binary junk without headers"),
        Err(ParseError::NotMail(_))
    ));
}

#[test]
fn winmail_dat_is_unpacked() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus/tnef");
    let tnef = std::fs::read(dir.join("one-file.tnef")).unwrap_or_default();
    assert!(!tnef.is_empty());
    let b64 = encode_base64(&tnef);
    let raw = mail(
        "From: a@gemeente.nl\r\nSubject: Outlook\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b\"",
        &format!(
            "--b\r\nContent-Type: text/plain\r\n\r\nZie bijlage\r\n--b\r\nContent-Type: application/ms-tnef; name=\"winmail.dat\"\r\n\
Content-Disposition: attachment; filename=\"winmail.dat\"\r\nContent-Transfer-Encoding: base64\r\n\r\n{b64}\r\n--b--\r\n"
        ),
    );
    let m = parse(&raw).unwrap_or_else(|e| panic!("{e}"));
    let names: Vec<&str> = m.attachments.iter().map(|a| a.filename.as_str()).collect();
    assert_eq!(names, vec!["AUTHORS"], "the file inside winmail.dat");
    assert!(String::from_utf8_lossy(m.attachments[0].in_memory().unwrap_or_default()).contains("Authors of tnef"));
    // Every TNEF sample unpacks or is kept, never panics.
    for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
        let bytes = std::fs::read(entry.path()).unwrap_or_default();
        let files = unpack_tnef(vec![Upload::bytes("winmail.dat", "", bytes)]);
        assert!(!files.is_empty());
    }
}

fn encode_base64(data: &[u8]) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for (i, chunk) in data.chunks(3).enumerate() {
        let b = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for k in 0..4 {
            if k <= chunk.len() {
                out.push(T[((n >> (18 - 6 * k)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
        if i % 19 == 18 {
            out.push_str("\r\n");
        }
    }
    out
}
