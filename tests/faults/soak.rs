//! The soak run (`bench/soak`, not in CI): mixed requests at a steady rate for a long time,
//! with a fault every few minutes, rotating kill -9 and restart, Dovecot stopped and started,
//! Postfix stopped and started. Then the same checker as every fault test, and the daemon's
//! RSS and open files sampled every minute.
//!
//! `SOAK_SECONDS` (default 1800), `SOAK_RATE` (requests per second, default 1),
//! `SOAK_FAULT_EVERY` (seconds, default 180), `SOAK_OUTAGE` (seconds a server stays down,
//! default 10).

use std::time::{Duration, Instant};

use crate::support::faults::{FaultDesk, MIX, Setup, print_row};
use crate::support::mailstack;
use crate::{Restart, SERVERS};

fn env_f64(name: &str, default: f64) -> f64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn open_files(pid: u32) -> usize {
    std::fs::read_dir(format!("/proc/{pid}/fd"))
        .map(|d| d.count())
        .unwrap_or(0)
}

/// Waits out a Postfix outage and starts it again: with the MX down no mail can reach the
/// desk, and the customers' servers would retry later, so the sender waits too.
async fn continue_later(down: &mut Option<(Instant, Fault, Restart)>) {
    if let Some((until, _, _)) = down {
        tokio::time::sleep(until.saturating_duration_since(Instant::now())).await;
    }
    *down = None;
}

#[derive(Debug, Clone, Copy)]
enum Fault {
    Kill9,
    Dovecot,
    Postfix,
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "the soak run: bench/soak (30 minutes by default)"]
async fn soak() {
    let _only = SERVERS.write().await;
    let seconds = env_f64("SOAK_SECONDS", 1800.0);
    let rate = env_f64("SOAK_RATE", 1.0);
    let every = Duration::from_secs_f64(env_f64("SOAK_FAULT_EVERY", 180.0));
    let outage = Duration::from_secs_f64(env_f64("SOAK_OUTAGE", 10.0));
    let total = (seconds * rate).ceil() as usize;
    // The hourly breaker (max_replies_per_hour, default 200) would rightly hand most of a
    // long run to people; the soak measures faults, so it is raised above the run's rate.
    let setup = Setup {
        mailbox: format!(
            "max_replies_per_hour = {}",
            (rate * 3600.0 * 2.0).ceil() as u64 + 200
        ),
        ..Setup::default()
    };
    let mut desk = FaultDesk::new("soak", total + 10, setup);
    desk.uncertain_ok = true;
    desk.start(&[]);
    desk.wait_log("First start on this folder", Duration::from_secs(20));
    let started = Instant::now();
    let gap = Duration::from_secs_f64(1.0 / rate);
    let rotation = [Fault::Kill9, Fault::Dovecot, Fault::Postfix];
    let (mut faults, mut next_fault) = (0usize, every);
    let mut samples: Vec<(u64, u32, u64, usize)> = Vec::new();
    let mut next_sample = Duration::ZERO;
    let sample = |desk: &FaultDesk, at: Duration, samples: &mut Vec<(u64, u32, u64, usize)>| {
        let pid = desk.pid();
        let rss = desk.rss_kb().unwrap_or(0);
        samples.push((at.as_secs(), pid, rss, open_files(pid)));
        println!(
            "SOAK sample t={}s pid={pid} rss={rss} kB fds={} {}",
            at.as_secs(),
            open_files(pid),
            desk.check().counts
        );
    };
    // A stopped server and when to start it again.
    let mut down: Option<(Instant, Fault, Restart)> = None;
    for n in 0..total {
        // Steady rate: request n goes out at n × gap, whatever the faults cost meanwhile.
        let due = gap.mul_f64(n as f64);
        if let Some(wait) = due.checked_sub(started.elapsed()) {
            tokio::time::sleep(wait).await;
        }
        if down
            .as_ref()
            .is_some_and(|(until, _, _)| Instant::now() >= *until)
        {
            down = None; // dropping the Restart starts the server again
        }
        if started.elapsed() >= next_sample {
            sample(&desk, started.elapsed(), &mut samples);
            next_sample += Duration::from_secs(60);
        }
        if down.is_none() && started.elapsed() >= next_fault {
            let fault = rotation[faults % rotation.len()];
            faults += 1;
            next_fault += every;
            println!(
                "SOAK fault {faults} at t={}s: {fault:?}",
                started.elapsed().as_secs()
            );
            desk.note(&format!("---- soak fault {faults}: {fault:?}"));
            match fault {
                Fault::Kill9 => {
                    desk.kill9();
                    desk.start(&[]);
                }
                // Mail keeps coming while Dovecot is down: Postfix queues it.
                Fault::Dovecot => {
                    let restart = Restart("start-dovecot");
                    mailstack(&["stop-dovecot"]);
                    down = Some((Instant::now() + outage, fault, restart));
                }
                Fault::Postfix => {
                    let restart = Restart("start-postfix");
                    mailstack(&["stop-postfix"]);
                    down = Some((Instant::now() + outage, fault, restart));
                    continue_later(&mut down).await;
                }
            }
        }
        desk.send(MIX[n % MIX.len()]);
    }
    drop(down);
    let sending = started.elapsed();
    let report = desk.settle(Duration::from_secs(300)).await;
    sample(&desk, started.elapsed(), &mut samples);
    let integrity: String = rusqlite::Connection::open(desk.store())
        .unwrap()
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    let (took, status) = desk.stop();
    let first = samples.first().copied().unwrap_or_default();
    let last = samples.last().copied().unwrap_or_default();
    let peak = samples.iter().map(|s| s.2).max().unwrap_or(0);
    println!(
        "SOAK done: {total} requests in {} s ({rate}/s), {faults} faults (every {} s, outages {} s); \
         drained {} s after the last request; integrity_check {integrity}; SIGTERM exit code {:?} after {} ms",
        sending.as_secs(),
        every.as_secs(),
        outage.as_secs(),
        (started.elapsed() - sending).as_secs(),
        status.code(),
        took.as_millis()
    );
    println!(
        "SOAK RSS: start {} kB (pid {}), end {} kB (pid {}), peak {peak} kB; open files start {}, end {}",
        first.2, first.1, last.2, last.1, first.3, last.3
    );
    println!("SOAK {}", report.counts);
    print_row(
        &report,
        &format!(
            "soak {} min at {rate}/s, {faults} faults; RSS {} → {} kB",
            sending.as_secs() / 60,
            first.2,
            last.2
        ),
    );
    report.assert_safe(&desk.log());
    assert_eq!(integrity, "ok");
    assert!(status.success());
    let c = report.counts;
    let skips = desk
        .requests
        .iter()
        .filter(|r| r.kind == crate::support::faults::Kind::AutoReply)
        .count();
    assert_eq!(
        (c.answered + c.people, c.skipped),
        (total - skips, skips),
        "{c}"
    );
}
