//! Scoring a labelled set: each row's reading through the production path (parse, then the
//! model and the rules as [`crate::classify::decide`] combines them), cross-validation, and
//! the report: per class, per language, confusion matrix, wrong automatic intent, true
//! requests right, reliability curve and the cost of each threshold.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::classify::decide::{self, Options, Scored, Veto};
use crate::classify::features::{FeatureSpec, Hashed, Vector};
use crate::classify::model::{CLASSES, Class, IDENTITY_STACK, Model, Prediction};
use crate::classify::train::{self, Example, NaiveBayes, Settings};
use crate::classify::{self, Classified, ClassifyRules, Intent, Reason};

use super::data::Row;

/// Rows parsed once: the model's text and the rules' reading of each.
pub struct Prepared {
    pub rows: Vec<Row>,
    pub texts: Vec<String>,
    pub rules: Vec<Classified>,
}

impl Prepared {
    /// Parses every row (a row the parser rejects is an error: labelled data must be mail).
    ///
    /// # Errors
    /// The first row that does not parse.
    pub fn new(rows: Vec<Row>, rules: &ClassifyRules) -> Result<Prepared, super::Error> {
        let mut texts = Vec::with_capacity(rows.len());
        let mut read = Vec::with_capacity(rows.len());
        for (n, row) in rows.iter().enumerate() {
            let mail = super::data::inbound(row, n)?;
            texts.push(decide::model_text(&mail));
            read.push(classify::classify(&mail, rules));
        }
        Ok(Prepared {
            rows,
            texts,
            rules: read,
        })
    }

    /// The training examples of these rows.
    pub fn examples(&self, spec: &FeatureSpec) -> Vec<Example> {
        self.rows
            .iter()
            .zip(&self.texts)
            .zip(&self.rules)
            .map(|((row, text), by_rules)| Example {
                vector: decide::vector(text, by_rules, spec),
                class: row.class,
                billing_error: row.reason == Some(Reason::BillingError),
            })
            .collect()
    }
}

/// One row's reading, from which its intent at any threshold follows.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub class: Class,
    pub reason: Option<Reason>,
    pub lang: String,
    pub scored: Scored,
    pub opts: Options,
    /// The model's own argmax (after the sentence acts), before rules and calibration.
    pub model: Option<Class>,
}

impl Outcome {
    /// The intent and reason at `threshold`.
    pub fn decided(&self, threshold: f32) -> (Intent, Option<Reason>) {
        decide::settle(&self.scored, threshold, &self.opts)
    }

    /// Answered automatically (a request without a reason for people).
    pub fn automatic(&self, threshold: f32) -> bool {
        let (intent, reason) = self.decided(threshold);
        matches!(intent, Intent::Refund | Intent::Cancellation | Intent::Both) && reason.is_none()
    }

    /// Exactly what the label says (intent and reason).
    pub fn right(&self, threshold: f32) -> bool {
        self.decided(threshold) == (Intent::from(self.class), self.reason)
    }

    /// Answered automatically with a wrong intent (or a billing error answered by policy).
    pub fn wrong_automatic(&self, threshold: f32) -> bool {
        self.automatic(threshold) && !self.right(threshold)
    }

    /// The reading before threshold and veto, and its probability.
    pub fn reading(&self) -> (Class, f32) {
        self.scored.reading()
    }
}

/// Row `i`'s outcome from its (acts-adjusted) prediction.
fn outcome(prep: &Prepared, i: usize, p: &Prediction, stack: &[f32; 4], opts: &Options) -> Outcome {
    let row = &prep.rows[i];
    Outcome {
        class: row.class,
        reason: row.reason,
        lang: row.lang.clone(),
        scored: decide::score(p, &prep.rules[i], stack, opts),
        opts: *opts,
        model: Some(p.best().0),
    }
}

/// How a request's probability is calibrated after the temperature.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Calibrate {
    /// The model's probability as it is.
    Identity,
    /// Platt scaling of the model's logit alone: monotone in the model's probability; the
    /// rules only veto.
    Platt,
    /// Platt scaling with the rules' agreement and veto as two more inputs.
    Stack,
}

/// The stack fitted on these predictions (one input row per message and request class).
pub fn fit_stack(prep: &Prepared, predictions: &[Prediction], how: Calibrate) -> [f32; 4] {
    if how == Calibrate::Identity {
        return IDENTITY_STACK;
    }
    let mut inputs = Vec::new();
    let mut targets = Vec::new();
    for (i, p) in predictions.iter().enumerate() {
        for c in [Class::Refund, Class::Cancellation, Class::Both] {
            let mut x = decide::stack_inputs(p, c, &prep.rules[i]);
            if how == Calibrate::Platt {
                x[1] = 0.0;
                x[2] = 0.0;
            }
            inputs.push(x);
            targets.push(prep.rows[i].class == c);
        }
    }
    train::fit_stack(&inputs, &targets)
}

/// Every row read by one model.
pub fn with_model(prep: &Prepared, model: &Model, opts: &Options) -> Vec<Outcome> {
    (0..prep.rows.len())
        .map(|i| {
            let p = decide::read(model, &prep.texts[i], &prep.rules[i], opts);
            outcome(prep, i, &p, &model.stack, opts)
        })
        .collect()
}

/// Every row read by the phrase rules alone (the classifier before the model): the rules'
/// intent is certain, `unsure` is a request held back, `other` is certain.
pub fn rules_only(prep: &Prepared) -> Vec<Outcome> {
    prep.rows
        .iter()
        .zip(&prep.rules)
        .map(|(row, got)| {
            let mut requests = [Class::Refund, Class::Cancellation, Class::Both]
                .map(|c| (c, f32::from(u8::from(got.intent == Intent::from(c))), None));
            if got.intent == Intent::Unsure {
                requests[0].1 = 0.5;
            }
            Outcome {
                class: row.class,
                reason: row.reason,
                lang: row.lang.clone(),
                scored: Scored {
                    requests,
                    other: (Class::Other, 1.0),
                    billing_error: 0.0,
                },
                opts: Options::DEFAULT,
                model: None,
            }
        })
        .collect()
}

/// The model's own argmax against the labels, overall and per class (`None` without a model).
pub fn model_alone(outcomes: &[Outcome]) -> Option<String> {
    let read: Vec<(Class, Class)> = outcomes
        .iter()
        .filter_map(|o| o.model.map(|m| (o.class, m)))
        .collect();
    if read.is_empty() {
        return None;
    }
    let right = read.iter().filter(|(c, m)| c == m).count();
    let mut out = format!(
        "model alone (argmax, no rules, no threshold): {right}/{} right ({:.1}%);",
        read.len(),
        pct(right, read.len())
    );
    for c in Class::ALL {
        let n = read.iter().filter(|(l, _)| *l == c).count();
        let r = read.iter().filter(|(l, m)| *l == c && m == l).count();
        let _ = write!(out, " {} {:.1}%", c.as_str(), pct(r, n));
    }
    out.push('\n');
    Some(out)
}

/// Which model a cross-validation trains.
#[derive(Debug, Clone, Copy)]
pub enum Learner {
    Linear(Settings),
    NaiveBayes(FeatureSpec),
}

/// Out-of-fold readings of every row (k folds), and the temperature fitted on the
/// out-of-fold logits.
pub fn cross_validate(
    prep: &Prepared,
    k: usize,
    learner: Learner,
    opts: &Options,
    how: Calibrate,
) -> (Vec<Outcome>, f32, [f32; 4]) {
    let temperature;
    let (spec, seed) = match learner {
        Learner::Linear(s) => (s.spec, s.seed),
        Learner::NaiveBayes(spec) => (spec, 0),
    };
    let examples = prep.examples(&spec);
    let classes: Vec<Class> = examples.iter().map(|e| e.class).collect();
    let fold = train::folds(&classes, k, seed);
    let train_on = |f: usize| -> Vec<Example> {
        examples
            .iter()
            .zip(&fold)
            .filter(|(_, g)| **g != f)
            .map(|(e, _)| e.clone())
            .collect()
    };
    let predictions: Vec<Prediction> = match learner {
        Learner::Linear(s) => {
            let models: Vec<Model> = (0..k).map(|f| train::train(&train_on(f), &s)).collect();
            let logits: Vec<[f32; CLASSES]> = examples
                .iter()
                .zip(&fold)
                .map(|(e, f)| first(&models[*f].logits(&e.vector)))
                .collect();
            let t = train::fit_temperature(&logits, &classes);
            temperature = t;
            let models: Vec<Model> = models.into_iter().map(|m| m.with_temperature(t)).collect();
            (0..prep.rows.len())
                .map(|i| decide::read(&models[fold[i]], &prep.texts[i], &prep.rules[i], opts))
                .collect()
        }
        Learner::NaiveBayes(spec) => {
            let models: Vec<NaiveBayes> = (0..k)
                .map(|f| NaiveBayes::train(&train_on(f), &spec, 0.1))
                .collect();
            let logits: Vec<[f32; CLASSES]> = examples
                .iter()
                .zip(&fold)
                .map(|(e, f)| models[*f].logits(&e.vector))
                .collect();
            let t = train::fit_temperature(&logits, &classes);
            temperature = t;
            (0..prep.rows.len())
                .map(|i| {
                    let m = &models[fold[i]];
                    let predict = |v: &Vector| m.predict(v, t);
                    let hashed = Hashed::new(&prep.texts[i], &spec);
                    decide::read_hashed(
                        &predict,
                        &prep.texts[i],
                        &hashed,
                        &examples[i].vector,
                        opts,
                    )
                })
                .collect()
        }
    };
    let stack = fit_stack(prep, &predictions, how);
    let outcomes = predictions
        .iter()
        .enumerate()
        .map(|(i, p)| outcome(prep, i, p, &stack, opts))
        .collect();
    (outcomes, temperature, stack)
}

fn first(z: &[f32]) -> [f32; CLASSES] {
    let mut out = [0f32; CLASSES];
    out.copy_from_slice(&z[..CLASSES]);
    out
}

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

fn pct(n: usize, of: usize) -> f64 {
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
    // Per class.
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
    // Per language.
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
    // Confusion matrix.
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
    // Reliability of the reading's probability (before threshold and veto).
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
    out
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

/// The variants compared in cross-validation (docs/classifier.md, "Why this model"): each at
/// `threshold` and at its own threshold chosen for at most [`MAX_WRONG`] wrong.
pub fn compare(prep: &Prepared, k: usize, threshold: f32) -> String {
    let base = Settings::DEFAULT;
    let opts = Options::DEFAULT;
    let with_rules = FeatureSpec {
        rules: true,
        ..base.spec
    };
    let word_only = FeatureSpec {
        min_n: 0,
        max_n: 0,
        bigrams: false,
        ..base.spec
    };
    let whole = Options {
        acts: decide::Acts::Whole,
        ..opts
    };
    let same = |o: Options, how: Calibrate| (Learner::Linear(base), o, how);
    let mut variants: Vec<(&str, (Learner, Options, Calibrate))> = vec![
        (
            "linear, words+pairs+char 2-5, acts, stacked with the rules, hard veto, billing at 0.10 (shipped)",
            same(opts, Calibrate::Stack),
        ),
        (
            "same, whole text only (no sentence acts)",
            same(whole, Calibrate::Stack),
        ),
        (
            "same, temperature only (no stack)",
            same(opts, Calibrate::Identity),
        ),
        (
            "same, Platt of the model alone (the rules only veto)",
            same(opts, Calibrate::Platt),
        ),
        (
            "same, billing error only at 0.5 of the billing head (before)",
            same(
                Options {
                    billing_probability: 0.5,
                    ..opts
                },
                Calibrate::Stack,
            ),
        ),
        (
            "same, rules must agree",
            same(
                Options {
                    veto: Veto::Agree,
                    ..opts
                },
                Calibrate::Stack,
            ),
        ),
        (
            "same, no hard veto",
            same(
                Options {
                    veto: Veto::None,
                    ..opts
                },
                Calibrate::Stack,
            ),
        ),
    ];
    let others: Vec<(&str, Settings, Calibrate)> = vec![
        (
            "the rules' reading as model features too, Platt",
            Settings {
                spec: with_rules,
                ..base
            },
            Calibrate::Platt,
        ),
        (
            "the rules' reading as model features too, stacked",
            Settings {
                spec: with_rules,
                ..base
            },
            Calibrate::Stack,
        ),
        (
            "words only, stacked",
            Settings {
                spec: word_only,
                ..base
            },
            Calibrate::Stack,
        ),
        (
            "12 epochs at step 0.4, no averaging (the first model's training)",
            Settings {
                epochs: 12,
                rate: 0.4,
                average: false,
                ..base
            },
            Calibrate::Stack,
        ),
    ];
    for (name, s, how) in others {
        variants.push((name, (Learner::Linear(s), opts, how)));
    }
    variants.push((
        "naive Bayes, same features, acts, stacked, hard veto",
        (Learner::NaiveBayes(base.spec), opts, Calibrate::Stack),
    ));
    let mut out = String::new();
    for (name, (learner, o, how)) in variants {
        let (outcomes, t, stack) = cross_validate(prep, k, learner, &o, how);
        let chosen = chosen_threshold(&outcomes, MAX_WRONG);
        let _ = writeln!(
            out,
            "{name} (temperature {t:.2}, stack {stack:?}):\n  at {threshold:.2}: {}\n  at {chosen:.2}: {}",
            summary(&outcomes, threshold),
            summary(&outcomes, chosen)
        );
    }
    let _ = writeln!(
        out,
        "phrase rules alone (config/classify.toml):\n  {}",
        summary(&rules_only(prep), threshold)
    );
    out
}
