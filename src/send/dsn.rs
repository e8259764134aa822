//! Delivery status notifications requested with each reply (RFC 3461), where the relay offers
//! the `DSN` extension: `RET=HDRS` and `ENVID=<the reply's Message-ID>` on `MAIL FROM`,
//! `NOTIFY=FAILURE,DELAY` on `RCPT TO`. A report that comes back names the reply in its
//! `Original-Envelope-Id` field, so it is matched to its ledger row even when the relay returns
//! no headers of the reply (`daemon::bounce`).

use lettre::transport::smtp::extension::{MailParameter, RcptParameter};

/// RFC 3461 limits ENVID to 100 characters (after xtext encoding).
const MAX_ENVID: usize = 100;

/// The `MAIL FROM` parameters for the reply with Message-ID `message_id` (without brackets).
/// An id too long for ENVID gets `RET=HDRS` alone: the report is then matched by the returned
/// headers' Message-ID.
pub fn mail_parameters(message_id: &str) -> Vec<MailParameter> {
    let mut params = vec![MailParameter::Other {
        keyword: "RET".into(),
        value: Some("HDRS".into()),
    }];
    let envid = xtext(message_id);
    if !message_id.is_empty() && envid.len() <= MAX_ENVID {
        params.push(MailParameter::Other {
            keyword: "ENVID".into(),
            value: Some(envid),
        });
    }
    params
}

/// The `RCPT TO` parameters: a report when delivery fails or is delayed, none on success.
pub fn rcpt_parameters() -> Vec<RcptParameter> {
    vec![RcptParameter::Other {
        keyword: "NOTIFY".into(),
        value: Some("FAILURE,DELAY".into()),
    }]
}

/// Whether an EHLO answer's lines (without the reply code) offer `DSN`.
pub fn offered<'a>(ehlo_lines: impl IntoIterator<Item = &'a str>) -> bool {
    ehlo_lines.into_iter().any(|line| {
        line.split_ascii_whitespace()
            .next()
            .is_some_and(|word| word.eq_ignore_ascii_case("DSN"))
    })
}

/// xtext (RFC 3461 §4): `+` followed by two upper-case hex digits for `+`, `=`, and every byte
/// outside `!`..=`~`.
pub fn xtext(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        if (b'!'..=b'~').contains(&b) && b != b'+' && b != b'=' {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("+{b:02X}"));
        }
    }
    out
}

/// The value an xtext stands for; `None` when it is malformed (a `+` not followed by two hex
/// digits, or bytes that are not UTF-8).
pub fn unxtext(value: &str) -> Option<String> {
    let bytes = value.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'+' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xtext_round_trips_and_encodes_what_it_must() {
        for (plain, coded) in [
            (
                "mailclerk.0123456789abcdef0123456789abcdef@notoutcrm.com",
                "mailclerk.0123456789abcdef0123456789abcdef@notoutcrm.com",
            ),
            ("a+b=c d", "a+2Bb+3Dc+20d"),
            ("josé", "jos+C3+A9"),
        ] {
            assert_eq!(xtext(plain), coded);
            assert_eq!(unxtext(coded).as_deref(), Some(plain));
        }
        for bad in ["a+", "a+4", "a+zz", "+FF"] {
            assert_eq!(unxtext(bad), None, "{bad}");
        }
    }

    #[test]
    fn dsn_is_read_from_the_ehlo_lines() {
        assert!(offered([
            "mail.example.test",
            "PIPELINING",
            "DSN",
            "SMTPUTF8"
        ]));
        assert!(offered(["x", "dsn"]));
        assert!(!offered(["mail.example.test", "DSNX", "8BITMIME"]));
    }

    #[test]
    fn parameters_name_the_reply() {
        let params: Vec<String> = mail_parameters("m.1@x.test")
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(params, ["RET=HDRS", "ENVID=m.1@x.test"]);
        let long = format!("{}@x.test", "a".repeat(100));
        assert_eq!(mail_parameters(&long).len(), 1, "too long for ENVID");
        let rcpt: Vec<String> = rcpt_parameters().iter().map(ToString::to_string).collect();
        assert_eq!(rcpt, ["NOTIFY=FAILURE,DELAY"]);
    }
}
