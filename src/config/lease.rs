//! The `[lease]` section: how instances sharing a Postgres store hold their mailboxes
//! (docs/ha.md). Read only with the Postgres store; the defaults suit most pairs.
//!
//! ```toml
//! [lease]
//! instance = "mail-a"      # default: host name and process id
//! ttl_seconds = 15         # a lease's life in the database
//! renew_seconds = 5        # renewed this often
//! margin_seconds = 3       # the holder stops this long before the database's expiry
//! ```

use std::ops::Add;
use std::path::Path;
use std::time::Duration;

use serde::Deserialize;

use super::ConfigError;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawLease {
    #[serde(default)]
    instance: Option<String>,
    #[serde(default)]
    ttl_seconds: Option<f64>,
    #[serde(default)]
    renew_seconds: Option<f64>,
    #[serde(default)]
    margin_seconds: Option<f64>,
}

/// The validated `[lease]` section.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Lease {
    /// The configured instance id; none: host name and process id.
    pub instance: Option<String>,
    pub timing: Timing,
}

impl RawLease {
    pub(super) fn resolve(&self, file: &Path, errors: &mut Vec<ConfigError>) -> Option<Lease> {
        let d = Timing::default();
        let mut bad = false;
        let mut secs = |key: &str, v: Option<f64>, default: Duration| match v {
            None => default,
            Some(s) if (0.0..=86_400.0).contains(&s) => Duration::from_secs_f64(s),
            Some(s) => {
                bad = true;
                errors.push(ConfigError::new(
                    file,
                    format!("lease.{key}"),
                    format!("expected a number of seconds from 0 to 86400, found {s}"),
                ));
                default
            }
        };
        let timing = Timing {
            ttl: secs("ttl_seconds", self.ttl_seconds, d.ttl),
            renew: secs("renew_seconds", self.renew_seconds, d.renew),
            margin: secs("margin_seconds", self.margin_seconds, d.margin),
        };
        if let Some(i) = &self.instance
            && (i.trim().is_empty() || i.len() > 200 || i.chars().any(char::is_control))
        {
            bad = true;
            errors.push(ConfigError::new(
                file,
                "lease.instance",
                format!("expected a short name unique to this instance, found {i:?}"),
            ));
        }
        if bad {
            return None;
        }
        if let Err(e) = timing.check() {
            let (key, problem) = match e {
                TimingError::Zero => (
                    "lease.ttl_seconds",
                    "expected ttl_seconds and renew_seconds above 0".to_string(),
                ),
                TimingError::MarginTooLarge => (
                    "lease.margin_seconds",
                    format!(
                        "expected less than ttl_seconds ({}), found {}",
                        timing.ttl.as_secs_f64(),
                        timing.margin.as_secs_f64()
                    ),
                ),
                TimingError::RenewTooSlow => (
                    "lease.renew_seconds",
                    format!(
                        "expected at most half of ttl_seconds - margin_seconds ({}), so that one late renewal does not stop the holder; found {}",
                        (timing.ttl - timing.margin).as_secs_f64() / 2.0,
                        timing.renew.as_secs_f64()
                    ),
                ),
            };
            errors.push(ConfigError::new(file, key, problem));
            return None;
        }
        Some(Lease {
            instance: self.instance.as_ref().map(|i| i.trim().to_string()),
            timing,
        })
    }
}

/// The lease timings: how long a lease lasts in the database, how often it is renewed, and
/// how much earlier than the database's expiry a holder stops on its own.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Timing {
    pub ttl: Duration,
    pub renew: Duration,
    pub margin: Duration,
}

impl Default for Timing {
    fn default() -> Self {
        Timing {
            ttl: Duration::from_secs(15),
            renew: Duration::from_secs(5),
            margin: Duration::from_secs(3),
        }
    }
}

/// Why a set of timings cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TimingError {
    Zero,
    /// The margin leaves no time to act at all.
    MarginTooLarge,
    /// One late renewal would already stop the holder: at least two renewals must fit in the
    /// time a holder acts on one.
    RenewTooSlow,
}

impl Timing {
    /// # Errors
    /// See [`TimingError`].
    pub fn check(&self) -> Result<(), TimingError> {
        if self.ttl.is_zero() || self.renew.is_zero() {
            return Err(TimingError::Zero);
        }
        if self.margin >= self.ttl {
            return Err(TimingError::MarginTooLarge);
        }
        if self.renew * 2 > self.ttl - self.margin {
            return Err(TimingError::RenewTooSlow);
        }
        Ok(())
    }

    /// Until when a holder may act after a take or renewal the database accepted, by the
    /// holder's own monotonic clock. `sent` is when the statement was sent: the database set
    /// the expiry from its own `now()`, which came later, so its expiry is at least
    /// `sent + ttl` in real time; stopping `margin` before that covers clocks running at
    /// slightly different rates and the time to stop a worker.
    pub fn act_until<I: Add<Duration, Output = I>>(&self, sent: I) -> I {
        sent + self.ttl.saturating_sub(self.margin)
    }

    /// A heartbeat older than this is a dead instance's: the same as a lease's life, so an
    /// instance stops counting towards the spread about when its leases expire.
    pub fn heartbeat_stale(&self) -> Duration {
        self.ttl
    }

    /// How long one round with the database may take: never past the earliest moment a
    /// served mailbox must stop, and never more than one renewal interval.
    pub fn round_deadline<I: Add<Duration, Output = I> + Ord + Copy>(
        &self,
        now: I,
        earliest_stop: Option<I>,
    ) -> I {
        let next = now + self.renew;
        earliest_stop.map_or(next, |s| s.min(next))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Instant;

    #[test]
    fn timings_are_checked_and_the_holder_stops_before_the_database_expiry() {
        let s = Duration::from_secs;
        for (ttl, renew, margin, want) in [
            (15, 5, 3, Ok(())),
            (3, 1, 1, Ok(())),
            (0, 1, 0, Err(TimingError::Zero)),
            (15, 0, 3, Err(TimingError::Zero)),
            (15, 5, 15, Err(TimingError::MarginTooLarge)),
            (15, 7, 3, Err(TimingError::RenewTooSlow)),
        ] {
            let t = Timing {
                ttl: s(ttl),
                renew: s(renew),
                margin: s(margin),
            };
            assert_eq!(t.check(), want, "{ttl}/{renew}/{margin}");
        }
        let t = Timing::default();
        let sent = Instant::now();
        assert_eq!(t.act_until(sent), sent + s(12));
        assert!(t.act_until(sent) < sent + t.ttl);
        // A round never runs past the moment a mailbox must stop.
        assert_eq!(t.round_deadline(sent, None), sent + s(5));
        assert_eq!(t.round_deadline(sent, Some(sent + s(2))), sent + s(2));
        assert_eq!(t.round_deadline(sent, Some(sent + s(9))), sent + s(5));
    }

    #[test]
    fn the_section_is_read_or_its_mistakes_named() {
        for (text, want) in [
            ("", Ok(Timing::default())),
            (
                "ttl_seconds = 3\nrenew_seconds = 1\nmargin_seconds = 1",
                Ok(Timing {
                    ttl: Duration::from_secs(3),
                    renew: Duration::from_secs(1),
                    margin: Duration::from_secs(1),
                }),
            ),
            (
                "ttl_seconds = 1.5\nrenew_seconds = 0.5\nmargin_seconds = 0.5",
                Ok(Timing {
                    ttl: Duration::from_millis(1500),
                    renew: Duration::from_millis(500),
                    margin: Duration::from_millis(500),
                }),
            ),
            (
                "ttl_seconds = -1",
                Err("lease.ttl_seconds: expected a number of seconds"),
            ),
            (
                "renew_seconds = 7",
                Err("lease.renew_seconds: expected at most half"),
            ),
            (
                "margin_seconds = 20",
                Err("lease.margin_seconds: expected less than ttl_seconds"),
            ),
            (
                "instance = \"  \"",
                Err("lease.instance: expected a short name"),
            ),
        ] {
            let raw: RawLease = toml::from_str(text).unwrap();
            let mut errors = Vec::new();
            let got = raw.resolve(Path::new("m.toml"), &mut errors);
            match want {
                Ok(timing) => {
                    assert!(errors.is_empty(), "{text}: {errors:?}");
                    assert_eq!(got.unwrap().timing, timing, "{text}");
                }
                Err(problem) => {
                    assert!(got.is_none(), "{text}");
                    assert_eq!(errors.len(), 1, "{text}: {errors:?}");
                    assert!(
                        errors[0].to_string().contains(problem),
                        "{text}: {}",
                        errors[0]
                    );
                }
            }
        }
    }
}
