//! Results frameworks: the levels of a result, indicator values as exact decimals, and the
//! achievement of an indicator (how far from its baseline towards its target it has come).

use std::fmt;

use crate::domain::fx::div_half_even;

crate::domain::funding::closed_enum!(
    /// The level of a result: an objective holds outcomes, an outcome holds outputs.
    ResultLevel {
        Objective => "objective",
        Outcome => "outcome",
        Output => "output",
    }
);

impl ResultLevel {
    /// The level a result of this level must hang under; `None` for the objective.
    pub fn parent(self) -> Option<ResultLevel> {
        match self {
            ResultLevel::Objective => None,
            ResultLevel::Outcome => Some(ResultLevel::Objective),
            ResultLevel::Output => Some(ResultLevel::Outcome),
        }
    }
}

crate::domain::funding::closed_enum!(
    /// How far a measurement can be trusted.
    Verification {
        Verified => "verified",
        Reported => "reported",
        NotVerifiable => "not_verifiable",
    }
);

crate::domain::funding::closed_enum!(
    /// Where an indicator stands against its target.
    Progress {
        Achieved => "achieved",
        OnTrack => "on_track",
        OffTrack => "off_track",
        NotAssessable => "not_assessable",
    }
);

/// Scale of [`Value`]: six decimal places.
const SCALE: i64 = 1_000_000;
const DECIMALS: usize = 6;
/// Whole digits a value may have.
const WHOLE_MAX: usize = 12;

/// An indicator value (baseline, target, measurement): an exact decimal with at most six
/// places and twelve whole digits, negative allowed (`"-3.5"`, `"1200"`, `"0.75"`).
/// Stored as millionths in a 64-bit integer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Value(i64);

/// The pattern of [`Value`] on the wire.
pub const VALUE_PATTERN: &str = r"^-?[0-9]{1,12}(\.[0-9]{1,6})?$";

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ValueError {
    #[error("must be a decimal string such as \"12.5\" or \"-3\" (at most 12 whole digits)")]
    Invalid,
    #[error("at most six decimal places")]
    TooPrecise,
}

impl ValueError {
    pub fn code(&self) -> &'static str {
        match self {
            ValueError::Invalid => "invalid_decimal",
            ValueError::TooPrecise => "too_many_decimals",
        }
    }
}

impl Value {
    pub fn from_micros(micros: i64) -> Value {
        Value(micros)
    }

    pub fn micros(self) -> i64 {
        self.0
    }

    pub fn parse(s: &str) -> Result<Value, ValueError> {
        let (negative, digits) = match s.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, s),
        };
        let (whole, frac) =
            crate::domain::wire::decimal(digits, WHOLE_MAX).ok_or(ValueError::Invalid)?;
        if frac.len() > DECIMALS {
            return Err(ValueError::TooPrecise);
        }
        let whole: i64 = whole.parse().map_err(|_| ValueError::Invalid)?;
        let frac: i64 = format!("{frac:0<DECIMALS$}")
            .parse()
            .map_err(|_| ValueError::Invalid)?;
        let magnitude = whole * SCALE + frac;
        Ok(Value(if negative { -magnitude } else { magnitude }))
    }
}

impl fmt::Display for Value {
    /// The shortest exact form: `12.5`, `-3`, `0.000001`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        let whole = abs / SCALE.unsigned_abs();
        let frac = abs % SCALE.unsigned_abs();
        if frac == 0 {
            return write!(f, "{sign}{whole}");
        }
        let frac = format!("{frac:06}");
        write!(f, "{sign}{whole}.{}", frac.trim_end_matches('0'))
    }
}

/// Places of an achievement figure.
const ACHIEVEMENT_PLACES: u32 = 4;

/// (latest − baseline) ÷ (target − baseline), exactly, rounded half-even to four places
/// (`"0.7500"` is three quarters of the way; `"-0.2500"` moved away from the target).
/// `None` where it cannot be computed: a value is missing, or the target equals the baseline.
pub fn achievement(
    baseline: Option<Value>,
    target: Option<Value>,
    latest: Option<Value>,
) -> Option<String> {
    let (b, t, l) = (baseline?.0, target?.0, latest?.0);
    let den = i128::from(t) - i128::from(b);
    if den == 0 {
        return None;
    }
    let num = (i128::from(l) - i128::from(b)) * 10i128.pow(ACHIEVEMENT_PLACES);
    // div_half_even wants a positive divisor.
    let q = if den > 0 {
        div_half_even(num, den)
    } else {
        div_half_even(-num, -den)
    };
    let unit = 10i128.pow(ACHIEVEMENT_PLACES);
    let sign = if q < 0 { "-" } else { "" };
    let abs = q.abs();
    Some(format!(
        "{sign}{}.{:0width$}",
        abs / unit,
        abs % unit,
        width = ACHIEVEMENT_PLACES as usize
    ))
}

/// Where an indicator stands: `achieved` at or past its target; otherwise `on_track` when its
/// achievement is at least the share of the baseline-to-target period that had passed when it
/// was last measured, `off_track` when below it; `not_assessable` without an achievement, or
/// (short of the target) without both period dates and a measurement date.
pub fn progress(
    baseline: Option<Value>,
    target: Option<Value>,
    latest: Option<Value>,
    period: Option<(chrono::NaiveDate, chrono::NaiveDate)>,
    measured_on: Option<chrono::NaiveDate>,
) -> Progress {
    let (Some(b), Some(t), Some(l)) = (baseline, target, latest) else {
        return Progress::NotAssessable;
    };
    let den = i128::from(t.0) - i128::from(b.0);
    if den == 0 {
        return Progress::NotAssessable;
    }
    // Achievement as the exact fraction num/den, with den made positive.
    let (num, den) = if den > 0 {
        (i128::from(l.0) - i128::from(b.0), den)
    } else {
        (i128::from(b.0) - i128::from(l.0), -den)
    };
    if num >= den {
        return Progress::Achieved;
    }
    let (Some((from, to)), Some(on)) = (period, measured_on) else {
        return Progress::NotAssessable;
    };
    let span = i128::from((to - from).num_days());
    if span <= 0 {
        return Progress::OffTrack;
    }
    let elapsed = i128::from((on - from).num_days()).clamp(0, span);
    // num/den >= elapsed/span, cross-multiplied (both denominators positive).
    if num * span >= elapsed * den {
        Progress::OnTrack
    } else {
        Progress::OffTrack
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> Option<Value> {
        Some(Value::parse(s).expect("a value"))
    }

    #[test]
    fn values_parse_exactly_and_print_shortest() {
        assert_eq!(Value::parse("12.5").unwrap().micros(), 12_500_000);
        assert_eq!(Value::parse("-3").unwrap().micros(), -3_000_000);
        assert_eq!(Value::parse("0.000001").unwrap().to_string(), "0.000001");
        assert_eq!(Value::parse("1200.50").unwrap().to_string(), "1200.5");
        assert_eq!(Value::parse("-0.25").unwrap().to_string(), "-0.25");
        assert_eq!(
            Value::parse("999999999999.999999").unwrap().to_string(),
            "999999999999.999999"
        );
        assert_eq!(Value::parse("1.0000001"), Err(ValueError::TooPrecise));
        for bad in [
            "",
            "1e3",
            "+1",
            "1.",
            ".5",
            "--1",
            "1,5",
            "1000000000000",
            "NaN",
        ] {
            assert_eq!(Value::parse(bad), Err(ValueError::Invalid), "{bad:?}");
        }
    }

    #[test]
    fn achievement_is_exact_and_rounds_half_even() {
        assert_eq!(
            achievement(v("0"), v("40"), v("30")).as_deref(),
            Some("0.7500")
        );
        assert_eq!(
            achievement(v("10"), v("20"), v("20")).as_deref(),
            Some("1.0000")
        );
        assert_eq!(
            achievement(v("0"), v("3"), v("1")).as_deref(),
            Some("0.3333")
        );
        assert_eq!(
            achievement(v("0"), v("3"), v("2")).as_deref(),
            Some("0.6667")
        );
        // Exactly half a ten-thousandth: to the even neighbour.
        assert_eq!(
            achievement(v("0"), v("20000"), v("1")).as_deref(),
            Some("0.0000")
        );
        assert_eq!(
            achievement(v("0"), v("20000"), v("3")).as_deref(),
            Some("0.0002")
        );
        // Past the target.
        assert_eq!(
            achievement(v("0"), v("10"), v("15")).as_deref(),
            Some("1.5000")
        );
    }

    #[test]
    fn achievement_is_negative_when_moving_away_and_works_for_falling_targets() {
        assert_eq!(
            achievement(v("10"), v("20"), v("7.5")).as_deref(),
            Some("-0.2500")
        );
        // A target below the baseline (e.g. fewer irregular crossings): 50 → 30, now 40.
        assert_eq!(
            achievement(v("50"), v("30"), v("40")).as_deref(),
            Some("0.5000")
        );
        assert_eq!(
            achievement(v("50"), v("30"), v("55")).as_deref(),
            Some("-0.2500")
        );
    }

    #[test]
    fn achievement_is_null_where_it_cannot_be_computed() {
        assert_eq!(achievement(v("5"), v("5"), v("7")), None);
        assert_eq!(achievement(v("0"), v("10"), None), None);
        assert_eq!(achievement(None, v("10"), v("5")), None);
        assert_eq!(achievement(v("0"), None, v("5")), None);
    }

    #[test]
    fn progress_compares_achievement_with_the_time_elapsed() {
        let d = |s: &str| s.parse::<chrono::NaiveDate>().unwrap();
        let period = Some((d("2024-01-01"), d("2025-01-01")));
        // Half the year gone (2024-07-02 is day 183 of 366), 60 % achieved: on track.
        assert_eq!(
            progress(v("0"), v("10"), v("6"), period, Some(d("2024-07-02"))),
            Progress::OnTrack
        );
        assert_eq!(
            progress(v("0"), v("10"), v("4"), period, Some(d("2024-07-02"))),
            Progress::OffTrack
        );
        assert_eq!(
            progress(v("0"), v("10"), v("10"), None, None),
            Progress::Achieved
        );
        assert_eq!(
            progress(v("0"), v("10"), v("4"), None, Some(d("2024-07-02"))),
            Progress::NotAssessable
        );
        assert_eq!(
            progress(v("5"), v("5"), v("5"), period, Some(d("2024-07-02"))),
            Progress::NotAssessable
        );
    }

    #[test]
    fn levels_hang_under_the_level_above() {
        assert_eq!(ResultLevel::Objective.parent(), None);
        assert_eq!(ResultLevel::Outcome.parent(), Some(ResultLevel::Objective));
        assert_eq!(ResultLevel::Output.parent(), Some(ResultLevel::Outcome));
    }
}
