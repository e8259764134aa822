//! The clock the I/O shell reads: the system's in production, a hand-wound one in tests, so
//! a test can run a retry window or a budget hour forward without waiting for it. The pure
//! core never reads a clock; the time it needs arrives as an argument taken from here.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::SystemTime;

use jiff::{SignedDuration, Timestamp};

/// Where "now" comes from. An enum, not a trait: there are exactly two kinds.
#[derive(Debug, Clone, Default)]
pub enum Clock {
    /// The system clock.
    #[default]
    System,
    /// A clock that moves only when told to ([`Clock::advance`], [`Clock::set`]); clones
    /// share the one time.
    Manual(Arc<Mutex<Timestamp>>),
}

impl Clock {
    /// A manual clock standing at `at`.
    ///
    /// # Examples
    /// ```
    /// use mailclerk::clock::Clock;
    /// let clock = Clock::manual("2026-03-01T09:00:00Z".parse()?);
    /// clock.advance(jiff::SignedDuration::from_hours(2));
    /// assert_eq!(clock.now().to_string(), "2026-03-01T11:00:00Z");
    /// # Ok::<(), jiff::Error>(())
    /// ```
    pub fn manual(at: Timestamp) -> Clock {
        Clock::Manual(Arc::new(Mutex::new(at)))
    }

    /// The current time.
    pub fn now(&self) -> Timestamp {
        match self {
            Clock::System => Timestamp::now(),
            Clock::Manual(at) => *at.lock().unwrap_or_else(PoisonError::into_inner),
        }
    }

    /// The current time as lettre dates its messages.
    pub fn system_time(&self) -> SystemTime {
        match self {
            Clock::System => SystemTime::now(),
            Clock::Manual(_) => SystemTime::from(self.now()),
        }
    }

    /// Moves a manual clock forward (or back, with a negative span); the system clock
    /// cannot be moved and ignores it.
    pub fn advance(&self, by: SignedDuration) {
        if let Clock::Manual(at) = self {
            let mut at = at.lock().unwrap_or_else(PoisonError::into_inner);
            *at = at.checked_add(by).unwrap_or(*at);
        }
    }

    /// Sets a manual clock to `to`; the system clock ignores it.
    pub fn set(&self, to: Timestamp) {
        if let Clock::Manual(at) = self {
            *at.lock().unwrap_or_else(PoisonError::into_inner) = to;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_manual_clock_moves_only_when_told_and_its_clones_share_it() {
        let start: Timestamp = "2026-03-01T09:00:00Z".parse().unwrap();
        let clock = Clock::manual(start);
        let other = clock.clone();
        assert_eq!(clock.now(), start);
        other.advance(SignedDuration::from_secs(90));
        assert_eq!(clock.now().to_string(), "2026-03-01T09:01:30Z");
        clock.set(start);
        assert_eq!(other.now(), start);
        assert_eq!(
            clock.system_time(),
            SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(start.as_second() as u64)
        );
    }

    #[test]
    fn the_system_clock_ignores_winding() {
        let clock = Clock::System;
        let before = Timestamp::now();
        clock.advance(SignedDuration::from_hours(-1000));
        assert!(clock.now() >= before);
    }
}
