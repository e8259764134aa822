//! Why a classifier command could not do its work: unreadable or badly labelled data, a bad
//! model file, a wrong argument, an unwritable output. Each names the file (and line) it is
//! about; the cause, where there is one, is its `source()`.

use std::path::PathBuf;

use crate::classify::model::{Class, ModelError};

/// Why `classifier train`, `eval` or `add-example` failed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{}: cannot read the file", path.display())]
    ReadFile {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{}: cannot read", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{}: cannot read the directory", path.display())]
    ReadDir {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{}: no *.jsonl files", path.display())]
    NoData { path: PathBuf },
    /// A bad line of a data file: the problem is the source.
    #[error("{}:{line}", path.display())]
    Line {
        path: PathBuf,
        line: usize,
        #[source]
        source: Box<Error>,
    },
    #[error("not a JSON object")]
    NotJson(#[source] serde_json::Error),
    #[error("label {label:?}: expected one of {}", labels())]
    Label { label: String },
    #[error("reason {reason:?}: expected billing_error")]
    Reason { reason: String },
    /// A labelled message (a data row, or the file given to `add-example`) the parser rejects.
    #[error("{origin}")]
    Unparseable {
        origin: String,
        #[source]
        source: crate::parse::Unparseable,
    },
    #[error("{}", path.display())]
    BadModel {
        path: PathBuf,
        #[source]
        source: ModelError,
    },
    #[error("--cv {folds}: expected at least 2 folds")]
    Folds { folds: usize },
    #[error("--extra: only with --cv (a trained model has nothing to train on them)")]
    ExtraWithoutCv,
    #[error("--train-on: only the linear model with its stack (no hidden layer, rich or honest)")]
    TrainOnLinearOnly,
    #[error("--label {label:?}: expected one of {}", labels())]
    LabelArg { label: String },
    #[error("--reason {reason:?}: expected billing_error")]
    ReasonArg { reason: String },
    #[error("--reason goes only with --label refund or both")]
    ReasonWithoutRefund,
    #[error("{id} (this message) is already in {}", path.display())]
    Duplicate { id: String, path: PathBuf },
    #[error("{}: cannot create the directory", path.display())]
    CreateDir {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{}: cannot open", path.display())]
    Open {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{}: cannot write", path.display())]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

fn labels() -> String {
    Class::ALL.map(Class::as_str).join(", ")
}
