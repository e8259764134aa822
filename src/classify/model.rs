//! The learned classifier: a linear model over hashed features (see [`super::features`]),
//! softmax over seven classes plus one logistic head for `billing_error`, and its file format.
//! Pure: bytes in, bytes out.
//!
//! File format (little-endian), version 2:
//! `MCLFMODL` · u32 version · u32 buckets · u8 min_n · u8 max_n · u8 bigrams · u8 rules · u8 columns ·
//! f32 temperature · 4 × f32 stack · columns × f32 scale · columns × f32 bias · buckets × columns × i16 weight
//! · 32 bytes SHA-256 of everything before it.

use std::borrow::Cow;

use sha2::{Digest, Sha256};

use super::features::{FeatureSpec, Hashed, Vector};

/// The classes the softmax chooses between, in weight-column order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Class {
    Refund,
    Cancellation,
    Both,
    RefundStatus,
    PolicyQuestion,
    Withdrawal,
    Other,
}

impl Class {
    pub const ALL: [Class; 7] = [
        Class::Refund,
        Class::Cancellation,
        Class::Both,
        Class::RefundStatus,
        Class::PolicyQuestion,
        Class::Withdrawal,
        Class::Other,
    ];

    /// The label in training files.
    pub fn as_str(self) -> &'static str {
        match self {
            Class::Refund => "refund",
            Class::Cancellation => "cancellation",
            Class::Both => "both",
            Class::RefundStatus => "refund_status",
            Class::PolicyQuestion => "policy_question",
            Class::Withdrawal => "withdrawal",
            Class::Other => "other",
        }
    }

    /// The class a label names (also the dev corpus's upper-case `REFUND`...).
    pub fn parse(label: &str) -> Option<Class> {
        let l = label.trim().to_ascii_lowercase();
        Class::ALL.into_iter().find(|c| c.as_str() == l)
    }

    pub fn index(self) -> usize {
        self as usize
    }

    /// One of the three requests mailclerk may answer.
    pub fn is_request(self) -> bool {
        matches!(self, Class::Refund | Class::Cancellation | Class::Both)
    }
}

/// Softmax columns, then the billing-error head.
pub const CLASSES: usize = 7;
const COLUMNS: usize = CLASSES + 1;
const BILLING: usize = CLASSES;
const MAGIC: &[u8; 8] = b"MCLFMODL";
const VERSION: u32 = 2;
/// The model's probability alone: `sigmoid(1 · logit(p))`.
pub const IDENTITY_STACK: [f32; 4] = [1.0, 0.0, 0.0, 0.0];

/// Trained weights.
#[derive(Debug, Clone, PartialEq)]
pub struct Model {
    pub spec: FeatureSpec,
    /// Logits are divided by this before the softmax (calibration; 1 = none).
    pub temperature: f32,
    /// How the request probabilities and the rules' reading combine (see
    /// [`super::decide::Stack`]), fitted on out-of-fold predictions.
    pub stack: [f32; 4],
    scale: [f32; COLUMNS],
    bias: [f32; COLUMNS],
    /// `buckets × COLUMNS` little-endian i16, bucket-major, as in the file. The shipped model's
    /// are read where the binary holds them: a decoded heap copy kept the same 2 MB resident
    /// twice (BENCHMARKS.md, issue 15 memory).
    weights: Cow<'static, [u8]>,
}

/// What the model makes of one text.
#[derive(Debug, Clone, PartialEq)]
pub struct Prediction {
    /// Calibrated probability of each class, in [`Class::ALL`] order.
    pub probs: [f32; CLASSES],
    /// Probability that a refund asked for is about a billing error.
    pub billing_error: f32,
}

impl Prediction {
    /// The most probable class and its probability (the first of equals).
    pub fn best(&self) -> (Class, f32) {
        let mut best = (Class::Other, f32::MIN);
        for c in Class::ALL {
            if self.probs[c.index()] > best.1 {
                best = (c, self.probs[c.index()]);
            }
        }
        best
    }

    pub fn prob(&self, c: Class) -> f32 {
        self.probs[c.index()]
    }
}

/// A model file that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ModelError {
    #[error("not a mailclerk classifier model (the file does not start with MCLFMODL)")]
    Magic,
    #[error("model file version {0}; this mailclerk reads version {VERSION}")]
    Version(u32),
    #[error("the model file is cut short or has extra bytes ({found} bytes, expected {expected})")]
    Length { found: usize, expected: usize },
    #[error("the model file is damaged (checksum mismatch)")]
    Checksum,
    #[error("the model file's header is invalid: {0}")]
    Header(String),
}

impl Model {
    /// A model from float weights (`buckets × COLUMNS`, bucket-major), quantised to 16 bits
    /// per weight with one scale per column.
    pub fn quantize(spec: FeatureSpec, temperature: f32, bias: [f32; COLUMNS], w: &[f32]) -> Model {
        let mut scale = [0f32; COLUMNS];
        for (c, s) in scale.iter_mut().enumerate() {
            let max = w
                .iter()
                .skip(c)
                .step_by(COLUMNS)
                .fold(0f32, |m, x| m.max(x.abs()));
            *s = if max > 0.0 { max / 32767.0 } else { 1.0 };
        }
        let weights = w
            .iter()
            .enumerate()
            .flat_map(|(i, x)| {
                ((x / scale[i % COLUMNS]).round().clamp(-32767.0, 32767.0) as i16).to_le_bytes()
            })
            .collect::<Vec<u8>>()
            .into();
        Model {
            spec,
            temperature,
            stack: IDENTITY_STACK,
            scale,
            bias,
            weights,
        }
    }

    /// The same weights with another combination of model and rules.
    pub fn with_stack(mut self, stack: [f32; 4]) -> Model {
        self.stack = stack;
        self
    }

    /// The same weights with another temperature.
    pub fn with_temperature(mut self, t: f32) -> Model {
        self.temperature = t;
        self
    }

    /// Raw scores (before temperature) of the softmax columns and the billing head.
    pub fn logits(&self, v: &Vector) -> [f32; COLUMNS] {
        let mut z = self.bias;
        for &(b, x) in &v.entries {
            let row = self.row(b);
            for c in 0..COLUMNS {
                z[c] += f32::from(row[c]) * self.scale[c] * x;
            }
        }
        z
    }

    /// One bucket's weights.
    fn row(&self, bucket: u32) -> [i16; COLUMNS] {
        let at = bucket as usize * COLUMNS * 2;
        let bytes = &self.weights[at..at + COLUMNS * 2];
        std::array::from_fn(|c| i16::from_le_bytes([bytes[2 * c], bytes[2 * c + 1]]))
    }

    /// Calibrated class probabilities of a vector.
    pub fn predict_vector(&self, v: &Vector) -> Prediction {
        let z = self.logits(v);
        let mut probs = [0f32; CLASSES];
        let t = self.temperature.max(1e-3);
        let max = z[..CLASSES].iter().fold(f32::MIN, |m, x| m.max(*x));
        let mut sum = 0.0;
        for c in 0..CLASSES {
            probs[c] = ((z[c] - max) / t).exp();
            sum += probs[c];
        }
        for p in &mut probs {
            *p /= sum;
        }
        Prediction {
            probs,
            billing_error: 1.0 / (1.0 + (-z[BILLING]).exp()),
        }
    }

    /// Calibrated class probabilities of a text.
    pub fn predict(&self, text: &str) -> Prediction {
        self.predict_vector(&Vector::text(text, &self.spec))
    }

    /// The features of a text (hashed as `hashed`, read as the vector `v`) that weighed most
    /// for `class` (its weight against the mean of the others), strongest first; words and
    /// word pairs only, which a person can read. From the hashes already made: no word is
    /// hashed again, and only the labels shown are built.
    pub fn evidence(
        &self,
        hashed: &Hashed,
        v: &Vector,
        class: Class,
        max: usize,
    ) -> Vec<(String, f32)> {
        // Each word and pair as (bucket, word index, pair?), the first of each bucket.
        let mut found: Vec<(u32, usize, bool)> = Vec::with_capacity(2 * hashed.len());
        for i in 0..hashed.len() {
            found.push((hashed.word_bucket(i), i, false));
            if let Some(b) = hashed.pair_bucket(i) {
                found.push((b, i, true));
            }
        }
        found.sort_by_key(|f| (f.0, f.1, f.2));
        found.dedup_by_key(|f| f.0);
        let seen: Vec<(u32, f32, usize, bool)> = found
            .into_iter()
            .filter_map(|(b, i, pair)| {
                let at = v.entries.binary_search_by_key(&b, |e| e.0).ok()?;
                let x = v.entries[at].1;
                let row = self.row(b);
                let w = |c: usize| f32::from(row[c]) * self.scale[c];
                let others = (0..CLASSES)
                    .filter(|c| *c != class.index())
                    .map(w)
                    .sum::<f32>()
                    / (CLASSES - 1) as f32;
                Some((b, (w(class.index()) - others) * x, i, pair))
            })
            .collect();
        let label = |&(_, _, i, pair): &(u32, f32, usize, bool)| {
            if pair {
                format!("{}+{}", hashed.word(i), hashed.word(i + 1))
            } else {
                hashed.word(i).to_string()
            }
        };
        let mut out: Vec<(String, f32)> = seen
            .iter()
            .filter(|s| s.1 > 0.0)
            .map(|s| (label(s), s.1))
            .collect();
        out.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        out.truncate(max);
        out
    }

    /// The file's bytes.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(64 + self.weights.len());
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&VERSION.to_le_bytes());
        out.extend_from_slice(&self.spec.buckets.to_le_bytes());
        out.push(self.spec.min_n);
        out.push(self.spec.max_n);
        out.push(u8::from(self.spec.bigrams));
        out.push(u8::from(self.spec.rules));
        out.push(COLUMNS as u8);
        out.extend_from_slice(&self.temperature.to_le_bytes());
        for x in &self.stack {
            out.extend_from_slice(&x.to_le_bytes());
        }
        for x in self.scale.iter().chain(&self.bias) {
            out.extend_from_slice(&x.to_le_bytes());
        }
        out.extend_from_slice(&self.weights);
        let sum = Sha256::digest(&out);
        out.extend_from_slice(&sum);
        out
    }

    /// Reads a model file's bytes (its weights copied).
    ///
    /// # Errors
    /// A file of another kind or version, cut short, damaged or with an impossible header.
    pub fn from_bytes(bytes: &[u8]) -> Result<Model, ModelError> {
        let (mut model, weights) = Model::read(bytes)?;
        model.weights = Cow::Owned(bytes[weights].to_vec());
        Ok(model)
    }

    /// Reads a model built into the binary; its weights stay where they are, not copied.
    ///
    /// # Errors
    /// As [`Model::from_bytes`].
    pub fn from_static(bytes: &'static [u8]) -> Result<Model, ModelError> {
        let (mut model, weights) = Model::read(bytes)?;
        model.weights = Cow::Borrowed(&bytes[weights]);
        Ok(model)
    }

    /// The model without its weights, checked, and where in `bytes` the weights are.
    fn read(bytes: &[u8]) -> Result<(Model, std::ops::Range<usize>), ModelError> {
        if bytes.len() < 8 || &bytes[..8] != MAGIC {
            return Err(ModelError::Magic);
        }
        let mut r = Reader { bytes, at: 8 };
        let version = r.u32()?;
        if version != VERSION {
            return Err(ModelError::Version(version));
        }
        let buckets = r.u32()?;
        let (min_n, max_n, bigrams, rules, columns) = (r.u8()?, r.u8()?, r.u8()?, r.u8()?, r.u8()?);
        if !buckets.is_power_of_two() || !(1 << 8..=1 << 22).contains(&buckets) {
            return Err(ModelError::Header(format!(
                "{buckets} buckets (expected a power of two, 256..4194304)"
            )));
        }
        if usize::from(columns) != COLUMNS || max_n > 8 || min_n > max_n || bigrams > 1 || rules > 1
        {
            return Err(ModelError::Header(format!(
                "columns {columns}, n-grams {min_n}..{max_n}, bigrams {bigrams}, rules {rules}"
            )));
        }
        let temperature = r.f32()?;
        if !(temperature.is_finite() && temperature > 0.0) {
            return Err(ModelError::Header(format!("temperature {temperature}")));
        }
        let mut stack = [0f32; 4];
        let mut scale = [0f32; COLUMNS];
        let mut bias = [0f32; COLUMNS];
        for x in stack
            .iter_mut()
            .chain(scale.iter_mut())
            .chain(bias.iter_mut())
        {
            *x = r.f32()?;
            if !x.is_finite() {
                return Err(ModelError::Header("a scale or bias is not finite".into()));
            }
        }
        let expected = r.at + buckets as usize * COLUMNS * 2 + 32;
        if bytes.len() != expected {
            return Err(ModelError::Length {
                found: bytes.len(),
                expected,
            });
        }
        let body = &bytes[..expected - 32];
        if Sha256::digest(body).as_slice() != &bytes[expected - 32..] {
            return Err(ModelError::Checksum);
        }
        let weights = r.at..body.len();
        let model = Model {
            spec: FeatureSpec {
                buckets,
                min_n,
                max_n,
                bigrams: bigrams == 1,
                rules: rules == 1,
            },
            temperature,
            stack,
            scale,
            bias,
            weights: Cow::Borrowed(&[]),
        };
        Ok((model, weights))
    }
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Reader<'_> {
    fn take<const N: usize>(&mut self) -> Result<[u8; N], ModelError> {
        let got = self
            .bytes
            .get(self.at..self.at + N)
            .ok_or(ModelError::Length {
                found: self.bytes.len(),
                expected: self.at + N,
            })?;
        self.at += N;
        Ok(got.try_into().unwrap_or([0; N]))
    }
    fn u8(&mut self) -> Result<u8, ModelError> {
        Ok(self.take::<1>()?[0])
    }
    fn u32(&mut self) -> Result<u32, ModelError> {
        Ok(u32::from_le_bytes(self.take()?))
    }
    fn f32(&mut self) -> Result<f32, ModelError> {
        Ok(f32::from_le_bytes(self.take()?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::classify::features::{self, Feature};

    fn tiny() -> Model {
        let spec = FeatureSpec {
            buckets: 256,
            min_n: 0,
            max_n: 0,
            bigrams: false,
            rules: false,
        };
        let mut w = vec![0f32; 256 * COLUMNS];
        let refund = features::bucket(&Feature::Word("refund".into()), &spec) as usize;
        w[refund * COLUMNS + Class::Refund.index()] = 4.0;
        w[refund * COLUMNS + BILLING] = -2.0;
        Model::quantize(spec, 1.0, [0.0; COLUMNS], &w)
    }

    #[test]
    fn predicts_from_weights_and_shows_the_feature() {
        let m = tiny();
        let p = m.predict("Refund!");
        assert_eq!(p.best().0, Class::Refund);
        assert!((p.probs.iter().sum::<f32>() - 1.0).abs() < 1e-5);
        assert!(p.billing_error < 0.2);
        assert_eq!(m.predict("").best().0, Class::Refund, "first of equals");
        let ev = m.evidence(
            &Hashed::new("please refund", &m.spec),
            &Vector::text("please refund", &m.spec),
            Class::Refund,
            3,
        );
        assert_eq!(ev[0].0, "refund");
        // A higher temperature flattens the probabilities.
        let flat = m.clone().with_temperature(3.0).predict("refund");
        assert!(flat.prob(Class::Refund) < p.prob(Class::Refund));
    }

    #[test]
    fn file_round_trips_and_damage_is_named() {
        let m = tiny();
        let bytes = m.to_bytes();
        assert_eq!(Model::from_bytes(&bytes).unwrap(), m);
        assert_eq!(Model::from_bytes(b"hello"), Err(ModelError::Magic));
        let mut bad = bytes.clone();
        bad[100] ^= 1;
        assert_eq!(Model::from_bytes(&bad), Err(ModelError::Checksum));
        assert!(matches!(
            Model::from_bytes(&bytes[..bytes.len() - 1]),
            Err(ModelError::Length { .. })
        ));
        let mut v1 = bytes.clone();
        v1[8] = 1;
        assert_eq!(Model::from_bytes(&v1), Err(ModelError::Version(1)));
        let mut odd = bytes;
        odd[12] = 3;
        assert!(matches!(
            Model::from_bytes(&odd),
            Err(ModelError::Header(_))
        ));
    }

    #[test]
    fn the_built_in_model_is_read_in_place_and_reads_as_a_copy_does() {
        let bytes = crate::config::classifier::BUILTIN;
        let in_place = Model::from_static(bytes).unwrap();
        let copied = Model::from_bytes(bytes).unwrap();
        assert!(matches!(in_place.weights, Cow::Borrowed(_)));
        assert!(matches!(copied.weights, Cow::Owned(_)));
        assert_eq!(in_place, copied);
        assert_eq!(in_place.to_bytes(), bytes);
        let text = "Please cancel my subscription and refund my last payment.";
        assert_eq!(in_place.predict(text), copied.predict(text));
        assert_eq!(Model::from_static(b"hello"), Err(ModelError::Magic));
    }

    #[test]
    fn labels_parse_in_both_spellings() {
        assert_eq!(Class::parse("REFUND"), Some(Class::Refund));
        assert_eq!(Class::parse("refund_status"), Some(Class::RefundStatus));
        assert_eq!(Class::parse("nope"), None);
        for c in Class::ALL {
            assert_eq!(Class::parse(c.as_str()), Some(c));
        }
    }
}
