//! `mailclerk report`: one self-contained HTML page with the period's answers per day by
//! outcome, hand-offs by reason, latency percentiles and refunds by amount, read from each
//! mailbox's store read-only (a running daemon is not disturbed).

pub mod chart;
pub mod data;
pub mod page;

use std::path::{Path, PathBuf};

use jiff::{SignedDuration, Timestamp};

use crate::config::Config;
use crate::store;

/// Why no report was written.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("no mailbox named {0:?} in the configuration")]
    NoMailbox(String),
    #[error("mailbox {mailbox}: the store cannot be read")]
    Store {
        mailbox: String,
        #[source]
        source: store::Error,
    },
    #[error(transparent)]
    Chart(#[from] chart::ChartError),
    #[error("cannot write {path}")]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// A `--since` that is neither a span nor a date.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("expected a span such as 7d, 36h or 90m, or a date such as 2026-11-30, found {0:?}")]
pub struct BadSince(pub String);

/// Reads `--since`: a span back from `now` (`7d`, `36h`, `90m`) or a UTC date or time
/// (`2026-11-30`, `2026-11-30T08:00:00Z`).
///
/// # Errors
/// Text that is neither, in plain words.
pub fn parse_since(text: &str, now: Timestamp) -> Result<Timestamp, BadSince> {
    let text = text.trim();
    let expected = || BadSince(text.to_string());
    if let Some(unit) = text.chars().last().filter(|c| c.is_ascii_alphabetic())
        && let Ok(n) = text[..text.len() - 1].parse::<i64>()
    {
        let secs = match unit {
            'd' => 86400,
            'h' => 3600,
            'm' => 60,
            _ => return Err(expected()),
        };
        if n <= 0 {
            return Err(expected());
        }
        let span = n.checked_mul(secs).ok_or_else(expected)?;
        return now
            .checked_sub(SignedDuration::from_secs(span))
            .map_err(|_| expected());
    }
    if let Ok(t) = text.parse::<Timestamp>() {
        return Ok(t);
    }
    text.parse::<jiff::civil::Date>()
        .ok()
        .and_then(|d| d.to_zoned(jiff::tz::TimeZone::UTC).ok())
        .map(|z| z.timestamp())
        .ok_or_else(expected)
}

/// Writes the report for `mailbox` (or every mailbox) over `[since, now]` to `out`; returns a
/// one-line summary for the terminal.
///
/// # Errors
/// An unknown mailbox, a store that cannot be read, a chart that cannot be drawn, or an
/// unwritable `out`.
pub fn write(
    cfg: &Config,
    mailbox: Option<&str>,
    since: Timestamp,
    now: Timestamp,
    out: &Path,
) -> Result<String, Error> {
    let chosen: Vec<_> = match mailbox {
        Some(name) => vec![
            cfg.mailbox(name)
                .ok_or_else(|| Error::NoMailbox(name.into()))?,
        ],
        None => cfg.mailboxes.iter().collect(),
    };
    let mut rows = Vec::new();
    let mut notes = Vec::new();
    for m in &chosen {
        if !crate::mailbox_store::exists(m) {
            notes.push(format!(
                "Mailbox {} has no store yet ({}): it has handled nothing.",
                m.name,
                m.store.display()
            ));
            continue;
        }
        let read = |source| Error::Store {
            mailbox: m.name.clone(),
            source,
        };
        let store = crate::mailbox_store::open_read_only(m).map_err(read)?;
        rows.extend(store.report_rows(since).map_err(read)?);
    }
    let summary = data::summarize(&rows, since, now);
    let charts = page::Charts {
        per_day: chart::per_day(&summary)?,
        handoffs: chart::handoffs(&summary)?,
        latency: chart::latency(&summary)?,
        refunds: chart::refunds(&summary)?,
    };
    let names: Vec<String> = chosen.iter().map(|m| m.name.clone()).collect();
    let html = page::render(&summary, &names, &notes, &charts);
    std::fs::write(out, html).map_err(|source| Error::Write {
        path: out.to_path_buf(),
        source,
    })?;
    Ok(format!(
        "{} messages from {} mailbox(es) since {}; report written to {}",
        summary.total,
        names.len(),
        since.strftime("%Y-%m-%d %H:%M UTC"),
        out.display()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn since_reads_spans_and_dates_or_says_what_it_expected() {
        let now: Timestamp = "2026-12-07T12:00:00Z".parse().unwrap();
        for (text, want) in [
            ("7d", Some("2026-11-30T12:00:00Z")),
            ("36h", Some("2026-12-06T00:00:00Z")),
            ("90m", Some("2026-12-07T10:30:00Z")),
            ("2026-11-30", Some("2026-11-30T00:00:00Z")),
            ("2026-11-30T08:00:00Z", Some("2026-11-30T08:00:00Z")),
            ("7w", None),
            ("0d", None),
            ("-3d", None),
            ("a week", None),
            ("", None),
        ] {
            let got = parse_since(text, now);
            match want {
                Some(w) => assert_eq!(got, Ok(w.parse().unwrap()), "{text:?}"),
                None => assert!(
                    got.unwrap_err().to_string().contains("expected a span"),
                    "{text:?}"
                ),
            }
        }
    }
}
