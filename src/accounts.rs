//! Customer accounts and matching a message to one. Pure: the rows come from the store.
//!
//! Matching uses the sender's address (case-insensitively; `name+tag@` also as `name@` where
//! the mailbox allows plus-addressing) and the account references the customer wrote
//! ("account #A-10293", "workspace acme-team"), found by the mailbox's configured patterns.
//! Anything short of one account that the address and every reference agree on goes to
//! people, with the evidence.

use jiff::civil::Date;
use regex::Regex;

pub use crate::customer::normalize_address;
use crate::money::{Currency, Money};
use crate::parse::Inbound;

/// How an account is billed. A period is one month or one year (policy-spec "anniversary").
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Deserialize, serde::Serialize,
)]
#[serde(rename_all = "snake_case")]
pub enum PlanKind {
    Monthly,
    Annual,
}

impl PlanKind {
    /// Parses `monthly` or `annual` (also `yearly`), case-insensitively.
    pub fn parse(text: &str) -> Option<PlanKind> {
        match text.trim().to_ascii_lowercase().as_str() {
            "monthly" => Some(PlanKind::Monthly),
            "annual" | "yearly" => Some(PlanKind::Annual),
            _ => None,
        }
    }

    /// The lower-case name used in CSV files, policies and replies.
    pub fn as_str(&self) -> &'static str {
        match self {
            PlanKind::Monthly => "monthly",
            PlanKind::Annual => "annual",
        }
    }
}

/// What the vendor's billing knows about one customer account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    pub id: String,
    pub name: String,
    /// Lower-cased addresses that belong to this account.
    pub emails: Vec<String>,
    pub plan: PlanKind,
    pub signed_up_on: Date,
    /// `None` while the account has never paid: it is in trial (policy-spec "free trial").
    pub paid: Option<Payments>,
    pub currency: Currency,
}

/// The payment facts the policies need: the first charge and the latest one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Payments {
    pub first_paid_on: Date,
    pub first_payment: Money,
    pub last_payment: Money,
}

/// The outcome of looking a sender up among the accounts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AccountMatch {
    One(Account),
    None,
    /// Several accounts list the address: a person must pick, we never guess.
    Many(Vec<String>),
    /// The address and the accounts the text refers to disagree: a person must look.
    Mismatch(Mismatch),
}

/// Why the address and the references disagree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mismatch {
    /// Accounts that list the sender's address (sorted ids; empty: none does).
    pub by_address: Vec<String>,
    /// Accounts the references name (sorted ids; empty: no account has them).
    pub referenced: Vec<String>,
    /// The references as written ("account #A-10293").
    pub phrases: Vec<String>,
}

impl std::fmt::Display for Mismatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let ids = |v: &[String]| match v {
            [] => "no account".to_string(),
            v => v.join(", "),
        };
        write!(
            f,
            "the sender's address belongs to {} but the message names {} ({})",
            ids(&self.by_address),
            ids(&self.referenced),
            self.phrases
                .iter()
                .map(|p| format!("{p:?}"))
                .collect::<Vec<_>>()
                .join(", ")
        )
    }
}

/// How one mailbox matches messages to accounts.
#[derive(Debug, Clone, Default)]
pub struct MatchRules {
    /// Patterns that find account references in the subject and text. Each has a named
    /// group `id` (an account id) or `name` (an account or workspace name).
    pub refs: Vec<Regex>,
    /// `name+tag@example.com` also matches an account listing `name@example.com`.
    pub plus_addressing: bool,
    /// Vendor addresses whose forwarded messages are read as the forwarded customer's own
    /// (lower-cased). A forward from anyone else goes to people.
    pub forwarders: Vec<String>,
}

/// An account reference found in a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reference {
    /// An account id, as written.
    Id { id: String, phrase: String },
    /// An account or workspace name, as written.
    Name { name: String, phrase: String },
}

impl Reference {
    /// What the reference points at, for telling repeats apart: kind and lower-cased value.
    fn target(&self) -> (bool, String) {
        match self {
            Reference::Id { id, .. } => (true, id.to_lowercase()),
            Reference::Name { name, .. } => (false, name.to_lowercase()),
        }
    }

    /// The words the reference was found in.
    pub fn phrase(&self) -> &str {
        match self {
            Reference::Id { phrase, .. } | Reference::Name { phrase, .. } => phrase,
        }
    }
}

/// What the store must be asked for one message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lookups {
    /// The sender's address, normalised.
    pub address: String,
    /// The address without its `+tag`, when plus-addressing is allowed and there is a tag.
    pub base_address: Option<String>,
    pub references: Vec<Reference>,
}

/// The store's answers to [`Lookups`].
#[derive(Debug, Clone, Default)]
pub struct Found {
    /// Accounts listing the exact address.
    pub by_address: Vec<Account>,
    /// Accounts listing the base address (empty without plus-addressing).
    pub by_base_address: Vec<Account>,
    /// For each reference, in order, the accounts it names.
    pub referenced: Vec<Vec<Account>>,
}

/// The sender's address without a `+tag` (`ann+billing@x.example` is `ann@x.example`).
pub fn base_address(address: &str) -> Option<String> {
    let (local, domain) = address.rsplit_once('@')?;
    let (base, _tag) = local.split_once('+')?;
    (!base.is_empty()).then(|| format!("{base}@{domain}"))
}

/// What to look up for `sender`, with the references found in `subject` and `text`.
pub fn lookups(sender: &str, subject: &str, text: &str, rules: &MatchRules) -> Lookups {
    let address = normalize_address(sender);
    let base_address = rules
        .plus_addressing
        .then(|| base_address(&address))
        .flatten();
    let mut references: Vec<Reference> = Vec::new();
    for haystack in [subject, text] {
        for pattern in &rules.refs {
            for caps in pattern.captures_iter(haystack) {
                let phrase = caps.get(0).map_or("", |m| m.as_str()).trim().to_string();
                let found = if let Some(id) = caps.name("id") {
                    Reference::Id {
                        id: id.as_str().trim().to_string(),
                        phrase,
                    }
                } else if let Some(name) = caps.name("name") {
                    Reference::Name {
                        name: name.as_str().trim().to_string(),
                        phrase,
                    }
                } else {
                    continue;
                };
                if !references.iter().any(|r| r.target() == found.target()) {
                    references.push(found);
                }
            }
        }
    }
    references.truncate(8);
    Lookups {
        address,
        base_address,
        references,
    }
}

/// Decides the match from what the store found. One account is a match only when the address
/// points to exactly that account and every reference names exactly that account too.
pub fn decide(lookups: &Lookups, found: &Found) -> AccountMatch {
    let by_address = if found.by_address.is_empty() {
        ids(&found.by_base_address)
    } else {
        ids(&found.by_address)
    };
    if lookups.address.is_empty() {
        return AccountMatch::None;
    }
    if by_address.len() > 1 {
        return AccountMatch::Many(by_address);
    }
    let mut referenced: Vec<String> = found.referenced.iter().flat_map(|a| ids(a)).collect();
    referenced.sort();
    referenced.dedup();
    let every_reference_is_the_sender = found
        .referenced
        .iter()
        .all(|accounts| ids(accounts) == by_address);
    match by_address.first() {
        Some(_) if every_reference_is_the_sender => {
            let mut all = found.by_address.iter().chain(&found.by_base_address);
            all.next()
                .cloned()
                .map_or(AccountMatch::None, AccountMatch::One)
        }
        None if lookups.references.is_empty() => AccountMatch::None,
        _ => AccountMatch::Mismatch(Mismatch {
            by_address,
            referenced,
            phrases: lookups
                .references
                .iter()
                .map(|r| r.phrase().to_string())
                .collect(),
        }),
    }
}

/// Matches a customer's request, given a way to ask the store. `mail` is the request
/// [`Customer::request`](crate::customer::Customer::request) gives: for a forward, the original.
/// The store-backed caller is `Store::match_account`; tests pass a closure over rows.
///
/// # Errors
/// Whatever `ask` returns.
pub fn match_message<E>(
    mail: &Inbound,
    rules: &MatchRules,
    mut ask: impl FnMut(&Lookups) -> Result<Found, E>,
) -> Result<AccountMatch, E> {
    let lookups = lookups(&mail.from.email, &mail.subject, &mail.text, rules);
    let found = ask(&lookups)?;
    Ok(decide(&lookups, &found))
}

fn ids(accounts: &[Account]) -> Vec<String> {
    let mut ids: Vec<String> = accounts.iter().map(|a| a.id.clone()).collect();
    ids.sort();
    ids.dedup();
    ids
}

/// Matches `sender` against candidate rows (those the store found for the address, or all).
/// Exactly one account listing the address is a match; none or several is not.
pub fn match_sender(sender: &str, candidates: &[Account]) -> AccountMatch {
    let wanted = normalize_address(sender);
    if wanted.is_empty() {
        return AccountMatch::None;
    }
    let mut found: Vec<&Account> = candidates
        .iter()
        .filter(|a| a.emails.contains(&wanted))
        .collect();
    found.dedup_by(|a, b| a.id == b.id);
    match found.as_slice() {
        [] => AccountMatch::None,
        [one] => AccountMatch::One((*one).clone()),
        many => AccountMatch::Many(many.iter().map(|a| a.id.clone()).collect()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn account(id: &str, emails: &[&str]) -> Account {
        Account {
            id: id.into(),
            name: "N".into(),
            emails: emails.iter().map(|e| normalize_address(e)).collect(),
            plan: PlanKind::Monthly,
            signed_up_on: jiff::civil::date(2026, 1, 1),
            paid: None,
            currency: Currency::from_code("USD").unwrap(),
        }
    }

    #[test]
    fn matches_case_insensitively_on_any_address() {
        let rows = [
            account("a1", &["Ann@Example.com", "ann@work.example"]),
            account("b2", &["bob@example.com"]),
        ];
        for (sender, want) in [
            ("ann@example.com", Some("a1")),
            ("ANN@WORK.EXAMPLE", Some("a1")),
            (" bob@example.com ", Some("b2")),
            ("eve@example.com", None),
            ("", None),
        ] {
            let got = match match_sender(sender, &rows) {
                AccountMatch::One(a) => Some(a.id),
                AccountMatch::None => None,
                other => panic!("{sender}: {other:?}"),
            };
            assert_eq!(got.as_deref(), want, "{sender}");
        }
    }

    fn rules(plus_addressing: bool) -> MatchRules {
        MatchRules {
            refs: vec![
                Regex::new(r"(?i)\baccount\s*(?:#|no\.?|number)?\s*:?\s*(?P<id>A-\d{4,6})\b")
                    .unwrap(),
                Regex::new(r"(?i)\bworkspace\s+\x22?(?P<name>[\w-]+)").unwrap(),
            ],
            plus_addressing,
            forwarders: vec![],
        }
    }

    /// What a store holding `rows` answers (case-insensitive ids, exact names).
    fn found(rows: &[Account], l: &Lookups) -> Found {
        let by = |address: &str| -> Vec<Account> {
            rows.iter()
                .filter(|a| a.emails.iter().any(|e| e == address))
                .cloned()
                .collect()
        };
        Found {
            by_address: by(&l.address),
            by_base_address: l.base_address.as_deref().map(by).unwrap_or_default(),
            referenced: l
                .references
                .iter()
                .map(|r| {
                    rows.iter()
                        .filter(|a| match r {
                            Reference::Id { id, .. } => a.id.eq_ignore_ascii_case(id),
                            Reference::Name { name, .. } => a.name.eq_ignore_ascii_case(name),
                        })
                        .cloned()
                        .collect()
                })
                .collect(),
        }
    }

    #[test]
    fn address_plus_addressing_and_references() {
        let mut acme = account("A-10293", &["ann@acme.example"]);
        acme.name = "acme-team".into();
        let rows = [
            acme,
            account("A-20000", &["bob@beta.example"]),
            account("A-30000", &["shared@x.example"]),
            account("A-30001", &["shared@x.example"]),
            account("A-40000", &["eve+billing@eve.example"]),
        ];
        let one = |id: &str| format!("one {id}");
        for (sender, text, plus, want) in [
            ("Ann@ACME.example", "Cancel please.", false, one("A-10293")),
            (
                "ann@acme.example",
                "Cancel account #A-10293.",
                false,
                one("A-10293"),
            ),
            (
                "ann@acme.example",
                "Account no. a-10293, cancel.",
                false,
                one("A-10293"),
            ),
            (
                "ann@acme.example",
                "Our workspace acme-team, cancel.",
                false,
                one("A-10293"),
            ),
            (
                "ann@acme.example",
                "Cancel account #A-20000.",
                false,
                "mismatch A-10293 / A-20000".into(),
            ),
            (
                "ann@acme.example",
                "Cancel account #A-99999.",
                false,
                "mismatch A-10293 / -".into(),
            ),
            (
                "ann@acme.example",
                "Workspace other-team please.",
                false,
                "mismatch A-10293 / -".into(),
            ),
            (
                "zed@zed.example",
                "Cancel account #A-10293.",
                false,
                "mismatch - / A-10293".into(),
            ),
            ("zed@zed.example", "Cancel please.", false, "none".into()),
            ("ann+news@acme.example", "Cancel.", false, "none".into()),
            ("ann+news@acme.example", "Cancel.", true, one("A-10293")),
            (
                "ann+news@acme.example",
                "Account #A-20000.",
                true,
                "mismatch A-10293 / A-20000".into(),
            ),
            ("eve+billing@eve.example", "Cancel.", false, one("A-40000")),
            ("eve+billing@eve.example", "Cancel.", true, one("A-40000")),
            (
                "shared@x.example",
                "Cancel.",
                false,
                "many A-30000, A-30001".into(),
            ),
            (
                "shared@x.example",
                "Cancel account A-30000.",
                false,
                "many A-30000, A-30001".into(),
            ),
            ("", "Cancel.", false, "none".into()),
        ] {
            let l = lookups(sender, "", text, &rules(plus));
            let got = match decide(&l, &found(&rows, &l)) {
                AccountMatch::One(a) => one(&a.id),
                AccountMatch::None => "none".into(),
                AccountMatch::Many(ids) => format!("many {}", ids.join(", ")),
                AccountMatch::Mismatch(m) => {
                    let ids = |v: &[String]| {
                        if v.is_empty() {
                            "-".into()
                        } else {
                            v.join(", ")
                        }
                    };
                    assert!(!m.phrases.is_empty(), "{m:?}");
                    format!("mismatch {} / {}", ids(&m.by_address), ids(&m.referenced))
                }
            };
            assert_eq!(got, want, "{sender} {text:?} plus={plus}");
        }
    }

    #[test]
    fn references_are_found_in_subject_and_text_and_explained() {
        let l = lookups(
            "ann@acme.example",
            "Account #A-10293",
            "Please close workspace \"acme-team\" and account A-10293.",
            &rules(false),
        );
        assert_eq!(
            l.references,
            [
                Reference::Id {
                    id: "A-10293".into(),
                    phrase: "Account #A-10293".into()
                },
                Reference::Name {
                    name: "acme-team".into(),
                    phrase: "workspace \"acme-team".into()
                },
            ]
        );
        let m = Mismatch {
            by_address: vec!["A-1".into()],
            referenced: vec![],
            phrases: vec!["account #A-9".into()],
        };
        assert_eq!(
            m.to_string(),
            "the sender's address belongs to A-1 but the message names no account (\"account #A-9\")"
        );
    }

    #[test]
    fn base_address() {
        for (address, want) in [
            ("ann+tag@x.example", Some("ann@x.example")),
            ("ann+a+b@x.example", Some("ann@x.example")),
            ("ann@x.example", None),
            ("+tag@x.example", None),
            ("no-at-sign", None),
        ] {
            assert_eq!(super::base_address(address).as_deref(), want, "{address}");
        }
    }

    #[test]
    fn several_accounts_never_guess() {
        let rows = [
            account("a1", &["shared@example.com"]),
            account("a2", &["shared@example.com"]),
        ];
        assert_eq!(
            match_sender("shared@example.com", &rows),
            AccountMatch::Many(vec!["a1".into(), "a2".into()])
        );
    }
}
