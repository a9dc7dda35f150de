//! Writing many new projects at once ([`crate::services::projects::bulk`]): multi-row
//! INSERTs chunked under the backend's limit on bind variables, so a batch costs a fixed
//! number of statements however many projects it holds (up to a chunk's worth).

use std::collections::{HashMap, HashSet};

use diesel::prelude::*;

use super::{Mappings, MemberShare, Project, ProjectContent, RuleWarnings};
use crate::db::schema::{
    project_gcm_objectives, project_member_states, project_migof, project_msd, project_sdg_targets,
    project_terms, projects,
};
use crate::db::{Conn, in_chunks, in_chunks_returning};
use crate::domain::FundingLine;
use crate::domain::project::Status;

/// Codes per `IN (…)` list: under SQLite's limit on bind variables.
const CODES_PER_QUERY: usize = 30_000;

/// What hangs off one new project, by its id.
pub struct NewChildren<'a> {
    pub id: i64,
    pub member_states: &'a [MemberShare],
    pub mappings: &'a Mappings,
    pub innovation_areas: &'a [String],
    pub cross_cutting_themes: &'a [String],
}

fn position(i: usize) -> i32 {
    i32::try_from(i).unwrap_or(i32::MAX)
}

impl Project {
    /// Which of `codes` are stored (one query per 30,000 codes).
    pub fn existing_codes(conn: &mut Conn, codes: &[String]) -> QueryResult<HashSet<String>> {
        let mut found = HashSet::new();
        for chunk in codes.chunks(CODES_PER_QUERY) {
            found.extend(
                projects::table
                    .filter(projects::code.eq_any(chunk))
                    .select(projects::code)
                    .load::<String>(conn)?,
            );
        }
        Ok(found)
    }

    /// Inserts new projects at version 1 with their warnings; answers each code's id.
    pub fn insert_many(
        conn: &mut Conn,
        rows: &[(&ProjectContent, &RuleWarnings)],
        at: chrono::NaiveDateTime,
    ) -> QueryResult<HashMap<String, i64>> {
        let ids = in_chunks_returning(conn, rows, 30, |conn, chunk| {
            let values: Vec<_> = chunk
                .iter()
                .map(|(content, warnings)| {
                    (
                        *content,
                        projects::rule_warnings.eq(*warnings),
                        projects::created_at.eq(at),
                        projects::updated_at.eq(at),
                        projects::version.eq(1_i64),
                    )
                })
                .collect();
            crate::on_backend!(conn, |c| diesel::insert_into(projects::table)
                .values(values)
                .returning((projects::code, projects::id))
                .get_results::<(String, i64)>(c))
        })?;
        Ok(ids.into_iter().collect())
    }

    /// Inserts what hangs off new projects: states, mapping sets and terms, a few
    /// multi-row statements in all.
    pub fn insert_children_many(conn: &mut Conn, all: &[NewChildren<'_>]) -> QueryResult<()> {
        let states: Vec<(i64, usize, &MemberShare)> = all
            .iter()
            .flat_map(|c| {
                c.member_states
                    .iter()
                    .enumerate()
                    .map(move |(i, s)| (c.id, i, s))
            })
            .collect();
        in_chunks(conn, &states, 5, |conn, chunk| {
            let values: Vec<_> = chunk
                .iter()
                .map(|(id, i, s)| {
                    (
                        project_member_states::project_id.eq(*id),
                        project_member_states::iso3.eq(&s.iso3),
                        project_member_states::share_ppm.eq(s.share_ppm),
                        project_member_states::endorsed.eq(s.endorsed),
                        project_member_states::position.eq(position(*i)),
                    )
                })
                .collect();
            crate::on_backend!(conn, |c| diesel::insert_into(project_member_states::table)
                .values(values)
                .execute(c))
        })?;
        let sdg: Vec<(i64, &String)> = all
            .iter()
            .flat_map(|c| c.mappings.sdg_targets.iter().map(move |t| (c.id, t)))
            .collect();
        in_chunks(conn, &sdg, 2, |conn, chunk| {
            let values: Vec<_> = chunk
                .iter()
                .map(|(id, t)| {
                    (
                        project_sdg_targets::project_id.eq(*id),
                        project_sdg_targets::target_code.eq(*t),
                    )
                })
                .collect();
            crate::on_backend!(conn, |c| diesel::insert_into(project_sdg_targets::table)
                .values(values)
                .execute(c))
        })?;
        let migof: Vec<(i64, &String)> = all
            .iter()
            .flat_map(|c| c.mappings.migof.iter().map(move |e| (c.id, e)))
            .collect();
        in_chunks(conn, &migof, 2, |conn, chunk| {
            let values: Vec<_> = chunk
                .iter()
                .map(|(id, e)| {
                    (
                        project_migof::project_id.eq(*id),
                        project_migof::element_code.eq(*e),
                    )
                })
                .collect();
            crate::on_backend!(conn, |c| diesel::insert_into(project_migof::table)
                .values(values)
                .execute(c))
        })?;
        let gcm: Vec<(i64, i32)> = all
            .iter()
            .flat_map(|c| c.mappings.gcm_objectives.iter().map(move |o| (c.id, *o)))
            .collect();
        in_chunks(conn, &gcm, 2, |conn, chunk| {
            let values: Vec<_> = chunk
                .iter()
                .map(|(id, o)| {
                    (
                        project_gcm_objectives::project_id.eq(*id),
                        project_gcm_objectives::objective.eq(*o),
                    )
                })
                .collect();
            crate::on_backend!(conn, |c| diesel::insert_into(project_gcm_objectives::table)
                .values(values)
                .execute(c))
        })?;
        let msd: Vec<(i64, i32, i32)> = all
            .iter()
            .flat_map(|c| c.mappings.msd.iter().map(move |(o, d)| (c.id, *o, *d)))
            .collect();
        in_chunks(conn, &msd, 3, |conn, chunk| {
            let values: Vec<_> = chunk
                .iter()
                .map(|(id, o, d)| {
                    (
                        project_msd::project_id.eq(*id),
                        project_msd::outcome.eq(*o),
                        project_msd::deliverable.eq(*d),
                    )
                })
                .collect();
            crate::on_backend!(conn, |c| diesel::insert_into(project_msd::table)
                .values(values)
                .execute(c))
        })?;
        let terms: Vec<(i64, &str, &String)> = all
            .iter()
            .flat_map(|c| {
                let areas = c
                    .innovation_areas
                    .iter()
                    .map(move |t| (c.id, "innovation-areas", t));
                let themes = c
                    .cross_cutting_themes
                    .iter()
                    .map(move |t| (c.id, "cross-cutting-themes", t));
                areas.chain(themes)
            })
            .collect();
        in_chunks(conn, &terms, 3, |conn, chunk| {
            let values: Vec<_> = chunk
                .iter()
                .map(|(id, taxonomy, code)| {
                    (
                        project_terms::project_id.eq(*id),
                        project_terms::taxonomy.eq(*taxonomy),
                        project_terms::code.eq(*code),
                    )
                })
                .collect();
            crate::on_backend!(conn, |c| diesel::insert_into(project_terms::table)
                .values(values)
                .execute(c))
        })?;
        Ok(())
    }

    /// What the projects of `years` that hold funds commit, per year and line, in one query.
    pub fn committed_budgets(
        conn: &mut Conn,
        years: &[i32],
    ) -> QueryResult<HashMap<(i32, FundingLine), i64>> {
        let rows: Vec<(i32, FundingLine, Option<i64>)> = projects::table
            .filter(projects::funding_year.eq_any(years))
            .filter(projects::status.eq_any(Status::holding_funds()))
            .group_by((projects::funding_year, projects::funding_line))
            .select((
                projects::funding_year,
                projects::funding_line,
                crate::db::sql::sum_exact(projects::budget_usd_cents),
            ))
            .load(conn)?;
        Ok(rows
            .into_iter()
            .map(|(y, l, sum)| ((y, l), sum.unwrap_or_default()))
            .collect())
    }

    /// Sets statuses without their lifecycle, one statement per status: for generated
    /// load-test data only.
    pub fn force_statuses(conn: &mut Conn, ids: &[(i64, Status)]) -> QueryResult<()> {
        for status in Status::ALL {
            let of: Vec<i64> = ids
                .iter()
                .filter(|(_, s)| s == status)
                .map(|(id, _)| *id)
                .collect();
            for chunk in of.chunks(CODES_PER_QUERY) {
                diesel::update(projects::table.filter(projects::id.eq_any(chunk)))
                    .set(projects::status.eq(*status))
                    .execute(conn)?;
            }
        }
        Ok(())
    }
}
