//! The one integration test binary. One line per module.

mod fixtures; // .eml fixtures under tests/fixtures/{parse,screen,classify} with sidecar expectations
mod policy; // the policy engine on the real policy files: tables per seed, and every scenario file
mod replies; // rendered replies, snapshot-tested through the real policies, templates and lettre
mod store; // the SQLite store and `accounts import`, on temp files
