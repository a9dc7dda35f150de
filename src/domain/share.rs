//! A share of a whole (0 to 1), exact to six decimal places, sent as a decimal string.

use std::fmt;

/// Parts per million: 1 = 1_000_000.
pub const ONE: i64 = 1_000_000;
const DECIMALS: usize = 6;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Share(i64);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ShareError {
    #[error("must be a decimal string between 0 and 1, e.g. \"0.30\"")]
    Invalid,
    #[error("at most six decimal places")]
    TooPrecise,
    #[error("must be between 0 and 1")]
    OutOfRange,
}

impl ShareError {
    pub fn code(&self) -> &'static str {
        match self {
            ShareError::Invalid => "invalid_share",
            ShareError::TooPrecise => "too_many_decimals",
            ShareError::OutOfRange => "share_out_of_range",
        }
    }
}

impl Share {
    pub fn from_ppm(ppm: i64) -> Share {
        Share(ppm)
    }

    pub fn ppm(self) -> i64 {
        self.0
    }

    pub fn parse(s: &str) -> Result<Share, ShareError> {
        let (whole, frac) = super::wire::decimal(s, 1).ok_or(ShareError::Invalid)?;
        if frac.len() > DECIMALS {
            return Err(ShareError::TooPrecise);
        }
        let whole: i64 = whole.parse().map_err(|_| ShareError::Invalid)?;
        let frac: i64 = if frac.is_empty() {
            0
        } else {
            format!("{frac:0<DECIMALS$}")
                .parse()
                .map_err(|_| ShareError::Invalid)?
        };
        let ppm = whole * ONE + frac;
        if ppm > ONE {
            return Err(ShareError::OutOfRange);
        }
        Ok(Share(ppm))
    }
}

impl fmt::Display for Share {
    /// At least two decimals, trailing zeros beyond them trimmed: `0.30`, `0.333333`, `1.00`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let frac = format!("{:06}", self.0 % ONE);
        let trimmed = frac.trim_end_matches('0');
        let frac = if trimmed.len() < 2 {
            &frac[..2]
        } else {
            trimmed
        };
        write!(f, "{}.{}", self.0 / ONE, frac)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_parse_and_print_exactly() {
        assert_eq!(Share::parse("0.30").unwrap().ppm(), 300_000);
        assert_eq!(Share::parse("1").unwrap().to_string(), "1.00");
        assert_eq!(Share::parse("0.333333").unwrap().to_string(), "0.333333");
        assert_eq!(Share::parse("0.3").unwrap().to_string(), "0.30");
        assert_eq!(Share::parse("1.5"), Err(ShareError::OutOfRange));
        assert_eq!(Share::parse("0.1234567"), Err(ShareError::TooPrecise));
        assert_eq!(Share::parse("-0.1"), Err(ShareError::Invalid));
        assert_eq!(Share::parse("abc"), Err(ShareError::Invalid));
        assert_eq!(Share::parse("00.5"), Err(ShareError::Invalid));
        assert_eq!(Share::parse("2"), Err(ShareError::OutOfRange));
    }
}
