//! Reading the vendor's billing export (CSV) into [`Account`]s. Pure parsing, no store: the
//! whole file is checked before anything is imported, so a file with one bad row never leaves
//! the store half old and half new, and the operator sees every problem in one run.

use std::collections::HashMap;
use std::fmt;
use std::io::Read;
use std::path::Path;

use csv::StringRecord;
use jiff::civil::Date;

use crate::accounts::{Account, Payments, PlanKind, normalize_address};
use crate::money::{Currency, Money};

/// The columns every export must have, in any order; other columns are ignored so that a
/// billing system's full export can be used as it is.
pub const REQUIRED_COLUMNS: [&str; 9] = [
    "account_id",
    "email",
    "name",
    "plan",
    "signed_up_on",
    "first_paid_on",
    "first_payment",
    "last_payment",
    "currency",
];

/// One problem in the file, located so the operator can fix it in a spreadsheet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CsvError {
    /// Physical line in the file (the header is line 1); `None` when the file as a whole
    /// could not be read.
    pub line: Option<u64>,
    /// The column at fault, when the problem is in one field.
    pub column: Option<String>,
    /// What was expected and what was found.
    pub message: String,
}

/// Every problem found in one file. Returned instead of any accounts: all or nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CsvErrors {
    /// The file as the operator named it.
    pub file: String,
    pub errors: Vec<CsvError>,
}

impl fmt::Display for CsvErrors {
    /// One `file:line: column: message` line per error, then a summary line.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for e in &self.errors {
            write!(f, "{}", self.file)?;
            if let Some(line) = e.line {
                write!(f, ":{line}")?;
            }
            if let Some(column) = &e.column {
                write!(f, ": {column}")?;
            }
            writeln!(f, ": {}", e.message)?;
        }
        let n = self.errors.len();
        let plural = if n == 1 { "" } else { "s" };
        write!(f, "{n} error{plural} in {}; nothing imported.", self.file)
    }
}

impl std::error::Error for CsvErrors {}

/// Reads and checks an accounts file.
///
/// # Errors
/// Every unreadable or invalid row (see [`read_from`]), or the file not opening.
pub fn read(path: &Path) -> Result<Vec<Account>, CsvErrors> {
    let name = path.display().to_string();
    match std::fs::File::open(path) {
        Ok(file) => read_from(&name, file),
        Err(e) => Err(CsvErrors {
            file: name,
            errors: vec![CsvError {
                line: None,
                column: None,
                message: format!("cannot open the file: {e}"),
            }],
        }),
    }
}

/// Reads and checks accounts from any reader; `name` labels the errors.
///
/// # Errors
/// All problems at once: a missing column, rows with the wrong number of fields, fields that
/// do not parse, payments inconsistent with `first_paid_on`, repeated account ids.
///
/// # Examples
/// ```
/// let csv = "account_id,email,name,plan,signed_up_on,first_paid_on,first_payment,last_payment,currency\n\
///            a1,Ann@Example.com;ann@work.example,Ann,monthly,2026-01-05,,,,USD\n";
/// let accounts = mailclerk::account_csv::read_from("accounts.csv", csv.as_bytes()).unwrap();
/// assert_eq!(accounts[0].emails, ["ann@example.com", "ann@work.example"]);
/// assert_eq!(accounts[0].paid, None); // never paid: in trial
/// ```
pub fn read_from(name: &str, reader: impl Read) -> Result<Vec<Account>, CsvErrors> {
    let fail = |errors| CsvErrors {
        file: name.to_string(),
        errors,
    };
    let mut csv = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(reader);
    let header = match csv.headers() {
        Ok(header) => header.clone(),
        Err(e) => return Err(fail(vec![from_csv_error(&e, &StringRecord::new())])),
    };
    let columns = Columns::find(&header).map_err(fail)?;
    let mut accounts = Vec::new();
    let mut errors = Vec::new();
    let mut first_line: HashMap<String, u64> = HashMap::new();
    for result in csv.records() {
        let record = match result {
            Ok(record) => record,
            Err(e) => {
                errors.push(from_csv_error(&e, &header));
                continue;
            }
        };
        let line = record.position().map_or(0, |p| p.line());
        if record.len() != header.len() {
            errors.push(CsvError {
                line: Some(line),
                column: None,
                message: format!(
                    "expected {} fields as in the header, found {}",
                    header.len(),
                    record.len()
                ),
            });
            continue;
        }
        let mut row = Row {
            columns: &columns,
            record: &record,
            line,
            errors: Vec::new(),
        };
        let id = row.field("account_id");
        if !id.is_empty() {
            if let Some(first) = first_line.get(id) {
                row.error(
                    "account_id",
                    format!(
                        "expected each account once, found {id:?} again (first on line {first})"
                    ),
                );
            } else {
                first_line.insert(id.to_string(), line);
            }
        }
        match row.account() {
            Some(account) if row.errors.is_empty() => accounts.push(account),
            _ => errors.append(&mut row.errors),
        }
    }
    if errors.is_empty() {
        Ok(accounts)
    } else {
        Err(fail(errors))
    }
}

/// Where each required column is in this file's header.
struct Columns(HashMap<&'static str, usize>);

impl Columns {
    fn find(header: &StringRecord) -> Result<Columns, Vec<CsvError>> {
        let mut found = HashMap::new();
        let mut errors = Vec::new();
        for name in REQUIRED_COLUMNS {
            let at: Vec<usize> = (0..header.len())
                .filter(|&i| header[i].eq_ignore_ascii_case(name))
                .collect();
            let message = match at.as_slice() {
                [i] => {
                    found.insert(name, *i);
                    continue;
                }
                [] => format!("expected a column named {name:?} in the header, found none"),
                many => format!("expected one column named {name:?}, found {}", many.len()),
            };
            errors.push(CsvError {
                line: Some(1),
                column: None,
                message,
            });
        }
        if errors.is_empty() {
            Ok(Columns(found))
        } else {
            Err(errors)
        }
    }
}

/// One data row being checked; errors collect instead of stopping at the first.
struct Row<'a> {
    columns: &'a Columns,
    record: &'a StringRecord,
    line: u64,
    errors: Vec<CsvError>,
}

impl Row<'_> {
    fn field(&self, column: &str) -> &str {
        self.columns
            .0
            .get(column)
            .and_then(|&i| self.record.get(i))
            .unwrap_or("")
    }

    fn error(&mut self, column: &str, message: String) {
        self.errors.push(CsvError {
            line: Some(self.line),
            column: Some(column.to_string()),
            message,
        });
    }

    /// Checks every field; `None` (with errors recorded) if any is wrong.
    fn account(&mut self) -> Option<Account> {
        let id = self.account_id();
        let emails = self.emails();
        let plan = self.plan();
        let signed_up_on = self.date("signed_up_on");
        let currency = self.currency();
        let paid = self.payments(currency, signed_up_on);
        Some(Account {
            id: id?,
            name: self.field("name").to_string(),
            emails: emails?,
            plan: plan?,
            signed_up_on: signed_up_on?,
            paid: paid?,
            currency: currency?,
        })
    }

    fn account_id(&mut self) -> Option<String> {
        let id = self.field("account_id");
        if id.is_empty() {
            self.error("account_id", "expected an account id, found nothing".into());
            return None;
        }
        Some(id.to_string())
    }

    fn emails(&mut self) -> Option<Vec<String>> {
        let text = self.field("email").to_string();
        let mut emails: Vec<String> = Vec::new();
        let mut ok = true;
        for part in text.split(';').map(str::trim).filter(|p| !p.is_empty()) {
            if !looks_like_address(part) {
                self.error(
                    "email",
                    format!("expected an address such as \"ann@example.com\", found {part:?}"),
                );
                ok = false;
            } else if !emails.contains(&normalize_address(part)) {
                emails.push(normalize_address(part));
            }
        }
        if ok && emails.is_empty() {
            self.error(
                "email",
                "expected one or more addresses separated by \";\", found nothing".into(),
            );
        }
        (ok && !emails.is_empty()).then_some(emails)
    }

    fn plan(&mut self) -> Option<PlanKind> {
        let text = self.field("plan");
        let plan = PlanKind::parse(text);
        if plan.is_none() {
            let message = format!("expected \"monthly\" or \"annual\", found {}", found(text));
            self.error("plan", message);
        }
        plan
    }

    fn date(&mut self, column: &str) -> Option<Date> {
        let text = self.field(column).to_string();
        let shaped = text.len() == 10
            && text.bytes().enumerate().all(|(i, b)| {
                if i == 4 || i == 7 {
                    b == b'-'
                } else {
                    b.is_ascii_digit()
                }
            });
        let message = match text.parse::<Date>() {
            Ok(date) if shaped => return Some(date),
            _ if shaped => format!("expected a real calendar date, found {text:?}"),
            _ => format!("expected a date as YYYY-MM-DD, found {}", found(&text)),
        };
        self.error(column, message);
        None
    }

    fn currency(&mut self) -> Option<Currency> {
        let text = self.field("currency");
        let currency = Currency::from_code(text);
        if currency.is_none() {
            let message = format!(
                "expected an ISO 4217 currency code such as \"USD\", found {}",
                found(text)
            );
            self.error("currency", message);
        }
        currency
    }

    /// `Some(None)` for an account that never paid, `None` when something is wrong.
    fn payments(
        &mut self,
        currency: Option<Currency>,
        signed_up_on: Option<Date>,
    ) -> Option<Option<Payments>> {
        if self.field("first_paid_on").is_empty() {
            let mut ok = true;
            for column in ["first_payment", "last_payment"] {
                let text = self.field(column);
                if !text.is_empty() && !is_zero(text) {
                    let message = format!(
                        "expected empty or 0 because first_paid_on is empty (never paid), found {text:?}"
                    );
                    self.error(column, message);
                    ok = false;
                }
            }
            return ok.then_some(None);
        }
        let mut first_paid_on = self.date("first_paid_on");
        if let (Some(paid), Some(signed)) = (first_paid_on, signed_up_on)
            && paid < signed
        {
            let message =
                format!("expected a day on or after signed_up_on ({signed}), found \"{paid}\"");
            self.error("first_paid_on", message);
            first_paid_on = None;
        }
        let first_payment = self.money("first_payment", currency);
        let last_payment = self.money("last_payment", currency);
        Some(Some(Payments {
            first_paid_on: first_paid_on?,
            first_payment: first_payment?,
            last_payment: last_payment?,
        }))
    }

    /// An amount required because the account has paid; unchecked while the currency is unknown
    /// (that error is already reported, and the amount's decimals depend on it).
    fn money(&mut self, column: &str, currency: Option<Currency>) -> Option<Money> {
        let text = self.field(column).to_string();
        if text.is_empty() {
            self.error(
                column,
                "expected an amount because first_paid_on is set, found nothing".into(),
            );
            return None;
        }
        match Money::parse(&text, currency?) {
            Ok(money) => Some(money),
            Err(e) => {
                self.error(column, e.to_string());
                None
            }
        }
    }
}

/// One '@', something on both sides, no spaces: enough to catch a column mix-up or a typo
/// without pretending to validate RFC 5322.
fn looks_like_address(text: &str) -> bool {
    match text.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && !domain.is_empty()
                && !domain.contains('@')
                && !text.chars().any(char::is_whitespace)
        }
        None => false,
    }
}

/// `0`, `0.00`, `000`: what billing exports write for "no charge".
fn is_zero(text: &str) -> bool {
    let (int, frac) = text.split_once('.').unwrap_or((text, ""));
    !int.is_empty() && int.bytes().all(|b| b == b'0') && frac.bytes().all(|b| b == b'0')
}

fn found(text: &str) -> String {
    if text.is_empty() {
        "nothing".to_string()
    } else {
        format!("{text:?}")
    }
}

fn from_csv_error(e: &csv::Error, header: &StringRecord) -> CsvError {
    let line = e.position().map(|p| p.line());
    match e.kind() {
        csv::ErrorKind::Utf8 { err, .. } => CsvError {
            line,
            column: header.get(err.field()).map(str::to_string),
            message: "expected UTF-8 text, found invalid bytes".into(),
        },
        _ => CsvError {
            line,
            column: None,
            message: format!("cannot read the file: {e}"),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "account_id,email,name,plan,signed_up_on,first_paid_on,first_payment,last_payment,currency\n";

    fn parse(rows: &str) -> Result<Vec<Account>, CsvErrors> {
        read_from("accounts.csv", format!("{HEADER}{rows}").as_bytes())
    }

    fn errors(rows: &str) -> String {
        match parse(rows) {
            Ok(accounts) => panic!("accepted: {accounts:?}"),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn reads_paid_and_trial_accounts() {
        let accounts = parse(
            "a1, Ann@Example.com ; ann@work.example ;,\"Ann, Ltd\",Monthly,2026-01-05,2026-01-19,49.00,49,usd\n\
             t2,tom@example.com,Tom,annual,2026-02-01,,0.00,,JPY\n",
        )
        .unwrap();
        let usd = Currency::from_code("USD").unwrap();
        assert_eq!(
            accounts[0],
            Account {
                id: "a1".into(),
                name: "Ann, Ltd".into(),
                emails: vec!["ann@example.com".into(), "ann@work.example".into()],
                plan: PlanKind::Monthly,
                signed_up_on: jiff::civil::date(2026, 1, 5),
                paid: Some(Payments {
                    first_paid_on: jiff::civil::date(2026, 1, 19),
                    first_payment: Money::from_minor(4900, usd),
                    last_payment: Money::from_minor(4900, usd),
                }),
                currency: usd,
            }
        );
        assert_eq!(
            (
                accounts[1].plan,
                accounts[1].paid,
                accounts[1].currency.code()
            ),
            (PlanKind::Annual, None, "JPY")
        );
    }

    #[test]
    fn columns_in_any_order_and_extra_ones_ignored() {
        let csv = "currency,Plan,note,last_payment,first_payment,first_paid_on,signed_up_on,name,email,account_id\n\
                   EUR,annual,vip,99.00,120.00,2026-01-01,2026-01-01,Eve,eve@example.com,e1\n";
        let accounts = read_from("x.csv", csv.as_bytes()).unwrap();
        let paid = accounts[0].paid.unwrap();
        assert_eq!(
            (paid.first_payment.minor(), paid.last_payment.minor()),
            (12000, 9900)
        );
    }

    #[test]
    fn collects_every_error_with_its_line_and_column() {
        for (row, want) in [
            (
                ",a@x.io,A,monthly,2026-01-01,,,,USD",
                "accounts.csv:2: account_id: expected an account id, found nothing",
            ),
            (
                "a,ax.io,A,monthly,2026-01-01,,,,USD",
                "accounts.csv:2: email: expected an address such as \"ann@example.com\", found \"ax.io\"",
            ),
            ("a,a@@x.io,A,monthly,2026-01-01,,,,USD", "found \"a@@x.io\""),
            (
                "a,a b@x.io,A,monthly,2026-01-01,,,,USD",
                "found \"a b@x.io\"",
            ),
            (
                "a,;,A,monthly,2026-01-01,,,,USD",
                "email: expected one or more addresses separated by \";\", found nothing",
            ),
            (
                "a,a@x.io,A,weekly,2026-01-01,,,,USD",
                "plan: expected \"monthly\" or \"annual\", found \"weekly\"",
            ),
            (
                "a,a@x.io,A,monthly,01/02/2026,,,,USD",
                "signed_up_on: expected a date as YYYY-MM-DD, found \"01/02/2026\"",
            ),
            (
                "a,a@x.io,A,monthly,2026-02-30,,,,USD",
                "signed_up_on: expected a real calendar date, found \"2026-02-30\"",
            ),
            (
                "a,a@x.io,A,monthly,2026-01-01,,,,XYZ",
                "currency: expected an ISO 4217 currency code such as \"USD\", found \"XYZ\"",
            ),
            (
                "a,a@x.io,A,monthly,2026-01-01,,49.00,,USD",
                "first_payment: expected empty or 0 because first_paid_on is empty (never paid), found \"49.00\"",
            ),
            (
                "a,a@x.io,A,monthly,2026-01-01,2026-01-01,,49,USD",
                "first_payment: expected an amount because first_paid_on is set, found nothing",
            ),
            (
                "a,a@x.io,A,monthly,2026-01-01,2026-01-01,49,\"49,00\",USD",
                "accounts.csv:2: last_payment: expected a decimal amount such as \"49.00\", found \"49,00\"",
            ),
            (
                "a,a@x.io,A,monthly,2026-01-01,2026-01-01,49.001,49,USD",
                "first_payment: \"49.001\" has more decimals than USD allows (2)",
            ),
            (
                "a,a@x.io,A,monthly,2026-02-01,2026-01-31,49,49,USD",
                "first_paid_on: expected a day on or after signed_up_on (2026-02-01), found \"2026-01-31\"",
            ),
            (
                "a,a@x.io,A,monthly,2026-01-01,,,USD",
                "accounts.csv:2: expected 9 fields as in the header, found 8",
            ),
        ] {
            let text = errors(&format!("{row}\n"));
            assert!(text.contains(want), "{row}\n got: {text}\nwant: {want}");
            assert!(
                text.ends_with("1 error in accounts.csv; nothing imported."),
                "{row}: {text}"
            );
        }
    }

    #[test]
    fn reports_all_rows_and_several_errors_per_row() {
        let text = errors(
            "a1,a@x.io,A,monthly,2026-01-01,,,,USD\n\
             a2,bad,A,weekly,2026-01-01,,,,USD\n\
             a1,c@x.io,C,monthly,2026-01-01,,,,USD\n",
        );
        insta::assert_snapshot!(text, @r#"
        accounts.csv:3: email: expected an address such as "ann@example.com", found "bad"
        accounts.csv:3: plan: expected "monthly" or "annual", found "weekly"
        accounts.csv:4: account_id: expected each account once, found "a1" again (first on line 2)
        3 errors in accounts.csv; nothing imported.
        "#);
    }

    #[test]
    fn quoted_newlines_keep_physical_line_numbers() {
        let text = errors(
            "a1,a@x.io,\"two\nlines\",monthly,2026-01-01,,,,USD\na2,a@x.io,B,monthly,2026-13-01,,,,USD\n",
        );
        assert!(text.starts_with("accounts.csv:4: signed_up_on:"), "{text}");
    }

    #[test]
    fn missing_and_repeated_columns_are_named() {
        let text = read_from("a.csv", "account_id,email,EMAIL,name,plan\n".as_bytes())
            .unwrap_err()
            .to_string();
        assert!(
            text.contains("a.csv:1: expected one column named \"email\", found 2"),
            "{text}"
        );
        for column in [
            "signed_up_on",
            "first_paid_on",
            "first_payment",
            "last_payment",
            "currency",
        ] {
            assert!(
                text.contains(&format!(
                    "expected a column named {column:?} in the header, found none"
                )),
                "{text}"
            );
        }
        assert!(
            text.ends_with("6 errors in a.csv; nothing imported."),
            "{text}"
        );
    }

    #[test]
    fn invalid_utf8_is_reported_and_reading_goes_on() {
        let mut bytes = HEADER.as_bytes().to_vec();
        bytes.extend_from_slice(
            b"a1,a@x.io,\xff,monthly,2026-01-01,,,,USD\na2,b@x.io,B,weekly,2026-01-01,,,,USD\n",
        );
        let text = read_from("u.csv", bytes.as_slice())
            .unwrap_err()
            .to_string();
        assert!(
            text.contains("u.csv:2: name: expected UTF-8 text, found invalid bytes"),
            "{text}"
        );
        assert!(text.contains("u.csv:3: plan:"), "{text}");
    }

    #[test]
    fn empty_file_and_unopenable_file() {
        assert!(
            read_from("e.csv", "".as_bytes()).unwrap_err().errors.len() == REQUIRED_COLUMNS.len()
        );
        assert!(parse("").unwrap().is_empty());
        let e = read(Path::new("/nonexistent/accounts.csv")).unwrap_err();
        assert_eq!(
            (e.errors[0].line, e.file.as_str()),
            (None, "/nonexistent/accounts.csv")
        );
    }
}
