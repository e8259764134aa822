//! Accounts in the store: the import, the lookups matching uses, and each account's history
//! (the days we were in contact and the earlier answers).

use jiff::civil::Date;
use rusqlite::{Connection, ErrorCode, TransactionBehavior, params};

use super::{Cached, During, Error, Sqlite, corrupt, parse_date};
use crate::accounts::{Account, Payments, PlanKind, normalize_address};
use crate::money::{Currency, Money};
use crate::policy::History;

/// What an import changed, for the operator's summary line.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ImportReport {
    pub inserted: usize,
    pub updated: usize,
    pub unchanged: usize,
}

impl Sqlite {
    /// Upserts accounts by id in one transaction: a re-import updates changed rows and
    /// replaces their address lists; accounts missing from `accounts` are kept, since earlier
    /// answers and contact history refer to them.
    ///
    /// # Errors
    /// A payment in another currency than its account's, or a failed write (then nothing of
    /// this import is kept).
    pub fn import_accounts(&mut self, accounts: &[Account]) -> Result<ImportReport, Error> {
        let what = || format!("importing {} accounts", accounts.len());
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .during(what)?;
        let mut report = ImportReport::default();
        for account in accounts {
            let account = canonical(account)?;
            match load_account(&tx, &account.id) {
                Ok(Some(old)) if old == account => report.unchanged += 1,
                Ok(None) => {
                    write_account(&tx, &account)?;
                    report.inserted += 1;
                }
                // A corrupt row is replaced by the fresh one: re-importing is the repair.
                Ok(Some(_)) | Err(Error::Corrupt { .. }) => {
                    write_account(&tx, &account)?;
                    report.updated += 1;
                }
                Err(e) => return Err(e),
            }
        }
        tx.commit().during(what)?;
        Ok(report)
    }

    /// Every account listing `email` (compared normalized), ordered by id. Several means the
    /// matcher must not guess.
    ///
    /// # Errors
    /// A failed query or a corrupt account row.
    pub fn accounts_for(&self, email: &str) -> Result<Vec<Account>, Error> {
        let wanted = normalize_address(email);
        let what = || format!("looking up accounts for {wanted:?}");
        // Sorted and deduplicated here: see `load_account`.
        let mut ids = self
            .conn
            .cached_strings(
                "SELECT account_id FROM account_email WHERE email = ?1",
                [&wanted],
            )
            .during(what)?;
        ids.sort_unstable();
        ids.dedup();
        load_accounts(&self.conn, &ids)
    }

    /// How many accounts the store holds (for `accounts import` and the startup log).
    ///
    /// # Errors
    /// A failed query.
    pub fn account_count(&self) -> Result<usize, Error> {
        let n: i64 = self
            .conn
            .cached_row("SELECT count(*) FROM account", [], |row| row.get(0))
            .during(|| "counting accounts".into())?;
        Ok(usize::try_from(n).unwrap_or(0))
    }

    /// The latest recorded contact with the account, on which the policy's "after
    /// communicating with us" clauses depend, and the earlier answers the history rule
    /// holds a new decision against (`past.rs`).
    ///
    /// # Errors
    /// A failed query or a stored day that is not a date.
    pub fn history(&self, account_id: &str) -> Result<History, Error> {
        // The latest day found here, not by max(): see `load_account`.
        let what = || format!("reading the history of account {account_id:?}");
        let latest = self
            .conn
            .cached_strings(
                "SELECT on_day FROM contact WHERE account_id = ?1",
                [account_id],
            )
            .during(what)?
            .into_iter()
            .max();
        let prior_contact_on = latest
            .map(|day| parse_date(&day, "contact", account_id))
            .transpose()?;
        let (cancelled, refunded) = self.earlier_answers(account_id)?;
        Ok(History {
            prior_contact_on,
            cancelled,
            refunded,
        })
    }

    /// Records that we answered `message_id` for this account on day `on`. Recording the same
    /// message again replaces its day rather than counting twice.
    ///
    /// # Errors
    /// [`Error::UnknownAccount`] if the account was never imported, or a failed write.
    pub fn record_contact(
        &mut self,
        account_id: &str,
        on: Date,
        message_id: &str,
    ) -> Result<(), Error> {
        let result = self.conn.cached_execute(
            "INSERT INTO contact (account_id, message_id, on_day) VALUES (?1, ?2, ?3)
             ON CONFLICT (account_id, message_id) DO UPDATE SET on_day = excluded.on_day",
            params![account_id, message_id, on.to_string()],
        );
        match result {
            Err(e) if e.sqlite_error_code() == Some(ErrorCode::ConstraintViolation) => {
                Err(Error::UnknownAccount {
                    account_id: account_id.to_string(),
                })
            }
            other => other
                .map(drop)
                .during(|| format!("recording contact with {account_id:?} for <{message_id}>")),
        }
    }
}

/// The account as stored: addresses normalized and deduplicated, payments in its currency.
pub(super) fn canonical(account: &Account) -> Result<Account, Error> {
    let mut emails: Vec<String> = Vec::new();
    for email in account.emails.iter().map(|e| normalize_address(e)) {
        if !email.is_empty() && !emails.contains(&email) {
            emails.push(email);
        }
    }
    if let Some(paid) = &account.paid {
        for money in [paid.first_payment, paid.last_payment] {
            if money.currency() != account.currency {
                return Err(Error::Invalid {
                    account_id: account.id.clone(),
                    problem: format!(
                        "a payment is in {}, the account in {}",
                        money.currency(),
                        account.currency
                    ),
                });
            }
        }
    }
    Ok(Account {
        emails,
        ..account.clone()
    })
}

pub(super) fn write_account(conn: &Connection, a: &Account) -> Result<(), Error> {
    let what = || format!("writing account {:?}", a.id);
    conn.cached_execute(
        "INSERT INTO account (id, name, plan, signed_up_on, currency, first_paid_on,
                              first_payment_minor, last_payment_minor)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
         ON CONFLICT (id) DO UPDATE SET name = excluded.name, plan = excluded.plan,
            signed_up_on = excluded.signed_up_on, currency = excluded.currency,
            first_paid_on = excluded.first_paid_on,
            first_payment_minor = excluded.first_payment_minor,
            last_payment_minor = excluded.last_payment_minor",
        params![
            a.id,
            a.name,
            a.plan.as_str(),
            a.signed_up_on.to_string(),
            a.currency.code(),
            a.paid.map(|p| p.first_paid_on.to_string()),
            a.paid.map(|p| p.first_payment.minor()),
            a.paid.map(|p| p.last_payment.minor()),
        ],
    )
    .during(what)?;
    conn.cached_execute("DELETE FROM account_email WHERE account_id = ?1", [&a.id])
        .during(what)?;
    let mut insert = conn
        .prepare_cached(
            "INSERT INTO account_email (account_id, position, email) VALUES (?1, ?2, ?3)",
        )
        .during(what)?;
    for (position, email) in a.emails.iter().enumerate() {
        insert
            .execute(params![a.id, position as i64, email])
            .during(what)?;
    }
    Ok(())
}

/// The accounts of `ids` that exist, in that order.
pub(super) fn load_accounts(conn: &Connection, ids: &[String]) -> Result<Vec<Account>, Error> {
    let mut accounts = Vec::new();
    for id in ids {
        accounts.extend(load_account(conn, id)?);
    }
    Ok(accounts)
}

pub(super) fn load_account(conn: &Connection, id: &str) -> Result<Option<Account>, Error> {
    let what = || format!("reading account {id:?}");
    let mut stmt = conn
        .prepare_cached(
            "SELECT name, plan, signed_up_on, currency, first_paid_on, first_payment_minor,
                    last_payment_minor FROM account WHERE id = ?1",
        )
        .during(what)?;
    let mut rows = stmt.query([id]).during(what)?;
    let Some(row) = rows.next().during(what)? else {
        return Ok(None);
    };
    let row = AccountRow::read(row).map_err(|e| corrupt("account", id, e.to_string()))?;
    drop(rows);
    // Ordered here, not by ORDER BY: this SQLite prepares a statement that sorts (or takes a
    // min or max) again at every run, which costs more than the lookup itself (BENCHMARKS.md).
    let mut emails_stmt = conn
        .prepare_cached("SELECT position, email FROM account_email WHERE account_id = ?1")
        .during(what)?;
    let mut emails = emails_stmt
        .query_map([id], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))
        .during(what)?
        .collect::<rusqlite::Result<Vec<_>>>()
        .map_err(|e| corrupt("account_email", id, e.to_string()))?;
    emails.sort_unstable();
    let emails = emails.into_iter().map(|(_, email)| email).collect();
    row.into_account(id, emails).map(Some)
}

/// An account row's cells, read without interpreting them.
pub(super) struct AccountRow {
    pub name: String,
    pub plan: String,
    pub signed_up_on: String,
    pub currency: String,
    pub first_paid_on: Option<String>,
    pub first_payment: Option<i64>,
    pub last_payment: Option<i64>,
}

impl AccountRow {
    /// A cell of the wrong type can only come from corruption; the caller says so.
    fn read(row: &rusqlite::Row<'_>) -> rusqlite::Result<AccountRow> {
        Ok(AccountRow {
            name: row.get(0)?,
            plan: row.get(1)?,
            signed_up_on: row.get(2)?,
            currency: row.get(3)?,
            first_paid_on: row.get(4)?,
            first_payment: row.get(5)?,
            last_payment: row.get(6)?,
        })
    }

    pub(super) fn into_account(self, id: &str, emails: Vec<String>) -> Result<Account, Error> {
        let bad = |problem: String| corrupt("account", id, problem);
        let plan = PlanKind::parse(&self.plan)
            .ok_or_else(|| bad(format!("unknown plan {:?}", self.plan)))?;
        let currency = Currency::from_code(&self.currency)
            .ok_or_else(|| bad(format!("unknown currency {:?}", self.currency)))?;
        let paid = match (self.first_paid_on, self.first_payment, self.last_payment) {
            (None, _, _) => None,
            (Some(day), Some(first), Some(last)) => Some(Payments {
                first_paid_on: parse_date(&day, "account", id)?,
                first_payment: Money::from_minor(first, currency),
                last_payment: Money::from_minor(last, currency),
            }),
            (Some(_), _, _) => {
                return Err(bad("first_paid_on is set but a payment is missing".into()));
            }
        };
        Ok(Account {
            id: id.to_string(),
            name: self.name,
            emails,
            plan,
            signed_up_on: parse_date(&self.signed_up_on, "account", id)?,
            paid,
            currency,
        })
    }
}

/// Account lookups for matching a message (issue 3): by id, by name, and the whole match.
impl Sqlite {
    /// The account whose id is `id`, compared case-insensitively (customers write ids as they
    /// like).
    ///
    /// # Errors
    /// A failed query or a corrupt account row.
    pub fn account_by_id(&self, id: &str) -> Result<Option<Account>, Error> {
        let what = || format!("looking up account {id:?}");
        // The least id chosen here, not by SQL: see `load_account`.
        let found = self
            .conn
            .cached_strings(
                "SELECT id FROM account WHERE id = ?1 COLLATE NOCASE",
                [id.trim()],
            )
            .during(what)?
            .into_iter()
            .min();
        match found {
            Some(id) => load_account(&self.conn, &id),
            None => Ok(None),
        }
    }

    /// Every account whose name is `name` (ASCII case-insensitive), ordered by id.
    ///
    /// # Errors
    /// A failed query or a corrupt account row.
    pub fn accounts_named(&self, name: &str) -> Result<Vec<Account>, Error> {
        let what = || format!("looking up accounts named {name:?}");
        // Sorted here: see `load_account`.
        let mut ids = self
            .conn
            .cached_strings(
                "SELECT id FROM account WHERE name = ?1 COLLATE NOCASE",
                [name.trim()],
            )
            .during(what)?;
        ids.sort_unstable();
        load_accounts(&self.conn, &ids)
    }
}

#[cfg(test)]
mod tests {
    use crate::accounts::{Account, Payments, PlanKind};
    use crate::classify::Intent;
    use crate::confirm::Pending;
    use crate::money::{Currency, Money};
    use crate::store::testing::stores;
    use crate::store::{Error, ImportReport, LedgerAction, LedgerState, Outcome};
    use jiff::civil::date;

    fn account(id: &str, emails: &[&str]) -> Account {
        let usd = Currency::from_code("USD").unwrap();
        Account {
            id: id.into(),
            name: format!("Name of {id}"),
            emails: emails.iter().map(|e| e.to_string()).collect(),
            plan: PlanKind::Monthly,
            signed_up_on: date(2026, 1, 5),
            paid: (id == "b2").then(|| Payments {
                first_paid_on: date(2026, 1, 6),
                first_payment: Money::from_minor(1999, usd),
                last_payment: Money::from_minor(2999, usd),
            }),
            currency: usd,
        }
    }

    #[test]
    fn accounts_lookups_contact_and_earlier_answers() {
        for (kind, mut store) in stores("accounts_lookups") {
            eprintln!("backend: {kind}");
            let first = [
                account("a1", &["Ann@Example.com", "ann@old.example"]),
                account("b2", &["bob@example.com", "ann@example.com"]),
            ];
            let report = store.import_accounts(&first).unwrap();
            assert_eq!((report.inserted, report.updated), (2, 0));
            let again = store
                .import_accounts(&[account("a1", &["ann@example.com"]), account("c3", &[])])
                .unwrap();
            assert_eq!(
                again,
                ImportReport {
                    inserted: 1,
                    updated: 1,
                    unchanged: 0
                }
            );
            let ids = |v: Vec<Account>| v.into_iter().map(|a| a.id).collect::<Vec<_>>();
            assert_eq!(
                ids(store.accounts_for("ANN@example.com").unwrap()),
                ["a1", "b2"]
            );
            assert!(store.accounts_for("ann@old.example").unwrap().is_empty());
            assert_eq!(
                store.accounts_for("bob@example.com").unwrap(),
                [first[1].clone()]
            );
            assert_eq!(store.account_by_id(" A1 ").unwrap().unwrap().id, "a1");
            assert_eq!(store.account_by_id("zz").unwrap(), None);
            assert_eq!(ids(store.accounts_named("name of B2").unwrap()), ["b2"]);
            assert_eq!(store.account_count().unwrap(), 3);

            assert!(matches!(
                store.record_contact("nobody", date(2026, 3, 1), "m0@x"),
                Err(Error::UnknownAccount { .. })
            ));
            store
                .record_contact("a1", date(2026, 3, 1), "m1@x")
                .unwrap();
            store
                .record_contact("a1", date(2026, 2, 1), "m2@x")
                .unwrap();
            store
                .record_contact("a1", date(2026, 3, 4), "m1@x")
                .unwrap();
            let history = store.history("a1").unwrap();
            assert_eq!(history.prior_contact_on, Some(date(2026, 3, 4)));
            assert_eq!((history.cancelled, history.refunded), (None, None));

            let at = "2026-03-02T09:15:00Z".parse().unwrap();
            store.claim("m3@x", "o", at).unwrap();
            let granted = Outcome {
                account_id: Some("a1".into()),
                intent: Some("both".into()),
                decision_json: Some(
                    r#"{"refund":"granted","cancellation":"confirmed","cancellation_effective":"2026-03-31"}"#
                        .into(),
                ),
                ..Outcome::new(LedgerState::Sent, LedgerAction::Answer("refund_granted".into()))
            };
            store.record("m3@x", &granted).unwrap();
            let history = store.history("a1").unwrap();
            let refunded = history.refunded.expect("the granted refund");
            assert_eq!((refunded.received, refunded.intent), (at, Intent::Both));
            assert_eq!(
                history.cancelled.and_then(|c| c.effective),
                Some(date(2026, 3, 31))
            );
            assert_eq!(store.history("b2").unwrap().refunded, None);
        }
    }

    #[test]
    fn a_confirmation_is_used_by_one_message_only() {
        for (kind, mut store) in stores("confirmation_once") {
            eprintln!("backend: {kind}");
            let p = Pending {
                token: "t1".into(),
                request_message_id: "r@x".into(),
                account_id: "a1".into(),
                address: "ann@example.com".into(),
                intent: Intent::Cancellation,
                subject: "Cancel".into(),
                received: "2026-03-02T09:15:00Z".parse().unwrap(),
                created: "2026-03-02T09:16:00.250Z".parse().unwrap(),
                used_by: None,
            };
            store.open_confirmation(&p).unwrap();
            assert!(store.open_confirmation(&p).is_err(), "a token is kept once");
            assert_eq!(store.confirmation("t1").unwrap(), Some(p.clone()));
            assert_eq!(store.confirmation("t2").unwrap(), None);
            assert_eq!(
                store
                    .gauges(jiff::Timestamp::now())
                    .unwrap()
                    .pending_confirmations,
                1
            );
            assert!(store.use_confirmation("t1", "c1@x").unwrap());
            assert!(!store.use_confirmation("t1", "c2@x").unwrap());
            assert!(
                store.use_confirmation("t1", "c1@x").unwrap(),
                "a retry of the same"
            );
            store.forget_confirmation("t1").unwrap();
            let used = store
                .confirmation("t1")
                .unwrap()
                .expect("a used token is kept");
            assert_eq!(used.used_by.as_deref(), Some("c1@x"));
            assert_eq!(
                store
                    .gauges(jiff::Timestamp::now())
                    .unwrap()
                    .pending_confirmations,
                0
            );
        }
    }
}
