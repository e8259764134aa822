//! The IMAP keywords that tell people, in their mail client, why a message was handed to them
//! (`$mailclerk-no-account`, `$mailclerk-unsure`, ...), and the ones people set to ask for a
//! second look (`$mailclerk-retry`). The table of reasons is in docs/operations.md.

use std::collections::BTreeMap;

use tracing::warn;

use super::{Dest, Handled, Worker};
use crate::config::Filing;
use crate::intake::imap::{Error, Session};
use crate::store::{LedgerState, Prior, Trigger};

/// On every message mailclerk filed for people, in both filing modes: moved back to the
/// INBOX with it (IMAP keeps keywords on a move), it tells a person's move from a new message.
pub const PEOPLE: &str = "$mailclerk-people";

/// Set by a person on a message handed to people: examine it again.
pub const RETRY: &str = "$mailclerk-retry";

/// The reason code of a message handed to people, from what the ledger recorded: the
/// [`crate::plan::Why`] code of `to_human:<code>`, or what the state says (a draft waiting for
/// approval, a reply that could not be sent, an interrupted send).
pub fn code(state: LedgerState, action: Option<&str>) -> String {
    let action = action.unwrap_or_default();
    if let Some(why) = action.strip_prefix("to_human:") {
        return why.to_string();
    }
    match state {
        LedgerState::Drafted => "draft".into(),
        LedgerState::Failed => "send_failed".into(),
        LedgerState::Deferred => "deferred".into(),
        _ if action == "interrupted" => "interrupted".into(),
        _ if action.is_empty() => "unsure".into(),
        _ => action.to_string(),
    }
}

/// `$mailclerk-<code>` as an IMAP keyword atom: `_` (and anything else outside `a-z0-9-`)
/// becomes `-`, so `no_account` is `$mailclerk-no-account`.
pub fn keyword(code: &str) -> String {
    let atom: String = code
        .chars()
        .map(|c| {
            let c = c.to_ascii_lowercase();
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '-'
            }
        })
        .collect();
    format!("$mailclerk-{atom}")
}

/// The keywords to set and take off a batch's messages before they are filed.
#[derive(Debug, Default)]
pub struct Marks {
    on: BTreeMap<String, Vec<u32>>,
    off: BTreeMap<String, Vec<u32>>,
}

impl Marks {
    pub fn put_on(&mut self, uid: u32, keyword: String) {
        self.on.entry(keyword).or_default().push(uid);
    }

    pub fn take_off(&mut self, uid: u32, keywords: Vec<String>) {
        for k in keywords {
            self.off.entry(k).or_default().push(uid);
        }
    }

    /// Takes keywords off, then sets the new ones (a reason that is the same as the earlier
    /// one stays on), one command per keyword. A server that refuses a keyword (one without
    /// `\*` in its PERMANENTFLAGS may) costs the marks, never the filing: a WARN, and on.
    pub async fn apply(&self, session: &mut Session) -> Result<(), Error> {
        let refused = |keyword: &str, e: &Error| {
            warn!(
                keyword,
                err = %crate::error_chain(e),
                "The IMAP server refused a keyword; the messages are filed without it (people see no reason on them, and one moved back is not told from new mail)."
            );
        };
        for (keyword, uids) in &self.off {
            match session.remove_keywords(uids, &[keyword.as_str()]).await {
                Err(e @ Error::Refused { .. }) => refused(keyword, &e),
                other => other?,
            }
        }
        for (keyword, uids) in &self.on {
            match session.add_keyword(uids, keyword).await {
                Err(e @ Error::Refused { .. }) => refused(keyword, &e),
                other => other?,
            }
        }
        Ok(())
    }
}

impl Worker<'_> {
    /// Notes the keywords of the message at `uid`, just handled: off, the trigger of a second
    /// look and the marks of an earlier hand-over (`marks_off`); on, for a message going to
    /// people, its reason from the ledger row `now` (and, with folder filing,
    /// `$mailclerk-people`, which tells it from new mail if a person moves it back).
    pub(super) fn mark(
        &mut self,
        marks: &mut Marks,
        uid: u32,
        trigger: Option<Trigger>,
        handled: &Result<Handled, super::Error>,
        now: Option<&Prior>,
    ) {
        let mut off = std::mem::take(&mut self.marks_off);
        if matches!(handled, Ok(Handled::Deferred | Handled::SignIn(_))) {
            // The reply waits for the relay: a message below the position is read again
            // only while it carries the mark.
            off.retain(|k| k != RETRY);
        } else if trigger == Some(Trigger::RetryKeyword) && !off.iter().any(|k| k == RETRY) {
            off.push(RETRY.to_string());
        }
        marks.take_off(uid, off);
        if let Ok(Handled::File(Dest::People)) = handled {
            if let Some(p) = now {
                marks.put_on(uid, keyword(&code(p.state, p.action.as_deref())));
            }
            if matches!(self.mailbox.handling.filing, Filing::Folders { .. }) {
                marks.put_on(uid, PEOPLE.to_string());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_become_keyword_atoms() {
        let cases = [
            (
                LedgerState::Review,
                Some("to_human:no_account"),
                "$mailclerk-no-account",
            ),
            (
                LedgerState::Review,
                Some("to_human:unsure"),
                "$mailclerk-unsure",
            ),
            (
                LedgerState::Review,
                Some("to_human:billing_error"),
                "$mailclerk-billing-error",
            ),
            (
                LedgerState::Review,
                Some("to_human:awaiting_confirmation"),
                "$mailclerk-awaiting-confirmation",
            ),
            (
                LedgerState::Review,
                Some("interrupted"),
                "$mailclerk-interrupted",
            ),
            (
                LedgerState::Drafted,
                Some("refund_granted"),
                "$mailclerk-draft",
            ),
            (
                LedgerState::Failed,
                Some("refund_granted"),
                "$mailclerk-send-failed",
            ),
            (LedgerState::Review, None, "$mailclerk-unsure"),
        ];
        for (state, action, want) in cases {
            assert_eq!(keyword(&code(state, action)), want, "{state} {action:?}");
        }
        assert_eq!(keyword("odd code/ü"), "$mailclerk-odd-code--");
    }
}
