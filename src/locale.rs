//! Dates and money as each reply language writes them, from CLDR data compiled into ICU4X:
//! "30. Juni 2026", "30 de junio de 2026", "49,00 USD", "USD 49,00". Pure.
//!
//! Amounts carry the ISO code, never a symbol: "$" is the dollar of a dozen countries, and a
//! reply states facts. Where the code goes (before or after the number) and the separators
//! are CLDR's currency pattern for the locale, through ICU4X's currency formatter (in
//! `icu_experimental`, as ICU4X 2.x keeps currency formatting there).
//!
//! Portuguese is CLDR's `pt` (Brazilian conventions): see docs/languages.md.

use fixed_decimal::Decimal;
use icu_datetime::input::{Date as IcuDate, DateTime as IcuDateTime, Time as IcuTime};
use icu_datetime::{DateTimeFormatter, NoCalendarFormatter, fieldsets};
use icu_experimental::dimension::currency::CurrencyType;
use icu_experimental::dimension::currency::formatter::CurrencyFormatter;
use icu_locale_core::Locale;
use jiff::civil;

use crate::language::Lang;
use crate::money::{Currency, Money};

/// Why a value could not be formatted; the render then fails and the message goes to people.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct LocaleError(String);

fn locale(lang: Lang) -> Locale {
    // Every code is a valid BCP 47 language subtag.
    lang.code()
        .parse()
        .unwrap_or(icu_locale_core::locale!("en"))
}

fn icu_date(d: civil::Date) -> Result<IcuDate<icu_calendar::Iso>, LocaleError> {
    IcuDate::try_new_iso(i32::from(d.year()), d.month() as u8, d.day() as u8)
        .map_err(|e| LocaleError(format!("date {d} out of range: {e:?}")))
}

fn icu_time(t: civil::Time) -> Result<IcuTime, LocaleError> {
    IcuTime::try_new(t.hour() as u8, t.minute() as u8, 0, 0)
        .map_err(|e| LocaleError(format!("time {t} out of range: {e:?}")))
}

fn data_error(e: impl std::fmt::Debug) -> LocaleError {
    LocaleError(format!("no locale data: {e:?}"))
}

/// A date written out: "June 30, 2026", "30. Juni 2026", "30 juin 2026".
///
/// # Errors
/// A date ICU4X cannot represent, or missing locale data.
pub fn date(lang: Lang, d: civil::Date) -> Result<String, LocaleError> {
    let f = DateTimeFormatter::try_new(locale(lang).into(), fieldsets::YMD::long())
        .map_err(data_error)?;
    Ok(f.format(&icu_date(d)?).to_string())
}

/// A date and a time of day: "30. Juni 2026 um 14:05", "30 juin 2026 à 14:05".
///
/// # Errors
/// As [`date`].
pub fn date_time(lang: Lang, dt: civil::DateTime) -> Result<String, LocaleError> {
    let f = DateTimeFormatter::try_new(locale(lang).into(), fieldsets::YMD::long().with_time_hm())
        .map_err(data_error)?;
    let value = IcuDateTime {
        date: icu_date(dt.date())?,
        time: icu_time(dt.time())?,
    };
    Ok(f.format(&value).to_string())
}

/// A weekday, date and time: "Dienstag, 30. Juni 2026 um 09:00".
///
/// # Errors
/// As [`date`].
pub fn weekday_date_time(lang: Lang, dt: civil::DateTime) -> Result<String, LocaleError> {
    let f = DateTimeFormatter::try_new(locale(lang).into(), fieldsets::YMDE::long().with_time_hm())
        .map_err(data_error)?;
    let value = IcuDateTime {
        date: icu_date(dt.date())?,
        time: icu_time(dt.time())?,
    };
    Ok(f.format(&value).to_string())
}

/// A time of day: "5:00 PM", "17:00".
///
/// # Errors
/// As [`date`].
pub fn time(lang: Lang, t: civil::Time) -> Result<String, LocaleError> {
    let f = NoCalendarFormatter::try_new(locale(lang).into(), fieldsets::T::hm())
        .map_err(data_error)?;
    Ok(f.format(&icu_time(t)?).to_string())
}

/// An amount with its ISO code where the locale puts it: "USD 49.00", "49,00 USD",
/// "1.249,00 USD", "USD 1.249,00" (Dutch, Portuguese).
///
/// # Errors
/// A currency code ICU4X does not know, or missing locale data.
pub fn money(lang: Lang, amount: Money) -> Result<String, LocaleError> {
    let code = CurrencyType::try_from_str(amount.currency().code())
        .map_err(|e| LocaleError(format!("currency {}: {e:?}", amount.currency())))?;
    let f = CurrencyFormatter::try_new_code(locale(lang).into(), code, Default::default())
        .map_err(data_error)?;
    let mut value = Decimal::from(amount.minor());
    let decimals = i16::try_from(amount.currency().decimals()).unwrap_or(0);
    value.multiply_pow10(-decimals);
    Ok(f.format_fixed_decimal(&value).to_string())
}

/// Reads an amount as the decision fields write it, `"49.00 USD"`.
///
/// # Errors
/// Anything else.
pub fn parse_amount(text: &str) -> Result<Money, LocaleError> {
    let bad = || {
        LocaleError(format!(
            "expected an amount such as \"49.00 USD\", found {text:?}"
        ))
    };
    let (number, code) = text.trim().split_once(' ').ok_or_else(bad)?;
    let currency = Currency::from_code(code).ok_or_else(bad)?;
    Money::parse(number, currency).map_err(|_| bad())
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date as d;

    // What CLDR writes, spelled out here: a change of the data is a visible test failure.
    // U+00A0 and U+202F are the no-break spaces CLDR puts between number and code.
    #[test]
    fn long_dates_per_language() {
        let cases = [
            (Lang::En, "June 30, 2026"),
            (Lang::De, "30. Juni 2026"),
            (Lang::Es, "30 de junio de 2026"),
            (Lang::Fr, "30 juin 2026"),
            (Lang::Pt, "30 de junho de 2026"),
            (Lang::It, "30 giugno 2026"),
            (Lang::Nl, "30 juni 2026"),
        ];
        for (lang, want) in cases {
            assert_eq!(date(lang, d(2026, 6, 30)).unwrap(), want, "{lang}");
        }
    }

    #[test]
    fn dates_with_times_per_language() {
        let at = d(2026, 3, 2).at(9, 5, 0, 0);
        let cases = [
            (Lang::En, "March 2, 2026 at 9:05\u{202f}AM"),
            (Lang::De, "2. März 2026 um 09:05"),
            (Lang::Fr, "2 mars 2026 à 09:05"),
            (Lang::Nl, "2 maart 2026 om 09:05"),
        ];
        for (lang, want) in cases {
            assert_eq!(date_time(lang, at).unwrap(), want, "{lang}");
        }
        assert_eq!(
            weekday_date_time(Lang::De, at).unwrap(),
            "Montag, 2. März 2026 um 09:05"
        );
        assert_eq!(time(Lang::It, at.time()).unwrap(), "09:05");
    }

    #[test]
    fn money_with_code_where_the_locale_puts_it() {
        let usd = Currency::from_code("USD").unwrap();
        let irr = Currency::from_code("IRR").unwrap();
        let cases = [
            (
                Lang::En,
                Money::from_minor(124_900, usd),
                "USD\u{a0}1,249.00",
            ),
            (
                Lang::De,
                Money::from_minor(124_900, usd),
                "1.249,00\u{a0}USD",
            ),
            (Lang::De, Money::from_minor(4_900, usd), "49,00\u{a0}USD"),
            // CLDR: Spanish and Italian group only from five digits.
            (
                Lang::Es,
                Money::from_minor(124_900, usd),
                "1249,00\u{a0}USD",
            ),
            (
                Lang::Fr,
                Money::from_minor(124_900, usd),
                "1\u{202f}249,00\u{a0}USD",
            ),
            (
                Lang::Pt,
                Money::from_minor(124_900, usd),
                "USD\u{a0}1.249,00",
            ),
            (Lang::It, Money::from_minor(4_900, usd), "49,00\u{a0}USD"),
            (Lang::Nl, Money::from_minor(4_900, usd), "USD\u{a0}49,00"),
            (
                Lang::De,
                Money::from_minor(1_200_000, irr),
                "1.200.000\u{a0}IRR",
            ),
        ];
        for (lang, amount, want) in cases {
            assert_eq!(money(lang, amount).unwrap(), want, "{lang} {amount}");
        }
    }

    #[test]
    fn amounts_parse_as_the_decision_writes_them() {
        let usd = Currency::from_code("USD").unwrap();
        assert_eq!(
            parse_amount("49.00 USD").unwrap(),
            Money::from_minor(4900, usd)
        );
        for bad in ["49.00", "USD 49.00", "49,00 USD", "49.00 XYZ", ""] {
            assert!(parse_amount(bad).is_err(), "{bad:?}");
        }
    }
}
