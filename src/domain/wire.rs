//! The textual forms values take on the wire. Each is one pattern, stated in the OpenAPI
//! document (JSON Schema, ECMA-262 regular expressions) and accepted exactly by the parser of
//! its domain type: `tests` below prove the two agree on the cases that tell them apart.

/// A year the Fund's records may hold.
const YEAR: &str = "(19[0-9]{2}|2[01][0-9]{2}|2200)";

/// Text a required field holds: not only spaces, tabs and line breaks. Unanchored: "contains
/// a character that is none of those".
pub const NON_BLANK: &str = r"[^ \t\n\r]";

/// Whether `s` holds nothing but spaces, tabs and line breaks (the blank of [`NON_BLANK`]).
pub fn is_blank(s: &str) -> bool {
    s.chars().all(|c| matches!(c, ' ' | '\t' | '\n' | '\r'))
}

/// `s` without leading and trailing spaces, tabs and line breaks.
pub fn trim(s: &str) -> &str {
    s.trim_matches([' ', '\t', '\n', '\r'])
}

/// The patterns, built once from their parts.
pub mod patterns {
    use std::sync::LazyLock;

    use super::YEAR;

    /// `2019-06`.
    pub static MONTH: LazyLock<String> = LazyLock::new(|| format!("^{YEAR}-(0[1-9]|1[0-2])$"));
    /// The leap years among [`YEAR`]'s: divisible by four, but not 1900, 2100 or 2200.
    const LEAP_YEAR: &str = "(19(0[48]|[2468][048]|[13579][26])|20([02468][048]|[13579][26])|21(0[48]|[2468][048]|[13579][26]))";
    /// `2021`, `2021-06` or `2021-06-03`: a day only where the month has it (30 November,
    /// 29 February in a leap year), as the parser reads it.
    pub static PARTIAL_DATE: LazyLock<String> = LazyLock::new(|| {
        format!(
            "^({YEAR}(-(0[1-9]|1[0-2]))?|{YEAR}-((0[13578]|1[02])-(0[1-9]|[12][0-9]|3[01])|(0[469]|11)-(0[1-9]|[12][0-9]|30)|02-(0[1-9]|1[0-9]|2[0-8]))|{LEAP_YEAR}-02-29)$"
        )
    });
    /// A USD amount: up to fourteen digits, at most two decimals.
    pub const USD_AMOUNT: &str = r"^[0-9]{1,14}(\.[0-9]{1,2})?$";
    /// A seed budget in USD: up to nine digits (below one billion), at most two decimals.
    pub const BUDGET: &str = r"^[0-9]{1,9}(\.[0-9]{1,2})?$";
    /// An amount in any currency: up to fourteen digits, at most four decimals (a currency
    /// may allow fewer: `too_many_decimals`).
    pub const AMOUNT: &str = r"^[0-9]{1,14}(\.[0-9]{1,4})?$";
    /// A share between 0 and 1, at most six decimals.
    pub const SHARE: &str = r"^(0(\.[0-9]{1,6})?|1(\.0{1,6})?)$";
    /// A positive rate: up to eight digits, at most ten decimals, not zero.
    pub const RATE: &str = r"^(?!0*(\.0*)?$)[0-9]{1,8}(\.[0-9]{1,10})?$";
}

/// Splits `s` into its whole and fractional digits when it is a plain decimal with at most
/// `whole_max` whole digits (`12`, `12.5`; not `1.`, `.5`, `+1`, `1e3`).
pub fn decimal(s: &str, whole_max: usize) -> Option<(&str, &str)> {
    let (whole, frac) = match s.split_once('.') {
        Some((_, "")) => return None,
        Some(parts) => parts,
        None => (s, ""),
    };
    let digits = |t: &str| t.bytes().all(|b| b.is_ascii_digit());
    (!whole.is_empty() && whole.len() <= whole_max && digits(whole) && digits(frac))
        .then_some((whole, frac))
}

/// Whether `s` is exactly four ASCII digits, or two (for months and days).
pub fn digits(s: &str, n: usize) -> bool {
    s.len() == n && s.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_are_plain() {
        assert_eq!(decimal("12.50", 9), Some(("12", "50")));
        assert_eq!(decimal("12", 9), Some(("12", "")));
        for bad in ["", ".5", "1.", "+1", "-1", "1e3", "1.2.3", " 1", "١"] {
            assert_eq!(decimal(bad, 9), None, "{bad:?}");
        }
        assert_eq!(decimal("1234567890", 9), None);
    }

    #[test]
    fn the_patterns_written_out_in_api_attributes_are_these() {
        // Attributes need literals: `api/` spells these two out (grep for them).
        assert_eq!(
            patterns::PARTIAL_DATE.as_str(),
            r"^((19[0-9]{2}|2[01][0-9]{2}|2200)(-(0[1-9]|1[0-2]))?|(19[0-9]{2}|2[01][0-9]{2}|2200)-((0[13578]|1[02])-(0[1-9]|[12][0-9]|3[01])|(0[469]|11)-(0[1-9]|[12][0-9]|30)|02-(0[1-9]|1[0-9]|2[0-8]))|(19(0[48]|[2468][048]|[13579][26])|20([02468][048]|[13579][26])|21(0[48]|[2468][048]|[13579][26]))-02-29)$"
        );
        assert_eq!(
            patterns::MONTH.as_str(),
            r"^(19[0-9]{2}|2[01][0-9]{2}|2200)-(0[1-9]|1[0-2])$"
        );
    }

    #[test]
    fn blank_is_spaces_tabs_and_line_breaks_only() {
        assert!(is_blank(" \t\r\n"));
        assert!(!is_blank("\u{a0}"));
        assert_eq!(trim("\t x \n"), "x");
    }

    #[test]
    fn the_partial_date_pattern_accepts_exactly_what_the_parser_does() {
        let schema =
            serde_json::json!({"type": "string", "pattern": patterns::PARTIAL_DATE.as_str()});
        let pattern = jsonschema::validator_for(&schema).expect("pattern compiles");
        let mut checked = 0;
        for year in [
            1899, 1900, 1901, 1904, 1999, 2000, 2023, 2024, 2100, 2104, 2155, 2199, 2200, 2201,
        ] {
            let texts = std::iter::once(format!("{year}")).chain((0..=13).flat_map(|month| {
                std::iter::once(format!("{year}-{month:02}"))
                    .chain((0..=32).map(move |day| format!("{year}-{month:02}-{day:02}")))
            }));
            for text in texts {
                assert_eq!(
                    pattern.is_valid(&serde_json::json!(text)),
                    crate::domain::fx::PartialDate::parse(&text).is_some(),
                    "{text}"
                );
                checked += 1;
            }
        }
        assert!(checked > 6000);
    }
}
