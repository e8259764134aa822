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

/// The lowest threshold (in steps of 0.01 from 0.50) at which the wrong automatic answers are
/// at most `max_wrong` percent of the messages: how a threshold is chosen by cross-validation.
pub fn chosen_threshold(outcomes: &[Outcome], max_wrong: f64) -> f32 {
    (50..=100)
        .map(|t| t as f32 / 100.0)
        .find(|t| summary(outcomes, *t).wrong_automatic <= max_wrong)
        .unwrap_or(1.0)
}

/// The share of wrong automatic answers the default threshold is chosen for (percent).
pub const MAX_WRONG: f64 = 0.5;

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

/// The billing head's cuts the billing table compares (docs/classifier.md, "Sixth pass").
pub const BILLING_CUTS: [f32; 6] = [0.05, 0.1, 0.2, 0.3, 0.5, 0.7];

/// What each cut of the billing head costs, each at its own threshold (the lowest with at most
/// [`MAX_WRONG`] percent wrong): the plain refunds (refund/both rows without the
/// reason) sent to people as `billing_error`, the billing errors given their reason, and those
/// answered automatically (a wrong answer: a policy would deny or grant what is a billing
/// mistake). Only the decision changes with the cut, so the same readings serve every cut.
pub fn billing_cuts(outcomes: &[Outcome]) -> String {
    let refunds = |o: &&Outcome| matches!(o.class, Class::Refund | Class::Both);
    let plain = outcomes
        .iter()
        .filter(refunds)
        .filter(|o| o.reason.is_none())
        .count();
    let errors = outcomes.iter().filter(|o| o.reason.is_some()).count();
    let mut out = format!(
        "\nbilling head's ranking of billing errors among refund/both rows (AUC): {:.3}\nbilling cut (own threshold: summary; of {plain} plain refund/both rows sent to people as billing_error; of {errors} billing errors given the reason, answered automatically)\n",
        billing_auc(outcomes)
    );
    for cut in BILLING_CUTS {
        let cut_outcomes: Vec<Outcome> = outcomes
            .iter()
            .map(|o| {
                let mut o = o.clone();
                o.opts.billing_probability = cut;
                o
            })
            .collect();
        let t = chosen_threshold(&cut_outcomes, MAX_WRONG);
        let flagged = |o: &&Outcome| o.decided(t).1 == Some(Reason::BillingError);
        let sent = cut_outcomes
            .iter()
            .filter(refunds)
            .filter(|o| o.reason.is_none())
            .filter(flagged)
            .count();
        let caught = cut_outcomes
            .iter()
            .filter(|o| o.reason.is_some())
            .filter(flagged)
            .count();
        let answered = cut_outcomes
            .iter()
            .filter(|o| o.reason.is_some() && o.automatic(t))
            .count();
        let _ = writeln!(
            out,
            "  {cut:.2} at {t:.2}: {}; plain sent {sent}, caught {caught}, answered {answered}",
            summary(&cut_outcomes, t)
        );
    }
    out
}

/// The chance that the billing head scores a billing error above a plain refund/both row
/// (ties count half): how well it ranks, whatever its cut.
fn billing_auc(outcomes: &[Outcome]) -> f64 {
    let mut scores: Vec<(f32, bool)> = outcomes
        .iter()
        .filter(|o| matches!(o.class, Class::Refund | Class::Both))
        .map(|o| (o.scored.billing_error, o.reason.is_some()))
        .collect();
    scores.sort_by(|a, b| a.0.total_cmp(&b.0));
    let positives = scores.iter().filter(|s| s.1).count();
    let negatives = scores.len() - positives;
    if positives == 0 || negatives == 0 {
        return f64::NAN;
    }
    // Mann-Whitney: the sum of the positives' ranks (mean rank over ties).
    let mut rank_sum = 0.0;
    let mut i = 0;
    while i < scores.len() {
        let j = scores[i..]
            .iter()
            .take_while(|s| s.0 == scores[i].0)
            .count()
            + i;
        let mean_rank = (i + 1 + j) as f64 / 2.0;
        rank_sum += mean_rank * scores[i..j].iter().filter(|s| s.1).count() as f64;
        i = j;
    }
    let p = positives as f64;
    (rank_sum - p * (p + 1.0) / 2.0) / (p * negatives as f64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::classify::decide::{Options, Scored};

    fn outcome(class: Class, reason: Option<Reason>, p: f32, billing: f32) -> Outcome {
        Outcome {
            class,
            reason,
            lang: "en".into(),
            scored: Scored {
                requests: [
                    (Class::Refund, p, None),
                    (Class::Cancellation, 0.0, None),
                    (Class::Both, 0.0, None),
                ],
                other: (Class::Other, 1.0 - p),
                billing_error: billing,
                margin: 1.0,
                rivals: [0.0; 3],
            },
            opts: Options::DEFAULT,
            model: Some(class),
        }
    }

    #[test]
    fn the_billing_table_counts_what_each_cut_sends_to_people_and_lets_through() {
        // A plain refund and a billing error, both at 0.15 of the billing head, among enough
        // non-requests that one wrong answer stays under the 0.5% bar.
        let mut outcomes = vec![
            outcome(Class::Refund, None, 0.95, 0.15),
            outcome(Class::Refund, Some(Reason::BillingError), 0.95, 0.15),
        ];
        outcomes.extend((0..300).map(|_| outcome(Class::Other, None, 0.0, 0.0)));
        let table = billing_cuts(&outcomes);
        let line = |cut: &str| table.lines().find(|l| l.contains(cut)).unwrap().to_string();
        assert!(
            line("0.10 at").ends_with("plain sent 1, caught 1, answered 0"),
            "{table}"
        );
        assert!(
            line("0.20 at").ends_with("plain sent 0, caught 0, answered 1"),
            "{table}"
        );
        assert!(table.contains("of 1 plain refund/both rows"), "{table}");
        assert!(table.contains("(AUC): 0.500"), "a tie is half: {table}");
        let ranked = [
            outcome(Class::Refund, None, 0.9, 0.1),
            outcome(Class::Both, None, 0.9, 0.3),
            outcome(Class::Refund, Some(Reason::BillingError), 0.9, 0.2),
        ];
        assert!((billing_auc(&ranked) - 0.5).abs() < 1e-9);
        assert!(
            (billing_auc(
                &ranked[..1]
                    .iter()
                    .chain(&ranked[2..])
                    .cloned()
                    .collect::<Vec<_>>()
            ) - 1.0)
                .abs()
                < 1e-9
        );
    }
}
