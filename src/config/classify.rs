//! The classification rules: `config/classify.toml` (built in as the default), the vendor's
//! own rule files that extend it, and the `[classify]` section of the main file that names
//! them. Every mistake is collected with its file and key.

use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use regex::RegexBuilder;
use serde::Deserialize;

use super::error::{ConfigError, parse_toml};
use crate::accounts::MatchRules;
use crate::classify::{ClassifyRules, Pattern, Role, Rule, Scope};

/// The shipped rule file, compiled into the binary.
pub const BUILTIN: &str = include_str!("../../config/classify.toml");

/// The `[classify]` section of the main file.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawClassify {
    /// The base rule file; the built-in copy of `config/classify.toml` when absent.
    #[serde(default)]
    rules: Option<PathBuf>,
    /// Further rule files whose `[[rule]]` groups are added to the base ones.
    #[serde(default)]
    extend: Vec<PathBuf>,
    /// Overrides the rule file's `min_confidence`.
    #[serde(default)]
    min_confidence: Option<f32>,
    /// Extra refund patterns, written inline (weight 1).
    #[serde(default)]
    refund: Vec<String>,
    /// Extra cancellation patterns, written inline (weight 1).
    #[serde(default)]
    cancellation: Vec<String>,
    /// Extra patterns that cancel both intents in their sentence (a negation).
    #[serde(default)]
    not_a_request: Vec<String>,
}

/// One rule file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRuleFile {
    #[serde(default)]
    min_confidence: Option<f32>,
    #[serde(default)]
    typos: Option<RawTypos>,
    #[serde(default)]
    vars: std::collections::BTreeMap<String, String>,
    #[serde(default)]
    rule: Vec<RawRule>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTypos {
    #[serde(default)]
    words: Vec<String>,
    #[serde(default)]
    keep: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRule {
    id: String,
    role: Role,
    lang: String,
    weight: f32,
    patterns: Vec<String>,
    #[serde(default)]
    blocks: Option<Vec<BlockTarget>>,
    #[serde(default)]
    scope: Option<Scope>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
enum BlockTarget {
    Refund,
    Cancellation,
}

/// The built-in rules.
///
/// # Panics
/// Never in a released build: the shipped file is tested to compile.
pub fn builtin() -> ClassifyRules {
    static RULES: LazyLock<ClassifyRules> = LazyLock::new(compile_builtin);
    RULES.clone()
}

fn compile_builtin() -> ClassifyRules {
    let mut errors = Vec::new();
    let mut rules = empty();
    add_file(
        &mut rules,
        Path::new("config/classify.toml"),
        BUILTIN,
        &mut errors,
    );
    assert!(errors.is_empty(), "built-in classify.toml: {errors:?}");
    rules.prepare();
    rules
}

fn empty() -> ClassifyRules {
    ClassifyRules::new(0.65)
}

/// Builds the rules the main file's `[classify]` section asks for (paths relative to `base`).
/// Mistakes are pushed to `errors`, each naming its file and key.
pub fn load(
    main: &Path,
    base: &Path,
    raw: Option<&RawClassify>,
    errors: &mut Vec<ConfigError>,
) -> ClassifyRules {
    let Some(raw) = raw else {
        return builtin();
    };
    let mut rules = empty();
    match &raw.rules {
        None => add_file(
            &mut rules,
            Path::new("config/classify.toml"),
            BUILTIN,
            errors,
        ),
        Some(path) => read_file(&mut rules, &base.join(path), errors),
    }
    for path in &raw.extend {
        read_file(&mut rules, &base.join(path), errors);
    }
    let inline = [
        ("refund", Role::Refund, &raw.refund),
        ("cancellation", Role::Cancellation, &raw.cancellation),
        ("not_a_request", Role::Negation, &raw.not_a_request),
    ];
    for (list, role, patterns) in inline {
        if patterns.is_empty() {
            continue;
        }
        let rule = RawRule {
            id: format!("config.{list}"),
            role,
            lang: "any".into(),
            weight: 1.0,
            patterns: patterns.clone(),
            blocks: None,
            scope: None,
        };
        if let Some(r) = compile(
            &rule,
            &Default::default(),
            |i| (main.to_path_buf(), format!("classify.{list}[{i}]")),
            errors,
        ) {
            rules.rules.push(r);
        }
    }
    if let Some(min) = raw.min_confidence {
        check_confidence(main, "classify.min_confidence", min, errors);
        rules.min_confidence = min;
    }
    rules.prepare();
    rules
}

fn read_file(rules: &mut ClassifyRules, path: &Path, errors: &mut Vec<ConfigError>) {
    match std::fs::read_to_string(path) {
        Ok(text) => add_file(rules, path, &text, errors),
        Err(e) => errors.push(ConfigError::new(
            path,
            "",
            format!("cannot read the file: {e}"),
        )),
    }
}

/// Parses one rule file and adds its rules; its `min_confidence` and typos replace or extend
/// what is there.
fn add_file(rules: &mut ClassifyRules, path: &Path, text: &str, errors: &mut Vec<ConfigError>) {
    let raw: RawRuleFile = match parse_toml(path, text) {
        Ok(raw) => raw,
        Err(e) => return errors.extend(e),
    };
    if let Some(min) = raw.min_confidence {
        check_confidence(path, "min_confidence", min, errors);
        rules.min_confidence = min;
    }
    if let Some(t) = raw.typos {
        let lower = |v: Vec<String>| v.into_iter().map(|w| w.trim().to_lowercase());
        rules.typos.words.extend(lower(t.words));
        rules.typos.keep.extend(lower(t.keep));
    }
    for (i, rule) in raw.rule.iter().enumerate() {
        if rules.rules.iter().any(|r| r.id == rule.id) {
            errors.push(ConfigError::new(
                path,
                format!("rule[{i}].id"),
                format!("rule id {:?} is used twice; ids must be unique", rule.id),
            ));
            continue;
        }
        if !(0.0..=2.0).contains(&rule.weight) {
            errors.push(ConfigError::new(
                path,
                format!("rule[{i}].weight"),
                format!("expected a weight from 0 to 2, found {}", rule.weight),
            ));
        }
        if let Some(r) = compile(
            rule,
            &raw.vars,
            |j| (path.to_path_buf(), format!("rule[{i}].patterns[{j}]")),
            errors,
        ) {
            rules.rules.push(r);
        }
    }
}

fn check_confidence(file: &Path, key: &str, min: f32, errors: &mut Vec<ConfigError>) {
    if !(0.5..1.0).contains(&min) {
        errors.push(ConfigError::new(
            file,
            key,
            format!("expected a confidence from 0.5 to below 1, found {min}"),
        ));
    }
}

/// Compiles one rule's patterns; `key` names the file and key of pattern `j` for errors.
fn compile(
    rule: &RawRule,
    vars: &std::collections::BTreeMap<String, String>,
    key: impl Fn(usize) -> (PathBuf, String),
    errors: &mut Vec<ConfigError>,
) -> Option<Rule> {
    let before = errors.len();
    let mut patterns = Vec::new();
    for (j, pattern) in rule.patterns.iter().enumerate() {
        let expanded = expand(pattern, vars);
        // The same flags as `classify::pattern_parser`, which reads the patterns' literals.
        match Pattern::classifier(&expanded, 1 << 22) {
            Ok(re) => patterns.push(re),
            Err(e) => {
                let (file, key) = key(j);
                errors.push(ConfigError::new(
                    &file,
                    key,
                    one_line(&format!("invalid regular expression {pattern:?}: {e}")),
                ));
            }
        }
    }
    let negative = rule.role.is_negative();
    let default_blocks = match rule.role {
        Role::OtherObject => vec![BlockTarget::Cancellation],
        _ if negative => vec![BlockTarget::Refund, BlockTarget::Cancellation],
        _ => vec![],
    };
    let blocks = rule.blocks.clone().unwrap_or(default_blocks);
    let scope = rule.scope.unwrap_or(match rule.role {
        Role::OtherObject => Scope::Phrase,
        _ => Scope::Sentence,
    });
    (errors.len() == before).then(|| Rule {
        id: rule.id.clone(),
        role: rule.role,
        lang: rule.lang.clone(),
        weight: rule.weight,
        blocks_refund: blocks.contains(&BlockTarget::Refund),
        blocks_cancellation: blocks.contains(&BlockTarget::Cancellation),
        scope,
        patterns,
    })
}

/// Replaces each `{{name}}` by its `[vars]` entry (an unknown name is left as written, and
/// then fails to compile with the name in the message).
fn expand(pattern: &str, vars: &std::collections::BTreeMap<String, String>) -> String {
    let mut out = pattern.to_string();
    for (name, value) in vars {
        out = out.replace(&format!("{{{{{name}}}}}"), value);
    }
    out
}

/// Regex errors draw a caret diagram over several lines; the report keeps one per line.
fn one_line(text: &str) -> String {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// A mailbox's matching keys (`account_refs`, `plus_addressing`, `forwarders`) made into
/// [`MatchRules`]. Forwarders are the vendor's own addresses, so each is added to
/// `own_addresses`: their mail is never answered unless it forwards a customer's.
pub fn match_rules(
    file: &Path,
    key: &str,
    (refs, plus_addressing, forwarders): (&[String], bool, &[String]),
    own_addresses: &mut Vec<String>,
    errors: &mut Vec<ConfigError>,
) -> MatchRules {
    let mut rules = MatchRules {
        plus_addressing,
        ..MatchRules::default()
    };
    for (i, pattern) in refs.iter().enumerate() {
        let at = format!("{key}.account_refs[{i}]");
        match RegexBuilder::new(pattern).size_limit(1 << 20).build() {
            Err(e) => errors.push(ConfigError::new(
                file,
                at,
                one_line(&format!("invalid regular expression {pattern:?}: {e}")),
            )),
            Ok(re)
                if !re
                    .capture_names()
                    .flatten()
                    .any(|n| n == "id" || n == "name") =>
            {
                errors.push(ConfigError::new(
                    file,
                    at,
                    format!("expected a named group (?P<id>...) or (?P<name>...) in {pattern:?}"),
                ))
            }
            Ok(re) => rules.refs.push(re),
        }
    }
    for (i, address) in forwarders.iter().enumerate() {
        let address = address.trim().to_lowercase();
        if !matches!(address.split_once('@'), Some((l, d)) if !l.is_empty() && d.contains('.')) {
            errors.push(ConfigError::new(
                file,
                format!("{key}.forwarders[{i}]"),
                format!("expected an email address, found {address:?}"),
            ));
            continue;
        }
        if !own_addresses.contains(&address) {
            own_addresses.push(address.clone());
        }
        rules.forwarders.push(address);
    }
    rules
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_compiles_with_every_language_and_role() {
        let rules = builtin();
        for lang in ["en", "de", "es", "fr", "pt", "it", "nl"] {
            for role in [Role::Refund, Role::Cancellation, Role::Request] {
                assert!(
                    rules.rules.iter().any(|r| r.lang == lang && r.role == role),
                    "{lang} {role:?}"
                );
            }
            assert!(
                rules
                    .rules
                    .iter()
                    .any(|r| r.lang == lang && r.role.is_negative()),
                "{lang} negatives"
            );
        }
        assert!(!rules.typos.words.is_empty());
        assert!(
            !BUILTIN.contains("{{")
                || rules
                    .rules
                    .iter()
                    .all(|r| r.patterns.iter().all(|p| !p.as_str().contains("{{")))
        );
    }

    #[test]
    fn errors_name_file_and_key() {
        let mut errors = Vec::new();
        let mut rules = empty();
        let text = r#"
min_confidence = 2.0
[[rule]]
id = "a"
role = "refund"
lang = "en"
weight = 1.0
patterns = ['ok', '(broken']
[[rule]]
id = "b"
role = "refund"
lang = "en"
weight = 1.0
patterns = ['x']
[[rule]]
id = "b"
role = "refund"
lang = "en"
weight = 1.0
patterns = ['y']
"#;
        add_file(&mut rules, Path::new("x.toml"), text, &mut errors);
        let lines: Vec<String> = errors.iter().map(|e| e.to_string()).collect();
        assert_eq!(lines.len(), 3, "{lines:?}");
        assert!(
            lines[0].starts_with("x.toml, key min_confidence: expected"),
            "{lines:?}"
        );
        assert!(
            lines[1].starts_with(
                "x.toml, key rule[0].patterns[1]: invalid regular expression \"(broken\""
            ),
            "{lines:?}"
        );
        assert!(
            lines[2].contains("rule[2].id: rule id \"b\" is used twice"),
            "{lines:?}"
        );
    }

    #[test]
    fn mailbox_matching_keys() {
        let mut errors = Vec::new();
        let mut own = vec!["support@v.example".to_string()];
        let refs = [
            r"(?i)account\s*#?(?P<id>A-\d+)".to_string(),
            r"no group".to_string(),
            r"(unclosed".to_string(),
        ];
        let forwarders = [
            " Billing@V.example ".to_string(),
            "not-an-address".to_string(),
        ];
        let rules = match_rules(
            Path::new("m.toml"),
            "mailbox[0]",
            (&refs, true, &forwarders),
            &mut own,
            &mut errors,
        );
        assert_eq!(rules.refs.len(), 1);
        assert!(rules.plus_addressing);
        assert_eq!(rules.forwarders, ["billing@v.example"]);
        assert_eq!(
            own,
            ["support@v.example", "billing@v.example"],
            "forwarders are ours"
        );
        let lines: Vec<String> = errors.iter().map(|e| e.to_string()).collect();
        assert_eq!(lines.len(), 3, "{lines:?}");
        assert!(
            lines[0].starts_with("m.toml, key mailbox[0].account_refs[1]: expected a named group")
        );
        assert!(
            lines[1]
                .starts_with("m.toml, key mailbox[0].account_refs[2]: invalid regular expression")
        );
        assert!(
            lines[2].starts_with("m.toml, key mailbox[0].forwarders[1]: expected an email address")
        );
    }

    #[test]
    fn vars_expand_and_defaults_follow_the_role() {
        let mut errors = Vec::new();
        let mut rules = empty();
        let text = r#"
[vars]
obj = '(?:order|card)'
[[rule]]
id = "o"
role = "other_object"
lang = "en"
weight = 1.0
patterns = ['cancel my {{obj}}']
[[rule]]
id = "n"
role = "negation"
lang = "en"
weight = 1.0
blocks = ["refund"]
patterns = ['no refund']
"#;
        add_file(&mut rules, Path::new("x.toml"), text, &mut errors);
        assert!(errors.is_empty(), "{errors:?}");
        let o = &rules.rules[0];
        assert!(o.patterns[0].is_match("Cancel my CARD"));
        assert_eq!(
            (o.scope, o.blocks_refund, o.blocks_cancellation),
            (Scope::Phrase, false, true)
        );
        let n = &rules.rules[1];
        assert_eq!(
            (n.scope, n.blocks_refund, n.blocks_cancellation),
            (Scope::Sentence, true, false)
        );
    }
}
