//! The reply language: which of the seven languages mailclerk writes in, and how it is read
//! from the customer's own new text. Pure: whatlang's statistical detector, no I/O.
//!
//! The customer's own words decide, never the quoted history below them (that is our own
//! earlier English reply more often than not). When the text is short, the detector unsure,
//! or the language one we do not write, the mailbox's default language answers: a reply in
//! the vendor's usual language is better than one in a guessed language.

use std::collections::BTreeMap;
use std::fmt;

use serde::Serialize;

mod trigrams;

/// A language replies can be written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    En,
    De,
    Es,
    Fr,
    Pt,
    It,
    Nl,
}

impl Lang {
    /// Every language, English first.
    pub const ALL: [Lang; 7] = [
        Lang::En,
        Lang::De,
        Lang::Es,
        Lang::Fr,
        Lang::Pt,
        Lang::It,
        Lang::Nl,
    ];

    /// The ISO 639-1 code, as in config files and template directories.
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::De => "de",
            Lang::Es => "es",
            Lang::Fr => "fr",
            Lang::Pt => "pt",
            Lang::It => "it",
            Lang::Nl => "nl",
        }
    }

    /// The language with this ISO 639-1 code (case-insensitive).
    pub fn from_code(code: &str) -> Option<Lang> {
        Lang::ALL
            .into_iter()
            .find(|l| l.code().eq_ignore_ascii_case(code.trim()))
    }

    /// The codes of every language, for error messages.
    pub fn codes() -> Vec<&'static str> {
        Lang::ALL.iter().map(|l| l.code()).collect()
    }

    fn from_whatlang(lang: whatlang::Lang) -> Option<Lang> {
        Some(match lang {
            whatlang::Lang::Eng => Lang::En,
            whatlang::Lang::Deu => Lang::De,
            whatlang::Lang::Spa => Lang::Es,
            whatlang::Lang::Fra => Lang::Fr,
            whatlang::Lang::Por => Lang::Pt,
            whatlang::Lang::Ita => Lang::It,
            whatlang::Lang::Nld => Lang::Nl,
            _ => return None,
        })
    }

    #[cfg(test)]
    fn to_whatlang(self) -> whatlang::Lang {
        match self {
            Lang::En => whatlang::Lang::Eng,
            Lang::De => whatlang::Lang::Deu,
            Lang::Es => whatlang::Lang::Spa,
            Lang::Fr => whatlang::Lang::Fra,
            Lang::Pt => whatlang::Lang::Por,
            Lang::It => whatlang::Lang::Ita,
            Lang::Nl => whatlang::Lang::Nld,
        }
    }
}

impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// Fewer letters than this (subject and text together) and the detector is not asked: about
/// eight words. Shorter English is where whatlang errs most: "Quick question Can you check my
/// account?" reads as French (0.46), "refund" as German.
pub const MIN_LETTERS: usize = 40;

/// Characters of the text read at most.
pub const MAX_SAMPLE_CHARS: usize = 2000;

/// The detector's confidence (among the seven languages) below which the default answers.
/// Tuned on the tables in this module's tests (written for them; the shared dev corpus has
/// no message in the six other languages): requests of a sentence or two score 0.62 to 1.0;
/// short English misread as French scores up to 0.57 (below `MIN_LETTERS` there), and one
/// plain English sentence only 0.42, so it gets the default.
pub const MIN_CONFIDENCE: f64 = 0.6;

/// Which languages a mailbox writes, and which one it falls back to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Languages {
    /// The languages replies may be written in; always contains `default`.
    pub enabled: Vec<Lang>,
    pub default: Lang,
}

impl Default for Languages {
    /// All seven languages, English by default.
    fn default() -> Languages {
        Languages {
            enabled: Lang::ALL.to_vec(),
            default: Lang::En,
        }
    }
}

/// How a mailbox speaks: its languages, and how its replies say they were automatic.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Voice {
    pub languages: Languages,
    pub disclosure: Disclosure,
}

/// The line every automatic reply carries (EU AI Act Art. 50): that it was prepared
/// automatically, and how to reach a person.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Disclosure {
    /// How to reach a person: an address or a short line. `None`: the mailbox address, or,
    /// for a policy used without a mailbox, the vendor's address.
    pub human_contact: Option<String>,
    /// Wording that replaces the template's disclosure line, per language.
    pub text: BTreeMap<Lang, String>,
}

/// A policy text a customer reads (a clause's quote, a note): the vendor's own words, and
/// their translations. In TOML a plain string, or a table with `original` and language codes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Text {
    pub original: String,
    pub translations: BTreeMap<Lang, String>,
}

impl<'de> serde::Deserialize<'de> for Text {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Text, D::Error> {
        let value = toml::Value::deserialize(d)?;
        quote_from_toml(value)
            .map(|(original, translations)| Text {
                original,
                translations,
            })
            .map_err(|e| {
                let key = e.key();
                serde::de::Error::custom(if key.is_empty() {
                    e.to_string()
                } else {
                    format!("{}: {e}", key.trim_start_matches('.'))
                })
            })
    }
}

/// A clause's `quote` that is not the vendor's words: what was expected, and where under
/// `quote` ([`QuoteError::key`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QuoteError {
    #[error(
        "expected the vendor's words as a string, or a table with `original` and translations; found a {found}"
    )]
    NotText { found: &'static str },
    #[error("expected a string")]
    NotString { key: String },
    #[error("expected `original` or a language code, one of {:?}", Lang::codes())]
    UnknownKey { key: String },
    #[error("missing: the vendor's own words go under `original`, translations beside it")]
    NoOriginal,
}

impl QuoteError {
    /// The sub-key the problem is at, such as `".de"`; empty for the quote itself.
    pub fn key(&self) -> String {
        match self {
            QuoteError::NotText { .. } => String::new(),
            QuoteError::NotString { key } | QuoteError::UnknownKey { key } => format!(".{key}"),
            QuoteError::NoOriginal => ".original".into(),
        }
    }
}

/// A clause's `quote`: the vendor's words as a string, or a table with the words under
/// `original` and translations under language codes.
///
/// # Errors
/// What was expected, and the sub-key (such as `".de"`) it is about.
pub fn quote_from_toml(value: toml::Value) -> Result<(String, BTreeMap<Lang, String>), QuoteError> {
    let table = match value {
        toml::Value::String(s) => return Ok((s, BTreeMap::new())),
        toml::Value::Table(t) => t,
        other => {
            return Err(QuoteError::NotText {
                found: other.type_str(),
            });
        }
    };
    let mut original = None;
    let mut translations = BTreeMap::new();
    for (key, value) in table {
        let toml::Value::String(text) = value else {
            return Err(QuoteError::NotString { key });
        };
        if key == "original" {
            original = Some(text);
        } else if let Some(lang) = Lang::from_code(&key) {
            translations.insert(lang, text);
        } else {
            return Err(QuoteError::UnknownKey { key });
        }
    }
    let original = original.ok_or(QuoteError::NoOriginal)?;
    Ok((original, translations))
}

/// How the reply language was chosen, for `check --json` and the logs.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(tag = "how", rename_all = "snake_case")]
pub enum Choice {
    /// The customer's text is in this enabled language.
    Detected { lang: Lang, confidence: f64 },
    /// The default language, and why.
    Default { lang: Lang, because: Fallback },
}

/// Why the default language answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Fallback {
    /// Too little text to tell.
    TooShort,
    /// The detector could not tell the languages apart well enough.
    Unsure,
    /// A language (or script) mailclerk does not write.
    Unsupported,
    /// A language the mailbox has turned off.
    NotEnabled,
}

impl Choice {
    /// The language the reply is written in.
    pub fn lang(&self) -> Lang {
        match *self {
            Choice::Detected { lang, .. } | Choice::Default { lang, .. } => lang,
        }
    }
}

/// What the detector reads in a customer's text: the language among the seven and the
/// detector's confidence, or why the mailbox's default must answer. Read once per message
/// (planning carries it, see `plan::Plan::language`): render and the metrics reuse it.
pub type Reading = Result<(Lang, f64), Fallback>;

/// whatlang's `Info::is_reliable` bound: an open reading this sure of a language we do not
/// write is not forced into the nearest of the seven.
const RELIABLE: f64 = 0.9;

/// What the text is written in, among the seven languages, or why that cannot be told.
pub fn detect(subject: &str, text: &str) -> Reading {
    // The opening of a long message says as much as the whole, at a bounded cost; a subject
    // longer than a reply's (200 characters) is cut as the reply's is.
    let subject: String = strip_reply_prefixes(subject).chars().take(200).collect();
    let opening: String = text.chars().take(MAX_SAMPLE_CHARS).collect();
    let sample = squeeze(&format!("{subject}\n{opening}"));
    if sample.chars().filter(|c| c.is_alphabetic()).count() < MIN_LETTERS {
        return Err(Fallback::TooShort);
    }
    // whatlang's scores of every language of the script, computed once (`trigrams`, which
    // gives whatlang's numbers at a fraction of its cost). A language's score does not depend
    // on which others are compared (whatlang scores each alone, then sorts), so the reading
    // among the seven is the first two of the seven in the same list: the same answer as
    // asking whatlang twice (open, then with the seven allowed).
    let script = whatlang::dev::raw_detect_script(&sample);
    let Some(&(script, letters)) = script.counters.first() else {
        return Err(Fallback::Unsure);
    };
    if letters == 0 {
        return Err(Fallback::Unsure);
    }
    // Cyrillic, Arabic or a reliably Polish text is not forced into the nearest of the seven.
    if script != whatlang::Script::Latin {
        return Err(Fallback::Unsupported);
    }
    let (scores, count) = trigrams::scores(&sample);
    let (open, open_confidence) = top(scores.iter().copied(), count).ok_or(Fallback::Unsure)?;
    if open_confidence > RELIABLE && Lang::from_whatlang(open).is_none() {
        return Err(Fallback::Unsupported);
    }
    let ours = scores
        .iter()
        .copied()
        .filter(|&(l, _)| Lang::from_whatlang(l).is_some());
    let (best, confidence) = top(ours, count).ok_or(Fallback::Unsure)?;
    let lang = Lang::from_whatlang(best).ok_or(Fallback::Unsupported)?;
    // Both readings must agree: English that the open reading calls Catalan is not French
    // because French is the nearest of the seven ("Question about exports / Hello, how can I
    // export my contacts…" scores 0.69 French among the seven).
    if confidence < MIN_CONFIDENCE || best != open {
        return Err(Fallback::Unsure);
    }
    Ok((lang, confidence))
}

/// The first language of scores sorted best first, and whatlang's confidence in it: how far
/// it leads the second, against what `count` trigrams can tell (whatlang's own formula).
fn top(
    mut scores: impl Iterator<Item = (whatlang::Lang, f64)>,
    count: usize,
) -> Option<(whatlang::Lang, f64)> {
    let (lang, first) = scores.next()?;
    let Some((_, second)) = scores.next() else {
        return Some((lang, 1.0));
    };
    let confidence = if first == 0.0 {
        0.0
    } else if second == 0.0 {
        first
    } else {
        let sure = 3.0 / count as f64 + 0.015;
        let rate = (first - second) / second;
        if rate > sure { 1.0 } else { rate / sure }
    };
    Some((lang, confidence))
}

/// The reply language for a message with this subject and own new text.
pub fn choose(languages: &Languages, subject: &str, text: &str) -> Choice {
    choose_read(languages, || detect(subject, text))
}

/// [`choose`], with the customer's text read by `read` (a reading made once per message), which
/// is asked only when more than one language is enabled.
pub fn choose_read(languages: &Languages, read: impl FnOnce() -> Reading) -> Choice {
    let fallback = |because| Choice::Default {
        lang: languages.default,
        because,
    };
    // One language enabled: nothing to detect.
    if languages.enabled.len() <= 1 {
        return fallback(Fallback::NotEnabled);
    }
    match read() {
        Ok((lang, confidence)) if languages.enabled.contains(&lang) => {
            Choice::Detected { lang, confidence }
        }
        Ok(_) => fallback(Fallback::NotEnabled),
        Err(because) => fallback(because),
    }
}

/// Runs of one character longer than two cut to two: no language writes "üüü", and a
/// subject of 5,000 encoded "ü" must not make a request German.
fn squeeze(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let (mut last, mut run) = (None, 0);
    for c in text.chars() {
        run = if Some(c) == last { run + 1 } else { 1 };
        last = Some(c);
        if run <= 2 {
            out.push(c);
        }
    }
    out
}

/// The subject without its `Re:`, `AW:`, `Fwd:`… prefixes, which are no evidence of the
/// writer's language (a German client writes "AW:" on an English thread).
fn strip_reply_prefixes(subject: &str) -> &str {
    let mut rest = subject.trim();
    loop {
        let Some((head, tail)) = rest.split_once(':') else {
            return rest;
        };
        let head = head.trim().to_ascii_lowercase();
        if [
            "re", "aw", "fw", "fwd", "wg", "sv", "tr", "rv", "r", "res", "enc",
        ]
        .contains(&head.as_str())
        {
            rest = tail.trim_start();
        } else {
            return rest;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Texts written for this table: requests as customers write them, greeting and all.
    const SENTENCES: &[(Lang, &str)] = &[
        (
            Lang::En,
            "Please cancel my subscription at the end of this month. I no longer need the service.",
        ),
        (
            Lang::En,
            "Hi, I was charged again yesterday although I wanted to stop. Could you refund that payment?",
        ),
        (
            Lang::De,
            "Guten Tag, bitte kündigen Sie mein Abonnement zum nächstmöglichen Zeitpunkt. Vielen Dank.",
        ),
        (
            Lang::De,
            "Ich habe gestern eine Abbuchung bemerkt und möchte das Geld zurück. Mit freundlichen Grüßen",
        ),
        (
            Lang::De,
            "Hallo, wir nutzen das Programm nicht mehr. Bitte beenden Sie den Vertrag und erstatten Sie den Betrag.",
        ),
        (
            Lang::Es,
            "Hola, quiero cancelar mi suscripción lo antes posible. Gracias.",
        ),
        (
            Lang::Es,
            "Buenos días, me han cobrado otra vez este mes y no uso el servicio. ¿Pueden devolverme el dinero?",
        ),
        (
            Lang::Es,
            "Por favor, den de baja mi cuenta y reembolsen el último pago.",
        ),
        (
            Lang::Fr,
            "Bonjour, je souhaite résilier mon abonnement dès que possible. Merci d'avance.",
        ),
        (
            Lang::Fr,
            "J'ai été débité une deuxième fois ce mois-ci alors que je n'utilise plus le logiciel. Pouvez-vous me rembourser ?",
        ),
        (
            Lang::Fr,
            "Merci d'annuler mon compte et de me rembourser le dernier paiement.",
        ),
        (
            Lang::Pt,
            "Olá, gostaria de cancelar a minha assinatura o mais rápido possível. Obrigado.",
        ),
        (
            Lang::Pt,
            "Bom dia, fui cobrado novamente este mês e não uso mais o serviço. Podem devolver o dinheiro?",
        ),
        (
            Lang::Pt,
            "Por favor, cancelem a minha conta e reembolsem o último pagamento.",
        ),
        (
            Lang::It,
            "Buongiorno, vorrei disdire il mio abbonamento il prima possibile. Grazie.",
        ),
        (
            Lang::It,
            "Mi è stato addebitato di nuovo l'importo questo mese, ma non uso più il servizio. Potete rimborsarmi?",
        ),
        (
            Lang::It,
            "Per favore annullate il mio account e rimborsate l'ultimo pagamento.",
        ),
        (
            Lang::Nl,
            "Goedendag, ik wil graag mijn abonnement zo snel mogelijk opzeggen. Bedankt.",
        ),
        (
            Lang::Nl,
            "Er is deze maand opnieuw geld afgeschreven, terwijl ik de dienst niet meer gebruik. Kunt u dat terugbetalen?",
        ),
        (
            Lang::Nl,
            "Wilt u mijn account opheffen en de laatste betaling terugstorten?",
        ),
    ];

    #[test]
    fn sentences_in_the_seven_languages_are_detected() {
        for (want, text) in SENTENCES {
            let got = detect("", text);
            assert!(
                matches!(got, Ok((lang, _)) if lang == *want),
                "{text:?}: expected {want}, got {got:?}"
            );
        }
    }

    #[test]
    fn short_ambiguous_or_foreign_texts_fall_back() {
        let cases: &[(&str, &str, Fallback)] = &[
            ("", "refund", Fallback::TooShort),
            ("Re: Re: refund", "Danke!", Fallback::TooShort),
            ("", "Stornieren bitte", Fallback::TooShort),
            ("", "ok, cancel pls thx", Fallback::TooShort),
            // English that whatlang reads as French (0.46, 0.57): too short to trust.
            (
                "Quick question",
                "Can you check my account?",
                Fallback::TooShort,
            ),
            ("Question about exports", "Please help.", Fallback::TooShort),
            // English read as French among the seven (0.69), as Catalan openly: they disagree.
            (
                "Question about exports",
                "Hello, how can I export my contacts to a spreadsheet file?",
                Fallback::Unsure,
            ),
            // A plain English sentence the detector is unsure of (0.42): the default answers.
            (
                "",
                "I would like a refund for my annual plan, it does not work for our team.",
                Fallback::Unsure,
            ),
            // A list of product names and numbers is no language.
            (
                "Invoice 2026-0042",
                "NotOut CRM Pro, account A-1042, plan XL",
                Fallback::TooShort,
            ),
            (
                "",
                "Пожалуйста, отмените мою подписку и верните деньги за последний месяц.",
                Fallback::Unsupported,
            ),
            (
                "",
                "Proszę o anulowanie mojej subskrypcji i zwrot pieniędzy za ostatni miesiąc, dziękuję bardzo.",
                Fallback::Unsupported,
            ),
        ];
        for (subject, text, want) in cases {
            assert_eq!(detect(subject, text), Err(*want), "{subject:?} / {text:?}");
        }
    }

    /// The English requests of the daemon and fault tests: never another language.
    #[test]
    fn short_english_requests_get_english_or_the_default() {
        let cases = [
            (
                "Refund please",
                "Hello, I would like a refund of my subscription.",
            ),
            ("Refund please", "Hello,\n\nI would like a refund please."),
            ("Cancel", "Please cancel my subscription."),
            (
                "Refund",
                "I was charged twice this month, please refund the second payment.",
            ),
            (
                "Cancellation",
                "Please cancel my account at the end of the billing period.",
            ),
            (
                "Question about exports",
                "Hello, how can I export my contacts to a spreadsheet file?",
            ),
        ];
        let bomb = format!("Refund please{}", "ü".repeat(5_000));
        let got = detect(&bomb, "Hello,\n\nI would like a refund please.\n\nAnn\n");
        assert!(
            matches!(got, Ok((Lang::En, _)) | Err(_)),
            "the ü bomb: {got:?}"
        );
        assert_eq!(squeeze("Schifffahrt üüüü  ok"), "Schiffahrt üü  ok");
        for (subject, text) in cases {
            let got = detect(subject, text);
            assert!(
                matches!(got, Ok((Lang::En, _)) | Err(_)),
                "{subject:?} / {text:?}: {got:?}"
            );
        }
    }

    /// The detection as it was, asking whatlang twice (open, then among the seven): the one
    /// pass must answer exactly as it did.
    fn two_passes(subject: &str, text: &str) -> Reading {
        let subject: String = strip_reply_prefixes(subject).chars().take(200).collect();
        let opening: String = text.chars().take(MAX_SAMPLE_CHARS).collect();
        let sample = squeeze(&format!("{subject}\n{opening}"));
        if sample.chars().filter(|c| c.is_alphabetic()).count() < MIN_LETTERS {
            return Err(Fallback::TooShort);
        }
        let open = whatlang::detect(&sample).ok_or(Fallback::Unsure)?;
        if open.script() != whatlang::Script::Latin {
            return Err(Fallback::Unsupported);
        }
        if open.is_reliable() && Lang::from_whatlang(open.lang()).is_none() {
            return Err(Fallback::Unsupported);
        }
        let allow = Lang::ALL.iter().map(|l| l.to_whatlang()).collect();
        let info = whatlang::Detector::with_allowlist(allow)
            .detect(&sample)
            .ok_or(Fallback::Unsure)?;
        let lang = Lang::from_whatlang(info.lang()).ok_or(Fallback::Unsupported)?;
        if info.confidence() < MIN_CONFIDENCE || info.lang() != open.lang() {
            return Err(Fallback::Unsure);
        }
        Ok((lang, info.confidence()))
    }

    /// Every text of this module's tables and every subject and body of the committed training
    /// data (1,700 messages in the seven languages), whole and cut short.
    #[test]
    fn one_pass_reads_as_the_two_passes_did() {
        let mut cases: Vec<(String, String)> = SENTENCES
            .iter()
            .map(|(_, t)| (String::new(), t.to_string()))
            .collect();
        for (subject, text) in [
            (
                "",
                "Пожалуйста, отмените мою подписку и верните деньги за последний месяц.",
            ),
            (
                "",
                "Proszę o anulowanie mojej subskrypcji i zwrot pieniędzy za ostatni miesiąc, dziękuję bardzo.",
            ),
            (
                "",
                "Si us plau, cancel·leu la meva subscripció i retorneu-me els diners del darrer mes.",
            ),
            (
                "",
                "Vänligen avsluta mitt abonnemang och betala tillbaka pengarna för förra månaden.",
            ),
            (
                "",
                "رجاءً ألغوا اشتراكي وأعيدوا لي المال عن الشهر الماضي، شكرًا جزيلًا لكم على المساعدة.",
            ),
            (
                "",
                "请取消我的订阅并退还上个月的费用，非常感谢你们的帮助和支持，祝一切顺利。谢谢。",
            ),
            (
                "Question about exports",
                "Hello, how can I export my contacts to a spreadsheet file?",
            ),
            (
                "",
                "I would like a refund for my annual plan, it does not work for our team.",
            ),
        ] {
            cases.push((subject.to_string(), text.to_string()));
        }
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("config/classifier/train");
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_none_or(|e| e != "jsonl") {
                continue;
            }
            for line in std::fs::read_to_string(&path).unwrap().lines() {
                let row: serde_json::Value = serde_json::from_str(line).unwrap();
                let field = |k: &str| row[k].as_str().unwrap_or_default().to_string();
                cases.push((field("subject"), field("body")));
            }
        }
        assert!(cases.len() > 1500, "{} cases", cases.len());
        // Every score of every language is whatlang's own, bit for bit.
        for (subject, text) in cases.iter().step_by(7) {
            let sample = format!("{subject}\n{text}");
            let whatlang::dev::RawInfo {
                lang_info: Some(whatlang::dev::RawLangInfo::MultiScript(raw)),
                ..
            } = whatlang::dev::raw_detect(&sample)
            else {
                continue;
            };
            let (scores, count) = trigrams::scores(&sample);
            assert_eq!(count, raw.trigram_raw_outcome.trigrams_count, "{sample:?}");
            let mut ours = scores.clone();
            let mut theirs = raw.scores.clone();
            ours.sort_by_key(|s| s.0 as usize);
            theirs.sort_by_key(|s| s.0 as usize);
            assert_eq!(ours, theirs, "{sample:?}");
            assert_eq!(scores[0].1, raw.scores[0].1, "{sample:?}");
        }
        let mut detected = 0;
        for (subject, text) in &cases {
            let short: String = text.chars().take(60).collect();
            for text in [text.as_str(), short.as_str()] {
                let want = two_passes(subject, text);
                assert_eq!(detect(subject, text), want, "{subject:?} / {text:?}");
                detected += usize::from(want.is_ok());
            }
        }
        assert!(detected > 1000, "{detected} detected");
    }

    #[test]
    fn the_subject_counts_but_not_its_reply_prefixes() {
        assert_eq!(strip_reply_prefixes("AW: Re: WG: Kündigung"), "Kündigung");
        assert_eq!(strip_reply_prefixes("Note: price"), "Note: price");
        let got = detect(
            "AW: Kündigung meines Abonnements zum Monatsende",
            "Vielen Dank im Voraus.",
        );
        assert!(matches!(got, Ok((Lang::De, _))), "{got:?}");
    }

    #[test]
    fn choice_respects_enabled_languages_and_default() {
        let german = "Guten Tag, bitte kündigen Sie mein Abonnement zum nächstmöglichen Zeitpunkt.";
        let all = Languages::default();
        assert_eq!(choose(&all, "", german).lang(), Lang::De);
        assert!(matches!(
            choose(&all, "", "Danke!"),
            Choice::Default {
                lang: Lang::En,
                because: Fallback::TooShort
            }
        ));
        let english_only = Languages {
            enabled: vec![Lang::En],
            default: Lang::En,
        };
        assert_eq!(choose(&english_only, "", german).lang(), Lang::En);
        let no_german = Languages {
            enabled: vec![Lang::Fr, Lang::En],
            default: Lang::Fr,
        };
        assert_eq!(
            choose(&no_german, "", german),
            Choice::Default {
                lang: Lang::Fr,
                because: Fallback::NotEnabled
            }
        );
    }

    #[test]
    fn quotes_are_a_string_or_a_table_of_translations() {
        let parse = |text: &str| {
            let v: toml::Table = toml::from_str(text).unwrap();
            quote_from_toml(v["quote"].clone())
        };
        assert_eq!(
            parse("quote = \"Words.\"").unwrap(),
            ("Words.".to_string(), BTreeMap::new())
        );
        let (original, tr) = parse("quote = { original = \"Words.\", de = \"Worte.\" }").unwrap();
        assert_eq!(original, "Words.");
        assert_eq!(tr[&Lang::De], "Worte.");
        assert_eq!(
            parse("quote = { de = \"Worte.\" }").unwrap_err().key(),
            ".original"
        );
        assert_eq!(
            parse("quote = { original = \"W\", pl = \"S\" }")
                .unwrap_err()
                .key(),
            ".pl"
        );
        assert_eq!(parse("quote = 3").unwrap_err().key(), "");
    }

    #[test]
    fn codes_round_trip() {
        for lang in Lang::ALL {
            assert_eq!(Lang::from_code(lang.code()), Some(lang));
        }
        assert_eq!(Lang::from_code(" DE "), Some(Lang::De));
        assert_eq!(Lang::from_code("pl"), None);
    }
}
