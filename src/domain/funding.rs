//! The Fund's closed vocabularies: funding lines, project scopes, income groups.

/// A closed vocabulary: an enum with its wire names, `parse`, `as_str`, `ALL`, serde, and an
/// OpenAPI schema that lists exactly the wire names (written by hand: utoipa's derive does not
/// see a `rename` passed through a macro, and would publish the Rust variant names).
macro_rules! closed_enum {
    ($(#[doc = $doc:literal])* $name:ident { $($variant:ident => $text:literal),+ $(,)? }) => {
        $(#[doc = $doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, ::serde::Serialize, ::serde::Deserialize)]
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

        impl std::str::FromStr for $name {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, String> {
                Self::parse(s).ok_or_else(|| format!("not one of {}", Self::expected()))
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::utoipa::PartialSchema for $name {
            fn schema() -> ::utoipa::openapi::RefOr<::utoipa::openapi::schema::Schema> {
                let doc: &[&str] = &[$($doc),*];
                let description = doc.iter().map(|l| l.trim()).collect::<Vec<_>>().join("\n");
                ::utoipa::openapi::schema::ObjectBuilder::new()
                    .schema_type(::utoipa::openapi::schema::Type::String)
                    .enum_values(Some([$($text),+]))
                    .description((!description.is_empty()).then_some(description))
                    .into()
            }
        }

        impl ::utoipa::ToSchema for $name {}
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

    #[test]
    fn the_schema_lists_the_wire_names() {
        use utoipa::PartialSchema;
        let schema = serde_json::to_value(FundingLine::schema()).unwrap();
        assert_eq!(schema["enum"], serde_json::json!(["line_1", "line_2"]));
        assert_eq!(schema["description"], "The Fund's two funding lines.");
    }
}
