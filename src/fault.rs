//! Fault points for the fault tests. Unset, each call is one cached lookup.
//!
//! - `MAILCLERK_CRASH_AT=<point>[:<n>]`: the process aborts (no destructors, no flush, as
//!   `kill -9` would stop it) the `n`-th time (default the first) it reaches `point`.
//! - `MAILCLERK_PAUSE_AT=<point>[:<n>]`: the `n`-th time it reaches `point`, the process
//!   prints a line and holds the thread still for `MAILCLERK_PAUSE_MS` (default 3000), so a
//!   test can stop a server, delete a message or send a signal at a known moment.
//!
//! Points, in the order a message meets them: `after_fetch` (once per fetched batch),
//! `after_decide` (once per message, before the ledger is touched), `after_claim`,
//! `before_billing` (the hand-off's key and body are in the ledger, not yet sent),
//! `after_billing_call` (billing answered; the answer not yet recorded),
//! `after_billing_accepted` (recorded; the reply not yet attempted), `after_send`,
//! `after_sent_copy`, `after_record`, `after_filing` (once per batch filed);
//! `after_copy_append` (queued copies saved in Sent, not yet forgotten in the store);
//! `after_connect` (each IMAP session, after sign-in and before the first SELECT). The
//! billing points are reached only for decisions handed to `[mailbox.billing]`.

use std::sync::OnceLock;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

/// A point named in the environment, and how many times it has been reached.
struct Armed {
    point: String,
    nth: u32,
    reached: AtomicU32,
}

impl Armed {
    fn from_env(var: &str) -> Option<Armed> {
        let text = std::env::var(var).ok()?;
        let (point, nth) = match text.split_once(':') {
            Some((p, n)) => (p.to_string(), n.parse().unwrap_or(1)),
            None => (text, 1),
        };
        Some(Armed {
            point,
            nth: nth.max(1),
            reached: AtomicU32::new(0),
        })
    }

    /// True exactly once: the `nth` time `point` is reached.
    fn fires(&self, point: &str) -> bool {
        self.point == point && self.reached.fetch_add(1, Ordering::Relaxed) + 1 == self.nth
    }
}

/// Aborts or pauses the process if the environment arms `point` (see the module docs).
pub fn point(point: &str) {
    static CRASH: OnceLock<Option<Armed>> = OnceLock::new();
    static PAUSE: OnceLock<Option<Armed>> = OnceLock::new();
    if let Some(armed) = CRASH.get_or_init(|| Armed::from_env("MAILCLERK_CRASH_AT"))
        && armed.fires(point)
    {
        eprintln!("mailclerk: crash point {point} reached (MAILCLERK_CRASH_AT); aborting");
        std::process::abort();
    }
    if let Some(armed) = PAUSE.get_or_init(|| Armed::from_env("MAILCLERK_PAUSE_AT"))
        && armed.fires(point)
    {
        let ms = std::env::var("MAILCLERK_PAUSE_MS")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(3000);
        eprintln!("mailclerk: pause point {point} reached (MAILCLERK_PAUSE_AT); pausing {ms} ms");
        std::thread::sleep(Duration::from_millis(ms));
        eprintln!("mailclerk: pause point {point} over; going on");
    }
}
