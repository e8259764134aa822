//! The store failing under the daemon: locked by another process, read-only, the disk full.
//! Each time the daemon must stop taking new mail, say why, lose nothing, and resume by itself
//! once the store works again.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use crate::SERVERS;
use crate::support::faults::{Counts, FaultDesk, Setup, print_row};

const WAIT: Duration = Duration::from_secs(20);

/// A size-limited tmpfs, unmounted when dropped.
struct Tmpfs {
    dir: tempfile::TempDir,
}

impl Tmpfs {
    fn mount(size: &str) -> Tmpfs {
        let dir = tempfile::tempdir().unwrap();
        let status = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(dir.path())
            .status()
            .unwrap();
        assert!(
            status.success(),
            "mounting a tmpfs needs root (CAP_SYS_ADMIN); the disk tests cannot run without it"
        );
        Tmpfs { dir }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn remount(&self, mode: &str) {
        let status = Command::new("mount")
            .args(["-o", &format!("remount,{mode}")])
            .arg(self.path())
            .status()
            .unwrap();
        assert!(status.success(), "remount {mode}");
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(self.path()).status();
    }
}

/// Waits until `n` requests have been handled (answered, with people or skipped).
fn wait_handled(desk: &FaultDesk, n: usize, within: Duration) {
    let started = Instant::now();
    loop {
        let c = desk.check().counts;
        if c.answered + c.people + c.skipped >= n {
            return;
        }
        assert!(started.elapsed() < within, "not handled: {c}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn store_locked_by_another_process() {
    let _shared = SERVERS.read().await;
    let mut desk = FaultDesk::new("store_locked", 4, Setup::default());
    desk.start(&[]);
    desk.wait_log("First start on this folder", WAIT);
    let holder = rusqlite::Connection::open(desk.store()).unwrap();
    holder.execute_batch("BEGIN EXCLUSIVE").unwrap();
    let locked = Instant::now();
    desk.send_mix(4);
    desk.wait_log("The store cannot be used", WAIT);
    let during = desk.check().counts;
    assert_eq!(
        during.answered + during.people + during.skipped,
        0,
        "nothing handled while the store is locked: {during}"
    );
    // Hold it past a retry or two, as a backup or a stuck admin session would.
    tokio::time::sleep(Duration::from_secs(8).saturating_sub(locked.elapsed())).await;
    holder.execute_batch("COMMIT").unwrap();
    let released = Instant::now();
    wait_handled(&desk, 4, Duration::from_secs(30));
    let resumed = released.elapsed();
    let report = desk.settle(Duration::from_secs(30)).await;
    let (_, status) = desk.stop();
    assert!(status.success());
    print_row(
        &report,
        &format!(
            "store locked (BEGIN EXCLUSIVE) for 8 s; all handled {:.1} s after release",
            resumed.as_secs_f64()
        ),
    );
    report.assert(Counts::clean(4, 2, 1, 1), &desk.log());
    drop(holder);
}

#[tokio::test(flavor = "multi_thread")]
async fn store_read_only() {
    let _shared = SERVERS.read().await;
    let fs = Tmpfs::mount("16m");
    let setup = Setup {
        state_dir: Some(fs.path().join("state")),
        ..Setup::default()
    };
    let mut desk = FaultDesk::new("store_read_only", 4, setup);
    desk.first_start();
    desk.send_mix(4);
    desk.wait_delivered(WAIT);
    fs.remount("ro");
    let connected_before = desk.log().matches("Connected.").count();
    desk.start(&[]);
    desk.wait_log("The store cannot be used", WAIT);
    tokio::time::sleep(Duration::from_secs(3)).await;
    let log = desk.log();
    assert_eq!(
        log.matches("Connected.").count(),
        connected_before,
        "the daemon must not even log in to IMAP while its store is read-only:\n{log}"
    );
    assert_eq!(desk.check().counts.answered, 0);
    fs.remount("rw");
    let report = desk.settle(Duration::from_secs(30)).await;
    let (_, status) = desk.stop();
    assert!(status.success());
    print_row(
        &report,
        "store on a read-only file system at start, then rw",
    );
    report.assert(Counts::clean(4, 2, 1, 1), &desk.log());
    let why = desk
        .log()
        .lines()
        .find(|l| l.contains("The store cannot be used"))
        .unwrap_or_default()
        .to_string();
    assert!(
        why.contains("read-only") || why.contains("readonly") || why.contains("unable to open"),
        "the log says why: {why}"
    );
}

/// Fills the tmpfs under the store with a file until it is full.
fn fill(dir: &Path) -> PathBuf {
    let path = dir.join("filler");
    let mut f = std::fs::File::create(&path).unwrap();
    let block = vec![0u8; 64 * 1024];
    while f.write_all(&block).is_ok() {}
    let _ = f.flush();
    path
}

#[tokio::test(flavor = "multi_thread")]
async fn disk_full() {
    let _shared = SERVERS.read().await;
    let fs = Tmpfs::mount("8m");
    let setup = Setup {
        state_dir: Some(fs.path().join("state")),
        ..Setup::default()
    };
    let mut desk = FaultDesk::new("disk_full", 8, setup);
    desk.start(&[]);
    desk.wait_log("First start on this folder", WAIT);
    let filler = fill(fs.path());
    desk.send_mix(8);
    desk.wait_delivered(WAIT);
    desk.wait_log("The store cannot be used", WAIT);
    tokio::time::sleep(Duration::from_secs(2)).await;
    let during = desk.check().counts;
    std::fs::remove_file(&filler).unwrap();
    let report = desk.settle(Duration::from_secs(40)).await;
    let (_, status) = desk.stop();
    assert!(status.success());
    print_row(
        &report,
        &format!(
            "state dir on an 8 MB tmpfs filled up; {} handled while full",
            during.answered + during.people + during.skipped
        ),
    );
    report.assert(Counts::clean(8, 4, 2, 2), &desk.log());
    assert!(
        desk.log().contains("full"),
        "the log says the disk is full:\n{}",
        desk.log()
    );
    let ok: String = rusqlite::Connection::open(desk.store())
        .unwrap()
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(ok, "ok");
}

/// Issue 16: with the disk full, each reconnection used to reset the back-off at SELECT, before
/// the store write failed, so the daemon signed in to IMAP about once a second for as long as
/// the disk stayed full. The back-off now grows until a pass succeeds.
#[tokio::test(flavor = "multi_thread")]
async fn disk_full_backs_off_without_a_login_storm() {
    let _shared = SERVERS.read().await;
    let fs = Tmpfs::mount("8m");
    // The suite's cap of 2 s would hide the growth; a deployment's default is 60 s.
    let setup = Setup {
        state_dir: Some(fs.path().join("state")),
        source: "catch_up_seconds = 10\ntimeout_seconds = 5\nreconnect_max_seconds = 30\n".into(),
        ..Setup::default()
    };
    let mut desk = FaultDesk::new("disk_full_backoff", 4, setup);
    desk.start(&[]);
    desk.wait_log("First start on this folder", WAIT);
    let filler = fill(fs.path());
    desk.send_mix(4);
    desk.wait_delivered(WAIT);
    desk.wait_log("The store cannot be used", WAIT);
    let before = desk.log().matches("Connected.").count();
    let window = Duration::from_secs(14);
    tokio::time::sleep(window).await;
    let log = desk.log();
    let logins = log.matches("Connected.").count() - before;
    let errors = log.matches("The store cannot be used").count();
    std::fs::remove_file(&filler).unwrap();
    let released = Instant::now();
    wait_handled(&desk, 4, Duration::from_secs(60));
    let resumed = released.elapsed();
    let report = desk.settle(Duration::from_secs(40)).await;
    let (_, status) = desk.stop();
    assert!(status.success());
    print_row(
        &report,
        &format!(
            "disk full 14 s: {logins} IMAP logins, {errors} store errors; all handled {:.1} s after space came back",
            resumed.as_secs_f64()
        ),
    );
    // 1, 2, 4, 8 s (less jitter): at most 4 logins in 14 s; a reset at every SELECT gave ~10.
    assert!(
        logins <= 4,
        "{logins} IMAP logins in {window:?} with the store unwritable:\n{log}"
    );
    report.assert(Counts::clean(4, 2, 1, 1), &desk.log());
}
