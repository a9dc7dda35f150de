//! Exchange rates, conversion to USD, partial dates, ratios and exact splits.
//!
//! Rates are decimal strings (USD per unit of the currency) kept exactly as integers scaled by
//! 10^10. Conversions round half-even to the cent; splits hand out the remainder by largest
//! remainder so the parts always add up to the whole.

use std::fmt;

use super::money::Money;

const RATE_SCALE: i128 = 10_000_000_000;
const RATE_DECIMALS: usize = 10;

/// A calendar month, `2019-06`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Month {
    pub year: i32,
    pub month: u32,
}

impl Month {
    /// `2019-06` ([`super::wire::patterns::MONTH`]).
    pub fn parse(s: &str) -> Option<Month> {
        let (y, m) = s.split_once('-')?;
        if !super::wire::digits(y, 4) || !super::wire::digits(m, 2) {
            return None;
        }
        let (year, month) = (y.parse().ok()?, m.parse().ok()?);
        ((1900..=2200).contains(&year) && (1..=12).contains(&month))
            .then_some(Month { year, month })
    }

    /// Months since year 0, so that "within 12 months" is a subtraction.
    pub fn index(self) -> i32 {
        self.year * 12 + i32::try_from(self.month).unwrap_or(1) - 1
    }
}

impl fmt::Display for Month {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

/// USD per unit of a currency, exact to 10 decimal places.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rate(i64);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RateError {
    #[error("must be a positive decimal string such as \"1.12\"")]
    Invalid,
    #[error("at most 10 decimal places")]
    TooPrecise,
}

impl RateError {
    pub fn code(&self) -> &'static str {
        match self {
            RateError::Invalid => "invalid_rate",
            RateError::TooPrecise => "too_many_decimals",
        }
    }
}

impl Rate {
    pub fn from_e10(v: i64) -> Rate {
        Rate(v)
    }

    pub fn e10(self) -> i64 {
        self.0
    }

    /// A positive decimal string ([`super::wire::patterns::RATE`]).
    pub fn parse(s: &str) -> Result<Rate, RateError> {
        let (whole, frac) = super::wire::decimal(s, 8).ok_or(RateError::Invalid)?;
        if frac.len() > RATE_DECIMALS {
            return Err(RateError::TooPrecise);
        }
        let whole: i64 = whole.parse().map_err(|_| RateError::Invalid)?;
        let frac: i64 = if frac.is_empty() {
            0
        } else {
            format!("{frac:0<RATE_DECIMALS$}")
                .parse()
                .map_err(|_| RateError::Invalid)?
        };
        let v = whole * 10_000_000_000 + frac;
        if v == 0 {
            Err(RateError::Invalid)
        } else {
            Ok(Rate(v))
        }
    }

    /// The amount in USD cents, rounded half-even; `None` on overflow.
    pub fn to_usd_cents(self, amount: Money) -> Option<i64> {
        let exp = amount.currency().exponent();
        let num = i128::from(amount.minor())
            .checked_mul(i128::from(self.0))?
            .checked_mul(100)?;
        let den = RATE_SCALE * 10i128.pow(exp);
        i64::try_from(div_half_even(num, den)).ok()
    }
}

impl fmt::Display for Rate {
    /// At least two decimals: `1.12`, `0.0067`, `1.00`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let frac = format!("{:010}", self.0 % 10_000_000_000);
        let trimmed = frac.trim_end_matches('0');
        let frac = if trimmed.len() < 2 {
            &frac[..2]
        } else {
            trimmed
        };
        write!(f, "{}.{}", self.0 / 10_000_000_000, frac)
    }
}

/// `num / den` rounded half to even (banker's rounding); `den` > 0.
pub fn div_half_even(num: i128, den: i128) -> i128 {
    let q = num.div_euclid(den);
    let r = num.rem_euclid(den);
    match (2 * r).cmp(&den) {
        std::cmp::Ordering::Less => q,
        std::cmp::Ordering::Greater => q + 1,
        std::cmp::Ordering::Equal => q + (q & 1),
    }
}

/// `a / b` as a decimal string with two places (half-even); `None` when `b` is zero.
pub fn ratio(a: i64, b: i64) -> Option<String> {
    if b == 0 {
        return None;
    }
    let hundredths = div_half_even(i128::from(a) * 100, i128::from(b));
    let sign = if hundredths < 0 { "-" } else { "" };
    let abs = hundredths.abs();
    Some(format!("{sign}{}.{:02}", abs / 100, abs % 100))
}

/// Splits `total` by `weights` exactly: each part is floored, and the cents left over go
/// to the largest remainders (ties to the earlier weight). The parts always sum to `total`.
pub fn split(total: i64, weights: &[i64]) -> Vec<i64> {
    let sum: i128 = weights.iter().map(|w| i128::from(*w)).sum();
    if sum == 0 || weights.is_empty() {
        return vec![0; weights.len()];
    }
    let mut parts: Vec<(i64, i128, usize)> = weights
        .iter()
        .enumerate()
        .map(|(i, w)| {
            let exact = i128::from(total) * i128::from(*w);
            (
                i64::try_from(exact.div_euclid(sum)).unwrap_or(0),
                exact.rem_euclid(sum),
                i,
            )
        })
        .collect();
    let mut left = total - parts.iter().map(|p| p.0).sum::<i64>();
    let mut order: Vec<usize> = (0..parts.len()).collect();
    order.sort_by(|a, b| parts[*b].1.cmp(&parts[*a].1).then(a.cmp(b)));
    for i in order {
        if left == 0 {
            break;
        }
        parts[i].0 += 1;
        left -= 1;
    }
    parts.into_iter().map(|p| p.0).collect()
}

/// A date given as a year, a month or a day: `2021`, `2021-06`, `2021-06-03`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartialDate {
    pub text: String,
    /// The first day it covers (for range filters).
    pub start: chrono::NaiveDate,
    /// The month whose exchange rate applies: the month itself, or December for a year alone.
    pub value_month: Month,
}

impl PartialDate {
    /// `2021`, `2021-06` or `2021-06-03` ([`super::wire::patterns::PARTIAL_DATE`]); a day
    /// that does not exist (`2021-02-30`) is refused too.
    pub fn parse(s: &str) -> Option<PartialDate> {
        let (start, value_month) = match s.len() {
            4 => {
                if !super::wire::digits(s, 4) {
                    return None;
                }
                let year: i32 = s.parse().ok()?;
                (
                    chrono::NaiveDate::from_ymd_opt(year, 1, 1)?,
                    Month { year, month: 12 },
                )
            }
            7 => {
                let m = Month::parse(s)?;
                (chrono::NaiveDate::from_ymd_opt(m.year, m.month, 1)?, m)
            }
            10 => {
                let b = s.as_bytes();
                if b[4] != b'-' || b[7] != b'-' || !super::wire::digits(&s[8..], 2) {
                    return None;
                }
                let m = Month::parse(&s[..7])?;
                let day: u32 = s[8..].parse().ok()?;
                let d = chrono::NaiveDate::from_ymd_opt(m.year, m.month, day)?;
                (
                    d,
                    Month {
                        year: chrono::Datelike::year(&d),
                        month: chrono::Datelike::month(&d),
                    },
                )
            }
            _ => return None,
        };
        (1900..=2200)
            .contains(&value_month.year)
            .then(|| PartialDate {
                text: s.to_owned(),
                start,
                value_month,
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conversion_rounds_half_even_to_the_cent() {
        let rate = Rate::parse("1.12").unwrap();
        assert_eq!(
            rate.to_usd_cents(Money::parse("10000000", "EUR").unwrap()),
            Some(1_120_000_000)
        );
        let half = Rate::parse("0.5").unwrap();
        assert_eq!(
            half.to_usd_cents(Money::parse("0.01", "EUR").unwrap()),
            Some(0),
            "0.005 → 0.00 (even)"
        );
        assert_eq!(
            half.to_usd_cents(Money::parse("0.03", "EUR").unwrap()),
            Some(2),
            "0.015 → 0.02 (even)"
        );
        let yen = Rate::parse("0.0067").unwrap();
        assert_eq!(
            yen.to_usd_cents(Money::parse("1000", "JPY").unwrap()),
            Some(670)
        );
        let kwd = Rate::parse("3.25").unwrap();
        assert_eq!(
            kwd.to_usd_cents(Money::parse("1.001", "KWD").unwrap()),
            Some(325)
        );
        assert_eq!(
            Rate::parse("100000")
                .unwrap()
                .to_usd_cents(Money::from_minor(i64::MAX, Money::usd_cents(0).currency())),
            None
        );
    }

    #[test]
    fn rates_parse_exactly() {
        assert_eq!(Rate::parse("1.12").unwrap().to_string(), "1.12");
        assert_eq!(Rate::parse("0.0067").unwrap().e10(), 67_000_000);
        assert_eq!(Rate::parse("0").unwrap_err(), RateError::Invalid);
        assert_eq!(Rate::parse("-1").unwrap_err(), RateError::Invalid);
        assert_eq!(
            Rate::parse("1.12345678901").unwrap_err(),
            RateError::TooPrecise
        );
    }

    #[test]
    fn ratios_and_splits_are_exact() {
        assert_eq!(ratio(750, 100).as_deref(), Some("7.50"));
        assert_eq!(ratio(1, 3).as_deref(), Some("0.33"));
        assert_eq!(ratio(5, 0), None);
        assert_eq!(
            split(30_000_000, &[1, 1, 1]),
            [10_000_000, 10_000_000, 10_000_000]
        );
        assert_eq!(split(100, &[1, 1, 1]), [34, 33, 33]);
        assert_eq!(
            split(7, &[500_000, 300_000, 200_000]).iter().sum::<i64>(),
            7
        );
    }

    #[test]
    fn partial_dates_have_a_value_month() {
        assert_eq!(
            PartialDate::parse("2019").unwrap().value_month.to_string(),
            "2019-12"
        );
        assert_eq!(
            PartialDate::parse("2021-06")
                .unwrap()
                .value_month
                .to_string(),
            "2021-06"
        );
        assert_eq!(
            PartialDate::parse("2021-06-03").unwrap().start.to_string(),
            "2021-06-03"
        );
        for bad in ["21", "2021-13", "2021-02-30", "June"] {
            assert!(PartialDate::parse(bad).is_none(), "{bad}");
        }
    }
}
