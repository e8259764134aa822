//! Labelled messages (docs/classifier.md, "Data format"; also the dev corpus's format with
//! upper-case labels and a `language` field), and each as the mail the production path
//! parses.

use std::path::{Path, PathBuf};

use jiff::Timestamp;

use crate::classify::Reason;
use crate::classify::model::Class;
use crate::parse::{self, Inbound, RawMail};

use super::Error;

/// One labelled message.
#[derive(Debug, Clone)]
pub struct Row {
    pub id: String,
    pub lang: String,
    pub class: Class,
    pub reason: Option<Reason>,
    pub subject: String,
    pub body: String,
    pub html: bool,
}

#[cfg(test)]
impl Row {
    /// An English plain-text row for unit tests, subject "Hello".
    pub(crate) fn example(id: &str, class: Class, body: &str) -> Row {
        Row {
            id: id.into(),
            lang: "en".into(),
            class,
            reason: None,
            subject: "Hello".into(),
            body: body.into(),
            html: false,
        }
    }
}

/// Reads every row of a JSONL file; a bad line is an error naming file and line.
///
/// # Errors
/// An unreadable file, or a line that is not a labelled message.
pub fn read(path: &Path) -> Result<Vec<Row>, Error> {
    let text = std::fs::read_to_string(path).map_err(|source| Error::ReadFile {
        path: path.to_path_buf(),
        source,
    })?;
    let mut rows = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let row = parse_row(line, i).map_err(|e| Error::Line {
            path: path.to_path_buf(),
            line: i + 1,
            source: Box::new(e),
        })?;
        rows.push(row);
    }
    Ok(rows)
}

/// The `*.jsonl` files of a directory, sorted by name (so that training sees a fixed order).
///
/// # Errors
/// An unreadable directory, or one without such files.
pub fn files_in(dir: &Path) -> Result<Vec<PathBuf>, Error> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|source| Error::ReadDir {
            path: dir.to_path_buf(),
            source,
        })?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "jsonl"))
        .collect();
    files.sort();
    if files.is_empty() {
        return Err(Error::NoData {
            path: dir.to_path_buf(),
        });
    }
    Ok(files)
}

fn parse_row(line: &str, n: usize) -> Result<Row, Error> {
    let v: serde_json::Value = serde_json::from_str(line).map_err(Error::NotJson)?;
    let s = |k: &str| v.get(k).and_then(|x| x.as_str()).unwrap_or("").to_string();
    let label = s("label");
    let class = Class::parse(&label).ok_or_else(|| Error::Label {
        label: label.clone(),
    })?;
    let reason = match v.get("reason").and_then(|x| x.as_str()) {
        None | Some("") => None,
        Some(r) => Some(Reason::parse(r).ok_or_else(|| Error::Reason {
            reason: r.to_string(),
        })?),
    };
    let lang = [s("lang"), s("language")]
        .into_iter()
        .find(|l| !l.is_empty())
        .unwrap_or_else(|| "und".into());
    Ok(Row {
        id: Some(s("id"))
            .filter(|i| !i.is_empty())
            .unwrap_or_else(|| format!("line{}", n + 1)),
        lang,
        class,
        reason: reason.filter(|_| matches!(class, Class::Refund | Class::Both)),
        subject: s("subject"),
        body: s("body"),
        html: s("content_type").eq_ignore_ascii_case("text/html"),
    })
}

/// The row as a message a mail client would send (plain or HTML, UTF-8).
pub fn eml(row: &Row, n: usize) -> Vec<u8> {
    let kind = if row.html { "html" } else { "plain" };
    let mut out = format!(
        "Received: from mx.customer.example by mail.vendor.example; Thu, 5 Nov 2026 14:00:00 +0000\r\n\
         From: Customer {n} <customer{n}@customer.example>\r\n\
         To: support@vendor.example\r\n\
         Subject: {}\r\n\
         Date: Thu, 5 Nov 2026 14:00:00 +0000\r\n\
         Message-ID: <row{n}@customer.example>\r\n\
         MIME-Version: 1.0\r\n\
         Content-Type: text/{kind}; charset=utf-8\r\n\
         Content-Transfer-Encoding: 8bit\r\n\r\n",
        row.subject.replace(['\r', '\n'], " ")
    );
    for l in row.body.lines() {
        out.push_str(l);
        out.push_str("\r\n");
    }
    out.into_bytes()
}

/// The row through the production parser: subject and the customer's new text.
///
/// # Errors
/// The parser's reason, when it rejects the message.
pub fn inbound(row: &Row, n: usize) -> Result<Inbound, Error> {
    let raw = RawMail {
        origin: row.id.clone(),
        received: Some(Timestamp::UNIX_EPOCH),
        bytes: eml(row, n),
    };
    parse::parse(&raw, 25 * 1024 * 1024).map_err(|source| Error::Unparseable {
        origin: row.id.clone(),
        source,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_formats_read_and_bad_labels_are_named() {
        let ours = r#"{"id":"tr-de-0001","lang":"de","label":"refund","reason":"billing_error","subject":"Doppelt","body":"<p>Bitte erstatten</p>","content_type":"text/html"}"#;
        let dev =
            r#"{"id":"d1","label":"CANCELLATION","language":"en","subject":"","body":"cancel"}"#;
        let a = parse_row(ours, 0).unwrap();
        assert_eq!(
            (a.class, a.reason, a.lang.as_str(), a.html),
            (Class::Refund, Some(Reason::BillingError), "de", true)
        );
        let b = parse_row(dev, 1).unwrap();
        assert_eq!((b.class, b.lang.as_str()), (Class::Cancellation, "en"));
        let err = parse_row(r#"{"label":"REFUNDS"}"#, 2)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("REFUNDS") && err.contains("policy_question"),
            "{err}"
        );
    }

    #[test]
    fn a_bad_line_names_file_and_line_and_keeps_the_problem_as_its_source() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bad.jsonl");
        std::fs::write(&path, "{\"label\":\"refund\"}\n\nnot json\n").unwrap();
        let err = read(&path).unwrap_err();
        assert!(matches!(err, Error::Line { line: 3, .. }), "{err:?}");
        let cause = std::error::Error::source(&err).expect("the problem is the source");
        assert!(
            std::error::Error::source(cause).is_some(),
            "serde's error under {cause:?}"
        );
        let chain = crate::error_chain(&err);
        assert!(
            chain.starts_with(&format!("{}:3: not a JSON object: ", path.display())),
            "{chain}"
        );
        let missing = read(&dir.path().join("none.jsonl")).unwrap_err();
        assert!(std::error::Error::source(&missing).is_some(), "{missing}");
    }

    #[test]
    fn rows_parse_to_the_new_text() {
        let row = parse_row(
            r#"{"id":"x","lang":"en","label":"refund","subject":"Money","body":"Please refund me.\n\nOn Mon, 2 Nov 2026 at 10:00, Vendor <s@v.example> wrote:\n> Your plan was cancelled."}"#,
            0,
        )
        .unwrap();
        let mail = inbound(&row, 7).unwrap();
        assert!(mail.text.contains("Please refund me"));
        assert!(!mail.text.contains("was cancelled"), "{:?}", mail.text);
    }
}
