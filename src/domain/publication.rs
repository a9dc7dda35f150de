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
}
