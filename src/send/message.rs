//! Building the message: a rendered [`Reply`] as an RFC 5322 message, with threading headers
//! and the RFC 3834 markers, and nothing from the customer's mail that could smuggle in a header.

use std::time::SystemTime;

use lettre::Message;
use lettre::message::Mailbox;
use lettre::message::header::{ContentType, HeaderName, HeaderValue};

use crate::render::Reply;

use super::Error;

/// Builds the message: our From, the bare customer address (never their display name, which
/// may carry CR/LF: lettre panics on it, reliability-notes §2.4), threading headers, and the
/// RFC 3834 markers that keep other responders from answering us.
///
/// # Errors
/// An address that does not parse, or a message lettre will not build.
pub fn to_message(reply: &Reply, date: SystemTime) -> Result<Message, Error> {
    let address = |field: &'static str, text: &str| {
        text.parse::<lettre::Address>().map_err(|_| Error::Address {
            message_id: reply.in_reply_to.clone(),
            field,
            address: text.to_string(),
        })
    };
    let from = Mailbox::new(
        Some(single_line(&reply.from_name)),
        address("From", &reply.from)?,
    );
    let to = Mailbox::new(None, address("To", &reply.to)?);
    let mut builder = Message::builder()
        .from(from)
        .to(to)
        .subject(single_line(&reply.subject))
        .date(date)
        .message_id(Some(format!("<{}>", reply.message_id)));
    // A foreign Message-ID is only echoed when it is a plain token; anything else could smuggle
    // header syntax into ours, and threading is not worth that.
    if is_plain_id(&reply.in_reply_to) {
        builder = builder.in_reply_to(format!("<{}>", reply.in_reply_to));
    }
    let references: Vec<String> = reply
        .references
        .iter()
        .filter(|id| is_plain_id(id))
        .map(|id| format!("<{id}>"))
        .collect();
    if !references.is_empty() {
        builder = builder.references(references.join(" "));
    }
    for (name, value) in [
        ("Auto-Submitted", "auto-replied"),
        ("X-Auto-Response-Suppress", "All"),
        ("X-Loop", reply.from.as_str()),
    ] {
        let name =
            HeaderName::new_from_ascii(name.to_string()).expect("constant header names are valid");
        builder = builder.raw_header(HeaderValue::new(name, value.to_string()));
    }
    // `body()` writes no MIME-Version (lettre adds it only for `singlepart`/`multipart`), yet
    // the body goes out quoted-printable UTF-8, which RFC 2045 §4 says needs it.
    builder
        .header(lettre::message::header::MIME_VERSION_1_0)
        .header(ContentType::TEXT_PLAIN)
        .body(reply.body.clone())
        .map_err(|source| Error::Build {
            message_id: reply.in_reply_to.clone(),
            source,
        })
}

fn is_plain_id(id: &str) -> bool {
    // An id of the reserved `.invalid` domain is one mailclerk made up for a request that had
    // none (or an unusable one): no message carries it, so it threads nothing.
    let made_up = id
        .rsplit_once('@')
        .is_some_and(|(_, domain)| domain.eq_ignore_ascii_case("mailclerk.invalid"));
    !id.is_empty()
        && !made_up
        && id.len() <= 250
        && id
            .chars()
            .all(|c| c.is_ascii_graphic() && c != '<' && c != '>')
}

fn single_line(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reply() -> Reply {
        Reply {
            from_name: "NotOut CRM".into(),
            from: "support@notoutcrm.com".into(),
            to: "ann@example.com".into(),
            subject: "Re: refund".into(),
            message_id: "mailclerk.abc@notoutcrm.com".into(),
            in_reply_to: "m1@example.com".into(),
            references: vec!["m0@example.com".into(), "m1@example.com".into()],
            template: "refund_granted".into(),
            body: "Hello\n".into(),
        }
    }

    #[test]
    fn reply_carries_threading_and_rfc3834_headers() {
        let text = String::from_utf8(
            to_message(&reply(), SystemTime::UNIX_EPOCH)
                .unwrap()
                .formatted(),
        )
        .unwrap();
        for want in [
            "Message-ID: <mailclerk.abc@notoutcrm.com>",
            "In-Reply-To: <m1@example.com>",
            "References: <m0@example.com> <m1@example.com>",
            "Auto-Submitted: auto-replied",
            "X-Auto-Response-Suppress: All",
            "To: ann@example.com",
        ] {
            assert!(text.contains(want), "missing {want:?} in\n{text}");
        }
    }

    #[test]
    fn every_reply_declares_mime_1_0_once_in_its_header_block() {
        let mut r = reply();
        r.body = "Hello Jürgen, your refund of 49.00 USD has been approved.\n".into();
        let bytes = to_message(&r, SystemTime::UNIX_EPOCH).unwrap().formatted();
        let text = String::from_utf8(bytes).unwrap();
        let (head, body) = text.split_once("\r\n\r\n").expect("a header block");
        let lines: Vec<&str> = head.split("\r\n").collect();
        assert_eq!(
            lines
                .iter()
                .filter(|l| l.starts_with("MIME-Version:"))
                .count(),
            1,
            "{head}"
        );
        assert!(lines.contains(&"MIME-Version: 1.0"), "{head}");
        assert!(
            lines.contains(&"Content-Type: text/plain; charset=utf-8"),
            "{head}"
        );
        assert!(
            lines.contains(&"Content-Transfer-Encoding: quoted-printable"),
            "{head}"
        );
        assert!(!body.contains("MIME-Version"), "{body}");
    }

    #[test]
    fn hostile_ids_and_names_never_reach_headers() {
        let mut r = reply();
        r.in_reply_to = "x>\r\nBcc: victim@example.com".into();
        r.references = vec![r.in_reply_to.clone()];
        r.from_name = "Evil\r\nBcc: victim@example.com".into();
        r.subject = "Re: hi\r\nBcc: victim@example.com".into();
        let text =
            String::from_utf8(to_message(&r, SystemTime::UNIX_EPOCH).unwrap().formatted()).unwrap();
        assert!(!text.contains("\r\nBcc:"), "{text}");
        assert!(!text.contains("In-Reply-To"), "{text}");
    }

    #[test]
    fn a_made_up_id_threads_nothing() {
        let mut r = reply();
        r.in_reply_to = "generated-0123456789abcdef@mailclerk.invalid".into();
        r.references = vec!["m0@example.com".into(), r.in_reply_to.clone()];
        let text =
            String::from_utf8(to_message(&r, SystemTime::UNIX_EPOCH).unwrap().formatted()).unwrap();
        assert!(!text.contains("In-Reply-To"), "{text}");
        assert!(text.contains("References: <m0@example.com>\r\n"), "{text}");
    }

    #[test]
    fn a_bad_address_is_an_error_not_a_panic() {
        let mut r = reply();
        r.to = "not an address".into();
        assert!(matches!(
            to_message(&r, SystemTime::UNIX_EPOCH),
            Err(Error::Address { field: "To", .. })
        ));
    }
}
