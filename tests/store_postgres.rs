//! `mailclerk run` on the demo with its stores in PostgreSQL (issue 19): the same answers as on
//! SQLite, nothing answered twice across runs, and two instances (two machines: two state
//! directories, one database) racing on the same mailboxes answer each message exactly once.
//! Against the project's real server: `MAILCLERK_TEST_PG_URL`, or `scripts/pgstack up` run here.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The server's URL (a role that may create databases), found as the library's tests find it.
fn server_url() -> String {
    mailclerk::store::test_server::server_url()
}

/// A database of this test's own, dropped at the end.
struct Db {
    server: String,
    name: String,
    url: String,
}

impl Db {
    fn new(test: &str) -> Db {
        let server = server_url();
        let name = format!("t_{test}_{}", std::process::id());
        let mut admin = postgres::Client::connect(&server, postgres::NoTls).unwrap();
        admin
            .batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .unwrap();
        admin
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .unwrap();
        let url = format!("{}/{name}", server.rsplit_once('/').unwrap().0);
        Db { server, name, url }
    }

    fn count(&self, sql: &str) -> i64 {
        self.try_count(sql).unwrap()
    }

    /// `None` while the tables are not there yet (the daemon creates them as it starts).
    fn try_count(&self, sql: &str) -> Option<i64> {
        let mut c = postgres::Client::connect(&self.url, postgres::NoTls).ok()?;
        c.query_one(sql, &[]).ok().map(|r| r.get(0))
    }
}

impl Drop for Db {
    fn drop(&mut self) {
        if let Ok(mut admin) = postgres::Client::connect(&self.server, postgres::NoTls) {
            let _ = admin.batch_execute(&format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            ));
        }
    }
}

/// The demo config of `cli`, in `dir`, with its stores in `db` (the URL file mode 0600).
fn demo_on(db: &Db, dir: &Path) -> PathBuf {
    use std::os::unix::fs::PermissionsExt;
    std::fs::create_dir_all(dir).unwrap();
    let url_file = dir.join("pg-url");
    std::fs::write(&url_file, format!("{}\n", db.url)).unwrap();
    std::fs::set_permissions(&url_file, std::fs::Permissions::from_mode(0o600)).unwrap();
    let cfg = crate::cli::demo_config(dir);
    let text = std::fs::read_to_string(&cfg).unwrap().replacen(
        "[[mailbox]]",
        &format!(
            "store = {{ kind = \"postgres\", url_file = {:?} }}\n\n[[mailbox]]",
            url_file
        ),
        1,
    );
    std::fs::write(&cfg, text).unwrap();
    cfg
}

fn run(cfg: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_mailclerk"))
        .args(["run", "--config", cfg.to_str().unwrap(), "--once"])
        .output()
        .unwrap()
}

fn emls(dir: &Path) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    entries
        .flatten()
        .map(|e| e.path())
        .map(|p| match p.is_dir() {
            true => emls(&p),
            false => usize::from(p.extension().is_some_and(|e| e == "eml")),
        })
        .sum()
}

/// "N new message(s)" and "M handled before" of a run's summary line.
fn summary(o: &Output) -> (usize, usize) {
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        o.status.success(),
        "{out}{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let line = out
        .lines()
        .find(|l| l.contains("new message(s)"))
        .unwrap_or_else(|| panic!("no summary in {out}"));
    let new = line.split(' ').next().unwrap().parse().unwrap();
    let before = line
        .rsplit("; ")
        .next()
        .and_then(|t| t.split(' ').next())
        .unwrap()
        .parse()
        .unwrap();
    (new, before)
}

#[test]
fn the_demo_runs_on_postgres_and_never_answers_twice() {
    let db = Db::new("demo_pg");
    let tmp = tempfile::tempdir().unwrap();
    let cfg = demo_on(&db, tmp.path());
    let first = run(&cfg);
    let text = String::from_utf8_lossy(&first.stdout).to_string();
    assert!(
        text.contains("31 new message(s): 21 answered, 7 for people, 3 skipped; 0 handled before."),
        "{text}{}",
        String::from_utf8_lossy(&first.stderr)
    );
    // The same 21 answers and 2 acknowledgements as on SQLite (cli.rs).
    assert_eq!(emls(&tmp.path().join("out")), 23);
    assert_eq!(summary(&run(&cfg)), (0, 31));
    assert_eq!(
        emls(&tmp.path().join("out")),
        23,
        "the second run sent nothing"
    );
    // The rows are in the database, keyed by mailbox, and no SQLite store was made.
    assert_eq!(db.count("SELECT count(*) FROM ledger"), 31);
    assert_eq!(db.count("SELECT count(DISTINCT mailbox) FROM ledger"), 4);
    assert_eq!(
        db.count("SELECT count(*) FROM ledger WHERE state = 'sent'"),
        21
    );
    assert!(!tmp.path().join("state/notout.sqlite").exists());
}

/// Two instances with their own state directories (two machines) start on the same database
/// at once: every message is new to exactly one of them, and answered once.
#[test]
fn two_instances_on_one_database_answer_each_message_once() {
    let db = Db::new("demo_pg_two");
    let tmp = tempfile::tempdir().unwrap();
    let (a, b) = (
        demo_on(&db, &tmp.path().join("a")),
        demo_on(&db, &tmp.path().join("b")),
    );
    // Both write their answers to one outbox, as two machines share one relay.
    let shared = tmp.path().join("a/out");
    let b_text = std::fs::read_to_string(&b).unwrap().replace(
        &format!("{}", tmp.path().join("b/out").display()),
        &format!("{}", shared.display()),
    );
    std::fs::write(&b, b_text).unwrap();
    let start = |cfg: &Path| {
        Command::new(env!("CARGO_BIN_EXE_mailclerk"))
            .args(["run", "--config", cfg.to_str().unwrap(), "--once"])
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap()
    };
    let (pa, pb) = (start(&a), start(&b));
    let (oa, ob) = (
        pa.wait_with_output().unwrap(),
        pb.wait_with_output().unwrap(),
    );
    let ((new_a, _), (new_b, _)) = (summary(&oa), summary(&ob));
    eprintln!("instance a took {new_a} messages, b {new_b}");
    assert_eq!(
        new_a + new_b,
        31,
        "each message new to exactly one instance"
    );
    assert_eq!(emls(&shared), 23, "each answer sent once");
    assert_eq!(
        db.count("SELECT count(*) FROM ledger WHERE state = 'sent'"),
        21
    );
}

/// The daemon on the project's Dovecot and Postfix with its store in PostgreSQL: one answer per
/// request, the account's history read back from the database, the reading position kept there,
/// and a restart that answers nothing again.
#[test]
fn the_daemon_answers_through_postgres() {
    use std::time::{Duration, Instant};
    let db = Db::new("daemon_pg");
    let mut desk = crate::support::Desk::new("pgdaemon", "", "");
    let url_file = desk.dir.path().join("pg-url");
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::write(&url_file, &db.url).unwrap();
        std::fs::set_permissions(&url_file, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    let text = std::fs::read_to_string(&desk.config).unwrap().replacen(
        "[[mailbox]]",
        &format!("store = {{ kind = \"postgres\", url_file = {url_file:?} }}\n\n[[mailbox]]"),
        1,
    );
    std::fs::write(&desk.config, text).unwrap();
    desk.start(&[]);
    // Mail of the first start's own second or earlier is never answered: send after it.
    desk.wait_log("Connected.", Duration::from_secs(30));
    std::thread::sleep(Duration::from_millis(1100));
    let ids: Vec<String> = (0..3)
        .map(|i| {
            desk.send_request(
                &format!("Refund please {i}"),
                "Please refund my last payment.",
                "",
            )
        })
        .collect();
    let started = Instant::now();
    let decided = "SELECT count(*) FROM ledger WHERE state IN ('sent', 'review')";
    while db.try_count(decided).unwrap_or(0) < 3 {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "3 decisions not recorded in 60 s; log:\n{}",
            desk.log()
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    let (_, status) = desk.stop();
    assert!(status.success(), "{}", desk.log());
    assert!(!desk.log().contains("panicked"), "{}", desk.log());
    // The first refund is granted; the account's history, read back from the database, sends
    // the next two (another refund for the same payment) to people.
    let sent = |id: &str| {
        db.count(&format!(
            "SELECT count(*) FROM ledger WHERE mailbox = 'desk' AND message_id = '{id}' AND state = 'sent'"
        ))
    };
    assert_eq!(ids.iter().map(|id| sent(id)).collect::<Vec<_>>(), [1, 0, 0]);
    assert_eq!(
        db.count("SELECT count(*) FROM ledger WHERE state = 'review'"),
        2
    );
    assert_eq!(db.count("SELECT count(*) FROM audit"), 3);
    assert_eq!(
        db.count("SELECT count(*) FROM progress WHERE mailbox = 'desk'"),
        1
    );
    // A restart (one pass) finds everything handled: nothing new is answered.
    let again = desk.once(&[]);
    assert!(
        again.status.success(),
        "{}",
        String::from_utf8_lossy(&again.stderr)
    );
    assert_eq!(db.count(decided), 3);
    assert_eq!(db.count("SELECT count(*) FROM ledger"), 3);
    assert!(!desk.dir.path().join("state/desk.sqlite").exists());
}
