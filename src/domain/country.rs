//! ISO 3166-1 alpha-3 country codes, checked against the standard's list
//! (`reference/iso3166.csv`, compiled into the binary).

use std::collections::HashMap;
use std::fmt;
use std::sync::LazyLock;

static COUNTRIES: LazyLock<HashMap<&'static str, &'static str>> = LazyLock::new(|| {
    include_str!("../../reference/iso3166.csv")
        .lines()
        .skip(1)
        .filter_map(|line| {
            let (code, name) = line.split_once(',')?;
            Some((code, name.trim_matches('"')))
        })
        .collect()
});

/// The alpha-2 code of each alpha-3 code (`reference/iso3166-alpha2.csv`, from Debian's
/// iso-codes), for formats that want two letters (IATI's `recipient-country`).
static ALPHA2: LazyLock<HashMap<&'static str, &'static str>> = LazyLock::new(|| {
    include_str!("../../reference/iso3166-alpha2.csv")
        .lines()
        .skip(1)
        .filter_map(|line| line.split_once(','))
        .collect()
});

/// The ISO 3166-1 alpha-2 code of an alpha-3 code (`BRA` → `BR`).
pub fn iso2(iso3: &str) -> Option<&'static str> {
    ALPHA2.get(iso3).copied()
}

/// An ISO 3166-1 alpha-3 code that exists in the standard, e.g. `BRA`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Iso3(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Iso3Error {
    #[error("must be three upper-case letters (ISO 3166-1 alpha-3), e.g. BRA")]
    Format,
    #[error("{0} is not an ISO 3166-1 alpha-3 country code")]
    Unknown(String),
}

impl Iso3Error {
    pub fn code(&self) -> &'static str {
        match self {
            Iso3Error::Format => "invalid_iso3",
            Iso3Error::Unknown(_) => "unknown_iso3",
        }
    }
}

impl Iso3 {
    pub fn parse(s: &str) -> Result<Self, Iso3Error> {
        if s.len() != 3 || !s.bytes().all(|b| b.is_ascii_uppercase()) {
            return Err(Iso3Error::Format);
        }
        if COUNTRIES.contains_key(s) {
            Ok(Iso3(s.to_owned()))
        } else {
            Err(Iso3Error::Unknown(s.to_owned()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The standard's English short name.
    pub fn standard_name(&self) -> &'static str {
        COUNTRIES.get(self.0.as_str()).copied().unwrap_or("")
    }
}

/// Every code of the standard, sorted.
pub fn codes() -> Vec<&'static str> {
    let mut codes: Vec<&'static str> = COUNTRIES.keys().copied().collect();
    codes.sort_unstable();
    codes
}

impl std::str::FromStr for Iso3 {
    type Err = Iso3Error;
    fn from_str(s: &str) -> Result<Self, Iso3Error> {
        Iso3::parse(s)
    }
}

impl fmt::Display for Iso3 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_has_its_alpha2() {
        assert_eq!(iso2("BRA"), Some("BR"));
        assert_eq!(iso2("CIV"), Some("CI"));
        assert!(
            codes()
                .iter()
                .all(|c| iso2(c).is_some_and(|a| a.len() == 2))
        );
    }

    #[test]
    fn real_codes_parse_and_others_do_not() {
        assert_eq!(Iso3::parse("BRA").unwrap().standard_name(), "Brazil");
        assert_eq!(Iso3::parse("VNM").unwrap().as_str(), "VNM");
        assert_eq!(Iso3::parse("bra"), Err(Iso3Error::Format));
        assert_eq!(Iso3::parse("BR"), Err(Iso3Error::Format));
        assert_eq!(Iso3::parse("XYZ"), Err(Iso3Error::Unknown("XYZ".into())));
        assert_eq!(COUNTRIES.len(), 249);
    }
}
