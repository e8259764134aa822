//! Parsing: raw message bytes into an owned [`Inbound`]. Pure; never panics.
//!
//! This is the only module that sees mail-parser's types.

use jiff::Timestamp;
use jiff::fmt::rfc2822::DateTimeParser;
use mail_parser::{Header, HeaderName, HeaderValue, Message, MessageParser, MimeHeaders};
use sha2::{Digest, Sha256};

use quote::{body_text, forwarded, new_text};

mod bounce;
mod quote;

pub use bounce::is_bounce_subject;
pub(crate) use bounce::normalized;

/// One message as the intake found it, before anything is understood of it.
#[derive(Debug, Clone)]
pub struct RawMail {
    /// Where it came from, for logs and reports: a file path or `imap:<uid>`.
    pub origin: String,
    /// When the vendor's server received it (IMAP INTERNALDATE, or `--received`), if known.
    /// `None` makes [`parse`] fall back to the message's own `Received:` trace header.
    pub received: Option<Timestamp>,
    pub bytes: Vec<u8>,
}

/// A mailbox address with its decoded display name.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Address {
    /// Decoded display name; may contain anything the sender put there, CR/LF included.
    pub name: Option<String>,
    /// The addr-spec, as written (not lower-cased).
    pub email: String,
}

/// What screening reads: the headers, kept raw so that screening can apply its own rules, and
/// whether the message forwards someone else's.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AutoHeaders {
    /// Every `Auto-Submitted` value.
    pub auto_submitted: Vec<String>,
    /// Every `Precedence` value.
    pub precedence: Vec<String>,
    /// Every `X-Auto-Response-Suppress` value.
    pub auto_response_suppress: Vec<String>,
    /// Every `X-Loop` value.
    pub x_loop: Vec<String>,
    /// Names of `List-*` headers present (`List-Id`, `List-Unsubscribe`, ...).
    pub list_headers: Vec<String>,
    /// `X-Autoreply`, `X-Autorespond` and similar markers present.
    pub autoreply_markers: Vec<String>,
    /// `Return-Path` as written; `Some("")` for the null path `<>`.
    pub return_path: Option<String>,
    /// Top-level content type, lower-cased (`multipart/report` for delivery notifications).
    pub content_type: String,
    /// `report-type` parameter of a `multipart/report`, lower-cased.
    pub report_type: Option<String>,
    /// The message forwards another one (a `Fwd:` with the original inline or attached).
    pub forwarded: Option<Box<Forwarded>>,
    /// Every `Authentication-Results` value, topmost first; judged by [`crate::sender_auth`].
    pub authentication_results: Vec<String>,
    /// The `Sender` address (the agent that sent it for the From author), lower-cased.
    pub sender: Option<String>,
    /// Names of report headers present (`TLS-Report-Domain`, `TLS-Report-Submitter`).
    pub report_headers: Vec<String>,
    /// The content type of every MIME part, lower-cased, each once, in order (not those of a
    /// message attached inside: a bounce's returned message is not the bounce).
    pub part_types: Vec<String>,
    /// Every attachment's file name, lower-cased.
    pub attachment_names: Vec<String>,
    /// Every spam filter verdict header's value (`X-Spam-Flag`, `X-Spam-Status`, `X-Spam`).
    pub spam_verdicts: Vec<String>,
}

/// The message inside a forward, as far as the forward shows it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Forwarded {
    /// The original sender, from the forwarded header block; `None` if it cannot be read.
    pub from: Option<Address>,
    pub subject: String,
    /// The original's own text: quoted history and signature cut, as for any message.
    pub text: String,
}

/// A parsed message: everything later stages need, owned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inbound {
    /// The Message-ID without angle brackets; if missing, `generated-<hash>@mailclerk.invalid`,
    /// a hash of the raw bytes, so that a redelivered copy keeps the same id.
    pub message_id: String,
    /// `References` ids (without brackets), oldest first, then `In-Reply-To` ids not among them.
    pub references: Vec<String>,
    /// When the vendor's server received it: never the sender's `Date:` header.
    pub received: Timestamp,
    /// The single From address. Messages with zero or several are rejected by [`parse`].
    pub from: Address,
    pub reply_to: Option<Address>,
    /// Every recipient address in `To`, `Cc` and `Delivered-To` (lower-cased).
    pub recipients: Vec<String>,
    pub subject: String,
    /// The customer's own new text: best body part, quoted history and signature cut.
    pub text: String,
    pub auto: AutoHeaders,
    /// Size of the raw message in bytes.
    pub size: usize,
}

#[cfg(test)]
impl Inbound {
    /// A customer's plain message for unit tests: From ann@customer.example, no headers of note.
    pub(crate) fn example(subject: &str, text: &str) -> Inbound {
        Inbound {
            message_id: "m@x".into(),
            references: vec![],
            received: "2026-03-03T10:00:00Z".parse().expect("a valid time"),
            from: Address {
                name: None,
                email: "ann@customer.example".into(),
            },
            reply_to: None,
            recipients: vec![],
            subject: subject.into(),
            text: text.into(),
            auto: AutoHeaders::default(),
            size: 100,
        }
    }
}

/// Why a message could not be turned into an [`Inbound`]. Such a message goes to people.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Unparseable {
    #[error("the message is empty")]
    Empty,
    #[error("not a mail message: no header section could be read")]
    NotMail,
    #[error("no From address")]
    NoFrom,
    #[error("{0} From addresses; exactly one is required")]
    SeveralFrom(usize),
    #[error("no receipt time: no Received: header with a date, and none was given")]
    NoReceiptTime,
    #[error("message is {size} bytes, over the {limit}-byte limit")]
    TooLarge { size: usize, limit: usize },
    /// Over the limit as the IMAP server reported its size: never fetched, so never parsed.
    #[error("message is {size} bytes, over the {limit}-byte limit; not downloaded")]
    NotDownloaded { size: u64, limit: usize },
}

/// Parses raw bytes into an [`Inbound`]. `max_size` is the size above which a message is
/// not read at all.
///
/// The size is checked before mail-parser sees a byte (it has no limits of its own;
/// reliability-notes TL;DR 7), and mail-parser runs inside a panic boundary: it has shipped
/// panics before, and one hostile message must never take the daemon down.
///
/// # Errors
/// [`Unparseable`] when the bytes are not a mail message this stage can stand behind.
///
/// # Examples
/// ```
/// use mailclerk::parse::{parse, RawMail, Unparseable};
/// let raw = RawMail { origin: "doc".into(), received: None, bytes: Vec::new() };
/// assert_eq!(parse(&raw, 1024), Err(Unparseable::Empty));
/// ```
pub fn parse(raw: &RawMail, max_size: usize) -> Result<Inbound, Unparseable> {
    let size = raw.bytes.len();
    if size == 0 {
        return Err(Unparseable::Empty);
    }
    if size > max_size {
        return Err(Unparseable::TooLarge {
            size,
            limit: max_size,
        });
    }
    let bytes = normalized_line_ends(&raw.bytes);
    std::panic::catch_unwind(|| parse_message(&bytes, &raw.bytes, raw.received))
        .unwrap_or(Err(Unparseable::NotMail))
}

/// The message with every bare CR (old Mac line ends, or a CR that lost its LF on the way)
/// made a CRLF, and a run of CRs before an LF made one CRLF: mail-parser splits lines on LF
/// only, so a message written with bare CRs would otherwise be one long header line, and its
/// From, Subject and screening headers would be lost. Borrowed unchanged when there is none.
fn normalized_line_ends(bytes: &[u8]) -> std::borrow::Cow<'_, [u8]> {
    if !has_bare_cr(bytes) {
        return std::borrow::Cow::Borrowed(bytes);
    }
    let mut out = Vec::with_capacity(bytes.len() + bytes.len() / 32);
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'\r' {
            out.push(bytes[i]);
            i += 1;
            continue;
        }
        let run = bytes[i..].iter().take_while(|&&b| b == b'\r').count();
        if bytes.get(i + run) == Some(&b'\n') {
            // "\r\r\n" is one line end written twice over, not a blank line.
            out.extend_from_slice(b"\r\n");
            i += run + 1;
        } else {
            for _ in 0..run {
                out.extend_from_slice(b"\r\n");
            }
            i += run;
        }
    }
    std::borrow::Cow::Owned(out)
}

/// Whether some CR in `bytes` is not followed by an LF. This runs on every message,
/// megabyte attachments included, and a CRLF message has a CR every 78 bytes or less: a
/// branch-free pass over fixed blocks (which the compiler vectorizes) beats stopping at each
/// CR (`memchr_iter` took 3% of the pipeline benchmark).
fn has_bare_cr(bytes: &[u8]) -> bool {
    const BLOCK: usize = 64;
    let Some((&last, _)) = bytes.split_last() else {
        return false;
    };
    // Pairs (bytes[i], bytes[i + 1]); the last byte has no follower.
    let (firsts, nexts) = (&bytes[..bytes.len() - 1], &bytes[1..]);
    let mut blocks = firsts.chunks_exact(BLOCK).zip(nexts.chunks_exact(BLOCK));
    for (a, b) in blocks.by_ref() {
        let bare = a
            .iter()
            .zip(b)
            .fold(false, |acc, (&x, &y)| acc | ((x == b'\r') & (y != b'\n')));
        if bare {
            return true;
        }
    }
    let tail = firsts.len() - firsts.len() % BLOCK;
    firsts[tail..]
        .iter()
        .zip(&nexts[tail..])
        .any(|(&x, &y)| x == b'\r' && y != b'\n')
        || last == b'\r'
}

/// `bytes` are the message with its line ends made CRLF; `original` as received (its size and
/// the id generated for a message without one are of these, so a message keeps the id it had).
fn parse_message(
    bytes: &[u8],
    original: &[u8],
    given: Option<Timestamp>,
) -> Result<Inbound, Unparseable> {
    let message = MessageParser::default()
        .parse(bytes)
        .ok_or(Unparseable::NotMail)?;
    if !message
        .headers()
        .iter()
        .any(|h| is_field_name(h.name.as_str()))
    {
        return Err(Unparseable::NotMail);
    }
    let subject = message.subject().map(one_line).unwrap_or_default();
    let mut auto = auto_headers(&message, bytes);
    let from = match single_from(&message) {
        Err(Unparseable::NoFrom) if is_null_sender_bounce(&message, &auto, &subject, bytes) => {
            null_sender(&message, bytes)
        }
        other => other?,
    };
    let received = match given {
        Some(at) => at,
        None => topmost_received(&message, bytes).ok_or(Unparseable::NoReceiptTime)?,
    };
    let reply_to = message.reply_to().and_then(|a| a.first()).map(to_address);
    let body = body_text(&message);
    auto.forwarded = forwarded(&message, &subject, &body).map(Box::new);
    Ok(Inbound {
        message_id: message_id(&message).unwrap_or_else(|| generated_id(original)),
        references: references(&message),
        received,
        from,
        reply_to,
        recipients: recipients(&message, bytes),
        subject,
        text: new_text(&body),
        auto,
        size: original.len(),
    })
}

/// A message without a usable From that is plainly a bounce: its reverse-path is null, it
/// carries a delivery report, its From names the mailer daemon (`From: MAILER-DAEMON <>`), or
/// its subject is a mail system's. Read with an empty sender, it is screened as a bounce
/// (RFC 3464, RFC 3834 §2) rather than sent to people as "no From address".
fn is_null_sender_bounce(
    message: &Message<'_>,
    auto: &AutoHeaders,
    subject: &str,
    bytes: &[u8],
) -> bool {
    let from_names_daemon = message
        .headers()
        .iter()
        .filter(|h| h.name == HeaderName::From)
        .any(|h| {
            let value = raw_value(h, bytes).to_lowercase();
            ["mailer-daemon", "postmaster", "mail delivery"]
                .iter()
                .any(|d| value.contains(d))
        });
    auto.return_path.as_deref() == Some("")
        || auto.report_type.as_deref() == Some("delivery-status")
        || auto
            .part_types
            .iter()
            .any(|t| t == "message/delivery-status" || t == "message/global-delivery-status")
        || from_names_daemon
        || is_bounce_subject(subject)
}

/// The sender of a null-sender bounce: no address, the From's display text as its name.
fn null_sender(message: &Message<'_>, bytes: &[u8]) -> Address {
    let name = message
        .headers()
        .iter()
        .find(|h| h.name == HeaderName::From)
        .map(|h| one_line(&raw_value(h, bytes)))
        .filter(|n| !n.is_empty());
    Address {
        name,
        email: String::new(),
    }
}

/// RFC 5322 ftext: printable ASCII except the colon. A "header" whose name is anything else
/// is prose that mail-parser read as a header.
fn is_field_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| (b'!'..=b'~').contains(&b) && b != b':')
}

/// Exactly one From header holding exactly one valid-looking addr-spec (reliability-notes
/// TL;DR 4): mail-parser's `from()` returns the last of several From headers, so count them.
fn single_from(message: &Message<'_>) -> Result<Address, Unparseable> {
    let headers: Vec<&Header<'_>> = message
        .headers()
        .iter()
        .filter(|h| h.name == HeaderName::From)
        .collect();
    if headers.len() > 1 {
        return Err(Unparseable::SeveralFrom(headers.len()));
    }
    let addresses: Vec<Address> = headers
        .iter()
        .filter_map(|h| h.value.as_address())
        .flat_map(|a| a.iter())
        .map(to_address)
        .collect();
    match addresses.as_slice() {
        [] => Err(Unparseable::NoFrom),
        [one] if is_addr_spec(&one.email) => Ok(one.clone()),
        [_] => Err(Unparseable::NoFrom),
        several => Err(Unparseable::SeveralFrom(several.len())),
    }
}

fn to_address(addr: &mail_parser::Addr<'_>) -> Address {
    Address {
        name: addr.name.as_deref().map(str::to_string),
        email: addr
            .address
            .as_deref()
            .unwrap_or_default()
            .trim()
            .to_string(),
    }
}

/// One '@' between a non-empty local part and domain, and nothing that belongs to address
/// syntax rather than to an address (so `<ann@customer>eve@attacker` is refused).
fn is_addr_spec(email: &str) -> bool {
    let forbidden = |c: char| c.is_whitespace() || c.is_control() || "<>()[],;:\"\\".contains(c);
    match email.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && !domain.is_empty()
                && !domain.contains('@')
                && !email.contains(forbidden)
        }
        None => false,
    }
}

/// The date of the topmost `Received:` header, the one our own server added. Lower ones are
/// written by whoever sent the message, so they are never consulted.
fn topmost_received(message: &Message<'_>, bytes: &[u8]) -> Option<Timestamp> {
    static PARSER: DateTimeParser = DateTimeParser::new().relaxed_weekday(true);
    let header = message
        .headers()
        .iter()
        .find(|h| h.name == HeaderName::Received)?;
    let text = raw_value(header, bytes);
    let from_text = text
        .rsplit_once(';')
        .and_then(|(_, date)| PARSER.parse_timestamp(date.trim()).ok());
    from_text.or_else(|| match &header.value {
        HeaderValue::Received(received) => received
            .date
            .filter(|d| d.is_valid())
            .and_then(|d| Timestamp::from_second(d.to_timestamp()).ok()),
        _ => None,
    })
}

/// A header's value as written, unfolded, whitespace runs collapsed, trimmed.
fn raw_value(header: &Header<'_>, bytes: &[u8]) -> String {
    let range = header.offset_start as usize..header.offset_end as usize;
    let raw = bytes
        .get(range)
        .map(String::from_utf8_lossy)
        .unwrap_or_default();
    raw.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Replaces each run of control characters (CR/LF above all) by one space: a subject is one
/// line, whatever its encoded words decode to (reliability-notes TL;DR 6).
fn one_line(text: &str) -> String {
    let pieces: Vec<&str> = text
        .split(|c: char| c.is_control())
        .filter(|p| !p.is_empty())
        .collect();
    pieces.join(" ").trim().to_string()
}

/// An id is used in our own headers later, so anything that could break a header line is
/// refused and the caller falls back.
fn clean_id(id: &str) -> Option<String> {
    let id = id.trim().trim_start_matches('<').trim_end_matches('>');
    let bad = |c: char| c.is_whitespace() || c.is_control() || c == '<' || c == '>';
    (!id.is_empty() && !id.contains(bad)).then(|| id.to_string())
}

fn message_id(message: &Message<'_>) -> Option<String> {
    let header = message
        .headers()
        .iter()
        .find(|h| h.name == HeaderName::MessageId)?;
    header
        .value
        .as_text_list()?
        .first()
        .and_then(|id| clean_id(id))
}

fn generated_id(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    let hex: String = digest.iter().take(8).map(|b| format!("{b:02x}")).collect();
    format!("generated-{hex}@mailclerk.invalid")
}

/// `References`, then any `In-Reply-To` id not among them (RFC 5322 §3.6.4: a client that
/// writes no References still names the parent in In-Reply-To).
fn references(message: &Message<'_>) -> Vec<String> {
    let mut ids: Vec<String> = message
        .references()
        .as_text_list()
        .unwrap_or_default()
        .iter()
        .filter_map(|id| clean_id(id))
        .collect();
    for id in message
        .in_reply_to()
        .as_text_list()
        .unwrap_or_default()
        .iter()
        .filter_map(|id| clean_id(id))
    {
        if !ids.contains(&id) {
            ids.push(id);
        }
    }
    ids
}

/// To and Cc as parsed; Delivered-To and X-Original-To are trace headers that mail-parser
/// keeps raw, so they are split here.
fn recipients(message: &Message<'_>, bytes: &[u8]) -> Vec<String> {
    let listed = message
        .all_to()
        .chain(message.all_cc())
        .flat_map(|a| a.iter())
        .filter_map(|a| a.address.as_deref())
        .map(str::to_string);
    let traced = message
        .headers()
        .iter()
        .filter(|h| is_named(h, "Delivered-To") || is_named(h, "X-Original-To"))
        .flat_map(|h| {
            let value = raw_value(h, bytes);
            value
                .split(',')
                .map(|a| {
                    a.trim()
                        .trim_start_matches('<')
                        .trim_end_matches('>')
                        .to_string()
                })
                .collect::<Vec<_>>()
        });
    let mut all: Vec<String> = Vec::new();
    for address in listed.chain(traced) {
        let address = address.trim().to_lowercase();
        if address.contains('@') && !all.contains(&address) {
            all.push(address);
        }
    }
    all
}

fn is_named(header: &Header<'_>, name: &str) -> bool {
    header.name.as_str().eq_ignore_ascii_case(name)
}

const LIST_HEADERS: [&str; 7] = [
    "List-Id",
    "List-Owner",
    "List-Subscribe",
    "List-Post",
    "List-Unsubscribe",
    "List-Help",
    "List-Archive",
];
/// Headers that autoresponders add instead of (or beside) `Auto-Submitted`: the common
/// vacation programs', Exchange/Outlook rules' `X-Autogenerated`, FirstClass's machine flag.
const AUTOREPLY_MARKERS: [&str; 9] = [
    "X-Autoreply",
    "X-Autorespond",
    "X-Autoresponder",
    "X-Autoresponse",
    "X-Auto-Reply",
    "X-Autoreply-From",
    "X-Mail-Autoreply",
    "X-Autogenerated",
    "X-FC-MachineGenerated",
];
/// The verdicts a spam filter on the vendor's own mail server adds: SpamAssassin's
/// `X-Spam-Flag` and `X-Spam-Status`, rspamd's `X-Spam`.
const SPAM_HEADERS: [&str; 3] = ["X-Spam-Flag", "X-Spam-Status", "X-Spam"];
/// SMTP TLS reports (RFC 8460 §5.3).
const REPORT_HEADERS: [&str; 2] = ["TLS-Report-Domain", "TLS-Report-Submitter"];

/// Screening's inputs, taken from the top-level header section only (a bounce carries the
/// original message's headers inside it; those are not this message's).
fn auto_headers(message: &Message<'_>, bytes: &[u8]) -> AutoHeaders {
    let mut auto = AutoHeaders::default();
    for header in message.headers() {
        let value = || raw_value(header, bytes);
        let name = header.name.as_str();
        if is_named(header, "Auto-Submitted") {
            auto.auto_submitted.push(value());
        } else if is_named(header, "Precedence") || is_named(header, "X-Precedence") {
            auto.precedence.push(value());
        } else if is_named(header, "X-Auto-Response-Suppress") {
            auto.auto_response_suppress.push(value());
        } else if is_named(header, "X-Loop") {
            auto.x_loop.push(value());
        } else if is_named(header, "Authentication-Results") {
            auto.authentication_results.push(value());
        } else if is_named(header, "Return-Path") {
            auto.return_path
                .get_or_insert_with(|| return_path(&value()));
        } else if is_named(header, "Sender") {
            auto.sender = header
                .value
                .as_address()
                .and_then(|a| a.first())
                .and_then(|a| a.address.as_deref())
                .map(|a| a.trim().to_lowercase());
        } else if SPAM_HEADERS.iter().any(|n| n.eq_ignore_ascii_case(name)) {
            auto.spam_verdicts.push(value());
        } else if let Some(report) = REPORT_HEADERS.iter().find(|n| n.eq_ignore_ascii_case(name)) {
            push_once(&mut auto.report_headers, report);
        } else if let Some(list) = LIST_HEADERS.iter().find(|n| n.eq_ignore_ascii_case(name)) {
            push_once(&mut auto.list_headers, list);
        } else if let Some(marker) = AUTOREPLY_MARKERS
            .iter()
            .find(|n| n.eq_ignore_ascii_case(name))
        {
            push_once(&mut auto.autoreply_markers, marker);
        }
    }
    let content_type = message
        .root_part()
        .headers
        .iter()
        .find(|h| h.name == HeaderName::ContentType);
    match content_type.and_then(|h| h.value.as_content_type()) {
        Some(ct) => {
            let subtype = ct.subtype().unwrap_or_default();
            auto.content_type = format!("{}/{}", ct.ctype(), subtype).to_lowercase();
            auto.report_type = ct.attribute("report-type").map(str::to_lowercase);
        }
        None => auto.content_type = "text/plain".to_string(),
    }
    for part in &message.parts {
        if let Some(ct) = part.content_type() {
            let subtype = ct.subtype().unwrap_or_default();
            push_once(
                &mut auto.part_types,
                &format!("{}/{}", ct.ctype(), subtype).to_lowercase(),
            );
        }
        if let Some(name) = part.attachment_name() {
            auto.attachment_names.push(name.to_lowercase());
        }
    }
    auto
}

fn push_once(names: &mut Vec<String>, name: &str) {
    if !names.iter().any(|n| n == name) {
        names.push(name.to_string());
    }
}

/// `<>` (the null reverse-path of bounces and auto-replies) becomes `""`.
fn return_path(value: &str) -> String {
    value
        .trim()
        .trim_start_matches('<')
        .trim_end_matches('>')
        .trim()
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(text: &str) -> RawMail {
        RawMail {
            origin: "test".into(),
            received: None,
            bytes: text.as_bytes().to_vec(),
        }
    }

    const RECEIVED: &str = "Received: from mx.example (mx.example [192.0.2.1])\n by mail.vendor.example with ESMTPS id abc\n for <support@vendor.example>; Tue, 3 Mar 2026 10:15:00 +0000 (UTC)\n";

    fn mail(headers: &str, body: &str) -> String {
        format!("{RECEIVED}{headers}\n\n{body}")
    }

    #[test]
    fn errors() {
        let big = mail("From: a@b.example", &"x".repeat(200));
        for (text, max, want) in [
            ("", 100, Unparseable::Empty),
            (
                big.as_str(),
                100,
                Unparseable::TooLarge {
                    size: big.len(),
                    limit: 100,
                },
            ),
            ("\n\njust a body", 100, Unparseable::NotMail),
            (
                "Subject: hi\nReceived: x; Tue, 3 Mar 2026 10:15:00 +0000\n\nbody",
                1000,
                Unparseable::NoFrom,
            ),
            (
                "From: a@b.example\nFrom: c@d.example\n\nbody",
                1000,
                Unparseable::SeveralFrom(2),
            ),
            (
                "From: a@b.example, c@d.example\n\nbody",
                1000,
                Unparseable::SeveralFrom(2),
            ),
            (
                "From: <ann@customer.example>eve@attacker.example\n\nb",
                1000,
                Unparseable::NoFrom,
            ),
            ("From: not an address\n\nbody", 1000, Unparseable::NoFrom),
            (
                "From: a@b.example\nDate: Tue, 3 Mar 2026 10:15:00 +0000\n\nbody",
                1000,
                Unparseable::NoReceiptTime,
            ),
        ] {
            assert_eq!(parse(&raw(text), max), Err(want), "{text:?}");
        }
    }

    #[test]
    fn received_is_the_topmost_trace_header_or_the_given_time() {
        let text = format!(
            "{RECEIVED}Received: from evil; Mon, 1 Jan 2024 00:00:00 +0000\nFrom: a@b.example\nDate: Fri, 1 Jan 2021 00:00:00 +0000\n\nhi"
        );
        let parsed = parse(&raw(&text), 10_000).unwrap();
        assert_eq!(parsed.received.to_string(), "2026-03-03T10:15:00Z");
        let given: Timestamp = "2026-01-02T03:04:05Z".parse().unwrap();
        let parsed = parse(
            &RawMail {
                received: Some(given),
                ..raw(&text)
            },
            10_000,
        )
        .unwrap();
        assert_eq!(parsed.received, given);
    }

    #[test]
    fn ids() {
        let text = mail(
            "From: a@b.example\nMessage-ID: <abc@x.example>\nReferences: <r1@x> <r2@x>\nIn-Reply-To: <r2@x> <r3@x>",
            "hi",
        );
        let parsed = parse(&raw(&text), 10_000).unwrap();
        assert_eq!(parsed.message_id, "abc@x.example");
        assert_eq!(parsed.references, ["r1@x", "r2@x", "r3@x"]);
        let text = mail("From: a@b.example", "hi");
        let id = parse(&raw(&text), 10_000).unwrap().message_id;
        assert!(
            id.starts_with("generated-") && id.ends_with("@mailclerk.invalid") && id.len() == 44,
            "{id}"
        );
        assert_eq!(id, parse(&raw(&text), 10_000).unwrap().message_id, "stable");
    }

    #[test]
    fn headers() {
        let text = mail(
            "From: =?utf-8?q?J=C3=BCrgen?= <Juergen@Kunde.example>\nTo: Support <Support@Vendor.example>, x@y.example\nCc: c@d.example\nDelivered-To: support@vendor.example\nX-Original-To: <billing@vendor.example>\nReply-To: other@kunde.example\nSubject: =?utf-8?q?K=C3=BCndigung?=\n =?utf-8?q?_bitte?=\nReturn-Path: <>\nAuto-Submitted: auto-replied\nAuto-Submitted: no\nPrecedence: bulk\nX-Loop: support@vendor.example\nList-Unsubscribe: <mailto:u@x>\nList-ID: <l.x>\nX-Autoreply: yes\nX-Auto-Response-Suppress: OOF, DR\nx-spam-flag: YES\nX-Spam-Status: No, score=1.2\n tests=NONE\nAuthentication-Results: mx.vendor.example;\n dmarc=pass header.from=kunde.example\nauthentication-results: other.example; none\nContent-Type: multipart/report; report-type=delivery-status; boundary=b",
            "--b\nContent-Type: text/plain\n\nbounce\n--b--\n",
        );
        let p = parse(&raw(&text), 10_000).unwrap();
        assert_eq!(
            p.from,
            Address {
                name: Some("Jürgen".into()),
                email: "Juergen@Kunde.example".into()
            }
        );
        assert_eq!(p.subject, "Kündigung bitte");
        assert_eq!(p.reply_to.unwrap().email, "other@kunde.example");
        assert_eq!(
            p.recipients,
            [
                "support@vendor.example",
                "x@y.example",
                "c@d.example",
                "billing@vendor.example"
            ]
        );
        let want = AutoHeaders {
            auto_submitted: vec!["auto-replied".into(), "no".into()],
            precedence: vec!["bulk".into()],
            auto_response_suppress: vec!["OOF, DR".into()],
            x_loop: vec!["support@vendor.example".into()],
            list_headers: vec!["List-Unsubscribe".into(), "List-Id".into()],
            autoreply_markers: vec!["X-Autoreply".into()],
            return_path: Some(String::new()),
            content_type: "multipart/report".into(),
            report_type: Some("delivery-status".into()),
            forwarded: None,
            authentication_results: vec![
                "mx.vendor.example; dmarc=pass header.from=kunde.example".into(),
                "other.example; none".into(),
            ],
            sender: None,
            report_headers: vec![],
            part_types: vec!["multipart/report".into(), "text/plain".into()],
            attachment_names: vec![],
            spam_verdicts: vec!["YES".into(), "No, score=1.2 tests=NONE".into()],
        };
        assert_eq!(p.auto, want);
        assert_eq!(p.text, "bounce");
        assert_eq!(p.size, text.len());
    }

    #[test]
    fn line_ends_parse_alike() {
        let lines = [
            "Received: from mx.example by mail.vendor.example; Tue, 3 Mar 2026 10:15:00 +0000",
            "From: Ann Lee <ann@customer.example>",
            "Subject: Refund",
            "Auto-Submitted: no",
            "List-Id: <l.example>",
            "Content-Type: text/plain; charset=utf-8",
            "",
            "Please refund me.",
            "",
            "On Tue, 3 Mar 2026, Support <s@v.example> wrote:",
            "> cancelled",
        ];
        let with = |end: &str| {
            parse(&raw(&lines.join(end)), 10_000).unwrap_or_else(|e| panic!("{end:?}: {e}"))
        };
        let want = with("\r\n");
        assert_eq!(want.text, "Please refund me.");
        assert_eq!(want.auto.list_headers, ["List-Id"]);
        for end in ["\n", "\r", "\r\r\n"] {
            let got = with(end);
            assert_eq!(
                (&got.from, &got.subject, &got.text, &got.auto.auto_submitted),
                (
                    &want.from,
                    &want.subject,
                    &want.text,
                    &want.auto.auto_submitted
                ),
                "{end:?}"
            );
            assert_eq!(got.auto.list_headers, want.auto.list_headers, "{end:?}");
        }
        // Mixed: CRLF, LF and bare CR in one message. (A bare CR right before an empty
        // LF-ended line is read as one line end: that is what "\r\r\n" needs.)
        let ends = [
            "\r\n", "\r", "\n", "\r", "\r\n", "\r\n", "\n", "\n", "\r", "\r\n", "\n",
        ];
        let mixed: String = lines
            .iter()
            .zip(ends)
            .map(|(l, e)| format!("{l}{e}"))
            .collect();
        let got = parse(&raw(&mixed), 10_000).unwrap();
        assert_eq!(
            (&got.from, &got.subject, &got.text),
            (&want.from, &want.subject, &want.text)
        );
        assert_eq!(got.size, mixed.len(), "the size is the bytes as received");
        assert_eq!(
            got.message_id,
            generated_id(mixed.as_bytes()),
            "an id generated from the bytes as received, as before line ends were mended"
        );
    }

    #[test]
    fn a_bare_cr_is_found_wherever_it_is() {
        // The block scan against the plain definition: a CR not followed by an LF, at every
        // position of texts longer than a block and across block edges.
        let plain = |b: &[u8]| (0..b.len()).any(|i| b[i] == b'\r' && b.get(i + 1) != Some(&b'\n'));
        let line =
            "abcdefghijklmnopqrstuvwxyz0123456789+/ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789x\r\n";
        let crlf = line.repeat(5).into_bytes();
        assert!(!has_bare_cr(&crlf) && !plain(&crlf));
        assert!(!has_bare_cr(b"") && !has_bare_cr(b"\n") && has_bare_cr(b"\r"));
        for at in 0..crlf.len() {
            for byte in [b'\r', b'\n', b'x'] {
                let mut b = crlf.clone();
                b[at] = byte;
                for len in [at + 1, at + 2, b.len()] {
                    let b = &b[..len.min(b.len())];
                    assert_eq!(has_bare_cr(b), plain(b), "{at} {byte} {len}");
                }
            }
        }
    }

    #[test]
    fn null_sender_bounces_are_read_with_an_empty_sender() {
        let read =
            |headers: &str| parse(&raw(&mail(headers, "It could not be delivered.")), 10_000);
        for headers in [
            "From: MAILER-DAEMON <>\nSubject: Undelivered Mail Returned to Sender",
            "From: <>\nSubject: Warning\nReturn-Path: <>",
            "Return-Path: <>\nSubject: failure notice",
            "From: Mail Delivery System\nSubject: Notice",
            "Subject: Delivery Status Notification (Failure)",
            "From: <>\nContent-Type: multipart/report; report-type=delivery-status; boundary=b",
        ] {
            let got = read(headers).unwrap_or_else(|e| panic!("{headers:?}: {e}"));
            assert_eq!(got.from.email, "", "{headers:?}");
        }
        // Without any sign of a bounce, a missing or empty From is still unreadable.
        for headers in ["Subject: Refund please", "From: <>\nSubject: Refund please"] {
            assert_eq!(read(headers), Err(Unparseable::NoFrom), "{headers:?}");
        }
    }

    #[test]
    fn never_panics_on_odd_bytes() {
        let samples: [&[u8]; 6] = [
            b"\xff\xfe\x00",
            b":::\n\n",
            b"From:\n",
            b"From: a@b\nContent-Type: multipart/mixed; boundary=\"\"\n\n--\n",
            b"Received: ;\nFrom: a@b.example\n\n",
            b"Received: x; 99 Foo 99999 99:99:99 +9999\nFrom: a@b.example\n\n",
        ];
        for bytes in samples {
            let _ = parse(
                &RawMail {
                    origin: "t".into(),
                    received: None,
                    bytes: bytes.to_vec(),
                },
                1000,
            );
        }
    }

    /// Found by the parse_plan fuzzer (FUZZING.md): a message/rfc822 nested in another, in a
    /// multipart/report, trips a `debug_assert!` in mail-parser 0.11.9 (message.rs:485). Built
    /// with debug assertions it panics, and the panic boundary turns that into `NotMail`;
    /// without them mail-parser recovers. Either way `parse` returns.
    #[test]
    fn mail_parser_debug_assertion_is_contained() {
        let bytes =
            include_bytes!("../tests/fixtures/fuzz/parse_plan-crash-56ddc273-nested-rfc822.eml");
        let got = parse(
            &RawMail {
                origin: "t".into(),
                received: None,
                bytes: bytes.to_vec(),
            },
            1 << 20,
        );
        if cfg!(debug_assertions) {
            assert_eq!(got, Err(Unparseable::NotMail));
        }
    }
}
