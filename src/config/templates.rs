//! The reply templates: every `*.txt.j2` file of the templates directory and its
//! per-language subdirectories, loaded and parsed.

use std::path::Path;

use super::ConfigError;
use crate::render::Templates;

fn read_template_dir(
    dir: &Path,
    prefix: &str,
    sources: &mut std::collections::BTreeMap<String, String>,
    errors: &mut Vec<ConfigError>,
) -> std::io::Result<()> {
    let mut files: Vec<_> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .collect();
    files.sort();
    for path in files {
        let Some(stem) = path
            .file_name()
            .and_then(|n| n.to_str())
            .and_then(|n| n.strip_suffix(".txt.j2"))
        else {
            continue;
        };
        match std::fs::read_to_string(&path) {
            Ok(text) => {
                sources.insert(format!("{prefix}{stem}"), text);
            }
            Err(e) => errors.push(ConfigError::new(&path, "", format!("cannot read: {e}"))),
        }
    }
    Ok(())
}

/// Loads every `*.txt.j2` file in `dir` as a template named by its stem (the English set),
/// and those in `dir/<language code>/` as `<code>/<stem>` (docs/languages.md).
///
/// # Errors
/// An unreadable directory or file, or a template that does not parse.
pub fn load_templates(dir: &Path) -> Result<Templates, Vec<ConfigError>> {
    let mut sources = std::collections::BTreeMap::new();
    let mut errors = Vec::new();
    read_template_dir(dir, "", &mut sources, &mut errors).map_err(|e| {
        vec![ConfigError::new(
            dir,
            "",
            format!("cannot read the templates directory: {e}"),
        )]
    })?;
    for lang in crate::language::Lang::ALL.iter().skip(1) {
        let sub = dir.join(lang.code());
        if sub.is_dir()
            && let Err(e) = read_template_dir(
                &sub,
                &format!("{}/", lang.code()),
                &mut sources,
                &mut errors,
            )
        {
            errors.push(ConfigError::new(
                &sub,
                "",
                format!("cannot read the templates directory: {e}"),
            ));
        }
    }
    match Templates::from_sources(sources) {
        Ok(t) if errors.is_empty() => Ok(t),
        Ok(_) => Err(errors),
        Err((stem, e)) => {
            errors.push(ConfigError::new(
                &dir.join(format!("{stem}.txt.j2")),
                "",
                format!("template does not parse: {e}"),
            ));
            Err(errors)
        }
    }
}
