//! The protocol level: one tagged command read up to its own completion
//! ([`Session::exchange`]), `APPEND` with synchronizing literals, the arguments written to the
//! server (UID sets, quoted strings, modified UTF-7 folder names, atoms, Message-IDs) and the
//! `FETCH` answers read back.

use std::fmt::Write as _;
use std::time::Duration;

use async_imap::imap_proto::{AttributeValue, MailboxDatum, Outcome, RequestId, Response, Status};
use jiff::Timestamp;
use tokio::io::AsyncWriteExt;

use super::error::{BadFetch, Failure};
use super::{Error, Fetched, Imap, Session};

impl Session {
    /// Runs one tagged command, passing every untagged response to `each`, and succeeds only on
    /// the command's own tagged `OK`. A `BYE` followed by the end of the stream is
    /// [`Error::Closed`], never an empty result.
    pub(super) async fn exchange(
        &mut self,
        command: &str,
        mut each: impl FnMut(&Response<'_>),
    ) -> Result<(), Error> {
        self.usable()?;
        let t = self.link.timeout;
        let mut announced = false;
        let result = async {
            let tag = within(t, self.imap.run_command(command)).await?;
            finish(&mut self.imap, &tag, t, &mut |r| {
                announced |= announces_mail(r);
                each(r)
            })
            .await
        }
        .await;
        self.link.announced |= announced;
        result.map_err(|f| self.link.fail(command, f))
    }

    pub(super) fn usable(&self) -> Result<(), Error> {
        match &self.link.broken {
            Some(why) => Err(Error::Broken {
                server: self.link.server.clone(),
                why: why.clone(),
            }),
            None => Ok(()),
        }
    }

    pub(super) fn require_selected(&self, command: &'static str) -> Result<(), Error> {
        match &self.link.selected {
            Some(_) => Ok(()),
            None => Err(Error::NotSelected { command }),
        }
    }
}

pub(super) async fn within<T, E: Into<Failure>>(
    t: Duration,
    fut: impl Future<Output = Result<T, E>>,
) -> Result<T, Failure> {
    match tokio::time::timeout(t, fut).await {
        Ok(r) => r.map_err(Into::into),
        Err(_) => Err(Failure::Timeout),
    }
}

/// Reads responses up to the tagged completion of `tag`, checking its status.
async fn finish(
    imap: &mut Imap,
    tag: &RequestId,
    t: Duration,
    each: &mut impl FnMut(&Response<'_>),
) -> Result<(), Failure> {
    let mut bye = None;
    loop {
        let Some(resp) = within(t, imap.read_response()).await? else {
            return Err(Failure::Closed(
                bye.unwrap_or_else(|| "connection closed".into()),
            ));
        };
        match resp.parsed() {
            Response::Done {
                tag: done,
                status,
                outcome,
            } if done == tag => return completion(status, outcome),
            Response::Data {
                status: Status::Bye,
                outcome,
            } => bye = Some(format!("BYE {}", outcome_text(outcome))),
            other => each(other),
        }
    }
}

/// Messages per `MULTIAPPEND` command, and bytes: whichever limit is reached first.
const MULTIAPPEND_MAX_MESSAGES: usize = 50;
const MULTIAPPEND_MAX_BYTES: usize = 8 << 20;

pub(super) fn multiappend_chunks<'m, 'a>(messages: &'a [&'m [u8]]) -> Vec<&'a [&'m [u8]]> {
    let mut chunks = Vec::new();
    let (mut start, mut bytes) = (0, 0);
    for (i, m) in messages.iter().enumerate() {
        if i > start
            && (i - start == MULTIAPPEND_MAX_MESSAGES || bytes + m.len() > MULTIAPPEND_MAX_BYTES)
        {
            chunks.push(&messages[start..i]);
            (start, bytes) = (i, 0);
        }
        bytes += m.len();
    }
    if start < messages.len() {
        chunks.push(&messages[start..]);
    }
    chunks
}

/// `APPEND` with synchronizing literals: each message goes out only after the server's `+`.
/// `command` names the first message's size; each later one is announced with `flags` on the
/// same command line (RFC 3502). True when the server announced new mail in the selected
/// folder meanwhile.
pub(super) async fn append_literals(
    imap: &mut Imap,
    command: &str,
    messages: &[&[u8]],
    flags: &str,
    t: Duration,
) -> Result<bool, Failure> {
    let mut announced = false;
    let tag = within(t, imap.run_command(command)).await?;
    for (i, message) in messages.iter().enumerate() {
        if i > 0 {
            let next = format!(" ({flags}) {{{}}}\r\n", message.len());
            write_raw(imap, t, next.as_bytes()).await?;
        }
        loop {
            let Some(resp) = within(t, imap.read_response()).await? else {
                return Err(Failure::Closed("connection closed".into()));
            };
            match resp.parsed() {
                Response::Continue(_) => break,
                Response::Done {
                    tag: done,
                    status,
                    outcome,
                } if done == &tag => {
                    completion(status, outcome)?;
                    return Err(Failure::Bad(
                        "APPEND completed before the message was sent".into(),
                    ));
                }
                other => announced |= announces_mail(other),
            }
        }
        write_raw(imap, t, message).await?;
    }
    write_raw(imap, t, b"\r\n").await?;
    finish(imap, &tag, t, &mut |r| announced |= announces_mail(r)).await?;
    Ok(announced)
}

/// Bytes written as they are (a literal, or the rest of a command line), past async-imap's
/// command framing.
async fn write_raw(imap: &mut Imap, t: Duration, bytes: &[u8]) -> Result<(), Failure> {
    within(t, async {
        let stream = imap.get_mut();
        stream.write_all(bytes).await?;
        stream.flush().await
    })
    .await
}

/// An untagged `EXISTS`: the selected folder has (or may have) new mail.
fn announces_mail(r: &Response<'_>) -> bool {
    matches!(r, Response::MailboxData(MailboxDatum::Exists(_)))
}

fn completion(status: &Status, outcome: &Outcome<'_>) -> Result<(), Failure> {
    match status {
        Status::Ok => Ok(()),
        Status::No => Err(Failure::No(outcome_text(outcome))),
        _ => Err(Failure::Bad(outcome_text(outcome))),
    }
}

/// `[CODE] text`, the way the server wrote it. Codes imap-proto does not know stay in the text.
pub(super) fn outcome_text(o: &Outcome<'_>) -> String {
    let info = o.information.as_deref().unwrap_or("").trim();
    match &o.code {
        Some(code) => {
            let debug = format!("{code:?}");
            let name = debug.split(['(', ' ', '{']).next().unwrap_or_default();
            format!("[{}] {info}", name.to_ascii_uppercase())
        }
        None => info.to_owned(),
    }
}

struct Meta<'a> {
    uid: Option<u32>,
    size: Option<u32>,
    date: Option<&'a str>,
}

/// UID, size and date from a FETCH response; `None` for other responses, `Err` for a date we
/// cannot read (without it the policy has no request date).
pub(super) fn message_meta(r: &Response<'_>) -> Option<Result<Fetched, BadFetch>> {
    let Response::Fetch(_, attrs) = r else {
        return None;
    };
    let mut m = Meta {
        uid: None,
        size: None,
        date: None,
    };
    for attr in attrs {
        match attr {
            AttributeValue::Uid(u) => m.uid = Some(*u),
            AttributeValue::Rfc822Size(s) => m.size = Some(*s),
            AttributeValue::InternalDate(d) => m.date = Some(d.as_ref()),
            _ => {}
        }
    }
    // Unsolicited flag updates for other messages carry neither size nor date: not ours.
    let uid = m.uid?;
    if m.size.is_none() && m.date.is_none() {
        return None;
    }
    let (Some(size), Some(date)) = (m.size, m.date) else {
        return Some(Err(BadFetch::Incomplete { uid }));
    };
    Some(match internal_date(date) {
        Some(internal_date) => Ok(Fetched {
            uid,
            internal_date,
            size: u64::from(size),
            bytes: None,
        }),
        None => Err(BadFetch::Date {
            uid,
            date: date.to_owned(),
        }),
    })
}

pub(super) fn message_body<'r>(r: &'r Response<'_>) -> Option<(u32, &'r [u8])> {
    let Response::Fetch(_, attrs) = r else {
        return None;
    };
    let mut uid = None;
    let mut body = None;
    for attr in attrs {
        match attr {
            AttributeValue::Uid(u) => uid = Some(*u),
            AttributeValue::BodySection {
                section: None,
                data: Some(d),
                ..
            }
            | AttributeValue::Rfc822(Some(d)) => body = Some(d.as_ref()),
            _ => {}
        }
    }
    Some((uid?, body?))
}

/// INTERNALDATE, e.g. ` 7-Nov-2026 09:05:01 +0100` (the day may be space-padded).
fn internal_date(text: &str) -> Option<Timestamp> {
    let text = text.trim();
    let padded;
    let text = if text.as_bytes().get(1) == Some(&b'-') {
        padded = format!("0{text}");
        padded.as_str()
    } else {
        text
    };
    jiff::fmt::strtime::parse("%d-%b-%Y %H:%M:%S %z", text)
        .ok()?
        .to_timestamp()
        .ok()
}

/// UID sets of at most 500 UIDs each, ranges compressed (`1:4,7`), so no command line grows
/// past what servers accept.
pub(super) fn uid_sets(uids: &[u32]) -> Vec<String> {
    let mut sorted: Vec<u32> = uids.iter().copied().filter(|u| *u > 0).collect();
    sorted.sort_unstable();
    sorted.dedup();
    sorted
        .chunks(500)
        .map(|chunk| {
            let mut out = String::new();
            let mut i = 0;
            while i < chunk.len() {
                let start = chunk[i];
                while i + 1 < chunk.len() && chunk[i + 1] == chunk[i] + 1 {
                    i += 1;
                }
                if !out.is_empty() {
                    out.push(',');
                }
                match chunk[i] {
                    end if end == start => write!(out, "{start}"),
                    end => write!(out, "{start}:{end}"),
                }
                .expect("writing to a String cannot fail");
                i += 1;
            }
            out
        })
        .collect()
}

pub(super) fn quote(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

/// A folder name as a quoted IMAP argument, in modified UTF-7 (RFC 3501 5.1.3), so names like
/// "Entwürfe" work on servers without UTF8=ACCEPT.
pub(super) fn mailbox_arg(folder: &str) -> Result<String, Error> {
    if folder.is_empty() || folder.chars().any(|c| matches!(c, '\r' | '\n' | '\0')) {
        return Err(Error::BadInput {
            what: "folder name",
            value: folder.to_owned(),
            why: "it is empty or contains a line break or NUL",
        });
    }
    Ok(quote(&utf7_imap(folder)))
}

pub(super) fn utf7_imap(name: &str) -> String {
    let mut out = String::new();
    let mut pending: Vec<u16> = Vec::new();
    for c in name.chars() {
        if (' '..='~').contains(&c) {
            flush_utf16(&mut out, &mut pending);
            if c == '&' {
                out.push_str("&-");
            } else {
                out.push(c);
            }
        } else {
            let mut buf = [0u16; 2];
            pending.extend_from_slice(c.encode_utf16(&mut buf));
        }
    }
    flush_utf16(&mut out, &mut pending);
    out
}

fn flush_utf16(out: &mut String, pending: &mut Vec<u16>) {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,";
    if pending.is_empty() {
        return;
    }
    let bytes: Vec<u8> = pending.iter().flat_map(|u| u.to_be_bytes()).collect();
    out.push('&');
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, b)| n | u32::from(*b) << (16 - 8 * i));
        for i in 0..=chunk.len() {
            out.push(char::from(ALPHABET[(n >> (18 - 6 * i) & 63) as usize]));
        }
    }
    out.push('-');
    pending.clear();
}

/// A flag (`\Seen`) or keyword (`$mailclerk-answered`) must be an IMAP atom.
pub(super) fn check_flag(
    what: &'static str,
    flag: &str,
    system_allowed: bool,
) -> Result<(), Error> {
    let atom = if system_allowed {
        flag.strip_prefix('\\').unwrap_or(flag)
    } else {
        flag
    };
    let ok = !atom.is_empty()
        && atom
            .chars()
            .all(|c| c.is_ascii_graphic() && !"(){%*\"\\]".contains(c));
    if ok {
        Ok(())
    } else {
        Err(Error::BadInput {
            what,
            value: flag.to_owned(),
            why: "it is not an IMAP atom (letters, digits, $, -, _ and the like)",
        })
    }
}

/// `<id>` as a quoted search string. Brackets make the server's substring match exact enough:
/// `abc@x` would also match `<zabc@x>`, `<abc@x>` does not.
pub(super) fn message_id_arg(message_id: &str) -> Result<String, Error> {
    let id = message_id.trim();
    let id = id.strip_prefix('<').unwrap_or(id);
    let id = id.strip_suffix('>').unwrap_or(id);
    if id.is_empty() || !id.chars().all(|c| c.is_ascii_graphic()) {
        return Err(Error::BadInput {
            what: "Message-ID",
            value: message_id.to_owned(),
            why: "it is empty or not printable ASCII",
        });
    }
    Ok(quote(&format!("<{id}>")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uid_sets_compress_ranges_and_split_long_lists() {
        assert_eq!(uid_sets(&[5, 1, 2, 3, 9, 3, 0]), vec!["1:3,5,9"]);
        assert!(uid_sets(&[]).is_empty());
        let many: Vec<u32> = (1..=1200).map(|u| u * 2).collect();
        let sets = uid_sets(&many);
        assert_eq!(sets.len(), 3);
        assert!(sets[0].starts_with("2,4,6"));
    }

    #[test]
    fn folder_names_use_modified_utf7() {
        assert_eq!(utf7_imap("Sent"), "Sent");
        assert_eq!(utf7_imap("Entwürfe"), "Entw&APw-rfe");
        assert_eq!(utf7_imap("A&B"), "A&-B");
        // RFC 3501's own example: 台北 (U+53F0 U+5317).
        assert_eq!(utf7_imap("台北"), "&U,BTFw-");
        assert_eq!(mailbox_arg("a\"b").unwrap(), r#""a\"b""#);
        assert!(mailbox_arg("a\r\nb").is_err());
        assert!(mailbox_arg("").is_err());
    }

    #[test]
    fn internal_dates_parse_with_and_without_padding() {
        let t = internal_date(" 7-Nov-2026 09:05:01 +0100").unwrap();
        assert_eq!(t.to_string(), "2026-11-07T08:05:01Z");
        let t = internal_date("23-Nov-2025 23:59:59 -0700").unwrap();
        assert_eq!(t.to_string(), "2025-11-24T06:59:59Z");
        assert!(internal_date("yesterday").is_none());
    }

    #[test]
    fn message_ids_are_searched_with_brackets() {
        assert_eq!(message_id_arg("abc@x").unwrap(), "\"<abc@x>\"");
        assert_eq!(message_id_arg(" <abc@x> ").unwrap(), "\"<abc@x>\"");
        assert!(message_id_arg("<>").is_err());
        assert!(message_id_arg("a b@x").is_err());
    }

    #[test]
    fn flags_and_keywords_must_be_atoms() {
        assert!(check_flag("flag", "\\Seen", true).is_ok());
        assert!(check_flag("keyword", "$mailclerk-answered", false).is_ok());
        assert!(check_flag("keyword", "\\Seen", false).is_err());
        assert!(check_flag("keyword", "two words", false).is_err());
        assert!(check_flag("keyword", "x)", false).is_err());
    }
}
