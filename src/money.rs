//! Amounts of money in an account's currency, held as whole minor units so that sums and
//! prorating never meet floating point.

use std::fmt;

/// A currency known by its ISO 4217 code, with the number of decimals of its minor unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Currency {
    code: &'static str,
    decimals: u32,
}

/// ISO 4217 codes we accept, with their minor-unit exponents. A code not listed here is an
/// input error rather than a guess, since a wrong exponent would misstate an amount a hundredfold.
const CURRENCIES: &[(&str, u32)] = &[
    ("AED", 2),
    ("AUD", 2),
    ("BRL", 2),
    ("CAD", 2),
    ("CHF", 2),
    ("CNY", 2),
    ("CZK", 2),
    ("DKK", 2),
    ("EUR", 2),
    ("GBP", 2),
    ("HKD", 2),
    ("HUF", 2),
    ("IDR", 2),
    ("ILS", 2),
    ("INR", 2),
    ("IRR", 0),
    ("ISK", 0),
    ("JPY", 0),
    ("KRW", 0),
    ("KWD", 3),
    ("MXN", 2),
    ("NOK", 2),
    ("NZD", 2),
    ("PLN", 2),
    ("RON", 2),
    ("SAR", 2),
    ("SEK", 2),
    ("SGD", 2),
    ("TRY", 2),
    ("TWD", 2),
    ("UAH", 2),
    ("USD", 2),
    ("ZAR", 2),
];

impl Currency {
    /// Looks up an ISO 4217 code (case-insensitive).
    pub fn from_code(code: &str) -> Option<Currency> {
        let code = code.trim();
        CURRENCIES
            .iter()
            .find(|(c, _)| c.eq_ignore_ascii_case(code))
            .map(|&(code, decimals)| Currency { code, decimals })
    }

    /// The upper-case ISO 4217 code.
    pub fn code(&self) -> &'static str {
        self.code
    }

    /// Digits after the decimal point in this currency (2 for USD, 0 for IRR).
    pub fn decimals(&self) -> u32 {
        self.decimals
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code)
    }
}

/// An amount in minor units of a currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Money {
    minor: i64,
    currency: Currency,
}

/// Why a decimal string is not an amount in a currency.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    #[error("expected a decimal amount such as \"49.00\", found {0:?}")]
    NotDecimal(String),
    #[error("{found:?} has more decimals than {currency} allows ({decimals})")]
    TooPrecise {
        found: String,
        currency: Currency,
        decimals: u32,
    },
    #[error("amount {0:?} is too large")]
    TooLarge(String),
}

impl Money {
    /// An amount from minor units (cents for USD).
    pub fn from_minor(minor: i64, currency: Currency) -> Money {
        Money { minor, currency }
    }

    /// Parses a non-negative decimal string such as `"49.00"`, `"49"` or `"1500000"`.
    ///
    /// # Errors
    /// A string that is not a plain decimal, is negative, or has more decimals than the
    /// currency's minor unit.
    ///
    /// # Examples
    /// ```
    /// use mailclerk::money::{Currency, Money};
    /// let usd = Currency::from_code("USD").unwrap();
    /// assert_eq!(Money::parse("49.5", usd).unwrap().to_string(), "49.50");
    /// ```
    pub fn parse(text: &str, currency: Currency) -> Result<Money, MoneyError> {
        let t = text.trim();
        let (int, frac) = t.split_once('.').unwrap_or((t, ""));
        let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if int.is_empty() || !digits(int) || !digits(frac) || (t.contains('.') && frac.is_empty()) {
            return Err(MoneyError::NotDecimal(text.to_string()));
        }
        let frac = frac.trim_end_matches('0');
        if frac.len() as u32 > currency.decimals {
            return Err(MoneyError::TooPrecise {
                found: text.to_string(),
                currency,
                decimals: currency.decimals,
            });
        }
        let scale = 10i64.pow(currency.decimals);
        let frac_minor = if frac.is_empty() {
            0
        } else {
            let f: i64 = frac
                .parse()
                .map_err(|_| MoneyError::TooLarge(text.to_string()))?;
            f * 10i64.pow(currency.decimals - frac.len() as u32)
        };
        int.parse::<i64>()
            .ok()
            .and_then(|i| i.checked_mul(scale))
            .and_then(|i| i.checked_add(frac_minor))
            .map(|minor| Money { minor, currency })
            .ok_or_else(|| MoneyError::TooLarge(text.to_string()))
    }

    /// The amount in minor units.
    pub fn minor(&self) -> i64 {
        self.minor
    }

    /// The currency.
    pub fn currency(&self) -> Currency {
        self.currency
    }

    /// `self × num / den`, rounded half-up to the minor unit (policy-spec "prorated refund").
    /// `den` must be positive.
    pub fn prorate(&self, num: i64, den: i64) -> Money {
        assert!(den > 0, "prorate by a non-positive denominator");
        let n = i128::from(self.minor) * i128::from(num);
        let d = i128::from(den);
        let minor = (2 * n + d).div_euclid(2 * d);
        Money {
            minor: minor as i64,
            currency: self.currency,
        }
    }
}

impl fmt::Display for Money {
    /// The bare decimal, as the acceptance scenarios write it: `49.00`, `1500000`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let d = self.currency.decimals;
        if d == 0 {
            return write!(f, "{}", self.minor);
        }
        let scale = 10i64.pow(d);
        let sign = if self.minor < 0 { "-" } else { "" };
        let abs = self.minor.abs();
        write!(
            f,
            "{sign}{}.{:0width$}",
            abs / scale,
            abs % scale,
            width = d as usize
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn usd() -> Currency {
        Currency::from_code("usd").unwrap()
    }

    #[test]
    fn parses_and_prints_in_minor_units() {
        for (text, minor, shown) in [
            ("49.00", 4900, "49.00"),
            ("49", 4900, "49.00"),
            ("0.5", 50, "0.50"),
        ] {
            let m = Money::parse(text, usd()).unwrap();
            assert_eq!(
                (m.minor(), m.to_string().as_str()),
                (minor, shown),
                "{text}"
            );
        }
        let irr = Currency::from_code("IRR").unwrap();
        assert_eq!(Money::parse("1500000", irr).unwrap().to_string(), "1500000");
    }

    #[test]
    fn rejects_what_is_not_an_amount() {
        for bad in ["", "-1", "4,9", "49.", ".5", "1e3", "49.001", "abc"] {
            assert!(Money::parse(bad, usd()).is_err(), "{bad:?} accepted");
        }
        let irr = Currency::from_code("IRR").unwrap();
        assert!(matches!(
            Money::parse("1.5", irr),
            Err(MoneyError::TooPrecise { .. })
        ));
        assert!(Currency::from_code("XXX").is_none());
    }

    #[test]
    fn prorates_half_up() {
        let m = Money::parse("100.00", usd()).unwrap();
        assert_eq!(m.prorate(1, 3).to_string(), "33.33");
        assert_eq!(m.prorate(2, 3).to_string(), "66.67");
        let m = Money::parse("0.01", usd()).unwrap();
        assert_eq!(m.prorate(1, 2).to_string(), "0.01"); // half rounds up
    }
}
