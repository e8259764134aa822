//! A richer combination of the model and the rules, measured in cross-validation only
//! (fourth pass): per request class, a logistic regression on the model's logit for the
//! class, for all requests together and for the strongest non-request, the margin between
//! the model's two strongest classes, and the rules' agreement, veto and reading of another
//! request. Fitted either on the same out-of-fold rows it scores (as the shipped stack is) or,
//! honestly, for each fold on the other folds' rows only.

use crate::classify::decide::{self, Options, Scored};
use crate::classify::model::{Class, Prediction};
use crate::classify::{Classified, Intent};

use super::eval::{self, Outcome, Prepared};

const REQUESTS: [Class; 3] = [Class::Refund, Class::Cancellation, Class::Both];

fn logit(p: f32) -> f64 {
    let q = f64::from(p).clamp(1e-4, 1.0 - 1e-4);
    (q / (1.0 - q)).ln()
}

/// The inputs for request `class` (`rich`: all of them; else the shipped stack's three).
pub fn inputs(p: &Prediction, class: Class, by_rules: &Classified, rich: bool) -> Vec<f64> {
    let base = decide::stack_inputs(p, class, by_rules).map(f64::from);
    let mut x = base.to_vec();
    if rich {
        let requests: f32 = REQUESTS.iter().map(|c| p.prob(*c)).sum();
        let other = Class::ALL
            .into_iter()
            .filter(|c| !c.is_request())
            .map(|c| p.prob(c))
            .fold(0f32, f32::max);
        let other_request = matches!(
            by_rules.intent,
            Intent::Refund | Intent::Cancellation | Intent::Both
        ) && by_rules.intent != Intent::from(class);
        x.extend([
            logit(requests),
            logit(other),
            f64::from(decide::margin(p)),
            f64::from(u8::from(other_request)),
        ]);
    }
    x.push(1.0);
    x
}

/// Logistic regression by Newton's method with a small L2 penalty.
pub fn fit(inputs: &[Vec<f64>], targets: &[bool]) -> Vec<f64> {
    let d = inputs.first().map_or(0, Vec::len);
    let mut w = vec![0f64; d];
    for _ in 0..40 {
        let mut grad = vec![0f64; d];
        let mut hess = vec![vec![0f64; d]; d];
        for (x, y) in inputs.iter().zip(targets) {
            let z: f64 = x.iter().zip(&w).map(|(a, b)| a * b).sum();
            let p = 1.0 / (1.0 + (-z).exp());
            let r = p - f64::from(u8::from(*y));
            for i in 0..d {
                grad[i] += r * x[i];
                for j in 0..d {
                    hess[i][j] += p * (1.0 - p) * x[i] * x[j];
                }
            }
        }
        for i in 0..d {
            grad[i] += 1e-2 * w[i];
            hess[i][i] += 1e-2;
        }
        let Some(step) = solve(hess, grad) else {
            break;
        };
        for i in 0..d {
            w[i] -= step[i];
        }
    }
    w
}

fn solve(mut a: Vec<Vec<f64>>, mut b: Vec<f64>) -> Option<Vec<f64>> {
    let n = b.len();
    for col in 0..n {
        let pivot = (col..n).max_by(|&i, &j| a[i][col].abs().total_cmp(&a[j][col].abs()))?;
        if a[pivot][col].abs() < 1e-12 {
            return None;
        }
        a.swap(col, pivot);
        b.swap(col, pivot);
        let pivot_row = a[col].clone();
        for row in col + 1..n {
            let f = a[row][col] / pivot_row[col];
            for (x, p) in a[row].iter_mut().zip(&pivot_row).skip(col) {
                *x -= f * p;
            }
            b[row] -= f * b[col];
        }
    }
    let mut x = vec![0f64; n];
    for row in (0..n).rev() {
        let s: f64 = (row + 1..n).map(|k| a[row][k] * x[k]).sum();
        x[row] = (b[row] - s) / a[row][row];
    }
    Some(x)
}

/// Outcomes of out-of-fold predictions combined per class (`rich` inputs or the shipped three),
/// the stacks fitted on every row or, `honest`, for each fold on the others.
pub fn outcomes(
    prep: &Prepared,
    oof: &eval::OutOfFold,
    opts: &Options,
    rich: bool,
    honest: bool,
) -> Vec<Outcome> {
    let k = oof.fold.iter().max().map_or(1, |m| m + 1);
    let fit_on = |skip: Option<usize>, class: Class| {
        let mut xs = Vec::new();
        let mut ys = Vec::new();
        for (i, p) in oof.predictions.iter().enumerate() {
            if Some(oof.fold[i]) == skip {
                continue;
            }
            xs.push(inputs(p, class, &prep.rules[i], rich));
            ys.push(prep.rows[i].class == class);
        }
        fit(&xs, &ys)
    };
    let stacks: Vec<Vec<Vec<f64>>> = if honest {
        (0..k)
            .map(|f| REQUESTS.iter().map(|c| fit_on(Some(f), *c)).collect())
            .collect()
    } else {
        let all: Vec<Vec<f64>> = REQUESTS.iter().map(|c| fit_on(None, *c)).collect();
        vec![all; k]
    };
    (0..prep.rows.len())
        .map(|i| {
            let p = &oof.predictions[i];
            let by_rules = &prep.rules[i];
            let w = &stacks[if honest { oof.fold[i] } else { 0 }];
            // The shipped scoring gives the other class, billing head and margin.
            let mut scored: Scored = decide::score(p, by_rules, &[1.0, 0.0, 0.0, 0.0], opts);
            for (r, (c, w)) in scored.requests.iter_mut().zip(REQUESTS.iter().zip(w)) {
                let x = inputs(p, *c, by_rules, rich);
                let z: f64 = x.iter().zip(w).map(|(a, b)| a * b).sum();
                r.1 = (1.0 / (1.0 + (-z).exp())) as f32;
            }
            let mut o = eval::outcome(prep, i, p, &[[1.0, 0.0, 0.0, 0.0]; 3], opts);
            o.scored = scored;
            o
        })
        .collect()
}
