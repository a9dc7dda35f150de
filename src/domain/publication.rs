//! Publications a project produced (country migration profiles, studies, guidance), their
//! languages, and the time from seed funding to publication.

crate::domain::funding::closed_enum!(
    /// What a publication is. `migration_profile` is the Fund's model case: a country profile
    /// funded in year N, published in year N+k, later updated by other means.
    PublicationKind {
        MigrationProfile => "migration_profile",
        Report => "report",
        Study => "study",
        Guidance => "guidance",
        EvaluationReport => "evaluation_report",
        Policy => "policy",
        TrainingMaterial => "training_material",
        Other => "other",
    }
);

/// The ISO 639-1 two-letter language codes (184, from the ISO 639-3 tables as pycountry
/// ships them).
const ISO_639_1: &[&str] = &[
    "aa", "ab", "ae", "af", "ak", "am", "an", "ar", "as", "av", "ay", "az", "ba", "be", "bg", "bi",
    "bm", "bn", "bo", "br", "bs", "ca", "ce", "ch", "co", "cr", "cs", "cu", "cv", "cy", "da", "de",
    "dv", "dz", "ee", "el", "en", "eo", "es", "et", "eu", "fa", "ff", "fi", "fj", "fo", "fr", "fy",
    "ga", "gd", "gl", "gn", "gu", "gv", "ha", "he", "hi", "ho", "hr", "ht", "hu", "hy", "hz", "ia",
    "id", "ie", "ig", "ii", "ik", "io", "is", "it", "iu", "ja", "jv", "ka", "kg", "ki", "kj", "kk",
    "kl", "km", "kn", "ko", "kr", "ks", "ku", "kv", "kw", "ky", "la", "lb", "lg", "li", "ln", "lo",
    "lt", "lu", "lv", "mg", "mh", "mi", "mk", "ml", "mn", "mr", "ms", "mt", "my", "na", "nb", "nd",
    "ne", "ng", "nl", "nn", "no", "nr", "nv", "ny", "oc", "oj", "om", "or", "os", "pa", "pi", "pl",
    "ps", "pt", "qu", "rm", "rn", "ro", "ru", "rw", "sa", "sc", "sd", "se", "sg", "sh", "si", "sk",
    "sl", "sm", "sn", "so", "sq", "sr", "ss", "st", "su", "sv", "sw", "ta", "te", "tg", "th", "ti",
    "tk", "tl", "tn", "to", "tr", "ts", "tt", "tw", "ty", "ug", "uk", "ur", "uz", "ve", "vi", "vo",
    "wa", "wo", "xh", "yi", "yo", "za", "zh", "zu",
];

/// An ISO 639-1 language code (`en`, `fr`, `es`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Language(String);

impl Language {
    pub fn parse(s: &str) -> Option<Language> {
        ISO_639_1
            .binary_search(&s)
            .is_ok()
            .then(|| Language(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::str::FromStr for Language {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Language::parse(s).ok_or_else(|| format!("{s:?} is not an ISO 639-1 language code"))
    }
}

/// What an ISBN may look like as written: ISBN-13 (`978` or `979`, then ten digits) or
/// ISBN-10 (nine digits, then a digit or `X`), with single hyphens allowed between digits.
/// The check digit is verified besides ([`Isbn::parse`]), which no pattern can state.
pub const ISBN_PATTERN: &str = r"^(97[89](-?[0-9]){10}|([0-9]-?){9}[0-9X])$";

/// Why an ISBN is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IsbnError {
    /// Not of [`ISBN_PATTERN`]'s shape.
    Format,
    /// The right shape, a wrong check digit.
    Checksum,
}

/// An ISBN-10 or ISBN-13 whose check digit is right, kept without hyphens
/// (`9789290687785`, `929068778X`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Isbn(String);

impl Isbn {
    /// Parses an ISBN exactly as [`ISBN_PATTERN`] has it (no trimming, upper-case `X` only),
    /// then checks its check digit: ISBN-10 weights 10..1, sum divisible by 11 (`X` is 10);
    /// ISBN-13 weights 1,3,1,3…, sum divisible by 10.
    pub fn parse(s: &str) -> Result<Isbn, IsbnError> {
        let bytes = s.as_bytes();
        let hyphens_ok = !s.starts_with('-')
            && !s.ends_with('-')
            && !s.contains("--")
            && bytes
                .iter()
                .all(|b| b.is_ascii_digit() || *b == b'-' || *b == b'X');
        let compact: String = s.chars().filter(|c| *c != '-').collect();
        let digits: Vec<u32> = compact.chars().filter_map(|c| c.to_digit(10)).collect();
        let shape = match compact.len() {
            13 => digits.len() == 13 && (compact.starts_with("978") || compact.starts_with("979")),
            10 => {
                digits.len() == 10
                    || (digits.len() == 9 && compact.ends_with('X') && !compact[..9].contains('X'))
            }
            _ => false,
        };
        // ISBN-13 allows no hyphen inside its 978/979 prefix.
        let prefix_whole = compact.len() != 13 || !s[..3].contains('-');
        if !(hyphens_ok && shape && prefix_whole) {
            return Err(IsbnError::Format);
        }
        let valid = if compact.len() == 13 {
            let sum: u32 = digits
                .iter()
                .enumerate()
                .map(|(i, d)| if i % 2 == 0 { *d } else { 3 * d })
                .sum();
            sum.is_multiple_of(10)
        } else {
            let check = if compact.ends_with('X') {
                10
            } else {
                digits[9]
            };
            let sum: u32 = digits
                .iter()
                .take(9)
                .zip((2..=10).rev())
                .map(|(d, w)| d * w)
                .sum::<u32>()
                + check;
            sum.is_multiple_of(11)
        };
        if valid {
            Ok(Isbn(compact))
        } else {
            Err(IsbnError::Checksum)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Earliest and latest publication year (and year filter) accepted.
pub const MIN_YEAR: i32 = 1900;
pub const MAX_YEAR: i32 = 2200;

/// Every ISO 639-1 code, for the OpenAPI document.
pub fn language_codes() -> &'static [&'static str] {
    ISO_639_1
}

/// The median of whole numbers of years as a decimal string with one place (`"2.5"`);
/// `None` for no values.
pub fn median_years(values: &mut [i32]) -> Option<String> {
    if values.is_empty() {
        return None;
    }
    values.sort_unstable();
    let n = values.len();
    let twice = if n % 2 == 1 {
        2 * i64::from(values[n / 2])
    } else {
        i64::from(values[n / 2 - 1]) + i64::from(values[n / 2])
    };
    let sign = if twice < 0 { "-" } else { "" };
    let abs = twice.abs();
    Some(format!(
        "{sign}{}.{}",
        abs / 2,
        if abs % 2 == 1 { 5 } else { 0 }
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn languages_are_iso_639_1() {
        assert!(ISO_639_1.windows(2).all(|w| w[0] < w[1]), "sorted, unique");
        assert_eq!(ISO_639_1.len(), 184);
        for ok in ["en", "fr", "es", "ar", "ru", "zh", "mn", "km"] {
            assert!(Language::parse(ok).is_some(), "{ok}");
        }
        for bad in ["EN", "eng", "xx", "", "e"] {
            assert!(Language::parse(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn the_median_takes_the_middle_or_the_mean_of_the_two_middles() {
        assert_eq!(median_years(&mut []), None);
        assert_eq!(median_years(&mut [3]).as_deref(), Some("3.0"));
        assert_eq!(median_years(&mut [4, 1, 2]).as_deref(), Some("2.0"));
        assert_eq!(median_years(&mut [1, 2, 4, 3]).as_deref(), Some("2.5"));
        assert_eq!(median_years(&mut [0, -1]).as_deref(), Some("-0.5"));
    }

    #[test]
    fn isbns_are_checked_by_their_check_digit() {
        for (ok, compact) in [
            ("978-0-306-40615-7", "9780306406157"),
            ("9780306406157", "9780306406157"),
            ("0-306-40615-2", "0306406152"),
            ("0306406152", "0306406152"),
            ("0-8044-2957-X", "080442957X"),
            ("979-10-90636-07-1", "9791090636071"),
        ] {
            assert_eq!(Isbn::parse(ok).map(|i| i.0), Ok(compact.to_owned()), "{ok}");
        }
        for bad in ["978-0-306-40615-8", "0-306-40615-3", "0-8044-2957-9"] {
            assert_eq!(Isbn::parse(bad), Err(IsbnError::Checksum), "{bad}");
        }
        for bad in [
            "",
            "97-80306406157",
            "-0306406152",
            "0306406152-",
            "0306--406152",
            "030640615x",
            "X306406152",
            "977-0-306-40615-7",
            " 0306406152",
            "03064061522",
        ] {
            assert_eq!(Isbn::parse(bad), Err(IsbnError::Format), "{bad}");
        }
    }

    #[test]
    fn the_isbn_pattern_is_what_the_parser_takes() {
        let schema = serde_json::json!({"type": "string", "pattern": ISBN_PATTERN});
        for s in [
            "978-0-306-40615-7",
            "0-8044-2957-X",
            "97-80306406157",
            "0306--406152",
            "030640615x",
            "977-0-306-40615-7",
            "978-0-306-40615-8",
            "12345-6789-X",
        ] {
            assert_eq!(
                jsonschema::is_valid(&schema, &serde_json::json!(s)),
                Isbn::parse(s) != Err(IsbnError::Format),
                "{s}"
            );
        }
    }
}
