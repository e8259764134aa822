//! Regular expressions that own their one search cache, whatever thread searches with them.
//!
//! `regex::Regex` keeps a search cache for each thread that ever used it (up to nine), and the
//! daemon's synchronous work runs in `block_in_place` on whichever thread tokio has at hand: a
//! new thread after every idle spell of ten seconds, and after every reconnection. The
//! classifier's 240 patterns cost some 6 MB of caches per new thread and the reply-cutting
//! patterns of `parse` up to 1 MB more; the daemon grew by that at every IDLE cycle, up to
//! some 50 MB, and never gave it back. A [`Pattern`] keeps one cache: a second caller at the
//! same moment gets a cache of its own for that one search.

use std::sync::{Mutex, TryLockError};

use regex_automata::meta::{Cache, Regex};
use regex_automata::nfa::thompson::WhichCaptures;
use regex_automata::util::iter::Searcher;
use regex_automata::util::syntax;
use regex_automata::{Input, MatchKind, Span};

/// `regex::Regex`'s limit on the compiled size of a pattern.
const DEFAULT_SIZE_LIMIT: usize = 10 << 20;

/// One compiled regular expression (Rust `regex` syntax, the same engine) that finds where it
/// matches; capture groups are not reported.
#[derive(Debug)]
pub struct Pattern {
    regex: Regex,
    source: String,
    cache: Mutex<Option<Cache>>,
}

/// Why a pattern does not compile, in the regex engine's words (as `regex::Error` says it).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct PatternError(String);

impl Pattern {
    /// Compiles `pattern` as `regex::Regex::new` does (flags written inline).
    ///
    /// # Errors
    /// The pattern is not valid `regex` syntax, or compiles too big.
    pub fn new(pattern: &str) -> Result<Pattern, PatternError> {
        Pattern::build(pattern, syntax::Config::new(), DEFAULT_SIZE_LIMIT)
    }

    /// Compiles a classifier pattern: case-insensitive, `^`/`$` matching at line ends, and no
    /// bigger than `size_limit` bytes compiled (as `regex::RegexBuilder` with
    /// `case_insensitive`, `multi_line` and `size_limit`).
    ///
    /// # Errors
    /// The pattern is not valid `regex` syntax, or compiles too big.
    pub fn classifier(pattern: &str, size_limit: usize) -> Result<Pattern, PatternError> {
        let syntax = syntax::Config::new()
            .case_insensitive(true)
            .multi_line(true);
        Pattern::build(pattern, syntax, size_limit)
    }

    fn build(
        pattern: &str,
        syntax: syntax::Config,
        size_limit: usize,
    ) -> Result<Pattern, PatternError> {
        let config = Regex::config()
            // As `regex::Regex` on `&str`: leftmost-first, no empty match inside a character.
            .match_kind(MatchKind::LeftmostFirst)
            .utf8_empty(true)
            .nfa_size_limit(Some(size_limit))
            // Only where a match is is asked for, never its groups: the one-pass DFA serves
            // groups only, and cost 3 MB for the shipped classifier rules.
            .which_captures(WhichCaptures::Implicit)
            .onepass(false);
        let regex = Regex::builder()
            .syntax(syntax.utf8(true))
            .configure(config)
            .build(pattern)
            .map_err(|e| {
                PatternError(match (e.size_limit(), e.syntax_error()) {
                    (Some(limit), _) => {
                        format!("Compiled regex exceeds size limit of {limit} bytes.")
                    }
                    (None, Some(syntax)) => syntax.to_string(),
                    (None, None) => e.to_string(),
                })
            })?;
        Ok(Pattern {
            regex,
            source: pattern.to_string(),
            cache: Mutex::new(None),
        })
    }

    /// The pattern as written.
    pub fn as_str(&self) -> &str {
        &self.source
    }

    /// Whether the pattern matches anywhere in `text`.
    pub fn is_match(&self, text: &str) -> bool {
        let input = Input::new(text).earliest(true);
        self.with_cache(|cache| self.regex.search_with(cache, &input).is_some())
    }

    /// Calls `each` with every successive non-overlapping match, as `regex::Regex::find_iter`.
    pub fn each_match(&self, text: &str, mut each: impl FnMut(Span)) {
        self.with_cache(|cache| {
            let mut it = Searcher::new(Input::new(text));
            while let Some(m) = it.advance(|input| Ok(self.regex.search_with(cache, input))) {
                each(m.span());
            }
        });
    }

    /// Every match as (start, end), for tests that compare patterns.
    #[cfg(test)]
    pub(crate) fn spans(&self, text: &str) -> Vec<(usize, usize)> {
        let mut out = Vec::new();
        self.each_match(text, |m| out.push((m.start, m.end)));
        out
    }

    fn with_cache<T>(&self, search: impl FnOnce(&mut Cache) -> T) -> T {
        match self.cache.try_lock() {
            Ok(mut slot) => search(slot.get_or_insert_with(|| self.regex.create_cache())),
            // A search that panicked leaves nothing wrong in the cache: each search resets
            // what it uses.
            Err(TryLockError::Poisoned(p)) => search(
                p.into_inner()
                    .get_or_insert_with(|| self.regex.create_cache()),
            ),
            Err(TryLockError::WouldBlock) => search(&mut self.regex.create_cache()),
        }
    }
}

impl Clone for Pattern {
    /// Shares the compiled pattern; the copy makes its own cache when it first searches.
    fn clone(&self) -> Pattern {
        Pattern {
            regex: self.regex.clone(),
            source: self.source.clone(),
            cache: Mutex::new(None),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_what_regex_finds_including_empty_matches() {
        let texts = [
            "",
            "aé",
            "Sent from my iPhone\n",
            "é-é--x",
            "ON TUE, ann WROTE:",
        ];
        for pattern in [
            "",
            "x*",
            r"(?i)^\s*(?:sent from my(?:\s+\S+){1,4})\s*$",
            "-+",
            r"(?i)\bwrote:",
        ] {
            let ours = Pattern::new(pattern).unwrap();
            let theirs = regex::Regex::new(pattern).unwrap();
            for text in texts {
                let want: Vec<_> = theirs
                    .find_iter(text)
                    .map(|m| (m.start(), m.end()))
                    .collect();
                assert_eq!(ours.spans(text), want, "{pattern:?} on {text:?}");
                assert_eq!(ours.is_match(text), theirs.is_match(text));
            }
        }
    }

    #[test]
    fn a_second_caller_at_the_same_time_gets_its_own_cache() {
        let p = Pattern::new("b+").unwrap();
        let held = p.cache.lock().unwrap();
        assert_eq!(p.spans("abba b"), [(1, 3), (5, 6)]);
        drop(held);
        assert_eq!(p.spans("abba b"), [(1, 3), (5, 6)]);
        assert!(
            p.cache.lock().unwrap().is_some(),
            "the cache is kept after a search"
        );
        assert!(
            p.clone().cache.lock().unwrap().is_none(),
            "a copy starts without one"
        );
    }

    #[test]
    fn errors_read_as_the_regex_crate_words() {
        // Not a literal: clippy would refuse the invalid pattern at compile time.
        let broken = String::from("(broken");
        let want = regex::Regex::new(&broken).unwrap_err().to_string();
        assert_eq!(Pattern::new(&broken).unwrap_err().to_string(), want);
        let e = Pattern::classifier(r"\w{200}\w{200}", 1 << 10).unwrap_err();
        assert_eq!(
            e.to_string(),
            "Compiled regex exceeds size limit of 1024 bytes."
        );
    }
}
