//! Bulk reads for the reports: whole columns, a fixed number of queries, no per-row queries.

use diesel::prelude::*;

use crate::db::Conn;
use crate::db::schema::{
    follow_ups, member_states, project_gcm_objectives, project_member_states, project_migof,
    project_sdg_targets, projects, sdg_targets,
};
use crate::domain::FundingLine;
use crate::domain::follow_up::{Conversion, FollowUpStatus, SourceType};
use crate::domain::project::Status;

/// What a report needs of a project.
#[derive(Debug, Clone, Queryable)]
pub struct ReportProject {
    pub id: i64,
    pub code: String,
    pub title: String,
    pub funding_year: i32,
    pub funding_line: FundingLine,
    pub status: Status,
    pub thematic_area: Option<String>,
    pub budget_usd_cents: i64,
}

/// A follow-up record as the reports count it.
#[derive(Debug, Clone, Queryable)]
pub struct ReportFollowUp {
    pub project_id: i64,
    pub source_type: SourceType,
    pub status: FollowUpStatus,
    pub amount_usd_cents: Option<i64>,
    pub usd_conversion: Conversion,
}

/// (project, iso3, share ppm or `None` for an equal split, region).
pub type MemberShareRow = (i64, String, Option<i32>, String);

/// Every project's member states with their shares and regions, in position order.
pub fn member_shares(conn: &mut Conn) -> QueryResult<Vec<MemberShareRow>> {
    project_member_states::table
        .inner_join(member_states::table)
        .order((
            project_member_states::project_id,
            project_member_states::position,
        ))
        .select((
            project_member_states::project_id,
            project_member_states::iso3,
            project_member_states::share_ppm,
            member_states::region,
        ))
        .load(conn)
}

/// (project, target code, goal) of every project.
pub fn sdg(conn: &mut Conn) -> QueryResult<Vec<(i64, String, i32)>> {
    project_sdg_targets::table
        .inner_join(sdg_targets::table)
        .select((
            project_sdg_targets::project_id,
            project_sdg_targets::target_code,
            sdg_targets::goal,
        ))
        .load(conn)
}

pub fn migof(conn: &mut Conn) -> QueryResult<Vec<(i64, String)>> {
    project_migof::table
        .select((project_migof::project_id, project_migof::element_code))
        .load(conn)
}

pub fn gcm(conn: &mut Conn) -> QueryResult<Vec<(i64, i32)>> {
    project_gcm_objectives::table
        .select((
            project_gcm_objectives::project_id,
            project_gcm_objectives::objective,
        ))
        .load(conn)
}

pub fn follow_ups(conn: &mut Conn) -> QueryResult<Vec<ReportFollowUp>> {
    follow_ups::table
        .select((
            follow_ups::project_id,
            follow_ups::source_type,
            follow_ups::status,
            follow_ups::amount_usd_cents,
            follow_ups::usd_conversion,
        ))
        .load(conn)
}

/// Budgets of a year's projects that hold funds, with their line (for the allocation report).
pub fn holding_funds(conn: &mut Conn, year: i32) -> QueryResult<Vec<(i64, FundingLine, i64)>> {
    projects::table
        .filter(projects::funding_year.eq(year))
        .filter(projects::status.eq_any(Status::holding_funds()))
        .select((
            projects::id,
            projects::funding_line,
            projects::budget_usd_cents,
        ))
        .load(conn)
}
