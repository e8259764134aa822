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
}

impl FeatureSpec {
    /// The shipped model's features.
    pub const DEFAULT: FeatureSpec = FeatureSpec {
        buckets: 1 << 17,
        min_n: 2,
        max_n: 5,
        bigrams: true,
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
    let mut word = String::new();
    let mut digits = false;
    for c in text.chars().take(MAX_CHARS) {
        if ('\u{300}'..='\u{36f}').contains(&c) {
            // A combining accent (a decomposed "é") belongs to its letter, and is dropped.
            continue;
        }
        if c.is_alphabetic() {
            if digits {
                out.push(std::mem::take(&mut word));
                digits = false;
            }
            for l in c.to_lowercase() {
                fold(l, &mut word);
            }
        } else if c.is_numeric() {
            if !digits && !word.is_empty() {
                out.push(std::mem::take(&mut word));
            }
            if !digits {
                word.push('0');
                digits = true;
            }
        } else if !word.is_empty() {
            // An apostrophe inside a word ("don't", "l'abonnement") splits it too.
            out.push(std::mem::take(&mut word));
            digits = false;
        } else {
            digits = false;
        }
    }
    if !word.is_empty() {
        out.push(word);
    }
    out
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
        let words = words(text);
        let mut buckets = Vec::with_capacity(words.len() * 24);
        let mask = u64::from(spec.buckets - 1);
        let to_bucket = |h: u64| ((h ^ (h >> 29)) & mask) as u32;
        let mut chars: Vec<char> = Vec::with_capacity(MAX_WORD_CHARS + 2);
        for (i, w) in words.iter().enumerate() {
            let mut h = Fnv::new();
            h.byte(b'w');
            h.bytes(w.as_bytes());
            buckets.push(to_bucket(h.0));
            if spec.bigrams
                && let Some(next) = words.get(i + 1)
            {
                let mut h = Fnv::new();
                h.byte(b'p');
                h.bytes(w.as_bytes());
                h.byte(b' ');
                h.bytes(next.as_bytes());
                buckets.push(to_bucket(h.0));
            }
            chars.clear();
            chars.push('<');
            chars.extend(w.chars());
            chars.push('>');
            if spec.max_n == 0 || chars.len() > MAX_WORD_CHARS + 2 {
                continue;
            }
            for n in usize::from(spec.min_n.max(1))..=usize::from(spec.max_n) {
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
                    buckets.push(to_bucket(h.0));
                }
            }
        }
        Vector::from_buckets(buckets)
    }

    fn from_buckets(mut buckets: Vec<u32>) -> Vector {
        buckets.sort_unstable();
        let mut entries: Vec<(u32, f32)> = Vec::new();
        for b in buckets {
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
        Vector { entries }
    }
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
