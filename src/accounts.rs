//! Customer accounts and matching a sender to one. Pure: the rows come from the store.

use jiff::civil::Date;

use crate::money::{Currency, Money};

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
}

/// Normalises an address for comparison: trimmed and lower-cased as a whole. Local parts are
/// case-sensitive in theory, but no mail provider a customer uses treats them so, and the
/// billing system stores whatever case the customer typed.
pub fn normalize_address(address: &str) -> String {
    address.trim().to_lowercase()
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
                AccountMatch::Many(ids) => panic!("{sender}: many {ids:?}"),
            };
            assert_eq!(got.as_deref(), want, "{sender}");
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
