//! Hostile and broken mail through the whole daemon (tests/fixtures/hostile/manifest.toml):
//! every fixture is APPENDed to a desk's INBOX over IMAP (Postfix would refuse or rewrite some
//! of them), one `mailclerk run --once` handles them all, and then each one is checked three
//! ways: its ledger row (state and action), the folder it was filed to, and its sender's mailbox
//! (the answer exactly once, with clean headers, or nothing). Bystanders named in Reply-To, Cc
//! or injected Bcc lines must get nothing, and the desk's INBOX must be empty.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use mailclerk::intake::imap::Session;
use mailclerk::store::{LedgerRow, Store};
use serde::Deserialize;

use crate::support::{Desk, WAIT, body, header, read_folder, user, wait_for};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Manifest {
    fixture: Vec<Fixture>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct Fixture {
    file: Option<String>,
    generate: Option<String>,
    why: String,
    account: Option<String>,
    account_name: Option<String>,
    state: String,
    action: String,
    #[serde(default = "one")]
    copies: usize,
    body_has: Option<String>,
    subject_has: Option<String>,
    #[serde(default = "yes")]
    in_reply_to: bool,
    reason_has: Option<String>,
}

fn one() -> usize {
    1
}

fn yes() -> bool {
    true
}

impl Fixture {
    fn name(&self) -> &str {
        self.file
            .as_deref()
            .or(self.generate.as_deref())
            .expect("a fixture has a file or a generator")
    }
}

/// The folders handled mail is filed to: non-ASCII names, so every MOVE and CREATE goes out in
/// modified UTF-7 (RFC 3501 5.1.3), `&` included.
const ANSWERED: &str = "mailclerk/Erledigt & beantwortet ✓";
const PEOPLE: &str = "mailclerk/Für Menschen";
const SKIPPED: &str = "mailclerk/Übersprungen";

fn dir() -> &'static Path {
    Path::new("tests/fixtures/hostile")
}

fn manifest() -> Vec<Fixture> {
    let text = std::fs::read_to_string(dir().join("manifest.toml")).unwrap();
    let m: Manifest = toml::from_str(&text).unwrap();
    m.fixture
}

/// Addresses of one fixture's run.
struct Cast {
    from: String,
    other: String,
    desk: String,
}

/// The raw text of a fixture (LF line ends, placeholders unresolved).
fn source(f: &Fixture) -> String {
    if let Some(file) = &f.file {
        return std::fs::read_to_string(dir().join(file)).unwrap();
    }
    let name = f.generate.as_deref().unwrap();
    let base = std::fs::read_to_string(dir().join("plain-refund.eml"))
        .unwrap()
        .replace(
            "<plain-refund@customer.example.test>",
            &format!("<generated-{name}@customer.example.test>"),
        );
    let (head, _) = base.split_once("MIME-Version: 1.0\n").unwrap();
    match name {
        "rfc2047-bomb" => {
            let subject: String =
                "Subject: Refund please".to_string() + &"\n =?utf-8?b?w7w=?=".repeat(5_000);
            let name: String =
                "From: ".to_string() + &"=?utf-8?q?A=C3=A4?=\n ".repeat(2_000) + "<@@FROM@@>";
            base.replace("Subject: Refund please", &subject)
                .replace("From: Ann Customer <@@FROM@@>", &name)
        }
        "nested-multipart-100" => {
            let mut text = format!("{head}MIME-Version: 1.0\n");
            text.push_str("Content-Type: multipart/mixed; boundary=\"b0\"\n\n");
            for i in 1..100 {
                text.push_str(&format!(
                    "--b{}\nContent-Type: multipart/mixed; boundary=\"b{i}\"\n\n",
                    i - 1
                ));
            }
            text.push_str("--b99\nContent-Type: text/plain; charset=utf-8\n\n");
            text.push_str("Hello,\n\nI would like a refund please.\n\nAnn\n");
            for i in (0..100).rev() {
                text.push_str(&format!("--b{i}--\n"));
            }
            text
        }
        "oversized-25mb" => {
            let line = format!("{}\n", "x".repeat(76));
            let mut text = base.clone();
            text.reserve(26 << 20);
            while text.len() < 25 << 20 {
                text.push_str(&line);
            }
            text
        }
        "recipients-10000" => {
            let all: Vec<String> = (0..10_000).map(|i| format!("r{i}.@@OTHER@@")).collect();
            base.replace(
                "To: Support <@@DESK@@>",
                &format!("To: Support <@@DESK@@>,\n {}", all.join(",\n ")),
            )
        }
        "huge-header" => base.replace(
            "Subject: Refund please\n",
            &format!("Subject: Refund please\nX-Huge: {}\n", "a".repeat(1 << 20)),
        ),
        "many-headers" => {
            let filler: String = (0..20_000)
                .map(|i| format!("X-Filler-{i}: {i}\n"))
                .collect();
            base.replace(
                "Subject: Refund please\n",
                &format!("Subject: Refund please\n{filler}"),
            )
        }
        other => panic!("no generator {other:?}"),
    }
}

/// The bytes delivered: placeholders resolved, CRLF line ends, a tag header first so that the
/// message can be found again in whatever folder it was filed to.
fn bytes(f: &Fixture, cast: &Cast) -> Vec<u8> {
    let mut text = source(f)
        .replace("@@FROM@@", &cast.from)
        .replace("@@OTHER@@", &cast.other)
        .replace("@@DESK@@", &cast.desk);
    while let Some(at) = text.find("@@DATE-") {
        let end = at + text[at + 2..].find("@@").unwrap() + 4;
        let days: i64 = text[at + 7..end - 2].parse().unwrap();
        let date = jiff::Zoned::now()
            .checked_sub(jiff::Span::new().days(days))
            .unwrap()
            .strftime("%a, %d %b %Y %H:%M:%S %z")
            .to_string();
        text.replace_range(at..end, &date);
    }
    let text = format!("X-Hostile-Fixture: {}\n{text}", f.name()).replace('\n', "\r\n");
    let mut out = Vec::with_capacity(text.len());
    let mut rest = text.as_str();
    while let Some(at) = rest.find("@@") {
        out.extend_from_slice(&rest.as_bytes()[..at]);
        let after = &rest[at + 2..];
        let end = after.find("@@").expect("a closed placeholder");
        match &after[..end] {
            "NUL" => out.push(0),
            "CR" => out.push(b'\r'),
            b if b.starts_with("BYTE:") => out.push(u8::from_str_radix(&b[5..], 16).unwrap()),
            other => panic!("{}: unknown placeholder {other:?}", f.name()),
        }
        rest = &after[end + 2..];
    }
    out.extend_from_slice(rest.as_bytes());
    out
}

/// The accounts file: one account per fixture that asks for one, at that fixture's address.
fn accounts_csv(fixtures: &[Fixture], casts: &[Cast]) -> String {
    let mut csv = String::from(
        "account_id,email,name,plan,signed_up_on,first_paid_on,first_payment,last_payment,currency\n",
    );
    let today = jiff::Zoned::now().date();
    for (i, (f, cast)) in fixtures.iter().zip(casts).enumerate() {
        let Some(account) = &f.account else { continue };
        let name = f
            .account_name
            .as_deref()
            .unwrap_or("Ann Customer")
            .replace('"', "\"\"");
        let (days, copies) = match account.as_str() {
            "two" => (5, 2),
            paid => (paid.strip_prefix("paid:").unwrap().parse().unwrap(), 1),
        };
        let paid = today.checked_sub(jiff::Span::new().days(days)).unwrap();
        for c in 0..copies {
            csv.push_str(&format!(
                "H-{i}-{c},{},\"{name}\",monthly,{paid},{paid},49.00,49.00,USD\n",
                cast.from
            ));
        }
    }
    csv
}

/// Who got what, per folder: the fixture tag of each message.
async fn tags(desk: &Desk, folder: &str) -> BTreeMap<String, usize> {
    let mut found = BTreeMap::new();
    for raw in read_folder(&desk.stack, &desk.support, folder).await {
        let tag = header(&raw, "X-Hostile-Fixture").unwrap_or_else(|| "(untagged)".into());
        *found.entry(tag).or_insert(0) += 1;
    }
    found
}

/// The header section of a raw message, as text.
fn head(raw: &[u8]) -> String {
    let end = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or(raw.len());
    String::from_utf8_lossy(&raw[..end]).into_owned()
}

/// What is wrong with an answer's raw form, if anything: every header ASCII, exactly one
/// From, To and Subject, no header that the request could have smuggled in, the bare address
/// of the sender in To, and the RFC 3834 marker.
fn reply_problems(raw: &[u8], f: &Fixture, cast: &Cast, request_id: Option<&str>) -> Vec<String> {
    let mut problems = Vec::new();
    let head = head(raw);
    if !head.is_ascii() {
        problems.push("a header is not ASCII".into());
    }
    if head.contains('\0') || head.replace("\r\n", "").contains(['\r', '\n']) {
        problems.push("a bare CR, LF or NUL in the headers".into());
    }
    let names: Vec<String> = head
        .split("\r\n")
        .filter(|l| !l.starts_with([' ', '\t']))
        .filter_map(|l| l.split_once(':').map(|(n, _)| n.to_ascii_lowercase()))
        .collect();
    for (name, want) in [("from", 1), ("to", 1), ("subject", 1), ("message-id", 1)] {
        let n = names.iter().filter(|h| *h == name).count();
        if n != want {
            problems.push(format!("{n} {name} headers"));
        }
    }
    for smuggled in ["bcc", "cc", "x-injected", "reply-to"] {
        if names.iter().any(|h| h == smuggled) {
            problems.push(format!("a {smuggled} header"));
        }
    }
    if header(raw, "To").as_deref() != Some(cast.from.as_str()) {
        problems.push(format!("To is {:?}", header(raw, "To")));
    }
    if header(raw, "Auto-Submitted").as_deref() != Some("auto-replied") {
        problems.push("no Auto-Submitted: auto-replied".into());
    }
    let in_reply_to = header(raw, "In-Reply-To");
    match (f.in_reply_to, request_id) {
        (true, Some(id)) if in_reply_to.as_deref() != Some(&format!("<{id}>")) => {
            problems.push(format!("In-Reply-To is {in_reply_to:?}, not <{id}>"));
        }
        (false, _) if in_reply_to.is_some() => {
            problems.push(format!("In-Reply-To echoed: {in_reply_to:?}"));
        }
        _ => {}
    }
    let subject = mail_parser::MessageParser::default()
        .parse(raw)
        .and_then(|m| m.subject().map(str::to_string))
        .unwrap_or_default();
    if subject.contains(['\r', '\n', '\0']) || subject.chars().count() > 210 {
        problems.push(format!("subject {subject:?}"));
    }
    if let Some(want) = &f.subject_has
        && !subject.contains(want.as_str())
    {
        problems.push(format!("subject {subject:?} lacks {want:?}"));
    }
    let text = body(raw);
    if let Some(want) = &f.body_has
        && !text.contains(want.as_str())
    {
        problems.push(format!("body lacks {want:?}:\n{text}"));
    }
    // A template that evaluated what the customer wrote would print 42 for {{ 6*7 }}.
    let evaluated = f.subject_has.as_deref().is_some_and(|s| s.contains("6*7"))
        && (prints_42(&text) || text.contains("looploop"));
    if evaluated || text.contains("Injected body") {
        problems.push(format!("customer text was evaluated or injected:\n{text}"));
    }
    problems
}

/// The request's own Message-ID, if it has a usable one.
fn request_id(raw: &[u8]) -> Option<String> {
    let id = header(raw, "Message-ID")?;
    let id = id.trim().trim_start_matches('<').trim_end_matches('>');
    (!id.contains(char::is_whitespace)).then(|| id.to_string())
}

#[tokio::test(flavor = "multi_thread")]
async fn hostile_mail_through_the_whole_daemon() {
    let fixtures = manifest();
    assert!(fixtures.len() >= 30, "at least 30 kinds");
    let since = jiff::Timestamp::now() - jiff::SignedDuration::from_hours(1);
    let desk = Desk::with_keys(
        "hostile",
        // Hostile mail is judged at the production threshold: garbage must never be answered.
        &format!(
            "require_authenticated_sender = true\ntrusted_authserv_id = \"mx.example.test\"\nauto_answer_threshold = {}",
            mailclerk::classify::decide::DEFAULT_THRESHOLD
        ),
        &format!("answer_since = \"{since}\"\ntimeout_seconds = 60"),
        &format!(
            "filing = {{ answered = {ANSWERED:?}, to_people = {PEOPLE:?}, skipped = {SKIPPED:?} }}"
        ),
    );
    let casts: Vec<Cast> = (0..fixtures.len())
        .map(|i| Cast {
            from: user(&format!("h{i}")),
            other: user(&format!("o{i}")),
            desk: desk.support.clone(),
        })
        .collect();
    std::fs::write(
        desk.dir.path().join("accounts.csv"),
        accounts_csv(&fixtures, &casts),
    )
    .unwrap();

    // Deliver, in manifest order: UIDs in a fresh INBOX are 1, 2, 3, ...
    let mut imap = Session::connect(&desk.stack.imap(&desk.support))
        .await
        .unwrap();
    let mut first_uid = Vec::new();
    let mut delivered: Vec<Vec<u8>> = Vec::new();
    let mut uid = 0;
    for (f, cast) in fixtures.iter().zip(&casts) {
        let raw = bytes(f, cast);
        first_uid.push(uid + 1);
        for _ in 0..f.copies {
            imap.append("INBOX", &raw, &[]).await.unwrap();
            uid += 1;
        }
        delivered.push(raw);
    }
    let _ = imap.logout().await;

    let started = std::time::Instant::now();
    let out = desk.once(&[]);
    let took = started.elapsed();
    let log = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(out.status.success(), "{log}");

    let store = Store::open(&desk.dir.path().join("state/desk.sqlite")).unwrap();
    let ledger: BTreeMap<String, LedgerRow> = store
        .ledger()
        .unwrap()
        .into_iter()
        .map(|r| (r.origin.clone(), r))
        .collect();
    let filed = [
        ("sent", tags(&desk, ANSWERED).await),
        ("review", tags(&desk, PEOPLE).await),
        ("skipped", tags(&desk, SKIPPED).await),
    ];
    let left = read_folder(&desk.stack, &desk.support, "INBOX").await;

    let mut failures = Vec::new();
    let (mut answered, mut people, mut skipped, mut lost, mut duplicated) = (0, 0, 0, 0, 0);
    for (i, f) in fixtures.iter().enumerate() {
        let cast = &casts[i];
        let mut problems = Vec::new();
        let origin = format!("imap:INBOX/{}", first_uid[i]);
        match ledger.get(&origin) {
            None => problems.push(format!("no ledger row for {origin}")),
            Some(row) => {
                if row.state.as_str() != f.state || row.action.as_deref() != Some(&f.action) {
                    problems.push(format!(
                        "ledger says {} / {:?} (reason {:?}), expected {} / {}",
                        row.state, row.action, row.reason, f.state, f.action
                    ));
                }
                if let Some(want) = &f.reason_has
                    && !row.reason.as_deref().unwrap_or_default().contains(want)
                {
                    problems.push(format!("reason {:?} lacks {want:?}", row.reason));
                }
            }
        }
        let mut filed_copies = 0;
        for (state, found) in &filed {
            let n = found.get(f.name()).copied().unwrap_or(0);
            filed_copies += n;
            if n > 0 && *state != f.state {
                problems.push(format!("{n} filed with the {state} mail"));
            }
        }
        if filed_copies != f.copies {
            lost += f.copies.saturating_sub(filed_copies);
            problems.push(format!("{filed_copies} of {} copies filed", f.copies));
        }
        // Postfix may still hold a reply the pass handed it: count once it has left the queue.
        crate::support::delivered(&cast.from).await;
        let replies = read_folder(&desk.stack, &cast.from, "INBOX").await;
        let want = usize::from(f.state == "sent");
        if replies.len() != want {
            problems.push(format!(
                "{} mails to the sender, expected {want}",
                replies.len()
            ));
        }
        duplicated += replies.len().saturating_sub(1);
        if let Some(reply) = replies.first() {
            problems.extend(reply_problems(
                reply,
                f,
                cast,
                request_id(&delivered[i]).as_deref(),
            ));
        }
        let bystander = read_folder(&desk.stack, &cast.other, "INBOX").await.len()
            + read_folder(&desk.stack, &format!("r7.{}", cast.other), "INBOX")
                .await
                .len();
        if bystander > 0 {
            problems.push(format!("{bystander} mails to a bystander"));
        }
        match f.state.as_str() {
            "sent" if replies.len() == 1 => answered += 1,
            "review" => people += 1,
            "skipped" => skipped += 1,
            _ => {}
        }
        if !problems.is_empty() {
            failures.push(format!(
                "{} ({}):\n  {}",
                f.name(),
                f.why,
                problems.join("\n  ")
            ));
        }
    }
    if !left.is_empty() {
        failures.push(format!(
            "{} message(s) left in the desk's INBOX (an answer to ourselves, or unfiled)",
            left.len()
        ));
    }
    // The folder names went out in modified UTF-7: Dovecot lists them back in UTF-8.
    let listed = Command::new("scripts/mailstack")
        .args(["doveadm", "mailbox", "list", "-8", "-u", &desk.support])
        .output()
        .unwrap();
    let listed = String::from_utf8_lossy(&listed.stdout);
    for folder in [ANSWERED, PEOPLE, SKIPPED] {
        if !listed.lines().any(|l| l.trim() == folder) {
            failures.push(format!("no folder {folder:?} on the server:\n{listed}"));
        }
    }
    let messages: usize = fixtures.iter().map(|f| f.copies).sum();
    println!(
        "hostile: {} kinds, {messages} messages delivered; {answered} answered once, {people} to people, {skipped} skipped, {lost} lost, {duplicated} duplicated; one pass in {:.1} s",
        fixtures.len(),
        took.as_secs_f64()
    );
    assert!(
        failures.is_empty(),
        "{} of {} fixtures misbehaved:\n\n{}\n\ndaemon log:\n{}",
        failures.len(),
        fixtures.len(),
        failures.join("\n\n"),
        log.lines()
            .filter(|l| !l.contains(" INFO "))
            .collect::<Vec<_>>()
            .join("\n")
    );
}

/// The acknowledgement sent when a message goes to people prints the request's subject in its
/// body: CR/LF and template syntax there must come out as plain text, and the headers clean.
#[tokio::test(flavor = "multi_thread")]
async fn an_acknowledgement_prints_a_hostile_subject_as_text() {
    let since = jiff::Timestamp::now() - jiff::SignedDuration::from_hours(1);
    let desk = Desk::new("hostile-ack", &format!("answer_since = \"{since}\""), "");
    // NotOut with acknowledgements on: the stranger below has no account, so people answer
    // and the stranger is told so.
    let policy = desk.dir.path().join("notout-ack.toml");
    let text = std::fs::read_to_string("config/policies/notout.toml").unwrap();
    std::fs::write(&policy, format!("{text}\n[handoff]\nacknowledge = true\n")).unwrap();
    let shipped = std::env::current_dir()
        .unwrap()
        .join("config/policies/notout.toml");
    let config = std::fs::read_to_string(&desk.config).unwrap().replace(
        &shipped.display().to_string(),
        &policy.display().to_string(),
    );
    std::fs::write(&desk.config, config).unwrap();
    let stranger = user("stranger");
    let bystander = user("bystander");
    let subject = format!(
        "=?utf-8?q?Refund_{{{{_6*7_}}}}_{{%_include_'signature'_%}}=0D=0ABcc:_{bystander}=0D=0A=0D=0AInjected_body?="
    );
    let raw = format!(
        "From: =?utf-8?q?Eve=0D=0ABcc:_{bystander}?= <{stranger}>\r\nTo: {support}\r\nSubject: {subject}\r\nMessage-ID: <ack-hostile@customer.example.test>\r\nContent-Type: text/plain\r\n\r\nI want a refund.\r\n",
        support = desk.support
    );
    let mut imap = Session::connect(&desk.stack.imap(&desk.support))
        .await
        .unwrap();
    imap.append("INBOX", raw.as_bytes(), &[]).await.unwrap();
    let _ = imap.logout().await;
    let out = desk.once(&[]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // The acknowledgement leaves through Postfix after the pass: wait for it, then for the
    // queue to let go of anything else, so that the counts below are final.
    wait_for(&desk.stack, &stranger, "INBOX", 1, WAIT).await;
    crate::support::delivered(&stranger).await;
    crate::support::delivered(&bystander).await;
    let acks = read_folder(&desk.stack, &stranger, "INBOX").await;
    assert_eq!(
        acks.len(),
        1,
        "one acknowledgement: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let ack = &acks[0];
    let head = head(ack);
    assert!(head.is_ascii(), "{head}");
    for smuggled in ["\r\nBcc:", "\r\nCc:"] {
        assert!(!head.contains(smuggled), "{head}");
    }
    assert_eq!(header(ack, "To").as_deref(), Some(stranger.as_str()));
    let text = body(ack);
    assert!(
        text.contains("Your message \"Refund {{ 6*7 }} {% include 'signature' %} Bcc:"),
        "{text}"
    );
    assert!(!prints_42(&text), "{text}");
    assert!(!text.contains("\nInjected body"), "{text}");
    assert!(
        read_folder(&desk.stack, &bystander, "INBOX")
            .await
            .is_empty(),
        "nothing to the bystander"
    );
}

/// Whether `text` shows 42 as a number of its own ({{ 6*7 }} evaluated), not as digits inside
/// another number: the test addresses carry the process id, and pid 31423 contains "42".
fn prints_42(text: &str) -> bool {
    text.match_indices("42").any(|(i, _)| {
        let before = text[..i].chars().next_back();
        let after = text[i + 2..].chars().next();
        !before.is_some_and(|c| c.is_ascii_digit()) && !after.is_some_and(|c| c.is_ascii_digit())
    })
}
