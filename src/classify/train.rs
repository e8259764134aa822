//! Training: multinomial logistic regression with AdaGrad and L2, in a seeded order, so that
//! the same examples and seed give the same weights bit for bit; temperature calibration; the
//! folds of cross-validation; and multinomial naive Bayes, the alternative it was compared
//! with. Pure.

use super::features::{FeatureSpec, Vector};
use super::model::{CLASSES, Class, Model, Prediction};

const COLUMNS: usize = CLASSES + 1;

/// One labelled text, as vectors.
#[derive(Debug, Clone)]
pub struct Example {
    pub vector: Vector,
    pub class: Class,
    /// A refund asked for a double, wrong or unauthorised charge.
    pub billing_error: bool,
}

/// How to train.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Settings {
    pub spec: FeatureSpec,
    pub epochs: usize,
    /// AdaGrad's base step.
    pub rate: f32,
    /// L2 penalty per update on the weights touched.
    pub l2: f32,
    /// Ship the average of the weights over all updates (steadier than the last ones).
    pub average: bool,
    pub seed: u64,
    /// Models trained in other seeded orders whose weights are averaged into the one shipped
    /// (averaging linear models' weights is averaging their logits: an ensemble at the cost of
    /// one model).
    pub bags: u8,
    /// Each class's loss weight (1 = as the data says).
    pub class_weight: [f32; CLASSES],
    /// Seeded copies of the training rows (see `learn::augment`).
    pub augment: Augment,
    /// What the billing-error head learns from.
    pub billing: BillingHead,
}

/// How the billing-error head is trained (docs/classifier.md, "Sixth pass").
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BillingHead {
    /// Learn from every row (a non-refund is a negative), not only from refund/both rows.
    pub all_rows: bool,
    /// The loss weight of a billing error (1 = as the data says): they are few.
    pub positive_weight: f32,
}

impl BillingHead {
    pub const DEFAULT: BillingHead = BillingHead {
        all_rows: false,
        positive_weight: 1.0,
    };

    /// The head's gradient for one example whose raw billing score is `z` (0 where it does not
    /// learn).
    pub fn gradient(&self, ex: &Example, z: f32) -> f32 {
        if !self.all_rows && !matches!(ex.class, Class::Refund | Class::Both) {
            return 0.0;
        }
        let q = 1.0 / (1.0 + (-z).exp());
        let weight = if ex.billing_error {
            self.positive_weight
        } else {
            1.0
        };
        weight * (q - f32::from(u8::from(ex.billing_error)))
    }
}

/// Which copies of each training row are added at training time (each in its row's fold in
/// cross-validation, so that no copy of a row is ever scored by a model trained on it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Augment {
    /// Copies with typos (a character dropped, swapped with the next or doubled).
    pub typos: u8,
    /// A copy in ALL CAPS.
    pub caps: bool,
    /// A copy in lower case without accents.
    pub plain: bool,
    /// A copy without its subject.
    pub no_subject: bool,
    /// A copy under which the text of a row of another label is quoted.
    pub quoted: bool,
    /// `both` rows made of a refund's text followed by a cancellation's, per refund row.
    pub both: u8,
}

impl Augment {
    pub const NONE: Augment = Augment {
        typos: 0,
        caps: false,
        plain: false,
        no_subject: false,
        quoted: false,
        both: 0,
    };
}

impl Settings {
    /// The shipped model's settings (chosen by cross-validation, docs/classifier.md).
    pub const DEFAULT: Settings = Settings {
        spec: FeatureSpec::DEFAULT,
        epochs: 30,
        rate: 0.1,
        l2: 1e-6,
        average: true,
        seed: 13,
        bags: 1,
        class_weight: [1.0; CLASSES],
        augment: Augment::NONE,
        billing: BillingHead::DEFAULT,
    };
}

/// splitmix64: a tiny seeded generator, the same on every platform.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    /// Fisher-Yates.
    pub fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = (self.next_u64() % (i as u64 + 1)) as usize;
            items.swap(i, j);
        }
    }
}

/// Trains a model (temperature 1) on `examples`: the average of `s.bags` runs in different
/// seeded orders.
pub fn train(examples: &[Example], s: &Settings) -> Model {
    let bags = s.bags.max(1);
    let (mut bias, mut w) = train_floats(examples, s, s.seed);
    for b in 1..bags {
        let seed = s.seed.wrapping_add(0x9e37_79b9 * u64::from(b));
        let (bias_b, w_b) = train_floats(examples, s, seed);
        for (x, y) in bias.iter_mut().zip(bias_b) {
            *x += y;
        }
        for (x, y) in w.iter_mut().zip(w_b) {
            *x += y;
        }
    }
    if bags > 1 {
        let n = f32::from(bags);
        bias.iter_mut().for_each(|x| *x /= n);
        w.iter_mut().for_each(|x| *x /= n);
    }
    Model::quantize(s.spec, 1.0, bias, &w)
}

/// One training run in the order of `seed`: biases and `buckets × COLUMNS` weights.
fn train_floats(examples: &[Example], s: &Settings, seed: u64) -> ([f32; COLUMNS], Vec<f32>) {
    let buckets = s.spec.buckets as usize;
    let mut w = vec![0f32; buckets * COLUMNS];
    let mut g2 = vec![0f32; buckets * COLUMNS];
    let mut bias = [0f32; COLUMNS];
    let mut bias_g2 = [0f32; COLUMNS];
    // Averaging without touching every weight at every step: each update `d` at step `t` also
    // adds `t·d` here, and the average is `w - u / t_end`.
    let mut u = if s.average {
        vec![0f32; buckets * COLUMNS]
    } else {
        Vec::new()
    };
    let mut bias_u = [0f32; COLUMNS];
    let mut step = 1f32;
    let mut order: Vec<usize> = (0..examples.len()).collect();
    let mut rng = Rng::new(seed);
    const EPS: f32 = 1e-6;
    for _ in 0..s.epochs {
        rng.shuffle(&mut order);
        for &i in &order {
            let ex = &examples[i];
            let mut z = bias;
            for &(b, x) in &ex.vector.entries {
                let row = &w[b as usize * COLUMNS..(b as usize + 1) * COLUMNS];
                for c in 0..COLUMNS {
                    z[c] += row[c] * x;
                }
            }
            let mut grad = [0f32; COLUMNS];
            let p = softmax(&z[..CLASSES], 1.0);
            let weight = s.class_weight[ex.class.index()];
            for c in 0..CLASSES {
                grad[c] = weight * (p[c] - f32::from(u8::from(c == ex.class.index())));
            }
            // By default the billing head learns only from refunds: elsewhere the reason means
            // nothing.
            grad[CLASSES] = s.billing.gradient(ex, z[CLASSES]);
            for c in 0..COLUMNS {
                bias_g2[c] += grad[c] * grad[c];
                let d = s.rate * grad[c] / (bias_g2[c].sqrt() + EPS);
                bias[c] -= d;
                bias_u[c] -= step * d;
            }
            for &(b, x) in &ex.vector.entries {
                let at = b as usize * COLUMNS;
                for c in 0..COLUMNS {
                    if grad[c] == 0.0 {
                        continue;
                    }
                    let g = grad[c] * x + s.l2 * w[at + c];
                    g2[at + c] += g * g;
                    let d = s.rate * g / (g2[at + c].sqrt() + EPS);
                    w[at + c] -= d;
                    if s.average {
                        u[at + c] -= step * d;
                    }
                }
            }
            step += 1.0;
        }
    }
    if s.average {
        for (x, v) in w.iter_mut().zip(&u) {
            *x -= v / step;
        }
        for (x, v) in bias.iter_mut().zip(&bias_u) {
            *x -= v / step;
        }
    }
    (bias, w)
}

/// Softmax of `z / t`.
pub fn softmax(z: &[f32], t: f32) -> [f32; CLASSES] {
    let mut p = [0f32; CLASSES];
    let max = z.iter().fold(f32::MIN, |m, x| m.max(*x));
    let mut sum = 0.0;
    for (c, x) in z.iter().enumerate().take(CLASSES) {
        p[c] = ((x - max) / t).exp();
        sum += p[c];
    }
    for x in &mut p {
        *x /= sum;
    }
    p
}

/// The fold (0..k) of each of `n` examples with these classes: each class spread evenly over
/// the folds, in a seeded order.
pub fn folds(classes: &[Class], k: usize, seed: u64) -> Vec<usize> {
    let mut order: Vec<usize> = (0..classes.len()).collect();
    Rng::new(seed ^ 0x5eed_f01d).shuffle(&mut order);
    let mut next = [0usize; CLASSES];
    let mut fold = vec![0; classes.len()];
    for i in order {
        let c = classes[i].index();
        fold[i] = next[c] % k.max(1);
        next[c] += 1;
    }
    fold
}

/// The temperature that minimises the log-loss of `logits` (raw, temperature 1) against
/// `classes`: a grid in log space, then a finer one around the best.
pub fn fit_temperature(logits: &[[f32; CLASSES]], classes: &[Class]) -> f32 {
    let loss = |t: f32| -> f64 {
        logits
            .iter()
            .zip(classes)
            .map(|(z, c)| -f64::from(softmax(z, t)[c.index()].max(1e-9)).ln())
            .sum()
    };
    let mut best = (1.0f32, f64::MAX);
    for i in 0..=60 {
        let t = 0.2 * 25f32.powf(i as f32 / 60.0);
        let l = loss(t);
        if l < best.1 {
            best = (t, l);
        }
    }
    let centre = best.0;
    for i in 0..=40 {
        let t = centre * (0.9 + 0.2 * i as f32 / 40.0);
        let l = loss(t);
        if l < best.1 {
            best = (t, l);
        }
    }
    (best.0 * 1000.0).round() / 1000.0
}

/// Logistic regression of `targets` on `inputs` (plus an intercept, last), by Newton's method
/// with a small L2 penalty: the stack that turns the model's logit, the rules' agreement and
/// their veto into one calibrated probability (Platt scaling with two more inputs).
pub fn fit_stack(inputs: &[[f32; 3]], targets: &[bool]) -> [f32; 4] {
    const L2: f64 = 1e-2;
    let mut w = [1.0f64, 0.0, 0.0, 0.0];
    for _ in 0..30 {
        let mut grad = [0f64; 4];
        let mut hess = [[0f64; 4]; 4];
        for (x, y) in inputs.iter().zip(targets) {
            let x = [f64::from(x[0]), f64::from(x[1]), f64::from(x[2]), 1.0];
            let z: f64 = (0..4).map(|i| w[i] * x[i]).sum();
            let p = 1.0 / (1.0 + (-z).exp());
            let r = p - f64::from(u8::from(*y));
            for i in 0..4 {
                grad[i] += r * x[i];
                for j in 0..4 {
                    hess[i][j] += p * (1.0 - p) * x[i] * x[j];
                }
            }
        }
        for i in 0..4 {
            grad[i] += L2 * w[i];
            hess[i][i] += L2;
        }
        let Some(step) = solve(hess, grad) else {
            break;
        };
        for i in 0..4 {
            w[i] -= step[i];
        }
    }
    w.map(|x| ((x * 1e4).round() / 1e4) as f32)
}

/// Gaussian elimination with partial pivoting; `None` for a singular system.
fn solve(mut a: [[f64; 4]; 4], mut b: [f64; 4]) -> Option<[f64; 4]> {
    for col in 0..4 {
        let pivot = (col..4).max_by(|&i, &j| a[i][col].abs().total_cmp(&a[j][col].abs()))?;
        if a[pivot][col].abs() < 1e-12 {
            return None;
        }
        a.swap(col, pivot);
        b.swap(col, pivot);
        for row in col + 1..4 {
            let f = a[row][col] / a[col][col];
            let pivot_row = a[col];
            for (x, p) in a[row].iter_mut().zip(pivot_row).skip(col) {
                *x -= f * p;
            }
            b[row] -= f * b[col];
        }
    }
    let mut x = [0f64; 4];
    for row in (0..4).rev() {
        let s: f64 = (row + 1..4).map(|k| a[row][k] * x[k]).sum();
        x[row] = (b[row] - s) / a[row][row];
    }
    Some(x)
}

/// Multinomial naive Bayes over the same vectors (Laplace smoothing `alpha`): the alternative
/// the linear model was compared with.
#[derive(Debug, Clone)]
pub struct NaiveBayes {
    buckets: usize,
    prior: [f32; CLASSES],
    /// `CLASSES × buckets` log-probabilities.
    log_theta: Vec<f32>,
}

impl NaiveBayes {
    pub fn train(examples: &[Example], spec: &FeatureSpec, alpha: f32) -> NaiveBayes {
        let buckets = spec.buckets as usize;
        let mut counts = vec![0f64; CLASSES * buckets];
        let mut docs = [0f64; CLASSES];
        for ex in examples {
            let c = ex.class.index();
            docs[c] += 1.0;
            for &(b, x) in &ex.vector.entries {
                counts[c * buckets + b as usize] += f64::from(x);
            }
        }
        let total: f64 = docs.iter().sum::<f64>().max(1.0);
        let mut prior = [0f32; CLASSES];
        let mut log_theta = vec![0f32; CLASSES * buckets];
        for c in 0..CLASSES {
            prior[c] = ((docs[c] + 1.0) / (total + CLASSES as f64)).ln() as f32;
            let row = &counts[c * buckets..(c + 1) * buckets];
            let sum: f64 = row.iter().sum::<f64>() + f64::from(alpha) * buckets as f64;
            for (b, n) in row.iter().enumerate() {
                log_theta[c * buckets + b] = ((n + f64::from(alpha)) / sum).ln() as f32;
            }
        }
        NaiveBayes {
            buckets,
            prior,
            log_theta,
        }
    }

    /// Log-scores of each class.
    pub fn logits(&self, v: &Vector) -> [f32; CLASSES] {
        let mut z = self.prior;
        for (c, zc) in z.iter_mut().enumerate() {
            for &(b, x) in &v.entries {
                *zc += x * self.log_theta[c * self.buckets + b as usize];
            }
        }
        z
    }

    pub fn predict(&self, v: &Vector, temperature: f32) -> Prediction {
        Prediction {
            probs: softmax(&self.logits(v), temperature),
            billing_error: 0.0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A tiny synthetic set (not real mail): enough to see the model learn and stay
    /// deterministic.
    pub(crate) fn synthetic() -> Vec<Example> {
        let spec = FeatureSpec::DEFAULT;
        let rows = [
            ("please refund my last payment", Class::Refund, false),
            ("i want my money back", Class::Refund, false),
            (
                "you charged me twice, refund the double charge",
                Class::Refund,
                true,
            ),
            ("please cancel my subscription", Class::Cancellation, false),
            ("close my account", Class::Cancellation, false),
            ("cancel the plan and refund me", Class::Both, false),
            ("when will my refund arrive", Class::RefundStatus, false),
            (
                "where can i read your refund policy",
                Class::PolicyQuestion,
                false,
            ),
            (
                "i withdraw from the contract, right of withdrawal",
                Class::Withdrawal,
                false,
            ),
            ("how do i add a user", Class::Other, false),
            ("thanks, refund received", Class::Other, false),
        ];
        rows.iter()
            .map(|(t, c, b)| Example {
                vector: Vector::text(t, &spec),
                class: *c,
                billing_error: *b,
            })
            .collect()
    }

    fn quick() -> Settings {
        Settings {
            epochs: 30,
            ..Settings::DEFAULT
        }
    }

    #[test]
    fn the_billing_head_learns_from_refunds_unless_told_all_rows_and_weighs_errors() {
        let ex = |class, billing_error| Example {
            vector: Vector::default(),
            class,
            billing_error,
        };
        let head = BillingHead::DEFAULT;
        assert_eq!(head.gradient(&ex(Class::Other, false), 0.0), 0.0);
        assert_eq!(head.gradient(&ex(Class::Refund, false), 0.0), 0.5);
        assert_eq!(head.gradient(&ex(Class::Both, true), 0.0), -0.5);
        let all = BillingHead {
            all_rows: true,
            positive_weight: 3.0,
        };
        assert_eq!(all.gradient(&ex(Class::Other, false), 0.0), 0.5);
        assert_eq!(all.gradient(&ex(Class::Refund, true), 0.0), -1.5);
    }

    #[test]
    fn learns_the_training_set_and_the_billing_head() {
        let data = synthetic();
        let m = train(&data, &quick());
        for ex in &data {
            assert_eq!(m.predict_vector(&ex.vector).best().0, ex.class, "{ex:?}");
        }
        let p = m.predict("refund the double charge please");
        assert!(p.billing_error > 0.5, "{p:?}");
        assert!(m.predict("please cancell my subscripton").best().0 == Class::Cancellation);
    }

    #[test]
    fn same_data_and_seed_give_the_same_bytes_another_seed_does_not() {
        let data = synthetic();
        let a = train(&data, &quick()).to_bytes();
        let b = train(&data, &quick()).to_bytes();
        assert_eq!(a, b);
        let c = train(
            &data,
            &Settings {
                seed: 14,
                ..quick()
            },
        )
        .to_bytes();
        assert_ne!(a, c);
    }

    #[test]
    fn folds_spread_each_class() {
        let classes: Vec<Class> = (0..50)
            .map(|i| {
                if i % 5 == 0 {
                    Class::Both
                } else {
                    Class::Other
                }
            })
            .collect();
        let f = folds(&classes, 5, 1);
        for k in 0..5 {
            let both = (0..50)
                .filter(|&i| f[i] == k && classes[i] == Class::Both)
                .count();
            assert_eq!(both, 2);
        }
        assert_eq!(f, folds(&classes, 5, 1));
    }

    #[test]
    fn temperature_softens_overconfident_logits() {
        // Confident logits that are right only half the time want a temperature above 1.
        let logits: Vec<[f32; CLASSES]> = (0..20)
            .map(|i| {
                let mut z = [0f32; CLASSES];
                z[i % 2] = 8.0;
                z
            })
            .collect();
        let classes = vec![Class::Refund; 20];
        assert!(fit_temperature(&logits, &classes) > 2.0);
    }

    #[test]
    fn the_stack_learns_that_agreement_counts() {
        // Right whenever the rules agree, whatever the model's logit; wrong otherwise.
        let mut inputs = Vec::new();
        let mut targets = Vec::new();
        for i in 0..40 {
            let agree = i % 2 == 0;
            inputs.push([(i % 5) as f32 - 2.0, f32::from(u8::from(agree)), 0.0]);
            targets.push(agree ^ (i % 10 == 0));
        }
        let w = fit_stack(&inputs, &targets);
        assert!(w[1] > 2.0 && w[2] == 0.0, "{w:?}");
        assert_eq!(w, fit_stack(&inputs, &targets));
    }

    #[test]
    fn naive_bayes_learns_too() {
        let data = synthetic();
        let nb = NaiveBayes::train(&data, &FeatureSpec::DEFAULT, 0.1);
        let v = Vector::text("please cancel my subscription", &FeatureSpec::DEFAULT);
        assert_eq!(nb.predict(&v, 1.0).best().0, Class::Cancellation);
    }
}
