//! A small multilayer perceptron over the same hashed features as the linear model: one hidden
//! layer (ReLU) between the sparse input and the seven softmax columns plus the billing head,
//! optionally beside the linear layer ("wide and deep": the linear logits plus the hidden
//! layer's). Tried in cross-validation as a stronger ranker than one linear layer
//! (docs/classifier.md, "Fifth pass"). Deterministic: weights start from a splitmix64-seeded
//! uniform draw and the examples come in a seeded order. Pure.

use super::features::Vector;
use super::model::{CLASSES, Prediction};
use super::train::{Example, Rng, Settings, softmax};

const COLUMNS: usize = CLASSES + 1;
const EPS: f32 = 1e-6;

/// How the hidden layer is shaped and trained (the rest comes from [`Settings`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Shape {
    /// Hidden units.
    pub hidden: usize,
    /// Keep the linear layer beside the hidden one (its logits are added).
    pub wide: bool,
    /// AdaGrad's base step for the hidden layer's weights.
    pub rate: f32,
    /// The first layer's weights start uniform in `[-init, init)`.
    pub init: f32,
}

/// Trained float weights (cross-validation only: not a shipped file format).
#[derive(Debug, Clone)]
pub struct Mlp {
    shape: Shape,
    /// `buckets × hidden`, bucket-major.
    w1: Vec<f32>,
    b1: Vec<f32>,
    /// `hidden × COLUMNS`.
    w2: Vec<f32>,
    bias: [f32; COLUMNS],
    /// `buckets × COLUMNS` when wide.
    lin: Vec<f32>,
}

impl Mlp {
    fn hidden(&self, v: &Vector) -> Vec<f32> {
        let h = self.shape.hidden;
        let mut a = self.b1.clone();
        for &(b, x) in &v.entries {
            let row = &self.w1[b as usize * h..(b as usize + 1) * h];
            for (y, w) in a.iter_mut().zip(row) {
                *y += w * x;
            }
        }
        a
    }

    fn forward(&self, v: &Vector) -> (Vec<f32>, [f32; COLUMNS]) {
        let pre = self.hidden(v);
        let act: Vec<f32> = pre.iter().map(|x| x.max(0.0)).collect();
        let mut z = self.bias;
        for (j, a) in act.iter().enumerate() {
            if *a == 0.0 {
                continue;
            }
            for (c, zc) in z.iter_mut().enumerate() {
                *zc += a * self.w2[j * COLUMNS + c];
            }
        }
        if self.shape.wide {
            for &(b, x) in &v.entries {
                let row = &self.lin[b as usize * COLUMNS..(b as usize + 1) * COLUMNS];
                for (zc, w) in z.iter_mut().zip(row) {
                    *zc += w * x;
                }
            }
        }
        (act, z)
    }

    /// Raw scores of the softmax columns and the billing head.
    pub fn logits(&self, v: &Vector) -> [f32; COLUMNS] {
        self.forward(v).1
    }

    /// Class probabilities at temperature `t`.
    pub fn predict(&self, v: &Vector, t: f32) -> Prediction {
        let z = self.logits(v);
        Prediction {
            probs: softmax(&z[..CLASSES], t.max(1e-3)),
            billing_error: 1.0 / (1.0 + (-z[CLASSES]).exp()),
        }
    }
}

/// Trains the network with AdaGrad in the seeded order of `s` (`s.epochs`, `s.rate` for the
/// output and linear layers, `s.l2`; no weight averaging: the model is not linear).
// One index walks several parallel arrays (activations, gradients, their AdaGrad sums).
#[allow(clippy::needless_range_loop)]
pub fn train(examples: &[Example], s: &Settings, shape: Shape) -> Mlp {
    let buckets = s.spec.buckets as usize;
    let h = shape.hidden.max(1);
    let mut rng = Rng::new(s.seed ^ 0x6d6c_7031);
    let mut uniform = |scale: f32| {
        // 24 random bits to [-scale, scale).
        let u = (rng.next_u64() >> 40) as f32 / (1u64 << 24) as f32;
        (2.0 * u - 1.0) * scale
    };
    // Inputs are unit-length, so a first-layer scale near 1.7 gives pre-activations of
    // standard deviation about 1 whatever the number of features; smaller starts nearer the
    // linear model.
    let w1: Vec<f32> = (0..buckets * h).map(|_| uniform(shape.init)).collect();
    let out_scale = (6.0 / (h + COLUMNS) as f32).sqrt();
    let w2: Vec<f32> = (0..h * COLUMNS).map(|_| uniform(out_scale)).collect();
    let mut m = Mlp {
        shape: Shape { hidden: h, ..shape },
        w1,
        b1: vec![0.0; h],
        w2,
        bias: [0.0; COLUMNS],
        lin: if shape.wide {
            vec![0.0; buckets * COLUMNS]
        } else {
            Vec::new()
        },
    };
    let mut g1 = vec![0f32; buckets * h];
    let mut gb1 = vec![0f32; h];
    let mut g2 = vec![0f32; h * COLUMNS];
    let mut gbias = [0f32; COLUMNS];
    let mut glin = vec![0f32; m.lin.len()];
    let mut order: Vec<usize> = (0..examples.len()).collect();
    let mut order_rng = Rng::new(s.seed);
    for _ in 0..s.epochs {
        order_rng.shuffle(&mut order);
        for &i in &order {
            let ex = &examples[i];
            let (act, z) = m.forward(&ex.vector);
            let p = softmax(&z[..CLASSES], 1.0);
            let weight = s.class_weight[ex.class.index()];
            let mut grad = [0f32; COLUMNS];
            for c in 0..CLASSES {
                grad[c] = weight * (p[c] - f32::from(u8::from(c == ex.class.index())));
            }
            grad[CLASSES] = s.billing.gradient(ex, z[CLASSES]);
            // The hidden layer's gradient, before the output weights move.
            let mut dh = vec![0f32; h];
            for j in 0..h {
                if act[j] > 0.0 {
                    dh[j] = (0..COLUMNS).map(|c| grad[c] * m.w2[j * COLUMNS + c]).sum();
                }
            }
            for c in 0..COLUMNS {
                adagrad(&mut m.bias[c], &mut gbias[c], grad[c], s.rate);
            }
            for j in 0..h {
                if act[j] == 0.0 {
                    continue;
                }
                for c in 0..COLUMNS {
                    let k = j * COLUMNS + c;
                    let g = grad[c] * act[j] + s.l2 * m.w2[k];
                    adagrad(&mut m.w2[k], &mut g2[k], g, s.rate);
                }
            }
            for j in 0..h {
                if dh[j] == 0.0 {
                    continue;
                }
                adagrad(&mut m.b1[j], &mut gb1[j], dh[j], shape.rate);
            }
            for &(b, x) in &ex.vector.entries {
                let at = b as usize * h;
                for j in 0..h {
                    if dh[j] == 0.0 {
                        continue;
                    }
                    let g = dh[j] * x + s.l2 * m.w1[at + j];
                    adagrad(&mut m.w1[at + j], &mut g1[at + j], g, shape.rate);
                }
                if shape.wide {
                    let at = b as usize * COLUMNS;
                    for c in 0..COLUMNS {
                        if grad[c] == 0.0 {
                            continue;
                        }
                        let g = grad[c] * x + s.l2 * m.lin[at + c];
                        adagrad(&mut m.lin[at + c], &mut glin[at + c], g, s.rate);
                    }
                }
            }
        }
    }
    m
}

/// One AdaGrad step of weight `w` along gradient `g`, `sum` holding its squared gradients.
fn adagrad(w: &mut f32, sum: &mut f32, g: f32, rate: f32) {
    *sum += g * g;
    *w -= rate * g / (sum.sqrt() + EPS);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::classify::features::FeatureSpec;
    use crate::classify::model::Class;

    fn rows() -> Vec<Example> {
        let spec = FeatureSpec::DEFAULT;
        [
            ("please refund my last payment", Class::Refund),
            ("i want my money back", Class::Refund),
            ("please cancel my subscription", Class::Cancellation),
            ("close my account", Class::Cancellation),
            ("cancel the plan and refund me", Class::Both),
            ("when will my refund arrive", Class::RefundStatus),
            ("where can i read your refund policy", Class::PolicyQuestion),
            ("i withdraw from the contract", Class::Withdrawal),
            ("how do i add a user", Class::Other),
        ]
        .iter()
        .map(|(t, c)| Example {
            vector: Vector::text(t, &spec),
            class: *c,
            billing_error: false,
        })
        .collect()
    }

    #[test]
    fn learns_a_small_set_the_same_way_twice() {
        let data = rows();
        let s = Settings {
            epochs: 40,
            ..Settings::DEFAULT
        };
        for wide in [false, true] {
            let shape = Shape {
                hidden: 8,
                wide,
                rate: 0.1,
                init: 1.7,
            };
            let m = train(&data, &s, shape);
            for ex in &data {
                assert_eq!(m.predict(&ex.vector, 1.0).best().0, ex.class, "{wide}");
            }
            let again = train(&data, &s, shape);
            assert_eq!(m.logits(&data[0].vector), again.logits(&data[0].vector));
        }
    }
}
