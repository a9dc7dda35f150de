//! Funding rules (caps by effective year, line and scope) and their changes.

use super::{Actor, audit};
use crate::db::{Conn, write_tx};
use crate::error::ApiError;
use crate::models::funding_rule::{FundingRule, FundingRuleValues};
use crate::models::now;

const RECORD: &str = "funding_rule";

pub fn find(conn: &mut Conn, id: i64) -> Result<FundingRule, ApiError> {
    FundingRule::find(conn, id)?.ok_or_else(|| ApiError::not_found(format!("funding rule {id}")))
}

fn duplicate(v: &FundingRuleValues) -> ApiError {
    ApiError::conflict(format!(
        "a rule for {} {} effective from {} already exists",
        v.funding_line, v.scope, v.effective_year
    ))
}

pub fn create(
    conn: &mut Conn,
    actor: &Actor,
    v: FundingRuleValues,
) -> Result<FundingRule, ApiError> {
    write_tx(conn, |conn| {
        let row = crate::db::savepoint(conn, |c| FundingRule::insert(c, &v, now())).map_err(
            |e| match e {
                diesel::result::Error::DatabaseError(
                    diesel::result::DatabaseErrorKind::UniqueViolation,
                    _,
                ) => duplicate(&v),
                other => other.into(),
            },
        )?;
        audit::record(
            conn,
            actor,
            "create",
            RECORD,
            &row.id.to_string(),
            None,
            Some(&row),
        )?;
        Ok(row)
    })
}

pub fn replace(
    conn: &mut Conn,
    actor: &Actor,
    id: i64,
    v: FundingRuleValues,
) -> Result<FundingRule, ApiError> {
    write_tx(conn, |conn| {
        let before = find(conn, id)?;
        let row =
            crate::db::savepoint(conn, |c| FundingRule::update(c, id, &v, now())).map_err(|e| {
                match e {
                    diesel::result::Error::DatabaseError(
                        diesel::result::DatabaseErrorKind::UniqueViolation,
                        _,
                    ) => duplicate(&v),
                    other => other.into(),
                }
            })?;
        audit::record(
            conn,
            actor,
            "update",
            RECORD,
            &id.to_string(),
            Some(&before),
            Some(&row),
        )?;
        Ok(row)
    })
}

pub fn delete(conn: &mut Conn, actor: &Actor, id: i64) -> Result<(), ApiError> {
    write_tx(conn, |conn| {
        let before = find(conn, id)?;
        FundingRule::delete(conn, id)?;
        audit::record(
            conn,
            actor,
            "delete",
            RECORD,
            &id.to_string(),
            Some(&before),
            None,
        )?;
        Ok(())
    })
}
