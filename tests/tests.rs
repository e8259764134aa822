//! The one integration test binary. One line per module.

mod architecture; // the pure core does no I/O: greps the stage files
mod backup; // `mailclerk backup`: consistent copies while another connection writes
mod billing; // the billing hand-off through `mailclerk run`, against a real HTTP receiver and a command
mod budget; // the per-sender reply budget and the hourly breaker, through `mailclerk run`
mod classifier; // the shipped model is what training makes of the committed data; config keys; add-example
mod classify_golden; // the classifier's decisions on every corpus, against tests/golden/classify
mod cli; // the binary as a user runs it: exit statuses, reports, the demo twice
mod config; // bad configuration and policy files: every error named by file, key and expectation
mod confirm; // unverified = "confirm": the registered address confirms; forgeries go to people
mod daemon; // the daemon end to end on the project's Dovecot + Postfix (scripts/mailstack up)
mod daemon_corners; // issue 16: shared Message-IDs, first start, store back-off, SMTPUTF8, crash mid-send
mod daemon_history; // a customer writing twice gets consistent answers; refunds over the limit wait as drafts
mod fixtures; // .eml fixtures under tests/fixtures/{parse,screen,classify} with sidecar expectations
mod ha; // mailbox leases on a real PostgreSQL (scripts/pgstack): takes, races, spread, takeover, cut-off
mod hostile; // hostile and broken mail through the whole daemon (tests/fixtures/hostile/manifest.toml)
mod imap; // the IMAP client against the project's Dovecot (scripts/mailstack up)
mod languages; // replies in seven languages: every template snapshot-tested, detection, languages off
mod loops; // mail loops, floods, the breaker, mail from the vendor itself (on the mail stack)
mod metrics; // the Prometheus endpoint scraped during a daemon run, checked by promtool; the alert rules
mod oauth; // OAuth2 sign-in (XOAUTH2/OAUTHBEARER) against Dovecot passdb oauth2 and a local token endpoint
mod pipeline; // every demo message through every stage, against config/demo/expected.toml
mod policy; // the policy engine on the real policy files: tables per seed, and every scenario file
mod reexamine; // issue 18: reasons as IMAP keywords; a second look when a person moves a message back or marks it
mod replies; // rendered replies, snapshot-tested through the real policies, templates and lettre
mod report; // `mailclerk report` on a demo run's stores, rendered in headless Chromium
mod signin; // issue 18: a wrong SMTP password at run time; `config check --connect`
mod store; // the SQLite store and `accounts import`, on temp files
mod store_postgres; // issue 19: `mailclerk run` on the demo with its stores in PostgreSQL; two instances on one database
mod support; // the harness for daemon tests: desks, customers, folders
mod trail; // `decisions`, `explain` and `replay` on the demo
