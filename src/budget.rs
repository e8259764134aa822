//! How much automatic mail we allow ourselves. A mail loop, a flood from one sender or a bug
//! that answers everything must run into a wall, not into a customer's inbox: at most
//! `per_sender` automatic mails to one address in 24 hours, and at most `per_hour` in all
//! from one mailbox, after which everything goes to people until the hour has passed.

use std::fmt;

/// 24 hours: the per-sender window.
pub const SENDER_WINDOW_SECS: i64 = 24 * 3600;
/// One hour: the breaker's window.
pub const BREAKER_WINDOW_SECS: i64 = 3600;

/// The limits of one mailbox.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReplyBudget {
    /// Automatic mails (answers and acknowledgements) to one address in 24 hours.
    pub per_sender: usize,
    /// Automatic mails from the mailbox in one hour: the breaker.
    pub per_hour: usize,
}

impl ReplyBudget {
    /// At most 3 to one address a day (issue 3), 200 an hour in all.
    pub const DEFAULT: ReplyBudget = ReplyBudget {
        per_sender: 3,
        per_hour: 200,
    };

    /// Whether one more automatic mail may go out, given what already went.
    ///
    /// # Errors
    /// The limit that one more mail would pass.
    pub fn allows(&self, sent: &RecentReplies) -> Result<(), Exceeded> {
        if sent.last_hour >= self.per_hour {
            return Err(Exceeded::Breaker {
                sent: sent.last_hour,
                limit: self.per_hour,
            });
        }
        if sent.to_sender >= self.per_sender {
            return Err(Exceeded::Sender {
                sent: sent.to_sender,
                limit: self.per_sender,
            });
        }
        Ok(())
    }
}

impl Default for ReplyBudget {
    fn default() -> Self {
        ReplyBudget::DEFAULT
    }
}

/// What the ledger says already went out, read before planning.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RecentReplies {
    /// Automatic mails to the address an answer would go to, in the last 24 hours.
    pub to_sender: usize,
    /// Automatic mails from the mailbox in the last hour.
    pub last_hour: usize,
}

/// A limit reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exceeded {
    /// This address had its share today.
    Sender { sent: usize, limit: usize },
    /// The mailbox had its share this hour: the breaker is open.
    Breaker { sent: usize, limit: usize },
}

impl fmt::Display for Exceeded {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Exceeded::Sender { sent, limit } => write!(
                f,
                "{sent} automatic mails already went to this address in 24 hours (limit {limit})"
            ),
            Exceeded::Breaker { sent, limit } => write!(
                f,
                "breaker open: {sent} automatic mails went out in the last hour (limit {limit})"
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits() {
        let budget = ReplyBudget {
            per_sender: 3,
            per_hour: 10,
        };
        let cases = [
            (0, 0, None),
            (2, 9, None),
            (3, 0, Some("sender")),
            (0, 10, Some("breaker")),
            // Both reached: the breaker is the one to report, it is the louder alarm.
            (5, 50, Some("breaker")),
        ];
        for (to_sender, last_hour, want) in cases {
            let got = budget.allows(&RecentReplies {
                to_sender,
                last_hour,
            });
            let kind = match got {
                Ok(()) => None,
                Err(Exceeded::Sender { .. }) => Some("sender"),
                Err(Exceeded::Breaker { .. }) => Some("breaker"),
            };
            assert_eq!(kind, want, "{to_sender} to sender, {last_hour} in the hour");
        }
    }
}
