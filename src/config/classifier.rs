//! The learned classifier's weights: the shipped model (`config/classifier/model.bin`, built
//! into the binary as the default) or the file the main configuration's `classifier` key names,
//! and the per-mailbox `auto_answer_threshold`.

use std::path::Path;
use std::sync::{Arc, LazyLock};

use super::error::ConfigError;
use crate::classify::Model;

/// The shipped model, compiled into the binary.
pub const BUILTIN: &[u8] = include_bytes!("../../config/classifier/model.bin");

/// The built-in model.
///
/// # Panics
/// Never in a released build: the shipped file is tested to load.
pub fn builtin() -> Arc<Model> {
    static MODEL: LazyLock<Arc<Model>> = LazyLock::new(|| {
        Arc::new(
            Model::from_static(BUILTIN).expect("the built-in config/classifier/model.bin loads"),
        )
    });
    MODEL.clone()
}

/// The model the `classifier` key names (relative to the main file's directory), or the
/// built-in one; a file that cannot be used is a configuration error.
pub fn load(
    main: &Path,
    base: &Path,
    key: Option<&Path>,
    errors: &mut Vec<ConfigError>,
) -> Arc<Model> {
    let Some(rel) = key else {
        return builtin();
    };
    let path = base.join(rel);
    let found = std::fs::read(&path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))
        .and_then(|b| Model::from_bytes(&b).map_err(|e| format!("{}: {e}", path.display())));
    match found {
        Ok(m) => Arc::new(m),
        Err(why) => {
            errors.push(ConfigError::new(
                main,
                "classifier",
                format!("expected a model file written by `mailclerk classifier train`: {why}"),
            ));
            builtin()
        }
    }
}

/// A mailbox's `auto_answer_threshold`: a probability in 0..1.
pub fn threshold(main: &Path, key: &str, value: Option<f32>, errors: &mut Vec<ConfigError>) -> f32 {
    let default = crate::classify::decide::DEFAULT_THRESHOLD;
    match value {
        None => default,
        Some(t) if (0.0..=1.0).contains(&t) => t,
        Some(t) => {
            errors.push(ConfigError::new(
                main,
                key,
                format!("expected a probability from 0 to 1, found {t}"),
            ));
            default
        }
    }
}
