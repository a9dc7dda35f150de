//! The Fund's closed vocabularies: funding lines, project scopes, income groups.

/// A closed vocabulary: an enum with its wire names, `parse`, `as_str` and `ALL`.
macro_rules! closed_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, ::serde::Serialize, ::serde::Deserialize, ::utoipa::ToSchema)]
        pub enum $name {
            $(#[serde(rename = $text)] $variant),+
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            pub fn parse(s: &str) -> Option<Self> {
                match s { $($text => Some($name::$variant),)+ _ => None }
            }

            /// The accepted values, for error messages.
            pub fn expected() -> String {
                [$($text),+].join(", ")
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

pub(crate) use closed_enum;

closed_enum!(
    /// The Fund's two funding lines.
    FundingLine { Line1 => "line_1", Line2 => "line_2" }
);

closed_enum!(
    /// How many member states a project serves.
    Scope { National => "national", Regional => "regional", Global => "global" }
);

closed_enum!(
    /// World Bank income group of a member state in a given year.
    IncomeGroup {
        Low => "low",
        LowerMiddle => "lower_middle",
        UpperMiddle => "upper_middle",
        High => "high",
    }
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for l in FundingLine::ALL {
            assert_eq!(FundingLine::parse(l.as_str()), Some(*l));
        }
        assert_eq!(Scope::parse("regional"), Some(Scope::Regional));
        assert_eq!(IncomeGroup::parse("middle"), None);
        assert_eq!(
            serde_json::to_string(&FundingLine::Line2).unwrap(),
            "\"line_2\""
        );
    }
}
