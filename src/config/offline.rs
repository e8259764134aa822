//! Loading a configuration without reading its secrets, for commands that only touch the
//! stores (`accounts import`, `backup`): under systemd the passwords exist only inside the
//! unit (`LoadCredential=`), and a cron job or a person's shell must not need them.
//!
//! A flag for this thread rather than a parameter: the secrets are read deep inside each
//! section's resolution, and every other check there still runs exactly as in a full load.

use std::cell::Cell;

thread_local! {
    static WITHOUT_SECRETS: Cell<bool> = const { Cell::new(false) };
}

/// Whether passwords and client secrets are to be read now.
pub(crate) fn secrets_wanted() -> bool {
    !WITHOUT_SECRETS.get()
}

/// Runs `load` with secrets left unread (empty), restoring the flag even if it panics.
pub(super) fn without_secrets<T>(load: impl FnOnce() -> T) -> T {
    struct Restore(bool);
    impl Drop for Restore {
        fn drop(&mut self) {
            WITHOUT_SECRETS.set(self.0);
        }
    }
    let _restore = Restore(WITHOUT_SECRETS.replace(true));
    load()
}
