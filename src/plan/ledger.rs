//! What the ledger records as done with a message, as a type. The store keeps it as the same
//! short strings it always had (`refund_granted`, `to_human:no_account`, `skip:bounce`,
//! `reconciled`, `interrupted`), so old ledgers read the same; metrics, the report and
//! `replay` read the type back instead of cutting strings.

use std::fmt;
use std::str::FromStr;

use crate::screen::SkipReason;

/// Why a message went to people, as the ledger and `check --json` name it: the code of a
/// [`Why`](super::Why), or a hand-off that happens after planning (a confirmation asked for,
/// an answer that bounced, a reply to our own answer).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HandOff {
    Unsure,
    RefundStatus,
    PolicyQuestion,
    Withdrawal,
    NotARequest,
    BillingError,
    NoAccount,
    SeveralAccounts,
    AccountMismatch,
    Forwarded,
    Undecidable,
    RenderFailed,
    Unreadable,
    NoMailbox,
    Unauthenticated,
    ReplyBudget,
    Breaker,
    ConfirmationRejected,
    BillingRefused,
    /// The account's registered address was asked to confirm the request.
    AwaitingConfirmation,
    /// Our answer could not be delivered (a delivery status report came back).
    AnswerBounced,
    /// The customer wrote back to one of our answers: people continue the thread.
    ReplyToOurAnswer,
    /// A person answered the request by hand while its confirmation was pending.
    AnsweredByHand,
}

impl HandOff {
    /// Every hand-off, for the tests and for readers that list them.
    pub const ALL: [HandOff; 23] = [
        HandOff::Unsure,
        HandOff::RefundStatus,
        HandOff::PolicyQuestion,
        HandOff::Withdrawal,
        HandOff::NotARequest,
        HandOff::BillingError,
        HandOff::NoAccount,
        HandOff::SeveralAccounts,
        HandOff::AccountMismatch,
        HandOff::Forwarded,
        HandOff::Undecidable,
        HandOff::RenderFailed,
        HandOff::Unreadable,
        HandOff::NoMailbox,
        HandOff::Unauthenticated,
        HandOff::ReplyBudget,
        HandOff::Breaker,
        HandOff::ConfirmationRejected,
        HandOff::BillingRefused,
        HandOff::AwaitingConfirmation,
        HandOff::AnswerBounced,
        HandOff::ReplyToOurAnswer,
        HandOff::AnsweredByHand,
    ];

    /// The stable snake_case code.
    pub fn as_str(self) -> &'static str {
        match self {
            HandOff::Unsure => "unsure",
            HandOff::RefundStatus => "refund_status",
            HandOff::PolicyQuestion => "policy_question",
            HandOff::Withdrawal => "withdrawal",
            HandOff::NotARequest => "not_a_request",
            HandOff::BillingError => "billing_error",
            HandOff::NoAccount => "no_account",
            HandOff::SeveralAccounts => "several_accounts",
            HandOff::AccountMismatch => "account_mismatch",
            HandOff::Forwarded => "forwarded",
            HandOff::Undecidable => "undecidable",
            HandOff::RenderFailed => "render_failed",
            HandOff::Unreadable => "unreadable",
            HandOff::NoMailbox => "no_mailbox",
            HandOff::Unauthenticated => "unauthenticated",
            HandOff::ReplyBudget => "reply_budget",
            HandOff::Breaker => "breaker",
            HandOff::ConfirmationRejected => "confirmation_rejected",
            HandOff::BillingRefused => "billing_refused",
            HandOff::AwaitingConfirmation => "awaiting_confirmation",
            HandOff::AnswerBounced => "answer_bounced",
            HandOff::ReplyToOurAnswer => "reply_to_our_answer",
            HandOff::AnsweredByHand => "answered_by_hand",
        }
    }
}

impl fmt::Display for HandOff {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for HandOff {
    type Err = UnknownAction;

    fn from_str(s: &str) -> Result<HandOff, UnknownAction> {
        HandOff::ALL
            .into_iter()
            .find(|h| h.as_str() == s)
            .ok_or_else(|| UnknownAction(s.to_string()))
    }
}

/// What was done with a message, as the ledger records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LedgerAction {
    /// An answer (sent, drafted, deferred or failed, as the state says), by the template it
    /// was rendered from: `refund_granted`, `cancel_end_of_period`...
    Answer(String),
    /// Handed to people.
    ToHuman(HandOff),
    /// Never answered.
    Skip(SkipReason),
    /// Interrupted after sending; the reply was found in Sent, so it counts as answered.
    Reconciled,
    /// Interrupted while answering, and not found in Sent: people take it.
    Interrupted,
}

impl LedgerAction {
    /// An answer rendered as `reply`.
    pub fn answer(reply: &crate::render::Reply) -> LedgerAction {
        LedgerAction::Answer(reply.template.clone())
    }

    /// A hand-off for `why`.
    pub fn to_human(why: &super::Why) -> LedgerAction {
        LedgerAction::ToHuman(why.hand_off())
    }

    /// What kind of action it is, without its detail: `to_human`, `skip`, `reconciled`,
    /// `interrupted`, or the template of an answer (the metrics' `action` label).
    pub fn kind(&self) -> &str {
        match self {
            LedgerAction::Answer(template) => template,
            LedgerAction::ToHuman(_) => "to_human",
            LedgerAction::Skip(_) => "skip",
            LedgerAction::Reconciled => "reconciled",
            LedgerAction::Interrupted => "interrupted",
        }
    }

    /// The detail after `kind`: the hand-off or skip code; empty for the others.
    pub fn detail(&self) -> &'static str {
        match self {
            LedgerAction::ToHuman(h) => h.as_str(),
            LedgerAction::Skip(r) => r.as_str(),
            _ => "",
        }
    }
}

impl fmt::Display for LedgerAction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LedgerAction::Answer(template) => f.write_str(template),
            LedgerAction::ToHuman(h) => write!(f, "to_human:{h}"),
            LedgerAction::Skip(r) => write!(f, "skip:{}", r.as_str()),
            LedgerAction::Reconciled => f.write_str("reconciled"),
            LedgerAction::Interrupted => f.write_str("interrupted"),
        }
    }
}

/// A ledger action string no version of mailclerk writes.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not a ledger action")]
pub struct UnknownAction(pub String);

impl FromStr for LedgerAction {
    type Err = UnknownAction;

    fn from_str(s: &str) -> Result<LedgerAction, UnknownAction> {
        let unknown = || UnknownAction(s.to_string());
        if let Some(code) = s.strip_prefix("to_human:") {
            return code.parse().map(LedgerAction::ToHuman);
        }
        if let Some(code) = s.strip_prefix("skip:") {
            return SkipReason::ALL
                .into_iter()
                .find(|r| r.as_str() == code)
                .map(LedgerAction::Skip)
                .ok_or_else(unknown);
        }
        match s {
            "reconciled" => Ok(LedgerAction::Reconciled),
            "interrupted" => Ok(LedgerAction::Interrupted),
            // A template name: lower-case words joined by underscores.
            _ if !s.is_empty()
                && s.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_') =>
            {
                Ok(LedgerAction::Answer(s.to_string()))
            }
            _ => Err(unknown()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_action_reads_back_as_written() {
        let mut actions = vec![
            LedgerAction::Answer("refund_granted".into()),
            LedgerAction::Answer("cancel_end_of_period".into()),
            LedgerAction::Reconciled,
            LedgerAction::Interrupted,
        ];
        actions.extend(HandOff::ALL.map(LedgerAction::ToHuman));
        actions.extend(SkipReason::ALL.map(LedgerAction::Skip));
        for action in actions {
            let text = action.to_string();
            assert_eq!(text.parse::<LedgerAction>(), Ok(action.clone()), "{text}");
        }
    }

    #[test]
    fn the_strings_are_those_old_ledgers_hold() {
        for (text, want) in [
            (
                "to_human:no_account",
                LedgerAction::ToHuman(HandOff::NoAccount),
            ),
            (
                "to_human:awaiting_confirmation",
                LedgerAction::ToHuman(HandOff::AwaitingConfirmation),
            ),
            (
                "skip:auto_submitted",
                LedgerAction::Skip(SkipReason::AutoSubmitted),
            ),
            (
                "refund_granted",
                LedgerAction::Answer("refund_granted".into()),
            ),
            ("reconciled", LedgerAction::Reconciled),
        ] {
            assert_eq!(text.parse::<LedgerAction>(), Ok(want.clone()));
            assert_eq!(want.to_string(), text);
        }
        let kinds = LedgerAction::ToHuman(HandOff::Breaker);
        assert_eq!((kinds.kind(), kinds.detail()), ("to_human", "breaker"));
    }

    #[test]
    fn unknown_strings_are_errors() {
        for text in [
            "to_human:nobody",
            "skip:whatever",
            "",
            "Refund Granted",
            "a:b",
        ] {
            assert!(text.parse::<LedgerAction>().is_err(), "{text}");
        }
    }

    #[test]
    fn codes_are_unique() {
        let codes: std::collections::BTreeSet<_> = HandOff::ALL.map(HandOff::as_str).into();
        assert_eq!(codes.len(), HandOff::ALL.len());
    }
}
