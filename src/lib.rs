//! mailclerk answers a SaaS vendor's refund and cancellation email by the vendor's own written
//! policy, and never twice.
//!
//! # Architecture
//!
//! A pure core hands plain owned values from stage to stage; I/O stays at the edges.
//!
//! ```text
//! intake   RawMail { origin, received, bytes }      a directory of .eml files, or IMAP (intake::imap)
//!   → parse     Result<Inbound, Unparseable>                     pure
//!   → screen    Screen::{Answerable, Skip(SkipReason)}           pure
//!   → sender_auth  SenderAuth (trusted Authentication-Results)   pure
//!   → customer  Customer::{Sender, Forwarded, Unresolved}        pure: a forward resolved, once
//!   → classify  Classified { intent, confidence, evidence }      pure (rules passed in)
//!   → accounts  AccountMatch::{One, None, Many, Mismatch}        pure (rows come from the store)
//!   → policy    Decision { refund, cancellation }                pure
//!   → render    Reply { to, subject, body, ... }                 pure (minijinja, strict)
//!   = plan      Plan { action: Reply | ToHuman(Why) | Skip }     pure: the whole chain, with
//!                                                                the reply budget and confirmations
//! examine: parse, then Facts from the store (customer, account, history, recent replies,
//!          confirmation) → plan() → Examined (always a plan: unreadable mail is
//!          Plan::unreadable, to people like any other hand-off)
//! directory (directory runs) / daemon (IMAP): claim in the ledger → apply, the one executor
//!          for both: send through an Outbox (a directory of .eml files, or SMTP with the IMAP
//!          mailbox's Sent and Drafts) → record a LedgerAction
//! ```
//!
//! [`examine::examine`] reads the [`plan::Facts`] from the store before [`plan::plan`] runs,
//! so deciding is one pure call: `check`, the demo and the tests need no server and no clock.
//! The module layers (the core above, `config` and `store` on it, transport, billing, audit and
//! the commands on top) are checked by `tests/architecture.rs`: no import cycle, no import
//! up a layer (docs/architecture.md).

pub mod account_csv;
pub mod accounts;
pub mod apply;
pub mod audit;
pub mod backup;
pub mod billing;
pub mod budget;
pub mod check;
pub mod classify;
pub mod cli;
pub mod clock;
pub mod config;
pub mod config_error;
pub mod confirm;
pub mod connect_check;
pub mod customer;
pub mod daemon;
pub mod directory;
pub mod event;
pub mod examine;
pub mod explain;
pub mod fault;
pub mod intake;
pub mod language;
pub mod learn;
pub mod lease;
pub mod leased;
pub mod locale;
pub mod localize;
pub mod mailbox_store;
pub mod mailboxes;
pub mod metrics;
pub mod money;
pub mod oauth;
pub mod ownership;
pub mod parse;
pub mod pattern;
pub mod plan;
pub mod policy;
pub mod render;
pub mod replay;
pub mod report;
pub mod run;
pub mod scenario;
pub mod screen;
pub mod send;
pub mod sender_auth;
pub mod service;
pub mod store;
pub mod tls;

/// An error and every `source()` under it on one line, `outer: cause: root cause`: what the
/// CLI prints, what the daemon logs, and what the ledger records as a reason.
pub fn error_chain(err: &dyn std::error::Error) -> String {
    let mut line = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        line.push_str(&format!(": {cause}"));
        source = cause.source();
    }
    line
}
