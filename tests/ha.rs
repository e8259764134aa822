//! Mailbox leases against a real PostgreSQL (`scripts/pgstack`): the statements between
//! several lease clients in one process, then whole lease loops (three instances, six
//! mailboxes) with workers whose every start and stop is recorded, to check that no mailbox
//! is ever served twice at once, that mailboxes spread, that a dead instance's share is taken
//! over in bounded time, and that an instance cut off from the database stops serving before
//! its leases can expire elsewhere. The failover of whole daemons on the mail stack is in
//! `tests/faults/ha.rs`.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::support::blackhole::Blackhole;
use crate::support::pg::TestDb;
use mailclerk::lease::sql::Db;
use mailclerk::lease::{self, Fence, Settings, Timing, Work};
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tokio::time::Instant;

const SECOND: Duration = Duration::from_secs(1);

/// The fence check the Postgres store runs before each write (docs/ha.md).
async fn fence_holds(client: &tokio_postgres::Client, f: &Fence) -> bool {
    client
        .query_opt(
            "SELECT 1 FROM mailclerk_lease WHERE mailbox=$1 AND holder=$2 AND generation=$3 AND expires_at > now() FOR SHARE",
            &[&f.mailbox, &f.holder, &f.generation],
        )
        .await
        .unwrap()
        .is_some()
}

/// The lease's tables are the store's (migration 1): lease clients starting at once on a
/// database nobody has set up make them through the store's migrations (recorded in
/// `mailclerk_schema`, with the store's tables), and a store opens on it afterwards.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lease_clients_on_a_fresh_database_set_it_up_through_the_stores_migrations() {
    let db = TestDb::new("lease_schema").await;
    let (a, b, c) = tokio::join!(
        Db::connect(&db.url, 10 * SECOND),
        Db::connect(&db.url, 10 * SECOND),
        Db::connect(&db.url, 10 * SECOND)
    );
    let (a, _b, _c) = (a.unwrap(), b.unwrap(), c.unwrap());
    assert!(a.take("m1", "a", SECOND).await.unwrap().is_some());
    let check = db.client().await;
    let applied: Vec<i32> = check
        .query("SELECT version FROM mailclerk_schema ORDER BY version", &[])
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(applied.first(), Some(&1), "{applied:?}");
    let ledger: bool = check
        .query_one("SELECT to_regclass('ledger') IS NOT NULL", &[])
        .await
        .unwrap()
        .get(0);
    assert!(ledger, "the store's tables came with the lease's");
    let url = db.url.clone();
    tokio::task::spawn_blocking(move || mailclerk::store::Store::open_postgres(&url, "m1"))
        .await
        .unwrap()
        .expect("the store opens on the lease's database");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lease_is_taken_over_only_after_it_expires_and_each_take_raises_the_generation() {
    let db = TestDb::new("lease_takeover").await;
    let a = Db::connect(&db.url, 5 * SECOND).await.unwrap();
    let b = Db::connect(&db.url, 5 * SECOND).await.unwrap();
    let ttl = Duration::from_millis(1500);

    let first = a.take("m1", "a", ttl).await.unwrap().expect("a free lease");
    assert_eq!(first.generation, 1);
    assert_eq!(first.previous, None);
    assert_eq!(b.take("m1", "b", ttl).await.unwrap(), None, "live: not b's");
    let check = db.client().await;
    // The lease runs from the renewal's statement: b may not have it before ttl from here.
    let renewed = Instant::now();
    assert!(a.renew("m1", "a", 1, ttl).await.unwrap());
    assert!(
        !b.renew("m1", "b", 1, ttl).await.unwrap(),
        "b does not hold it"
    );

    let fence_a = Fence {
        mailbox: "m1".into(),
        holder: "a".into(),
        generation: 1,
    };
    assert!(fence_holds(&check, &fence_a).await);

    // a stops renewing; b keeps trying until it gets it, and not before the expiry.
    let taken = loop {
        if let Some(t) = b.take("m1", "b", ttl).await.unwrap() {
            break t;
        }
        assert!(renewed.elapsed() < 5 * SECOND, "never taken over");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let waited = renewed.elapsed();
    assert!(
        waited >= ttl - Duration::from_millis(100),
        "taken after {waited:?}"
    );
    assert_eq!(taken.generation, 2);
    assert_eq!(taken.previous.as_deref(), Some("a"));
    assert!(!a.renew("m1", "a", 1, ttl).await.unwrap(), "a lost it");
    assert!(!a.release("m1", "a", 1).await.unwrap());
    assert!(
        !fence_holds(&check, &fence_a).await,
        "a's writes are refused"
    );

    // Given back, it is free at once, and the same holder coming back gets a new generation.
    assert!(b.release("m1", "b", 2).await.unwrap());
    let again = b.take("m1", "b", ttl).await.unwrap().expect("given back");
    assert_eq!(again.generation, 3);
    let old_b = Fence {
        mailbox: "m1".into(),
        holder: "b".into(),
        generation: 2,
    };
    assert!(
        !fence_holds(&check, &old_b).await,
        "an earlier term never matches again"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn of_three_clients_taking_at_once_exactly_one_gets_each_lease() {
    let db = TestDb::new("lease_race").await;
    let mut clients = Vec::new();
    for _ in 0..3 {
        clients.push(Arc::new(Db::connect(&db.url, 5 * SECOND).await.unwrap()));
    }
    let ttl = Duration::from_millis(300);
    let mut gens: BTreeMap<String, i64> = BTreeMap::new();
    for round in 0..8 {
        let mut tasks = Vec::new();
        for (i, c) in clients.iter().enumerate() {
            let c = c.clone();
            tasks.push(tokio::spawn(async move {
                let mut won = Vec::new();
                for m in 0..20 {
                    let mailbox = format!("m{m}");
                    if let Some(t) = c.take(&mailbox, &format!("i{i}"), ttl).await.unwrap() {
                        won.push((mailbox, t.generation));
                    }
                }
                won
            }));
        }
        let mut winners: BTreeMap<String, Vec<i64>> = BTreeMap::new();
        for t in tasks {
            for (m, g) in t.await.unwrap() {
                winners.entry(m).or_default().push(g);
            }
        }
        assert_eq!(winners.len(), 20, "round {round}: every lease taken once");
        for (m, g) in &winners {
            assert_eq!(g.len(), 1, "round {round}: {m} taken by {}", g.len());
            let before = gens.insert(m.clone(), g[0]).unwrap_or(0);
            assert_eq!(g[0], before + 1, "round {round}: {m}'s generation");
        }
        tokio::time::sleep(ttl + Duration::from_millis(50)).await;
    }
}

/// Every start and stop of a worker, by instance, with the instant it happened.
#[derive(Clone, Default)]
struct Journal(Arc<Mutex<Vec<Entry>>>);

/// When, which instance, under which fence, and whether the worker started (or stopped).
type Entry = (Instant, String, Fence, bool);

impl Journal {
    /// Mailboxes served now, by instance.
    fn serving(&self) -> BTreeMap<String, BTreeSet<String>> {
        let mut now: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for (_, who, f, up) in self.0.lock().unwrap().iter() {
            let set = now.entry(who.clone()).or_default();
            if *up {
                set.insert(f.mailbox.clone());
            } else {
                set.remove(&f.mailbox);
            }
        }
        now
    }

    /// Never two workers on one mailbox at the same time, and generations only grow.
    fn assert_one_at_a_time(&self) {
        let mut on: BTreeMap<String, (String, i64)> = BTreeMap::new();
        let mut last: BTreeMap<String, i64> = BTreeMap::new();
        for (at, who, f, up) in self.0.lock().unwrap().iter() {
            if *up {
                if let Some((other, g)) = on.get(&f.mailbox) {
                    panic!(
                        "{} served by {who} (generation {}) while {other} (generation {g}) still served it, at {at:?}",
                        f.mailbox, f.generation
                    );
                }
                let before = last.insert(f.mailbox.clone(), f.generation).unwrap_or(0);
                assert!(f.generation > before, "{}: generation went back", f.mailbox);
                on.insert(f.mailbox.clone(), (who.clone(), f.generation));
            } else {
                on.remove(&f.mailbox);
            }
        }
    }
}

/// A worker that records when it starts and when it has stopped (on `stop`, or aborted).
struct Recorder {
    who: String,
    journal: Journal,
}

struct OnDrop(Journal, String, Fence);

impl Drop for OnDrop {
    fn drop(&mut self) {
        self.0
            .0
            .lock()
            .unwrap()
            .push((Instant::now(), self.1.clone(), self.2.clone(), false));
    }
}

impl Work for Recorder {
    fn start(&self, fence: Fence, mut stop: watch::Receiver<bool>) -> JoinHandle<()> {
        self.journal.0.lock().unwrap().push((
            Instant::now(),
            self.who.clone(),
            fence.clone(),
            true,
        ));
        let guard = OnDrop(self.journal.clone(), self.who.clone(), fence);
        tokio::spawn(async move {
            let _guard = guard;
            while !*stop.borrow() {
                if stop.changed().await.is_err() {
                    break;
                }
            }
        })
    }
}

fn timing() -> Timing {
    Timing {
        ttl: Duration::from_millis(3000),
        renew: Duration::from_millis(1000),
        margin: Duration::from_millis(1000),
    }
}

struct Instance {
    stop: watch::Sender<bool>,
    task: JoinHandle<()>,
}

fn start(who: &str, url: &str, mailboxes: &[String], journal: &Journal) -> Instance {
    let (stop, rx) = watch::channel(false);
    let settings = Settings {
        instance: who.into(),
        url: url.into(),
        timing: timing(),
        mailboxes: mailboxes.to_vec(),
    };
    let work = Recorder {
        who: who.into(),
        journal: journal.clone(),
    };
    Instance {
        stop,
        task: tokio::spawn(lease::run(settings, work, rx)),
    }
}

async fn wait_until(
    what: &str,
    within: Duration,
    journal: &Journal,
    ok: impl Fn(&BTreeMap<String, BTreeSet<String>>) -> bool,
) -> Duration {
    let t = Instant::now();
    loop {
        let now = journal.serving();
        if ok(&now) {
            return t.elapsed();
        }
        assert!(
            t.elapsed() < within,
            "{what}: not within {within:?}: {now:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn counts(now: &BTreeMap<String, BTreeSet<String>>, who: &[&str]) -> Vec<usize> {
    who.iter()
        .map(|w| now.get(*w).map_or(0, BTreeSet::len))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_instances_spread_six_mailboxes_and_two_take_over_a_dead_ones_share() {
    let db = TestDb::new("lease_spread").await;
    let mailboxes: Vec<String> = (1..=6).map(|i| format!("box{i}")).collect();
    let journal = Journal::default();
    // One first, alone: it takes all six, then gives back as the others appear.
    let a = start("a", &db.url, &mailboxes, &journal);
    wait_until("a alone holds all", 10 * SECOND, &journal, |n| {
        counts(n, &["a"]) == [6]
    })
    .await;
    let b = start("b", &db.url, &mailboxes, &journal);
    let c = start("c", &db.url, &mailboxes, &journal);
    let spread = wait_until("two each", 15 * SECOND, &journal, |n| {
        counts(n, &["a", "b", "c"]) == [2, 2, 2]
    })
    .await;
    println!("FIGURES | spread | 6 mailboxes over 3 instances in {spread:.1?}");
    // "c" dies: its loop is dropped mid-flight, its workers with it, nothing given back.
    c.task.abort();
    let died = Instant::now();
    let _ = c.task.await;
    let bound = lease::runner::takeover_bound(&timing());
    let took = wait_until(
        "three each after c died",
        bound + 2 * SECOND,
        &journal,
        |n| counts(n, &["a", "b"]) == [3, 3],
    )
    .await;
    println!(
        "FIGURES | spread takeover | c's two mailboxes taken by a and b {:.1?} after c died (ttl {:?}, bound {bound:?})",
        died.elapsed().min(took),
        timing().ttl
    );
    assert!(took <= bound + SECOND, "takeover took {took:?}");
    // A clean stop gives the leases back at once: "b" takes all six well before a TTL.
    let _ = a.stop.send(true);
    let stopped = Instant::now();
    a.task.await.unwrap();
    let all = wait_until("b holds all", 10 * SECOND, &journal, |n| {
        counts(n, &["b"]) == [6]
    })
    .await;
    println!(
        "FIGURES | clean stop | a's three given back, b serves all six {:.1?} after the stop began",
        stopped.elapsed().min(all)
    );
    let _ = b.stop.send(true);
    b.task.await.unwrap();
    journal.assert_one_at_a_time();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_instance_cut_off_from_postgres_stops_before_its_lease_can_be_taken() {
    let db = TestDb::new("lease_cutoff").await;
    let (hole, via_hole) = Blackhole::in_front_of(&db.url).await;
    let mailboxes: Vec<String> = vec!["solo".into()];
    let journal = Journal::default();
    let a = start("a", &via_hole, &mailboxes, &journal);
    wait_until("a holds it", 10 * SECOND, &journal, |n| {
        counts(n, &["a"]) == [1]
    })
    .await;
    let b = start("b", &db.url, &mailboxes, &journal);
    // Let a renew a few times with b standing by.
    tokio::time::sleep(3 * SECOND).await;
    assert_eq!(counts(&journal.serving(), &["a", "b"]), [1, 0]);
    hole.cut(true);
    let cut = Instant::now();
    wait_until("b takes over", 15 * SECOND, &journal, |n| {
        counts(n, &["a", "b"]) == [0, 1]
    })
    .await;
    let entries = journal.0.lock().unwrap().clone();
    let a_stopped = entries
        .iter()
        .find(|(_, who, _, up)| who == "a" && !up)
        .map(|e| e.0)
        .expect("a stopped");
    let b_started = entries
        .iter()
        .find(|(_, who, _, up)| who == "b" && *up)
        .map(|e| e.0)
        .expect("b started");
    println!(
        "FIGURES | cut off | a stopped {:.1?} after the cut; b serving {:.1?} after the cut ({:.1?} after a stopped)",
        a_stopped - cut,
        b_started - cut,
        b_started - a_stopped
    );
    assert!(a_stopped < b_started, "a still served when b began");
    // a stopped within its own deadline: at most ttl - margin after its last renewal, which
    // came at most one interval before the cut.
    let t = timing();
    assert!(
        a_stopped - cut <= t.ttl - t.margin + Duration::from_millis(300),
        "a stopped {:?} after the cut",
        a_stopped - cut
    );
    // The way back: a reaches the database again and stands by; b keeps the mailbox.
    hole.cut(false);
    tokio::time::sleep(3 * SECOND).await;
    assert_eq!(counts(&journal.serving(), &["a", "b"]), [0, 1]);
    let _ = b.stop.send(true);
    b.task.await.unwrap();
    a.task.abort();
    journal.assert_one_at_a_time();
}
