//! Accounts, their lookups and contact history in PostgreSQL (as `store::accounts`).

use jiff::civil::Date;
use postgres::GenericClient;
use postgres::error::SqlState;

use super::cells::{Cells, col};
use super::{Db, Pg};
use crate::accounts::{Account, normalize_address};
use crate::policy::History;
use crate::store::accounts::{AccountRow, canonical};
use crate::store::past::earlier_of;
use crate::store::{During, Error, ImportReport, corrupt, parse_date};

fn load_account<C: GenericClient>(db: &mut Db<'_, C>, id: &str) -> Result<Option<Account>, Error> {
    let mb = db.mailbox;
    let what = || format!("reading account {id:?}");
    let Some(row) = db
        .opt(
            "SELECT name, plan, signed_up_on::text, currency, first_paid_on::text,
                    first_payment_minor, last_payment_minor
             FROM account WHERE mailbox = $1 AND id = $2",
            &[&mb, &id],
        )
        .during(what)?
    else {
        return Ok(None);
    };
    let cells = Cells::new(&row, "account", id);
    let account = AccountRow {
        name: cells.at(0)?,
        plan: cells.at(1)?,
        signed_up_on: cells.at(2)?,
        currency: cells.at(3)?,
        first_paid_on: cells.at(4)?,
        first_payment: cells.at(5)?,
        last_payment: cells.at(6)?,
    };
    let emails = db
        .all(
            "SELECT email FROM account_email WHERE mailbox = $1 AND account_id = $2
             ORDER BY position",
            &[&mb, &id],
        )
        .during(what)?
        .iter()
        .map(|r| r.try_get(0))
        .collect::<Result<Vec<String>, _>>()
        .map_err(|e| corrupt("account_email", id, e.to_string()))?;
    account.into_account(id, emails).map(Some)
}

fn load_accounts<C: GenericClient>(
    db: &mut Db<'_, C>,
    ids: &[String],
) -> Result<Vec<Account>, Error> {
    let mut accounts = Vec::new();
    for id in ids {
        accounts.extend(load_account(db, id)?);
    }
    Ok(accounts)
}

fn write_account<C: GenericClient>(db: &mut Db<'_, C>, a: &Account) -> Result<(), Error> {
    let mb = db.mailbox;
    let what = || format!("writing account {:?}", a.id);
    db.exec(
        "INSERT INTO account (mailbox, id, name, plan, signed_up_on, currency, first_paid_on,
                              first_payment_minor, last_payment_minor)
         VALUES ($1, $2, $3, $4, $5::text::date, $6, $7::text::date, $8, $9)
         ON CONFLICT (mailbox, id) DO UPDATE SET name = excluded.name, plan = excluded.plan,
            signed_up_on = excluded.signed_up_on, currency = excluded.currency,
            first_paid_on = excluded.first_paid_on,
            first_payment_minor = excluded.first_payment_minor,
            last_payment_minor = excluded.last_payment_minor",
        &[
            &mb,
            &a.id,
            &a.name,
            &a.plan.as_str(),
            &a.signed_up_on.to_string(),
            &a.currency.code(),
            &a.paid.map(|p| p.first_paid_on.to_string()),
            &a.paid.map(|p| p.first_payment.minor()),
            &a.paid.map(|p| p.last_payment.minor()),
        ],
    )
    .during(what)?;
    db.exec(
        "DELETE FROM account_email WHERE mailbox = $1 AND account_id = $2",
        &[&mb, &a.id],
    )
    .during(what)?;
    for (position, email) in a.emails.iter().enumerate() {
        db.exec(
            "INSERT INTO account_email (mailbox, account_id, position, email)
             VALUES ($1, $2, $3, $4)",
            &[&mb, &a.id, &(position as i64), email],
        )
        .during(what)?;
    }
    Ok(())
}

/// The first column of every row, as text.
fn strings<C: GenericClient>(
    db: &mut Db<'_, C>,
    sql: &'static str,
    arg: &str,
    what: impl Fn() -> String,
) -> Result<Vec<String>, Error> {
    let mb = db.mailbox;
    db.all(sql, &[&mb, &arg])
        .during(what)?
        .iter()
        .map(|r| col(r, 0, "account"))
        .collect()
}

impl Pg {
    pub fn import_accounts(&mut self, accounts: &[Account]) -> Result<ImportReport, Error> {
        let what = || format!("importing {} accounts", accounts.len());
        self.write(what, false, |db| {
            let mut report = ImportReport::default();
            for account in accounts {
                let account = canonical(account)?;
                match load_account(db, &account.id) {
                    Ok(Some(old)) if old == account => report.unchanged += 1,
                    Ok(None) => {
                        write_account(db, &account)?;
                        report.inserted += 1;
                    }
                    // A corrupt row is replaced by the fresh one: re-importing is the repair.
                    Ok(Some(_)) | Err(Error::Corrupt { .. }) => {
                        write_account(db, &account)?;
                        report.updated += 1;
                    }
                    Err(e) => return Err(e),
                }
            }
            Ok(report)
        })
    }

    pub fn accounts_for(&self, email: &str) -> Result<Vec<Account>, Error> {
        let wanted = normalize_address(email);
        self.read(|db| {
            let mut ids = strings(
                db,
                "SELECT account_id FROM account_email WHERE mailbox = $1 AND email = $2",
                &wanted,
                || format!("looking up accounts for {wanted:?}"),
            )?;
            ids.sort_unstable();
            ids.dedup();
            load_accounts(db, &ids)
        })
    }

    pub fn account_by_id(&self, id: &str) -> Result<Option<Account>, Error> {
        self.read(|db| {
            // SQLite's COLLATE NOCASE folds ASCII letters only; so does this comparison.
            let found = strings(
                db,
                "SELECT id FROM account
                 WHERE mailbox = $1 AND lower(id) = lower($2)",
                id.trim(),
                || format!("looking up account {id:?}"),
            )?
            .into_iter()
            .filter(|found| found.eq_ignore_ascii_case(id.trim()))
            .min();
            match found {
                Some(id) => load_account(db, &id),
                None => Ok(None),
            }
        })
    }

    pub fn accounts_named(&self, name: &str) -> Result<Vec<Account>, Error> {
        self.read(|db| {
            let mb = db.mailbox;
            let mut ids: Vec<String> = Vec::new();
            let rows = db
                .all(
                    "SELECT id, name FROM account WHERE mailbox = $1 AND lower(name) = lower($2)",
                    &[&mb, &name.trim()],
                )
                .during(|| format!("looking up accounts named {name:?}"))?;
            for row in &rows {
                let (id, found): (String, String) =
                    (col(row, 0, "account")?, col(row, 1, "account")?);
                if found.eq_ignore_ascii_case(name.trim()) {
                    ids.push(id);
                }
            }
            ids.sort_unstable();
            load_accounts(db, &ids)
        })
    }

    pub fn account_count(&self) -> Result<usize, Error> {
        self.count(
            "SELECT count(*) FROM account WHERE mailbox = $1",
            &[],
            || "counting accounts".into(),
        )
    }

    pub fn history(&self, account_id: &str) -> Result<History, Error> {
        let what = || format!("reading the history of account {account_id:?}");
        self.read(|db| {
            let mb = db.mailbox;
            let latest: Option<String> = col(
                &db.one(
                    "SELECT max(on_day)::text FROM contact WHERE mailbox = $1 AND account_id = $2",
                    &[&mb, &account_id],
                )
                .during(what)?,
                0,
                "contact",
            )?;
            let prior_contact_on = latest
                .map(|day| parse_date(&day, "contact", account_id))
                .transpose()?;
            let rows = db
                .all(
                    "SELECT received, intent, decision_json FROM ledger
                     WHERE mailbox = $1 AND account_id = $2 AND state IN ('sent', 'drafted')
                       AND decision_json IS NOT NULL",
                    &[&mb, &account_id],
                )
                .during(|| format!("reading the earlier answers to account {account_id:?}"))?;
            // A row whose cells do not read is no answer to hold against, as in SQLite.
            let (cancelled, refunded) =
                earlier_of(rows.iter().filter_map(|r| {
                    Some((r.try_get(0).ok(), r.try_get(1).ok()?, r.try_get(2).ok()?))
                }));
            Ok(History {
                prior_contact_on,
                cancelled,
                refunded,
            })
        })
    }

    pub fn record_contact(
        &mut self,
        account_id: &str,
        on: Date,
        message_id: &str,
    ) -> Result<(), Error> {
        let what = || format!("recording contact with {account_id:?} for <{message_id}>");
        let result = self.write(what, false, |db| {
            let mb = db.mailbox;
            db.exec(
                "INSERT INTO contact (mailbox, account_id, message_id, on_day)
                 VALUES ($1, $2, $3, $4::text::date)
                 ON CONFLICT (mailbox, account_id, message_id)
                 DO UPDATE SET on_day = excluded.on_day",
                &[&mb, &account_id, &message_id, &on.to_string()],
            )
            .during(what)
        });
        match result {
            Err(Error::Postgres { source, .. })
                if source.code() == Some(&SqlState::FOREIGN_KEY_VIOLATION) =>
            {
                Err(Error::UnknownAccount {
                    account_id: account_id.to_string(),
                })
            }
            other => other.map(drop),
        }
    }
}
