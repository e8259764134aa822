//! `mailclerk classifier train | eval | add-example`: the learned model's training, its
//! measurement, and a vendor's own examples. File I/O lives here; the model is pure
//! ([`crate::classify::model`], [`crate::classify::train`]).

pub mod data;
pub mod eval;

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
    let (_, t, stack) = eval::cross_validate(
        prep,
        CALIBRATION_FOLDS,
        Learner::Linear(s),
        &Options::DEFAULT,
        CALIBRATE,
    );
    train::train(&prep.examples(&s.spec), &s)
        .with_temperature(t)
        .with_stack(stack)
}

/// Reads every row of `files`.
///
/// # Errors
/// The first unreadable file or bad row.
pub fn read_rows(files: &[PathBuf]) -> Result<Vec<data::Row>, String> {
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
pub fn train_command(data_dir: &Path, out: &Path, seed: u64) -> Result<String, String> {
    let files = data::files_in(data_dir)?;
    let rows = read_rows(&files)?;
    let n = rows.len();
    let prep = Prepared::new(rows, &crate::config::classify::builtin())?;
    let model = fit(&prep, seed);
    let bytes = model.to_bytes();
    if let Some(dir) = out.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    std::fs::write(out, &bytes).map_err(|e| format!("{}: cannot write: {e}", out.display()))?;
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
    pub threshold: f32,
    /// Also compare the alternative models and combinations (with `cv`).
    pub compare: bool,
    pub seed: u64,
    /// Training settings other than the shipped ones (tuning by cross-validation).
    pub settings: Option<Settings>,
}

/// `classifier eval`: the report.
///
/// # Errors
/// Unreadable data or model.
pub fn eval_command(files: &[PathBuf], opts: &EvalOptions) -> Result<String, String> {
    let rows = read_rows(files)?;
    let prep = Prepared::new(rows, &crate::config::classify::builtin())?;
    let mut out = String::new();
    let outcomes = match opts.cv {
        Some(k) if k >= 2 => {
            let s = opts.settings.unwrap_or(Settings {
                seed: opts.seed,
                ..Settings::DEFAULT
            });
            let (outcomes, t, stack) =
                eval::cross_validate(&prep, k, Learner::Linear(s), &Options::DEFAULT, CALIBRATE);
            out.push_str(&format!(
                "{k}-fold cross-validation (seed {}), fitted on out-of-fold predictions: temperature {t:.3}, stack {stack:?}\n",
                opts.seed
            ));
            if opts.compare {
                out.push_str(&eval::compare(&prep, k, opts.threshold));
                out.push('\n');
            }
            outcomes
        }
        Some(k) => return Err(format!("--cv {k}: expected at least 2 folds")),
        None => {
            let model = match &opts.model {
                Some(path) => load(path)?,
                None => crate::config::classifier::builtin().as_ref().clone(),
            };
            out.push_str(&format!(
                "model {} (temperature {:.3}, stack {:?})\n",
                opts.model
                    .as_ref()
                    .map_or("built-in".into(), |p| p.display().to_string()),
                model.temperature,
                model.stack
            ));
            eval::with_model(&prep, &model, &Options::DEFAULT)
        }
    };
    if let Some(line) = eval::model_alone(&outcomes) {
        out.push_str(&line);
    }
    out.push_str(&eval::report(&outcomes, opts.threshold));
    let rules = eval::rules_only(&prep);
    out.push_str(&format!(
        "\nphrase rules alone (for comparison): {}\n",
        eval::summary(&rules, opts.threshold)
    ));
    Ok(out)
}

/// Reads a model file.
///
/// # Errors
/// Unreadable, or not a valid model.
pub fn load(path: &Path) -> Result<Model, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("{}: cannot read: {e}", path.display()))?;
    Model::from_bytes(&bytes).map_err(|e| format!("{}: {e}", path.display()))
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
) -> Result<String, String> {
    let class = Class::parse(label).ok_or_else(|| {
        format!(
            "--label {label:?}: expected one of {}",
            Class::ALL.map(Class::as_str).join(", ")
        )
    })?;
    let reason = match reason {
        None => None,
        Some(r) => match (Reason::parse(r), class) {
            (Some(r), Class::Refund | Class::Both) => Some(r),
            (Some(_), _) => return Err("--reason goes only with --label refund or both".into()),
            (None, _) => return Err(format!("--reason {r:?}: expected billing_error")),
        },
    };
    let bytes = std::fs::read(eml).map_err(|e| format!("{}: cannot read: {e}", eml.display()))?;
    let raw = RawMail {
        origin: eml.display().to_string(),
        // Only the text matters here; a saved message often has no Received: header.
        received: Some(jiff::Timestamp::UNIX_EPOCH),
        bytes,
    };
    let mail =
        parse::parse(&raw, 25 * 1024 * 1024).map_err(|e| format!("{}: {e}", eml.display()))?;
    let id = format!(
        "vendor-{}",
        hex(&Sha256::digest(format!("{}\n{}", mail.subject, mail.text).as_bytes())[..6])
    );
    if std::fs::read_to_string(to).is_ok_and(|t| t.contains(&format!("\"id\":\"{id}\""))) {
        return Err(format!(
            "{id} (this message) is already in {}",
            to.display()
        ));
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
    if let Some(dir) = to.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(to)
        .map_err(|e| format!("{}: cannot open: {e}", to.display()))?;
    writeln!(file, "{row}").map_err(|e| format!("{}: cannot write: {e}", to.display()))?;
    let now = decide::model_text(&mail);
    Ok(format!(
        "added {id} ({}) to {}: {:?}; retrain with `mailclerk classifier train`",
        class.as_str(),
        to.display(),
        now.chars().take(60).collect::<String>()
    ))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
