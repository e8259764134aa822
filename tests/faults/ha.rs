//! Two daemons (processes) on one mailbox with the Postgres store and leases, against the real
//! Dovecot, Postfix and PostgreSQL: a steady stream of requests while the holder is killed
//! with -9 again and again, and (separately) while the holder is cut off from Postgres by a
//! blackholing relay. Every request must end answered exactly once (counted at the customers'
//! Maildirs and in the support mailbox's Sent), handed to people, or skipped; none lost. The
//! takeover time (kill to the standby holding the lease) is measured and printed.

use std::collections::HashMap;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::SERVERS;
use crate::support::blackhole::Blackhole;
use crate::support::daemon::Spawned;
use crate::support::faults::{
    FaultDesk, Outcome, Setup, header, maildir, maildir_messages, print_row,
};
use crate::support::pg::TestDb;

const WAIT: Duration = Duration::from_secs(30);
const TTL: f64 = 3.0;

/// Who held the desk's lease when, as a watcher polling the table saw it.
#[derive(Clone, Default)]
struct LeaseLog(Arc<Mutex<Vec<Seen>>>);

/// When the watcher saw a change, and the live holder and generation after it.
type Seen = (Instant, Option<(String, i64)>);

impl LeaseLog {
    /// Polls `mailclerk_lease` every 50 ms; records each change of the live holder.
    fn watch(url: String) -> LeaseLog {
        let log = LeaseLog::default();
        let out = log.clone();
        tokio::spawn(async move {
            let client = loop {
                if let Ok((client, conn)) =
                    tokio_postgres::connect(&url, tokio_postgres::NoTls).await
                {
                    tokio::spawn(conn);
                    break client;
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            };
            let mut last = None;
            loop {
                let now = client
                    .query_opt(
                        "SELECT holder, generation FROM mailclerk_lease WHERE mailbox = 'desk' AND expires_at > now()",
                        &[],
                    )
                    .await
                    .ok()
                    .flatten()
                    .map(|r| (r.get::<_, String>(0), r.get::<_, i64>(1)));
                // The table may not exist yet (no daemon has started).
                if now != last {
                    out.0.lock().unwrap().push((Instant::now(), now.clone()));
                    last = now;
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        });
        log
    }

    fn holder(&self) -> Option<(String, i64)> {
        self.0.lock().unwrap().last().and_then(|(_, h)| h.clone())
    }

    /// The pid in the current holder's id (`host:pid`).
    fn holder_pid(&self) -> Option<u32> {
        self.holder()
            .and_then(|(h, _)| h.rsplit_once(':').and_then(|(_, p)| p.parse().ok()))
    }

    /// Waits until someone other than `not` holds the lease; returns when that was seen.
    async fn wait_new_holder(&self, not: Option<&str>, within: Duration) -> Instant {
        let started = Instant::now();
        loop {
            if let Some((at, Some((h, _)))) = self.0.lock().unwrap().last().cloned()
                && Some(h.as_str()) != not
            {
                return at;
            }
            assert!(
                started.elapsed() < within,
                "no new holder within {within:?}: {:?}",
                self.holder()
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

/// A desk whose store is the test's Postgres database, with test-short leases.
fn ha_desk(name: &str, customers: usize, url_file: &Path) -> FaultDesk {
    let setup = Setup {
        // Top-level tables after the mailbox's: TOML allows them anywhere after the root keys.
        handling: format!(
            "\n[store]\nkind = \"postgres\"\nurl_file = \"{}\"\n\n[lease]\nttl_seconds = {TTL}\nrenew_seconds = 1\nmargin_seconds = 1\n",
            url_file.display()
        ),
        ..Setup::default()
    };
    let mut desk = FaultDesk::new(name, customers, setup);
    desk.uncertain_ok = true;
    desk
}

fn write_url(dir: &Path, file: &str, url: &str) -> std::path::PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let path = dir.join(file);
    std::fs::write(&path, url).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
    path
}

/// Starts a daemon on `config`, its stderr appended to the desk's log. (On the desk's own
/// configuration, start them with `desk.spawn`: the desk then knows daemons are at work, and
/// its `settle` waits for the figures to hold still.)
fn spawn(desk: &FaultDesk, config: &Path) -> Spawned {
    let log = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(desk.log_path())
        .unwrap();
    Command::new(env!("CARGO_BIN_EXE_mailclerk"))
        .args(["run", "--config", config.to_str().unwrap()])
        .env("RUST_LOG", "mailclerk=info")
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .map(Spawned)
        .unwrap()
}

/// Copies of each answer in the support mailbox's Sent, by the request they answer.
fn sent_copies(desk: &FaultDesk) -> HashMap<String, usize> {
    let mut copies = HashMap::new();
    for raw in maildir_messages(&maildir(&desk.support, Some("Sent"))) {
        let key = header(&raw, "In-Reply-To")
            .map(|v| v.trim_matches(|ch| ch == '<' || ch == '>').to_string())
            .unwrap_or_default();
        *copies.entry(key).or_default() += 1;
    }
    copies
}

/// The desk's ledger in Postgres: request → (state, reason).
async fn pg_ledger(db: &TestDb) -> HashMap<String, (String, Option<String>)> {
    let client = db.client().await;
    let rows = client
        .query(
            "SELECT message_id, state, reason FROM ledger WHERE mailbox = 'desk'",
            &[],
        )
        .await
        .unwrap();
    rows.iter()
        .map(|r| (r.get(0), (r.get(1), r.get(2))))
        .collect()
}

/// How many copies for Sent the store has queued (`sent_copy`).
async fn queued_copies(db: &TestDb) -> i64 {
    db.client()
        .await
        .query_one("SELECT count(*) FROM sent_copy WHERE mailbox = 'desk'", &[])
        .await
        .unwrap()
        .get(0)
}

/// Waits (at most [`WAIT`]) until the store's queue of copies for Sent is empty: a copy is
/// forgotten only once the server has it, and a holder that died leaves its queue to the next
/// one, which saves it at the start of its first pass. Counting Sent before that would count
/// a copy still on its way. Before the daemons are killed; [`assert_sent_once`] then asserts
/// the queue empty.
async fn wait_copies_saved(db: &TestDb) {
    let started = Instant::now();
    while queued_copies(db).await > 0 && started.elapsed() < WAIT {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Sent against the ledger (after [`wait_copies_saved`]; nothing may be queued): every
/// request the ledger has as `sent` has exactly one copy of its answer in Sent, and no other
/// request has one. A reply the customer has although the ledger does not say `sent` went
/// out while its holder died between the relay's 250 and the record: the next holder cannot
/// know it went out (it is not in Sent: copies are queued with the record), so it must be
/// with people (`review`, "interrupted while answering"), the exact reply in the people
/// folder beside the request. Sent holds only what the daemon knows went out
/// (reconciliation reads it so), and the copy is never lost: it is in the people folder.
/// Returns those requests.
async fn assert_sent_once(
    desk: &FaultDesk,
    report: &crate::support::faults::Report,
    db: &TestDb,
) -> Vec<String> {
    let queued = queued_copies(db).await;
    assert_eq!(queued, 0, "copies still queued for Sent after {WAIT:?}");
    let copies = sent_copies(desk);
    let ledger = pg_ledger(db).await;
    let replies = desk.replies();
    let folders = desk.support_folders();
    let mut uncertain = Vec::new();
    for (r, outcome) in &report.outcomes {
        let n = copies.get(&r.id).copied().unwrap_or(0);
        let (state, reason) = ledger
            .get(&r.id)
            .map(|(s, why)| (s.as_str(), why.clone().unwrap_or_default()))
            .unwrap_or(("none", String::new()));
        if state == "sent" {
            assert_eq!(n, 1, "{} (sent): {n} copies in Sent", r.id);
            assert_eq!(*outcome, Outcome::Answered, "{} (sent)", r.id);
            continue;
        }
        assert_eq!(n, 0, "{} ({state}, {outcome:?}): {n} copies in Sent", r.id);
        if *outcome == Outcome::Answered {
            assert!(
                state == "review" && reason.starts_with("interrupted while answering"),
                "{}: answered at the customer, ledger {state} {reason:?}",
                r.id
            );
            let reply = &replies[&r.id][0];
            let id = header(reply, "Message-ID")
                .map(|v| v.trim_matches(|ch| ch == '<' || ch == '>').to_string())
                .expect("the reply has a Message-ID");
            let kept = folders.get(&id).cloned().unwrap_or_default();
            assert!(
                kept.iter().any(|f| f == "mailclerk/people"),
                "{}: the reply of unknown fate <{id}> is not with people: {kept:?}",
                r.id
            );
            uncertain.push(r.id.clone());
        }
    }
    let ids: Vec<&str> = report.outcomes.iter().map(|(r, _)| r.id.as_str()).collect();
    let strays: Vec<&String> = copies
        .keys()
        .filter(|k| !ids.contains(&k.as_str()))
        .collect();
    assert!(
        strays.is_empty(),
        "copies in Sent answering no request: {strays:?}"
    );
    uncertain
}

fn kill9(child: &mut Child) {
    let _ = child.kill();
    let _ = child.wait();
}

fn median(v: &mut [Duration]) -> Duration {
    v.sort();
    v.get(v.len() / 2).copied().unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_holder_killed_again_and_again_every_request_answered_once() {
    let _shared = SERVERS.read().await;
    let db = TestDb::new("ha_kill9").await;
    let dir = tempfile::tempdir().unwrap();
    let url_file = write_url(dir.path(), "pg-url", &db.url);
    let mut desk = ha_desk("ha_kill9", 60, &url_file);
    let leases = LeaseLog::watch(db.url.clone());
    let mut daemons = vec![desk.spawn(&[])];
    leases.wait_new_holder(None, WAIT).await;
    daemons.push(desk.spawn(&[]));
    desk.wait_log_n("Leases: serving only", 2, WAIT);
    let mut takeovers = Vec::new();
    let kills = 4;
    let per_kill = 10;
    for k in 0..kills {
        for i in 0..per_kill {
            desk.send(crate::support::faults::MIX[(k * per_kill + i) % 4]);
            tokio::time::sleep(Duration::from_millis(150)).await;
        }
        // Kill whichever daemon holds the lease now, mid-stream.
        let holder = leases.holder().expect("a holder").0;
        let pid = leases.holder_pid().expect("a pid in the holder id");
        let at = daemons
            .iter()
            .position(|c| c.id() == pid)
            .expect("the holder is one of ours");
        let killed = Instant::now();
        kill9(&mut daemons[at]);
        desk.note(&format!("---- killed the holder {holder} with SIGKILL"));
        // Requests keep coming while nobody holds the lease.
        let stream = async {
            for i in 0..3 {
                desk.send(crate::support::faults::MIX[i % 4]);
                tokio::time::sleep(Duration::from_millis(300)).await;
            }
        };
        let (taken, ()) = tokio::join!(
            leases.wait_new_holder(Some(&holder), Duration::from_secs(30)),
            stream
        );
        takeovers.push(taken - killed);
        // A new standby in place of the dead one.
        daemons[at] = desk.spawn(&[]);
    }
    let report = desk.settle(Duration::from_secs(120)).await;
    wait_copies_saved(&db).await;
    for mut d in daemons {
        kill9(&mut d);
    }
    let max = takeovers.iter().max().copied().unwrap_or_default();
    let median = median(&mut takeovers.clone());
    print_row(
        &report,
        &format!(
            "{kills} kill -9 of the holder; takeover median {median:.1?}, max {max:.1?} (ttl {TTL} s)"
        ),
    );
    report.assert_safe(&desk.log());
    let uncertain = assert_sent_once(&desk, &report, &db).await;
    println!(
        "FIGURES | ha_kill9 takeovers | {takeovers:.1?} | replies of unknown fate (with people, not in Sent): {uncertain:?}"
    );
    let c = report.counts;
    assert_eq!(c.answered + c.people + c.skipped, c.sent, "{c}");
    assert!(max < Duration::from_secs_f64(TTL + 3.0), "takeover {max:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_holder_cut_off_from_postgres_stops_and_the_standby_answers_once() {
    let _shared = SERVERS.read().await;
    let db = TestDb::new("ha_cutoff").await;
    let dir = tempfile::tempdir().unwrap();
    let (hole, via_hole) = Blackhole::in_front_of(&db.url).await;
    let direct = write_url(dir.path(), "pg-url", &db.url);
    let cut_url = write_url(dir.path(), "pg-url-via-relay", &via_hole);
    let mut desk = ha_desk("ha_cutoff", 30, &direct);
    // The first daemon reaches Postgres through the relay; the standby directly.
    let config_b = desk.config.clone();
    // Beside the desk's own: its relative paths (accounts, password) must still resolve.
    let config_a = desk.dir.path().join("mailclerk-a.toml");
    let text = std::fs::read_to_string(&config_b).unwrap().replace(
        &format!("url_file = \"{}\"", direct.display()),
        &format!("url_file = \"{}\"", cut_url.display()),
    );
    std::fs::write(&config_a, text).unwrap();
    let leases = LeaseLog::watch(db.url.clone());
    let mut a = spawn(&desk, &config_a);
    let first = leases.wait_new_holder(None, WAIT).await;
    let _ = first;
    let holder_a = leases.holder().unwrap().0;
    let mut b = desk.spawn(&[]);
    desk.wait_log_n("Leases: serving only", 2, WAIT);
    for i in 0..10 {
        desk.send(crate::support::faults::MIX[i % 4]);
        tokio::time::sleep(Duration::from_millis(150)).await;
    }
    hole.cut(true);
    let cut = Instant::now();
    desk.note("---- cut the holder off from Postgres");
    let stream = async {
        for i in 0..10 {
            desk.send(crate::support::faults::MIX[i % 4]);
            tokio::time::sleep(Duration::from_millis(300)).await;
        }
    };
    let (taken, ()) = tokio::join!(
        leases.wait_new_holder(Some(&holder_a), Duration::from_secs(30)),
        stream
    );
    let takeover = taken - cut;
    // The holder said it stopped, before the lease could expire.
    desk.wait_log("stopped serving the mailbox before it can expire", WAIT);
    for i in 0..6 {
        desk.send(crate::support::faults::MIX[i % 4]);
        tokio::time::sleep(Duration::from_millis(150)).await;
    }
    hole.cut(false);
    let report = desk.settle(Duration::from_secs(120)).await;
    wait_copies_saved(&db).await;
    kill9(&mut a);
    kill9(&mut b);
    print_row(
        &report,
        &format!(
            "holder blackholed from Postgres; standby holding {takeover:.1?} after the cut (ttl {TTL} s)"
        ),
    );
    report.assert_safe(&desk.log());
    assert_sent_once(&desk, &report, &db).await;
    let c = report.counts;
    assert_eq!(c.answered + c.people + c.skipped, c.sent, "{c}");
    assert!(
        takeover < Duration::from_secs_f64(TTL + 3.0),
        "takeover {takeover:?}"
    );
}

/// The held leases by holder pid, from the lease table (live rows only).
async fn holders(client: &tokio_postgres::Client) -> HashMap<u32, usize> {
    let rows = client
        .query(
            "SELECT holder FROM mailclerk_lease WHERE expires_at > now()",
            &[],
        )
        .await
        .unwrap_or_default();
    let mut by: HashMap<u32, usize> = HashMap::new();
    for r in rows {
        let h: String = r.get(0);
        if let Some(pid) = h.rsplit_once(':').and_then(|(_, p)| p.parse().ok()) {
            *by.entry(pid).or_default() += 1;
        }
    }
    by
}

/// Three daemons on one configuration of six mailboxes: each serves two; one is killed -9
/// and the two left serve three each, within the takeover bound.
#[tokio::test(flavor = "multi_thread")]
async fn three_daemons_spread_six_mailboxes_and_two_take_over_a_dead_ones_share() {
    let _shared = SERVERS.read().await;
    let db = TestDb::new("ha_spread").await;
    let dir = tempfile::tempdir().unwrap();
    let url_file = write_url(dir.path(), "pg-url", &db.url);
    let desk = ha_desk("ha_spread", 1, &url_file);
    // The desk's one mailbox, six times over with a support user each.
    let text = std::fs::read_to_string(&desk.config).unwrap();
    let start = text.find("[[mailbox]]").unwrap();
    let end = text.find("\n[store]").unwrap();
    let mut six = text[..start].to_string();
    for i in 0..6 {
        let support = crate::support::user(&format!("spread{i}"));
        six.push_str(
            &text[start..end]
                .replace(&desk.support, &support)
                .replace("name = \"desk\"", &format!("name = \"desk{i}\"")),
        );
        six.push('\n');
    }
    six.push_str(&text[end..]);
    let config = desk.dir.path().join("six.toml");
    std::fs::write(&config, six).unwrap();
    let (client, conn) = tokio_postgres::connect(&db.url, tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(conn);
    let mut daemons: Vec<Spawned> = (0..3).map(|_| spawn(&desk, &config)).collect();
    let pids: Vec<u32> = daemons.iter().map(|d| d.id()).collect();
    let wait = |want: Vec<(u32, usize)>, within: Duration| {
        let client = &client;
        async move {
            let started = Instant::now();
            loop {
                let now = holders(client).await;
                if want
                    .iter()
                    .all(|(p, n)| now.get(p).copied().unwrap_or(0) == *n)
                    && now.values().sum::<usize>() == 6
                {
                    return started.elapsed();
                }
                assert!(
                    started.elapsed() < within,
                    "not {want:?} within {within:?}: {now:?}"
                );
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
    };
    let spread = wait(pids.iter().map(|p| (*p, 2)).collect(), WAIT).await;
    desk.note("---- three daemons hold two each; killing the first");
    kill9(&mut daemons[0]);
    let bound = Duration::from_secs_f64(TTL + 2.0);
    let took = wait(
        vec![(pids[1], 3), (pids[2], 3)],
        bound + Duration::from_secs(3),
    )
    .await;
    println!(
        "FIGURES | ha_spread | 6 mailboxes over 3 daemons 2/2/2 {spread:.1?} after start; one killed -9: 3/3 {took:.1?} later (ttl {TTL} s, bound {bound:?}) |"
    );
    for mut d in daemons {
        kill9(&mut d);
    }
    assert!(took <= bound + Duration::from_secs(1), "takeover {took:?}");
    let log = desk.log();
    assert!(
        log.matches("Lease taken over from").count() >= 2,
        "two takeover lines"
    );
}

/// The holder dies at a crash point (`abort`, as `kill -9`) while answering a few requests;
/// the standby takes the lease over when it expires and serves the rest. Every request ends
/// answered once (with one copy in Sent), with people or skipped; `uncertain` replies went out
/// at the moment of death, unknown to the standby: with people, their bytes in the people
/// folder, not in Sent.
async fn the_holder_dies_at(name: &str, point: &str, uncertain: usize) {
    let _shared = SERVERS.read().await;
    let db = TestDb::new(name).await;
    let dir = tempfile::tempdir().unwrap();
    let url_file = write_url(dir.path(), "pg-url", &db.url);
    let mut desk = ha_desk(name, 8, &url_file);
    let leases = LeaseLog::watch(db.url.clone());
    let mut a = desk.spawn(&[("MAILCLERK_CRASH_AT", point)]);
    leases.wait_new_holder(None, WAIT).await;
    let holder_a = leases.holder().expect("a holder").0;
    let mut b = desk.spawn(&[]);
    desk.wait_log_n("Leases: serving only", 2, WAIT);
    for kind in crate::support::faults::MIX {
        desk.send(kind);
        tokio::time::sleep(Duration::from_millis(150)).await;
    }
    desk.wait_log(&format!("crash point {point} reached"), WAIT);
    let died = Instant::now();
    let taken = leases.wait_new_holder(Some(&holder_a), WAIT).await;
    let report = desk.settle(Duration::from_secs(120)).await;
    wait_copies_saved(&db).await;
    kill9(&mut a);
    kill9(&mut b);
    let found = assert_sent_once(&desk, &report, &db).await;
    print_row(
        &report,
        &format!(
            "the holder died at {point}; the standby held the lease {:.1?} later; {} of unknown fate",
            taken.saturating_duration_since(died),
            found.len()
        ),
    );
    report.assert_safe(&desk.log());
    let c = report.counts;
    assert_eq!(c.answered + c.people + c.skipped, c.sent, "{c}");
    assert_eq!(found.len(), uncertain, "replies of unknown fate: {found:?}");
}

/// The relay took the first reply (250) and the holder died before recording it: the standby
/// finds no copy in Sent (copies are queued with the record), so people take that request,
/// with the exact reply in their folder; Sent stays without it.
#[tokio::test(flavor = "multi_thread")]
async fn the_holder_dies_between_the_relays_250_and_the_record() {
    the_holder_dies_at("ha_die_after_send", "after_send", 1).await;
}

/// Recorded, the copy queued in Postgres, not yet saved: the standby saves it (once) at the
/// start of its first pass.
#[tokio::test(flavor = "multi_thread")]
async fn the_holder_dies_after_the_record_before_the_copy_is_saved() {
    the_holder_dies_at("ha_die_after_record", "after_record", 0).await;
}

/// The copy saved in Sent, still queued: the standby finds it there and does not save it
/// again.
#[tokio::test(flavor = "multi_thread")]
async fn the_holder_dies_after_saving_the_copy_before_forgetting_it() {
    the_holder_dies_at("ha_die_after_copy_append", "after_copy_append", 0).await;
}
