//! `mailclerk classifier train | eval | add-example`: the learned model's training, its
//! measurement, and a vendor's own examples. File I/O lives here; the model is pure
//! ([`crate::classify::model`], [`crate::classify::train`]).

pub mod augment;
pub mod data;
mod error;
pub mod eval;
pub mod report;
pub mod stack;
pub mod tune;

pub use error::Error;

use std::io::Write as _;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::classify::Reason;
use crate::classify::decide::{self, Options};
use crate::classify::model::{Class, Model};
use crate::classify::train::{self, Settings};
use crate::parse::{self, RawMail};
use eval::{Learner, Prepared};

/// Where the team's training data and the shipped model live, relative to the repository.
pub const DEFAULT_DATA: &str = "config/classifier/train";
pub const DEFAULT_MODEL: &str = "config/classifier/model.bin";
/// How the shipped model's request probabilities are calibrated (chosen by cross-validation).
pub const CALIBRATE: eval::Calibrate = eval::Calibrate::Stack;
/// Folds of the cross-validation whose out-of-fold predictions calibrate the temperature.
const CALIBRATION_FOLDS: usize = 5;

/// Trains on the prepared rows: the temperature and the stack from out-of-fold predictions
/// of a 5-fold cross-validation, then the weights on every row. Deterministic for the same rows
/// (in the same order) and seed.
pub fn fit(prep: &Prepared, seed: u64) -> Model {
    let s = Settings {
        seed,
        ..Settings::DEFAULT
    };
    fit_with(prep, &s, &Options::DEFAULT, CALIBRATE)
}

/// [`fit`] with other settings (`classifier eval --train-on` under `MAILCLERK_TUNE`).
fn fit_with(prep: &Prepared, s: &Settings, opts: &Options, how: eval::Calibrate) -> Model {
    let s = *s;
    let (_, t, stack) =
        eval::cross_validate(prep, CALIBRATION_FOLDS, Learner::Linear(s), opts, how);
    let mut examples = prep.examples(&s.spec);
    examples.extend(
        augment::copies(prep, &s.augment, &s.spec, s.seed)
            .into_iter()
            .map(|c| c.example),
    );
    train::train(&examples, &s)
        .with_temperature(t)
        .with_stack(stack)
}

/// Reads every row of `files`.
///
/// # Errors
/// The first unreadable file or bad row.
pub fn read_rows(files: &[PathBuf]) -> Result<Vec<data::Row>, Error> {
    let mut rows = Vec::new();
    for f in files {
        rows.extend(data::read(f)?);
    }
    Ok(rows)
}

/// `classifier train`: returns the summary line.
///
/// # Errors
/// Unreadable or bad data, or an unwritable output file.
pub fn train_command(data_dir: &Path, out: &Path, seed: u64) -> Result<String, Error> {
    let files = data::files_in(data_dir)?;
    let rows = read_rows(&files)?;
    let n = rows.len();
    let prep = Prepared::new(rows, &crate::config::classify::builtin())?;
    let model = fit(&prep, seed);
    let bytes = model.to_bytes();
    create_parent(out)?;
    std::fs::write(out, &bytes).map_err(|source| Error::Write {
        path: out.to_path_buf(),
        source,
    })?;
    Ok(format!(
        "trained on {n} messages from {} files in {}; temperature {:.3}, stack {:?}; wrote {} ({} bytes, sha256 {})",
        files.len(),
        data_dir.display(),
        model.temperature,
        model.stack,
        out.display(),
        bytes.len(),
        hex(&Sha256::digest(&bytes)[..8])
    ))
}

/// How `classifier eval` measures.
#[derive(Debug, Clone)]
pub struct EvalOptions {
    /// A model file; the built-in model when `None`.
    pub model: Option<PathBuf>,
    /// Cross-validate on the files instead of reading them with a trained model.
    pub cv: Option<usize>,
    /// With `cv`: files whose rows every fold trains on and none is scored.
    pub extra: Vec<PathBuf>,
    /// Train a model on these files (as `classifier train` does, with the tuning's settings)
    /// and score the files with it: a test on rows other people wrote.
    pub train_on: Vec<PathBuf>,
    pub threshold: f32,
    /// Also compare the alternative models and combinations (with `cv`).
    pub compare: bool,
    pub seed: u64,
    /// With `cv`: this many cross-validations, with the seeds `seed`, `seed + 1`, ..., their
    /// out-of-fold readings pooled. One seed's folds decide whether a handful of confident
    /// errors falls in or out, which moves the 0.5% bar by several hundredths from seed to seed.
    pub repeat: u64,
    /// Training settings and decision options other than the shipped ones (tuning by
    /// cross-validation).
    pub tuning: Option<tune::Tuning>,
    /// Write each row's out-of-fold reading here (tab-separated), for reading the errors.
    pub dump: Option<PathBuf>,
}

/// `classifier eval`: the report.
///
/// # Errors
/// Unreadable data or model.
pub fn eval_command(files: &[PathBuf], opts: &EvalOptions) -> Result<String, Error> {
    let rules = crate::config::classify::builtin();
    let mut prep = Prepared::new(read_rows(files)?, &rules)?;
    let mut out = String::new();
    if !opts.extra.is_empty() {
        if opts.cv.is_none() {
            return Err(Error::ExtraWithoutCv);
        }
        let extra = Prepared::new(read_rows(&opts.extra)?, &rules)?;
        out.push_str(&format!(
            "scored: {} rows; trained on in every fold, never scored: {} rows from {} files\n",
            prep.rows.len(),
            extra.rows.len(),
            opts.extra.len()
        ));
        prep = prep.with_extra(extra);
    }
    let tuning = opts
        .tuning
        .unwrap_or_else(|| tune::Tuning::shipped(opts.seed));
    let outcomes = match opts.cv {
        Some(k) if k >= 2 => {
            let mut outcomes = Vec::new();
            for seed in opts.seed..opts.seed + opts.repeat.max(1) {
                let mut tuning = tuning;
                tuning.settings.seed = seed;
                let (these, t, stacks) = cross_validation(&prep, k, &tuning);
                let stack = if stacks.iter().all(|s| *s == stacks[0]) {
                    format!("{:?}", stacks[0])
                } else {
                    format!("{stacks:?}")
                };
                out.push_str(&format!(
                    "{k}-fold cross-validation (seed {seed}), fitted on out-of-fold predictions: temperature {t:.3}, stack {stack}\n",
                ));
                outcomes.extend(these);
            }
            if opts.repeat > 1 {
                out.push_str(&format!(
                    "pooled: the out-of-fold readings of {} cross-validations ({} readings)\n",
                    opts.repeat,
                    outcomes.len()
                ));
            }
            let chosen = eval::chosen_threshold(&outcomes, eval::MAX_WRONG);
            out.push_str(&format!(
                "lowest threshold with at most {}% wrong: {chosen:.2}: {}\n",
                eval::MAX_WRONG,
                eval::summary(&outcomes, chosen)
            ));
            if opts.compare {
                out.push_str(&eval::compare(&prep, k, opts.threshold));
                out.push('\n');
            }
            outcomes
        }
        Some(folds) => return Err(Error::Folds { folds }),
        None => {
            let model = match &opts.model {
                _ if !opts.train_on.is_empty() => {
                    if tuning.mlp.is_some() || tuning.rich || tuning.honest {
                        return Err(Error::TrainOnLinearOnly);
                    }
                    let train = Prepared::new(read_rows(&opts.train_on)?, &rules)?;
                    out.push_str(&format!(
                        "trained on {} rows from {} files (--train-on), scored: {} rows\n",
                        train.rows.len(),
                        opts.train_on.len(),
                        prep.rows.len()
                    ));
                    fit_with(&train, &tuning.settings, &tuning.opts, tuning.calibrate)
                }
                Some(path) => load(path)?,
                None => crate::config::classifier::builtin().as_ref().clone(),
            };
            out.push_str(&format!(
                "model {} (temperature {:.3}, stack {:?})\n",
                match &opts.model {
                    _ if !opts.train_on.is_empty() => "trained on --train-on".to_string(),
                    Some(p) => p.display().to_string(),
                    None => "built-in".to_string(),
                },
                model.temperature,
                model.stack
            ));
            // Under `--train-on` the tuning's decision options apply too (the billing cut, ...).
            let decide = if opts.train_on.is_empty() {
                Options::DEFAULT
            } else {
                tuning.opts
            };
            eval::with_model(&prep, &model, &decide)
        }
    };
    if let Some(path) = &opts.dump {
        dump(path, &prep, &outcomes, opts.threshold)?;
    }
    if let Some(line) = eval::model_alone(&outcomes) {
        out.push_str(&line);
    }
    out.push_str(&eval::report(&outcomes, opts.threshold));
    out.push_str(&report::billing_cuts(&outcomes));
    let rules = eval::rules_only(&prep);
    out.push_str(&format!(
        "\nphrase rules alone (for comparison): {}\n",
        eval::summary(&rules, opts.threshold)
    ));
    Ok(out)
}

/// One cross-validation under `tuning` (its seed orders the training and draws the folds): each
/// scored row's out-of-fold outcome, the fitted temperature and stacks.
fn cross_validation(
    prep: &Prepared,
    k: usize,
    tuning: &tune::Tuning,
) -> (Vec<eval::Outcome>, f32, [[f32; 4]; 3]) {
    if tuning.rich || tuning.honest {
        let oof = eval::out_of_fold(prep, k, tuning.learner(), &tuning.opts);
        let outcomes = stack::outcomes(prep, &oof, &tuning.opts, tuning.rich, tuning.honest);
        (outcomes, oof.temperature, [[0.0; 4]; 3])
    } else {
        eval::cross_validate_per_class(prep, k, tuning.learner(), &tuning.opts, tuning.calibrate)
    }
}

/// Each row's reading, one tab-separated line: id, language, label, reason, decided intent and
/// reason at `threshold`, the reading and its probability, whether it is a wrong automatic
/// answer, the start of the text, and the phrase rules' reading alone.
fn dump(
    path: &Path,
    prep: &Prepared,
    outcomes: &[eval::Outcome],
    threshold: f32,
) -> Result<(), Error> {
    let mut out = String::new();
    // Pooled cross-validations hold each row once per seed, in the rows' order.
    let rows = prep.rows.iter().zip(&prep.texts).zip(&prep.rules).cycle();
    for (((row, text), by_rules), o) in rows.zip(outcomes) {
        let (intent, reason) = o.decided(threshold);
        let (reading, p) = o.reading();
        // The phrase rules' own reading comes last, after the text, so that readers of the
        // earlier columns keep working.
        out.push_str(&format!(
            "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{:.3}\t{}\t{}\t{}\n",
            row.id,
            row.lang,
            row.class.as_str(),
            row.reason.map_or("-", Reason::as_str),
            intent.as_str(),
            reason.map_or("-", Reason::as_str),
            reading.as_str(),
            p,
            u8::from(o.wrong_automatic(threshold)),
            text.replace(['\n', '\t', '\r'], " ")
                .chars()
                .take(160)
                .collect::<String>(),
            by_rules.intent.as_str()
        ));
    }
    std::fs::write(path, out).map_err(|source| Error::Write {
        path: path.to_path_buf(),
        source,
    })
}

/// Reads a model file.
///
/// # Errors
/// Unreadable, or not a valid model.
pub fn load(path: &Path) -> Result<Model, Error> {
    let bytes = std::fs::read(path).map_err(|source| Error::Read {
        path: path.to_path_buf(),
        source,
    })?;
    Model::from_bytes(&bytes).map_err(|source| Error::BadModel {
        path: path.to_path_buf(),
        source,
    })
}

/// `classifier add-example`: appends the message's subject and new text, labelled, to `to`.
///
/// # Errors
/// Unreadable or unparseable message, an unknown label, or an unwritable file.
pub fn add_example(
    eml: &Path,
    label: &str,
    reason: Option<&str>,
    lang: &str,
    to: &Path,
) -> Result<String, Error> {
    let class = Class::parse(label).ok_or_else(|| Error::LabelArg {
        label: label.to_string(),
    })?;
    let reason = match reason {
        None => None,
        Some(r) => match (Reason::parse(r), class) {
            (Some(r), Class::Refund | Class::Both) => Some(r),
            (Some(_), _) => return Err(Error::ReasonWithoutRefund),
            (None, _) => {
                return Err(Error::ReasonArg {
                    reason: r.to_string(),
                });
            }
        },
    };
    let bytes = std::fs::read(eml).map_err(|source| Error::Read {
        path: eml.to_path_buf(),
        source,
    })?;
    let raw = RawMail {
        origin: eml.display().to_string(),
        // Only the text matters here; a saved message often has no Received: header.
        received: Some(jiff::Timestamp::UNIX_EPOCH),
        bytes,
    };
    let mail = parse::parse(&raw, 25 * 1024 * 1024).map_err(|source| Error::Unparseable {
        origin: eml.display().to_string(),
        source,
    })?;
    let id = format!(
        "vendor-{}",
        hex(&Sha256::digest(format!("{}\n{}", mail.subject, mail.text).as_bytes())[..6])
    );
    if std::fs::read_to_string(to).is_ok_and(|t| t.contains(&format!("\"id\":\"{id}\""))) {
        return Err(Error::Duplicate {
            id,
            path: to.to_path_buf(),
        });
    }
    let mut row = serde_json::json!({
        "id": id,
        "lang": lang,
        "label": class.as_str(),
        "subject": mail.subject,
        "body": mail.text,
        "tags": ["vendor"],
        "provenance": format!("added by the vendor with mailclerk classifier add-example from {}", eml.display()),
    });
    if let Some(r) = reason {
        row["reason"] = r.as_str().into();
    }
    create_parent(to)?;
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(to)
        .map_err(|source| Error::Open {
            path: to.to_path_buf(),
            source,
        })?;
    writeln!(file, "{row}").map_err(|source| Error::Write {
        path: to.to_path_buf(),
        source,
    })?;
    let now = decide::model_text(&mail);
    Ok(format!(
        "added {id} ({}) to {}: {:?}; retrain with `mailclerk classifier train`",
        class.as_str(),
        to.display(),
        now.chars().take(60).collect::<String>()
    ))
}

/// Creates the directory `file` goes in, unless it is the current one.
fn create_parent(file: &Path) -> Result<(), Error> {
    match file.parent().filter(|d| !d.as_os_str().is_empty()) {
        Some(dir) => std::fs::create_dir_all(dir).map_err(|source| Error::CreateDir {
            path: dir.to_path_buf(),
            source,
        }),
        None => Ok(()),
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
