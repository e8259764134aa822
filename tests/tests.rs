//! The one integration test binary. One line per module.

mod architecture; // the pure core does no I/O: greps the stage files
mod cli; // the binary as a user runs it: exit statuses, reports, the demo twice
mod config; // bad configuration and policy files: every error named by file, key and expectation
mod fixtures; // .eml fixtures under tests/fixtures/{parse,screen,classify} with sidecar expectations
mod pipeline; // every demo message through every stage, against config/demo/expected.toml
mod policy; // the policy engine on the real policy files: tables per seed, and every scenario file
mod replies; // rendered replies, snapshot-tested through the real policies, templates and lettre
mod store; // the SQLite store and `accounts import`, on temp files
