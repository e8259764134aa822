//! Bounces of our own replies (issue 16): a delivery status notification (RFC 3464,
//! `multipart/report; report-type=delivery-status`) that reports a failure or a delay of one
//! of our deterministic reply Message-IDs. The reply is named by the report's
//! `Original-Envelope-Id` first (the `ENVID` each reply is sent with where the relay offers
//! DSN, `send::dsn`), which survives a relay that returns none of the reply's headers; else by
//! the Message-ID quoted in its `text/rfc822-headers` or `message/rfc822` part. On a failure
//! the request that reply answered goes to people with "the answer bounced": otherwise the
//! ledger says "sent" and nobody is told. A delay is logged and recorded, nothing more: the
//! relay is still trying.

use std::sync::OnceLock;

use regex::bytes::Regex;

/// What a report says happened to our reply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivery {
    /// `Action: failed`: the reply will not arrive.
    Failed,
    /// `Action: delayed` (and no failure): the relay is still trying.
    Delayed,
}

/// How the report named our reply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NamedBy {
    /// Its `Original-Envelope-Id` field, our ENVID.
    EnvelopeId,
    /// Our Message-ID in the returned headers or message.
    MessageId,
}

impl NamedBy {
    /// For the log and the ledger's reason.
    pub fn as_str(self) -> &'static str {
        match self {
            NamedBy::EnvelopeId => "its Original-Envelope-Id",
            NamedBy::MessageId => "the Message-ID it quotes",
        }
    }
}

/// A delivery status notification about our replies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    pub delivery: Delivery,
    /// Our reply Message-IDs (`render::reply_message_id`), in order, without duplicates;
    /// never empty.
    pub replies: Vec<String>,
    pub named_by: NamedBy,
}

impl Report {
    /// The ledger reason of a delay report, which `requests` the replies answered.
    pub fn delay_reason(&self, requests: &[String]) -> String {
        let whose = if requests.is_empty() {
            "to a request the ledger does not know as sent".to_string()
        } else {
            format!("to <{}>", requests.join(">, <"))
        };
        format!(
            "delivery delayed: our reply <{}> (named by {}) {whose} is not delivered yet; the relay keeps trying",
            self.replies.join(">, <"),
            self.named_by.as_str(),
        )
    }

    /// Our replies this report says failed; empty for a delay.
    pub fn failed(&self) -> &[String] {
        match self.delivery {
            Delivery::Failed => &self.replies,
            Delivery::Delayed => &[],
        }
    }
}

/// The report `raw` is about our replies; `None` for anything else (a report that names no
/// reply of ours, or reports only deliveries, is none of our business).
pub fn read(raw: &[u8]) -> Option<Report> {
    static REPORT: OnceLock<Regex> = OnceLock::new();
    static ACTION: OnceLock<Regex> = OnceLock::new();
    static ENVID: OnceLock<Regex> = OnceLock::new();
    static OURS: OnceLock<Regex> = OnceLock::new();
    static OURS_ALONE: OnceLock<regex::Regex> = OnceLock::new();
    let report = REPORT.get_or_init(|| {
        Regex::new(r"(?i)content-type:\s*multipart/report\s*;[^\n]*(\n[ \t][^\n]*)*report-type\s*=\s*\x22?delivery-status")
            .expect("a valid pattern")
    });
    let action = ACTION.get_or_init(|| {
        Regex::new(r"(?im)^action:\s*(failed|delayed)\b").expect("a valid pattern")
    });
    let envid = ENVID.get_or_init(|| {
        Regex::new(r"(?im)^original-envelope-id:[ \t]*([!-~]+)").expect("a valid pattern")
    });
    let ours = OURS.get_or_init(|| {
        Regex::new(r"<(mailclerk\.[0-9a-f]{32}@[A-Za-z0-9.-]+)>").expect("a valid pattern")
    });
    let ours_alone = OURS_ALONE.get_or_init(|| {
        regex::Regex::new(r"^mailclerk\.[0-9a-f]{32}@[A-Za-z0-9.-]+$").expect("a valid pattern")
    });
    if !report.is_match(raw) {
        return None;
    }
    // Only failures and delays: a "delivered", "relayed" or "expanded" report is no bounce.
    // One reply has one recipient; should a report mix both, the failure is what counts.
    let mut delivery = None;
    for found in action.captures_iter(raw) {
        if found[1].eq_ignore_ascii_case(b"failed") {
            delivery = Some(Delivery::Failed);
        } else if delivery.is_none() {
            delivery = Some(Delivery::Delayed);
        }
    }
    let delivery = delivery?;
    let mut replies: Vec<String> = Vec::new();
    for found in envid.captures_iter(raw) {
        let id = std::str::from_utf8(&found[1])
            .ok()
            .and_then(crate::send::dsn::unxtext);
        if let Some(id) = id.filter(|id| ours_alone.is_match(id))
            && !replies.contains(&id)
        {
            replies.push(id);
        }
    }
    if !replies.is_empty() {
        return Some(Report {
            delivery,
            replies,
            named_by: NamedBy::EnvelopeId,
        });
    }
    for found in ours.captures_iter(raw) {
        let id = String::from_utf8_lossy(&found[1]).into_owned();
        if !replies.contains(&id) {
            replies.push(id);
        }
    }
    (!replies.is_empty()).then_some(Report {
        delivery,
        replies,
        named_by: NamedBy::MessageId,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const OURS: &str = "mailclerk.0123456789abcdef0123456789abcdef@notoutcrm.com";
    const OTHER: &str = "mailclerk.fedcba9876543210fedcba9876543210@notoutcrm.com";
    const CT: &str =
        "Content-Type: multipart/report; report-type=delivery-status;\r\n\tboundary=\"b\"";

    /// A report as a relay writes it: `envid` in the per-message fields when given, the
    /// returned headers naming `quoted` when given.
    fn report(
        action: &str,
        content_type: &str,
        envid: Option<&str>,
        quoted: Option<&str>,
    ) -> String {
        let envid = envid
            .map(|e| format!("Original-Envelope-Id: {e}\r\n"))
            .unwrap_or_default();
        let headers = quoted
            .map(|q| {
                format!(
                    "--b\r\nContent-Type: text/rfc822-headers\r\n\r\nMessage-ID: <{q}>\r\nIn-Reply-To: <req-1@customer.example.test>\r\n"
                )
            })
            .unwrap_or_default();
        format!(
            "From: MAILER-DAEMON@mail.example.test (Mail Delivery System)\r\nTo: desk@example.test\r\nSubject: Undelivered Mail Returned to Sender\r\n{content_type}\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nI'm sorry.\r\n--b\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mail.example.test\r\n{envid}\r\nFinal-Recipient: rfc822; x@example.test\r\nAction: {action}\r\nStatus: 5.6.7\r\n{headers}--b--\r\n"
        )
    }

    fn named(delivery: Delivery, id: &str, named_by: NamedBy) -> Option<Report> {
        Some(Report {
            delivery,
            replies: vec![id.to_string()],
            named_by,
        })
    }

    #[test]
    fn a_report_names_our_reply_by_envelope_id_first_then_by_message_id() {
        use Delivery::{Delayed, Failed};
        use NamedBy::{EnvelopeId, MessageId};
        let folded = "Content-Type: multipart/report;\r\n boundary=\"b\";\r\n report-type=\"delivery-status\"";
        for (raw, want) in [
            (
                report("failed", CT, None, Some(OURS)),
                named(Failed, OURS, MessageId),
            ),
            (
                report("failed", folded, None, Some(OURS)),
                named(Failed, OURS, MessageId),
            ),
            (
                report("delayed", CT, None, Some(OURS)),
                named(Delayed, OURS, MessageId),
            ),
            (report("delivered", CT, Some(OURS), Some(OURS)), None),
            (report("relayed", CT, None, Some(OURS)), None),
            // The relay returned no headers: the ENVID alone names the reply.
            (
                report("failed", CT, Some(OURS), None),
                named(Failed, OURS, EnvelopeId),
            ),
            (
                report("delayed", CT, Some(OURS), None),
                named(Delayed, OURS, EnvelopeId),
            ),
            // The ENVID wins over a quoted id (a report about a forwarded copy, say).
            (
                report("failed", CT, Some(OURS), Some(OTHER)),
                named(Failed, OURS, EnvelopeId),
            ),
            // An ENVID that is not ours, or not xtext, leaves the Message-ID to decide.
            (
                report("failed", CT, Some("abc123"), Some(OURS)),
                named(Failed, OURS, MessageId),
            ),
            (
                report("failed", CT, Some("mailclerk.+zz"), Some(OURS)),
                named(Failed, OURS, MessageId),
            ),
            (report("failed", CT, Some("abc123"), None), None),
            // A report about someone else's mail.
            (report("failed", CT, None, None), None),
            // An out-of-office answer quoting our id is no report.
            (
                report("failed", "Content-Type: text/plain", Some(OURS), Some(OURS))
                    .replace("--b", ""),
                None,
            ),
        ] {
            assert_eq!(read(raw.as_bytes()), want, "{raw}");
        }
    }

    #[test]
    fn a_failure_outweighs_a_delay_and_an_xtext_envid_is_decoded() {
        let mixed = report("delayed", CT, None, Some(OURS))
            .replace("Status: 5.6.7\r\n", "Status: 4.4.1\r\n\r\nFinal-Recipient: rfc822; y@example.test\r\nAction: failed\r\nStatus: 5.1.1\r\n");
        assert_eq!(read(mixed.as_bytes()).unwrap().delivery, Delivery::Failed);
        let coded = OURS.replace('.', "+2E");
        let raw = report("failed", CT, Some(&coded), None);
        assert_eq!(
            read(raw.as_bytes()),
            named(Delivery::Failed, OURS, NamedBy::EnvelopeId)
        );
        assert_eq!(read(raw.as_bytes()).unwrap().failed(), [OURS.to_string()]);
        let delayed = read(report("delayed", CT, Some(OURS), None).as_bytes()).unwrap();
        assert!(delayed.failed().is_empty());
    }
}
