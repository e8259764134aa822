//! The evaluation report: the headline [`Summary`] at a threshold, and the full table
//! `classifier eval` prints (per label, per language, confusion, reliability, thresholds).

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::classify::Intent;
use crate::classify::Reason;
use crate::classify::model::Class;

use super::eval::Outcome;

/// The headline figures at one threshold.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Summary {
    pub messages: usize,
    /// Share of all messages answered automatically.
    pub coverage: f64,
    /// Share of all messages answered automatically with a wrong intent.
    pub wrong_automatic: f64,
    /// Share of refund/cancellation/both rows exactly right.
    pub requests_right: f64,
    /// The lowest per-language share of requests right (languages with requests).
    pub worst_language: f64,
}

pub(super) fn pct(n: usize, of: usize) -> f64 {
    if of == 0 {
        0.0
    } else {
        100.0 * n as f64 / of as f64
    }
}

pub fn summary(outcomes: &[Outcome], threshold: f32) -> Summary {
    let n = outcomes.len();
    let requests: Vec<&Outcome> = outcomes.iter().filter(|o| o.class.is_request()).collect();
    let mut langs: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    for o in &requests {
        let e = langs.entry(o.lang.as_str()).or_default();
        e.0 += usize::from(o.right(threshold));
        e.1 += 1;
    }
    Summary {
        messages: n,
        coverage: pct(
            outcomes.iter().filter(|o| o.automatic(threshold)).count(),
            n,
        ),
        wrong_automatic: pct(
            outcomes
                .iter()
                .filter(|o| o.wrong_automatic(threshold))
                .count(),
            n,
        ),
        requests_right: pct(
            requests.iter().filter(|o| o.right(threshold)).count(),
            requests.len(),
        ),
        worst_language: langs
            .values()
            .map(|(r, t)| pct(*r, *t))
            .fold(100.0, f64::min),
    }
}

impl std::fmt::Display for Summary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} messages: wrong automatic intent {:.2}%, true requests right {:.1}%, worst language {:.1}%, answered automatically {:.1}%",
            self.messages,
            self.wrong_automatic,
            self.requests_right,
            self.worst_language,
            self.coverage
        )
    }
}

/// The columns of the confusion matrix.
const PREDICTED: [&str; 9] = [
    "refund",
    "cancellation",
    "both",
    "refund_status",
    "policy_question",
    "withdrawal",
    "other",
    "unsure",
    "billing_error",
];

fn predicted_column(o: &Outcome, threshold: f32) -> &'static str {
    match o.decided(threshold) {
        (_, Some(Reason::BillingError)) => "billing_error",
        (intent, None) => intent.as_str(),
    }
}

/// The whole report at `threshold`.
pub fn report(outcomes: &[Outcome], threshold: f32) -> String {
    let mut out = String::new();
    let s = summary(outcomes, threshold);
    let _ = writeln!(out, "At threshold {threshold:.2}: {s}\n");
    per_class(&mut out, outcomes, threshold);
    per_language(&mut out, outcomes, threshold);
    confusion(&mut out, outcomes, threshold);
    reliability(&mut out, outcomes);
    thresholds(&mut out, outcomes);
    out
}

/// Rows, right, recall, precision and wrong automatic answers per label; billing errors.
fn per_class(out: &mut String, outcomes: &[Outcome], threshold: f32) {
    let _ = writeln!(
        out,
        "{:<16} {:>5} {:>7} {:>7} {:>10} {:>10}",
        "label", "rows", "right", "recall", "precision", "auto-wrong"
    );
    for c in Class::ALL {
        let rows: Vec<&Outcome> = outcomes.iter().filter(|o| o.class == c).collect();
        let right = rows.iter().filter(|o| o.right(threshold)).count();
        let said = outcomes
            .iter()
            .filter(|o| o.decided(threshold).0 == Intent::from(c))
            .count();
        let said_right = outcomes
            .iter()
            .filter(|o| o.decided(threshold).0 == Intent::from(c) && o.class == c)
            .count();
        let wrong = rows.iter().filter(|o| o.wrong_automatic(threshold)).count();
        let _ = writeln!(
            out,
            "{:<16} {:>5} {:>7} {:>6.1}% {:>9.1}% {:>10}",
            c.as_str(),
            rows.len(),
            right,
            pct(right, rows.len()),
            pct(said_right, said),
            wrong
        );
    }
    let billing: Vec<&Outcome> = outcomes.iter().filter(|o| o.reason.is_some()).collect();
    let _ = writeln!(
        out,
        "{:<16} {:>5} {:>7} {:>6.1}%   (reason on refund/both rows)",
        "billing_error",
        billing.len(),
        billing.iter().filter(|o| o.right(threshold)).count(),
        pct(
            billing.iter().filter(|o| o.right(threshold)).count(),
            billing.len()
        )
    );
}

/// Requests right, wrong automatic answers and all right per language.
fn per_language(out: &mut String, outcomes: &[Outcome], threshold: f32) {
    let _ = writeln!(
        out,
        "\n{:<6} {:>5} {:>9} {:>15} {:>10} {:>10}",
        "lang", "rows", "requests", "requests right", "auto-wrong", "all right"
    );
    let mut langs: Vec<&str> = outcomes.iter().map(|o| o.lang.as_str()).collect();
    langs.sort_unstable();
    langs.dedup();
    for lang in langs {
        let rows: Vec<&Outcome> = outcomes.iter().filter(|o| o.lang == lang).collect();
        let req: Vec<&&Outcome> = rows.iter().filter(|o| o.class.is_request()).collect();
        let req_right = req.iter().filter(|o| o.right(threshold)).count();
        let _ = writeln!(
            out,
            "{:<6} {:>5} {:>9} {:>8} {:>5.1}% {:>10} {:>9.1}%",
            lang,
            rows.len(),
            req.len(),
            req_right,
            pct(req_right, req.len()),
            rows.iter().filter(|o| o.wrong_automatic(threshold)).count(),
            pct(
                rows.iter().filter(|o| o.right(threshold)).count(),
                rows.len()
            )
        );
    }
}

/// The confusion matrix: rows are labels, columns what was decided.
fn confusion(out: &mut String, outcomes: &[Outcome], threshold: f32) {
    let _ = write!(
        out,
        "\nconfusion (rows: label; columns: decided)\n{:<16}",
        ""
    );
    for p in PREDICTED {
        let _ = write!(out, " {:>8}", short(p));
    }
    out.push('\n');
    for c in Class::ALL {
        let _ = write!(out, "{:<16}", c.as_str());
        for p in PREDICTED {
            let n = outcomes
                .iter()
                .filter(|o| o.class == c && predicted_column(o, threshold) == p)
                .count();
            let _ = write!(out, " {n:>8}");
        }
        out.push('\n');
    }
}

/// Reliability of the reading's probability (before threshold and veto).
fn reliability(out: &mut String, outcomes: &[Outcome]) {
    let _ = writeln!(
        out,
        "\nreliability (the model's reading: probability bin, rows, mean probability, share right)"
    );
    let bins = [0.0, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 1.001];
    for w in bins.windows(2) {
        let in_bin: Vec<&Outcome> = outcomes
            .iter()
            .filter(|o| f64::from(o.reading().1) >= w[0] && f64::from(o.reading().1) < w[1])
            .collect();
        if in_bin.is_empty() {
            continue;
        }
        let mean =
            in_bin.iter().map(|o| f64::from(o.reading().1)).sum::<f64>() / in_bin.len() as f64;
        let right = in_bin.iter().filter(|o| o.reading().0 == o.class).count();
        let _ = writeln!(
            out,
            "  {:.2}..{:.2} {:>5} {:>6.3} {:>6.1}%",
            w[0],
            w[1].min(1.0),
            in_bin.len(),
            mean,
            pct(right, in_bin.len())
        );
    }
}

/// Coverage, wrong automatic answers and requests right at thresholds 0.50 to 0.95.
fn thresholds(out: &mut String, outcomes: &[Outcome]) {
    out.push_str(
        "\nthresholds (answered automatically, wrong automatic intent, true requests right)\n",
    );
    for step in 0..10 {
        let t = 0.5 + 0.05 * step as f32;
        let s = summary(outcomes, t);
        let _ = writeln!(
            out,
            "  {t:.2} {:>6.1}% {:>6.2}% {:>6.1}%  worst language {:.1}%",
            s.coverage, s.wrong_automatic, s.requests_right, s.worst_language
        );
    }
}

fn short(p: &str) -> &str {
    match p {
        "cancellation" => "cancel",
        "refund_status" => "status",
        "policy_question" => "policy",
        "withdrawal" => "withdraw",
        "billing_error" => "billing",
        p => p,
    }
}
