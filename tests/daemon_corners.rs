//! The corners of issue 16, each through the real daemon on the project's Dovecot + Postfix:
//! one Message-ID on two different messages, the first start racing new mail, a store that
//! cannot be written, an international recipient, and a crash in the middle of a send.

use std::time::Duration;

use crate::support::{
    Desk, WAIT, accounts, delivered, header, next_whole_second, read_folder, request, smtp_send,
    user, wait_for,
};

/// `customers` have accounts; their names are unique to this run.
fn customers(desk: &Desk, tag: &str, n: usize) -> Vec<String> {
    let list: Vec<String> = (0..n).map(|i| user(&format!("{tag}{i}"))).collect();
    accounts(desk.dir.path(), &list);
    list
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Through the MX port, as a customer's server would deliver it.
fn deliver(desk: &Desk, from: &str, raw: &str) {
    smtp_send(
        &desk.stack.host,
        desk.stack.smtp_port,
        from,
        &desk.support,
        raw,
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_message_id_reused_by_another_message_is_answered_and_a_redelivery_is_not() {
    let desk = Desk::new("mid", "", "");
    let c = customers(&desk, "mid", 3);
    assert!(desk.once(&[]).status.success(), "first start");
    let shared = user("shared").replace('@', ".");
    let shared = format!("{shared}@reused.example.test");
    let first = request(&c[0], &desk.support, &shared, "");
    // One batch: the first request, another customer's request with the same Message-ID, and
    // the first delivered a second time (new trace headers, same message).
    deliver(&desk, &c[0], &first);
    deliver(&desk, &c[1], &request(&c[1], &desk.support, &shared, ""));
    deliver(&desk, &c[0], &first);
    wait_for(&desk.stack, &desk.support, "INBOX", 3, WAIT).await;
    let out = desk.once(&[]);
    assert!(out.status.success(), "{}", stderr(&out));
    // A later pass: a third message with the id, and the first once more.
    deliver(&desk, &c[2], &request(&c[2], &desk.support, &shared, ""));
    deliver(&desk, &c[0], &first);
    // The first pass filed all three, so the INBOX holds just these two.
    wait_for(&desk.stack, &desk.support, "INBOX", 2, WAIT).await;
    let out2 = desk.once(&[]);
    assert!(out2.status.success(), "{}", stderr(&out2));
    let log = format!("{}{}", stderr(&out), stderr(&out2));

    let mut reply_ids = Vec::new();
    for (i, customer) in c.iter().enumerate() {
        let replies = wait_for(&desk.stack, customer, "INBOX", 1, WAIT).await;
        assert_eq!(replies.len(), 1, "customer {i}: one answer; log:\n{log}");
        assert_eq!(
            header(&replies[0], "In-Reply-To").as_deref(),
            Some(format!("<{shared}>").as_str())
        );
        reply_ids.push(header(&replies[0], "Message-ID").unwrap());
    }
    reply_ids.sort();
    reply_ids.dedup();
    assert_eq!(reply_ids.len(), 3, "each answer has its own Message-ID");
    let rows: Vec<_> = desk
        .ledger()
        .into_iter()
        .filter(|r| r.message_id.starts_with(&shared))
        .collect();
    assert_eq!(rows.len(), 3, "one ledger row per message: {rows:#?}");
    assert!(rows.iter().all(|r| r.state.as_str() == "sent"), "{rows:#?}");
    assert_eq!(
        log.matches("Message-ID already used by a different message")
            .count(),
        2,
        "{log}"
    );
    // Every copy was filed: 5 deliveries, 3 answered requests and 2 redeliveries.
    let answered = read_folder(&desk.stack, &desk.support, "mailclerk/answered").await;
    assert_eq!(answered.len(), 5, "{log}");
    assert!(
        read_folder(&desk.stack, &desk.support, "INBOX")
            .await
            .is_empty()
    );
    delivered(&c[0]).await;
    assert_eq!(
        read_folder(&desk.stack, &c[0], "INBOX").await.len(),
        1,
        "the redeliveries got no second answer"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_request_delivered_between_connecting_and_the_first_select_is_answered() {
    let mut desk = Desk::new("race", "", "");
    // Old mail, there before the daemon starts: never answered, each message logged.
    let old = desk.send_request("Refund please", "I want a refund (old).", "");
    // Delivered, and in an earlier whole second than the start (INTERNALDATE has seconds).
    wait_for(&desk.stack, &desk.support, "INBOX", 1, WAIT).await;
    next_whole_second().await;
    desk.start(&[
        ("MAILCLERK_PAUSE_AT", "after_connect"),
        ("MAILCLERK_PAUSE_MS", "2500"),
    ]);
    desk.wait_log("pause point after_connect reached", WAIT);
    // Signed in, not yet SELECTed: this one is new mail.
    let new = desk.send_request("Refund please", "I want a refund (new).", "");
    desk.wait_log("First start on this folder", WAIT);
    let replies = wait_for(&desk.stack, &desk.customer, "INBOX", 1, WAIT).await;
    assert_eq!(
        replies.len(),
        1,
        "the new request is answered; log:\n{}",
        desk.log()
    );
    assert_eq!(
        header(&replies[0], "In-Reply-To").as_deref(),
        Some(format!("<{new}>").as_str())
    );
    desk.stop();
    let log = desk.log();
    assert!(
        log.contains("Received before the first start; left in the folder for people"),
        "the old request is left with a log line:\n{log}"
    );
    let inbox = read_folder(&desk.stack, &desk.support, "INBOX").await;
    assert_eq!(inbox.len(), 1, "the old request stays for people");
    assert_eq!(
        header(&inbox[0], "Message-ID").as_deref(),
        Some(format!("<{old}>").as_str())
    );
    let rows = desk.ledger();
    assert_eq!(rows.len(), 1, "{rows:#?}");
    assert_eq!(rows[0].message_id, new);
}

/// Postfix's log lines about `address`, waiting until one contains `text`.
fn postfix_log(address: &str, text: &str) -> Vec<String> {
    let path = std::path::Path::new(&std::env::var("MAILSTACK_DIR").unwrap_or_default())
        .join("log/postfix.log");
    let started = std::time::Instant::now();
    loop {
        let log = std::fs::read_to_string(&path).unwrap_or_default();
        let lines: Vec<String> = log
            .lines()
            .filter(|l| l.contains(address))
            .map(str::to_string)
            .collect();
        if lines.iter().any(|l| l.contains(text)) || started.elapsed() > WAIT {
            return lines;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn an_international_customer_gets_the_answer_in_their_mailbox() {
    let mut desk = Desk::new("utf8", "", "");
    let jose = user("josé");
    accounts(desk.dir.path(), &[&jose]);
    desk.start_first();
    // The From header in UTF-8 (RFC 6532), the envelope sender in ASCII.
    let id = format!(
        "{}@customer.example.test",
        user("utf8req").replace('@', ".")
    );
    let raw = request(&jose, &desk.support, &id, "MIME-Version: 1.0\r\n");
    deliver(&desk, "jose-envelope@example.test", &raw);
    // The reply is offered as SMTPUTF8 mail (without it, Dovecot refused it as "501 Invalid
    // TO"), and the stack delivers it to the UTF-8 mailbox (before, Postfix bounced it with
    // 5.6.7 because Dovecot's LMTP does not offer SMTPUTF8). Read over IMAP as the customer.
    let replies = wait_for(&desk.stack, &jose, "INBOX", 1, WAIT).await;
    let lines = postfix_log(&jose, "status=");
    desk.stop();
    assert_eq!(
        replies.len(),
        1,
        "one answer in {jose}'s mailbox; postfix:\n{}\ndaemon log:\n{}",
        lines.join("\n"),
        desk.log()
    );
    assert_eq!(
        header(&replies[0], "In-Reply-To").as_deref(),
        Some(format!("<{id}>").as_str())
    );
    assert_eq!(header(&replies[0], "To").as_deref(), Some(jose.as_str()));
    assert!(
        !lines
            .iter()
            .any(|l| l.contains("Invalid TO") || l.contains("status=bounced")),
        "{}",
        lines.join("\n")
    );
    assert_eq!(desk.row(&id).state.as_str(), "sent", "{:#?}", desk.ledger());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_report_from_our_relay_names_the_answer_by_its_envelope_id_and_hands_it_to_people() {
    let mut desk = Desk::new("dsn", "", "");
    // The stack accepts mail for "gone-..." and then bounces it, as a customer's server that
    // gives up after the 250 does: Postfix reports it to the desk (the envelope sender).
    let gone = user("gone");
    accounts(desk.dir.path(), &[&gone]);
    desk.start_first();
    let id = format!("{}@customer.example.test", user("dsnreq").replace('@', "."));
    deliver(&desk, &gone, &request(&gone, &desk.support, &id, ""));
    let people = wait_for(&desk.stack, &desk.support, "mailclerk/people", 1, WAIT).await;
    let lines = postfix_log(&gone, "status=");
    desk.stop();
    assert_eq!(
        people.len(),
        1,
        "postfix:\n{}\ndaemon log:\n{}",
        lines.join("\n"),
        desk.log()
    );
    // Postfix's report carries the ENVID the reply was sent with.
    let report = String::from_utf8_lossy(&people[0]).into_owned();
    assert!(
        report.contains("Original-Envelope-Id: mailclerk."),
        "{report}"
    );
    let request = desk.row(&id);
    assert_eq!(
        (request.state.as_str(), request.action.as_deref()),
        ("review", Some("to_human:answer_bounced")),
        "{:#?}",
        desk.ledger()
    );
    let reason = request.reason.as_deref().unwrap_or_default();
    assert!(
        reason.contains("the answer bounced")
            && reason.contains("matched by its Original-Envelope-Id"),
        "{reason}"
    );
}

/// A delivery status report (RFC 3464) from the customer's server about our answer, as real
/// ones look: the customer's address with `action` and `status`, our reply named by its
/// ENVID, by its headers returned, or both.
struct Report<'a> {
    /// The report's own Message-ID.
    id: &'a str,
    subject: &'a str,
    /// The part for people.
    text: &'a str,
    action: &'a str,
    status: &'a str,
    envid: Option<&'a str>,
    headers: Option<&'a str>,
}

impl Report<'_> {
    /// To the desk (the envelope sender of our answers), from the null sender.
    fn send(&self, desk: &Desk) {
        let envid = self
            .envid
            .map(|e| format!("Original-Envelope-Id: {e}\r\n"))
            .unwrap_or_default();
        let headers = self
            .headers
            .map(|h| format!("--b\r\nContent-Type: text/rfc822-headers\r\n\r\n{h}"))
            .unwrap_or_default();
        let raw = format!(
            "From: MAILER-DAEMON@mx.customer.example.test (Mail Delivery System)\r\nTo: {desk}\r\nSubject: {subject}\r\nMessage-ID: <{id}>\r\nAuto-Submitted: auto-replied\r\nMIME-Version: 1.0\r\nContent-Type: multipart/report; report-type=delivery-status;\r\n\tboundary=\"b\"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\n{text}\r\n--b\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.customer.example.test\r\n{envid}\r\nFinal-Recipient: rfc822; {cust}\r\nAction: {action}\r\nStatus: {status}\r\n{headers}--b--\r\n",
            desk = desk.support,
            subject = self.subject,
            id = self.id,
            text = self.text,
            cust = desk.customer,
            action = self.action,
            status = self.status,
        );
        smtp_send(
            &desk.stack.host,
            desk.stack.smtp_port,
            "",
            &desk.support,
            &raw,
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_delay_report_is_recorded_and_hands_nothing_over() {
    let mut desk = Desk::running("delay");
    let id = desk.send_request("Refund please", "I would like a refund.", "");
    let replies = wait_for(&desk.stack, &desk.customer, "INBOX", 1, WAIT).await;
    assert_eq!(replies.len(), 1, "{}", desk.log());
    let ours = header(&replies[0], "Message-ID").unwrap();
    let ours = ours.trim_start_matches('<').trim_end_matches('>');
    // A relay still trying reports a delay (RFC 3464 "delayed"), naming the reply by its ENVID
    // only: no headers returned.
    let report_id = format!(
        "dsn-{}@mx.customer.example.test",
        user("d").replace('@', ".")
    );
    Report {
        id: &report_id,
        subject: "Delayed Mail (still being retried)",
        text: "Your message has not been delivered yet. We keep trying.",
        action: "delayed",
        status: "4.4.1",
        envid: Some(&mailclerk::send::dsn::xtext(ours)),
        headers: None,
    }
    .send(&desk);
    desk.wait_log("The answer is delayed", WAIT);
    desk.stop();
    assert_eq!(desk.row(&id).state.as_str(), "sent", "nothing handed over");
    let row = desk.row(&report_id);
    assert_eq!(row.state.as_str(), "skipped", "{row:#?}");
    let reason = row.reason.as_deref().unwrap_or_default();
    assert!(
        reason.starts_with("delivery delayed")
            && reason.contains(ours)
            && reason.contains(&format!("to <{id}>"))
            && reason.contains("Original-Envelope-Id"),
        "{reason}"
    );
    assert!(
        read_folder(&desk.stack, &desk.support, "mailclerk/people")
            .await
            .is_empty()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_bounce_of_our_answer_hands_the_request_to_people() {
    let mut desk = Desk::running("bounce");
    let id = desk.send_request("Refund please", "I would like a refund.", "");
    let replies = wait_for(&desk.stack, &desk.customer, "INBOX", 1, WAIT).await;
    assert_eq!(replies.len(), 1, "{}", desk.log());
    let ours = header(&replies[0], "Message-ID").unwrap();
    // The customer's server gives up on our answer later and reports it (RFC 3464), to the
    // envelope sender: the desk.
    Report {
        id: &format!(
            "dsn-{}@mx.customer.example.test",
            user("n").replace('@', ".")
        ),
        subject: "Undelivered Mail Returned to Sender",
        text: "Your message could not be delivered.",
        action: "failed",
        status: "5.2.2",
        envid: None,
        headers: Some(&format!(
            "Message-ID: {ours}\r\nIn-Reply-To: <{id}>\r\nSubject: Re: Refund please\r\n"
        )),
    }
    .send(&desk);
    let people = wait_for(&desk.stack, &desk.support, "mailclerk/people", 1, WAIT).await;
    assert_eq!(
        people.len(),
        1,
        "the report goes to people; log:\n{}",
        desk.log()
    );
    desk.stop();
    let request = desk.row(&id);
    assert_eq!(
        (request.state.as_str(), request.action.as_deref()),
        ("review", Some("to_human:answer_bounced")),
        "{:#?}",
        desk.ledger()
    );
    assert!(
        request
            .reason
            .as_deref()
            .unwrap_or_default()
            .contains("the answer bounced")
    );
    assert!(desk.log().contains("The answer bounced"), "{}", desk.log());
    assert_eq!(
        read_folder(&desk.stack, &desk.customer, "INBOX")
            .await
            .len(),
        1,
        "nothing more went to the customer"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_crash_mid_send_leaves_people_the_exact_reply_that_may_have_gone_out() {
    let mut desk = Desk::new("midsend", "", "");
    assert!(desk.once(&[]).status.success(), "first start");
    let id = desk.send_request("Refund please", "I want a refund.", "");
    wait_for(&desk.stack, &desk.support, "INBOX", 1, WAIT).await;
    // kill -9 once the relay has accepted the reply, before anything is recorded.
    desk.start(&[("MAILCLERK_CRASH_AT", "after_send")]);
    assert!(
        !desk.wait_exit(WAIT).success(),
        "aborted at the crash point"
    );
    let delivered = wait_for(&desk.stack, &desk.customer, "INBOX", 1, WAIT).await;
    assert_eq!(delivered.len(), 1, "the reply went out");
    let out = desk.once(&[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let people = read_folder(&desk.stack, &desk.support, "mailclerk/people").await;
    assert_eq!(
        people.len(),
        2,
        "the request and the reply; {}",
        stderr(&out)
    );
    let reply_id = header(&delivered[0], "Message-ID").unwrap();
    let kept = people
        .iter()
        .find(|m| header(m, "Message-ID").as_deref() == Some(reply_id.as_str()))
        .unwrap_or_else(|| panic!("the exact reply is with people: {}", stderr(&out)));
    // Byte for byte what the customer got, after the trace headers delivery added.
    let text = String::from_utf8_lossy(kept).into_owned();
    let got = String::from_utf8_lossy(&delivered[0]).into_owned();
    assert!(
        got.trim_end().ends_with(text.trim_end()),
        "kept:\n{text}\ndelivered:\n{got}"
    );
    let row = desk.row(&id);
    assert_eq!(row.state.as_str(), "review");
    let reason = row.reason.clone().unwrap_or_default();
    assert!(
        reason.contains(&format!(
            "the exact reply that may have gone out ({reply_id}) is in mailclerk/people"
        )),
        "{reason}"
    );
    // A second recovery pass keeps one copy, and the customer has one answer.
    assert!(desk.once(&[]).status.success());
    assert_eq!(
        read_folder(&desk.stack, &desk.support, "mailclerk/people")
            .await
            .len(),
        2
    );
    assert_eq!(
        read_folder(&desk.stack, &desk.customer, "INBOX")
            .await
            .len(),
        1
    );
}

/// A relay the test runs: plain SMTP with AUTH PLAIN, SMTPUTF8 offered or not; every command
/// it receives is kept.
fn relay(offers_smtputf8: bool) -> (u16, std::sync::Arc<std::sync::Mutex<Vec<String>>>) {
    relay_with(offers_smtputf8, false)
}

/// [`relay`], offering DSN (RFC 3461) or not.
fn relay_with(
    offers_smtputf8: bool,
    offers_dsn: bool,
) -> (u16, std::sync::Arc<std::sync::Mutex<Vec<String>>>) {
    use std::io::{BufRead, BufReader, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let log = seen.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { return };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut w = stream;
            let _ = w.write_all(b"220 relay.test ESMTP\r\n");
            let mut line = String::new();
            while reader.read_line(&mut line).unwrap_or(0) > 0 {
                let cmd = line.trim_end().to_string();
                line.clear();
                log.lock().unwrap().push(cmd.clone());
                let upper = cmd.to_ascii_uppercase();
                let answer = if upper.starts_with("EHLO") {
                    let utf8 = if offers_smtputf8 {
                        "250-SMTPUTF8\r\n"
                    } else {
                        ""
                    };
                    let dsn = if offers_dsn { "250-DSN\r\n" } else { "" };
                    format!("250-relay.test\r\n{utf8}{dsn}250-8BITMIME\r\n250 AUTH PLAIN\r\n")
                } else if upper.starts_with("AUTH") {
                    "235 2.7.0 ok\r\n".into()
                } else if upper == "DATA" {
                    let _ = w.write_all(b"354 go\r\n");
                    let mut body = String::new();
                    while reader.read_line(&mut body).unwrap_or(0) > 0
                        && !body.ends_with("\r\n.\r\n")
                    {}
                    "250 2.0.0 queued\r\n".into()
                } else if upper == "QUIT" {
                    let _ = w.write_all(b"221 bye\r\n");
                    break;
                } else {
                    "250 2.1.0 ok\r\n".into()
                };
                let _ = w.write_all(answer.as_bytes());
            }
        }
    });
    (port, seen)
}

/// A reply to `to`, as the relay tests send it.
fn relay_reply(to: &str) -> mailclerk::render::Reply {
    mailclerk::render::Reply {
        from_name: "NotOut CRM".into(),
        from: "support@notoutcrm.com".into(),
        to: to.into(),
        subject: "Re: refund".into(),
        message_id: "mailclerk.0123456789abcdef0123456789abcdef@notoutcrm.com".into(),
        in_reply_to: "m1@example.test".into(),
        references: vec!["m1@example.test".into()],
        template: "refund_granted".into(),
        body: "Hello\n".into(),
    }
}

/// The test's relay on `port`: plain SMTP, a password, one-second retries.
fn relay_settings(port: u16) -> mailclerk::send::SmtpSettings {
    mailclerk::send::SmtpSettings {
        host: "127.0.0.1".into(),
        port,
        security: mailclerk::config::mail::Security::Plain,
        ca_file: None,
        user: "desk@example.test".into(),
        auth: mailclerk::config::mail::Auth::Password,
        password: "secret".into(),
        timeout: Duration::from_secs(5),
        retry_first: Duration::from_secs(1),
        retry_max: Duration::from_secs(1),
        retry_window: Duration::from_secs(1),
        credential: "a test password".into(),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn an_international_address_needs_smtputf8_from_the_relay_or_goes_to_people() {
    use mailclerk::send::{Smtp, SmtpError};
    let reply = relay_reply("josé@example.test");
    for offered in [true, false] {
        let (port, seen) = relay(offered);
        let settings = relay_settings(port);
        let smtp = Smtp::new(&settings)
            .unwrap()
            .with_return_path("desk@example.test");
        let result = smtp.send(&reply, std::time::SystemTime::now()).await;
        let seen = seen.lock().unwrap().clone();
        let mail: Vec<&String> = seen.iter().filter(|c| c.starts_with("MAIL FROM")).collect();
        if offered {
            assert!(result.is_ok(), "{result:?}");
            assert_eq!(mail.len(), 1, "{seen:?}");
            assert!(mail[0].contains("SMTPUTF8"), "{seen:?}");
            assert!(
                mail[0].contains("<desk@example.test>"),
                "the desk is the envelope sender: {seen:?}"
            );
        } else {
            let err = result.expect_err("a relay without SMTPUTF8 cannot take it");
            assert!(matches!(err, SmtpError::Refused { .. }), "{err:?}");
            let text = mailclerk::error_chain(&err);
            assert!(text.contains("does not offer SMTPUTF8"), "{text}");
            assert!(mail.is_empty(), "nothing was offered: {seen:?}");
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn replies_ask_for_a_failure_or_delay_report_naming_the_reply_where_the_relay_offers_dsn() {
    use mailclerk::send::Smtp;
    let reply = relay_reply("ana@example.test");
    for offered in [true, false] {
        let (port, seen) = relay_with(false, offered);
        let settings = relay_settings(port);
        let smtp = Smtp::new(&settings).unwrap();
        // Twice over one kept connection: the second reply asks for its report too.
        for _ in 0..2 {
            let result = smtp.send(&reply, std::time::SystemTime::now()).await;
            assert!(result.is_ok(), "{result:?}");
        }
        let seen = seen.lock().unwrap().clone();
        let mail: Vec<&String> = seen.iter().filter(|c| c.starts_with("MAIL FROM")).collect();
        let rcpt: Vec<&String> = seen.iter().filter(|c| c.starts_with("RCPT TO")).collect();
        assert_eq!((mail.len(), rcpt.len()), (2, 2), "{seen:?}");
        for (mail, rcpt) in mail.iter().zip(&rcpt) {
            if offered {
                assert!(
                    mail.ends_with(
                        " RET=HDRS ENVID=mailclerk.0123456789abcdef0123456789abcdef@notoutcrm.com"
                    ),
                    "{seen:?}"
                );
                assert!(rcpt.ends_with(" NOTIFY=FAILURE,DELAY"), "{seen:?}");
            } else {
                assert!(
                    !mail.contains("ENVID") && !mail.contains("RET="),
                    "{seen:?}"
                );
                assert!(!rcpt.contains("NOTIFY"), "{seen:?}");
            }
        }
    }
}
