//! The rule findings recorded on a project entered as history, stored as a JSON array in a
//! `TEXT` column and read back typed (a malformed value is an error, never an empty list).

use diesel::backend::Backend;
use diesel::deserialize::{self, FromSql};
use diesel::pg::Pg;
use diesel::serialize::{self, Output, ToSql};
use diesel::sql_types::Text;
use diesel::sqlite::Sqlite;

use crate::db::MultiBackend;
use crate::domain::project::RuleFinding;

/// The findings reported, never enforced, when a past year's project was entered; empty for
/// every project that went through the lifecycle.
#[derive(
    Debug,
    Clone,
    Default,
    PartialEq,
    Eq,
    serde::Serialize,
    diesel::expression::AsExpression,
    diesel::deserialize::FromSqlRow,
)]
#[diesel(sql_type = Text)]
#[serde(transparent)]
pub struct RuleWarnings(pub Vec<RuleFinding>);

impl RuleWarnings {
    /// Whether the project was entered with warnings (a past year's record).
    pub fn recorded(&self) -> bool {
        !self.0.is_empty()
    }
}

impl<DB> FromSql<Text, DB> for RuleWarnings
where
    DB: Backend,
    String: FromSql<Text, DB>,
{
    fn from_sql(bytes: DB::RawValue<'_>) -> deserialize::Result<Self> {
        let text = String::from_sql(bytes)?;
        serde_json::from_str(&text)
            .map(RuleWarnings)
            .map_err(|e| format!("the database holds rule warnings that do not parse: {e}").into())
    }
}

impl ToSql<Text, Pg> for RuleWarnings {
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Pg>) -> serialize::Result {
        serde_json::to_writer(out, &self.0)?;
        Ok(serialize::IsNull::No)
    }
}

impl ToSql<Text, Sqlite> for RuleWarnings {
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Sqlite>) -> serialize::Result {
        out.set_value(serde_json::to_string(&self.0)?);
        Ok(serialize::IsNull::No)
    }
}

impl ToSql<Text, MultiBackend> for RuleWarnings {
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, MultiBackend>) -> serialize::Result {
        out.set_value((Text, self));
        Ok(serialize::IsNull::No)
    }
}
