//! Member states and their eligibility history.

use super::{Actor, Precondition, audit, check_version};
use crate::db::{Conn, write_tx};
use crate::domain::{IncomeGroup, Iso3};
use crate::error::ApiError;
use crate::models::member_state::{Eligibility, MemberState};
use crate::models::now;

/// A checked member state, as created or as it stands after a patch.
#[derive(Debug, Clone)]
pub struct MemberStateValues {
    pub name: String,
    pub region: String,
    pub iom_member: bool,
    pub member_since: Option<i32>,
}

/// A checked eligibility record.
#[derive(Debug, Clone)]
pub struct EligibilityValues {
    pub income_group: IncomeGroup,
    pub line_1_eligible: bool,
    pub line_2_eligible: bool,
    pub note: Option<String>,
}

const RECORD: &str = "member_state";

pub fn find(conn: &mut Conn, iso3: &str) -> Result<MemberState, ApiError> {
    MemberState::find(conn, iso3)?
        .ok_or_else(|| ApiError::not_found(format!("member state {iso3}")))
}

pub fn create(
    conn: &mut Conn,
    actor: &Actor,
    iso3: &Iso3,
    v: MemberStateValues,
) -> Result<MemberState, ApiError> {
    write_tx(conn, |conn| {
        if MemberState::find(conn, iso3.as_str())?.is_some() {
            return Err(ApiError::conflict(format!(
                "member state {iso3} already exists"
            )));
        }
        let at = now();
        let row = MemberState {
            iso3: iso3.to_string(),
            name: v.name,
            region: v.region,
            iom_member: v.iom_member,
            member_since: v.member_since,
            created_at: at,
            updated_at: at,
            version: 1,
        };
        row.insert(conn)?;
        audit::record(conn, actor, "create", RECORD, &row.iso3, None, Some(&row))?;
        Ok(row)
    })
}

/// Applies `change` to the stored values and saves them, when the version still matches.
pub fn update(
    conn: &mut Conn,
    actor: &Actor,
    iso3: &str,
    expected_version: &Precondition,
    change: impl FnOnce(MemberStateValues) -> Result<MemberStateValues, ApiError>,
) -> Result<MemberState, ApiError> {
    write_tx(conn, |conn| {
        let before = find(conn, iso3)?;
        check_version(expected_version, before.version)?;
        let v = change(MemberStateValues {
            name: before.name.clone(),
            region: before.region.clone(),
            iom_member: before.iom_member,
            member_since: before.member_since,
        })?;
        let after = MemberState {
            name: v.name,
            region: v.region,
            iom_member: v.iom_member,
            member_since: v.member_since,
            updated_at: now(),
            version: before.version + 1,
            ..before.clone()
        };
        super::written(after.save(conn)?)?;
        audit::record(
            conn,
            actor,
            "update",
            RECORD,
            iso3,
            Some(&before),
            Some(&after),
        )?;
        Ok(after)
    })
}

pub fn delete(
    conn: &mut Conn,
    actor: &Actor,
    iso3: &str,
    expected_version: &Precondition,
) -> Result<(), ApiError> {
    write_tx(conn, |conn| {
        let before = find(conn, iso3)?;
        check_version(expected_version, before.version)?;
        crate::db::savepoint(conn, |c| MemberState::delete(c, iso3)).map_err(|e| match e {
            diesel::result::Error::DatabaseError(
                diesel::result::DatabaseErrorKind::ForeignKeyViolation,
                _,
            ) => ApiError::conflict(format!(
                "member state {iso3} is still referenced and cannot be deleted"
            )),
            other => other.into(),
        })?;
        audit::record(conn, actor, "delete", RECORD, iso3, Some(&before), None)?;
        Ok(())
    })
}

pub fn put_eligibility(
    conn: &mut Conn,
    actor: &Actor,
    iso3: &str,
    year: i32,
    v: EligibilityValues,
) -> Result<(Eligibility, bool), ApiError> {
    write_tx(conn, |conn| {
        find(conn, iso3)?;
        let before = Eligibility::find(conn, iso3, year)?;
        let row = Eligibility {
            iso3: iso3.to_owned(),
            year,
            income_group: v.income_group,
            line_1_eligible: v.line_1_eligible,
            line_2_eligible: v.line_2_eligible,
            note: v.note,
            updated_at: now(),
        };
        row.upsert(conn)?;
        let created = before.is_none();
        let action = if created { "create" } else { "update" };
        audit::record(
            conn,
            actor,
            action,
            "eligibility",
            &format!("{iso3}/{year}"),
            before.as_ref(),
            Some(&row),
        )?;
        Ok((row, created))
    })
}
