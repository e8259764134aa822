//! Where the tests find PostgreSQL: the store's own tests (`store::testing`) and the
//! integration tests alike, so that the two cannot drift apart. Public, and in every build,
//! only because integration tests link the library as it ships.

use std::process::Command;
use std::sync::OnceLock;

/// The test server's URL (a role that may create databases): `MAILCLERK_TEST_PG_URL`, or the
/// one `scripts/pgstack up`, run now (once a process), starts.
///
/// # Panics
/// When `scripts/pgstack` fails or names no URL: a Postgres test without Postgres fails,
/// never skips.
pub fn server_url() -> String {
    static URL: OnceLock<String> = OnceLock::new();
    URL.get_or_init(|| {
        if let Ok(url) = std::env::var("MAILCLERK_TEST_PG_URL") {
            return url;
        }
        let root = env!("CARGO_MANIFEST_DIR");
        let up = Command::new(format!("{root}/scripts/pgstack"))
            .arg("up")
            .output()
            .expect("scripts/pgstack runs");
        assert!(
            up.status.success(),
            "scripts/pgstack up failed (set MAILCLERK_TEST_PG_URL to use another server): {}",
            String::from_utf8_lossy(&up.stderr)
        );
        let env = Command::new(format!("{root}/scripts/pgstack"))
            .arg("env")
            .output()
            .expect("scripts/pgstack env runs");
        String::from_utf8_lossy(&env.stdout)
            .lines()
            .find_map(|l| l.strip_prefix("export MAILCLERK_TEST_PG_URL="))
            .expect("scripts/pgstack env prints MAILCLERK_TEST_PG_URL")
            .trim_matches(['\'', '"'])
            .to_string()
    })
    .clone()
}
