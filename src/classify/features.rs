//! The learned model's view of a text: lower-cased, accent-folded words, and hashed features
//! of them (words, word pairs, and character n-grams of each word with boundary marks, so that
//! "cancell", "kuendigen" and "rembolso" share most of their features with the right word).
//! Pure.

/// Which features are taken from a text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FeatureSpec {
    /// Number of hash buckets (a power of two).
    pub buckets: u32,
    /// Character n-grams of each word, `min_n..=max_n` (0 for none).
    pub min_n: u8,
    pub max_n: u8,
    /// Word pairs as well as words.
    pub bigrams: bool,
    /// The phrase rules' reading as features too (see `decide::rule_features`).
    pub rules: bool,
}

impl FeatureSpec {
    /// The shipped model's features.
    pub const DEFAULT: FeatureSpec = FeatureSpec {
        buckets: 1 << 17,
        min_n: 2,
        max_n: 5,
        bigrams: true,
        rules: false,
    };
}

/// Only the start of a long text is read: the customer's own words are short.
const MAX_CHARS: usize = 4000;
/// Longer "words" are ids, URLs or base64: no character n-grams of them.
const MAX_WORD_CHARS: usize = 24;

/// The words of `text`: lower-cased, accents folded (`ü` → `u`, `ß` → `ss`), digits runs as
/// `0`, split at anything that is not a letter or digit.
pub fn words(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    each_word(text, |_, w| out.push(w.to_string()));
    out
}

/// Calls `f` with each word of `text` (see [`words`]) and the byte offset where it starts.
pub fn each_word(text: &str, mut f: impl FnMut(usize, &str)) {
    let mut word = String::new();
    let mut at = 0;
    let mut digits = false;
    for (i, c) in text.char_indices().take(MAX_CHARS) {
        if ('\u{300}'..='\u{36f}').contains(&c) {
            // A combining accent (a decomposed "é") belongs to its letter, and is dropped.
            continue;
        }
        if c.is_alphabetic() {
            if digits {
                f(at, &word);
                word.clear();
                digits = false;
            }
            if word.is_empty() {
                at = i;
            }
            for l in c.to_lowercase() {
                fold(l, &mut word);
            }
        } else if c.is_numeric() {
            if !digits && !word.is_empty() {
                f(at, &word);
                word.clear();
            }
            if !digits {
                at = i;
                word.push('0');
                digits = true;
            }
        } else if !word.is_empty() {
            // An apostrophe inside a word ("don't", "l'abonnement") splits it too.
            f(at, &word);
            word.clear();
            digits = false;
        } else {
            digits = false;
        }
    }
    if !word.is_empty() {
        f(at, &word);
    }
}

/// Pushes `c` without its accent (Latin letters of the seven languages and their neighbours).
fn fold(c: char, out: &mut String) {
    let plain = match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ă' | 'ą' => "a",
        'ç' | 'ć' | 'č' => "c",
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ė' | 'ę' | 'ě' => "e",
        'ì' | 'í' | 'î' | 'ï' | 'ī' | 'į' | 'ı' => "i",
        'ñ' | 'ń' | 'ň' => "n",
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' | 'ő' => "o",
        'ù' | 'ú' | 'û' | 'ü' | 'ū' | 'ů' | 'ű' => "u",
        'ý' | 'ÿ' => "y",
        'ß' => "ss",
        'œ' => "oe",
        'æ' => "ae",
        'ś' | 'š' => "s",
        'ź' | 'ż' | 'ž' => "z",
        'ł' => "l",
        'ř' => "r",
        'ď' => "d",
        'ť' => "t",
        _ => {
            out.push(c);
            return;
        }
    };
    out.push_str(plain);
}

/// One feature of a text, by kind, for the evidence a person reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Feature {
    Word(String),
    Pair(String, String),
    /// A character n-gram, `<` and `>` marking the word's start and end.
    Chars(String),
}

impl Feature {
    /// The feature as shown in evidence: `refund`, `cancel+my`, `<kund`.
    pub fn label(&self) -> String {
        match self {
            Feature::Word(w) => w.clone(),
            Feature::Pair(a, b) => format!("{a}+{b}"),
            Feature::Chars(g) => g.clone(),
        }
    }

    fn hash(&self) -> u64 {
        let mut h = Fnv::new();
        match self {
            Feature::Word(w) => {
                h.byte(b'w');
                h.bytes(w.as_bytes());
            }
            Feature::Pair(a, b) => {
                h.byte(b'p');
                h.bytes(a.as_bytes());
                h.byte(b' ');
                h.bytes(b.as_bytes());
            }
            Feature::Chars(g) => {
                h.byte(b'c');
                h.bytes(g.as_bytes());
            }
        }
        h.0
    }
}

/// FNV-1a, 64 bits: stable across platforms and releases, unlike the standard hasher.
struct Fnv(u64);

impl Fnv {
    fn new() -> Fnv {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
    fn byte(&mut self, b: u8) {
        self.0 ^= u64::from(b);
        self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
    }
    fn bytes(&mut self, bs: &[u8]) {
        for &b in bs {
            self.byte(b);
        }
    }
}

/// Every feature of `words`, in text order, with repeats.
pub fn features(words: &[String], spec: &FeatureSpec) -> Vec<Feature> {
    let mut out = Vec::new();
    for (i, w) in words.iter().enumerate() {
        out.push(Feature::Word(w.clone()));
        if spec.bigrams
            && let Some(next) = words.get(i + 1)
        {
            out.push(Feature::Pair(w.clone(), next.clone()));
        }
        let chars: Vec<char> = std::iter::once('<')
            .chain(w.chars())
            .chain(std::iter::once('>'))
            .collect();
        if spec.max_n == 0 || chars.len() > MAX_WORD_CHARS + 2 {
            continue;
        }
        for n in usize::from(spec.min_n.max(1))..=usize::from(spec.max_n) {
            // The whole marked word is the word feature already.
            if n >= chars.len() {
                break;
            }
            for gram in chars.windows(n) {
                out.push(Feature::Chars(gram.iter().collect()));
            }
        }
    }
    out
}

/// A text as the model reads it: distinct buckets with values, scaled to unit length, sorted
/// by bucket.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Vector {
    pub entries: Vec<(u32, f32)>,
}

impl Vector {
    /// The hashed, normalised vector of `features`.
    pub fn of(features: &[Feature], spec: &FeatureSpec) -> Vector {
        Vector::from_buckets(features.iter().map(|f| bucket(f, spec)).collect())
    }

    /// The vector of a text: the buckets of [`features`], hashed without building them.
    pub fn text(text: &str, spec: &FeatureSpec) -> Vector {
        let hashed = Hashed::new(text, spec);
        hashed.vector(0, hashed.len(), &[])
    }

    /// `buckets` counted, scaled to unit length, then `extra` buckets added at
    /// [`EXTRA_VALUE`] each (outside the norm: the phrase rules' few features must not drown
    /// in a long text's hundreds, nor a short text's words in them).
    fn from_parts(buckets: &mut [u32], extra: &[u32]) -> Vector {
        buckets.sort_unstable();
        let mut entries: Vec<(u32, f32)> = Vec::with_capacity(buckets.len() + extra.len());
        for &b in buckets.iter() {
            match entries.last_mut() {
                Some((last, v)) if *last == b => *v += 1.0,
                _ => entries.push((b, 1.0)),
            }
        }
        let norm = entries.iter().map(|(_, v)| v * v).sum::<f32>().sqrt();
        if norm > 0.0 {
            for (_, v) in &mut entries {
                *v /= norm;
            }
        }
        for &b in extra {
            match entries.binary_search_by_key(&b, |e| e.0) {
                Ok(i) => entries[i].1 += EXTRA_VALUE,
                Err(i) => entries.insert(i, (b, EXTRA_VALUE)),
            }
        }
        Vector { entries }
    }

    fn from_buckets(mut buckets: Vec<u32>) -> Vector {
        Vector::from_parts(&mut buckets, &[])
    }
}

/// The value of each feature the phrase rules add (see [`Vector::from_parts`]).
pub const EXTRA_VALUE: f32 = 0.5;

/// A text hashed once: each word's buckets and where the word starts, so that the whole text
/// and each of its sentences are read from the same hashes.
#[derive(Debug, Clone, Default)]
pub struct Hashed {
    /// Per word: its byte offset in the text and the end of its buckets in `buckets`.
    words: Vec<(usize, usize)>,
    /// Per word: the bucket of the pair it starts (with the next word), if any.
    pairs: Vec<Option<u32>>,
    buckets: Vec<u32>,
    /// The folded words one after another, and where each ends in it (for labels).
    folded: String,
    folded_ends: Vec<usize>,
}

impl Hashed {
    /// Hashes the words of `text` (see [`words`]) and their features (see [`features`]).
    pub fn new(text: &str, spec: &FeatureSpec) -> Hashed {
        let mut out = Hashed::default();
        let mask = u64::from(spec.buckets - 1);
        let to_bucket = |h: u64| ((h ^ (h >> 29)) & mask) as u32;
        let mut chars: Vec<char> = Vec::with_capacity(MAX_WORD_CHARS + 2);
        let mut prev = String::new();
        each_word(text, |at, w| {
            if spec.bigrams && !prev.is_empty() {
                let mut h = Fnv::new();
                h.byte(b'p');
                h.bytes(prev.as_bytes());
                h.byte(b' ');
                h.bytes(w.as_bytes());
                if let Some(last) = out.pairs.last_mut() {
                    *last = Some(to_bucket(h.0));
                }
            }
            prev.clear();
            prev.push_str(w);
            let mut h = Fnv::new();
            h.byte(b'w');
            h.bytes(w.as_bytes());
            out.buckets.push(to_bucket(h.0));
            chars.clear();
            chars.push('<');
            chars.extend(w.chars());
            chars.push('>');
            if spec.max_n > 0 && chars.len() <= MAX_WORD_CHARS + 2 {
                for n in usize::from(spec.min_n.max(1))..=usize::from(spec.max_n) {
                    // The whole marked word is the word feature already.
                    if n >= chars.len() {
                        break;
                    }
                    for gram in chars.windows(n) {
                        let mut h = Fnv::new();
                        h.byte(b'c');
                        let mut utf8 = [0u8; 4];
                        for c in gram {
                            h.bytes(c.encode_utf8(&mut utf8).as_bytes());
                        }
                        out.buckets.push(to_bucket(h.0));
                    }
                }
            }
            out.words.push((at, out.buckets.len()));
            out.pairs.push(None);
            out.folded.push_str(w);
            out.folded_ends.push(out.folded.len());
        });
        out
    }

    /// Number of words.
    pub fn len(&self) -> usize {
        self.words.len()
    }

    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }

    /// Word `i` as a feature reads it (lower-cased, accents folded).
    pub fn word(&self, i: usize) -> &str {
        let start = if i == 0 { 0 } else { self.folded_ends[i - 1] };
        &self.folded[start..self.folded_ends[i]]
    }

    /// The bucket of word `i` itself (the first of its buckets).
    pub fn word_bucket(&self, i: usize) -> u32 {
        self.buckets[if i == 0 { 0 } else { self.words[i - 1].1 }]
    }

    /// The bucket of the pair of words `i` and `i + 1`, if there is one.
    pub fn pair_bucket(&self, i: usize) -> Option<u32> {
        self.pairs[i]
    }

    /// The words (by index, `from..to`) that start in the byte range `start..end`.
    pub fn span(&self, start: usize, end: usize) -> (usize, usize) {
        let from = self.words.partition_point(|w| w.0 < start);
        let to = self.words.partition_point(|w| w.0 < end);
        (from, to.max(from))
    }

    /// The vector of words `from..to` (pairs within them only), with `extra` buckets.
    pub fn vector(&self, from: usize, to: usize, extra: &[u32]) -> Vector {
        let begin = if from == 0 { 0 } else { self.words[from - 1].1 };
        let end = if to == 0 { 0 } else { self.words[to - 1].1 };
        let mut buckets = Vec::with_capacity(end - begin + (to - from));
        buckets.extend_from_slice(&self.buckets[begin..end]);
        if to > from {
            buckets.extend(self.pairs[from..to - 1].iter().flatten());
        }
        Vector::from_parts(&mut buckets, extra)
    }
}

/// The bucket of a feature the phrase rules add (a rule that matched, its reading).
pub fn extra_bucket(name: &str, spec: &FeatureSpec) -> u32 {
    let mut h = Fnv::new();
    h.byte(b'r');
    h.bytes(name.as_bytes());
    let mixed = h.0 ^ (h.0 >> 29);
    (mixed & u64::from(spec.buckets - 1)) as u32
}

/// The bucket a feature falls in.
pub fn bucket(feature: &Feature, spec: &FeatureSpec) -> u32 {
    // Buckets are a power of two: the low bits of a well-mixed hash.
    let h = feature.hash();
    let mixed = h ^ (h >> 29);
    (mixed & u64::from(spec.buckets - 1)) as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_lower_cased_folded_and_split() {
        for (text, want) in [
            ("Kündigung!", vec!["kundigung"]),
            ("CANCEL my acount", vec!["cancel", "my", "acount"]),
            ("don’t renew", vec!["don", "t", "renew"]),
            ("l'abonnement Straße", vec!["l", "abonnement", "strasse"]),
            ("I paid $49.99 twice", vec!["i", "paid", "0", "0", "twice"]),
            ("abc123def", vec!["abc", "0", "def"]),
            ("re\u{301}siliation", vec!["resiliation"]),
            ("", vec![]),
        ] {
            assert_eq!(words(text), want, "{text:?}");
        }
    }

    #[test]
    fn features_are_words_pairs_and_marked_grams() {
        let spec = FeatureSpec {
            buckets: 1 << 10,
            min_n: 2,
            max_n: 3,
            bigrams: true,
            rules: false,
        };
        let got: Vec<String> = features(&words("Go now"), &spec)
            .iter()
            .map(Feature::label)
            .collect();
        assert_eq!(
            got,
            [
                "go", "go+now", "<g", "go", "o>", "<go", "go>", "now", "<n", "no", "ow", "w>",
                "<no", "now", "ow>"
            ]
        );
        let word_only = FeatureSpec {
            max_n: 0,
            bigrams: false,
            ..spec
        };
        assert_eq!(features(&words("Go now"), &word_only).len(), 2);
    }

    #[test]
    fn vectors_are_unit_length_sorted_and_stable() {
        let spec = FeatureSpec::DEFAULT;
        let v = Vector::text("Please cancel my subscription, please.", &spec);
        let norm: f32 = v.entries.iter().map(|(_, x)| x * x).sum();
        assert!((norm - 1.0).abs() < 1e-5);
        assert!(v.entries.windows(2).all(|w| w[0].0 < w[1].0));
        assert!(v.entries.iter().all(|(b, _)| *b < spec.buckets));
        // Pinned: a change of hashing would silently invalidate the shipped weights.
        assert_eq!(bucket(&Feature::Word("refund".into()), &spec), 104_020);
        assert_eq!(Vector::text("", &spec), Vector::default());
    }

    #[test]
    fn hashing_in_place_equals_hashing_the_features() {
        for spec in [
            FeatureSpec::DEFAULT,
            FeatureSpec {
                buckets: 1 << 8,
                min_n: 3,
                max_n: 4,
                bigrams: false,
                rules: false,
            },
        ] {
            for text in [
                "Kündigung zum 31.12., bitte!",
                "",
                "a",
                "x".repeat(40).as_str(),
            ] {
                let slow = Vector::of(&features(&words(text), &spec), &spec);
                assert_eq!(Vector::text(text, &spec), slow, "{text:?}");
            }
        }
    }

    #[test]
    fn typos_share_most_features_with_the_word() {
        let spec = FeatureSpec::DEFAULT;
        let shared = |a: &str, b: &str| {
            let fa = Vector::text(a, &spec);
            let fb = Vector::text(b, &spec);
            fa.entries
                .iter()
                .filter(|(x, _)| fb.entries.iter().any(|(y, _)| x == y))
                .count() as f32
                / fa.entries.len() as f32
        };
        assert!(shared("cancell", "cancel") > 0.5);
        assert!(shared("kuendigen", "kündigen") > 0.4);
        assert!(shared("refund", "invoice") < 0.1);
    }
}
