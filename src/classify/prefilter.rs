//! Which patterns can match a text at all, found in one pass, so that only those run.
//!
//! Most of the ~300 rule patterns cannot match a given message: "kündigen" is not in an
//! English one. Case-insensitive Unicode patterns defeat the regex crate's own literal
//! prefilters, so each would scan the text in full. Here every pattern's HIR is read for
//! *required literals*: sets of strings of which every match must contain one ("cancel" or
//! "close" or ..., and "account" or "subscription" or ...). One Aho-Corasick pass over a
//! case-folded copy of the text finds which literals occur; a pattern runs only if each of its
//! sets has a literal in the text. The analysis only ever drops requirements it cannot prove,
//! so a pattern that could match always runs: the hits are those of running every pattern.
//!
//! Case folding follows the regex crate's: simple case folding, each character to the smallest
//! member of its fold orbit ('K', 'k' and the Kelvin sign to 'K'; 'ſ' to 'S'), so that a
//! haystack character the case-insensitive pattern accepts folds to the literal's character.

use std::collections::HashMap;

use aho_corasick::{AhoCorasick, MatchKind};
use regex_syntax::hir::{Class, ClassUnicode, ClassUnicodeRange, Hir, HirKind};

use crate::pattern::Pattern;

/// The flags the rule patterns are compiled with (`config::classify`), so that the analysed
/// HIR is the one the regex runs.
pub fn parser() -> regex_syntax::Parser {
    regex_syntax::ParserBuilder::new()
        .case_insensitive(true)
        .multi_line(true)
        .build()
}

/// A set of this many strings or more is not kept exact (it only grows the automaton).
const MAX_SET: usize = 64;
/// A required string shorter than this (in characters) occurs nearly everywhere: not worth it.
/// (Two-letter words, "ok", "if", "of", still rule out a pattern in a good share of texts:
/// the pipeline benchmark's one pattern that ran on every text was `^\s*(?:yes|ok...)\b`.)
const MIN_LITERAL_CHARS: usize = 2;
/// Requirement sets kept per pattern, the most selective first. Each set is one more chance
/// to rule the pattern out, for the price of a few more literals in the one automaton.
const MAX_GROUPS: usize = 8;
/// A class of at most this many characters is read as a choice of literals.
const MAX_CLASS_CHARS: u32 = 8;

/// The compiled prefilter of a list of patterns.
#[derive(Debug)]
pub struct Prefilter {
    /// `None` when no pattern has a requirement: every pattern always runs.
    automaton: Option<AhoCorasick>,
    /// Case fold of ASCII bytes (identity for bytes no literal uses).
    ascii: [u8; 128],
    /// Case fold of the non-ASCII characters of the literals' orbits, sorted by character.
    wide: Vec<(char, char)>,
    /// For each literal, the groups it satisfies.
    literal_groups: Vec<Vec<u32>>,
    groups: usize,
    /// For each pattern, the groups that must all be satisfied; empty: it always runs.
    patterns: Vec<Vec<u32>>,
}

/// The patterns a text may match: `may_match(i)` for pattern `i` of the list given to
/// [`Prefilter::new`].
pub struct Candidates<'a> {
    prefilter: &'a Prefilter,
    satisfied: Vec<bool>,
}

impl Candidates<'_> {
    /// False only if pattern `i` cannot match the text. Patterns beyond the list the
    /// prefilter was built from always may.
    pub fn may_match(&self, i: usize) -> bool {
        self.prefilter
            .patterns
            .get(i)
            .is_none_or(|groups| groups.iter().all(|&g| self.satisfied[g as usize]))
    }
}

/// What is known of the strings a piece of a pattern matches.
struct Info {
    /// Every string it can match (folded), if there are few; `None` if unknown or too many.
    exact: Option<Vec<String>>,
    /// Sets of folded strings each of which has a member in every match.
    required: Vec<Vec<String>>,
}

impl Info {
    fn exact(set: Vec<String>) -> Info {
        let required = if set.iter().any(String::is_empty) {
            vec![]
        } else {
            vec![set.clone()]
        };
        Info {
            exact: Some(set),
            required,
        }
    }

    fn unknown(required: Vec<Vec<String>>) -> Info {
        Info {
            exact: None,
            required,
        }
    }
}

/// The case-fold orbits of the characters that appear in literals.
#[derive(Default)]
struct Folder {
    canon: HashMap<char, char>,
}

impl Folder {
    fn fold(&mut self, c: char) -> char {
        if let Some(&f) = self.canon.get(&c) {
            return f;
        }
        let mut orbit = ClassUnicode::new([ClassUnicodeRange::new(c, c)]);
        orbit.case_fold_simple();
        let members: Vec<char> = orbit
            .ranges()
            .iter()
            .flat_map(|r| r.start()..=r.end())
            .collect();
        let least = members.iter().copied().min().unwrap_or(c);
        for m in members {
            self.canon.insert(m, least);
        }
        self.canon.insert(c, least);
        least
    }

    fn fold_str(&mut self, s: &str) -> String {
        s.chars().map(|c| self.fold(c)).collect()
    }

    fn info(&mut self, hir: &Hir) -> Info {
        match hir.kind() {
            HirKind::Empty | HirKind::Look(_) => Info::exact(vec![String::new()]),
            HirKind::Literal(lit) => match std::str::from_utf8(&lit.0) {
                Ok(s) => Info::exact(vec![self.fold_str(s)]),
                Err(_) => Info::unknown(vec![]),
            },
            HirKind::Class(Class::Unicode(class)) => {
                let size: u32 = class
                    .ranges()
                    .iter()
                    .map(|r| u32::from(r.end()) - u32::from(r.start()) + 1)
                    .sum();
                if size > MAX_CLASS_CHARS {
                    return Info::unknown(vec![]);
                }
                let mut set: Vec<String> = class
                    .ranges()
                    .iter()
                    .flat_map(|r| r.start()..=r.end())
                    .map(|c| self.fold(c).to_string())
                    .collect();
                set.sort();
                set.dedup();
                Info::exact(set)
            }
            HirKind::Class(Class::Bytes(_)) => Info::unknown(vec![]),
            HirKind::Capture(cap) => self.info(&cap.sub),
            HirKind::Repetition(rep) => {
                let sub = self.info(&rep.sub);
                match (rep.min, rep.max) {
                    (1, Some(1)) => sub,
                    (0, Some(1)) => match sub.exact {
                        Some(mut set) if set.len() < MAX_SET => {
                            set.push(String::new());
                            set.sort();
                            set.dedup();
                            Info::exact(set)
                        }
                        _ => Info::unknown(vec![]),
                    },
                    (0, _) => Info::unknown(vec![]),
                    _ => Info::unknown(sub.required),
                }
            }
            HirKind::Concat(subs) => {
                let infos: Vec<Info> = subs.iter().map(|s| self.info(s)).collect();
                concat(infos)
            }
            HirKind::Alternation(subs) => {
                let infos: Vec<Info> = subs.iter().map(|s| self.info(s)).collect();
                alternation(infos)
            }
        }
    }
}

/// Every `a` followed by every `b`, if that is few enough strings.
fn product(a: &[String], b: &[String]) -> Option<Vec<String>> {
    if a.len() * b.len() > MAX_SET {
        return None;
    }
    let mut out: Vec<String> = a
        .iter()
        .flat_map(|x| b.iter().map(move |y| format!("{x}{y}")))
        .collect();
    out.sort();
    out.dedup();
    Some(out)
}

/// A concatenation requires what each part requires, and each run of consecutive exact parts
/// as one longer string.
fn concat(infos: Vec<Info>) -> Info {
    let mut required = Vec::new();
    let mut run: Option<Vec<String>> = Some(vec![String::new()]);
    let mut whole: Option<Vec<String>> = Some(vec![String::new()]);
    for info in infos {
        required.extend(info.required);
        whole = match (&whole, &info.exact) {
            (Some(w), Some(e)) => product(w, e),
            _ => None,
        };
        match info.exact {
            Some(e) => {
                let extended = run.as_deref().and_then(|r| product(r, &e));
                run = match extended {
                    Some(x) => Some(x),
                    None => {
                        if let Some(done) = run.take() {
                            required.push(done);
                        }
                        Some(e)
                    }
                };
            }
            None => {
                if let Some(done) = run.take() {
                    required.push(done);
                }
                run = Some(vec![String::new()]);
            }
        }
    }
    if let Some(done) = run {
        required.push(done);
    }
    if let Some(w) = &whole {
        required.push(w.clone());
    }
    required.retain(|set| !set.iter().any(String::is_empty));
    Info {
        exact: whole,
        required,
    }
}

/// An alternation's match is some branch's: it requires, of each branch, one of its sets.
fn alternation(infos: Vec<Info>) -> Info {
    let exact = infos.iter().try_fold(Vec::new(), |mut all, info| {
        all.extend(info.exact.clone()?);
        (all.len() <= MAX_SET).then_some(all)
    });
    if let Some(mut set) = exact {
        set.sort();
        set.dedup();
        return Info::exact(set);
    }
    let mut union = Vec::new();
    for info in infos {
        match best(info.required) {
            Some(set) => union.extend(set),
            None => return Info::unknown(vec![]),
        }
    }
    union.sort();
    union.dedup();
    Info::unknown(vec![union])
}

/// How selective a set is: longer shortest member first, then fewer members.
fn rank(set: &[String]) -> (usize, std::cmp::Reverse<usize>) {
    let shortest = set.iter().map(|s| s.chars().count()).min().unwrap_or(0);
    (shortest, std::cmp::Reverse(set.len()))
}

fn best(sets: Vec<Vec<String>>) -> Option<Vec<String>> {
    sets.into_iter().max_by_key(|s| rank(s))
}

/// The set without members that contain another member: where "ACCOUNTS" occurs, so does
/// "ACCOUNT", so the set is satisfied by the same texts.
fn minimal(set: Vec<String>) -> Vec<String> {
    set.iter()
        .filter(|s| !set.iter().any(|t| t != *s && s.contains(t.as_str())))
        .cloned()
        .collect()
}

/// The requirement sets worth checking for one pattern.
fn requirements(folder: &mut Folder, pattern: &str) -> Vec<Vec<String>> {
    let Ok(hir) = parser().parse(pattern) else {
        return vec![];
    };
    let info = folder.info(&hir);
    let mut sets: Vec<Vec<String>> = info
        .required
        .into_iter()
        .map(minimal)
        .filter(|s| rank(s).0 >= MIN_LITERAL_CHARS)
        .collect();
    sets.sort_by_key(|s| std::cmp::Reverse(rank(s)));
    sets.dedup();
    sets.truncate(MAX_GROUPS);
    sets
}

impl Prefilter {
    /// Builds the prefilter of `patterns`, in the order they will be asked about.
    pub fn new<'a>(patterns: impl IntoIterator<Item = &'a Pattern>) -> Prefilter {
        let mut folder = Folder::default();
        let mut literals: Vec<String> = Vec::new();
        let mut ids: HashMap<String, u32> = HashMap::new();
        let mut literal_groups: Vec<Vec<u32>> = Vec::new();
        let mut groups = 0u32;
        let mut by_pattern = Vec::new();
        for re in patterns {
            let mut own = Vec::new();
            for set in requirements(&mut folder, re.as_str()) {
                let group = groups;
                groups += 1;
                own.push(group);
                for lit in set {
                    let id = *ids.entry(lit.clone()).or_insert_with(|| {
                        literals.push(lit);
                        literal_groups.push(Vec::new());
                        (literals.len() - 1) as u32
                    });
                    literal_groups[id as usize].push(group);
                }
            }
            by_pattern.push(own);
        }
        let mut ascii: [u8; 128] = std::array::from_fn(|b| b as u8);
        let mut wide = Vec::new();
        for (&c, &f) in &folder.canon {
            match (u8::try_from(c), u8::try_from(f)) {
                (Ok(c), Ok(f)) if c.is_ascii() && f.is_ascii() => ascii[c as usize] = f,
                _ => wide.push((c, f)),
            }
        }
        wide.sort();
        let automaton = (!literals.is_empty()).then(|| {
            AhoCorasick::builder()
                .match_kind(MatchKind::Standard)
                .build(&literals)
                .expect("a few thousand short literals always build")
        });
        Prefilter {
            automaton,
            ascii,
            wide,
            literal_groups,
            groups: groups as usize,
            patterns: by_pattern,
        }
    }

    /// The text with every character folded as the literals were.
    fn fold(&self, text: &str, out: &mut Vec<u8>) {
        out.clear();
        out.reserve(text.len());
        let bytes = text.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            let b = bytes[i];
            if b.is_ascii() {
                out.push(self.ascii[usize::from(b)]);
                i += 1;
                continue;
            }
            // A character boundary: only ASCII bytes were stepped over one at a time.
            let c = text[i..]
                .chars()
                .next()
                .unwrap_or(char::REPLACEMENT_CHARACTER);
            let folded = match self.wide.binary_search_by_key(&c, |&(from, _)| from) {
                Ok(k) => self.wide[k].1,
                Err(_) => c,
            };
            out.extend_from_slice(folded.encode_utf8(&mut [0; 4]).as_bytes());
            i += c.len_utf8();
        }
    }

    /// Which patterns may match `text`.
    pub fn candidates(&self, text: &str) -> Candidates<'_> {
        let mut satisfied = vec![false; self.groups];
        if let Some(automaton) = &self.automaton {
            let mut folded = Vec::new();
            self.fold(text, &mut folded);
            let mut seen = vec![false; self.literal_groups.len()];
            for m in automaton.find_overlapping_iter(&folded) {
                let id = m.pattern().as_usize();
                if !std::mem::replace(&mut seen[id], true) {
                    for &g in &self.literal_groups[id] {
                        satisfied[g as usize] = true;
                    }
                }
            }
        }
        Candidates {
            prefilter: self,
            satisfied,
        }
    }

    /// Patterns with no requirement, which run on every text.
    #[cfg(test)]
    fn unfiltered(&self) -> usize {
        self.patterns.iter().filter(|g| g.is_empty()).count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sets(pattern: &str) -> Vec<Vec<String>> {
        requirements(&mut Folder::default(), pattern)
    }

    #[test]
    fn literals_are_folded_to_the_least_member_of_their_orbit() {
        assert_eq!(sets(r"\brefund\b"), [["REFUND"]]);
        assert_eq!(sets(r"\bkündig(?:e|t)\b"), [["KÜNDIGE", "KÜNDIGT"]]);
        // The long s folds with s, the Kelvin sign with k.
        let p = Prefilter::new([&Pattern::classifier(r"subscription", 1 << 22).unwrap()]);
        assert!(p.candidates("ſUBSCRIPTION").may_match(0));
        let p = Prefilter::new([&Pattern::classifier(r"kündigen", 1 << 22).unwrap()]);
        assert!(p.candidates("\u{212A}ÜNDIGEN").may_match(0));
        assert!(!p.candidates("kundigen").may_match(0));
    }

    #[test]
    fn requirements_are_only_what_every_match_contains() {
        // Optional parts require nothing; alternations require one of each branch's best.
        assert_eq!(sets(r"(?:abc)?xyz"), [["XYZ"]]);
        assert_eq!(
            sets(r"\b(?:get|want)\s+(?:\S+\s+){0,3}?refunds?\b"),
            [
                vec!["REFUND".to_string()],
                vec!["GET".into(), "WANT".into()]
            ]
        );
        assert_eq!(sets(r"\bcancel\s+\w+|\bstop\s+it"), [["CANCEL", "STOP"]]);
        assert!(sets(r"\bcancel\s+\w+|\w+").is_empty());
        assert!(sets(r"[^.]{0,40}").is_empty());
        assert!(sets(r"\b(?:I|we)\b").is_empty(), "too short to be worth it");
    }

    #[test]
    fn nearly_every_shipped_pattern_has_a_requirement() {
        let rules = crate::config::classify::builtin();
        let mut folder = Folder::default();
        let mut open = Vec::new();
        let mut total = 0;
        for rule in &rules.rules {
            for p in &rule.patterns {
                total += 1;
                let sets = requirements(&mut folder, p.as_str());
                if sets.is_empty() {
                    open.push(format!("{}: {}", rule.id, p.as_str()));
                }
                if std::env::var_os("PREFILTER_DUMP").is_some() {
                    eprintln!("{} {:?}", rule.id, sets);
                }
            }
        }
        eprintln!(
            "{} of {total} patterns always run:\n{}",
            open.len(),
            open.join("\n")
        );
        assert!(open.len() * 10 < total, "{open:#?}");
    }

    #[test]
    fn a_pattern_runs_when_each_of_its_sets_occurs() {
        let res: Vec<Pattern> = [
            r"(?i)\bcancel\s+my\s+(?:plan|account)\b",
            r"(?i)\bplease\b",
            r"\w",
        ]
        .iter()
        .map(|p| Pattern::classifier(p, 1 << 22).unwrap())
        .collect();
        let p = Prefilter::new(&res);
        assert_eq!(p.unfiltered(), 1);
        let c = p.candidates("Please CANCEL our plan");
        assert!(c.may_match(1) && c.may_match(2));
        assert!(!p.candidates("please cancel it").may_match(0));
        // Two-letter words count too: without "my" the first pattern cannot match.
        assert!(!p.candidates("cancel the account").may_match(0));
        assert!(p.candidates("cancel the account of my sister").may_match(0));
        assert!(p.candidates("Cancel My Account").may_match(0));
        assert!(p.candidates("").may_match(5), "unknown patterns always run");
    }
}
