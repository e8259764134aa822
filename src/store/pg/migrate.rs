//! The PostgreSQL schema, as numbered migrations recorded in `mailclerk_schema`: each runs
//! once, in order, in one transaction with its record, at the start of any mailclerk that
//! finds it missing. A database migrated by a newer mailclerk (a version this one does not
//! know) is refused, never misread.
//!
//! The tables mirror the SQLite store's (schema 6), with the mailbox name first in every key:
//! times are `timestamptz`, days `date`, counts and money `bigint`, bytes `bytea`. The
//! uniqueness that makes a claim exactly-once is the ledger's primary key
//! `(mailbox, message_id)`, as SQLite's is `message_id` in a file of one mailbox.

use postgres::Client;

use super::Access;
use crate::store::{During, Error};

/// `(version, SQL)`, oldest first; a new schema change is a new entry, never an edit.
const MIGRATIONS: &[(i32, &str)] = &[(1, V1)];

/// The newest schema version this mailclerk knows.
pub const PG_SCHEMA_VERSION: i32 = 1;

const V1: &str = "
CREATE TABLE account (
    mailbox text NOT NULL,
    id text NOT NULL,
    name text NOT NULL,
    plan text NOT NULL,
    signed_up_on date NOT NULL,
    currency text NOT NULL,
    first_paid_on date,
    first_payment_minor bigint,
    last_payment_minor bigint,
    PRIMARY KEY (mailbox, id)
);
CREATE INDEX account_by_lower_id ON account (mailbox, lower(id));
CREATE INDEX account_by_lower_name ON account (mailbox, lower(name));
CREATE TABLE account_email (
    mailbox text NOT NULL,
    account_id text NOT NULL,
    position bigint NOT NULL,
    email text NOT NULL,
    PRIMARY KEY (mailbox, account_id, email),
    FOREIGN KEY (mailbox, account_id) REFERENCES account (mailbox, id) ON DELETE CASCADE
);
CREATE INDEX account_email_by_email ON account_email (mailbox, email);
CREATE TABLE contact (
    mailbox text NOT NULL,
    account_id text NOT NULL,
    message_id text NOT NULL,
    on_day date NOT NULL,
    PRIMARY KEY (mailbox, account_id, message_id),
    FOREIGN KEY (mailbox, account_id) REFERENCES account (mailbox, id)
);
CREATE TABLE ledger (
    mailbox text NOT NULL,
    message_id text NOT NULL,
    -- Insertion order, where SQLite has its rowid.
    seq bigint GENERATED ALWAYS AS IDENTITY,
    origin text NOT NULL,
    received timestamptz NOT NULL,
    state text NOT NULL,
    action text,
    intent text,
    account_id text,
    decision_json text,
    reply_message_id text,
    reply_to text,
    reason text,
    claimed_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    sent_at timestamptz,
    claimant text,
    attempted_at timestamptz,
    digest text,
    sending bytea,
    PRIMARY KEY (mailbox, message_id)
);
CREATE INDEX ledger_by_received ON ledger (mailbox, received, seq);
CREATE INDEX ledger_by_updated ON ledger (mailbox, updated_at, seq);
CREATE INDEX ledger_by_state ON ledger (mailbox, state);
CREATE INDEX ledger_by_account ON ledger (mailbox, account_id) WHERE account_id IS NOT NULL;
CREATE INDEX ledger_mailed_by_reply_to ON ledger (mailbox, reply_to, sent_at) WHERE sent_at IS NOT NULL;
CREATE INDEX ledger_mailed ON ledger (mailbox, sent_at) WHERE sent_at IS NOT NULL;
CREATE INDEX ledger_by_reply ON ledger (mailbox, reply_message_id) WHERE reply_message_id IS NOT NULL;
CREATE TABLE confirmation (
    mailbox text NOT NULL,
    token text NOT NULL,
    request_message_id text NOT NULL,
    account_id text NOT NULL,
    address text NOT NULL,
    intent text NOT NULL,
    subject text NOT NULL,
    request_received timestamptz NOT NULL,
    created_at timestamptz NOT NULL,
    used_by text,
    used_at timestamptz,
    PRIMARY KEY (mailbox, token)
);
CREATE TABLE sent_copy (
    mailbox text NOT NULL,
    message_id text NOT NULL,
    seq bigint GENERATED ALWAYS AS IDENTITY,
    folder text NOT NULL,
    bytes bytea NOT NULL,
    queued_at timestamptz NOT NULL,
    PRIMARY KEY (mailbox, message_id)
);
CREATE TABLE progress (
    mailbox text NOT NULL,
    folder text NOT NULL,
    uid_validity bigint NOT NULL,
    last_uid bigint NOT NULL,
    first_start timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    PRIMARY KEY (mailbox, folder)
);
CREATE TABLE billing (
    mailbox text NOT NULL,
    message_id text NOT NULL,
    idempotency_key text NOT NULL,
    target text NOT NULL,
    decision_sha256 text NOT NULL,
    body bytea NOT NULL,
    state text NOT NULL,
    attempts bigint NOT NULL DEFAULT 0,
    first_try_at timestamptz NOT NULL,
    last_try_at timestamptz,
    settled_at timestamptz,
    answer text,
    reply_attempted_at timestamptz,
    PRIMARY KEY (mailbox, message_id),
    UNIQUE (mailbox, idempotency_key)
);
CREATE TABLE audit (
    mailbox text NOT NULL,
    message_id text NOT NULL,
    -- The mailbox the decision named (SQLite's audit.mailbox).
    decided_for text NOT NULL,
    received timestamptz NOT NULL,
    decided_at timestamptz NOT NULL,
    trace text NOT NULL,
    PRIMARY KEY (mailbox, message_id)
);
CREATE TABLE reexamination (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    mailbox text NOT NULL,
    message_id text NOT NULL,
    trigger text NOT NULL,
    origin text NOT NULL,
    earlier_state text NOT NULL,
    earlier_action text,
    earlier_reason text,
    at timestamptz NOT NULL
);
CREATE INDEX reexamination_by_message ON reexamination (mailbox, message_id);
-- The lease tables agreed with the lease (issue 19): created here too, so that a fenced
-- write always finds the table it checks; IF NOT EXISTS, whoever comes first.
CREATE TABLE IF NOT EXISTS mailclerk_lease (
    mailbox text PRIMARY KEY,
    holder text NOT NULL,
    generation bigint NOT NULL,
    expires_at timestamptz NOT NULL
);
CREATE TABLE IF NOT EXISTS mailclerk_instance (
    instance text PRIMARY KEY,
    seen_at timestamptz NOT NULL
);
";

/// Brings the database to [`PG_SCHEMA_VERSION`] (read-write), after checking it is not newer.
pub(super) fn run(client: &mut Client, mailbox: &str, access: Access) -> Result<(), Error> {
    let what = || "migrating the PostgreSQL schema".to_string();
    if access == Access::ReadOnly {
        let found = current(client, &what)?;
        return match found {
            Some(v) if v > PG_SCHEMA_VERSION => Err(too_new(mailbox, v)),
            Some(_) => Ok(()),
            None => Err(Error::NotSetUp {
                mailbox: mailbox.to_string(),
            }),
        };
    }
    let mut tx = client.transaction().during(what)?;
    // Two mailclerks starting on a fresh database must not both create the schema.
    tx.batch_execute(
        "SELECT pg_advisory_xact_lock(1835100011, 0);
         CREATE TABLE IF NOT EXISTS mailclerk_schema (
             version integer PRIMARY KEY,
             applied_at timestamptz NOT NULL DEFAULT now()
         );",
    )
    .during(what)?;
    let found: i32 = tx
        .query_one(
            "SELECT coalesce(max(version), 0) FROM mailclerk_schema",
            &[],
        )
        .during(what)?
        .get(0);
    if found > PG_SCHEMA_VERSION {
        return Err(too_new(mailbox, found));
    }
    for (version, sql) in MIGRATIONS.iter().filter(|(v, _)| *v > found) {
        tx.batch_execute(sql)
            .during(|| format!("applying PostgreSQL schema migration {version}"))?;
        tx.execute(
            "INSERT INTO mailclerk_schema (version) VALUES ($1)",
            &[version],
        )
        .during(what)?;
        tracing::info!(mailbox, version, "applied PostgreSQL schema migration");
    }
    tx.commit().during(what)
}

fn current(client: &mut Client, what: &impl Fn() -> String) -> Result<Option<i32>, Error> {
    let exists: bool = client
        .query_one("SELECT to_regclass('mailclerk_schema') IS NOT NULL", &[])
        .during(what)?
        .get(0);
    if !exists {
        return Ok(None);
    }
    let row = client
        .query_one("SELECT max(version) FROM mailclerk_schema", &[])
        .during(what)?;
    Ok(row.get(0))
}

fn too_new(mailbox: &str, found: i32) -> Error {
    Error::DatabaseTooNew {
        mailbox: mailbox.to_string(),
        found: i64::from(found),
        known: i64::from(PG_SCHEMA_VERSION),
    }
}
