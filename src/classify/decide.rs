//! The learned model and the phrase rules together: the model reads the whole new text and
//! each of its sentences (acts), the rules guard it (a negation, question, other object or
//! the opposite request they find vetoes an automatic answer), and an answer is automatic only
//! at or above the mailbox's threshold of calibrated probability. Pure.

use serde::Serialize;

use super::features::{self, FeatureSpec, Hashed, Vector};
use super::model::{Class, Model, Prediction};
use super::{Classified, ClassifyRules, Intent, Role};
use crate::parse::Inbound;

/// Why a refund request goes to people although it is one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    /// A double, wrong or unauthorised charge: people check the billing, never a policy denial.
    BillingError,
}

impl Reason {
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::BillingError => "billing_error",
        }
    }

    pub fn parse(s: &str) -> Option<Reason> {
        (s.trim() == "billing_error").then_some(Reason::BillingError)
    }
}

/// What the model added to a decision, for `check --json` and the ledger's logs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Learned {
    /// The model's reading (after the sentence acts), even when it was held back.
    pub reading: Intent,
    /// Its calibrated probability.
    pub probability: f32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<Reason>,
    /// The rule evidence that vetoed an automatic answer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub veto: Option<String>,
    /// The words and word pairs that weighed most for the reading.
    pub weighed: Vec<Weighed>,
}

/// One feature and how much it weighed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Weighed {
    pub feature: String,
    pub weight: f64,
}

/// How sentences count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Acts {
    /// The whole text only.
    Whole,
    /// The whole text, and `both` when one sentence asks for a refund and another for a
    /// cancellation.
    Sentences,
}

/// How the rules guard the model.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Veto {
    /// They do not.
    None,
    /// Rule evidence for a request cancelled by a negation, question, hypothetical or other
    /// object, or a different request found by the rules, holds an automatic answer back.
    Conflict,
    /// Only an intent the rules find too is answered.
    Agree,
}

/// How the two are combined (chosen by cross-validation, docs/classifier.md).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Options {
    pub acts: Acts,
    pub veto: Veto,
    /// A sentence counts as a request act at this probability.
    pub act_probability: f32,
    /// A refund request is a billing error at this probability.
    pub billing_probability: f32,
    /// An automatic answer also needs the model's strongest class this far ahead of its
    /// second (`None`: no such condition).
    pub margin: Option<f32>,
    /// A refund the billing head flags goes to people as `billing_error` from this combined
    /// probability even below the threshold (it is never answered automatically; `None`: only
    /// at the threshold).
    pub billing_floor: Option<f32>,
    /// A single request (refund or cancellation) is answered automatically only while the
    /// model gives the other requests together less than this (`None`: no such condition):
    /// half of a `both` answered is a wrong answer.
    pub rival: Option<f32>,
    /// `both` needs two request acts: when the whole text reads `both` but its sentences hold
    /// only one kind of request act, `both`'s probability goes to that request.
    pub both_needs_two_acts: bool,
    /// The sentence lift: when one sentence alone reads a request at least this probable, the
    /// rules veto nothing of it and no other kind of request act is there, the whole text's
    /// probability of that request is raised to the sentence's (the rest scaled down to keep
    /// the sum): a request stated in one plain sentence no longer drowns in the words of the
    /// others (`None`: off).
    pub lift: Option<f32>,
    /// The lift only for the request the phrase rules read too.
    pub lift_agree: bool,
}

impl Options {
    pub const DEFAULT: Options = Options {
        acts: Acts::Sentences,
        veto: Veto::Conflict,
        act_probability: 0.6,
        billing_probability: 0.1,
        margin: None,
        billing_floor: None,
        rival: None,
        both_needs_two_acts: false,
        lift: None,
        lift_agree: false,
    };
}

/// The default `auto_answer_threshold` of a mailbox (chosen by cross-validation).
pub const DEFAULT_THRESHOLD: f32 = 0.87;
const WEIGHED: usize = 6;

impl From<Class> for Intent {
    fn from(c: Class) -> Intent {
        match c {
            Class::Refund => Intent::Refund,
            Class::Cancellation => Intent::Cancellation,
            Class::Both => Intent::Both,
            Class::RefundStatus => Intent::RefundStatus,
            Class::PolicyQuestion => Intent::PolicyQuestion,
            Class::Withdrawal => Intent::Withdrawal,
            Class::Other => Intent::Other,
        }
    }
}

/// The text the model reads: the subject when it is the customer's own, then the new text.
pub fn model_text(mail: &Inbound) -> String {
    let subject = super::new_subject(&mail.subject, &mail.text);
    let text = super::clip(&mail.text, super::MAX_TEXT_BYTES);
    // Greeting, sign-off, signature and disclaimer out: they outweighed short requests.
    let text = super::courtesy::strip(text);
    if subject.trim().is_empty() {
        text.to_string()
    } else {
        format!("{subject}\n\n{text}")
    }
}

/// The buckets of what the phrase rules found, as features of the model: their reading and
/// each rule that matched, by its id without the language (`refund.ask`, `status`), so that
/// what the rules know carries across languages; a blocked match with its blocker
/// (`cancel.object/negation.cancel`). The model learns how far to trust each.
pub fn rule_buckets(by_rules: &Classified, spec: &FeatureSpec) -> Vec<u32> {
    if !spec.rules {
        return Vec::new();
    }
    let plain = |id: &str| id.split_once('.').map_or(id, |(_, rest)| rest).to_string();
    let mut out = Vec::with_capacity(by_rules.evidence.len() + 1);
    out.push(features::extra_bucket(
        &format!("intent:{}", by_rules.intent.as_str()),
        spec,
    ));
    for e in &by_rules.evidence {
        let name = match &e.blocked_by {
            Some(b) => format!("{}/{}", plain(&e.rule), plain(b)),
            None => plain(&e.rule),
        };
        out.push(features::extra_bucket(&name, spec));
    }
    out
}

/// The vector the model reads for the whole of `text` with the rules' reading `by_rules`
/// (training and production alike).
pub fn vector(text: &str, by_rules: &Classified, spec: &FeatureSpec) -> Vector {
    let hashed = Hashed::new(text, spec);
    hashed.vector(0, hashed.len(), &rule_buckets(by_rules, spec))
}

/// The model's probabilities for a text, after its sentence acts: when one sentence asks for
/// a refund and another for a cancellation, `both` is at least as probable as the weaker act
/// (and as all requests together).
pub fn read(model: &Model, text: &str, by_rules: &Classified, opts: &Options) -> Prediction {
    let hashed = Hashed::new(text, &model.spec);
    let whole = hashed.vector(0, hashed.len(), &rule_buckets(by_rules, &model.spec));
    let read = Reading {
        text,
        hashed: &hashed,
        whole: &whole,
        by_rules,
    };
    read_hashed(&|v| model.predict_vector(v), &read, opts)
}

/// A text hashed once, its whole vector and the rules' reading of it: what [`read_hashed`]
/// reads.
pub struct Reading<'a> {
    pub text: &'a str,
    pub hashed: &'a Hashed,
    pub whole: &'a Vector,
    pub by_rules: &'a Classified,
}

/// [`read`] from a text hashed once with any scorer (cross-validation compares others).
/// Sentences are read without the rules' features: those are of the whole. The sentence acts
/// and the lift act on the calibrated probabilities, before the stack: its fit sees them.
pub fn read_hashed(
    predict: &dyn Fn(&Vector) -> Prediction,
    read: &Reading,
    opts: &Options,
) -> Prediction {
    let (text, hashed, whole) = (read.text, read.hashed, read.whole);
    let mut whole = predict(whole);
    let requests =
        whole.prob(Class::Refund) + whole.prob(Class::Cancellation) + whole.prob(Class::Both);
    // The lift reads the sentences of any text: a plain request can be outweighed below even.
    if opts.acts == Acts::Whole || (requests < 0.5 && opts.lift.is_none()) {
        return whole;
    }
    let mut refund: f32 = 0.0;
    let mut cancel: f32 = 0.0;
    // The strongest single sentence of each request class, for the lift.
    let mut single = [0f32; 3];
    for (s, e) in super::sentences(text) {
        let (from, to) = hashed.span(s, e);
        if from == to || !text[s..e].chars().any(char::is_alphabetic) {
            continue;
        }
        let (class, q) = predict(&hashed.vector(from, to, &[])).best();
        if class.is_request() {
            single[class.index()] = single[class.index()].max(q);
        }
        match class {
            Class::Refund => refund = refund.max(q),
            Class::Cancellation => cancel = cancel.max(q),
            Class::Both => {
                refund = refund.max(q);
                cancel = cancel.max(q);
            }
            _ => {}
        }
    }
    let (r, c) = (
        refund >= opts.act_probability,
        cancel >= opts.act_probability,
    );
    if r && c && requests >= 0.5 {
        let both = &mut whole.probs[Class::Both.index()];
        *both = both.max(refund.min(cancel).min(requests));
    } else if opts.both_needs_two_acts
        && requests >= 0.5
        && (r || c)
        && whole.best().0 == Class::Both
    {
        let single = if r {
            Class::Refund
        } else {
            Class::Cancellation
        };
        whole.probs[single.index()] += whole.probs[Class::Both.index()];
        whole.probs[Class::Both.index()] = 0.0;
    }
    if let Some(cut) = opts.lift {
        lift(&mut whole, &single, cut, read.by_rules, opts);
    }
    whole
}

/// Raises the whole text's probability of the request one sentence reads at `cut` or more
/// (the strongest such sentence) to that sentence's, scaling the other classes down so the
/// sum stays; unless the rules veto that request (a negation, question or other object for
/// it anywhere in the text, or a different request), a sentence reads another request at
/// the act probability or more, or the whole text reads another request more probable.
fn lift(
    whole: &mut Prediction,
    single: &[f32; 3],
    cut: f32,
    by_rules: &Classified,
    opts: &Options,
) {
    // Any other request act, however weak beside this one, may be the other half of a
    // `both`: half of a `both` answered is a wrong answer.
    let acts: Vec<Class> = [Class::Refund, Class::Cancellation, Class::Both]
        .into_iter()
        .filter(|c| single[c.index()] >= opts.act_probability.min(cut))
        .collect();
    let [class] = acts[..] else {
        return;
    };
    let q = single[class.index()];
    // Nor when the whole text reads another request more probable: the other half of a
    // `both` may be in a sentence that alone reads as no request ("and the 60 € I want back").
    let first = [Class::Refund, Class::Cancellation, Class::Both]
        .into_iter()
        .all(|c| whole.prob(c) <= whole.prob(class));
    if q < cut || !first {
        return;
    }
    let agree = opts.lift_agree;
    let p = whole.prob(class);
    let disagree = agree && by_rules.intent != Intent::from(class);
    if q <= p || disagree || veto(by_rules, Intent::from(class), Veto::Conflict).is_some() {
        return;
    }
    let rest = (1.0 - q) / (1.0 - p).max(1e-6);
    for c in Class::ALL {
        whole.probs[c.index()] = if c == class {
            q
        } else {
            whole.probs[c.index()] * rest
        };
    }
}

/// The three requests, each with its combined probability (the model's, the rules' agreement
/// and veto, through the model's fitted stack) and its veto.
#[derive(Debug, Clone, PartialEq)]
pub struct Scored {
    pub requests: [(Class, f32, Option<String>); 3],
    /// The most probable non-request class and the model's probability of it.
    pub other: (Class, f32),
    pub billing_error: f32,
    /// The model's strongest class's probability less its second's.
    pub margin: f32,
    /// For each request class, the model's probability of the other two requests.
    pub rivals: [f32; 3],
}

impl Scored {
    /// The strongest request (the first of equals).
    pub fn best_request(&self) -> &(Class, f32, Option<String>) {
        let mut best = &self.requests[0];
        for r in &self.requests[1..] {
            if r.1 > best.1 {
                best = r;
            }
        }
        best
    }

    /// The reading and its probability: the strongest request when it is at least even, else
    /// the likeliest other class.
    pub fn reading(&self) -> (Class, f32) {
        let (c, p, _) = self.best_request();
        if *p >= 0.5 { (*c, *p) } else { self.other }
    }
}

/// The stack's inputs for request `class`: the model's logit, the rules' agreement, the
/// rules' veto.
pub fn stack_inputs(p: &Prediction, class: Class, by_rules: &Classified) -> [f32; 3] {
    let q = p.prob(class).clamp(1e-4, 1.0 - 1e-4);
    let agree = by_rules.intent == Intent::from(class);
    let vetoed = veto(by_rules, Intent::from(class), Veto::Conflict).is_some();
    [
        (q / (1.0 - q)).ln(),
        f32::from(u8::from(agree)),
        f32::from(u8::from(vetoed)),
    ]
}

/// Scores the requests of a prediction against the rules' reading.
pub fn score(p: &Prediction, by_rules: &Classified, stack: &[f32; 4], opts: &Options) -> Scored {
    score_with(p, by_rules, &[*stack; 3], opts)
}

/// [`score`] with one stack per request class (refund, cancellation, both).
pub fn score_with(
    p: &Prediction,
    by_rules: &Classified,
    stacks: &[[f32; 4]; 3],
    opts: &Options,
) -> Scored {
    let request = |class: Class| {
        let stack = &stacks[class.index()];
        let x = stack_inputs(p, class, by_rules);
        let z = stack[0] * x[0] + stack[1] * x[1] + stack[2] * x[2] + stack[3];
        let prob = 1.0 / (1.0 + (-z).exp());
        (class, prob, veto(by_rules, Intent::from(class), opts.veto))
    };
    let mut other = (Class::Other, f32::MIN);
    for c in Class::ALL.into_iter().filter(|c| !c.is_request()) {
        if p.prob(c) > other.1 {
            other = (c, p.prob(c));
        }
    }
    Scored {
        requests: [
            request(Class::Refund),
            request(Class::Cancellation),
            request(Class::Both),
        ],
        other,
        billing_error: p.billing_error,
        margin: margin(p),
        rivals: [
            p.prob(Class::Cancellation) + p.prob(Class::Both),
            p.prob(Class::Refund) + p.prob(Class::Both),
            0.0,
        ],
    }
}

/// The strongest class's probability less the second's.
pub fn margin(p: &Prediction) -> f32 {
    let mut sorted = p.probs;
    sorted.sort_by(|a, b| b.total_cmp(a));
    sorted[0] - sorted[1]
}

/// Classifies `mail` with the model, guarded by the rules, at `threshold`.
pub fn classify(
    mail: &Inbound,
    rules: &ClassifyRules,
    model: &Model,
    threshold: f32,
    opts: &Options,
) -> Classified {
    let by_rules = super::classify(mail, rules);
    let text = model_text(mail);
    if !text.chars().any(char::is_alphanumeric) {
        // No words at all (an attachment only, an undecodable body): nothing is asked, and
        // the model's near-uniform guess would only say `unsure`.
        return by_rules;
    }
    let hashed = Hashed::new(&text, &model.spec);
    let whole = hashed.vector(0, hashed.len(), &rule_buckets(&by_rules, &model.spec));
    let read = Reading {
        text: &text,
        hashed: &hashed,
        whole: &whole,
        by_rules: &by_rules,
    };
    let p = read_hashed(&|v| model.predict_vector(v), &read, opts);
    let scored = score(&p, &by_rules, &model.stack, opts);
    let (class, p) = scored.reading();
    let (intent, reason) = settle(&scored, threshold, opts);
    let veto = scored
        .requests
        .iter()
        .find(|r| r.0 == class)
        .and_then(|r| r.2.clone());
    let weighed = model
        .evidence(&hashed, &whole, class, WEIGHED)
        .into_iter()
        .map(|(feature, w)| Weighed {
            feature,
            weight: (f64::from(w) * 100.0).round() / 100.0,
        })
        .collect();
    Classified {
        intent,
        confidence: (p * 100.0).round() / 100.0,
        evidence: by_rules.evidence,
        learned: Some(Learned {
            reading: Intent::from(class),
            probability: (p * 1000.0).round() / 1000.0,
            reason,
            veto,
            weighed,
        }),
    }
}

/// The intent: a request at or above `threshold` without a veto; another class when the model
/// is at least even about it and no request is; else `unsure`. A refund the model reads as a
/// billing error carries the reason.
pub fn settle(scored: &Scored, threshold: f32, opts: &Options) -> (Intent, Option<Reason>) {
    let (class, p, veto) = scored.best_request();
    let billing = scored.billing_error >= opts.billing_probability
        && matches!(class, Class::Refund | Class::Both);
    let floor = match opts.billing_floor {
        Some(f) if billing => threshold.min(f),
        _ => threshold,
    };
    // Each guard is off unless set: the model's probabilities may sum past 1 once the sentence
    // acts have raised `both`, so no value of a rival cut could stand for "off".
    let rival = scored.rivals[class.index().min(2)];
    let rival_ok = opts.rival.is_none_or(|cut| rival < cut);
    let margin_ok = opts.margin.is_none_or(|m| scored.margin >= m);
    let intent = if *p >= floor && veto.is_none() && margin_ok && rival_ok {
        Intent::from(*class)
    } else if *p < 0.5 && scored.other.1 >= 0.5 {
        Intent::from(scored.other.0)
    } else {
        Intent::Unsure
    };
    let reason = (intent.wants_refund() && scored.billing_error >= opts.billing_probability)
        .then_some(Reason::BillingError);
    (intent, reason)
}

/// What in the rules' reading holds the model's request `reading` back, if anything.
pub fn veto(by_rules: &Classified, reading: Intent, mode: Veto) -> Option<String> {
    match mode {
        Veto::None => None,
        Veto::Agree => (by_rules.intent != reading)
            .then(|| format!("the phrase rules read {}", by_rules.intent.as_str())),
        Veto::Conflict => {
            let other_request = matches!(
                (by_rules.intent, reading),
                (Intent::Refund, Intent::Cancellation)
                    | (Intent::Cancellation, Intent::Refund)
                    | (Intent::Both, Intent::Refund | Intent::Cancellation)
            );
            if other_request {
                return Some(format!(
                    "the phrase rules read {}",
                    by_rules.intent.as_str()
                ));
            }
            by_rules
                .evidence
                .iter()
                .find(|e| {
                    let wanted = match e.role {
                        Role::Refund => reading.wants_refund(),
                        Role::Cancellation => reading.wants_cancellation(),
                        _ => false,
                    };
                    wanted && e.blocked_by.is_some()
                })
                .map(|e| {
                    format!(
                        "{:?} is cancelled by rule {}",
                        e.phrase,
                        e.blocked_by.as_deref().unwrap_or("?")
                    )
                })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::classify::features::Feature;
    use crate::classify::model::CLASSES;
    use crate::parse::Inbound;

    /// A model that knows "refund" (a refund) and "long", "story", "pausing" (other), words
    /// only.
    fn storyteller() -> Model {
        let spec = FeatureSpec {
            buckets: 1 << 12,
            min_n: 0,
            max_n: 0,
            bigrams: false,
            rules: false,
        };
        let columns = CLASSES + 1;
        let mut w = vec![0f32; spec.buckets as usize * columns];
        let mut set = |word: &str, class: Class, x: f32| {
            let b = features::bucket(&Feature::Word(word.into()), &spec) as usize;
            w[b * columns + class.index()] = x;
        };
        set("refund", Class::Refund, 10.0);
        for word in ["long", "story", "pausing"] {
            set(word, Class::Other, 3.0);
        }
        Model::quantize(spec, 1.0, [0.0; CLASSES + 1], &w)
    }

    fn mail(text: &str) -> Inbound {
        Inbound::example("", text)
    }

    /// One plain sentence states the refund; the story after it outweighs it in the whole
    /// text. The lift gives the refund the sentence's probability; a negated refund ("I do not
    /// want a refund"), which the rules veto, is not lifted; without the option nothing is.
    #[test]
    fn the_lift_raises_a_plain_sentence_and_not_a_negated_one() {
        let model = storyteller();
        let rules = crate::config::classify::builtin();
        let lift = Options {
            lift: Some(0.9),
            ..Options::DEFAULT
        };
        let refund = |text: &str, opts: &Options| {
            let by_rules = super::super::classify(&mail(text), &rules);
            let p = read(&model, text, &by_rules, opts);
            (p.prob(Class::Refund), p.probs.iter().sum::<f32>(), by_rules)
        };
        let plain = "Please refund my payment. We are pausing a long long story story story.";
        let sentence = model
            .predict("Please refund my payment.")
            .prob(Class::Refund);
        assert!(sentence > 0.9, "{sentence}");
        let (off, _, _) = refund(plain, &Options::DEFAULT);
        let (on, sum, _) = refund(plain, &lift);
        assert!(off < 0.5, "drowned without the lift: {off}");
        assert!((on - sentence).abs() < 1e-4, "lifted to {sentence}: {on}");
        assert!((sum - 1.0).abs() < 1e-4, "the others scaled down: {sum}");

        let negated = "I do not want a refund. We are pausing a long long story story story.";
        let alone = model.predict("I do not want a refund.").prob(Class::Refund);
        assert!(alone > 0.9, "only the veto holds it back: {alone}");
        let (off, _, by_rules) = refund(negated, &Options::DEFAULT);
        assert!(veto(&by_rules, Intent::Refund, Veto::Conflict).is_some());
        let (on, _, _) = refund(negated, &lift);
        assert_eq!(on, off, "a vetoed request is not lifted");
        assert!(on < 0.5);
    }

    fn scored(refund: f32, rivals: f32, margin: f32) -> Scored {
        Scored {
            requests: [
                (Class::Refund, refund, None),
                (Class::Cancellation, 0.01, None),
                (Class::Both, 0.02, None),
            ],
            other: (Class::Other, 0.01),
            billing_error: 0.0,
            margin,
            rivals: [rivals, 0.0, 0.0],
        }
    }

    /// A shared dev message ("help me getting my money back", 0.97) went to people once the
    /// rival guard compared against its "off" value: its rivals summed to 1.009.
    #[test]
    fn the_default_options_answer_whatever_the_rivals_sum_to() {
        for (refund, rivals, margin, opts, want) in [
            (0.97, 1.009, 0.016, Options::DEFAULT, Intent::Refund),
            (0.97, 0.2, 0.5, Options::DEFAULT, Intent::Refund),
            (0.80, 0.2, 0.5, Options::DEFAULT, Intent::Unsure),
            (
                0.97,
                0.35,
                0.5,
                Options {
                    rival: Some(0.3),
                    ..Options::DEFAULT
                },
                Intent::Unsure,
            ),
            (
                0.97,
                0.2,
                0.1,
                Options {
                    margin: Some(0.3),
                    ..Options::DEFAULT
                },
                Intent::Unsure,
            ),
        ] {
            let (intent, reason) = settle(&scored(refund, rivals, margin), 0.85, &opts);
            assert_eq!(
                (intent, reason),
                (want, None),
                "{refund} {rivals} {margin} {opts:?}"
            );
        }
    }

    /// The billing floor sends a flagged refund under the threshold to people with its
    /// reason; off (the default), the same refund is only `unsure`.
    #[test]
    fn the_billing_floor_only_acts_when_set() {
        let mut s = scored(0.6, 0.2, 0.5);
        s.billing_error = 0.4;
        let floor = Options {
            billing_floor: Some(0.5),
            ..Options::DEFAULT
        };
        assert_eq!(
            settle(&s, 0.85, &floor),
            (Intent::Refund, Some(Reason::BillingError))
        );
        assert_eq!(settle(&s, 0.85, &Options::DEFAULT), (Intent::Unsure, None));
        s.billing_error = 0.0;
        assert_eq!(settle(&s, 0.85, &floor), (Intent::Unsure, None));
    }
}
