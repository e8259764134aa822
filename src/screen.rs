//! Screening: may this message get an automatic answer at all? Pure; never classifies intent.

use crate::parse::Inbound;

pub use crate::parse::is_bounce_subject;

mod text;

/// What screening decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Screen {
    /// Nothing forbids an automatic answer.
    Answerable,
    /// Never answered and not for people: auto-replies, bounces, lists, loops, our own mail.
    Skip(SkipReason),
}

/// Why a message gets no automatic answer. The string form is what `check --json` prints
/// after `skip:` and what the store records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SkipReason {
    /// `Auto-Submitted` with a value other than `no` (RFC 3834).
    AutoSubmitted,
    /// `X-Autoreply`, `X-Autorespond`, `X-Auto-Response-Suppress: All/OOF`, an
    /// autoresponder's subject ("Out of Office: ...", "Automatic reply: ...", "AUTO: ..."), or
    /// an out-of-office notice's opening words with no request beside them.
    AutoReply,
    /// `Precedence: bulk/junk/list/auto_reply`.
    Precedence,
    /// A `List-*` header: mailing-list or newsletter traffic.
    List,
    /// A delivery-status notification (RFC 3464), a null or mailer-daemon sender, or a mail
    /// system's non-delivery subject.
    Bounce,
    /// A read receipt: a message disposition notification (RFC 8098), or a client's plain-text
    /// receipt ("Read: ..." saying the message was read).
    ReadReceipt,
    /// An abuse or feedback report in the Abuse Reporting Format (RFC 5965).
    FeedbackReport,
    /// A DMARC aggregate report (RFC 7489 §7.2).
    DmarcReport,
    /// An SMTP TLS report (RFC 8460).
    TlsReport,
    /// A calendar invitation, reply, cancellation or counter-proposal (RFC 5545, RFC 5546).
    Calendar,
    /// A challenge-response spam filter asking the sender to prove it is a person.
    ChallengeResponse,
    /// The vendor's own spam filter marked it: `X-Spam-Flag: YES`, `X-Spam-Status: Yes, ...`
    /// (SpamAssassin) or `X-Spam: Yes` (rspamd).
    Spam,
    /// postmaster, noreply, owner-*, *-request and similar system senders, in From, Sender
    /// or Return-Path (RFC 3834 §2, RFC 5230 §4.6).
    SystemSender,
    /// `X-Loop` names us.
    Loop,
    /// From one of the vendor's own addresses.
    OwnAddress,
}

impl SkipReason {
    /// Every reason (the ledger reads its strings back with these).
    pub const ALL: [SkipReason; 15] = [
        SkipReason::AutoSubmitted,
        SkipReason::AutoReply,
        SkipReason::Precedence,
        SkipReason::List,
        SkipReason::Bounce,
        SkipReason::ReadReceipt,
        SkipReason::FeedbackReport,
        SkipReason::DmarcReport,
        SkipReason::TlsReport,
        SkipReason::Calendar,
        SkipReason::ChallengeResponse,
        SkipReason::Spam,
        SkipReason::SystemSender,
        SkipReason::Loop,
        SkipReason::OwnAddress,
    ];

    /// The stable snake_case name of the reason.
    pub fn as_str(&self) -> &'static str {
        match self {
            SkipReason::AutoSubmitted => "auto_submitted",
            SkipReason::AutoReply => "auto_reply",
            SkipReason::Precedence => "precedence",
            SkipReason::List => "list",
            SkipReason::Bounce => "bounce",
            SkipReason::ReadReceipt => "read_receipt",
            SkipReason::FeedbackReport => "feedback_report",
            SkipReason::DmarcReport => "dmarc_report",
            SkipReason::TlsReport => "tls_report",
            SkipReason::Calendar => "calendar",
            SkipReason::ChallengeResponse => "challenge_response",
            SkipReason::Spam => "spam",
            SkipReason::SystemSender => "system_sender",
            SkipReason::Loop => "loop",
            SkipReason::OwnAddress => "own_address",
        }
    }
}

impl std::fmt::Display for SkipReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What screening needs to know about the mailbox it screens for.
#[derive(Debug, Clone, Default)]
pub struct ScreenRules {
    /// The vendor's own addresses, lower-cased: the mailbox address and any others.
    pub own_addresses: Vec<String>,
    /// The `X-Loop` value we put on our replies (the mailbox address), lower-cased.
    pub loop_marker: String,
    /// Own addresses whose forwards of customer mail are read (lower-cased): a forward from
    /// one of them is not "our own mail".
    pub forwarders: Vec<String>,
}

/// One screening check: does it forbid an automatic answer?
type Check = fn(&Inbound, &ScreenRules) -> bool;

/// Screens one message. The first check that fires decides; the order follows Pigeonhole's
/// vacation action (reliability-notes 1.5), with our bounce and report checks first because
/// mailclerk never sees the envelope and a bounce must never be answered; the checks that
/// read the text (docs/screening.md) come after the header checks of the same kind.
pub fn screen(mail: &Inbound, rules: &ScreenRules) -> Screen {
    if let Some(reason) = report(mail) {
        return Screen::Skip(reason);
    }
    let checks: [(Check, SkipReason); 18] = [
        (|m, _| m.from.email.is_empty(), SkipReason::Bounce),
        (|m, _| is_null_return_path(m), SkipReason::Bounce),
        (|m, _| is_mailer_daemon(m), SkipReason::Bounce),
        (|m, _| is_bounce_subject(&m.subject), SkipReason::Bounce),
        (|m, _| text::is_bounce_text(m), SkipReason::Bounce),
        (|m, _| is_dmarc_report(m), SkipReason::DmarcReport),
        (
            |m, _| text::is_read_receipt_text(m),
            SkipReason::ReadReceipt,
        ),
        (is_own_address, SkipReason::OwnAddress),
        (is_loop, SkipReason::Loop),
        (|m, _| is_list(m), SkipReason::List),
        (|m, _| is_auto_submitted(m), SkipReason::AutoSubmitted),
        (|m, _| is_auto_reply(m), SkipReason::AutoReply),
        (|m, _| text::is_auto_reply_text(m), SkipReason::AutoReply),
        (|m, _| is_bulk_precedence(m), SkipReason::Precedence),
        (|m, _| is_marked_spam(m), SkipReason::Spam),
        (|m, _| is_system_sender(m), SkipReason::SystemSender),
        (|m, _| is_calendar(m), SkipReason::Calendar),
        (|m, _| text::is_challenge(m), SkipReason::ChallengeResponse),
    ];
    match checks.into_iter().find(|(check, _)| check(mail, rules)) {
        Some((_, reason)) => Screen::Skip(reason),
        None => Screen::Answerable,
    }
}

/// A machine report by its MIME structure: a `multipart/report` (RFC 6522) by its
/// `report-type`, or a report part anywhere in the message. Any other `multipart/report` is
/// a bounce, as before: none is a customer's request.
fn report(mail: &Inbound) -> Option<SkipReason> {
    let by_type = |t: &str| match t {
        "delivery-status" | "global-delivery-status" => Some(SkipReason::Bounce),
        "disposition-notification" | "global-disposition-notification" => {
            Some(SkipReason::ReadReceipt)
        }
        "feedback-report" => Some(SkipReason::FeedbackReport),
        "tlsrpt" => Some(SkipReason::TlsReport),
        _ => None,
    };
    let by_part = |t: &str| match t {
        "message/delivery-status" | "message/global-delivery-status" => Some(SkipReason::Bounce),
        "message/disposition-notification" | "message/global-disposition-notification" => {
            Some(SkipReason::ReadReceipt)
        }
        "message/feedback-report" => Some(SkipReason::FeedbackReport),
        "application/tlsrpt+json" | "application/tlsrpt+gzip" => Some(SkipReason::TlsReport),
        _ => None,
    };
    let auto = &mail.auto;
    if auto.content_type == "multipart/report" {
        return Some(
            auto.report_type
                .as_deref()
                .and_then(by_type)
                .or_else(|| auto.part_types.iter().find_map(|t| by_part(t)))
                .unwrap_or(SkipReason::Bounce),
        );
    }
    if !auto.report_headers.is_empty() {
        return Some(SkipReason::TlsReport);
    }
    auto.part_types.iter().find_map(|t| by_part(t))
}

/// An iCalendar object (RFC 5545) anywhere in the message: the `text/calendar` part of an
/// invitation, reply, cancellation or counter-proposal (RFC 5546 `method=`), inside
/// `multipart/alternative` or `mixed`, or attached as an `.ics` file.
fn is_calendar(mail: &Inbound) -> bool {
    let auto = &mail.auto;
    let calendar_type = |t: &str| t == "text/calendar" || t == "application/ics";
    calendar_type(&auto.content_type)
        || auto.part_types.iter().any(|t| calendar_type(t))
        || auto
            .attachment_names
            .iter()
            .any(|n| n.ends_with(".ics") || n.ends_with(".vcs"))
}

/// A DMARC aggregate report (RFC 7489 §7.2.1.1): its subject ("Report Domain: ...
/// Submitter: ...") or its attachment, named `receiver!domain!begin!end[!id].xml[.gz|.zip]`.
fn is_dmarc_report(mail: &Inbound) -> bool {
    let subject = mail.subject.trim_start().to_lowercase();
    let is_report_file = |name: &str| {
        let stem = [".xml.gz", ".xml.zip", ".zip", ".gz", ".xml"]
            .iter()
            .find_map(|ext| name.strip_suffix(ext));
        stem.is_some_and(|s| {
            let fields: Vec<&str> = s.split('!').collect();
            fields.len() >= 4
                && fields[2].chars().all(|c| c.is_ascii_digit())
                && fields[3].chars().all(|c| c.is_ascii_digit())
        })
    };
    subject.starts_with("report domain:")
        || subject.starts_with("report-domain:")
        || mail.auto.attachment_names.iter().any(|n| is_report_file(n))
}

/// `Return-Path: <>`: the reverse-path of bounces and auto-replies (RFC 3834 §4, Pigeonhole
/// check 3). A missing Return-Path is not this; it is for later stages to judge.
fn is_null_return_path(mail: &Inbound) -> bool {
    mail.auto
        .return_path
        .as_deref()
        .is_some_and(|p| p.trim().is_empty())
}

/// From, or the envelope's Return-Path, is the mailer daemon.
fn is_mailer_daemon(mail: &Inbound) -> bool {
    let daemon = |a: &str| local_part(a.trim()).eq_ignore_ascii_case("mailer-daemon");
    daemon(&mail.from.email) || mail.auto.return_path.as_deref().is_some_and(daemon)
}

/// Pigeonhole checks 4 and 5: never answer ourselves. A forward from one of the vendor's
/// forwarding addresses is the exception: the forwarded customer is screened in its place.
fn is_own_address(mail: &Inbound, rules: &ScreenRules) -> bool {
    let from = mail.from.email.trim();
    let is = |list: &[String]| list.iter().any(|a| a.trim().eq_ignore_ascii_case(from));
    is(&rules.own_addresses) && !(mail.auto.forwarded.is_some() && is(&rules.forwarders))
}

/// `X-Loop` naming us: our own reply came back. An empty marker matches nothing.
fn is_loop(mail: &Inbound, rules: &ScreenRules) -> bool {
    let marker = rules.loop_marker.trim().to_lowercase();
    !marker.is_empty()
        && mail
            .auto
            .x_loop
            .iter()
            .any(|v| v.to_lowercase().contains(&marker))
}

/// Pigeonhole check 7: any `List-*` header.
fn is_list(mail: &Inbound) -> bool {
    !mail.auto.list_headers.is_empty()
}

/// Pigeonhole check 8 and RFC 3834 §5: every instance counts, and only `no` (ignoring
/// parameters such as `no; reason=x` and comments such as `No (a person wrote this)`, both
/// allowed by the grammar) allows an answer.
fn is_auto_submitted(mail: &Inbound) -> bool {
    mail.auto.auto_submitted.iter().any(|value| {
        let value = without_comments(value);
        let keyword = value.split(';').next().unwrap_or_default().trim();
        !keyword.eq_ignore_ascii_case("no")
    })
}

/// An RFC 5322 header value with its `(comments)` removed (nested ones too).
fn without_comments(value: &str) -> String {
    let mut depth = 0usize;
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '(' => depth += 1,
            ')' if depth > 0 => depth -= 1,
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out
}

/// Autoresponder markers, or Microsoft's `X-Auto-Response-Suppress` asking for no
/// out-of-office answers (Pigeonhole check 10: a comma-separated flag `All` or `OOF`).
fn is_auto_reply(mail: &Inbound) -> bool {
    let mut suppress = mail
        .auto
        .auto_response_suppress
        .iter()
        .flat_map(|v| v.split(','));
    let suppress_flag = |flag: &str| {
        ["all", "oof"]
            .iter()
            .any(|f| flag.trim().eq_ignore_ascii_case(f))
    };
    !mail.auto.autoreply_markers.is_empty() || suppress.any(suppress_flag)
}

/// Pigeonhole check 9, plus `auto_reply`, which some autoresponders write.
fn is_bulk_precedence(mail: &Inbound) -> bool {
    let bulk = ["bulk", "junk", "list", "auto_reply"];
    mail.auto
        .precedence
        .iter()
        .any(|p| bulk.iter().any(|b| p.trim().eq_ignore_ascii_case(b)))
}

/// A spam filter's verdict is the first word of its header: `YES`/`Yes` is spam, whatever
/// follows (`Yes, score=7.1 required=5.0 ...`); `No`, a bare score or a level of stars is not.
/// Only the top-level headers count, and a sender who forges one only silences its own mail.
fn is_marked_spam(mail: &Inbound) -> bool {
    mail.auto.spam_verdicts.iter().any(|value| {
        let value = without_comments(value);
        let first = value
            .split([',', ';', ' ', '\t', '\r', '\n'])
            .find(|word| !word.is_empty())
            .unwrap_or_default();
        first.eq_ignore_ascii_case("yes")
    })
}

/// Pigeonhole check 11, extended with the no-reply senders of SaaS notifications, and read
/// in From, Sender and the envelope's Return-Path (RFC 3834 §2: the responder should look at
/// the envelope sender too; RFC 5230 §4.6 names `owner-*`, `*-request`, `LISTSERV`,
/// `MAILER-DAEMON` and `majordomo`). Case-insensitive throughout (Pigeonhole matches
/// `-request` case-sensitively; being stricter only sends more mail to people).
fn is_system_sender(mail: &Inbound) -> bool {
    let envelope = [
        mail.auto.sender.as_deref(),
        mail.auto.return_path.as_deref(),
    ];
    std::iter::once(mail.from.email.as_str())
        .chain(envelope.into_iter().flatten())
        .any(is_system_address)
}

fn is_system_address(address: &str) -> bool {
    let local = local_part(address.trim()).to_lowercase();
    let local = local.split('+').next().unwrap_or_default();
    let exact = ["postmaster", "listserv", "majordomo", "mailer-daemon"];
    let prefixes = [
        "noreply",
        "no-reply",
        "no_reply",
        "donotreply",
        "do-not-reply",
        "do_not_reply",
        "owner-",
    ];
    let suffixes = ["-owner", "-bounces"];
    exact.contains(&local)
        || prefixes.iter().any(|p| local.starts_with(p))
        || suffixes.iter().any(|p| local.ends_with(p))
        || local.contains("-request")
}

fn local_part(email: &str) -> &str {
    email.rsplit_once('@').map_or(email, |(local, _)| local)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::{Address, AutoHeaders};

    fn mail(from: &str, auto: AutoHeaders) -> Inbound {
        Inbound {
            from: Address {
                name: None,
                email: from.into(),
            },
            recipients: vec!["support@vendor.example".into()],
            auto,
            ..Inbound::example("Cancel", "Please cancel my subscription.")
        }
    }

    fn rules() -> ScreenRules {
        ScreenRules {
            own_addresses: vec![
                "support@vendor.example".into(),
                "billing@vendor.example".into(),
            ],
            loop_marker: "support@vendor.example".into(),
            forwarders: vec!["billing@vendor.example".into()],
        }
    }

    fn strings(values: &[&str]) -> Vec<String> {
        values.iter().map(|v| v.to_string()).collect()
    }

    #[test]
    fn each_reason() {
        use SkipReason::*;
        let ann = "ann@customer.example";
        let cases: Vec<(&str, AutoHeaders, Screen)> = vec![
            (ann, AutoHeaders::default(), Screen::Answerable),
            (
                ann,
                AutoHeaders {
                    return_path: Some(ann.into()),
                    ..Default::default()
                },
                Screen::Answerable,
            ),
            (
                ann,
                AutoHeaders {
                    return_path: Some(String::new()),
                    ..Default::default()
                },
                Screen::Skip(Bounce),
            ),
            (
                ann,
                AutoHeaders {
                    content_type: "multipart/report".into(),
                    ..Default::default()
                },
                Screen::Skip(Bounce),
            ),
            (
                "MAILER-DAEMON@mx.example",
                AutoHeaders::default(),
                Screen::Skip(Bounce),
            ),
            (
                "Support@Vendor.example",
                AutoHeaders::default(),
                Screen::Skip(OwnAddress),
            ),
            (
                "billing@vendor.example",
                AutoHeaders::default(),
                Screen::Skip(OwnAddress),
            ),
            (
                ann,
                AutoHeaders {
                    x_loop: strings(&["SUPPORT@vendor.example"]),
                    ..Default::default()
                },
                Screen::Skip(Loop),
            ),
            (
                ann,
                AutoHeaders {
                    x_loop: strings(&["other@list.example"]),
                    ..Default::default()
                },
                Screen::Answerable,
            ),
            (
                ann,
                AutoHeaders {
                    list_headers: strings(&["List-Id"]),
                    ..Default::default()
                },
                Screen::Skip(List),
            ),
            (
                ann,
                AutoHeaders {
                    auto_submitted: strings(&["auto-replied"]),
                    ..Default::default()
                },
                Screen::Skip(AutoSubmitted),
            ),
            (
                ann,
                AutoHeaders {
                    auto_submitted: strings(&["auto-generated"]),
                    ..Default::default()
                },
                Screen::Skip(AutoSubmitted),
            ),
            (
                ann,
                AutoHeaders {
                    auto_submitted: strings(&[" No "]),
                    ..Default::default()
                },
                Screen::Answerable,
            ),
            (
                ann,
                AutoHeaders {
                    auto_submitted: strings(&["no; reason=x"]),
                    ..Default::default()
                },
                Screen::Answerable,
            ),
            (
                ann,
                AutoHeaders {
                    auto_submitted: strings(&["No (a person wrote this)", "(c) no (c2 (nested))"]),
                    ..Default::default()
                },
                Screen::Answerable,
            ),
            (
                ann,
                AutoHeaders {
                    auto_submitted: strings(&["(no) auto-replied"]),
                    ..Default::default()
                },
                Screen::Skip(AutoSubmitted),
            ),
            (
                ann,
                AutoHeaders {
                    auto_submitted: strings(&["no", "auto-replied"]),
                    ..Default::default()
                },
                Screen::Skip(AutoSubmitted),
            ),
            (
                ann,
                AutoHeaders {
                    auto_submitted: strings(&[""]),
                    ..Default::default()
                },
                Screen::Skip(AutoSubmitted),
            ),
            (
                ann,
                AutoHeaders {
                    autoreply_markers: strings(&["X-Autoreply"]),
                    ..Default::default()
                },
                Screen::Skip(AutoReply),
            ),
            (
                ann,
                AutoHeaders {
                    auto_response_suppress: strings(&["All"]),
                    ..Default::default()
                },
                Screen::Skip(AutoReply),
            ),
            (
                ann,
                AutoHeaders {
                    auto_response_suppress: strings(&["DR, oof ,RN"]),
                    ..Default::default()
                },
                Screen::Skip(AutoReply),
            ),
            (
                ann,
                AutoHeaders {
                    auto_response_suppress: strings(&["DR, RN"]),
                    ..Default::default()
                },
                Screen::Answerable,
            ),
            (
                ann,
                AutoHeaders {
                    precedence: strings(&["Bulk"]),
                    ..Default::default()
                },
                Screen::Skip(Precedence),
            ),
            (
                ann,
                AutoHeaders {
                    precedence: strings(&["junk"]),
                    ..Default::default()
                },
                Screen::Skip(Precedence),
            ),
            (
                ann,
                AutoHeaders {
                    precedence: strings(&["list"]),
                    ..Default::default()
                },
                Screen::Skip(Precedence),
            ),
            (
                ann,
                AutoHeaders {
                    precedence: strings(&["auto_reply"]),
                    ..Default::default()
                },
                Screen::Skip(Precedence),
            ),
            (
                ann,
                AutoHeaders {
                    precedence: strings(&["first-class"]),
                    ..Default::default()
                },
                Screen::Answerable,
            ),
        ];
        for (from, auto, want) in cases {
            assert_eq!(
                screen(&mail(from, auto.clone()), &rules()),
                want,
                "{from} {auto:?}"
            );
        }
    }

    #[test]
    fn spam_verdicts() {
        for (values, spam) in [
            (vec!["YES"], true),
            (vec!["yes"], true),
            (
                vec!["Yes, score=7.4 required=5.0 tests=HTML_MESSAGE autolearn=no"],
                true,
            ),
            (vec!["Yes (filtered by the gateway)"], true),
            (vec!["No, score=-0.1 required=5.0"], false),
            (vec!["NO"], false),
            (vec!["No", "Yes, score=9.0"], true),
            (vec!["*****"], false),
            (vec!["yesterday"], false),
            (vec![""], false),
            (vec![], false),
        ] {
            let auto = AutoHeaders {
                spam_verdicts: strings(&values),
                ..Default::default()
            };
            let want = if spam {
                Screen::Skip(SkipReason::Spam)
            } else {
                Screen::Answerable
            };
            assert_eq!(
                screen(&mail("ann@customer.example", auto), &rules()),
                want,
                "{values:?}"
            );
        }
    }

    #[test]
    fn system_senders() {
        for (from, system) in [
            ("postmaster@x.example", true),
            ("noreply@x.example", true),
            ("no-reply+billing@x.example", true),
            ("NoReply-Invoices@x.example", true),
            ("donotreply@x.example", true),
            ("do-not-reply@x.example", true),
            ("listserv@x.example", true),
            ("Majordomo@x.example", true),
            ("owner-users@x.example", true),
            ("users-request@x.example", true),
            ("noreen@x.example", false),
            ("owner@x.example", false),
            ("request@x.example", false),
            ("ann@x.example", false),
        ] {
            let want = if system {
                Screen::Skip(SkipReason::SystemSender)
            } else {
                Screen::Answerable
            };
            assert_eq!(
                screen(&mail(from, AutoHeaders::default()), &rules()),
                want,
                "{from}"
            );
        }
    }

    #[test]
    fn autoresponder_subjects() {
        for (subject, auto) in [
            ("Out of Office: Re: Refund please", true),
            ("Automatic reply: Re: Cancel", true),
            ("AUTOREPLY : refund", true),
            ("Abwesenheitsnotiz: Re: Kündigung", true),
            ("Réponse automatique : Re: résiliation", true),
            ("Refund please", false),
            ("Re: Out of office: refund", false),
            ("I was out of office: please refund", false),
        ] {
            let m = Inbound {
                subject: subject.into(),
                ..mail("ann@customer.example", AutoHeaders::default())
            };
            let want = if auto {
                Screen::Skip(SkipReason::AutoReply)
            } else {
                Screen::Answerable
            };
            assert_eq!(screen(&m, &rules()), want, "{subject}");
        }
    }

    #[test]
    fn reports_calendars_and_envelope_senders() {
        use SkipReason::*;
        let report = |t: &str, parts: &[&str]| AutoHeaders {
            content_type: "multipart/report".into(),
            report_type: (!t.is_empty()).then(|| t.to_string()),
            part_types: strings(parts),
            ..Default::default()
        };
        let parts = |parts: &[&str]| AutoHeaders {
            content_type: "multipart/mixed".into(),
            part_types: strings(parts),
            ..Default::default()
        };
        let cases: Vec<(&str, AutoHeaders, Screen)> = vec![
            ("", report("delivery-status", &[]), Screen::Skip(Bounce)),
            (
                "",
                report("disposition-notification", &[]),
                Screen::Skip(ReadReceipt),
            ),
            (
                "",
                report("feedback-report", &[]),
                Screen::Skip(FeedbackReport),
            ),
            ("", report("tlsrpt", &[]), Screen::Skip(TlsReport)),
            (
                "",
                report("", &["message/feedback-report"]),
                Screen::Skip(FeedbackReport),
            ),
            ("", report("something-new", &[]), Screen::Skip(Bounce)),
            (
                "",
                parts(&["message/delivery-status"]),
                Screen::Skip(Bounce),
            ),
            (
                "",
                parts(&["message/disposition-notification"]),
                Screen::Skip(ReadReceipt),
            ),
            (
                "",
                parts(&["message/feedback-report"]),
                Screen::Skip(FeedbackReport),
            ),
            (
                "",
                AutoHeaders {
                    report_headers: strings(&["TLS-Report-Domain"]),
                    ..Default::default()
                },
                Screen::Skip(TlsReport),
            ),
            (
                "",
                parts(&["text/plain", "text/calendar"]),
                Screen::Skip(Calendar),
            ),
            (
                "",
                AutoHeaders {
                    content_type: "text/calendar".into(),
                    ..Default::default()
                },
                Screen::Skip(Calendar),
            ),
            (
                "",
                AutoHeaders {
                    attachment_names: strings(&["invite.ics"]),
                    ..Default::default()
                },
                Screen::Skip(Calendar),
            ),
            (
                "",
                AutoHeaders {
                    attachment_names: strings(&["invoice.pdf", "notes.xml.gz"]),
                    ..Default::default()
                },
                Screen::Answerable,
            ),
            (
                "",
                AutoHeaders {
                    attachment_names: strings(&[
                        "rx.example!vendor.example!1772409600!1772495999.xml.gz",
                    ]),
                    ..Default::default()
                },
                Screen::Skip(DmarcReport),
            ),
            (
                "Report Domain: vendor.example Submitter: rx.example Report-ID: <1>",
                AutoHeaders::default(),
                Screen::Skip(DmarcReport),
            ),
            (
                "",
                AutoHeaders {
                    return_path: Some("owner-users@lists.example".into()),
                    ..Default::default()
                },
                Screen::Skip(SystemSender),
            ),
            (
                "",
                AutoHeaders {
                    return_path: Some("Users-Owner@lists.example".into()),
                    ..Default::default()
                },
                Screen::Skip(SystemSender),
            ),
            (
                "",
                AutoHeaders {
                    sender: Some("users-request@lists.example".into()),
                    ..Default::default()
                },
                Screen::Skip(SystemSender),
            ),
            (
                "",
                AutoHeaders {
                    return_path: Some("MAILER-DAEMON@mx.example".into()),
                    ..Default::default()
                },
                Screen::Skip(Bounce),
            ),
            (
                "",
                AutoHeaders {
                    return_path: Some("ann@customer.example".into()),
                    sender: Some("assistant@customer.example".into()),
                    ..Default::default()
                },
                Screen::Answerable,
            ),
        ];
        for (subject, auto, want) in cases {
            let m = Inbound {
                subject: if subject.is_empty() {
                    "Cancel".into()
                } else {
                    subject.into()
                },
                ..mail("ann@customer.example", auto.clone())
            };
            assert_eq!(screen(&m, &rules()), want, "{subject} {auto:?}");
        }
        let null = Inbound {
            from: Address {
                name: Some("MAILER-DAEMON".into()),
                email: String::new(),
            },
            ..mail("x@y.example", AutoHeaders::default())
        };
        assert_eq!(screen(&null, &rules()), Screen::Skip(Bounce));
    }

    #[test]
    fn every_reason_has_its_own_name() {
        use SkipReason::*;
        let all = [
            AutoSubmitted,
            AutoReply,
            Precedence,
            List,
            Bounce,
            ReadReceipt,
            FeedbackReport,
            DmarcReport,
            TlsReport,
            Calendar,
            ChallengeResponse,
            Spam,
            SystemSender,
            Loop,
            OwnAddress,
        ];
        let names: std::collections::BTreeSet<&str> = all.iter().map(SkipReason::as_str).collect();
        assert_eq!(names.len(), all.len());
    }

    #[test]
    fn order_bounce_before_own_address_before_list() {
        let auto = AutoHeaders {
            return_path: Some(String::new()),
            list_headers: strings(&["List-Id"]),
            ..Default::default()
        };
        assert_eq!(
            screen(&mail("support@vendor.example", auto), &rules()),
            Screen::Skip(SkipReason::Bounce)
        );
        let auto = AutoHeaders {
            list_headers: strings(&["List-Id"]),
            ..Default::default()
        };
        assert_eq!(
            screen(&mail("support@vendor.example", auto), &rules()),
            Screen::Skip(SkipReason::OwnAddress)
        );
    }

    #[test]
    fn empty_loop_marker_matches_nothing() {
        let auto = AutoHeaders {
            x_loop: strings(&["anything"]),
            ..Default::default()
        };
        let rules = ScreenRules {
            own_addresses: vec![],
            loop_marker: String::new(),
            forwarders: vec![],
        };
        assert_eq!(
            screen(&mail("ann@customer.example", auto), &rules),
            Screen::Answerable
        );
    }
}
