//! Money: integer minor units and an ISO 4217 currency, never a float.
//!
//! On the wire it is `{"amount": "1500000.00", "currency": "EUR"}`: the amount a decimal
//! string with at most the currency's minor units. Arithmetic is checked: an overflow is an
//! error, never a wrap.

use std::collections::HashMap;
use std::fmt;
use std::sync::LazyLock;

use serde::{Deserialize, Serialize};

use super::wire;
use utoipa::ToSchema;

/// Whole digits an amount may have (fourteen, with up to four decimals, fits i64).
pub const MAX_WHOLE_DIGITS: usize = 14;
/// Whole digits of a project's seed budget: below one billion USD.
pub const MAX_BUDGET_WHOLE_DIGITS: usize = 9;

static CURRENCIES: LazyLock<HashMap<&'static str, u32>> = LazyLock::new(|| {
    include_str!("../../reference/iso4217.csv")
        .lines()
        .skip(1)
        .filter_map(|line| {
            let mut parts = line.splitn(3, ',');
            let code = parts.next()?;
            let exponent = parts.next()?.parse().ok()?;
            Some((code, exponent))
        })
        .collect()
});

/// Every active currency code, sorted.
pub fn currency_codes() -> Vec<&'static str> {
    let mut codes: Vec<&'static str> = CURRENCIES.keys().copied().collect();
    codes.sort_unstable();
    codes
}

/// An active ISO 4217 currency code with its number of minor units.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Currency {
    code: &'static str,
    exponent: u32,
}

impl Currency {
    pub const USD: Currency = Currency {
        code: "USD",
        exponent: 2,
    };

    pub fn parse(code: &str) -> Option<Currency> {
        CURRENCIES
            .get_key_value(code)
            .map(|(code, exponent)| Currency {
                code,
                exponent: *exponent,
            })
    }

    pub fn code(self) -> &'static str {
        self.code
    }

    pub fn exponent(self) -> u32 {
        self.exponent
    }
}

/// Why an amount was refused; each has its own stable code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    #[error("amount must be a decimal string such as \"1500.00\", not a JSON number")]
    NotAString,
    #[error("amount must be a plain decimal such as \"1500.00\"")]
    InvalidAmount,
    #[error("{currency} has {allowed} decimal places")]
    TooManyDecimals {
        currency: &'static str,
        allowed: u32,
    },
    #[error("amount must not be negative")]
    Negative,
    #[error("amount is too large")]
    OutOfRange,
    #[error("{0:?} is not an ISO 4217 currency code")]
    UnknownCurrency(String),
    #[error("must be in {expected}")]
    WrongCurrency { expected: &'static str },
}

impl MoneyError {
    pub fn code(&self) -> &'static str {
        match self {
            MoneyError::NotAString => "amount_not_a_string",
            MoneyError::InvalidAmount => "invalid_amount",
            MoneyError::TooManyDecimals { .. } => "too_many_decimals",
            MoneyError::Negative => "negative_amount",
            MoneyError::OutOfRange => "amount_out_of_range",
            MoneyError::UnknownCurrency(_) => "unknown_currency",
            MoneyError::WrongCurrency { .. } => "wrong_currency",
        }
    }
}

/// An exact amount of one currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Money {
    minor: i64,
    currency: Currency,
}

/// Money as it travels in JSON.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"amount": "100000.00", "currency": "USD"}))]
pub struct MoneyDto {
    /// Decimal string with at most the currency's minor units.
    pub amount: String,
    /// ISO 4217 code.
    pub currency: String,
}

impl Money {
    pub fn from_minor(minor: i64, currency: Currency) -> Self {
        Money { minor, currency }
    }

    pub fn usd_cents(cents: i64) -> Self {
        Money {
            minor: cents,
            currency: Currency::USD,
        }
    }

    pub fn minor(self) -> i64 {
        self.minor
    }

    pub fn currency(self) -> Currency {
        self.currency
    }

    /// Parses a decimal string in `currency` ([`wire::patterns::AMOUNT`]); negative amounts
    /// are refused.
    pub fn parse(amount: &str, currency: &str) -> Result<Money, MoneyError> {
        Money::parse_within(amount, currency, MAX_WHOLE_DIGITS)
    }

    /// Parses a USD amount of at most `whole_max` whole digits ([`wire::patterns::USD_AMOUNT`],
    /// [`wire::patterns::BUDGET`]).
    pub fn parse_usd(amount: &str, currency: &str, whole_max: usize) -> Result<Money, MoneyError> {
        let money = Money::parse_within(amount, currency, whole_max)?;
        if money.currency != Currency::USD {
            return Err(MoneyError::WrongCurrency { expected: "USD" });
        }
        Ok(money)
    }

    fn parse_within(amount: &str, currency: &str, whole_max: usize) -> Result<Money, MoneyError> {
        let currency = Currency::parse(currency)
            .ok_or_else(|| MoneyError::UnknownCurrency(currency.to_owned()))?;
        if let Some(rest) = amount.strip_prefix('-')
            && wire::decimal(rest, usize::MAX).is_some()
        {
            return Err(MoneyError::Negative);
        }
        let (whole, frac) = wire::decimal(amount, usize::MAX).ok_or(MoneyError::InvalidAmount)?;
        if whole.len() > whole_max {
            return Err(MoneyError::OutOfRange);
        }
        if frac.len() > currency.exponent as usize {
            return Err(MoneyError::TooManyDecimals {
                currency: currency.code,
                allowed: currency.exponent,
            });
        }
        let scale = 10i64.pow(currency.exponent);
        let whole: i64 = whole.parse().map_err(|_| MoneyError::OutOfRange)?;
        let frac_value: i64 = if frac.is_empty() {
            0
        } else {
            let padded = format!("{frac:0<width$}", width = currency.exponent as usize);
            padded.parse().map_err(|_| MoneyError::InvalidAmount)?
        };
        let minor = whole
            .checked_mul(scale)
            .and_then(|m| m.checked_add(frac_value))
            .ok_or(MoneyError::OutOfRange)?;
        Ok(Money { minor, currency })
    }

    pub fn checked_add(self, other: Money) -> Option<Money> {
        if self.currency != other.currency {
            return None;
        }
        Some(Money {
            minor: self.minor.checked_add(other.minor)?,
            currency: self.currency,
        })
    }

    pub fn amount_string(self) -> String {
        let exp = self.currency.exponent;
        if exp == 0 {
            return self.minor.to_string();
        }
        let scale = 10u64.pow(exp);
        let abs = self.minor.unsigned_abs();
        let sign = if self.minor < 0 { "-" } else { "" };
        format!(
            "{sign}{}.{:0width$}",
            abs / scale,
            abs % scale,
            width = exp as usize
        )
    }

    pub fn to_dto(self) -> MoneyDto {
        MoneyDto {
            amount: self.amount_string(),
            currency: self.currency.code.to_owned(),
        }
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.currency.code, self.amount_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_parse_to_exact_minor_units() {
        assert_eq!(
            Money::parse("1500000.00", "EUR").unwrap().minor(),
            150_000_000
        );
        assert_eq!(Money::parse("12.5", "USD").unwrap().minor(), 1250);
        assert_eq!(Money::parse("100", "JPY").unwrap().minor(), 100);
        assert_eq!(Money::parse("1.234", "KWD").unwrap().minor(), 1234);
        assert_eq!(Money::parse("0.07", "USD").unwrap().amount_string(), "0.07");
        assert_eq!(Money::parse("100", "JPY").unwrap().amount_string(), "100");
    }

    #[test]
    fn bad_amounts_each_have_their_own_code() {
        let code = |a: &str, c: &str| Money::parse(a, c).unwrap_err().code();
        assert_eq!(code("1.005", "USD"), "too_many_decimals");
        assert_eq!(code("1.5", "JPY"), "too_many_decimals");
        assert_eq!(code("-1.00", "USD"), "negative_amount");
        assert_eq!(code("1e5", "USD"), "invalid_amount");
        assert_eq!(code("1.", "USD"), "invalid_amount");
        assert_eq!(code(".5", "USD"), "invalid_amount");
        assert_eq!(code("", "USD"), "invalid_amount");
        assert_eq!(code("1.00", "XYZ"), "unknown_currency");
        assert_eq!(code("99999999999999999999", "USD"), "amount_out_of_range");
        assert_eq!(code("92233720368547758.08", "USD"), "amount_out_of_range");
        assert_eq!(
            Money::parse_usd("1.00", "EUR", MAX_BUDGET_WHOLE_DIGITS)
                .unwrap_err()
                .code(),
            "wrong_currency"
        );
        assert_eq!(
            Money::parse_usd("1000000000", "USD", MAX_BUDGET_WHOLE_DIGITS)
                .unwrap_err()
                .code(),
            "amount_out_of_range"
        );
        assert_eq!(
            Money::parse_usd("999999999.99", "USD", MAX_BUDGET_WHOLE_DIGITS)
                .unwrap()
                .minor(),
            99_999_999_999
        );
        assert_eq!(code("+1", "USD"), "invalid_amount");
        assert_eq!(code("123456789012345", "USD"), "amount_out_of_range");
    }

    #[test]
    fn addition_is_checked() {
        let max = Money::usd_cents(i64::MAX);
        assert_eq!(max.checked_add(Money::usd_cents(1)), None);
        let eur = Money::parse("1", "EUR").unwrap();
        assert_eq!(Money::usd_cents(1).checked_add(eur), None);
    }
}
