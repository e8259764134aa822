//! The sender verification flow (`unverified = "confirm"`) end to end on the mail stack, with
//! the daemon running: an unverified request makes mailclerk ask the account's registered
//! address (never the sender's); forged confirmations (another sender, a wrong token, a used
//! one, a late one) go to people; the owner's reply is answered, decided as of the original
//! request's receipt.

use std::time::{Duration, Instant};

use jiff::{SignedDuration, Timestamp};
use mailclerk::classify::Intent;
use mailclerk::confirm::Pending;
use mailclerk::store::{LedgerRow, LedgerState, Store};

use crate::support::{Desk, WAIT, body, delivered, header, read_folder, smtp_send, user, wait_for};

fn mail(from: &str, to: &str, subject: &str, id: &str, extra: &str, text: &str) -> String {
    format!(
        "From: {from}\r\nTo: {to}\r\nSubject: {subject}\r\nMessage-ID: <{id}>\r\nDate: Mon, 23 Nov 2026 10:00:00 +0000\r\nContent-Type: text/plain; charset=utf-8\r\n{extra}\r\n{text}\r\n"
    )
}

/// Waits until the ledger has a row for `id`, and returns it.
async fn row(desk: &Desk, id: &str) -> LedgerRow {
    let started = Instant::now();
    loop {
        if let Some(r) = desk
            .ledger()
            .into_iter()
            .find(|r| r.message_id == id && r.state != LedgerState::Claimed)
        {
            return r;
        }
        assert!(
            started.elapsed() < WAIT,
            "no ledger row for <{id}>; log:\n{}",
            desk.log()
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

fn action(r: &LedgerRow) -> (LedgerState, &str) {
    (r.state, r.action.as_deref().unwrap_or_default())
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unverified_request_is_confirmed_by_the_registered_address_only() {
    let mut desk = Desk::with_keys(
        "confirm",
        "require_authenticated_sender = true\ntrusted_authserv_id = \"mx.example.test\"\nunverified = \"confirm\"",
        "",
        "",
    );
    let owner = desk.customer.clone();
    let alias = user("alias");
    let (late_owner, old_owner) = (user("late"), user("old"));
    let eve = user("eve");
    let today = jiff::Zoned::now().date();
    let day = |n: i64| today.checked_sub(jiff::Span::new().days(n)).unwrap();
    std::fs::write(
        desk.dir.path().join("accounts.csv"),
        format!(
            "account_id,email,name,plan,signed_up_on,first_paid_on,first_payment,last_payment,currency\n\
             A-1,{owner};{alias},Ann Owner,monthly,{p5},{p5},49.00,49.00,USD\n\
             A-2,{old_owner},Otto Old,monthly,{p35},{p35},49.00,49.00,USD\n\
             A-3,{late_owner},Lea Late,monthly,{p5},{p5},49.00,49.00,USD\n",
            p5 = day(5),
            p35 = day(35),
        ),
    )
    .unwrap();
    desk.start(&[]);
    desk.wait_log("First start on this folder", WAIT);
    let stack = &desk.stack;
    let send = |envelope: &str, text: String| {
        smtp_send(&stack.host, stack.smtp_port, envelope, &desk.support, &text);
    };

    // 1. A request From the account's second address, which nothing authenticates (the MX
    //    writes no Authentication-Results): the question goes to the registered address.
    let request = user("request").replace('@', ".") + "@customer.example.test";
    send(
        &alias,
        mail(
            &alias,
            &desk.support,
            "Refund please",
            &request,
            "",
            "Hello,\r\n\r\nI would like a refund please.",
        ),
    );
    let r = row(&desk, &request).await;
    assert_eq!(
        action(&r),
        (LedgerState::Review, "to_human:awaiting_confirmation"),
        "{r:?}"
    );
    let question = wait_for(stack, &owner, "INBOX", 1, WAIT).await;
    assert_eq!(
        question.len(),
        1,
        "the owner is asked; log:\n{}",
        desk.log()
    );
    let question = &question[0];
    let subject = header(question, "Subject").unwrap();
    let token = subject
        .split("[confirm:")
        .nth(1)
        .and_then(|t| t.strip_suffix(']'))
        .unwrap_or_else(|| panic!("no token in {subject:?}"))
        .to_string();
    assert_eq!(token.len(), 32, "{subject}");
    let question_id = header(question, "Message-ID").unwrap();
    assert!(
        question_id.contains(&format!("mailclerk-confirm.{token}@")),
        "{question_id}"
    );
    assert_eq!(header(question, "To").as_deref(), Some(owner.as_str()));
    assert_eq!(
        header(question, "Auto-Submitted").as_deref(),
        Some("auto-replied")
    );
    assert!(
        body(question).contains("we could not verify that it came from you"),
        "{}",
        body(question)
    );
    assert!(
        read_folder(stack, &alias, "INBOX").await.is_empty(),
        "the sender is told nothing"
    );
    // From the mailbox (whose address the owner's answer must come back to), not the policy's
    // vendor address; and copied to Sent like every other mail we write.
    assert!(
        header(question, "From").is_some_and(|f| f.contains(&desk.support)),
        "{:?}",
        header(question, "From")
    );
    let sent = wait_for(stack, &desk.support, "Sent", 1, WAIT).await;
    assert!(
        sent.iter()
            .any(|m| header(m, "Message-ID").as_deref() == Some(question_id.as_str())),
        "the question is in Sent; log:\n{}",
        desk.log()
    );

    // 2. Forged confirmations: the right token from another sender, a made-up token from the
    //    owner's address. Both to people; nobody gets an answer.
    let reply_subject = format!("Re: {subject}");
    let threading = format!("In-Reply-To: {question_id}\r\nReferences: {question_id}\r\n");
    let forged = [
        (
            "forged-sender",
            eve.as_str(),
            reply_subject.clone(),
            threading.clone(),
        ),
        (
            "forged-token",
            owner.as_str(),
            format!(
                "Re: Please confirm your request [confirm:{}]",
                "7".repeat(32)
            ),
            String::new(),
        ),
    ];
    for (tag, from, subject, extra) in &forged {
        let id = format!("{tag}-{}", user("c").replace('@', "."));
        send(
            from,
            mail(
                from,
                &desk.support,
                subject,
                &id,
                extra,
                "Yes, that was me. Please go ahead.",
            ),
        );
        let r = row(&desk, &id).await;
        assert_eq!(
            action(&r),
            (LedgerState::Review, "to_human:confirmation_rejected"),
            "{tag}: {r:?}"
        );
    }

    // 3. The owner confirms: the original request is answered, to the owner.
    let confirmation = user("confirmation").replace('@', ".") + "@customer.example.test";
    send(
        &owner,
        mail(
            &owner,
            &desk.support,
            &reply_subject,
            &confirmation,
            &threading,
            "Yes, that was me.\r\n\r\n> We could not verify...",
        ),
    );
    let r = row(&desk, &confirmation).await;
    assert_eq!(action(&r), (LedgerState::Sent, "refund_granted"), "{r:?}");
    let got = wait_for(stack, &owner, "INBOX", 2, WAIT).await;
    assert_eq!(got.len(), 2, "the question and the answer");
    let answer = got
        .iter()
        .find(|m| header(m, "In-Reply-To").is_some_and(|v| v.contains(&confirmation)))
        .expect("the answer threads on the confirmation");
    assert!(
        body(answer).contains("Your refund of 49.00 USD has been approved."),
        "{}",
        body(answer)
    );
    assert_eq!(
        header(answer, "Subject").as_deref(),
        Some("Re: Refund please")
    );

    // 4. The same token again, from the owner: used, so people.
    let again = user("again").replace('@', ".") + "@customer.example.test";
    send(
        &owner,
        mail(
            &owner,
            &desk.support,
            &reply_subject,
            &again,
            &threading,
            "Yes!",
        ),
    );
    let r = row(&desk, &again).await;
    assert_eq!(
        action(&r),
        (LedgerState::Review, "to_human:confirmation_rejected"),
        "{r:?}"
    );

    // 5. Time passing, written into the store: a question asked 8 days ago is too old; one
    //    asked an hour ago about a request received 10 days ago is decided as of that day,
    //    when the 30-day guarantee (paid 35 days ago) still held.
    let mut store = Store::open(&desk.dir.path().join("state/desk.sqlite")).unwrap();
    let now = Timestamp::now();
    let pending = |token: &str, account: &str, address: &str, received, created| Pending {
        token: token.into(),
        request_message_id: format!("{token}@customer.example.test"),
        account_id: account.into(),
        address: address.into(),
        intent: Intent::Refund,
        subject: "Money back".into(),
        received,
        created,
        used_by: None,
    };
    let late_token = "1".repeat(32);
    let old_token = "2".repeat(32);
    let ten_days_ago = now - SignedDuration::from_hours(240);
    store
        .open_confirmation(&pending(
            &late_token,
            "A-3",
            &late_owner,
            now - SignedDuration::from_hours(200),
            now - SignedDuration::from_hours(8 * 24),
        ))
        .unwrap();
    store
        .open_confirmation(&pending(
            &old_token,
            "A-2",
            &old_owner,
            ten_days_ago,
            now - SignedDuration::from_hours(1),
        ))
        .unwrap();
    drop(store);
    let late = user("late-c").replace('@', ".") + "@customer.example.test";
    let old = user("old-c").replace('@', ".") + "@customer.example.test";
    for (from, token, id) in [
        (&late_owner, &late_token, &late),
        (&old_owner, &old_token, &old),
    ] {
        let qid = format!("<mailclerk-confirm.{token}@notoutcrm.com>");
        send(
            from,
            mail(
                from,
                &desk.support,
                &format!("Re: Please confirm your request [confirm:{token}]"),
                id,
                &format!("In-Reply-To: {qid}\r\n"),
                "Yes, me.",
            ),
        );
    }
    let r = row(&desk, &late).await;
    assert_eq!(
        action(&r),
        (LedgerState::Review, "to_human:confirmation_rejected"),
        "{r:?}"
    );
    assert!(
        r.reason
            .as_deref()
            .unwrap_or_default()
            .contains("more than 7 days"),
        "{r:?}"
    );
    let r = row(&desk, &old).await;
    assert_eq!(action(&r), (LedgerState::Sent, "refund_granted"), "{r:?}");
    let answer = wait_for(stack, &old_owner, "INBOX", 1, WAIT).await;
    assert_eq!(answer.len(), 1);
    let on = ten_days_ago
        .to_zoned(jiff::tz::TimeZone::get("America/New_York").unwrap())
        .date();
    assert!(
        body(&answer[0]).contains(&format!("on {on}.")),
        "decided and dated as of the original request ({on}):\n{}",
        body(&answer[0])
    );

    // Every row above is final, and the daemon sends before it records.
    for to in [&eve, &late_owner, &owner] {
        delivered(to).await;
    }
    assert!(
        read_folder(stack, &eve, "INBOX").await.is_empty(),
        "eve gets nothing"
    );
    assert!(read_folder(stack, &late_owner, "INBOX").await.is_empty());
    assert_eq!(
        read_folder(stack, &owner, "INBOX").await.len(),
        2,
        "the owner: one question, one answer"
    );
    assert!(read_folder(stack, &alias, "INBOX").await.is_empty());
    let rows = desk.ledger();
    let count = |state, act: &str| {
        rows.iter()
            .filter(|r| r.state == state && r.action.as_deref() == Some(act))
            .count()
    };
    println!(
        "confirm: {} messages (1 unverified request, 4 forged or invalid confirmations, 2 valid); {} answered once, {} awaiting confirmation, {} rejected to people, 0 lost, 0 duplicated",
        rows.len(),
        count(LedgerState::Sent, "refund_granted"),
        count(LedgerState::Review, "to_human:awaiting_confirmation"),
        count(LedgerState::Review, "to_human:confirmation_rejected"),
    );
    desk.stop();
}

/// How a person's answer by hand shows: their mail client's copy in Sent, or the request marked
/// in the people folder.
#[derive(Debug, Clone, Copy)]
enum ByHand {
    CopyInSent,
    KeywordOnRequest,
}

#[tokio::test(flavor = "multi_thread")]
async fn a_request_a_person_answered_by_hand_gets_no_second_answer_when_its_owner_confirms() {
    use mailclerk::intake::imap::Session;
    let mut desk = Desk::with_keys(
        "byhand",
        "require_authenticated_sender = true\ntrusted_authserv_id = \"mx.example.test\"\nunverified = \"confirm\"",
        "",
        "",
    );
    let owner = desk.customer.clone();
    desk.start(&[]);
    desk.wait_log("First start on this folder", WAIT);
    let stack = &desk.stack;
    let mut in_inbox = 0;
    for way in [ByHand::CopyInSent, ByHand::KeywordOnRequest] {
        let request = desk.send_request(
            "Refund please",
            "Hello,\r\n\r\nI would like a refund please.",
            "",
        );
        let r = row(&desk, &request).await;
        assert_eq!(
            action(&r),
            (LedgerState::Review, "to_human:awaiting_confirmation"),
            "{way:?}: {r:?}"
        );
        in_inbox += 1;
        let inbox = wait_for(stack, &owner, "INBOX", in_inbox, WAIT).await;
        assert_eq!(inbox.len(), in_inbox, "{way:?}: {}", desk.log());
        let question = inbox.last().unwrap();
        let subject = header(question, "Subject").unwrap();
        assert!(subject.contains("[confirm:"), "{way:?}: {subject}");
        let question_id = header(question, "Message-ID").unwrap();

        // Meanwhile a person answers the request from their mail client.
        let mut imap = Session::connect(&stack.imap(&desk.support)).await.unwrap();
        match way {
            ByHand::CopyInSent => {
                // The answer goes to the customer; the client keeps its copy in Sent.
                let by_hand = format!(
                    "From: NotOut Support <{support}>\r\nTo: {owner}\r\nSubject: Re: Refund please\r\nMessage-ID: <{id}>\r\nIn-Reply-To: <{request}>\r\nReferences: <{request}>\r\nDate: Mon, 23 Nov 2026 11:00:00 +0000\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nHello Ann, I have refunded you myself. Maria\r\n",
                    support = desk.support,
                    id = user("hand").replace('@', ".") + "@desk.example.test",
                );
                smtp_send(
                    &stack.host,
                    stack.smtp_port,
                    &desk.support,
                    &owner,
                    &by_hand,
                );
                imap.append("Sent", by_hand.as_bytes(), &["\\Seen"])
                    .await
                    .unwrap();
                in_inbox += 1;
                assert_eq!(
                    wait_for(stack, &owner, "INBOX", in_inbox, WAIT).await.len(),
                    in_inbox
                );
            }
            ByHand::KeywordOnRequest => {
                // The documented keyword, on the request where it was filed for people.
                imap.select("mailclerk/people").await.unwrap();
                let uids = imap.uids_from(1).await.unwrap();
                let mail = imap.fetch(&uids, 1 << 20).await.unwrap();
                let uid = mail
                    .iter()
                    .find(|m| {
                        m.bytes.as_deref().and_then(|b| header(b, "Message-ID"))
                            == Some(format!("<{request}>"))
                    })
                    .map(|m| m.uid)
                    .expect("the request is in the people folder");
                imap.add_keyword(&[uid], "$mailclerk-handled")
                    .await
                    .unwrap();
            }
        }
        let _ = imap.logout().await;

        // Then the owner confirms: no automatic answer, the ledger says why.
        let confirmation = user("confirmation").replace('@', ".") + "@customer.example.test";
        smtp_send(
            &stack.host,
            stack.smtp_port,
            &owner,
            &desk.support,
            &mail(
                &owner,
                &desk.support,
                &format!("Re: {subject}"),
                &confirmation,
                &format!("In-Reply-To: {question_id}\r\nReferences: {question_id}\r\n"),
                "Yes, that was me.",
            ),
        );
        let r = row(&desk, &confirmation).await;
        assert_eq!(
            action(&r),
            (LedgerState::Review, "to_human:answered_by_hand"),
            "{way:?}: {r:?}\n{}",
            desk.log()
        );
        let reason = r.reason.as_deref().unwrap_or_default();
        assert!(
            reason.contains(&format!("the request <{request}> was answered by a person")),
            "{way:?}: {reason}"
        );
        let seen = match way {
            ByHand::CopyInSent => "their reply is in Sent",
            ByHand::KeywordOnRequest => "the request is marked answered in mailclerk/people",
        };
        assert!(reason.contains(seen), "{way:?}: {reason}");
    }
    assert_eq!(
        desk.log()
            .matches("Answered by hand; no automatic answer.")
            .count(),
        2
    );
    delivered(&owner).await;
    let inbox = read_folder(stack, &owner, "INBOX").await;
    desk.stop();
    assert_eq!(
        inbox.len(),
        in_inbox,
        "the questions and the person's answer, nothing more"
    );
    assert!(
        inbox.iter().all(|m| !body(m).contains("has been approved")),
        "no automatic answer"
    );
}
