//! Classification: what does the customer ask for? Pure; reads only subject and new text.
//!
//! A scorer over configurable rules (`config/classify.toml`, built into the binary as the
//! default). Each rule is a list of case-insensitive patterns with a role, a weight and a
//! language tag. `refund` and `cancellation` rules are evidence for an intent; `request` rules
//! ("please", "I would like") strengthen the intent evidence in their sentence; `negation`,
//! `policy_question`, `status_question`, `hypothetical` and `other_object` rules cancel it
//! ("I don't want to cancel", "what is your refund policy?", "where is my refund?", "if this
//! goes on I'll cancel", "cancel my order").
//!
//! A wrong automatic answer costs more than a message sent to people, so the classifier
//! answers `Unsure` whenever the evidence is weak or conflicting, and both `Unsure` and
//! `Other` go to people.

pub mod courtesy;
pub mod decide;
pub mod features;
pub mod mlp;
pub mod model;
mod prefilter;
mod text;
pub mod train;

use std::sync::{Arc, OnceLock};

use serde::Serialize;

use crate::parse::Inbound;
use prefilter::Prefilter;
use text::{Normalized, clip, new_subject, normalize, sentences};

pub use crate::pattern::Pattern;
pub use decide::{Learned, Reason, Weighed};
pub use model::Model;
pub use prefilter::parser as pattern_parser;

/// What the customer asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Intent {
    Refund,
    Cancellation,
    Both,
    /// Asks when or whether a refund already asked for arrives: people answer it.
    RefundStatus,
    /// Asks what the refund or cancellation policy says: people answer it.
    PolicyQuestion,
    /// Invokes the EU right of withdrawal: people answer it.
    Withdrawal,
    /// Not a refund or cancellation request: people answer it.
    Other,
    /// Weak or conflicting signals: people answer it.
    Unsure,
}

impl Intent {
    /// The name used in scenario files and `check --json`.
    pub fn as_str(&self) -> &'static str {
        match self {
            Intent::Refund => "refund",
            Intent::Cancellation => "cancellation",
            Intent::Both => "both",
            Intent::RefundStatus => "refund_status",
            Intent::PolicyQuestion => "policy_question",
            Intent::Withdrawal => "withdrawal",
            Intent::Other => "other",
            Intent::Unsure => "unsure",
        }
    }

    /// Whether a refund is asked for.
    pub fn wants_refund(&self) -> bool {
        matches!(self, Intent::Refund | Intent::Both)
    }

    /// Whether a cancellation is asked for.
    pub fn wants_cancellation(&self) -> bool {
        matches!(self, Intent::Cancellation | Intent::Both)
    }
}

/// What a rule's patterns are evidence of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Asks for money back.
    Refund,
    /// Asks to cancel, close or delete an account, subscription or plan.
    Cancellation,
    /// A request marker ("please", "can you", "I want"): strengthens intent evidence.
    Request,
    /// "I don't want to cancel".
    Negation,
    /// "What is your refund policy?", "how long do refunds take?".
    PolicyQuestion,
    /// "Where is my refund?", "has my account been closed?".
    StatusQuestion,
    /// "If this goes on I'll cancel", "I'm thinking about cancelling".
    Hypothetical,
    /// Cancelling something that is not the subscription: an order, a card, a newsletter.
    OtherObject,
}

impl Role {
    /// Whether hits of this role cancel intent evidence.
    pub fn is_negative(&self) -> bool {
        !matches!(self, Role::Refund | Role::Cancellation | Role::Request)
    }
}

/// Where a negative rule looks for the evidence it cancels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    /// Every intent hit in the same sentence.
    Sentence,
    /// Only intent hits that overlap the negative phrase.
    Phrase,
}

/// Which part of the message a phrase was found in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Part {
    Subject,
    Body,
}

/// One compiled rule: a group of patterns sharing role, weight and language.
#[derive(Debug, Clone)]
pub struct Rule {
    pub id: String,
    pub role: Role,
    pub lang: String,
    pub weight: f32,
    /// For negative roles: does it cancel refund evidence, cancellation evidence?
    pub blocks_refund: bool,
    pub blocks_cancellation: bool,
    pub scope: Scope,
    pub patterns: Vec<Pattern>,
}

/// Words whose near misses are read as the word ("acount" is "account").
#[derive(Debug, Clone, Default)]
pub struct Typos {
    /// Lower-case target words.
    pub words: Vec<String>,
    /// Lower-case real words that are never corrected ("cancer").
    pub keep: Vec<String>,
}

/// Compiled classification rules (from `config/classify.toml` and the `[classify]` section).
#[derive(Debug, Clone)]
pub struct ClassifyRules {
    pub rules: Vec<Rule>,
    pub typos: Typos,
    /// An intent counts only at or above this confidence (0..1).
    pub min_confidence: f32,
    /// Which patterns can match a text, built from `rules` on first use (so `rules` must not
    /// change after the first message; patterns added later are simply always run).
    prefilter: OnceLock<Arc<Prefilter>>,
}

impl ClassifyRules {
    /// No rules yet; `min_confidence` until a rule file sets its own.
    pub fn new(min_confidence: f32) -> ClassifyRules {
        ClassifyRules {
            rules: Vec::new(),
            typos: Typos::default(),
            min_confidence,
            prefilter: OnceLock::new(),
        }
    }

    /// Builds the prefilter now rather than at the first message (clones share it).
    pub fn prepare(&self) {
        self.prefilter();
    }

    fn prefilter(&self) -> &Prefilter {
        self.prefilter.get_or_init(|| {
            Arc::new(Prefilter::new(
                self.rules.iter().flat_map(|r| r.patterns.iter()),
            ))
        })
    }
}

/// One phrase that counted (or was cancelled) in the decision.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Evidence {
    /// The words as the customer wrote them.
    pub phrase: String,
    /// The id of the rule that matched (`en.refund.ask`).
    pub rule: String,
    pub role: Role,
    pub lang: String,
    pub part: Part,
    /// The rule's weight (f64, rounded to hundredths, so that JSON shows `0.6`).
    pub weight: f64,
    /// For intent evidence: the negative rule that cancelled it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub blocked_by: Option<String>,
}

/// The intent, how sure the classifier is, and the phrases that led to it.
#[derive(Debug, Clone, PartialEq)]
pub struct Classified {
    pub intent: Intent,
    /// 0..1. For `unsure`, the confidence of the strongest reading, which was held back.
    pub confidence: f32,
    /// Subject first, then body, each in text order.
    pub evidence: Vec<Evidence>,
    /// The learned model's part, when it took part.
    pub learned: Option<Learned>,
}

impl Classified {
    /// Why a request goes to people although it is one (`billing_error`).
    pub fn reason(&self) -> Option<Reason> {
        self.learned.as_ref().and_then(|l| l.reason)
    }

    /// The phrases of the evidence, in order (for tests and logs).
    pub fn phrases(&self) -> Vec<&str> {
        self.evidence.iter().map(|e| e.phrase.as_str()).collect()
    }
}

/// Only the start of a very long text is read: a customer's own words are short, and the
/// classifier's time stays bounded whatever arrives.
const MAX_TEXT_BYTES: usize = 20_000;
/// Evidence kept per message, for logs and `check --json`.
const MAX_EVIDENCE: usize = 40;

/// One match, before scoring.
#[derive(Debug, Clone)]
struct Hit {
    rule: usize,
    part: Part,
    sentence: usize,
    start: usize,
    end: usize,
    phrase: String,
    blocked_by: Option<usize>,
}

/// Classifies one message from its subject and its new text only, so that the vendor's own
/// words quoted below ("to cancel or request a refund, reply…") never count.
///
/// A reply's subject (`Re: Your refund has been processed`) is the vendor's wording too, so
/// a subject with a reply or forward prefix is not read.
pub fn classify(mail: &Inbound, rules: &ClassifyRules) -> Classified {
    let mut hits = Vec::new();
    let mut sentence_base = 0;
    for (part, text) in [
        (Part::Subject, new_subject(&mail.subject, &mail.text)),
        (Part::Body, mail.text.as_str()),
    ] {
        let text = clip(text, MAX_TEXT_BYTES);
        let norm = normalize(text, &rules.typos);
        let sentences = sentences(&norm.text);
        find_hits(
            rules,
            part,
            text,
            &norm,
            &sentences,
            sentence_base,
            &mut hits,
        );
        sentence_base += sentences.len();
    }
    block(rules, &mut hits);
    decide(rules, hits)
}

fn find_hits(
    rules: &ClassifyRules,
    part: Part,
    original: &str,
    norm: &Normalized,
    sentences: &[(usize, usize)],
    sentence_base: usize,
    hits: &mut Vec<Hit>,
) {
    let candidates = rules.prefilter().candidates(&norm.text);
    let mut flat = 0;
    for (index, rule) in rules.rules.iter().enumerate() {
        for pattern in &rule.patterns {
            flat += 1;
            if !candidates.may_match(flat - 1) {
                continue;
            }
            pattern.each_match(&norm.text, |m| {
                let (start, end) = (m.start, m.end);
                if start == end
                    || hits
                        .iter()
                        .any(|h| h.rule == index && h.part == part && h.start == start)
                {
                    return;
                }
                let sentence = sentences
                    .iter()
                    .position(|&(s, e)| start >= s && start < e)
                    .unwrap_or(0);
                let phrase = original
                    .get(norm.origin[start]..norm.origin[end])
                    .unwrap_or(&norm.text[start..end])
                    .trim()
                    .to_string();
                hits.push(Hit {
                    rule: index,
                    part,
                    sentence: sentence_base + sentence,
                    start,
                    end,
                    phrase,
                    blocked_by: None,
                });
            });
        }
    }
}

/// Marks every intent hit that a negative hit cancels.
fn block(rules: &ClassifyRules, hits: &mut [Hit]) {
    let negatives: Vec<Hit> = hits
        .iter()
        .filter(|h| rules.rules[h.rule].role.is_negative())
        .cloned()
        .collect();
    for hit in hits.iter_mut() {
        let role = rules.rules[hit.rule].role;
        if !matches!(role, Role::Refund | Role::Cancellation) {
            continue;
        }
        hit.blocked_by = negatives
            .iter()
            .find(|n| {
                let rule = &rules.rules[n.rule];
                let blocks = match role {
                    Role::Refund => rule.blocks_refund,
                    _ => rule.blocks_cancellation,
                };
                let near = match rule.scope {
                    Scope::Sentence => n.sentence == hit.sentence,
                    Scope::Phrase => n.part == hit.part && n.start < hit.end && hit.start < n.end,
                };
                blocks && near
            })
            .map(|n| n.rule);
    }
}

/// How one intent fared.
#[derive(Debug, Default, Clone, Copy)]
struct Score {
    /// The best sentence: strongest unblocked hit plus the request boost.
    best: f32,
    /// Some evidence for it was cancelled by a negation, question or hypothetical. (Evidence
    /// about another object, "cancel my order", is set aside silently.)
    blocked: bool,
    confidence: f32,
}

fn score(rules: &ClassifyRules, hits: &[Hit], role: Role) -> Score {
    let mut by_sentence: Vec<(usize, f32)> = Vec::new();
    let mut blocked = false;
    for h in hits.iter().filter(|h| rules.rules[h.rule].role == role) {
        match h.blocked_by {
            Some(by) if rules.rules[by].role != Role::OtherObject => blocked = true,
            Some(_) => {}
            None => {
                let w = rules.rules[h.rule].weight;
                match by_sentence.iter_mut().find(|(s, _)| *s == h.sentence) {
                    Some((_, best)) => *best = best.max(w),
                    None => by_sentence.push((h.sentence, w)),
                }
            }
        }
    }
    for (sentence, w) in by_sentence.iter_mut() {
        let boost = hits
            .iter()
            .filter(|h| h.sentence == *sentence && rules.rules[h.rule].role == Role::Request)
            .map(|h| rules.rules[h.rule].weight)
            .fold(0.0, f32::max);
        *w += boost;
    }
    let best = by_sentence.iter().map(|(_, w)| *w).fold(0.0, f32::max);
    let strong = by_sentence.iter().filter(|(_, w)| *w >= 1.0).count();
    let s = best + 0.15 * strong.saturating_sub(1) as f32;
    Score {
        best,
        blocked,
        confidence: (s / (s + 0.5)).min(0.99),
    }
}

fn decide(rules: &ClassifyRules, hits: Vec<Hit>) -> Classified {
    let mut refund = score(rules, &hits, Role::Refund);
    let mut cancel = score(rules, &hits, Role::Cancellation);
    // Evidence for one intent cancelled by a negation or question makes the other less sure.
    if refund.blocked {
        cancel.confidence *= 0.9;
    }
    if cancel.blocked {
        refund.confidence *= 0.9;
    }
    let min = rules.min_confidence;
    let asked = |s: &Score| s.confidence >= min;
    let weak = |s: &Score| s.best > 0.0 && !asked(s);
    // The same intent both asked for and denied: "cancel my plan ... I don't want to cancel".
    let conflicted = |s: &Score| s.blocked && s.best > 0.0;
    let best = refund.confidence.max(cancel.confidence);
    let (intent, confidence) = if conflicted(&refund) || conflicted(&cancel) {
        (Intent::Unsure, best)
    } else {
        match (asked(&refund), asked(&cancel)) {
            (true, true) => (Intent::Both, refund.confidence.min(cancel.confidence)),
            (true, false) if weak(&cancel) => (Intent::Unsure, best),
            (false, true) if weak(&refund) => (Intent::Unsure, best),
            (true, false) => (Intent::Refund, refund.confidence),
            (false, true) => (Intent::Cancellation, cancel.confidence),
            (false, false) if weak(&refund) || weak(&cancel) => (Intent::Unsure, best),
            (false, false) => (Intent::Other, (1.0 - best).min(0.99)),
        }
    };
    Classified {
        intent,
        confidence: (confidence * 100.0).round() / 100.0,
        evidence: evidence(rules, hits),
        learned: None,
    }
}

fn evidence(rules: &ClassifyRules, mut hits: Vec<Hit>) -> Vec<Evidence> {
    hits.sort_by_key(|h| (h.part == Part::Body, h.start, h.rule));
    hits.into_iter()
        .take(MAX_EVIDENCE)
        .map(|h| {
            let rule = &rules.rules[h.rule];
            Evidence {
                phrase: h.phrase,
                rule: rule.id.clone(),
                role: rule.role,
                lang: rule.lang.clone(),
                part: h.part,
                weight: (f64::from(rule.weight) * 100.0).round() / 100.0,
                blocked_by: h.blocked_by.map(|b| rules.rules[b].id.clone()),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::text::{correction, distance, distance_long};
    use super::*;

    fn mail(subject: &str, text: &str) -> Inbound {
        Inbound::example(subject, text)
    }

    fn intent(subject: &str, text: &str) -> Intent {
        classify(&mail(subject, text), &crate::config::classify::builtin()).intent
    }

    #[test]
    fn requests_in_every_language() {
        use Intent::*;
        for (subject, text, want) in [
            ("", "I would like a refund for last month.", Refund),
            ("Refund", "Please send my money back.", Refund),
            ("", "Please cancel my subscription.", Cancellation),
            ("", "How do I delete my account?", Cancellation),
            ("", "Turn off auto-renewal please.", Cancellation),
            ("", "Please stop charging me.", Cancellation),
            ("", "Please don't renew my plan next month.", Cancellation),
            (
                "",
                "Cancel my trial before it converts, please.",
                Cancellation,
            ),
            ("", "Cancel my Pro plan and refund the last charge.", Both),
            ("Request: cancel my account", "", Cancellation),
            (
                "",
                "Hiermit kündige ich mein Abo und bitte um Rückerstattung.",
                Both,
            ),
            ("", "Ich möchte mein Geld zurück.", Refund),
            ("", "Bitte löschen Sie mein Konto.", Cancellation),
            ("", "Quiero darme de baja y un reembolso.", Both),
            ("", "Quiero cancelar mi suscripción.", Cancellation),
            ("", "Je souhaite résilier mon abonnement.", Cancellation),
            (
                "",
                "Je demande le remboursement de ma dernière facture.",
                Refund,
            ),
            ("", "Quero cancelar minha assinatura.", Cancellation),
            (
                "",
                "Vorrei disdire l'abbonamento e chiedo un rimborso.",
                Both,
            ),
            ("", "Ik wil mijn abonnement opzeggen.", Cancellation),
            (
                "",
                "Graag een terugbetaling van de dubbele afschrijving.",
                Refund,
            ),
        ] {
            assert_eq!(intent(subject, text), want, "{subject:?} {text:?}");
        }
    }

    #[test]
    fn caps_typos_and_very_short_messages() {
        use Intent::*;
        for (subject, text, want) in [
            ("", "CANCEL MY SUBSCRIPTION NOW", Cancellation),
            ("", "REFUND MY LAST PAYMENT", Refund),
            ("", "pls cancle my subscripton", Cancellation),
            ("", "i want to delete my acount", Cancellation),
            ("", "refund pls", Refund),
            ("", "cancel pls", Cancellation),
            ("Refund", "", Unsure),
            ("", "cancel", Unsure),
            ("", "My cancer treatment means I can't work.", Other),
        ] {
            assert_eq!(intent(subject, text), want, "{subject:?} {text:?}");
        }
    }

    #[test]
    fn questions_negations_and_other_objects_are_not_requests() {
        use Intent::*;
        for (subject, text, want) in [
            ("", "Can I add a second user?", Other),
            ("", "What is your refund policy?", Other),
            ("", "How long does a refund take?", Other),
            ("", "Where is my refund? It has been two weeks.", Other),
            ("", "Has my subscription been cancelled?", Other),
            ("", "I don't want to cancel, I just need an invoice.", Other),
            ("", "I need to cancel my order.", Other),
            ("", "Please unsubscribe me from the newsletter.", Other),
            (
                "",
                "If the sync is not fixed by Friday I will cancel.",
                Other,
            ),
            ("", "We are considering cancelling next quarter.", Other),
            ("", "How do I delete contacts from my account?", Other),
            ("", "Please remove two seats from our plan.", Other),
            ("", "Ich möchte nicht kündigen.", Other),
            ("", "¿Cuál es su política de reembolso?", Other),
            ("", "Où en est mon remboursement ?", Other),
            (
                "Re: Your refund has been processed",
                "Can I add a user?",
                Other,
            ),
            ("AW: Kündigung", "Danke!", Other),
            ("Re[2]: Refund", "Thanks", Other),
            ("RE : Résiliation", "Merci", Other),
        ] {
            assert_eq!(intent(subject, text), want, "{subject:?} {text:?}");
        }
    }

    #[test]
    fn conflicting_or_weak_evidence_is_unsure() {
        use Intent::*;
        for (subject, text) in [
            // Asks and denies in one message.
            ("Cancel my account", "What are the cancellation fees?"),
            // A refund request with a weak sign of a cancellation.
            ("", "Please refund me. Cancellation."),
            // Asks for a refund while chasing an earlier one.
            (
                "Refund",
                "Please refund the renewal. Where is the refund you promised in May?",
            ),
        ] {
            assert_eq!(intent(subject, text), Unsure, "{subject:?} {text:?}");
        }
    }

    #[test]
    fn confidence_grows_with_evidence() {
        let rules = crate::config::classify::builtin();
        let weak = classify(&mail("", "cancel my subscription"), &rules);
        let strong = classify(
            &mail(
                "Cancel my subscription",
                "Please cancel my subscription. I hereby terminate the contract.",
            ),
            &rules,
        );
        assert_eq!(weak.intent, Intent::Cancellation);
        assert_eq!(strong.intent, Intent::Cancellation);
        assert!(strong.confidence > weak.confidence, "{strong:?} {weak:?}");
        assert!(weak.confidence >= rules.min_confidence && strong.confidence < 1.0);
    }

    #[test]
    fn evidence_names_phrase_rule_part_and_what_cancelled_it() {
        let got = classify(
            &mail(
                "Refund policy",
                "Please cancel my subscription. I don’t want a refund.",
            ),
            &crate::config::classify::builtin(),
        );
        assert_eq!(got.intent, Intent::Cancellation, "{got:?}");
        let find = |phrase: &str| {
            got.evidence
                .iter()
                .find(|e| e.phrase == phrase)
                .unwrap_or_else(|| panic!("{phrase:?} in {:?}", got.phrases()))
        };
        let cancel = find("cancel my subscription");
        assert_eq!((cancel.part, cancel.role), (Part::Body, Role::Cancellation));
        assert_eq!(cancel.rule, "en.cancel.object");
        assert_eq!(cancel.blocked_by, None);
        // The phrase is quoted as written (typographic apostrophe), though matched normalised.
        let refund = find("refund");
        assert!(refund.blocked_by.is_some(), "{refund:?}");
        assert!(got.evidence.iter().any(|e| e.part == Part::Subject));
        assert!(
            got.evidence
                .iter()
                .any(|e| e.phrase == "don’t want a refund")
        );
    }

    #[test]
    fn subject_copied_from_the_text_counts_once() {
        let got = classify(
            &mail(
                "I would like to cancel...",
                "I would like to cancel my previous transaction",
            ),
            &crate::config::classify::builtin(),
        );
        assert_eq!(got.intent, Intent::Other, "{:?}", got.phrases());
        assert!(got.evidence.iter().all(|e| e.part == Part::Body));
    }

    #[test]
    fn typo_correction_keeps_real_words_and_inflections() {
        let typos = crate::config::classify::builtin().typos;
        for (word, want) in [
            ("acount", Some("account")),
            ("cancle", Some("cancel")),
            ("subscripton", Some("subscription")),
            ("refudn", Some("refund")),
            ("cancer", None),
            ("refunded", None),
            ("cancelled", None),
            ("accounts", None),
            ("hello", None),
            ("rcancel", None),
        ] {
            assert_eq!(correction(word, &typos).as_deref(), want, "{word}");
        }
    }

    #[test]
    fn stack_distance_equals_the_full_table() {
        let words = [
            "",
            "a",
            "refund",
            "refudn",
            "rfeund",
            "cancellation",
            "cancelation",
            "kündigung",
            "kuendigung",
            "İstanbul",
            "abcdefghijklmnopqrstuvwxyzabcdefghij",
            "ab",
            "ba",
        ];
        for a in words {
            for b in words {
                assert_eq!(distance(a, b), distance_long(a, b), "{a} {b}");
            }
        }
    }

    #[test]
    fn sentences_end_at_marks_and_blank_lines_not_at_wrapped_lines() {
        let text = "Please cancel our\nsubscription. Thanks!\n\nAnn\nCEO";
        let got: Vec<&str> = sentences(text)
            .iter()
            .map(|&(s, e)| text[s..e].trim())
            .collect();
        assert_eq!(
            got,
            [
                "Please cancel our\nsubscription.",
                "Thanks!",
                "",
                "Ann\nCEO"
            ]
        );
    }

    #[test]
    fn normalized_offsets_map_back_to_the_original() {
        let text = "I don’t want my acount — ok";
        let norm = normalize(text, &crate::config::classify::builtin().typos);
        assert_eq!(norm.text, "I don't want my account — ok");
        let at = norm.text.find("account").unwrap();
        let end = at + "account".len();
        assert_eq!(&text[norm.origin[at]..norm.origin[end]], "acount");
        assert_eq!(norm.origin.len(), norm.text.len() + 1);
    }

    /// The texts the equivalence tests search: the labelled corpora's subjects and bodies,
    /// normalised as `classify` does, and texts made to produce empty and non-ASCII matches.
    fn corpus_texts() -> Vec<String> {
        let rules = crate::config::classify::builtin();
        let mut texts: Vec<String> = ["", "é", "x\n\n", "ÉÇ refund\u{301} résilier\n\nkündigen!"]
            .map(String::from)
            .into();
        for file in ["bench/saas.jsonl", "bench/saas-holdout.jsonl"] {
            let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(file);
            for line in std::fs::read_to_string(path).unwrap().lines() {
                let v: serde_json::Value = serde_json::from_str(line).unwrap();
                for key in ["subject", "body"] {
                    let text = v[key].as_str().unwrap_or_default();
                    texts.push(normalize(clip(text, MAX_TEXT_BYTES), &rules.typos).text);
                }
            }
        }
        texts
    }

    #[test]
    fn patterns_match_exactly_where_regex_crate_matches() {
        // Pattern replaced `regex::Regex` built with these settings; what it finds must not
        // change.
        let texts = corpus_texts();
        assert!(texts.len() > 100);
        let rules = crate::config::classify::builtin();
        let mut compared = 0;
        for p in rules.rules.iter().flat_map(|r| &r.patterns) {
            let old = regex::RegexBuilder::new(p.as_str())
                .case_insensitive(true)
                .multi_line(true)
                .size_limit(1 << 22)
                .build()
                .unwrap();
            for text in &texts {
                let want: Vec<_> = old.find_iter(text).map(|m| (m.start(), m.end())).collect();
                assert_eq!(p.spans(text), want, "pattern {:?} on {text:?}", p.as_str());
                assert_eq!(p.is_match(text), !want.is_empty());
                compared += want.len();
            }
        }
        assert!(compared > 300, "only {compared} matches compared");
        // The empty pattern matches between characters, never inside one (as `regex`).
        let empty = Pattern::classifier("", 1 << 20).unwrap();
        assert_eq!(empty.spans("aé"), [(0, 0), (1, 1), (3, 3)]);
    }

    #[test]
    fn one_pattern_searched_from_many_threads_at_once_finds_the_same() {
        let rules = crate::config::classify::builtin();
        let texts = corpus_texts();
        let want: Vec<Vec<_>> = texts
            .iter()
            .map(|t| rules.rules[0].patterns.iter().map(|p| p.spans(t)).collect())
            .collect();
        std::thread::scope(|s| {
            for _ in 0..4 {
                s.spawn(|| {
                    for (text, want) in texts.iter().zip(&want) {
                        let got: Vec<_> = rules.rules[0]
                            .patterns
                            .iter()
                            .map(|p| p.spans(text))
                            .collect();
                        assert_eq!(&got, want);
                    }
                });
            }
        });
    }

    #[test]
    fn long_texts_are_clipped_on_a_character_boundary() {
        let text = "é".repeat(MAX_TEXT_BYTES);
        assert!(clip(&text, MAX_TEXT_BYTES).len() <= MAX_TEXT_BYTES);
        let got = classify(&mail("", &text), &crate::config::classify::builtin());
        assert_eq!(got.intent, Intent::Other);
    }
}
