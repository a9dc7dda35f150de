//! The Fund's closed vocabularies: funding lines, project scopes, income groups; and
//! [`closed_enum!`], which every closed vocabulary of the service is declared with.

/// A closed vocabulary: an enum with its wire names, `parse`, `as_str`, `ALL`, serde, an
/// OpenAPI schema that lists exactly the wire names (written by hand: utoipa's derive does not
/// see a `rename` passed through a macro, and would publish the Rust variant names), and the
/// mapping to a `TEXT` column ([`text_column!`]), so a row holds the enum, never a string.
macro_rules! closed_enum {
    ($(#[doc = $doc:literal])* $name:ident { $($variant:ident => $text:literal),+ $(,)? }) => {
        $(#[doc = $doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, ::serde::Serialize, ::serde::Deserialize)]
        #[derive(::diesel::expression::AsExpression, ::diesel::deserialize::FromSqlRow)]
        #[diesel(sql_type = ::diesel::sql_types::Text)]
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

        $crate::domain::funding::text_column!($name);
    };
}

/// `FromSql`/`ToSql` for `TEXT` on every backend (PostgreSQL, SQLite, and the multi backend
/// both are served through) for a type with `parse(&str) -> Option<Self>` and
/// `as_str(self) -> &'static str`, deriving `AsExpression` and `FromSqlRow` for `Text`. A
/// stored value the type does not know is a deserialization error that names the value and
/// the type: never a silent default.
macro_rules! text_column {
    ($name:ident) => {
        impl<DB> ::diesel::deserialize::FromSql<::diesel::sql_types::Text, DB> for $name
        where
            DB: ::diesel::backend::Backend,
            String: ::diesel::deserialize::FromSql<::diesel::sql_types::Text, DB>,
        {
            fn from_sql(bytes: DB::RawValue<'_>) -> ::diesel::deserialize::Result<Self> {
                let text = <String as ::diesel::deserialize::FromSql<
                    ::diesel::sql_types::Text,
                    DB,
                >>::from_sql(bytes)?;
                $name::parse(&text).ok_or_else(|| {
                    format!(
                        "the database holds {text:?}, which is not a {}",
                        stringify!($name)
                    )
                    .into()
                })
            }
        }

        impl<DB> ::diesel::serialize::ToSql<::diesel::sql_types::Text, DB> for $name
        where
            DB: ::diesel::backend::Backend,
            str: ::diesel::serialize::ToSql<::diesel::sql_types::Text, DB>,
        {
            fn to_sql<'b>(
                &'b self,
                out: &mut ::diesel::serialize::Output<'b, '_, DB>,
            ) -> ::diesel::serialize::Result {
                <str as ::diesel::serialize::ToSql<::diesel::sql_types::Text, DB>>::to_sql(
                    self.as_str(),
                    out,
                )
            }
        }
    };
}

pub(crate) use {closed_enum, text_column};

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
    fn an_unknown_stored_value_is_an_error_that_names_it() {
        use diesel::prelude::*;
        let mut conn = diesel::SqliteConnection::establish(":memory:").unwrap();
        let line: FundingLine =
            diesel::select(diesel::dsl::sql::<diesel::sql_types::Text>("'line_2'"))
                .get_result(&mut conn)
                .unwrap();
        assert_eq!(line, FundingLine::Line2);
        let err = diesel::select(diesel::dsl::sql::<diesel::sql_types::Text>("'line_3'"))
            .get_result::<FundingLine>(&mut conn)
            .unwrap_err();
        assert!(
            matches!(err, diesel::result::Error::DeserializationError(_)),
            "{err:?}"
        );
        // diesel names the column; the cause names the value and the type.
        let cause = std::error::Error::source(&err).map(ToString::to_string);
        assert_eq!(
            cause.as_deref(),
            Some("the database holds \"line_3\", which is not a FundingLine")
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
