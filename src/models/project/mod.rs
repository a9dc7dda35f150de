//! Projects and the rows that hang off them (member states, mappings, terms, links).

mod bulk;
mod children;
pub mod export;
mod list;
mod warnings;

use diesel::prelude::*;

use crate::db::Conn;
use crate::db::schema::{
    project_gcm_objectives, project_member_states, project_migof, project_msd, project_sdg_targets,
    project_terms, projects,
};
use crate::domain::project::Status;
use crate::domain::{FundingLine, Scope};

pub use bulk::NewChildren;
pub use children::{Children, Link, MemberShare, NewLink};
pub(crate) use list::escape_like;
pub use list::{ProjectFilter, ProjectKey, ProjectSort};
pub use warnings::RuleWarnings;

/// The columns a client writes, checked (`services::projects::input`): what a creation
/// inserts and an update sets. Its status is the one a creation asks for, or the current one
/// (statuses move through transitions).
#[derive(
    Debug, Clone, PartialEq, Queryable, Selectable, Insertable, AsChangeset, serde::Serialize,
)]
#[diesel(table_name = projects)]
#[diesel(treat_none_as_null = true)]
#[diesel(treat_none_as_default_value = false)]
pub struct ProjectContent {
    pub code: String,
    pub title: String,
    #[serde(skip)]
    pub title_lower: String,
    pub summary: Option<String>,
    pub status: Status,
    pub funding_line: FundingLine,
    pub funding_year: i32,
    pub scope: Scope,
    pub budget_usd_cents: i64,
    pub staff_office_share_ppm: Option<i32>,
    pub exceptional_increase: bool,
    pub thematic_area: Option<String>,
    pub management_city: Option<String>,
    pub management_country: Option<String>,
    pub beneficiaries: Option<String>,
    pub duration_months: Option<i32>,
    pub start_date: Option<chrono::NaiveDate>,
    pub end_date: Option<chrono::NaiveDate>,
    pub actual_end_date: Option<chrono::NaiveDate>,
    pub core_national_ownership: Option<String>,
    pub core_evidence_and_learning: Option<String>,
    pub core_scalability: Option<String>,
    pub core_innovation: Option<String>,
    pub core_sustainability: Option<String>,
    /// JSON array of strings.
    pub notable_achievements: String,
}

/// Every column of a project but its id: the content, and what the service keeps of it.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, serde::Serialize)]
#[diesel(table_name = projects)]
pub struct ProjectValues {
    #[diesel(embed)]
    #[serde(flatten)]
    pub content: ProjectContent,
    /// The rule findings recorded for a history entry (stored as a JSON array).
    #[serde(skip)]
    pub rule_warnings: RuleWarnings,
    #[serde(skip)]
    pub created_at: chrono::NaiveDateTime,
    #[serde(skip)]
    pub updated_at: chrono::NaiveDateTime,
    #[serde(skip)]
    pub version: i64,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = projects)]
pub struct Project {
    pub id: i64,
    #[diesel(embed)]
    pub v: ProjectValues,
}

/// The mapping sets of a project, each replaceable on its own.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct Mappings {
    pub sdg_targets: Vec<String>,
    pub migof: Vec<String>,
    pub gcm_objectives: Vec<i32>,
    /// (outcome, deliverable)
    pub msd: Vec<(i32, i32)>,
}

/// Which mapping set a write replaces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MappingSet {
    SdgTargets,
    Migof,
    GcmObjectives,
    Msd,
}

impl MappingSet {
    pub fn field(self) -> &'static str {
        match self {
            MappingSet::SdgTargets => "sdg_targets",
            MappingSet::Migof => "migof",
            MappingSet::GcmObjectives => "gcm_objectives",
            MappingSet::Msd => "msd",
        }
    }
}

impl Project {
    pub fn find(conn: &mut Conn, code: &str) -> QueryResult<Option<Project>> {
        projects::table
            .filter(projects::code.eq(code))
            .select(Project::as_select())
            .first(conn)
            .optional()
    }

    /// (code, (id, version)) of the projects of `codes` that exist: what tells whether an
    /// answer made earlier is still the project's (reads of the code's unique index; one code
    /// is one `code = ?`).
    ///
    /// Without `LIMIT` (the code is unique): SQLite marks a bound `LIMIT` as steering the
    /// plan, so every new binding of it re-prepares the statement — a parse per request,
    /// 12 % of this read's time in `perf` (`sqlite3Reprepare` under `sqlite3_step`).
    pub fn versions_of(
        conn: &mut Conn,
        codes: &[String],
    ) -> QueryResult<Vec<(String, (i64, i64))>> {
        let rows: Vec<(String, i64, i64)> = projects::table
            .filter(crate::db::sql::within(projects::code, codes.to_vec()))
            .select((projects::code, projects::id, projects::version))
            .load(conn)?;
        Ok(rows
            .into_iter()
            .map(|(code, id, version)| (code, (id, version)))
            .collect())
    }

    /// Inserts a new project at version 1, without warnings.
    pub fn insert(
        conn: &mut Conn,
        content: &ProjectContent,
        at: chrono::NaiveDateTime,
    ) -> QueryResult<i64> {
        diesel::insert_into(projects::table)
            .values((
                content,
                projects::rule_warnings.eq(RuleWarnings::default()),
                projects::created_at.eq(at),
                projects::updated_at.eq(at),
                projects::version.eq(1),
            ))
            .returning(projects::id)
            .get_result(conn)
    }

    /// Writes `content` and `warnings` over the row as version `expected + 1`, when it still
    /// has version `expected`; answers rows written (0: someone else changed it first, even on
    /// PostgreSQL's read-committed isolation).
    pub fn save(
        conn: &mut Conn,
        id: i64,
        expected: i64,
        content: &ProjectContent,
        warnings: &RuleWarnings,
        at: chrono::NaiveDateTime,
    ) -> QueryResult<usize> {
        diesel::update(
            projects::table
                .find(id)
                .filter(projects::version.eq(expected)),
        )
        .set((
            content,
            projects::rule_warnings.eq(warnings),
            projects::updated_at.eq(at),
            projects::version.eq(expected + 1),
        ))
        .execute(conn)
    }

    /// Records the findings reported when a past year's project was entered (the creation's
    /// own write: the version stays).
    pub fn record_warnings(
        conn: &mut Conn,
        id: i64,
        warnings: &RuleWarnings,
    ) -> QueryResult<usize> {
        diesel::update(projects::table.find(id))
            .set(projects::rule_warnings.eq(warnings))
            .execute(conn)
    }

    /// Marks the project changed (a mapping or link write) without touching its fields.
    pub fn touch(
        conn: &mut Conn,
        id: i64,
        at: chrono::NaiveDateTime,
        version: i64,
    ) -> QueryResult<usize> {
        diesel::update(
            projects::table
                .find(id)
                .filter(projects::version.eq(version - 1)),
        )
        .set((projects::updated_at.eq(at), projects::version.eq(version)))
        .execute(conn)
    }

    /// Marks every project in `ids` changed, whatever its version: their answers changed
    /// without their fields (a new exchange rate moved their follow-up totals), so their
    /// ETags must move and `updated_since` must find them.
    pub fn bump_versions(
        conn: &mut Conn,
        ids: &[i64],
        at: chrono::NaiveDateTime,
    ) -> QueryResult<()> {
        crate::db::in_chunks(conn, ids, 1, |conn, chunk| {
            diesel::update(projects::table.filter(projects::id.eq_any(chunk)))
                .set((
                    projects::updated_at.eq(at),
                    projects::version.eq(projects::version + 1),
                ))
                .execute(conn)
        })
    }

    pub fn delete(conn: &mut Conn, id: i64) -> QueryResult<usize> {
        diesel::delete(projects::table.find(id)).execute(conn)
    }

    /// The codes of projects by id, in one query.
    pub fn codes(
        conn: &mut Conn,
        ids: &[i64],
    ) -> QueryResult<std::collections::HashMap<i64, String>> {
        Ok(projects::table
            .filter(projects::id.eq_any(ids))
            .select((projects::id, projects::code))
            .load::<(i64, String)>(conn)?
            .into_iter()
            .collect())
    }

    /// The ids of the projects with these codes (unknown codes have none), in no order.
    pub fn codes_to_ids(conn: &mut Conn, codes: &[String]) -> QueryResult<Vec<i64>> {
        projects::table
            .filter(projects::code.eq_any(codes))
            .select(projects::id)
            .load(conn)
    }

    /// Sum of the budgets of the line's projects of `year` that hold funds, except `except`.
    pub fn committed_budget(
        conn: &mut Conn,
        year: i32,
        line: FundingLine,
        except: i64,
    ) -> QueryResult<i64> {
        projects::table
            .filter(projects::funding_year.eq(year))
            .filter(projects::funding_line.eq(line))
            .filter(projects::status.eq_any(Status::holding_funds()))
            .filter(projects::id.ne(except))
            .select(crate::db::sql::sum_exact(projects::budget_usd_cents))
            .first::<Option<i64>>(conn)
            .map(Option::unwrap_or_default)
    }

    /// Replaces the benefitting member states.
    pub fn replace_member_states(
        conn: &mut Conn,
        id: i64,
        states: &[MemberShare],
    ) -> QueryResult<()> {
        diesel::delete(
            project_member_states::table.filter(project_member_states::project_id.eq(id)),
        )
        .execute(conn)?;
        for (position, s) in states.iter().enumerate() {
            diesel::insert_into(project_member_states::table)
                .values((
                    project_member_states::project_id.eq(id),
                    project_member_states::iso3.eq(&s.iso3),
                    project_member_states::share_ppm.eq(s.share_ppm),
                    project_member_states::endorsed.eq(s.endorsed),
                    project_member_states::position.eq(i32::try_from(position).unwrap_or(i32::MAX)),
                ))
                .execute(conn)?;
        }
        Ok(())
    }

    /// Replaces one mapping set with the values in `m`.
    pub fn replace_mapping(
        conn: &mut Conn,
        id: i64,
        set: MappingSet,
        m: &Mappings,
    ) -> QueryResult<()> {
        match set {
            MappingSet::SdgTargets => {
                diesel::delete(
                    project_sdg_targets::table.filter(project_sdg_targets::project_id.eq(id)),
                )
                .execute(conn)?;
                for t in &m.sdg_targets {
                    diesel::insert_into(project_sdg_targets::table)
                        .values((
                            project_sdg_targets::project_id.eq(id),
                            project_sdg_targets::target_code.eq(t),
                        ))
                        .execute(conn)?;
                }
            }
            MappingSet::Migof => {
                diesel::delete(project_migof::table.filter(project_migof::project_id.eq(id)))
                    .execute(conn)?;
                for e in &m.migof {
                    diesel::insert_into(project_migof::table)
                        .values((
                            project_migof::project_id.eq(id),
                            project_migof::element_code.eq(e),
                        ))
                        .execute(conn)?;
                }
            }
            MappingSet::GcmObjectives => {
                diesel::delete(
                    project_gcm_objectives::table.filter(project_gcm_objectives::project_id.eq(id)),
                )
                .execute(conn)?;
                for o in &m.gcm_objectives {
                    diesel::insert_into(project_gcm_objectives::table)
                        .values((
                            project_gcm_objectives::project_id.eq(id),
                            project_gcm_objectives::objective.eq(o),
                        ))
                        .execute(conn)?;
                }
            }
            MappingSet::Msd => {
                diesel::delete(project_msd::table.filter(project_msd::project_id.eq(id)))
                    .execute(conn)?;
                for (outcome, deliverable) in &m.msd {
                    diesel::insert_into(project_msd::table)
                        .values((
                            project_msd::project_id.eq(id),
                            project_msd::outcome.eq(outcome),
                            project_msd::deliverable.eq(deliverable),
                        ))
                        .execute(conn)?;
                }
            }
        }
        Ok(())
    }

    /// Replaces the terms of one taxonomy (`innovation-areas`, `cross-cutting-themes`).
    pub fn replace_terms(
        conn: &mut Conn,
        id: i64,
        taxonomy: &str,
        codes: &[String],
    ) -> QueryResult<()> {
        diesel::delete(
            project_terms::table
                .filter(project_terms::project_id.eq(id))
                .filter(project_terms::taxonomy.eq(taxonomy)),
        )
        .execute(conn)?;
        for code in codes {
            diesel::insert_into(project_terms::table)
                .values((
                    project_terms::project_id.eq(id),
                    project_terms::taxonomy.eq(taxonomy),
                    project_terms::code.eq(code),
                ))
                .execute(conn)?;
        }
        Ok(())
    }
}
