//! Training on the committed data reproduces the committed model byte for byte.
//!
//! A binary of its own because it is minutes of CPU in an unoptimised build and seconds in a
//! release one: `scripts/test` runs it as `cargo test --release --test training`, beside the
//! rest of the suite; a debug `cargo test` lists it as ignored.

use std::path::Path;

use mailclerk::classify::train::Settings;
use sha2::{Digest, Sha256};

fn sha(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Trains as `mailclerk classifier train` does, in-process: five calibration folds and the
/// final model over every committed row.
#[test]
#[cfg_attr(
    debug_assertions,
    ignore = "minutes in a debug build: scripts/test runs `cargo test --release --test training`"
)]
fn training_on_the_committed_data_reproduces_the_shipped_model() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("model.bin");
    mailclerk::learn::train_command(
        Path::new(mailclerk::learn::DEFAULT_DATA),
        &out,
        Settings::DEFAULT.seed,
    )
    .unwrap();
    let shipped = std::fs::read(mailclerk::learn::DEFAULT_MODEL).unwrap();
    assert_eq!(
        sha(&std::fs::read(&out).unwrap()),
        sha(&shipped),
        "config/classifier/model.bin is not what `mailclerk classifier train` makes of config/classifier/train: retrain and commit"
    );
    assert!(shipped.len() <= 5 * 1024 * 1024);
    assert_eq!(
        mailclerk::config::classifier::BUILTIN,
        shipped.as_slice(),
        "the built-in model is the shipped file"
    );
}
