//! Mail loops and floods against the project's Dovecot + Postfix: two mailclerk desks that
//! answer each other, a responder that strips every auto-reply marker, 500 requests from one
//! sender, the hourly breaker, and mail that claims to come from the vendor itself.

use std::time::{Duration, Instant};

use mailclerk::intake::imap::Session;
use mailclerk::store::{LedgerRow, LedgerState};

use crate::support::{
    Desk, WAIT, accounts, delivered, header, read_folder, request, smtp_send, user, wait_for,
    waiting_requests,
};

/// Makes the desk's vendor address its own support address (a copy of the NotOut policy), so
/// that its answers come From the desk and answers to them come back to it.
fn answer_as_desk(desk: &Desk, vendor: &str) {
    let shipped = std::env::current_dir()
        .unwrap()
        .join("config/policies/notout.toml");
    let policy = std::fs::read_to_string(&shipped)
        .unwrap()
        .replace(
            "email = \"support@notoutcrm.com\"",
            &format!("email = \"{}\"", desk.support),
        )
        .replace("name = \"NotOut CRM\"", &format!("name = \"{vendor}\""));
    let copy = desk.dir.path().join("policy.toml");
    std::fs::write(&copy, policy).unwrap();
    let config = std::fs::read_to_string(&desk.config)
        .unwrap()
        .replace(&shipped.display().to_string(), &copy.display().to_string());
    std::fs::write(&desk.config, config).unwrap();
}

/// A cancellation request (the support harness's `request` asks for a refund).
fn cancellation(from: &str, to: &str, id: &str, extra: &str) -> String {
    request(from, to, id, extra)
        .replace("Subject: Refund please", "Subject: Cancel please")
        .replace(
            "I would like a refund please.",
            "Please cancel my subscription.",
        )
}

fn count(rows: &[LedgerRow], state: LedgerState, action: &str) -> usize {
    rows.iter()
        .filter(|r| r.state == state && r.action.as_deref() == Some(action))
        .count()
}

/// Polls `check` until it holds or `within` passes; returns whether it held.
async fn until(within: Duration, mut check: impl FnMut() -> bool) -> bool {
    let started = Instant::now();
    while started.elapsed() < within {
        if check() {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    check()
}

/// Desk A and desk B, two daemons, each a customer of the other. B "asks" A for a refund; A
/// answers B once; B must not answer that answer, and nothing more happens.
#[tokio::test(flavor = "multi_thread")]
async fn two_mailclerks_answering_each_other_stop_after_one_exchange() {
    let mut a = Desk::new("loop-a", "", "");
    let mut b = Desk::new("loop-b", "", "");
    answer_as_desk(&a, "Desk A");
    answer_as_desk(&b, "Desk B");
    accounts(a.dir.path(), &[&b.support]);
    accounts(b.dir.path(), &[&a.support]);
    a.start(&[]);
    b.start(&[]);
    a.wait_log("First start on this folder", WAIT);
    b.wait_log("First start on this folder", WAIT);
    let stack = &a.stack;
    smtp_send(
        &stack.host,
        stack.smtp_port,
        &b.support,
        &a.support,
        &request(&b.support, &a.support, "loop-seed@example.test", ""),
    );
    assert!(
        until(WAIT, || b.ledger().len() == 1).await,
        "A's answer reached B; A:\n{}\nB:\n{}",
        a.log(),
        b.log()
    );
    // A second exchange would start with B answering A's answer, and B sends before it
    // records: once B's row is final and nothing for A is left in Postfix, anything B sent is
    // in A's INBOX (checked below) or in A's ledger.
    assert!(
        until(WAIT, || b
            .ledger()
            .iter()
            .all(|r| r.state != LedgerState::Claimed))
        .await,
        "B finished with A's answer; B:\n{}",
        b.log()
    );
    delivered(&a.support).await;
    // Then both file what they handled (filing follows the record).
    let started = Instant::now();
    while started.elapsed() < WAIT
        && !(read_folder(stack, &a.support, "INBOX").await.is_empty()
            && read_folder(stack, &b.support, "INBOX").await.is_empty())
    {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let (la, lb) = (a.ledger(), b.ledger());
    assert_eq!(la.len(), 1, "A handled only the seed: {la:?}");
    assert_eq!(count(&la, LedgerState::Sent, "refund_granted"), 1, "{la:?}");
    assert_eq!(lb.len(), 1, "B handled only A's answer: {lb:?}");
    assert_eq!(lb[0].state, LedgerState::Skipped, "{lb:?}");
    assert!(
        read_folder(stack, &a.support, "INBOX").await.is_empty()
            && read_folder(stack, &b.support, "INBOX").await.is_empty(),
        "nothing waiting in either inbox"
    );
    assert!(
        read_folder(stack, &a.support, "mailclerk/skipped")
            .await
            .is_empty(),
        "B sent nothing back to A"
    );
    println!(
        "loop, two mailclerks: 1 request, answered once; 1 answer skipped by the other desk ({:?}); 0 further mails",
        lb[0].action
    );
    a.stop();
    b.stop();
}

/// A responder that strips every auto-reply marker and repeats the request: the only wall is
/// the per-sender budget, which stops the loop after `max_replies_per_sender` answers.
#[tokio::test(flavor = "multi_thread")]
async fn a_responder_without_markers_is_stopped_after_one_answer() {
    let mut desk = Desk::new("loop-bot", "", "");
    answer_as_desk(&desk, "Desk");
    let bot = desk.customer.clone();
    desk.start(&[]);
    desk.wait_log("First start on this folder", WAIT);
    let stack = &desk.stack;
    smtp_send(
        &stack.host,
        stack.smtp_port,
        &bot,
        &desk.support,
        // Cancellations: the history rule repeats the first answer, where a repeated refund
        // would go to people for that reason; here the reply to our answer must stop the loop.
        &cancellation(&bot, &desk.support, "bot-0@example.test", ""),
    );
    let mut answered = 0;
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(40) {
        let got = read_folder(stack, &bot, "INBOX").await;
        for (n, mail) in got.iter().enumerate().skip(answered) {
            let parent = header(mail, "Message-ID").unwrap_or_default();
            let extra = format!("In-Reply-To: {parent}\r\nReferences: {parent}\r\n");
            smtp_send(
                &stack.host,
                stack.smtp_port,
                &bot,
                &desk.support,
                &request(
                    &bot,
                    &desk.support,
                    &format!("bot-{}@example.test", n + 1),
                    &extra,
                )
                .replace("Subject: Refund please", "Subject: Re: Cancel please")
                .replace(
                    "I would like a refund please.",
                    "Please cancel my subscription.",
                ),
            );
        }
        answered = got.len();
        // Quiet: the desk has a final row for each of the bot's messages (it sends before it
        // records), nothing more is on its way to the bot, and the bot has nothing new.
        let rows = desk.ledger();
        if rows.len() == answered + 1 && rows.iter().all(|r| r.state != LedgerState::Claimed) {
            delivered(&bot).await;
            if read_folder(stack, &bot, "INBOX").await.len() == answered {
                break;
            }
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    let rows = desk.ledger();
    // Issue 16: its answer to our answer goes to people, so one answer, not the budget of 3.
    assert_eq!(answered, 1, "one answer: {rows:?}\n{}", desk.log());
    assert_eq!(count(&rows, LedgerState::Sent, "cancel_confirmed"), 1);
    assert_eq!(
        count(&rows, LedgerState::Review, "to_human:reply_to_our_answer"),
        1,
        "{rows:?}"
    );
    assert_eq!(rows.len(), 2, "{rows:?}");
    println!(
        "loop, marker-less responder: {} requests, {answered} answered, 1 to people (reply_to_our_answer), then quiet",
        rows.len()
    );
    desk.stop();
}

/// 500 requests from one sender, delivered within a minute while the daemon runs: at most the
/// per-sender budget of answers, the rest to people, none lost.
#[tokio::test(flavor = "multi_thread")]
async fn a_flood_from_one_sender_gets_at_most_its_budget() {
    let mut desk = Desk::new("flood", "batch = 50", "");
    desk.start(&[]);
    desk.wait_log("First start on this folder", WAIT);
    let mut imap = Session::connect(&desk.stack.imap(&desk.support))
        .await
        .unwrap();
    let started = Instant::now();
    for n in 0..500 {
        let raw = cancellation(
            &desk.customer,
            &desk.support,
            &format!("flood-{n}@customer.example.test"),
            "",
        );
        imap.append("INBOX", raw.as_bytes(), &[]).await.unwrap();
    }
    let delivered_in = started.elapsed();
    let _ = imap.logout().await;
    assert!(delivered_in < Duration::from_secs(60), "{delivered_in:?}");
    let done = until(Duration::from_secs(120), || {
        let rows = desk.ledger();
        rows.len() == 500 && rows.iter().all(|r| r.state != LedgerState::Claimed)
    })
    .await;
    let handled_in = started.elapsed();
    assert!(
        done,
        "{} of 500 handled; log tail:\n{}",
        desk.ledger().len(),
        desk.log()
    );
    // Every row is final, so every reply is in Postfix's hands.
    delivered(&desk.customer).await;
    let rows = desk.ledger();
    let replies = read_folder(&desk.stack, &desk.customer, "INBOX").await;
    assert_eq!(replies.len(), 3, "the per-sender budget");
    assert_eq!(count(&rows, LedgerState::Sent, "cancel_confirmed"), 3);
    assert_eq!(
        count(&rows, LedgerState::Review, "to_human:reply_budget"),
        497
    );
    let filed = wait_for(&desk.stack, &desk.support, "mailclerk/people", 497, WAIT).await;
    assert_eq!(filed.len(), 497);
    assert!(
        read_folder(&desk.stack, &desk.support, "INBOX")
            .await
            .is_empty()
    );
    println!(
        "flood: 500 requests from one sender delivered in {:.1} s, all handled in {:.1} s: 3 answered once, 497 to people (reply_budget), 0 skipped, 0 lost, 0 duplicated",
        delivered_in.as_secs_f64(),
        handled_in.as_secs_f64()
    );
    desk.stop();
}

/// Twelve customers, a breaker of five an hour: five answers, seven to people, each hold an
/// ERROR in the log.
#[tokio::test(flavor = "multi_thread")]
async fn the_hourly_breaker_trips_and_logs_an_error() {
    let since = jiff::Timestamp::now() - jiff::SignedDuration::from_hours(1);
    let desk = Desk::with_keys(
        "breaker",
        "max_replies_per_hour = 5",
        &format!("answer_since = \"{since}\""),
        "",
    );
    let customers = waiting_requests(&desk, "brk", 12).await;
    let out = desk.once(&[]);
    let log = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{log}");
    let rows = desk.ledger();
    assert_eq!(count(&rows, LedgerState::Sent, "refund_granted"), 5);
    assert_eq!(count(&rows, LedgerState::Review, "to_human:breaker"), 7);
    let errors = log
        .lines()
        .filter(|l| l.contains("ERROR") && l.contains("Breaker open"))
        .count();
    assert_eq!(errors, 7, "{log}");
    for (i, c) in customers.iter().enumerate() {
        let got = read_folder(&desk.stack, c, "INBOX").await.len();
        assert_eq!(got, usize::from(i < 5), "customer {i}");
    }
    println!(
        "breaker (5 an hour): 12 requests from 12 customers, 5 answered once, 7 to people (breaker), 7 ERROR lines"
    );
}

/// Through the real MX: mail From the vendor's own address (once with a stranger's envelope
/// sender), and From the desk itself, gets no answer anywhere.
#[tokio::test(flavor = "multi_thread")]
async fn mail_claiming_to_be_from_the_vendor_gets_no_answer() {
    let since = jiff::Timestamp::now() - jiff::SignedDuration::from_hours(1);
    let desk = Desk::new("vendor", &format!("answer_since = \"{since}\""), "");
    let stack = &desk.stack;
    let stranger = user("stranger");
    let ids: Vec<String> = (0..3).map(|_| user("vendor-id")).collect();
    for (envelope, from, id) in [
        (
            "support@notoutcrm.com",
            "NotOut CRM <support@notoutcrm.com>",
            &ids[0],
        ),
        (
            stranger.as_str(),
            "NotOut CRM <support@notoutcrm.com>",
            &ids[1],
        ),
        (stranger.as_str(), desk.support.as_str(), &ids[2]),
    ] {
        smtp_send(
            &stack.host,
            stack.smtp_port,
            envelope,
            &desk.support,
            &request(from, &desk.support, id, ""),
        );
    }
    assert_eq!(
        wait_for(stack, &desk.support, "INBOX", 3, WAIT).await.len(),
        3
    );
    let out = desk.once(&[]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rows = desk.ledger();
    assert_eq!(
        count(&rows, LedgerState::Skipped, "skip:own_address"),
        3,
        "{rows:?}"
    );
    delivered("sink@example.test").await;
    let ours = |m: &Vec<u8>| {
        header(m, "In-Reply-To").is_some_and(|v| ids.iter().any(|id| v.contains(id.as_str())))
    };
    assert!(
        !read_folder(stack, "sink@example.test", "INBOX")
            .await
            .iter()
            .any(ours),
        "no answer to the vendor's address"
    );
    assert!(read_folder(stack, &stranger, "INBOX").await.is_empty());
    assert!(read_folder(stack, &desk.support, "INBOX").await.is_empty());
}
