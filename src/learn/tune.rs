//! `MAILCLERK_TUNE`: other training settings and decision options for
//! `classifier eval --cv`, how the shipped ones were chosen (docs/classifier.md). Read only by
//! cross-validation, never by the daemon.

use crate::classify::decide::{Acts, Options, Veto};
use crate::classify::model::CLASSES;
use crate::classify::train::Settings;

use crate::classify::mlp::Shape;

use super::eval::{Calibrate, Learner};

/// What a cross-validation run trains and decides with.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Tuning {
    pub settings: Settings,
    pub opts: Options,
    pub calibrate: Calibrate,
    /// Combine per class with the richer inputs of [`super::stack`].
    pub rich: bool,
    /// Fit the combination for each fold on the other folds' rows only.
    pub honest: bool,
    /// A hidden layer of this shape instead of the linear model alone.
    pub mlp: Option<Shape>,
}

impl Tuning {
    /// The shipped settings with `seed`.
    pub fn shipped(seed: u64) -> Tuning {
        Tuning {
            settings: Settings {
                seed,
                ..Settings::DEFAULT
            },
            opts: Options::DEFAULT,
            calibrate: super::CALIBRATE,
            rich: false,
            honest: false,
            mlp: None,
        }
    }

    /// The model a cross-validation trains with these settings.
    pub fn learner(&self) -> Learner {
        match self.mlp {
            Some(shape) => Learner::Mlp(self.settings, shape),
            None => Learner::Linear(self.settings),
        }
    }
}

impl Tuning {
    fn mlp_shape(&mut self) -> &mut Shape {
        self.mlp.get_or_insert(Shape {
            hidden: 16,
            wide: false,
            rate: 0.1,
            init: 1.7,
        })
    }
}

/// A `MAILCLERK_TUNE` word that does not read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TuneError {
    #[error("{0:?} is not key=value")]
    NotKeyValue(String),
    #[error("{key}: bad value {value:?}")]
    BadValue { key: String, value: String },
    #[error("unknown setting {0}")]
    Unknown(String),
}

/// The shipped settings changed by `key=value` words: `epochs rate l2 min_n max_n bits rules
/// average bags cw=w1,..,w7 typos caps plain nosubject quoted both billing ball (the billing head
/// learns from every row) bweight (its billing errors' loss weight) act margin rival bothacts floor
/// lift (the sentence lift's cut) liftagree (only for the request the rules read) rich honest
/// hidden wide hrate hinit (a hidden layer: units, beside the linear layer, its step, its
/// initial scale)
/// calibrate=identity|platt|stack|perclass acts=whole|sentences veto=none|conflict|agree`.
///
/// # Errors
/// The first word that is not a known key with a valid value.
pub fn parse(words: &str, seed: u64) -> Result<Tuning, TuneError> {
    let mut t = Tuning::shipped(seed);
    for item in words.split_whitespace() {
        let (k, x) = item
            .split_once('=')
            .ok_or_else(|| TuneError::NotKeyValue(item.to_string()))?;
        let bad = || TuneError::BadValue {
            key: k.to_string(),
            value: x.to_string(),
        };
        let num = |x: &str| x.parse::<f32>().map_err(|_| bad());
        let int = |x: &str| x.parse::<u8>().map_err(|_| bad());
        let flag = |x: &str| Ok::<bool, TuneError>(x == "1");
        let s = &mut t.settings;
        let a = &mut s.augment;
        match k {
            "epochs" => s.epochs = x.parse().map_err(|_| bad())?,
            "rate" => s.rate = num(x)?,
            "l2" => s.l2 = num(x)?,
            "min_n" => s.spec.min_n = int(x)?,
            "max_n" => s.spec.max_n = int(x)?,
            "bits" => s.spec.buckets = 1 << x.parse::<u32>().map_err(|_| bad())?,
            "rules" => s.spec.rules = flag(x)?,
            "average" => s.average = flag(x)?,
            "bags" => s.bags = int(x)?,
            "cw" => {
                let w: Vec<f32> = x.split(',').map(num).collect::<Result<_, _>>()?;
                s.class_weight = <[f32; CLASSES]>::try_from(w).map_err(|_| bad())?;
            }
            "typos" => a.typos = int(x)?,
            "caps" => a.caps = flag(x)?,
            "plain" => a.plain = flag(x)?,
            "nosubject" => a.no_subject = flag(x)?,
            "quoted" => a.quoted = flag(x)?,
            "both" => a.both = int(x)?,
            "billing" => t.opts.billing_probability = num(x)?,
            "ball" => s.billing.all_rows = flag(x)?,
            "bweight" => s.billing.positive_weight = num(x)?,
            "rich" => t.rich = flag(x)?,
            "hidden" => t.mlp_shape().hidden = x.parse().map_err(|_| bad())?,
            "wide" => t.mlp_shape().wide = flag(x)?,
            "hrate" => t.mlp_shape().rate = num(x)?,
            "hinit" => t.mlp_shape().init = num(x)?,
            "honest" => t.honest = flag(x)?,
            "act" => t.opts.act_probability = num(x)?,
            "bothacts" => t.opts.both_needs_two_acts = flag(x)?,
            "rival" => t.opts.rival = Some(num(x)?),
            "margin" => t.opts.margin = Some(num(x)?),
            "lift" => t.opts.lift = Some(num(x)?),
            "liftagree" => t.opts.lift_agree = flag(x)?,
            "floor" => t.opts.billing_floor = Some(num(x)?),
            "calibrate" => {
                t.calibrate = match x {
                    "identity" => Calibrate::Identity,
                    "platt" => Calibrate::Platt,
                    "stack" => Calibrate::Stack,
                    "perclass" => Calibrate::StackPerClass,
                    _ => return Err(bad()),
                }
            }
            "acts" => {
                t.opts.acts = match x {
                    "whole" => Acts::Whole,
                    "sentences" => Acts::Sentences,
                    _ => return Err(bad()),
                }
            }
            "veto" => {
                t.opts.veto = match x {
                    "none" => Veto::None,
                    "conflict" => Veto::Conflict,
                    "agree" => Veto::Agree,
                    _ => return Err(bad()),
                }
            }
            _ => return Err(TuneError::Unknown(k.to_string())),
        }
    }
    Ok(t)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_change_the_shipped_settings_and_mistakes_are_named() {
        let t = parse(
            "epochs=5 typos=2 cw=1,1,2,1,1,1,1 calibrate=perclass margin=0.2",
            7,
        )
        .unwrap();
        assert_eq!(t.settings.epochs, 5);
        assert_eq!(t.settings.seed, 7);
        assert_eq!(t.settings.augment.typos, 2);
        assert_eq!(t.settings.class_weight[2], 2.0);
        assert_eq!(t.calibrate, Calibrate::StackPerClass);
        assert_eq!(t.opts.margin, Some(0.2));
        assert_eq!(parse("", 13).unwrap(), Tuning::shipped(13));
        let lift = parse("lift=0.9 liftagree=1", 13).unwrap();
        assert_eq!((lift.opts.lift, lift.opts.lift_agree), (Some(0.9), true));
        assert_eq!(
            Tuning::shipped(13).opts.lift,
            None,
            "the lift is off unless set"
        );
        let told = |words: &str| parse(words, 1).unwrap_err().to_string();
        assert!(told("epochs").contains("key=value"));
        assert!(told("cw=1,2").contains("cw"));
        assert!(told("nope=1").contains("nope"));
        assert_eq!(
            parse("rate=fast", 1).unwrap_err(),
            TuneError::BadValue {
                key: "rate".into(),
                value: "fast".into()
            }
        );
    }
}
