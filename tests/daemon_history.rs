//! The history rule and the refund limit through the daemon, on the project's Dovecot +
//! Postfix: a customer who writes twice gets consistent answers, a request that would
//! contradict what was done goes to people, and a refund above `auto_refund_limit` waits in
//! Drafts for a person.

use mailclerk::store::LedgerState;

use crate::support::{Desk, WAIT, body, delivered, header, read_folder, wait_for};

/// The desk's policy as a copy of NotOut's, with `extra` appended.
fn policy_with(desk: &Desk, extra: &str) {
    let shipped = std::env::current_dir()
        .unwrap()
        .join("config/policies/notout.toml");
    let policy = std::fs::read_to_string(&shipped).unwrap() + extra;
    let copy = desk.dir.path().join("policy.toml");
    std::fs::write(&copy, policy).unwrap();
    let config = std::fs::read_to_string(&desk.config)
        .unwrap()
        .replace(&shipped.display().to_string(), &copy.display().to_string());
    std::fs::write(&desk.config, config).unwrap();
}

/// Every `YYYY-MM-DD` in a text.
fn dates(text: &str) -> Vec<String> {
    text.split(|c: char| !(c.is_ascii_digit() || c == '-'))
        .filter(|w| w.len() == 10 && w.as_bytes()[4] == b'-' && w.as_bytes()[7] == b'-')
        .map(String::from)
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_customer_writing_twice_gets_consistent_answers() {
    let mut desk = Desk::new("twice", "", "");
    desk.start(&[]);
    desk.wait_log("First start on this folder", WAIT);
    let today = jiff::Zoned::now()
        .with_time_zone(jiff::tz::TimeZone::get("America/New_York").unwrap())
        .date()
        .to_string();

    // 1. Refund and cancellation inside the guarantee: refunded, cancelled at once.
    desk.send_request(
        "Refund and cancel",
        "Hello, please refund my payment and cancel my subscription.",
        "",
    );
    let first = wait_for(&desk.stack, &desk.customer, "INBOX", 1, WAIT).await;
    assert_eq!(first.len(), 1, "log:\n{}", desk.log());
    let first = body(&first[0]);
    assert!(
        first.contains("Your refund of 49.00 USD has been approved."),
        "{first}"
    );
    assert!(
        first.contains(&format!(
            "Your subscription has been cancelled today, {today}"
        )),
        "{first}"
    );

    // 2. Ten minutes later (here: at once) the customer asks to cancel again: the answer
    //    refers to the first one, with the same date, and invents no end of period.
    desk.send_request("Cancel", "Please cancel my subscription.", "");
    let both = wait_for(&desk.stack, &desk.customer, "INBOX", 2, WAIT).await;
    assert_eq!(both.len(), 2, "log:\n{}", desk.log());
    let second = both
        .iter()
        .map(|m| body(m))
        .find(|b| b.contains("We already confirmed"))
        .unwrap_or_else(|| panic!("no repeat answer; log:\n{}", desk.log()));
    assert!(
        second.contains(&format!(
            "We already confirmed your cancellation when you wrote on {today}"
        )),
        "{second}"
    );
    assert!(
        second.contains(&format!("Your subscription was cancelled on {today}")),
        "{second}"
    );
    assert!(!second.contains("last day of service"), "{second}");
    for d in dates(&second) {
        assert_eq!(
            d, today,
            "every date in the repeat is the first answer's: {second}"
        );
    }

    // 3. A refund asked again after it was granted: people decide; the customer gets no
    //    third automatic answer.
    let third = desk.send_request("Refund please", "I would like a refund please.", "");
    let people = wait_for(&desk.stack, &desk.support, "mailclerk/people", 1, WAIT).await;
    assert_eq!(people.len(), 1, "log:\n{}", desk.log());
    // Filed is the last step: anything sent for it is in Postfix's hands by now.
    delivered(&desk.customer).await;
    assert_eq!(
        read_folder(&desk.stack, &desk.customer, "INBOX")
            .await
            .len(),
        2,
        "no answer to the second refund request"
    );
    let row = desk
        .ledger()
        .into_iter()
        .find(|r| r.message_id == third)
        .expect("the third request is in the ledger");
    assert_eq!(row.state, LedgerState::Review, "{row:?}");
    assert!(
        row.reason
            .as_deref()
            .is_some_and(|r| r.contains("a refund was already granted")),
        "{row:?}"
    );
    desk.stop();
}

#[tokio::test(flavor = "multi_thread")]
async fn a_refund_above_the_limit_waits_in_drafts_for_a_person() {
    let mut desk = Desk::new("limit", "", "");
    policy_with(
        &desk,
        "\n[auto_refund_limit]\namount = \"40.00\"\ncurrency = \"USD\"\n",
    );
    desk.start(&[]);
    desk.wait_log("First start on this folder", WAIT);
    let id = desk.send_request("Refund please", "I would like a refund please.", "");
    let drafts = wait_for(&desk.stack, &desk.support, "Drafts", 1, WAIT).await;
    assert_eq!(drafts.len(), 1, "log:\n{}", desk.log());
    assert!(
        body(&drafts[0]).contains("Your refund of 49.00 USD has been approved."),
        "{}",
        body(&drafts[0])
    );
    assert!(
        header(&drafts[0], "From").is_some_and(|f| f.contains(&desk.support)),
        "From the mailbox: {:?}",
        header(&drafts[0], "From")
    );
    let people = wait_for(&desk.stack, &desk.support, "mailclerk/people", 1, WAIT).await;
    assert_eq!(people.len(), 1, "the request waits with people");
    delivered(&desk.customer).await;
    assert!(
        read_folder(&desk.stack, &desk.customer, "INBOX")
            .await
            .is_empty(),
        "nothing went out"
    );
    let row = desk
        .ledger()
        .into_iter()
        .find(|r| r.message_id == id)
        .expect("in the ledger");
    assert_eq!(row.state, LedgerState::Drafted, "{row:?}");
    // The decision is kept with it: the history rule counts the prepared refund.
    let history = mailclerk::store::Store::open(&desk.dir.path().join("state/desk.sqlite"))
        .unwrap()
        .history("A-1")
        .unwrap();
    assert!(history.refunded.is_some(), "{history:?}");
    desk.stop();
}
