//! The report `mailclerk run` prints over directory inboxes: one row per new message
//! (vendor, file, sender, intent, account, action, decision), then the counts.

use std::io::Write;

use crate::examine::{Row, RowAction};

/// Writes the table of a pass's rows, and the counts under it.
///
/// # Errors
/// The output cannot be written.
pub fn write_report(
    out: &mut dyn Write,
    rows: &[Row],
    already: usize,
    dry_run: bool,
) -> std::io::Result<()> {
    // The cells as text, the header first: vendor, file, sender, intent, account, action,
    // decision.
    let header = [
        "VENDOR", "MESSAGE", "SENDER", "INTENT", "ACCOUNT", "ACTION", "DECISION",
    ]
    .map(String::from);
    let all: Vec<[String; 7]> = std::iter::once(header)
        .chain(rows.iter().map(|r| {
            [
                r.vendor.clone(),
                r.file.clone(),
                r.sender.clone(),
                r.intent.clone(),
                r.account.clone(),
                r.action.to_string(),
                r.decision.clone(),
            ]
        }))
        .collect();
    let width = |i: usize| {
        all.iter()
            .map(|r| r[i].chars().count())
            .max()
            .unwrap_or(0)
            .min(40)
    };
    let w = [width(0), width(1), width(2), width(3), width(4), width(5)];
    for r in &all {
        writeln!(
            out,
            "{:w0$}  {:w1$}  {:w2$}  {:w3$}  {:w4$}  {:w5$}  {}",
            r[0],
            clip(&r[1], w[1]),
            clip(&r[2], w[2]),
            r[3],
            r[4],
            r[5],
            r[6],
            w0 = w[0],
            w1 = w[1],
            w2 = w[2],
            w3 = w[3],
            w4 = w[4],
            w5 = w[5]
        )?;
    }
    let count = |wanted: fn(&RowAction) -> bool| rows.iter().filter(|r| wanted(&r.action)).count();
    writeln!(
        out,
        "\n{} new message(s): {} answered, {} for people, {} skipped; {} handled before.{}",
        rows.len(),
        count(|a| *a == RowAction::Reply),
        count(|a| *a == RowAction::Review),
        count(|a| matches!(a, RowAction::Skip(_))),
        already,
        if dry_run {
            " Dry run: nothing sent or recorded."
        } else {
            ""
        }
    )
}

fn clip(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        return text.to_string();
    }
    let mut s: String = text.chars().take(width.saturating_sub(1)).collect();
    s.push('…');
    s
}
