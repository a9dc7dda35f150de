//! The filtered, sorted project list: one query for a page, one for the count; and the
//! pages of a whole list's export, by keyset ([`ProjectFilter::after`]).

use diesel::prelude::*;

use super::Project;
use crate::db::Conn;
use crate::db::schema::{
    follow_ups, member_states, project_gcm_objectives, project_member_states, project_migof,
    project_sdg_targets, projects, sdg_targets,
};
use crate::db::sql::{lower, within};
use crate::domain::follow_up::FollowUpStatus;
use crate::domain::project::Status;
use crate::domain::{FundingLine, Scope};
use crate::keyset_step;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProjectSort {
    Code,
    Title,
    FundingYear,
    Budget,
    UpdatedAt,
}

/// Filters of the project list: OR within a field, AND across fields.
#[derive(Debug, Default, Clone)]
pub struct ProjectFilter {
    pub statuses: Vec<Status>,
    pub funding_lines: Vec<FundingLine>,
    pub funding_years: Vec<i32>,
    pub funding_year_from: Option<i32>,
    pub funding_year_to: Option<i32>,
    pub regions: Vec<String>,
    pub member_states: Vec<String>,
    pub thematic_areas: Vec<String>,
    pub scopes: Vec<Scope>,
    pub sdg_goals: Vec<i32>,
    pub sdg_targets: Vec<String>,
    pub migof: Vec<String>,
    pub gcm_objectives: Vec<i32>,
    pub budget_min_cents: Option<i64>,
    pub budget_max_cents: Option<i64>,
    /// Projects with (or without) approved or received follow-up funding.
    pub has_follow_up: Option<bool>,
    pub q: Option<String>,
    pub updated_since: Option<chrono::NaiveDateTime>,
    /// Sort keys, `true` for descending; the code breaks ties.
    pub sort: Vec<(ProjectSort, bool)>,
}

type Boxed<'a> = projects::BoxedQuery<'a, crate::db::MultiBackend>;

/// A project's values of every column the list sorts by: where the next page of an export
/// starts (the code, unique, breaks ties).
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = projects)]
pub struct ProjectKey {
    pub code: String,
    pub title_lower: String,
    pub funding_year: i32,
    pub budget_usd_cents: i64,
    pub updated_at: chrono::NaiveDateTime,
}

impl ProjectKey {
    pub fn of(p: &Project) -> Self {
        ProjectKey {
            code: p.v.content.code.clone(),
            title_lower: p.v.content.title_lower.clone(),
            funding_year: p.v.content.funding_year,
            budget_usd_cents: p.v.content.budget_usd_cents,
            updated_at: p.v.updated_at,
        }
    }
}

impl ProjectFilter {
    pub(crate) fn apply<'a>(&self, mut q: Boxed<'a>) -> Boxed<'a> {
        if !self.statuses.is_empty() {
            q = q.filter(within(projects::status, self.statuses.clone()));
        }
        if !self.funding_lines.is_empty() {
            q = q.filter(within(projects::funding_line, self.funding_lines.clone()));
        }
        if !self.funding_years.is_empty() {
            q = q.filter(within(projects::funding_year, self.funding_years.clone()));
        }
        if let Some(from) = self.funding_year_from {
            q = q.filter(projects::funding_year.ge(from));
        }
        if let Some(to) = self.funding_year_to {
            q = q.filter(projects::funding_year.le(to));
        }
        if !self.scopes.is_empty() {
            q = q.filter(within(projects::scope, self.scopes.clone()));
        }
        if !self.thematic_areas.is_empty() {
            q = q.filter(within(projects::thematic_area, self.thematic_areas.clone()));
        }
        if let Some(min) = self.budget_min_cents {
            q = q.filter(projects::budget_usd_cents.ge(min));
        }
        if let Some(max) = self.budget_max_cents {
            q = q.filter(projects::budget_usd_cents.le(max));
        }
        if let Some(has) = self.has_follow_up {
            let with = follow_ups::table
                .filter(within(follow_ups::status, FollowUpStatus::leveraging()))
                .select(follow_ups::project_id);
            q = if has {
                q.filter(projects::id.eq_any(with))
            } else {
                q.filter(diesel::dsl::not(projects::id.eq_any(with)))
            };
        }
        if let Some(since) = self.updated_since {
            q = q.filter(projects::updated_at.gt(since));
        }
        if let Some(text) = &self.q {
            let pattern = format!("%{}%", escape_like(&text.to_lowercase()));
            q = q.filter(
                lower(projects::code)
                    .like(pattern.clone())
                    .escape('\\')
                    .or(projects::title_lower.like(pattern.clone()).escape('\\'))
                    .or(lower(projects::summary.assume_not_null())
                        .like(pattern)
                        .escape('\\')),
            );
        }
        if !self.member_states.is_empty() {
            q = q.filter(
                projects::id.eq_any(
                    project_member_states::table
                        .filter(within(
                            project_member_states::iso3,
                            self.member_states.clone(),
                        ))
                        .select(project_member_states::project_id),
                ),
            );
        }
        if !self.regions.is_empty() {
            q = q.filter(
                projects::id.eq_any(
                    project_member_states::table
                        .inner_join(member_states::table)
                        .filter(within(member_states::region, self.regions.clone()))
                        .select(project_member_states::project_id),
                ),
            );
        }
        if !self.sdg_targets.is_empty() {
            q = q.filter(
                projects::id.eq_any(
                    project_sdg_targets::table
                        .filter(within(
                            project_sdg_targets::target_code,
                            self.sdg_targets.clone(),
                        ))
                        .select(project_sdg_targets::project_id),
                ),
            );
        }
        if !self.sdg_goals.is_empty() {
            q = q.filter(
                projects::id.eq_any(
                    project_sdg_targets::table
                        .inner_join(sdg_targets::table)
                        .filter(within(sdg_targets::goal, self.sdg_goals.clone()))
                        .select(project_sdg_targets::project_id),
                ),
            );
        }
        if !self.migof.is_empty() {
            q = q.filter(
                projects::id.eq_any(
                    project_migof::table
                        .filter(within(project_migof::element_code, self.migof.clone()))
                        .select(project_migof::project_id),
                ),
            );
        }
        if !self.gcm_objectives.is_empty() {
            q = q.filter(
                projects::id.eq_any(
                    project_gcm_objectives::table
                        .filter(within(
                            project_gcm_objectives::objective,
                            self.gcm_objectives.clone(),
                        ))
                        .select(project_gcm_objectives::project_id),
                ),
            );
        }
        q
    }

    fn sorted<'a>(&self, mut q: Boxed<'a>) -> Boxed<'a> {
        for (key, desc) in &self.sort {
            q = match (key, desc) {
                (ProjectSort::Code, false) => q.then_order_by(projects::code.asc()),
                (ProjectSort::Code, true) => q.then_order_by(projects::code.desc()),
                (ProjectSort::Title, false) => q.then_order_by(projects::title_lower.asc()),
                (ProjectSort::Title, true) => q.then_order_by(projects::title_lower.desc()),
                (ProjectSort::FundingYear, false) => q.then_order_by(projects::funding_year.asc()),
                (ProjectSort::FundingYear, true) => q.then_order_by(projects::funding_year.desc()),
                (ProjectSort::Budget, false) => q.then_order_by(projects::budget_usd_cents.asc()),
                (ProjectSort::Budget, true) => q.then_order_by(projects::budget_usd_cents.desc()),
                (ProjectSort::UpdatedAt, false) => q.then_order_by(projects::updated_at.asc()),
                (ProjectSort::UpdatedAt, true) => q.then_order_by(projects::updated_at.desc()),
            };
        }
        q.then_order_by(projects::code.asc())
    }

    pub fn count(&self, conn: &mut Conn) -> QueryResult<i64> {
        self.apply(projects::table.into_boxed())
            .count()
            .get_result(conn)
    }

    /// The report columns of every project the filter selects, by code.
    pub fn report_rows(
        &self,
        conn: &mut Conn,
    ) -> QueryResult<Vec<crate::models::report::ReportProject>> {
        self.apply(projects::table.into_boxed())
            .order(projects::code.asc())
            .select((
                projects::id,
                projects::code,
                projects::title,
                projects::funding_year,
                projects::funding_line,
                projects::status,
                projects::thematic_area,
                projects::budget_usd_cents,
            ))
            .load(conn)
    }

    /// The filtered, sorted list after the project whose key is `last` (from its start when
    /// `None`), at most `limit` projects; the caller selects the columns it reads. Unlike
    /// [`ProjectFilter::page`], a page costs the same however far into the list it is.
    pub fn after(&self, last: Option<&ProjectKey>, limit: i64) -> Boxed<'static> {
        let mut q = self.sorted(self.apply(projects::table.into_boxed()));
        if let Some(last) = last {
            let keys = self
                .sort
                .iter()
                .copied()
                .chain([(ProjectSort::Code, false)]);
            let steps = keys
                .map(|(key, desc)| match key {
                    ProjectSort::Code => keyset_step!(projects::code, last.code.clone(), desc),
                    ProjectSort::Title => {
                        keyset_step!(projects::title_lower, last.title_lower.clone(), desc)
                    }
                    ProjectSort::FundingYear => {
                        keyset_step!(projects::funding_year, last.funding_year, desc)
                    }
                    ProjectSort::Budget => {
                        keyset_step!(projects::budget_usd_cents, last.budget_usd_cents, desc)
                    }
                    ProjectSort::UpdatedAt => {
                        keyset_step!(projects::updated_at, last.updated_at, desc)
                    }
                })
                .collect();
            if let Some(cond) = crate::models::keyset::after(steps) {
                q = q.filter(cond);
            }
        }
        q.limit(limit)
    }

    /// One page of the filtered, sorted list.
    pub fn page(&self, conn: &mut Conn, offset: i64, limit: i64) -> QueryResult<Vec<Project>> {
        self.sorted(self.apply(projects::table.into_boxed()))
            .offset(offset)
            .limit(limit)
            .select(Project::as_select())
            .load(conn)
    }
}

/// Escapes `%`, `_` and `\` so user text matches literally inside a LIKE pattern.
pub(crate) fn escape_like(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}
