//! whatlang's scores of a Latin-script text, computed as whatlang 0.18.0 computes them
//! (`combined::raw_detect`: its alphabet scores, weighted with its trigram scores), but with
//! the trigram distances read through an inverted index of its profiles. whatlang compares each
//! of its 37 Latin profiles with the text, 300 lookups a language (11,100 a text, whatever its
//! length); the index looks each of the text's at most 600 trigrams up once. That was most of
//! the cost of planning a reply (BENCHMARKS.md). Pure.
//!
//! The profiles are whatlang's own (`latin-trigrams.txt`, written from its source by
//! `scripts/whatlang-latin-profiles`), and `language::tests` checks every score against
//! whatlang's on the training messages: a whatlang upgrade that changes them fails there.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::LazyLock;

use whatlang::dev::{FilterList, LowercaseText, alphabet_latin_calculate_scores};

/// A text trigram further from a profile's rank than this, or missing, costs this much.
const MAX_TRIGRAM_DISTANCE: u32 = 300;
/// The text's trigrams that count: its 600 most frequent.
const TEXT_TRIGRAMS: usize = 600;

/// whatlang's Latin trigram profiles, inverted: for each trigram, the languages whose profile
/// has it, and its rank there.
struct Index {
    langs: Vec<whatlang::Lang>,
    /// For each trigram, its range in `entries`: one table of plain numbers and one array,
    /// rather than a vector of its own per trigram (a third memory read a lookup, which
    /// `perf` showed as half of this module's time).
    by_trigram: HashMap<u64, (u32, u32), Quick>,
    /// (language, rank) pairs, those of one trigram next to each other.
    entries: Vec<(u8, u16)>,
}

/// A hash for the packed trigram keys: a multiply and a fold (the standard SipHash was most of
/// the cost of counting a text's trigrams). Trigrams chosen to collide cost no more than a
/// slower count of one sample of at most 2,200 characters.
#[derive(Default)]
struct Mix(u64);

impl Hasher for Mix {
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(u64::from(b));
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(23) ^ n).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }

    fn finish(&self) -> u64 {
        self.0 ^ (self.0 >> 32)
    }
}

type Quick = BuildHasherDefault<Mix>;

static INDEX: LazyLock<Index> = LazyLock::new(|| {
    let mut langs = Vec::new();
    let mut by_trigram: HashMap<u64, Vec<(u8, u16)>, Quick> = HashMap::default();
    let lines = include_str!("latin-trigrams.txt")
        .lines()
        .filter(|l| !l.starts_with('#'));
    for line in lines {
        let (code, profile) = line
            .split_once('\t')
            .expect("latin-trigrams.txt: code, tab, trigrams");
        let lang = whatlang::Lang::from_code(code).expect("latin-trigrams.txt: a whatlang code");
        let at = u8::try_from(langs.len()).expect("fewer than 256 languages");
        langs.push(lang);
        for (rank, trigram) in profile.split('|').enumerate() {
            let mut chars = trigram.chars();
            let (Some(a), Some(b), Some(c), None) =
                (chars.next(), chars.next(), chars.next(), chars.next())
            else {
                panic!("latin-trigrams.txt: {code}: {trigram:?} is not three characters");
            };
            let rank = u16::try_from(rank).expect("300 trigrams a profile");
            by_trigram.entry(key(a, b, c)).or_default().push((at, rank));
        }
    }
    let mut index = Index {
        langs,
        by_trigram: HashMap::with_capacity_and_hasher(by_trigram.len(), Quick::default()),
        entries: Vec::new(),
    };
    for (trigram, found) in by_trigram {
        let start = u32::try_from(index.entries.len()).expect("a few thousand entries");
        index.entries.extend(found);
        let end = u32::try_from(index.entries.len()).expect("a few thousand entries");
        index.by_trigram.insert(trigram, (start, end));
    }
    index
});

fn key(a: char, b: char, c: char) -> u64 {
    (u64::from(a) << 42) | (u64::from(b) << 21) | u64::from(c)
}

/// whatlang's stop characters (ASCII punctuation, digits, controls), which end a word.
fn is_stop_char(c: char) -> bool {
    matches!(c, '\u{0000}'..='\u{0040}' | '\u{005B}'..='\u{0060}' | '\u{007B}'..='\u{007E}')
}

/// The scores whatlang's combined method gives every Latin language for `text`, best first,
/// and the number of distinct trigrams it read (its confidence's `count`).
pub fn scores(text: &str) -> (Vec<(whatlang::Lang, f64)>, usize) {
    let lower = LowercaseText::new(text);
    let alphabet = alphabet_latin_calculate_scores(&lower, &FilterList::All);

    // The text's trigrams by frequency (then by trigram, highest first), as whatlang ranks
    // them; a space may start or end one but not be its middle next to another space.
    let mut counts: HashMap<u64, u32, Quick> =
        HashMap::with_capacity_and_hasher(lower.len().min(2048), Quick::default());
    let mut chars = lower
        .chars()
        .map(|c| if is_stop_char(c) { ' ' } else { c })
        .chain(Some(' '));
    let (mut c1, mut c2) = (' ', chars.next().unwrap_or(' '));
    for c3 in chars {
        if !(c2 == ' ' && (c1 == ' ' || c3 == ' ')) {
            *counts.entry(key(c1, c2, c3)).or_insert(0) += 1;
        }
        c1 = c2;
        c2 = c3;
    }
    // The packed key orders as the trigram does: each character takes 21 bits.
    let mut ranked: Vec<(u32, u64)> = counts.into_iter().map(|(t, n)| (n, t)).collect();
    ranked.sort_unstable_by(|a, b| b.cmp(a));
    ranked.truncate(TEXT_TRIGRAMS);
    let count = ranked.len();

    // A profile's distance: the sum over its trigrams of how far the text ranks it from the
    // profile's rank, or the maximum when the text lacks it. Start every language at "lacks
    // all", then correct for the trigrams the text has.
    let index = &*INDEX;
    let full = i64::from(MAX_TRIGRAM_DISTANCE) * i64::from(MAX_TRIGRAM_DISTANCE);
    let mut distance = vec![full; index.langs.len()];
    for (position, (_, trigram)) in ranked.iter().enumerate() {
        let Some(&(start, end)) = index.by_trigram.get(trigram) else {
            continue;
        };
        let position = position as i64;
        for &(lang, rank) in &index.entries[start as usize..end as usize] {
            distance[usize::from(lang)] +=
                (position - i64::from(rank)).abs() - i64::from(MAX_TRIGRAM_DISTANCE);
        }
    }
    let max_distance = count as u32 * MAX_TRIGRAM_DISTANCE;
    let trigram_score = |lang: usize| {
        let mut d = distance[lang];
        let count = count as i64;
        if i64::from(MAX_TRIGRAM_DISTANCE) > count {
            d -= (i64::from(MAX_TRIGRAM_DISTANCE) - count) * i64::from(MAX_TRIGRAM_DISTANCE);
        }
        let d = d.clamp(0, full) as u32;
        f64::from(max_distance.wrapping_sub(d)) / f64::from(max_distance)
    };

    // whatlang's weighting: the alphabet counts for 2/3 of a short text's score, 1/3 from
    // 100 letters on.
    let alphabet_weight =
        (-(alphabet.count as f64 / 300.0) + 2.0 / 3.0).clamp(1.0 / 3.0, 2.0 / 3.0);
    let trigram_weight = 1.0 - alphabet_weight;
    let mut langs: Vec<whatlang::Lang> = alphabet.scores.iter().map(|x| x.0).collect();
    for lang in &index.langs {
        if !langs.contains(lang) {
            langs.push(*lang);
        }
    }
    let mut scores: Vec<(whatlang::Lang, f64)> = langs
        .into_iter()
        .map(|lang| {
            let a = alphabet
                .scores
                .iter()
                .find(|(l, _)| *l == lang)
                .map_or(0.0, |x| x.1);
            let t = index
                .langs
                .iter()
                .position(|l| *l == lang)
                .map_or(0.0, trigram_score);
            (lang, a * alphabet_weight + t * trigram_weight)
        })
        .collect();
    scores.sort_unstable_by(|a, b| b.1.partial_cmp(&a.1).unwrap_or(std::cmp::Ordering::Less));
    (scores, count)
}
