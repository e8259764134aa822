//! Fault tests: for each fault, a known set of requests goes to a desk served by the real
//! daemon against the real Dovecot and Postfix, the fault is injected, and the checker
//! (`support/faults.rs`) accounts for every request: answered exactly once with the right
//! decision, handed to people, or skipped; never lost, never answered twice. Each test prints
//! a `FIGURES |` row (`cargo test --test faults -- --nocapture`) for RELIABILITY.md.
//!
//! A test binary of its own: cargo runs test binaries one after another, so the tests here
//! that stop Dovecot or Postfix never pull the servers out from under the integration tests.
//! Within this binary, such tests hold [`SERVERS`] exclusively and the others share it.

#[path = "support/mod.rs"]
mod support;

#[path = "faults/billing.rs"]
mod billing;
#[path = "faults/confirm.rs"]
mod confirm;
#[path = "faults/crash.rs"]
mod crash;
#[path = "faults/folders.rs"]
mod folders;
#[path = "faults/ha.rs"]
mod ha;
#[path = "faults/imap.rs"]
mod imap;
#[path = "faults/policy.rs"]
mod policy;
#[path = "faults/proxy.rs"]
mod proxy;
#[path = "faults/signals.rs"]
mod signals;
#[path = "faults/smtp.rs"]
mod smtp;
#[path = "faults/soak.rs"]
mod soak;
#[path = "faults/store.rs"]
mod store;
#[path = "faults/twice.rs"]
mod twice;

/// Tests that stop a shared server take this for writing; the others for reading.
pub static SERVERS: tokio::sync::RwLock<()> = tokio::sync::RwLock::const_new(());

/// The policy server's port is fixed: one test at a time runs it.
pub static POLICY: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// Starts the server again when dropped, so a failing test never leaves the stack broken for
/// the tests after it.
pub struct Restart(pub &'static str);

impl Drop for Restart {
    fn drop(&mut self) {
        let _ = std::process::Command::new("scripts/mailstack")
            .arg(self.0)
            .status();
    }
}
