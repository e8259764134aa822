//! Bounces of our own replies (issue 16): a delivery status notification (RFC 3464,
//! `multipart/report; report-type=delivery-status`) that reports a failure and quotes one of
//! our deterministic reply Message-IDs (in its `text/rfc822-headers` or `message/rfc822`
//! part). The request that reply answered then goes to people with "the answer bounced":
//! otherwise the ledger says "sent" and nobody is told.

use std::sync::OnceLock;

use regex::bytes::Regex;

/// Our reply Message-IDs (`render::reply_message_id`) that a failure report names, in order,
/// without duplicates; empty for anything that is not a failure report.
pub fn failed_replies(raw: &[u8]) -> Vec<String> {
    static REPORT: OnceLock<Regex> = OnceLock::new();
    static FAILED: OnceLock<Regex> = OnceLock::new();
    static OURS: OnceLock<Regex> = OnceLock::new();
    let report = REPORT.get_or_init(|| {
        Regex::new(r"(?i)content-type:\s*multipart/report\s*;[^\n]*(\n[ \t][^\n]*)*report-type\s*=\s*\x22?delivery-status")
            .expect("a valid pattern")
    });
    // Only failures: a "delayed" or "delivered" report is no bounce.
    let failed =
        FAILED.get_or_init(|| Regex::new(r"(?im)^action:\s*failed\b").expect("a valid pattern"));
    let ours = OURS.get_or_init(|| {
        Regex::new(r"<(mailclerk\.[0-9a-f]{32}@[A-Za-z0-9.-]+)>").expect("a valid pattern")
    });
    if !report.is_match(raw) || !failed.is_match(raw) {
        return Vec::new();
    }
    let mut ids: Vec<String> = Vec::new();
    for found in ours.captures_iter(raw) {
        let id = String::from_utf8_lossy(&found[1]).into_owned();
        if !ids.contains(&id) {
            ids.push(id);
        }
    }
    ids
}

#[cfg(test)]
mod tests {
    use super::*;

    const OURS: &str = "mailclerk.0123456789abcdef0123456789abcdef@notoutcrm.com";

    fn report(action: &str, content_type: &str) -> String {
        format!(
            "From: MAILER-DAEMON@mail.example.test (Mail Delivery System)\r\nTo: desk@example.test\r\nSubject: Undelivered Mail Returned to Sender\r\n{content_type}\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nI'm sorry.\r\n--b\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mail.example.test\r\n\r\nFinal-Recipient: rfc822; x@example.test\r\nAction: {action}\r\nStatus: 5.6.7\r\n--b\r\nContent-Type: text/rfc822-headers\r\n\r\nMessage-ID: <{OURS}>\r\nIn-Reply-To: <req-1@customer.example.test>\r\n--b--\r\n"
        )
    }

    #[test]
    fn a_failure_report_names_our_reply() {
        let ct = "Content-Type: multipart/report; report-type=delivery-status;\r\n\tboundary=\"b\"";
        let folded = "Content-Type: multipart/report;\r\n boundary=\"b\";\r\n report-type=\"delivery-status\"";
        for (raw, want) in [
            (report("failed", ct), vec![OURS.to_string()]),
            (report("failed", folded), vec![OURS.to_string()]),
            (report("delayed", ct), vec![]),
            (report("delivered", ct), vec![]),
            // An out-of-office answer quoting our id is no bounce.
            (
                report("failed", "Content-Type: text/plain").replace("--b", ""),
                vec![],
            ),
        ] {
            assert_eq!(failed_replies(raw.as_bytes()), want, "{raw}");
        }
    }
}
