//! A mailbox's reply languages and its automatic-reply disclosure (`languages`,
//! `default_language`, `[mailbox.disclosure]`).

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

use super::ConfigError;
use crate::language::{Disclosure, Lang, Languages, Voice};

/// The mailbox keys, as written.
#[derive(Debug, Default)]
pub struct RawVoice {
    pub languages: Option<Vec<String>>,
    pub default_language: Option<String>,
    pub disclosure: Option<RawDisclosure>,
}

/// `[mailbox.disclosure]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawDisclosure {
    /// How to reach a person; default: the mailbox address.
    #[serde(default)]
    human_contact: Option<String>,
    /// Language code → the whole disclosure line in that language.
    #[serde(default)]
    text: BTreeMap<String, String>,
}

impl RawVoice {
    /// The validated settings; mistakes are added to `errors`, naming `file` and `key`.
    /// Without `languages`, the mailbox writes every language the templates directory has a
    /// set for (`template_langs`), so an English-only directory keeps working as before.
    pub fn resolve(
        self,
        file: &Path,
        key: &str,
        address: &str,
        template_langs: &[Lang],
        errors: &mut Vec<ConfigError>,
    ) -> Voice {
        let mut err = |k: String, problem: String| errors.push(ConfigError::new(file, k, problem));
        let expected = format!("expected one of {:?}", Lang::codes());
        let enabled = match self.languages {
            None if template_langs.is_empty() => vec![Lang::En],
            None => template_langs.to_vec(),
            Some(codes) => {
                let mut enabled = Vec::new();
                for (i, code) in codes.iter().enumerate() {
                    match Lang::from_code(code) {
                        Some(l) if !enabled.contains(&l) => enabled.push(l),
                        Some(_) => {}
                        None => err(
                            format!("{key}.languages[{i}]"),
                            format!("unknown language {code:?}; {expected}"),
                        ),
                    }
                }
                if codes.is_empty() {
                    err(
                        format!("{key}.languages"),
                        format!("expected at least one language; {expected}"),
                    );
                }
                enabled
            }
        };
        let default = match self.default_language.as_deref() {
            None => {
                // Without a default, English when enabled, else the first language listed.
                if enabled.contains(&Lang::En) {
                    Lang::En
                } else {
                    enabled.first().copied().unwrap_or(Lang::En)
                }
            }
            Some(code) => Lang::from_code(code).unwrap_or_else(|| {
                err(
                    format!("{key}.default_language"),
                    format!("unknown language {code:?}; {expected}"),
                );
                Lang::En
            }),
        };
        if !enabled.is_empty() && !enabled.contains(&default) {
            err(
                format!("{key}.default_language"),
                format!(
                    "{:?} is not among languages = {:?}; add it there or choose one of them",
                    default.code(),
                    enabled.iter().map(|l| l.code()).collect::<Vec<_>>()
                ),
            );
        }
        let mut disclosure = Disclosure {
            human_contact: Some(address.to_string()),
            text: BTreeMap::new(),
        };
        if let Some(raw) = self.disclosure {
            if let Some(contact) = raw.human_contact {
                if contact.trim().is_empty() || contact.contains(['\r', '\n']) {
                    err(
                        format!("{key}.disclosure.human_contact"),
                        "expected an address or one line saying how to reach a person".into(),
                    );
                }
                disclosure.human_contact = Some(contact.trim().to_string());
            }
            for (code, text) in raw.text {
                match Lang::from_code(&code) {
                    Some(lang) if !text.trim().is_empty() => {
                        disclosure.text.insert(lang, text.trim().to_string());
                    }
                    Some(_) => err(
                        format!("{key}.disclosure.text.{code}"),
                        "expected the disclosure line, found an empty string".into(),
                    ),
                    None => err(
                        format!("{key}.disclosure.text.{code}"),
                        format!("unknown language {code:?}; {expected}"),
                    ),
                }
            }
        }
        Voice {
            languages: Languages { enabled, default },
            disclosure,
        }
    }
}

/// Every template a mailbox needs, in every language it enables: the outcomes of its policy,
/// and the confirmation question with `unverified = "confirm"`.
pub fn missing_templates(
    dir: &Path,
    templates: &crate::render::Templates,
    m: &super::Mailbox,
    errors: &mut Vec<ConfigError>,
) {
    for &lang in &m.policy.voice.languages.enabled {
        let confirm = m
            .sender_rule
            .confirm
            .then_some(("confirm", crate::render::CONFIRM_TEMPLATE));
        let outcomes = m
            .policy
            .replies
            .iter()
            .map(|(o, s)| (o.as_str(), s.as_str()));
        for (outcome, stem) in outcomes.chain(confirm) {
            if templates.has_in(lang, stem) {
                continue;
            }
            let name = crate::localize::template_name(lang, stem);
            let what = if outcome == "confirm" {
                format!("mailbox {:?} has unverified = \"confirm\"", m.name)
            } else {
                format!("outcome {outcome:?} of policy {:?}", m.policy.id)
            };
            let hint = if lang == Lang::En {
                String::new()
            } else {
                format!(
                    "; add the file or leave {:?} out of the mailbox's languages",
                    lang.code()
                )
            };
            errors.push(ConfigError::new(
                dir,
                format!("{name}.txt.j2"),
                format!(
                    "missing template for {what} in language {}{hint}",
                    lang.code()
                ),
            ));
        }
    }
}
