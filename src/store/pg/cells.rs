//! Reading a row's cells: the one mapping from PostgreSQL rows to the store's values. A cell
//! of the wrong type, or a ledger state this mailclerk does not know, is corruption, named
//! with its table and key (never a panic).

use std::borrow::Cow;

use jiff::Timestamp;
use postgres::Row;
use postgres::types::FromSql;

use crate::store::{Error, LedgerRow, LedgerState, parse_state, stamp};

/// One row of `table`, with the key its errors name.
pub(super) struct Cells<'a> {
    row: &'a Row,
    table: &'static str,
    key: Cow<'a, str>,
}

impl<'a> Cells<'a> {
    /// The row of `table` whose key the caller knows.
    pub fn new(row: &'a Row, table: &'static str, key: &'a str) -> Cells<'a> {
        Cells {
            row,
            table,
            key: Cow::Borrowed(key),
        }
    }

    /// A row whose first column is its key (a message-id, a folder...).
    pub fn keyed(row: &'a Row, table: &'static str) -> Cells<'a> {
        let key: String = row.try_get(0).unwrap_or_default();
        Cells {
            row,
            table,
            key: Cow::Owned(key),
        }
    }

    pub fn key(&self) -> &str {
        &self.key
    }

    pub fn at<T: FromSql<'a>>(&self, i: usize) -> Result<T, Error> {
        self.row
            .try_get(i)
            .map_err(|e| self.corrupt(format!("column {i}: {e}")))
    }

    /// Cell `i` read as a ledger state.
    pub fn state(&self, i: usize) -> Result<LedgerState, Error> {
        let state: String = self.at(i)?;
        parse_state(&state, &self.key)
    }

    pub fn corrupt(&self, problem: String) -> Error {
        Error::Corrupt {
            table: self.table,
            key: self.key.to_string(),
            problem,
        }
    }
}

/// Cell `i` of `row` in `table`, a wrong type named as corruption (never a panic).
pub(super) fn col<'a, T: FromSql<'a>>(
    row: &'a Row,
    i: usize,
    table: &'static str,
) -> Result<T, Error> {
    Cells::new(row, table, "?").at(i)
}

/// A ledger row from the first eleven columns of `row` (message_id, origin, received, state,
/// action, intent, account_id, reason, reply_message_id, reply_to, updated_at).
pub(super) fn ledger_row(row: &Row) -> Result<LedgerRow, Error> {
    let c = Cells::keyed(row, "ledger");
    let updated: Timestamp = c.at(10)?;
    Ok(LedgerRow {
        message_id: c.key().to_string(),
        origin: c.at(1)?,
        received: c.at(2)?,
        state: c.state(3)?,
        action: c.at(4)?,
        intent: c.at(5)?,
        account_id: c.at(6)?,
        reason: c.at(7)?,
        reply_message_id: c.at(8)?,
        reply_to: c.at(9)?,
        updated_at: stamp(updated),
    })
}
