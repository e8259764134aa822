//! `mailclerk backup`: a consistent copy of a store while another connection keeps writing to
//! it, as the daemon would; and the command as an operator runs it.

use std::path::Path;
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use mailclerk::store::Store;

/// A writer commits ten rows at a time while copies are taken: every copy opens as a store,
/// passes SQLite's integrity check, and holds whole commits only (a multiple of ten rows),
/// and later copies hold more.
#[test]
fn a_backup_during_writes_is_one_consistent_moment() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("support.sqlite");
    drop(Store::open(&path).unwrap());
    let writer_conn = rusqlite::Connection::open(&path).unwrap();
    writer_conn
        .execute_batch("PRAGMA journal_mode=WAL; CREATE TABLE burst (n INTEGER NOT NULL);")
        .unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let writer = {
        let stop = stop.clone();
        std::thread::spawn(move || {
            let mut conn = writer_conn;
            conn.busy_timeout(std::time::Duration::from_secs(5))
                .unwrap();
            let mut commits = 0u64;
            while !stop.load(Ordering::Relaxed) {
                let tx = conn.transaction().unwrap();
                for i in 0..10 {
                    tx.execute("INSERT INTO burst (n) VALUES (?1)", [i])
                        .unwrap();
                }
                tx.commit().unwrap();
                commits += 1;
            }
            commits
        })
    };
    // Let the writer get going before the first copy.
    std::thread::sleep(std::time::Duration::from_millis(50));
    let mut counts = Vec::new();
    for round in 0..5 {
        let copy = tmp.path().join(format!("copy-{round}.sqlite"));
        mailclerk::backup::backup_store("support", &path, &copy).unwrap();
        let conn = rusqlite::Connection::open(&copy).unwrap();
        let ok: String = conn
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .unwrap();
        assert_eq!(ok, "ok");
        let rows: i64 = conn
            .query_row("SELECT count(*) FROM burst", [], |r| r.get(0))
            .unwrap();
        assert_eq!(
            rows % 10,
            0,
            "round {round}: a commit torn in half ({rows} rows)"
        );
        drop(conn);
        // The copy is a store mailclerk opens as it is (schema, WAL).
        Store::open(&copy).unwrap_or_else(|e| panic!("round {round}: {e}"));
        counts.push(rows);
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    stop.store(true, Ordering::Relaxed);
    let commits = writer.join().unwrap();
    assert!(
        commits > 5,
        "the writer wrote during the copies ({commits} commits)"
    );
    assert!(counts.windows(2).all(|w| w[0] <= w[1]), "{counts:?}");
    assert!(
        counts.last() > counts.first(),
        "copies taken while writing: {counts:?}"
    );
}

#[test]
fn the_command_copies_every_store_without_mail_credentials() {
    let tmp = tempfile::tempdir().unwrap();
    let cfg = super::cli::demo_config(tmp.path());
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_mailclerk"))
            .args(args)
            .env_remove("CREDENTIALS_DIRECTORY")
            .output()
            .unwrap()
    };
    let cfg = cfg.to_str().unwrap();
    let import = run(&[
        "accounts",
        "import",
        "--config",
        cfg,
        "--mailbox",
        "notout",
        "tests/fixtures/csv/good.csv",
    ]);
    assert!(
        import.status.success(),
        "{}",
        String::from_utf8_lossy(&import.stderr)
    );
    let out = tmp.path().join("backup");
    let o = run(&[
        "backup",
        "--config",
        cfg,
        "--mailbox",
        "notout",
        "--out",
        out.to_str().unwrap(),
    ]);
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(
        stdout.contains("mailbox notout: store copied to"),
        "{stdout}"
    );
    let copy = Store::open(&out.join("notout.sqlite")).unwrap();
    assert!(copy.account_count().unwrap() > 0);
    let mode = std::os::unix::fs::PermissionsExt::mode(
        &std::fs::metadata(out.join("notout.sqlite"))
            .unwrap()
            .permissions(),
    );
    assert_eq!(mode & 0o777, 0o600);
    assert!(!Path::new(&format!("{}.partial", out.join("notout.sqlite").display())).exists());
    // A mailbox whose store was never made: said plainly, exit 1.
    let o = run(&["backup", "--config", cfg, "--out", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("no store at"));
    let o = run(&[
        "backup",
        "--config",
        cfg,
        "--mailbox",
        "nope",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(64));
}
