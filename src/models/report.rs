//! Bulk reads for the reports: a fixed number of queries whatever the portfolio's size, each
//! reading only the columns its report counts, mostly integers (a text column costs an
//! allocation per row); what can be summed exactly in SQL is grouped there.

use diesel::prelude::*;

use crate::db::Conn;
use crate::db::schema::{
    follow_ups, member_states, project_gcm_objectives, project_member_states, project_migof,
    project_sdg_targets, projects,
};
use crate::db::sql::sum_exact;
use crate::domain::FundingLine;
use crate::domain::follow_up::{Conversion, FollowUpStatus, SourceType};
use crate::domain::project::Status;
use crate::models::project::ProjectFilter;

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

/// Whether `filter` selects every project: then what a report sums over all records needs no
/// per-project rows. Every field is named (no `..`), so a new filter cannot be forgotten
/// here: it does not compile until it is listed.
pub fn selects_all(filter: &ProjectFilter) -> bool {
    let ProjectFilter {
        statuses,
        funding_lines,
        funding_years,
        funding_year_from,
        funding_year_to,
        regions,
        member_states,
        thematic_areas,
        scopes,
        sdg_goals,
        sdg_targets,
        migof,
        gcm_objectives,
        budget_min_cents,
        budget_max_cents,
        has_follow_up,
        q,
        updated_since,
        sort: _,
    } = filter;
    statuses.is_empty()
        && funding_lines.is_empty()
        && funding_years.is_empty()
        && funding_year_from.is_none()
        && funding_year_to.is_none()
        && regions.is_empty()
        && member_states.is_empty()
        && thematic_areas.is_empty()
        && scopes.is_empty()
        && sdg_goals.is_empty()
        && sdg_targets.is_empty()
        && migof.is_empty()
        && gcm_objectives.is_empty()
        && budget_min_cents.is_none()
        && budget_max_cents.is_none()
        && has_follow_up.is_none()
        && q.is_none()
        && updated_since.is_none()
}

/// (id, budget, funding year) of every selected project.
pub fn budgets(conn: &mut Conn, filter: &ProjectFilter) -> QueryResult<Vec<(i64, i64, i32)>> {
    filter
        .apply(projects::table.into_boxed())
        .select((
            projects::id,
            projects::budget_usd_cents,
            projects::funding_year,
        ))
        .load(conn)
}

/// [`budgets`] with the text columns a portfolio may group by.
pub type ProjectColumns = (i64, i64, i32, FundingLine, Status, Option<String>);

pub fn project_columns(
    conn: &mut Conn,
    filter: &ProjectFilter,
) -> QueryResult<Vec<ProjectColumns>> {
    filter
        .apply(projects::table.into_boxed())
        .select((
            projects::id,
            projects::budget_usd_cents,
            projects::funding_year,
            projects::funding_line,
            projects::status,
            projects::thematic_area,
        ))
        .load(conn)
}

/// (id, budget, code) of every selected project, for ranking.
pub fn codes(conn: &mut Conn, filter: &ProjectFilter) -> QueryResult<Vec<(i64, i64, String)>> {
    filter
        .apply(projects::table.into_boxed())
        .select((projects::id, projects::budget_usd_cents, projects::code))
        .load(conn)
}

/// (id, title) of the projects `ids`.
pub fn titles(conn: &mut Conn, ids: &[i64]) -> QueryResult<Vec<(i64, String)>> {
    projects::table
        .filter(projects::id.eq_any(ids))
        .select((projects::id, projects::title))
        .load(conn)
}

/// (project, position, share ppm or `None` for an equal split, iso3).
pub type StateRow = (i64, i32, Option<i32>, String);

/// The member states of every project (in no particular order).
pub fn states(conn: &mut Conn) -> QueryResult<Vec<StateRow>> {
    project_member_states::table
        .select((
            project_member_states::project_id,
            project_member_states::position,
            project_member_states::share_ppm,
            project_member_states::iso3,
        ))
        .load(conn)
}

/// (iso3, name, region) of every member state.
pub fn member_states(conn: &mut Conn) -> QueryResult<Vec<(String, String, String)>> {
    member_states::table
        .select((
            member_states::iso3,
            member_states::name,
            member_states::region,
        ))
        .load(conn)
}

/// (project, SDG target) of every project.
pub fn sdg(conn: &mut Conn) -> QueryResult<Vec<(i64, String)>> {
    project_sdg_targets::table
        .select((
            project_sdg_targets::project_id,
            project_sdg_targets::target_code,
        ))
        .load(conn)
}

/// (project, MiGOF element) of every project.
pub fn migof(conn: &mut Conn) -> QueryResult<Vec<(i64, String)>> {
    project_migof::table
        .select((project_migof::project_id, project_migof::element_code))
        .load(conn)
}

/// (project, GCM objective) of every project.
pub fn gcm(conn: &mut Conn) -> QueryResult<Vec<(i64, i32)>> {
    project_gcm_objectives::table
        .select((
            project_gcm_objectives::project_id,
            project_gcm_objectives::objective,
        ))
        .load(conn)
}

/// (project, USD cents, whether its rate is missing) of every follow-up record that counts as
/// leverage (approved and received).
pub fn leveraging(conn: &mut Conn) -> QueryResult<Vec<(i64, Option<i64>, bool)>> {
    follow_ups::table
        .filter(follow_ups::status.eq_any(FollowUpStatus::leveraging()))
        .select((
            follow_ups::project_id,
            follow_ups::amount_usd_cents,
            follow_ups::usd_conversion.eq(Conversion::MissingRate),
        ))
        .load(conn)
}

/// Follow-up records grouped by source type, status and conversion: (source type, status,
/// conversion, records, their exact USD sum).
pub type FollowUpGroup = (SourceType, FollowUpStatus, Conversion, i64, Option<i64>);

/// [`FollowUpGroup`]s of every record.
pub fn follow_up_groups(conn: &mut Conn) -> QueryResult<Vec<FollowUpGroup>> {
    follow_ups::table
        .group_by((
            follow_ups::source_type,
            follow_ups::status,
            follow_ups::usd_conversion,
        ))
        .select((
            follow_ups::source_type,
            follow_ups::status,
            follow_ups::usd_conversion,
            diesel::dsl::count_star(),
            sum_exact(follow_ups::amount_usd_cents.assume_not_null()),
        ))
        .load(conn)
}

/// [`FollowUpGroup`]s per project: (project, group).
pub fn follow_up_groups_by_project(conn: &mut Conn) -> QueryResult<Vec<(i64, FollowUpGroup)>> {
    let rows: Vec<(
        i64,
        SourceType,
        FollowUpStatus,
        Conversion,
        i64,
        Option<i64>,
    )> = follow_ups::table
        .group_by((
            follow_ups::project_id,
            follow_ups::source_type,
            follow_ups::status,
            follow_ups::usd_conversion,
        ))
        .select((
            follow_ups::project_id,
            follow_ups::source_type,
            follow_ups::status,
            follow_ups::usd_conversion,
            diesel::dsl::count_star(),
            sum_exact(follow_ups::amount_usd_cents.assume_not_null()),
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(id, s, t, c, n, usd)| (id, (s, t, c, n, usd)))
        .collect())
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

/// The member states of a year's projects that hold funds, as [`StateRow`]s with the state's
/// region in place of its iso3.
pub fn holding_funds_states(conn: &mut Conn, year: i32) -> QueryResult<Vec<StateRow>> {
    project_member_states::table
        .inner_join(projects::table)
        .inner_join(member_states::table)
        .filter(projects::funding_year.eq(year))
        .filter(projects::status.eq_any(Status::holding_funds()))
        .select((
            project_member_states::project_id,
            project_member_states::position,
            project_member_states::share_ppm,
            member_states::region,
        ))
        .load(conn)
}
