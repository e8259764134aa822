//! Scoring a labelled set: each row's reading through the production path (parse, then the
//! model and the rules as [`crate::classify::decide`] combines them), cross-validation, and
//! the report: per class, per language, confusion matrix, wrong automatic intent, true
//! requests right, reliability curve and the cost of each threshold.

use std::fmt::Write as _;

use crate::classify::decide::{self, Options, Scored, Veto};
use crate::classify::features::{FeatureSpec, Hashed, Vector};
use crate::classify::mlp;
use crate::classify::model::{CLASSES, Class, IDENTITY_STACK, Model, Prediction};
use crate::classify::train::{self, Example, NaiveBayes, Settings};
use crate::classify::{self, Classified, ClassifyRules, Intent, Reason};

use super::data::Row;
use super::report::pct;
pub use super::report::{MAX_WRONG, Summary, chosen_threshold, report, summary};

/// Rows parsed once: the model's text and the rules' reading of each.
pub struct Prepared {
    pub rows: Vec<Row>,
    pub texts: Vec<String>,
    pub rules: Vec<Classified>,
    /// Rows that join the training of every fold of a cross-validation but are never scored
    /// (`classifier eval --cv K --extra FILE`): so that the same rows are scored with and
    /// without added training data, and the figures compare.
    pub extra: Option<Box<Prepared>>,
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
            extra: None,
        })
    }

    /// These rows, with `extra` trained on in every fold and never scored.
    #[must_use]
    pub fn with_extra(self, extra: Prepared) -> Prepared {
        Prepared {
            extra: Some(Box::new(extra)),
            ..self
        }
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
pub(super) fn outcome(
    prep: &Prepared,
    i: usize,
    p: &Prediction,
    stacks: &[[f32; 4]; 3],
    opts: &Options,
) -> Outcome {
    let row = &prep.rows[i];
    Outcome {
        class: row.class,
        reason: row.reason,
        lang: row.lang.clone(),
        scored: decide::score_with(p, &prep.rules[i], stacks, opts),
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
    /// [`Calibrate::Stack`] fitted for each request class on its own.
    StackPerClass,
}

/// The stack fitted on these predictions (one input row per message and request class).
pub fn fit_stack(prep: &Prepared, predictions: &[Prediction], how: Calibrate) -> [f32; 4] {
    fit_stack_for(
        prep,
        predictions,
        how,
        &[Class::Refund, Class::Cancellation, Class::Both],
    )
}

/// The stacks of each request class: one for all, or one each ([`Calibrate::StackPerClass`]).
pub fn fit_stacks(prep: &Prepared, predictions: &[Prediction], how: Calibrate) -> [[f32; 4]; 3] {
    if how == Calibrate::StackPerClass {
        [Class::Refund, Class::Cancellation, Class::Both]
            .map(|c| fit_stack_for(prep, predictions, Calibrate::Stack, &[c]))
    } else {
        [fit_stack(prep, predictions, how); 3]
    }
}

fn fit_stack_for(
    prep: &Prepared,
    predictions: &[Prediction],
    how: Calibrate,
    classes: &[Class],
) -> [f32; 4] {
    if how == Calibrate::Identity {
        return IDENTITY_STACK;
    }
    let mut inputs = Vec::new();
    let mut targets = Vec::new();
    for (i, p) in predictions.iter().enumerate() {
        for &c in classes {
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
            outcome(prep, i, &p, &[model.stack; 3], opts)
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
                    margin: 1.0,
                    rivals: [0.0; 3],
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
    /// A hidden layer (beside the linear one when `wide`), trained with these settings.
    Mlp(Settings, mlp::Shape),
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
    let (outcomes, t, stacks) = cross_validate_per_class(prep, k, learner, opts, how);
    (outcomes, t, stacks[0])
}

/// [`cross_validate`] with the stack of each request class (the same three unless `how` is
/// [`Calibrate::StackPerClass`]).
pub fn cross_validate_per_class(
    prep: &Prepared,
    k: usize,
    learner: Learner,
    opts: &Options,
    how: Calibrate,
) -> (Vec<Outcome>, f32, [[f32; 4]; 3]) {
    let oof = out_of_fold(prep, k, learner, opts);
    let stacks = fit_stacks(prep, &oof.predictions, how);
    let outcomes = oof
        .predictions
        .iter()
        .enumerate()
        .map(|(i, p)| outcome(prep, i, p, &stacks, opts))
        .collect();
    (outcomes, oof.temperature, stacks)
}

/// The out-of-fold predictions of a cross-validation (after the sentence acts, at the
/// temperature fitted on them), and each row's fold.
pub struct OutOfFold {
    pub predictions: Vec<Prediction>,
    pub temperature: f32,
    pub fold: Vec<usize>,
}

/// Trains `k` models, each without one fold, and reads each row with the model that did not
/// see it (nor any copy of it).
pub fn out_of_fold(prep: &Prepared, k: usize, learner: Learner, opts: &Options) -> OutOfFold {
    let temperature;
    let (spec, seed) = match learner {
        Learner::Linear(s) | Learner::Mlp(s, _) => (s.spec, s.seed),
        Learner::NaiveBayes(spec) => (spec, 0),
    };
    let examples = prep.examples(&spec);
    let classes: Vec<Class> = examples.iter().map(|e| e.class).collect();
    let fold = train::folds(&classes, k, seed);
    let augment = match learner {
        Learner::Linear(s) | Learner::Mlp(s, _) if s.augment != train::Augment::NONE => {
            Some(s.augment)
        }
        _ => None,
    };
    let copies = augment.map_or_else(Vec::new, |a| super::augment::copies(prep, &a, &spec, seed));
    // The extra rows (and their copies) are in no fold: every fold trains on all of them.
    let extra: Vec<Example> = prep.extra.as_deref().map_or_else(Vec::new, |x| {
        let copied = augment.map_or_else(Vec::new, |a| {
            super::augment::copies(x, &a, &spec, seed ^ 0xe7_7a)
        });
        x.examples(&spec)
            .into_iter()
            .chain(copied.into_iter().map(|c| c.example))
            .collect()
    });
    let train_on = |f: usize| -> Vec<Example> {
        let copied = copies
            .iter()
            .filter(|c| c.from.iter().all(|&i| fold[i] != f))
            .map(|c| c.example.clone());
        examples
            .iter()
            .zip(&fold)
            .filter(|(_, g)| **g != f)
            .map(|(e, _)| e.clone())
            .chain(copied)
            .chain(extra.iter().cloned())
            .collect()
    };
    // The other kinds are read the same way whatever the model: by one `Folds`.
    let read = Folds {
        prep,
        examples: &examples,
        fold: &fold,
        classes: &classes,
        spec: &spec,
        opts,
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
        Learner::Mlp(s, shape) => {
            let models: Vec<mlp::Mlp> = (0..k)
                .map(|f| mlp::train(&train_on(f), &s, shape))
                .collect();
            let (predictions, t) = read.by_model(
                &models,
                |m, v| first(&m.logits(v)),
                |m, v, t| m.predict(v, t),
            );
            temperature = t;
            predictions
        }
        Learner::NaiveBayes(spec) => {
            let models: Vec<NaiveBayes> = (0..k)
                .map(|f| NaiveBayes::train(&train_on(f), &spec, 0.1))
                .collect();
            let (predictions, t) =
                read.by_model(&models, |m, v| m.logits(v), |m, v, t| m.predict(v, t));
            temperature = t;
            predictions
        }
    };
    OutOfFold {
        predictions,
        temperature,
        fold,
    }
}

/// What reading the rows of a cross-validation with models other than the shipped kind needs.
struct Folds<'a> {
    prep: &'a Prepared,
    examples: &'a [Example],
    fold: &'a [usize],
    classes: &'a [Class],
    spec: &'a FeatureSpec,
    opts: &'a Options,
}

impl Folds<'_> {
    /// Each row read by the model of its fold, after the sentence acts, at the temperature
    /// fitted on the models' out-of-fold `logits`; and that temperature.
    fn by_model<M>(
        &self,
        models: &[M],
        logits: impl Fn(&M, &Vector) -> [f32; CLASSES],
        predict: impl Fn(&M, &Vector, f32) -> Prediction,
    ) -> (Vec<Prediction>, f32) {
        let raw: Vec<[f32; CLASSES]> = self
            .examples
            .iter()
            .zip(self.fold)
            .map(|(e, f)| logits(&models[*f], &e.vector))
            .collect();
        let t = train::fit_temperature(&raw, self.classes);
        let predictions = (0..self.prep.rows.len())
            .map(|i| {
                let m = &models[self.fold[i]];
                let hashed = Hashed::new(&self.prep.texts[i], self.spec);
                let read = decide::Reading {
                    text: &self.prep.texts[i],
                    hashed: &hashed,
                    whole: &self.examples[i].vector,
                    by_rules: &self.prep.rules[i],
                };
                decide::read_hashed(&|v: &Vector| predict(m, v, t), &read, self.opts)
            })
            .collect();
        (predictions, t)
    }
}

fn first(z: &[f32]) -> [f32; CLASSES] {
    let mut out = [0f32; CLASSES];
    out.copy_from_slice(&z[..CLASSES]);
    out
}

/// The variants compared in cross-validation (docs/classifier.md, "Why this model"): each at
/// `threshold` and at its own threshold chosen for at most [`MAX_WRONG`] wrong.
pub fn compare(prep: &Prepared, k: usize, threshold: f32) -> String {
    let mut out = String::new();
    for (name, (learner, o, how)) in variants() {
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

/// The variants [`compare`] measures, by name, the shipped one first.
fn variants() -> Vec<(&'static str, (Learner, Options, Calibrate))> {
    let base = Settings::DEFAULT;
    let opts = Options::DEFAULT;
    let whole = Options {
        acts: decide::Acts::Whole,
        ..opts
    };
    let same = |o: Options, how: Calibrate| (Learner::Linear(base), o, how);
    let mut variants: Vec<(&'static str, (Learner, Options, Calibrate))> = vec![
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
    for (name, s, how) in other_settings(base) {
        variants.push((name, (Learner::Linear(s), opts, how)));
    }
    variants.push((
        "naive Bayes, same features, acts, stacked, hard veto",
        (Learner::NaiveBayes(base.spec), opts, Calibrate::Stack),
    ));
    variants
}

/// The variants with other training settings than the shipped ones.
fn other_settings(base: Settings) -> Vec<(&'static str, Settings, Calibrate)> {
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
    vec![
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
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(id: &str, class: Class, body: &str) -> Row {
        Row::example(id, class, body)
    }

    #[test]
    fn extra_rows_are_trained_on_in_every_fold_and_never_scored() {
        // One withdrawal among the scored rows: the fold that scores it trains on no other
        // withdrawal, so only the extra rows can teach the model that class.
        let mut rows = Vec::new();
        for i in 0..10 {
            rows.push(row(
                &format!("r{i}"),
                Class::Refund,
                &format!("Please refund my payment number {i}."),
            ));
            rows.push(row(
                &format!("c{i}"),
                Class::Cancellation,
                &format!("Please cancel my subscription {i} today."),
            ));
        }
        rows.push(row(
            "w",
            Class::Withdrawal,
            "Hiermit widerrufe ich den Vertrag.",
        ));
        let extra: Vec<Row> = (0..10)
            .map(|i| {
                row(
                    &format!("x{i}"),
                    Class::Withdrawal,
                    &format!("Ich widerrufe den Vertrag vom {i}. Mai."),
                )
            })
            .collect();
        let rules = crate::config::classify::builtin();
        let alone = Prepared::new(rows.clone(), &rules).unwrap();
        let with = Prepared::new(rows, &rules)
            .unwrap()
            .with_extra(Prepared::new(extra, &rules).unwrap());
        let read = |p: &Prepared| {
            cross_validate(
                p,
                5,
                Learner::Linear(Settings::DEFAULT),
                &Options::DEFAULT,
                Calibrate::Stack,
            )
            .0
        };
        let (a, b) = (read(&alone), read(&with));
        assert_eq!(
            (a.len(), b.len()),
            (21, 21),
            "only the scored rows are scored"
        );
        assert!(
            b.iter()
                .zip(&with.rows)
                .all(|(o, r)| o.class == r.class && o.lang == r.lang)
        );
        assert_ne!(a[20].model, Some(Class::Withdrawal));
        assert_eq!(
            b[20].model,
            Some(Class::Withdrawal),
            "trained on the extra rows"
        );
    }
}
