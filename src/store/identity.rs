//! What makes two fetched messages "the same message" for the ledger: the Message-ID alone is
//! chosen by the sender, and buggy clients and forgers repeat it (issue 16). The ledger keeps a
//! digest of the parts of a message that a redelivery does not change, so that a redelivered
//! copy (the same bytes, or the same mail with new trace headers) keeps its identity and a
//! different message that repeats a Message-ID gets its own ledger row.

use sha2::{Digest, Sha256};

/// Headers a relay, a redelivery or an IMAP server leaves alone (trace headers such as
/// `Received`, `Return-Path`, `Delivered-To` and `X-*` change with every delivery).
const STABLE: [&str; 11] = [
    "from",
    "sender",
    "to",
    "cc",
    "reply-to",
    "subject",
    "date",
    "message-id",
    "in-reply-to",
    "references",
    "content-type",
];

/// Hex digits kept of the digest: 128 bits, ample against accidental collisions.
const HEX_LEN: usize = 32;

/// The digest of a raw message's stable headers (in their order, unfolded, whitespace
/// collapsed, names lower-cased) and its body (line endings normalised, trailing blank lines
/// dropped). Never fails: unparseable bytes are digested as they are.
pub fn digest(raw: &[u8]) -> String {
    let (head, body) = split(raw);
    let mut hasher = Sha256::new();
    for (name, value) in headers(head) {
        if STABLE.contains(&name.as_str()) {
            hasher.update(name.as_bytes());
            hasher.update(b":");
            hasher.update(&value);
            hasher.update(b"\n");
        }
    }
    hasher.update(b"\n");
    let mut body = normalise_lines(body);
    while body.last().is_some_and(|b| b.is_ascii_whitespace()) {
        body.pop();
    }
    hasher.update(&body);
    hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect::<String>()[..HEX_LEN]
        .to_string()
}

/// The ledger key for a message whose Message-ID is already taken by a different message.
pub fn variant_key(message_id: &str, digest: &str) -> String {
    format!("{message_id}#{}", &digest[..digest.len().min(16)])
}

/// Header block and body, split at the first empty line (CRLF or LF).
fn split(raw: &[u8]) -> (&[u8], &[u8]) {
    let mut i = 0;
    while i < raw.len() {
        let rest = &raw[i..];
        if rest.starts_with(b"\r\n") || rest.starts_with(b"\n") {
            // An empty line at the very start, or after a line ending.
            let len = if rest.starts_with(b"\r\n") { 2 } else { 1 };
            return (&raw[..i], &raw[i + len..]);
        }
        match rest.iter().position(|&b| b == b'\n') {
            Some(end) => i += end + 1,
            None => return (raw, &[]),
        }
    }
    (raw, &[])
}

/// Unfolded headers: lower-cased name, value with runs of whitespace collapsed to one space.
fn headers(head: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut out: Vec<(String, Vec<u8>)> = Vec::new();
    for line in head.split(|&b| b == b'\n') {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.is_empty() {
            continue;
        }
        if line[0] == b' ' || line[0] == b'\t' {
            if let Some((_, value)) = out.last_mut() {
                value.push(b' ');
                value.extend_from_slice(line);
            }
            continue;
        }
        let Some(colon) = line.iter().position(|&b| b == b':') else {
            continue;
        };
        let name = String::from_utf8_lossy(&line[..colon])
            .trim()
            .to_ascii_lowercase();
        out.push((name, line[colon + 1..].to_vec()));
    }
    for (_, value) in &mut out {
        *value = collapse(value);
    }
    out
}

fn collapse(value: &[u8]) -> Vec<u8> {
    value
        .split(|b| b.is_ascii_whitespace())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(&b' ')
}

/// CRLF and lone CR become LF, so a copy stored with other line endings digests the same.
fn normalise_lines(body: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(body.len());
    let mut i = 0;
    while i < body.len() {
        match body[i] {
            b'\r' if body.get(i + 1) == Some(&b'\n') => {}
            b'\r' => out.push(b'\n'),
            b => out.push(b),
        }
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const BASE: &str = "From: Ann <ann@x.test>\r\nTo: desk@y.test\r\nSubject: Refund\r\nMessage-ID: <m1@x.test>\r\nDate: Mon, 23 Nov 2026 10:00:00 +0000\r\n\r\nI want a refund.\r\n";

    #[test]
    fn a_redelivery_keeps_the_digest_and_other_content_changes_it() {
        let base = digest(BASE.as_bytes());
        let same = [
            // Trace headers added by a second delivery.
            format!(
                "Return-Path: <ann@x.test>\r\nDelivered-To: desk@y.test\r\nReceived: from a by b; Tue, 24 Nov 2026 10:00:00 +0000\r\n{BASE}"
            ),
            // Stored with LF line endings, and a trailing blank line.
            format!("{}\n", BASE.replace("\r\n", "\n")),
            // The Subject folded differently.
            BASE.replace("Subject: Refund", "Subject:\r\n  Refund"),
            // An X- header a filter added.
            BASE.replace("Date:", "X-Spam-Score: 0.1\r\nDate:"),
        ];
        for raw in &same {
            assert_eq!(digest(raw.as_bytes()), base, "{raw:?}");
        }
        let other = [
            BASE.replace("I want a refund.", "Please cancel."),
            BASE.replace("ann@x.test", "bob@x.test"),
            BASE.replace("Subject: Refund", "Subject: Refund!"),
            BASE.replace("10:00:00", "10:00:01"),
        ];
        for raw in &other {
            assert_ne!(digest(raw.as_bytes()), base, "{raw:?}");
        }
        assert_eq!(base.len(), HEX_LEN);
    }

    #[test]
    fn odd_bytes_digest_without_panicking() {
        for raw in [
            &b""[..],
            b"\r\n",
            b"no header at all",
            b"X: 1\r\n\tfolded first\r\n",
            b"\xff\xfe: \x00\r\n\r\n\r",
        ] {
            assert_eq!(digest(raw).len(), HEX_LEN);
        }
        assert_ne!(digest(b"a: 1\r\n\r\nx"), digest(b"a: 1\r\n\r\ny"));
    }

    #[test]
    fn variant_keys_name_the_message_id() {
        assert_eq!(
            variant_key("m1@x.test", "0123456789abcdef0123"),
            "m1@x.test#0123456789abcdef"
        );
    }
}
