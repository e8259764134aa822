//! The reply language in rendering: which template file a language uses, the template
//! filters that write dates and money as that language does, and the values that depend on
//! the language (clause translations, the disclosure line, opening times). Pure.
//!
//! English templates are the set at the top of the templates directory; every other
//! language has a directory of its own (`templates/de/refund_granted.txt.j2`). Inside a
//! language's set, `{% include "signature" %}` means that language's signature.

use jiff::civil;
use minijinja::{Environment, Error, ErrorKind, State, Value, context};

use crate::language::Lang;
use crate::locale;
use crate::policy::Clause;
use crate::policy::calendar::Opening;
use crate::policy::schema::Policy;

/// The template name (and path under the templates directory, without `.txt.j2`) of `stem`
/// in `lang`.
pub fn template_name(lang: Lang, stem: &str) -> String {
    match lang {
        Lang::En => stem.to_string(),
        other => format!("{}/{stem}", other.code()),
    }
}

/// Adds the filters and the include rule to a template environment.
///
/// * `{{ cancellation.effective | date }}`: "30. Juni 2026"
/// * `{{ request.received_at | datetime }}`: "30. Juni 2026 um 14:05"
/// * `{{ request.received_at | zone }}`: "America/New_York"
/// * `{{ refund.amount | money }}`: "49,00 USD"
///
/// Each writes in the reply's language (the `lang` value every render sets).
pub fn register(env: &mut Environment<'static>) {
    env.add_filter("date", date_filter);
    env.add_filter("datetime", datetime_filter);
    env.add_filter("money", money_filter);
    env.add_filter("zone", zone_filter);
    env.set_path_join_callback(|name, parent| match parent.split_once('/') {
        Some((dir, _)) if !name.contains('/') => format!("{dir}/{name}").into(),
        _ => name.into(),
    });
}

fn lang_of(state: &State) -> Result<Lang, Error> {
    state
        .lookup("lang")
        .and_then(|v| v.as_str().and_then(Lang::from_code))
        .ok_or_else(|| Error::new(ErrorKind::UndefinedError, "no reply language (`lang`) set"))
}

fn invalid(problem: String) -> Error {
    Error::new(ErrorKind::InvalidOperation, problem)
}

fn date_filter(state: &State, value: &str) -> Result<String, Error> {
    let d: civil::Date = value.parse().map_err(|_| {
        invalid(format!(
            "date: expected a date such as 2026-06-30, found {value:?}"
        ))
    })?;
    locale::date(lang_of(state)?, d).map_err(|e| invalid(e.to_string()))
}

/// A receipt time as the decision writes it, `2026-06-30 14:05 (Europe/Berlin)`, or a plain
/// civil date and time (`2026-06-30T14:05:00`): the local date and time, and the zone if named.
fn split_datetime(value: &str) -> Result<(civil::DateTime, Option<&str>), Error> {
    let bad = || {
        invalid(format!(
            "datetime: expected a date and time such as \"2026-06-30 14:05 (Europe/Berlin)\", found {value:?}"
        ))
    };
    let (local, zone) = match value.trim().split_once(" (") {
        Some((local, rest)) => (local, Some(rest.strip_suffix(')').ok_or_else(bad)?)),
        None => (value.trim(), None),
    };
    let dt = civil::DateTime::strptime("%Y-%m-%d %H:%M", local)
        .or_else(|_| local.parse())
        .map_err(|_| bad())?;
    Ok((dt, zone))
}

fn datetime_filter(state: &State, value: &str) -> Result<String, Error> {
    let (dt, _) = split_datetime(value)?;
    locale::date_time(lang_of(state)?, dt).map_err(|e| invalid(e.to_string()))
}

/// The time zone named in a receipt time (`Europe/Berlin`).
fn zone_filter(value: &str) -> Result<String, Error> {
    match split_datetime(value)? {
        (_, Some(zone)) => Ok(zone.to_string()),
        (_, None) => Err(invalid(format!("zone: no time zone in {value:?}"))),
    }
}

fn money_filter(state: &State, value: &str) -> Result<String, Error> {
    let amount = locale::parse_amount(value).map_err(|e| invalid(format!("money: {e}")))?;
    locale::money(lang_of(state)?, amount).map_err(|e| invalid(e.to_string()))
}

/// A clause for a template: the vendor's words (`quote`, the authority), and their
/// translation into the reply language where the policy gives one (`translation`).
pub fn clause_values(policy: &Policy, c: &Clause, lang: Lang) -> Value {
    let translation = policy
        .quote_translations
        .get(&c.id)
        .and_then(|t| t.get(&lang))
        .cloned();
    context! { id => c.id.clone(), title => c.title.clone(), quote => c.quote.clone(), translation }
}

/// A vendor's note in the reply language when the policy translates it, else as written.
/// Unlike a clause, a note is not quoted as authority, so the translation replaces it.
pub fn note(policy: &Policy, original: &str, lang: Lang) -> String {
    policy
        .note_translations
        .get(original)
        .and_then(|t| t.get(&lang))
        .cloned()
        .unwrap_or_else(|| original.to_string())
}

/// The disclosure line's values: `text` (the mailbox's own wording in this language, if it
/// has one) and `contact` (how to reach a person).
pub fn disclosure_values(policy: &Policy, lang: Lang) -> Value {
    let d = &policy.voice.disclosure;
    let contact = d
        .human_contact
        .clone()
        .unwrap_or_else(|| policy.vendor.email.clone());
    context! { text => d.text.get(&lang).cloned(), contact }
}

/// For an acknowledgement: whether the team is working now, and until when or from when,
/// in the reply language. English keeps its long-standing wording ("Monday 2 March 2026,
/// 09:00").
///
/// # Errors
/// A time ICU4X cannot write.
pub fn opening_values(
    opening: Option<Opening>,
    lang: Lang,
) -> Result<(bool, Option<String>), locale::LocaleError> {
    Ok(match (opening, lang) {
        (Some(Opening::OpenNow { until }), Lang::En) => {
            (true, Some(until.strftime("%H:%M").to_string()))
        }
        (Some(Opening::Next(at)), Lang::En) => {
            (false, Some(at.strftime("%A %-d %B %Y, %H:%M").to_string()))
        }
        (Some(Opening::OpenNow { until }), lang) => (true, Some(locale::time(lang, until.time())?)),
        (Some(Opening::Next(at)), lang) => {
            (false, Some(locale::weekday_date_time(lang, at.datetime())?))
        }
        (None, _) => (false, None),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_per_language() {
        assert_eq!(template_name(Lang::En, "refund_granted"), "refund_granted");
        assert_eq!(
            template_name(Lang::De, "refund_granted"),
            "de/refund_granted"
        );
    }

    #[test]
    fn filters_write_in_the_reply_language_and_includes_stay_in_it() {
        let mut env = Environment::new();
        register(&mut env);
        env.add_template("signature", "EN").unwrap();
        env.add_template("de/signature", "DE").unwrap();
        env.add_template(
            "de/t",
            "{{ d | date }} / {{ t | datetime }} / {{ z | datetime }} ({{ z | zone }}) / {{ m | money }} / {% include \"signature\" %}",
        )
        .unwrap();
        let out = env
            .get_template("de/t")
            .unwrap()
            .render(context! { lang => "de", d => "2026-06-30", t => "2026-06-30T14:05:00", z => "2026-11-14 22:40 (America/New_York)", m => "49.00 USD" })
            .unwrap();
        assert_eq!(
            out,
            "30. Juni 2026 / 30. Juni 2026 um 14:05 / 14. November 2026 um 22:40 (America/New_York) / 49,00\u{a0}USD / DE"
        );
        let bad = env.get_template("de/t").unwrap().render(
            context! { lang => "de", d => "30.06.2026", t => "x", z => "x", m => "49.00 USD" },
        );
        assert!(bad.unwrap_err().to_string().contains("2026-06-30"));
    }
}
