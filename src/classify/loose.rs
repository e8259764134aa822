//! A cheaper first look for texts that are not all ASCII: can a pattern match here at all?
//!
//! Nearly every rule pattern has a Unicode word boundary (`\b`), which the lazy DFA decides
//! only on ASCII text: at the first non-ASCII byte the regex engine gives up on it and runs
//! the pattern again in a slower engine (the bounded backtracker or the PikeVM). Two texts in
//! five of the training mail are not ASCII, and there a search costs about nine times as
//! much. Most of those searches find nothing, even after the prefilter.
//!
//! Here each pattern also has a *loose* form, the pattern without its Unicode word boundaries
//! (each read as "always true"), which the lazy DFA runs on any text. Every match of the
//! pattern is a match of its loose form, so a text where the loose form matches nowhere holds
//! no match of the pattern either, and its search can be skipped: the hits, and so every
//! decision, are those of searching. Where the loose form matches (or its automaton gives up),
//! the pattern is searched as before.

use std::sync::{Mutex, OnceLock, TryLockError};

use regex_automata::hybrid::dfa::{Cache, DFA};
use regex_automata::nfa::thompson::{self, WhichCaptures};
use regex_automata::{Input, MatchKind};
use regex_syntax::hir::{Hir, HirKind, Look};

use super::prefilter::parser;
use crate::pattern::Pattern;

/// The loose forms of a list of patterns, each built when first needed (most patterns never
/// get past the prefilter on text that is not ASCII).
#[derive(Debug)]
pub struct Loose {
    patterns: Vec<(String, OnceLock<Option<Automaton>>)>,
}

/// One loose form's lazy DFA and its one search cache (a second caller at the same moment
/// makes its own, as [`Pattern`] does).
#[derive(Debug)]
struct Automaton {
    dfa: DFA,
    cache: Mutex<Option<Cache>>,
}

impl Loose {
    /// The loose forms of `patterns`, in the order they will be asked about.
    pub fn new<'a>(patterns: impl IntoIterator<Item = &'a Pattern>) -> Loose {
        Loose {
            patterns: patterns
                .into_iter()
                .map(|p| (p.as_str().to_string(), OnceLock::new()))
                .collect(),
        }
    }

    /// False only if pattern `i` matches nowhere in `text`. Patterns beyond the list, or whose
    /// loose form did not build, always may.
    pub fn may_match(&self, i: usize, text: &str) -> bool {
        let Some((source, automaton)) = self.patterns.get(i) else {
            return true;
        };
        match automaton.get_or_init(|| Automaton::loose(source)) {
            Some(a) => a.is_match(text).unwrap_or(true),
            None => true,
        }
    }
}

impl Automaton {
    /// The lazy DFA of `pattern`'s loose form, read with the rules' flags; `None` if it does
    /// not build (a rule pattern always parses; the loose form is never bigger).
    fn loose(pattern: &str) -> Option<Automaton> {
        let hir = loosen(&parser().parse(pattern).ok()?);
        Automaton::new(&hir)
    }

    fn new(hir: &Hir) -> Option<Automaton> {
        let nfa = thompson::Compiler::new()
            // Only whether it matches is asked: no capture states to carry.
            .configure(thompson::Config::new().which_captures(WhichCaptures::None))
            .build_from_hir(hir)
            .ok()?;
        let config = DFA::config()
            .match_kind(MatchKind::LeftmostFirst)
            .unicode_word_boundary(true);
        let dfa = DFA::builder().configure(config).build_from_nfa(nfa).ok()?;
        Some(Automaton {
            dfa,
            cache: Mutex::new(None),
        })
    }

    /// Whether it matches anywhere in `text`; `None` if the lazy DFA gave up.
    fn is_match(&self, text: &str) -> Option<bool> {
        let input = Input::new(text).earliest(true);
        let search = |cache: &mut Cache| self.dfa.try_search_fwd(cache, &input).ok();
        let found = match self.cache.try_lock() {
            Ok(mut slot) => search(slot.get_or_insert_with(|| self.dfa.create_cache())),
            // A search that panicked leaves nothing wrong in the cache: each search starts
            // from a start state.
            Err(TryLockError::Poisoned(p)) => search(
                p.into_inner()
                    .get_or_insert_with(|| self.dfa.create_cache()),
            ),
            Err(TryLockError::WouldBlock) => search(&mut self.dfa.create_cache()),
        };
        found.map(|m| m.is_some())
    }
}

/// The pattern without its Unicode word boundaries (each read as "always true"): it matches
/// wherever the pattern does, and the lazy DFA can run it on any text.
fn loosen(hir: &Hir) -> Hir {
    match hir.kind() {
        HirKind::Look(look) if is_unicode_word(*look) => Hir::empty(),
        HirKind::Empty | HirKind::Literal(_) | HirKind::Class(_) | HirKind::Look(_) => hir.clone(),
        HirKind::Repetition(rep) => {
            let mut rep = rep.clone();
            rep.sub = Box::new(loosen(&rep.sub));
            Hir::repetition(rep)
        }
        HirKind::Capture(cap) => {
            let mut cap = cap.clone();
            cap.sub = Box::new(loosen(&cap.sub));
            Hir::capture(cap)
        }
        HirKind::Concat(subs) => Hir::concat(subs.iter().map(loosen).collect()),
        HirKind::Alternation(subs) => Hir::alternation(subs.iter().map(loosen).collect()),
    }
}

fn is_unicode_word(look: Look) -> bool {
    matches!(
        look,
        Look::WordUnicode
            | Look::WordUnicodeNegate
            | Look::WordStartUnicode
            | Look::WordEndUnicode
            | Look::WordStartHalfUnicode
            | Look::WordEndHalfUnicode
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::classify::text::{clip, normalize};

    /// Subjects and bodies of the training messages (seven languages, many not ASCII),
    /// normalised as `classify` does, and a few made to hit the edges.
    fn training_texts() -> Vec<String> {
        let rules = crate::config::classify::builtin();
        let mut texts: Vec<String> = [
            "",
            "é",
            "ok é",
            "böok",
            "ÉÇ refund\u{301} résilier\n\nkündigen!",
            "please cancel my account é\nok",
        ]
        .map(String::from)
        .into();
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("config/classifier/train");
        let mut files: Vec<_> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "jsonl"))
            .collect();
        files.sort();
        for file in files {
            for line in std::fs::read_to_string(file).unwrap().lines() {
                let v: serde_json::Value = serde_json::from_str(line).unwrap();
                for key in ["subject", "body"] {
                    let text = v[key].as_str().unwrap_or_default();
                    texts.push(normalize(clip(text, 20_000), &rules.typos).text);
                }
            }
        }
        texts
    }

    #[test]
    fn the_loose_form_matches_wherever_the_pattern_does() {
        let rules = crate::config::classify::builtin();
        let patterns: Vec<&Pattern> = rules.rules.iter().flat_map(|r| &r.patterns).collect();
        let loose = Loose::new(patterns.iter().copied());
        let prefilter = super::super::prefilter::Prefilter::new(patterns.iter().copied());
        let (mut wide, mut matches, mut skipped) = (0, 0, 0);
        for text in training_texts().iter().filter(|t| !t.is_ascii()) {
            wide += 1;
            let candidates = prefilter.candidates(text);
            for (i, p) in patterns.iter().enumerate() {
                let may = loose.may_match(i, text);
                if !candidates.may_match(i) {
                    assert!(!p.is_match(text));
                } else if p.is_match(text) {
                    matches += 1;
                    assert!(may, "{:?} on {text:?}", p.as_str());
                } else {
                    skipped += usize::from(!may);
                }
            }
        }
        assert!(loose.may_match(patterns.len(), "é"), "unknown patterns may");
        eprintln!("{wide} texts: {matches} matches, {skipped} searches past the prefilter skipped");
        // Worth having only if it rules out more searches than find something.
        assert!(
            wide > 500 && matches > 1000 && skipped > matches,
            "{skipped}"
        );
    }

    #[test]
    fn loose_forms_lose_only_their_unicode_word_boundaries() {
        let loose = |p: &str| Automaton::loose(p).unwrap();
        let named = |a: &Automaton, text: &str| a.is_match(text).unwrap();
        let ok = loose(r"\bok\b");
        assert!(named(&ok, "böok") && named(&ok, "ok é") && !named(&ok, "o k é"));
        assert!(named(&loose(r"\Bé\b"), "é"));
        // ASCII word boundaries and line anchors stay: the lazy DFA decides them anywhere.
        let ascii = loose(r"(?-u:\b)ok(?-u:\b)");
        assert!(!named(&ascii, "book") && named(&ascii, "ok é"));
        let line = loose(r"^ok$");
        assert!(named(&line, "é\nok\ny") && !named(&line, "é ok"));
        // The pattern as written stops at the first non-ASCII byte: the reason for all this.
        let exact = Automaton::new(&parser().parse(r"\bok\b").unwrap()).unwrap();
        assert_eq!(exact.is_match("é ok"), None);
        assert_eq!(exact.is_match("a ok"), Some(true));
    }
}
