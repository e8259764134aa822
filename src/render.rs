//! Rendering: a decision becomes a reply. Pure; minijinja with strict undefined, so a missing
//! value fails the render instead of sending a blank amount.
//!
//! Nothing the customer wrote is ever template source: their name and subject arrive as
//! values, so `{{ }}` in a subject is printed, not evaluated. Headers are built from the bare
//! address and a subject with CR/LF removed (reliability-notes §2.4).

mod rehearse;

pub use rehearse::rehearse;

use std::collections::BTreeMap;

use jiff::Timestamp;
use minijinja::{Environment, UndefinedBehavior, context};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::accounts::Account;
use crate::language::{self, Choice, Lang};
use crate::localize::{self, clause_values, template_name};
use crate::parse::Inbound;
use crate::policy::schema::Policy;
use crate::policy::{Cancellation, Decision, DenyReason, Refund, Timing};

/// The reply templates, `<stem>.txt.j2` files from one directory, parsed once at start.
#[derive(Debug)]
pub struct Templates {
    env: Environment<'static>,
    stems: Vec<String>,
}

/// A reply ready to send: plain values, nothing from lettre.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reply {
    /// The vendor's name, and the mailbox's own address (the one the mail is submitted as,
    /// and the one a customer's answer must come back to; docs/policy.md "From").
    pub from_name: String,
    pub from: String,
    /// The bare address we answer; never the customer's display name.
    pub to: String,
    pub subject: String,
    /// Our Message-ID, derived from the inbound one, so the same answer always has the same id.
    pub message_id: String,
    pub in_reply_to: String,
    pub references: Vec<String>,
    /// The template stem used.
    pub template: String,
    pub body: String,
}

/// Why a reply could not be rendered; the message then goes to people.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("template {template}: {problem}")]
pub struct RenderError {
    pub template: String,
    pub problem: String,
}

impl Templates {
    /// Templates from `stem → source` pairs.
    ///
    /// # Errors
    /// The stem and the parse error of the first template that does not parse.
    pub fn from_sources(
        sources: BTreeMap<String, String>,
    ) -> Result<Templates, (String, minijinja::Error)> {
        let mut env = Templates::environment();
        let stems = sources.keys().cloned().collect();
        for (stem, source) in sources {
            env.add_template_owned(stem.clone(), source)
                .map_err(|e| (stem, e))?;
        }
        Ok(Templates { env, stems })
    }

    /// No templates: stands in while config errors are being collected.
    pub fn empty() -> Templates {
        Templates {
            env: Templates::environment(),
            stems: Vec::new(),
        }
    }

    fn environment() -> Environment<'static> {
        let mut env = Environment::new();
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        let syntax = minijinja::syntax::SyntaxConfig::builder()
            .keep_trailing_newline(true)
            .trim_blocks(true)
            .lstrip_blocks(true)
            .build()
            .expect("the default delimiters are valid");
        env.set_syntax(syntax);
        localize::register(&mut env);
        env
    }

    /// Whether a template with this name (`stem`, or `de/stem` for another language) was
    /// loaded.
    pub fn has(&self, name: &str) -> bool {
        self.stems.iter().any(|s| s == name)
    }

    /// The languages with at least one template: English for the top directory, the others
    /// for their subdirectories.
    pub fn languages(&self) -> Vec<Lang> {
        Lang::ALL
            .into_iter()
            .filter(|&l| match l {
                Lang::En => self.stems.iter().any(|s| !s.contains('/')),
                l => self
                    .stems
                    .iter()
                    .any(|s| s.starts_with(&format!("{}/", l.code()))),
            })
            .collect()
    }

    /// Whether the template `stem` exists in `lang`.
    pub fn has_in(&self, lang: Lang, stem: &str) -> bool {
        self.has(&template_name(lang, stem))
    }
}

/// The language a reply to `mail` is written in: the customer's, when it can be told from
/// their own new text and the mailbox writes it; else the mailbox's default.
pub fn reply_language(policy: &Policy, mail: &Inbound) -> Choice {
    language::choose(&policy.voice.languages, &mail.subject, &mail.text)
}

/// The outcome name of a decision, which picks its template (policy `[replies]`).
pub fn outcome(decision: &Decision) -> &'static str {
    match (&decision.refund, &decision.cancellation) {
        (Some(_), Some(_)) => "refund_and_cancel",
        (Some(Refund::Granted { .. }), None) => "refund_granted",
        (Some(Refund::Denied { .. }), None) => "refund_denied",
        (Some(Refund::NotApplicable { .. }), None) => "refund_not_applicable",
        (Some(Refund::PendingContact { .. }), None) => "refund_pending_contact",
        (None, Some(c)) if c.timing == Timing::LateNotice => "cancel_late_notice",
        (None, _) => "cancel_confirmed",
    }
}

/// Renders the answer to `mail` for `account` under `policy`, sent from the mailbox address
/// `from`.
///
/// Every date and amount the template can print comes from `decision` (`request.received_*`,
/// `refund.*`, `cancellation.*`, `earlier.*`): the context holds no other date or amount, and
/// strict undefined makes a template that names anything else fail `config check`.
///
/// # Errors
/// A missing template or value: nothing is sent and the message goes to people.
pub fn render(
    templates: &Templates,
    policy: &Policy,
    decision: &Decision,
    mail: &Inbound,
    account: &Account,
    from: &str,
) -> Result<Reply, RenderError> {
    let lang = reply_language(policy, mail).lang();
    render_in(templates, policy, decision, mail, account, from, lang)
}

/// [`render`] in `lang`, the reply language chosen once for the message (see
/// [`crate::plan::plan`]).
///
/// # Errors
/// As [`render`].
pub fn render_in(
    templates: &Templates,
    policy: &Policy,
    decision: &Decision,
    mail: &Inbound,
    account: &Account,
    from: &str,
    lang: Lang,
) -> Result<Reply, RenderError> {
    let stem = &policy.replies[outcome(decision)];
    let ctx = context! {
        lang => lang.code(),
        vendor => vendor_values(policy),
        disclosure => localize::disclosure_values(policy, lang),
        customer => context! { name => account.name.clone(), email => mail.from.email.clone(), account_id => account.id.clone(), plan => account.plan.as_str() },
        request => decided_request_values(decision, mail),
        refund => decision.refund.as_ref().map(|r| refund_values(policy, r, lang)),
        cancellation => decision.cancellation.as_ref().map(|c| cancellation_values(policy, c, lang)),
        earlier => decision.repeats_zoned().map(|z| context! { received_on => z.date().to_string(), received_at => received_at(&z) }),
    };
    finish(
        templates,
        policy,
        mail,
        &template_name(lang, stem),
        ctx,
        from,
    )
}

/// Renders the acknowledgement sent when a message goes to people: it names when a person
/// will answer (the policy's next opening time, seen from `now`).
///
/// # Errors
/// As [`render`].
pub fn render_ack(
    templates: &Templates,
    policy: &Policy,
    mail: &Inbound,
    now: Timestamp,
    from: &str,
) -> Result<Reply, RenderError> {
    let lang = reply_language(policy, mail).lang();
    render_ack_in(templates, policy, mail, now, from, lang)
}

/// [`render_ack`] in `lang`.
///
/// # Errors
/// As [`render`].
pub fn render_ack_in(
    templates: &Templates,
    policy: &Policy,
    mail: &Inbound,
    now: Timestamp,
    from: &str,
    lang: Lang,
) -> Result<Reply, RenderError> {
    let name = template_name(lang, &policy.replies["ack_human"]);
    let (open_now, when) = localize::opening_values(policy.calendar.next_opening(now), lang)
        .map_err(|e| RenderError {
            template: name.clone(),
            problem: e.to_string(),
        })?;
    let ctx = context! {
        lang => lang.code(),
        vendor => vendor_values(policy),
        disclosure => localize::disclosure_values(policy, lang),
        request => request_values(policy, mail),
        opening => context! { open_now, when, time_zone => policy.calendar.zone_name.clone() },
    };
    finish(templates, policy, mail, &name, ctx, from)
}

/// The stem of the template that asks an account's owner to confirm an unverified request
/// (`unverified = "confirm"`).
pub const CONFIRM_TEMPLATE: &str = "confirm_sender";

/// Renders the question sent to `account`'s registered address `to` about the unverified
/// request `mail`: a new message (not a reply: the request may not be the owner's), whose
/// Message-ID and subject carry `token`.
///
/// # Errors
/// A missing template or value: the request then simply goes to people.
pub fn render_confirm(
    templates: &Templates,
    policy: &Policy,
    mail: &Inbound,
    account: &Account,
    to: &str,
    token: &str,
    from: &str,
) -> Result<Reply, RenderError> {
    let lang = reply_language(policy, mail).lang();
    render_confirm_in(templates, policy, mail, account, (to, token, from), lang)
}

/// [`render_confirm`] in `lang`.
///
/// # Errors
/// As [`render_confirm`].
pub fn render_confirm_in(
    templates: &Templates,
    policy: &Policy,
    mail: &Inbound,
    account: &Account,
    (to, token, from): (&str, &str, &str),
    lang: Lang,
) -> Result<Reply, RenderError> {
    let name = template_name(lang, CONFIRM_TEMPLATE);
    let fail = |problem: String| RenderError {
        template: name.clone(),
        problem,
    };
    let ctx = context! {
        lang => lang.code(),
        vendor => vendor_values(policy),
        disclosure => localize::disclosure_values(policy, lang),
        customer => context! { name => account.name.clone(), account_id => account.id.clone() },
        request => request_values(policy, mail),
        confirm => context! { valid_days => crate::confirm::VALID_DAYS },
    };
    let body = templates
        .env
        .get_template(&name)
        .and_then(|t| t.render(&ctx))
        .map_err(|e| fail(e.to_string()))?;
    // The question's subject in the reply language, when the set has one; the token that
    // recognises the answer stays the same in every language.
    let subject_name = template_name(lang, CONFIRM_SUBJECT_TEMPLATE);
    let subject = match templates.env.get_template(&subject_name) {
        Ok(t) => {
            let text = t.render(&ctx).map_err(|e| RenderError {
                template: subject_name.clone(),
                problem: e.to_string(),
            })?;
            format!("{} [confirm:{token}]", one_line(&text))
        }
        Err(_) => crate::confirm::subject(token),
    };
    Ok(Reply {
        from_name: one_line(&policy.vendor.name),
        from: from.to_string(),
        to: to.to_string(),
        subject,
        message_id: crate::confirm::message_id(token, from),
        in_reply_to: String::new(),
        references: Vec::new(),
        template: name,
        body,
    })
}

/// The stem of the one-line subject of the confirmation question, per language (optional:
/// without it the English subject is used).
pub const CONFIRM_SUBJECT_TEMPLATE: &str = "confirm_subject";

fn finish(
    templates: &Templates,
    policy: &Policy,
    mail: &Inbound,
    stem: &str,
    ctx: minijinja::Value,
    from: &str,
) -> Result<Reply, RenderError> {
    let fail = |problem: String| RenderError {
        template: stem.to_string(),
        problem,
    };
    let template = templates
        .env
        .get_template(stem)
        .map_err(|e| fail(e.to_string()))?;
    let body = template.render(ctx).map_err(|e| fail(e.to_string()))?;
    let mut references = mail.references.clone();
    if !references.contains(&mail.message_id) {
        references.push(mail.message_id.clone());
    }
    Ok(Reply {
        from_name: one_line(&policy.vendor.name),
        from: from.to_string(),
        // The From address, which matched the account: RFC 3834 §4 asks service responders
        // not to follow Reply-To, and an answer about an account goes to its owner.
        to: mail.from.email.clone(),
        subject: reply_subject(&mail.subject),
        message_id: reply_message_id(&mail.message_id, from),
        in_reply_to: mail.message_id.clone(),
        references,
        template: stem.to_string(),
        body,
    })
}

/// The request as a decision saw it: its receipt date and time come from the decision.
fn decided_request_values(decision: &Decision, mail: &Inbound) -> minijinja::Value {
    context! {
        subject => one_line(&mail.subject),
        received_on => decision.received.date().to_string(),
        received_at => received_at(&decision.received),
        message_id => mail.message_id.clone(),
    }
}

/// A receipt time as a reply states it: `2026-11-05 14:22 (America/New_York)`.
fn received_at(z: &jiff::Zoned) -> String {
    format!(
        "{} ({})",
        z.strftime("%Y-%m-%d %H:%M"),
        z.time_zone().iana_name().unwrap_or("UTC")
    )
}

/// The request, for the acknowledgement and the confirmation question, which state no
/// decision.
fn request_values(policy: &Policy, mail: &Inbound) -> minijinja::Value {
    context! {
        subject => one_line(&mail.subject),
        received_on => policy.calendar.local_date(mail.received).to_string(),
        message_id => mail.message_id.clone(),
    }
}

fn vendor_values(policy: &Policy) -> minijinja::Value {
    let v = &policy.vendor;
    context! {
        name => v.name.clone(),
        email => v.email.clone(),
        phone => v.phone.clone(),
        website => v.website.clone(),
        signature => v.signature.clone(),
    }
}

fn refund_values(policy: &Policy, r: &Refund, lang: Lang) -> minijinja::Value {
    let (amount, value, currency) = match r {
        Refund::Granted { amount, .. } => (
            Some(format!("{amount} {}", amount.currency())),
            Some(amount.to_string()),
            Some(amount.currency().code()),
        ),
        _ => (None, None, None),
    };
    let window_closed_on = match r {
        Refund::Denied {
            why: DenyReason::WindowClosed { last_day },
            ..
        } => Some(last_day.to_string()),
        _ => None,
    };
    context! {
        kind => r.kind(),
        amount,
        amount_value => value,
        currency,
        window_closed_on,
        window_end => r.window_end().map(|d| d.to_string()),
        clause => clause_values(policy, r.clause(), lang),
        note => r.note().map(|n| localize::note(policy, n, lang)),
    }
}

fn cancellation_values(policy: &Policy, c: &Cancellation, lang: Lang) -> minijinja::Value {
    let timing = match c.timing {
        Timing::AtOnce => "at_once",
        Timing::EndOfPeriod => "end_of_period",
        Timing::LateNotice => "late_notice",
    };
    context! {
        effective => c.effective.to_string(),
        last_day => c.last_day().to_string(),
        timing,
        charge_to_come => c.charge_to_come.map(|ch| context! { on => ch.on.to_string(), amount => format!("{} {}", ch.amount, ch.amount.currency()) }),
        charges_before_end => c.charges_before_end,
        late_for => c.late_for.map(|d| d.to_string()),
        notice_deadline => c.notice_deadline.map(|d| d.to_string()),
        account_state => c.account_state.as_str(),
        clause => clause_values(policy, &c.clause, lang),
        note => c.note.as_deref().map(|n| localize::note(policy, n, lang)),
    }
}

/// `Re: <subject>` on one line, without stacking `Re:` prefixes, at most 200 characters.
pub fn reply_subject(subject: &str) -> String {
    let s = one_line(subject);
    let mut rest = s.as_str();
    while let Some(r) = rest
        .get(..3)
        .filter(|p| p.eq_ignore_ascii_case("re:"))
        .map(|_| rest[3..].trim_start())
    {
        rest = r;
    }
    let rest: String = rest.chars().take(200).collect();
    if rest.is_empty() {
        "Re: your message".into()
    } else {
        format!("Re: {rest}")
    }
}

/// A Message-ID for our answer to `inbound_id`: the same input always gives the same id, so a
/// resent answer can be recognised downstream and in the Sent folder.
pub fn reply_message_id(inbound_id: &str, vendor_email: &str) -> String {
    let domain = vendor_email
        .rsplit_once('@')
        .map(|(_, d)| d)
        .unwrap_or("mailclerk.invalid");
    let hash = Sha256::digest(inbound_id.as_bytes());
    let hex: String = hash.iter().take(16).map(|b| format!("{b:02x}")).collect();
    format!("mailclerk.{hex}@{domain}")
}

/// Control characters (CR/LF included) become spaces, and runs of whitespace collapse.
fn one_line(text: &str) -> String {
    text.split(|c: char| c.is_whitespace() || c.is_control())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}
