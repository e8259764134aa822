//! Date arithmetic for policies: anniversaries, periods, business days and opening hours, all
//! in the vendor's time zone (policy-spec "Terms used by every policy").

use std::collections::BTreeSet;

use jiff::civil::{Date, Time, Weekday};
use jiff::tz::TimeZone;
use jiff::{Timestamp, ToSpan, Zoned};

use crate::accounts::PlanKind;

/// A vendor's calendar: where it is, which days it works, and when people answer mail.
#[derive(Debug, Clone)]
pub struct Calendar {
    pub zone: TimeZone,
    /// The IANA name, for replies.
    pub zone_name: String,
    pub working_days: Weekdays,
    pub holidays: BTreeSet<Date>,
    pub hours: Vec<OpeningHours>,
}

/// Hours during which people answer mail, on some weekdays.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpeningHours {
    pub days: Weekdays,
    pub open: Time,
    pub close: Time,
}

/// A set of weekdays (jiff's `Weekday` has no ordering to put in a `BTreeSet`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Weekdays(u8);

impl Weekdays {
    /// Adds a day.
    pub fn insert(&mut self, day: Weekday) {
        self.0 |= 1 << day.to_monday_zero_offset();
    }

    /// Whether `day` is in the set.
    pub fn contains(&self, day: Weekday) -> bool {
        self.0 & (1 << day.to_monday_zero_offset()) != 0
    }

    /// Whether the set has no day.
    pub fn is_empty(&self) -> bool {
        self.0 == 0
    }
}

impl FromIterator<Weekday> for Weekdays {
    fn from_iter<I: IntoIterator<Item = Weekday>>(iter: I) -> Self {
        let mut set = Weekdays::default();
        for day in iter {
            set.insert(day);
        }
        set
    }
}

/// When a person will next look at a message.
#[derive(Debug, Clone, PartialEq)]
pub enum Opening {
    /// Open now, until the given time.
    OpenNow { until: Zoned },
    /// Closed now; opens at the given time.
    Next(Zoned),
}

/// The current period of a paid subscription on a request date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    /// How many anniversaries have passed (0 before the first renewal).
    pub index: i32,
    /// The latest anniversary on or before the request date: the latest charge.
    pub start: Date,
    /// The next anniversary, R1: the next renewal, not part of this period.
    pub next: Date,
}

/// Anniversary `k` of `first`: `first` plus `k` months or years, computed from `first` each
/// time and clamped to the month's last day.
///
/// # Examples
/// ```
/// use jiff::civil::date;
/// use mailclerk::{accounts::PlanKind, policy::calendar::anniversary};
/// let first = date(2026, 1, 31);
/// assert_eq!(anniversary(first, PlanKind::Monthly, 1), date(2026, 2, 28));
/// assert_eq!(anniversary(first, PlanKind::Monthly, 2), date(2026, 3, 31)); // not Mar 28
/// ```
pub fn anniversary(first: Date, plan: PlanKind, k: i32) -> Date {
    let span = match plan {
        PlanKind::Monthly => k.months(),
        PlanKind::Annual => k.years(),
    };
    // jiff clamps to the last day of the month (Jan 31 + 1 month = Feb 28), which is exactly
    // policy-spec's rule; overflow only past year 9999, where saturating is harmless.
    first.checked_add(span).unwrap_or(Date::MAX)
}

/// The period containing `on` for a subscription first paid on `first`; `None` before `first`.
pub fn current_period(first: Date, plan: PlanKind, on: Date) -> Option<Period> {
    if on < first {
        return None;
    }
    // Estimate from whole months/years elapsed, then step: clamping can put an anniversary a
    // few days off the naive count, never a whole period.
    let months =
        (on.year() as i32 - first.year() as i32) * 12 + (on.month() as i32 - first.month() as i32);
    let mut k = match plan {
        PlanKind::Monthly => months,
        PlanKind::Annual => months / 12,
    }
    .max(0);
    while k > 0 && anniversary(first, plan, k) > on {
        k -= 1;
    }
    while anniversary(first, plan, k + 1) <= on {
        k += 1;
    }
    Some(Period {
        index: k,
        start: anniversary(first, plan, k),
        next: anniversary(first, plan, k + 1),
    })
}

/// `date` plus `days` calendar days (saturating at the end of the calendar).
pub fn add_days(date: Date, days: i64) -> Date {
    date.checked_add(days.days())
        .unwrap_or(if days < 0 { Date::MIN } else { Date::MAX })
}

/// Whole days from `from` to `to` (negative when `to` is earlier).
pub fn days_between(from: Date, to: Date) -> i64 {
    // Both are civil dates, so the span in days is exact.
    i64::from(from.until(to).map(|s| s.get_days()).unwrap_or(0))
}

impl Calendar {
    /// The calendar date of `ts` in the vendor's zone (policy-spec "request date").
    pub fn local_date(&self, ts: Timestamp) -> Date {
        ts.to_zoned(self.zone.clone()).date()
    }

    /// A working weekday that is not a holiday.
    pub fn is_business_day(&self, date: Date) -> bool {
        self.working_days.contains(date.weekday()) && !self.holidays.contains(&date)
    }

    /// The date reached by stepping back `n` business days from `from` (policy-spec "notice N
    /// business days before R": R = Mon Mar 9 2026, 5 business days → Mon Mar 2).
    pub fn business_days_before(&self, from: Date, n: u32) -> Date {
        let mut date = from;
        let mut left = n;
        // A calendar with no working day at all would loop forever; config validation forbids
        // it, and the bound keeps this function total anyway.
        let mut guard = 0u32;
        while left > 0 && guard < 3660 {
            date = add_days(date, -1);
            guard += 1;
            if self.is_business_day(date) {
                left -= 1;
            }
        }
        date
    }

    /// When people next answer mail, seen from `now`; `None` when the policy lists no hours
    /// (or none within the next 60 days, e.g. a long holiday list).
    pub fn next_opening(&self, now: Timestamp) -> Option<Opening> {
        let now = now.to_zoned(self.zone.clone());
        for offset in 0..60 {
            let day = add_days(now.date(), offset);
            if self.holidays.contains(&day) {
                continue;
            }
            let mut todays: Vec<&OpeningHours> = self
                .hours
                .iter()
                .filter(|h| h.days.contains(day.weekday()))
                .collect();
            todays.sort_by_key(|h| h.open);
            for h in todays {
                let open = day.to_datetime(h.open).to_zoned(self.zone.clone()).ok()?;
                let close = day.to_datetime(h.close).to_zoned(self.zone.clone()).ok()?;
                if now >= close {
                    continue;
                }
                if now >= open {
                    return Some(Opening::OpenNow { until: close });
                }
                return Some(Opening::Next(open));
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use jiff::civil::{date, time};

    use super::*;

    fn weekdays(days: &[Weekday]) -> Weekdays {
        days.iter().copied().collect()
    }

    fn us_calendar() -> Calendar {
        use Weekday::*;
        Calendar {
            zone: TimeZone::get("America/New_York").unwrap(),
            zone_name: "America/New_York".into(),
            working_days: weekdays(&[Monday, Tuesday, Wednesday, Thursday, Friday]),
            holidays: [date(2026, 5, 25), date(2026, 11, 26)]
                .into_iter()
                .collect(),
            hours: vec![OpeningHours {
                days: weekdays(&[Monday, Tuesday, Wednesday, Thursday, Friday]),
                open: time(9, 0, 0, 0),
                close: time(17, 0, 0, 0),
            }],
        }
    }

    #[test]
    fn anniversaries_clamp_and_recover() {
        let jan31 = date(2026, 1, 31);
        for (k, want) in [
            (0, date(2026, 1, 31)),
            (1, date(2026, 2, 28)),
            (2, date(2026, 3, 31)),
            (3, date(2026, 4, 30)),
            (13, date(2027, 2, 28)),
        ] {
            assert_eq!(anniversary(jan31, PlanKind::Monthly, k), want, "k={k}");
        }
        let leap = date(2024, 2, 29);
        assert_eq!(anniversary(leap, PlanKind::Annual, 1), date(2025, 2, 28));
        assert_eq!(anniversary(leap, PlanKind::Annual, 4), date(2028, 2, 29));
    }

    #[test]
    fn current_period_starts_on_an_anniversary() {
        let first = date(2026, 1, 31);
        for (on, index, start, next) in [
            (date(2026, 1, 31), 0, date(2026, 1, 31), date(2026, 2, 28)),
            (date(2026, 2, 27), 0, date(2026, 1, 31), date(2026, 2, 28)),
            (date(2026, 2, 28), 1, date(2026, 2, 28), date(2026, 3, 31)),
            (date(2026, 3, 30), 1, date(2026, 2, 28), date(2026, 3, 31)),
            (date(2026, 3, 31), 2, date(2026, 3, 31), date(2026, 4, 30)),
        ] {
            let p = current_period(first, PlanKind::Monthly, on).unwrap();
            assert_eq!((p.index, p.start, p.next), (index, start, next), "on {on}");
        }
        assert_eq!(
            current_period(first, PlanKind::Monthly, date(2026, 1, 30)),
            None
        );
        let p = current_period(date(2025, 6, 15), PlanKind::Annual, date(2026, 2, 1)).unwrap();
        assert_eq!((p.start, p.next), (date(2025, 6, 15), date(2026, 6, 15)));
    }

    #[test]
    fn business_days_skip_weekends_and_holidays() {
        let cal = us_calendar();
        for (from, n, want) in [
            (date(2026, 3, 9), 5, date(2026, 3, 2)), // policy-spec's own example
            (date(2026, 6, 1), 5, date(2026, 5, 22)), // Memorial Day May 25 skipped
            (date(2026, 11, 30), 2, date(2026, 11, 25)), // Thanksgiving Nov 26 and the weekend
            (date(2026, 3, 9), 0, date(2026, 3, 9)),
        ] {
            assert_eq!(cal.business_days_before(from, n), want, "{from} - {n}");
        }
    }

    #[test]
    fn request_date_is_taken_in_the_vendor_zone() {
        let cal = us_calendar();
        // 03:30 UTC on Apr 1 is still Mar 31 in New York (late evening local = next day UTC).
        assert_eq!(
            cal.local_date("2026-04-01T03:30:00Z".parse().unwrap()),
            date(2026, 3, 31)
        );
        assert_eq!(
            cal.local_date("2026-04-01T04:30:00Z".parse().unwrap()),
            date(2026, 4, 1)
        );
        let tehran = Calendar {
            zone: TimeZone::get("Asia/Tehran").unwrap(),
            ..cal
        };
        assert_eq!(
            tehran.local_date("2026-04-10T21:00:00Z".parse().unwrap()),
            date(2026, 4, 11)
        );
    }

    #[test]
    fn next_opening_skips_closed_days() {
        let cal = us_calendar();
        let at = |s: &str| -> Timestamp { s.parse().unwrap() };
        // Wed Nov 25 2026, 18:00 local: closed; Thu is Thanksgiving → Fri 09:00.
        match cal.next_opening(at("2026-11-25T23:00:00Z")) {
            Some(Opening::Next(z)) => assert_eq!(z.datetime().to_string(), "2026-11-27T09:00:00"),
            other => panic!("{other:?}"),
        }
        match cal.next_opening(at("2026-11-24T15:00:00Z")) {
            Some(Opening::OpenNow { until }) => assert_eq!(until.time(), time(17, 0, 0, 0)),
            other => panic!("{other:?}"),
        }
        let closed = Calendar {
            hours: vec![],
            ..cal
        };
        assert_eq!(closed.next_opening(at("2026-11-24T15:00:00Z")), None);
    }
}
