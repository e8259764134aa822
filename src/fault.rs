//! Crash points for the fault tests: with `MAILCLERK_CRASH_AT=<point>` in the environment the
//! process aborts (as `kill -9` would stop it) when it reaches that point. Unset, each call is
//! one cached comparison. Points: `after_claim`, `after_send`, `after_sent_copy`,
//! `after_record`.

use std::sync::OnceLock;

/// Aborts the process if `MAILCLERK_CRASH_AT` names `point`.
pub fn point(point: &str) {
    static AT: OnceLock<Option<String>> = OnceLock::new();
    if AT
        .get_or_init(|| std::env::var("MAILCLERK_CRASH_AT").ok())
        .as_deref()
        == Some(point)
    {
        eprintln!("mailclerk: crash point {point} reached (MAILCLERK_CRASH_AT); aborting");
        std::process::abort();
    }
}
