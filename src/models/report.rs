//! Bulk reads for the reports: a fixed number of queries whatever the portfolio's size, each
//! reading only the columns its report counts, mostly integers (a text column costs an
//! allocation per row); the ones the reports' base reads take a [`Scope`]: every project, or the
//! projects a write changed.

use diesel::prelude::*;

use crate::db::Conn;
use crate::db::schema::{
    follow_ups, member_states, project_gcm_objectives, project_member_states, project_migof,
    project_sdg_targets, projects,
};
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

/// Which projects a read covers: all of them, or those of some ids (sorted, distinct).
#[derive(Debug, Clone, Copy)]
pub enum Scope<'a> {
    All,
    Ids(&'a [i64]),
}

/// Narrows a boxed query on a table with a project id column to `scope`.
macro_rules! scoped {
    ($query:expr, $column:expr, $scope:expr) => {{
        let query = $query;
        match $scope {
            Scope::All => query,
            Scope::Ids(ids) => query.filter(crate::db::sql::within($column, ids.to_vec())),
        }
    }};
}

/// The ids of the projects `filter` selects.
pub fn ids(conn: &mut Conn, filter: &ProjectFilter) -> QueryResult<Vec<i64>> {
    filter
        .apply(projects::table.into_boxed())
        .select(projects::id)
        .load(conn)
}

/// The ids of the projects of `codes` that exist.
pub fn ids_of_codes(conn: &mut Conn, codes: &[String]) -> QueryResult<Vec<i64>> {
    projects::table
        .filter(crate::db::sql::within(projects::code, codes.to_vec()))
        .select(projects::id)
        .load(conn)
}

/// The projects of the follow-up records `ids` that exist.
pub fn projects_of_follow_ups(conn: &mut Conn, ids: &[i64]) -> QueryResult<Vec<i64>> {
    follow_ups::table
        .filter(crate::db::sql::within(follow_ups::id, ids.to_vec()))
        .select(follow_ups::project_id)
        .load(conn)
}

/// The projects with follow-up funding in one of `currencies`.
pub fn projects_funded_in(conn: &mut Conn, currencies: &[String]) -> QueryResult<Vec<i64>> {
    follow_ups::table
        .filter(crate::db::sql::within(
            follow_ups::currency,
            currencies.to_vec(),
        ))
        .select(follow_ups::project_id)
        .distinct()
        .load(conn)
}

/// The projects in one of the member states `iso3s`.
pub fn projects_in_states(conn: &mut Conn, iso3s: &[String]) -> QueryResult<Vec<i64>> {
    project_member_states::table
        .filter(crate::db::sql::within(
            project_member_states::iso3,
            iso3s.to_vec(),
        ))
        .select(project_member_states::project_id)
        .distinct()
        .load(conn)
}

/// What the reports count of a project: id, budget, funding year, line, status, thematic
/// area, code.
pub type FactRow = (i64, i64, i32, FundingLine, Status, Option<String>, String);

/// The [`FactRow`]s of the projects in `scope`.
pub fn facts(conn: &mut Conn, scope: Scope<'_>) -> QueryResult<Vec<FactRow>> {
    scoped!(projects::table.into_boxed(), projects::id, scope)
        .select((
            projects::id,
            projects::budget_usd_cents,
            projects::funding_year,
            projects::funding_line,
            projects::status,
            projects::thematic_area,
            projects::code,
        ))
        .load(conn)
}

/// (id, title) of the projects `ids`.
pub fn titles(conn: &mut Conn, ids: &[i64]) -> QueryResult<Vec<(i64, String)>> {
    projects::table
        .filter(crate::db::sql::within(projects::id, ids.to_vec()))
        .select((projects::id, projects::title))
        .load(conn)
}

/// (project, position, share ppm or `None` for an equal split, iso3).
pub type StateRow = (i64, i32, Option<i32>, String);

/// The member states of the projects in `scope` (in no particular order).
pub fn states(conn: &mut Conn, scope: Scope<'_>) -> QueryResult<Vec<StateRow>> {
    scoped!(
        project_member_states::table.into_boxed(),
        project_member_states::project_id,
        scope
    )
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

/// (project, SDG target) of the projects in `scope`.
pub fn sdg(conn: &mut Conn, scope: Scope<'_>) -> QueryResult<Vec<(i64, String)>> {
    scoped!(
        project_sdg_targets::table.into_boxed(),
        project_sdg_targets::project_id,
        scope
    )
    .select((
        project_sdg_targets::project_id,
        project_sdg_targets::target_code,
    ))
    .load(conn)
}

/// (project, MiGOF element) of the projects in `scope`.
pub fn migof(conn: &mut Conn, scope: Scope<'_>) -> QueryResult<Vec<(i64, String)>> {
    scoped!(
        project_migof::table.into_boxed(),
        project_migof::project_id,
        scope
    )
    .select((project_migof::project_id, project_migof::element_code))
    .load(conn)
}

/// (project, GCM objective) of the projects in `scope`.
pub fn gcm(conn: &mut Conn, scope: Scope<'_>) -> QueryResult<Vec<(i64, i32)>> {
    scoped!(
        project_gcm_objectives::table.into_boxed(),
        project_gcm_objectives::project_id,
        scope
    )
    .select((
        project_gcm_objectives::project_id,
        project_gcm_objectives::objective,
    ))
    .load(conn)
}

/// A follow-up record as the reports count it: (project, source type, status, conversion,
/// USD cents when converted).
pub type FollowUpRow = (i64, SourceType, FollowUpStatus, Conversion, Option<i64>);

/// The follow-up records of the projects in `scope` (in no particular order): read whole and
/// summed by the caller (an SQL `GROUP BY` would sort as many rows as it reads).
pub fn follow_ups(conn: &mut Conn, scope: Scope<'_>) -> QueryResult<Vec<FollowUpRow>> {
    scoped!(
        follow_ups::table.into_boxed(),
        follow_ups::project_id,
        scope
    )
    .select((
        follow_ups::project_id,
        follow_ups::source_type,
        follow_ups::status,
        follow_ups::usd_conversion,
        follow_ups::amount_usd_cents,
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
