//! What was expected and what was found, in plain words instead of serde's and jiff's.

use std::fmt;

use serde::de::{self, Visitor};
use toml::de::DeValue;

/// What a visitor says it expects, as text.
pub(super) fn describe<'a, V: Visitor<'a>>(visitor: &V) -> String {
    struct Expecting<'v, V>(&'v V);
    impl<'a, V: Visitor<'a>> fmt::Display for Expecting<'_, V> {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            self.0.expecting(f)
        }
    }
    Expecting(visitor).to_string()
}

/// A TOML value as a person would name it.
pub(super) fn found(v: &DeValue<'_>) -> String {
    match v {
        DeValue::String(s) => format!("the text {:?}", s.as_ref()),
        DeValue::Integer(i) => format!("the whole number {}", i.as_str()),
        DeValue::Float(f) => format!("the number {}", f.as_str()),
        DeValue::Boolean(b) => format!("the value {b}"),
        DeValue::Datetime(d) => format!("the date {d}"),
        DeValue::Array(_) => "a list".into(),
        DeValue::Table(_) => "a table".into(),
    }
}

pub(super) fn plain_unexpected(u: &de::Unexpected<'_>) -> String {
    use de::Unexpected as U;
    match u {
        U::Str(s) => format!("the text {s:?}"),
        U::Unsigned(n) => format!("the whole number {n}"),
        U::Signed(n) => format!("the whole number {n}"),
        U::Float(n) => format!("the number {n}"),
        U::Bool(b) => format!("the value {b}"),
        U::Seq => "a list".into(),
        U::Map => "a table".into(),
        other => other.to_string(),
    }
}

/// serde's and its implementors' names for what they expect, in plain words.
pub(super) fn plain_expected(e: &str) -> String {
    match e {
        "u8" | "u16" | "u32" | "u64" | "u128" | "usize" => "a whole number, 0 or more".into(),
        "i8" | "i16" | "i32" | "i64" | "i128" | "isize" => "a whole number".into(),
        "f32" | "f64" => "a number".into(),
        "a string" | "string" | "a borrowed string" | "path string" => "text in quotes".into(),
        "a boolean" => "true or false".into(),
        "a sequence" => "a list in square brackets".into(),
        "a map" => "a table".into(),
        e if e.contains("date") || e.contains("Date") => "a date such as \"2026-12-24\"".into(),
        e if e.contains("timestamp") || e.contains("Timestamp") => {
            "a time such as \"2026-12-24T09:00:00Z\"".into()
        }
        e => e.to_string(),
    }
}

/// Known library wording, in plain words; anything else as it is.
pub(super) fn plain_reason(m: &str) -> String {
    // jiff: "parameter 'day' for 2026-02 is invalid, must be in range 1..=28"
    if let Some(rest) = m.split("parameter 'day' for ").nth(1)
        && let Some((month, range)) = rest.split_once(" is invalid, must be in range ")
    {
        let last = range.rsplit("..=").next().unwrap_or(range);
        let last: String = last.chars().take_while(char::is_ascii_digit).collect();
        return format!("{} has only {last} days", month.trim_matches('`'));
    }
    // jiff's parser's account of where a date went wrong: the value itself says more.
    if m.starts_with("failed to parse") {
        return String::new();
    }
    if let Some((_, rest)) = m.split_once("parameter '")
        && let Some((name, _)) = rest.split_once('\'')
    {
        return format!("the {name} is out of range");
    }
    m.to_string()
}

pub(super) fn one_of(names: &[&str]) -> String {
    let quoted: Vec<String> = names.iter().map(|n| format!("{n:?}")).collect();
    match quoted.as_slice() {
        [] => "nothing (no value is allowed)".into(),
        [one] => one.clone(),
        [init @ .., last] => format!("one of {} or {last}", init.join(", ")),
    }
}

pub(super) fn unknown_key(key: &str, known: &[&str]) -> String {
    let close = known
        .iter()
        .filter(|k| edit_distance(key, k) <= 2)
        .min_by_key(|k| edit_distance(key, k));
    match close {
        Some(k) => format!(
            "unknown key; did you mean {k}? (keys here: {})",
            known.join(", ")
        ),
        None => format!("unknown key; expected one of {}", known.join(", ")),
    }
}

pub(super) fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != *cb)).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}
