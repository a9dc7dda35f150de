//! What the project list's export reads of a page of projects: only the columns it writes,
//! and only the children it joins, in six queries a page however many projects it holds.
//!
//! Each child query is driven by the page's ids through its table's `project_id` index and
//! reads the rows in that index's order, without joins or sorts: the orders that depend on
//! reference data (SDG targets, MiGOF elements by their position) are applied from the
//! catalogue, which is immutable while the service runs, and member states' names and
//! regions come from one read of that small table per export. Follow-up funding is summed
//! here rather than by a `GROUP BY … WHERE status IN (…)`, for which SQLite without
//! statistics scans every approved and received record through the status index, on every
//! page (a profile of the export showed two thirds of its time there).

use std::collections::HashMap;

use diesel::prelude::*;

use super::ProjectKey;
use crate::db::Conn;
use crate::db::schema::{
    follow_ups, member_states, project_gcm_objectives, project_member_states, project_migof,
    project_msd, project_sdg_targets, projects,
};
use crate::domain::follow_up::FollowUpStatus;
use crate::domain::project::Status;
use crate::domain::{FundingLine, Scope};
use crate::models::reference::Catalogue;

/// The columns of a project the export writes, and its sort key.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = projects)]
pub struct ExportProject {
    pub id: i64,
    pub code: String,
    pub title: String,
    pub title_lower: String,
    pub status: Status,
    pub funding_line: FundingLine,
    pub funding_year: i32,
    pub scope: Scope,
    pub budget_usd_cents: i64,
    pub staff_office_share_ppm: Option<i32>,
    pub exceptional_increase: bool,
    pub thematic_area: Option<String>,
    pub start_date: Option<chrono::NaiveDate>,
    pub end_date: Option<chrono::NaiveDate>,
    pub actual_end_date: Option<chrono::NaiveDate>,
    pub updated_at: chrono::NaiveDateTime,
}

impl ExportProject {
    pub fn key(&self) -> ProjectKey {
        ProjectKey {
            code: self.code.clone(),
            title_lower: self.title_lower.clone(),
            funding_year: self.funding_year,
            budget_usd_cents: self.budget_usd_cents,
            updated_at: self.updated_at,
        }
    }
}

/// A member state's name and region.
#[derive(Debug, Clone, Default)]
pub struct StateNames {
    pub name: String,
    pub region: String,
}

/// Every member state's name and region, by ISO3 (one read per export).
pub fn state_names(conn: &mut Conn) -> QueryResult<HashMap<String, StateNames>> {
    let rows: Vec<(String, String, String)> = member_states::table
        .select((
            member_states::iso3,
            member_states::name,
            member_states::region,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(iso3, name, region)| (iso3, StateNames { name, region }))
        .collect())
}

/// What the export writes of a project's children, in the orders the project list has.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExportChildren {
    /// ISO3 codes, in the project's order of its states.
    pub member_states: Vec<String>,
    pub sdg_targets: Vec<String>,
    pub migof: Vec<String>,
    pub gcm_objectives: Vec<i32>,
    /// (outcome, deliverable)
    pub msd: Vec<(i32, i32)>,
    /// Approved and received follow-up funding converted to USD.
    pub leveraged_usd_cents: i64,
}

/// Filters a child table's rows to the projects of a page: by the range of their ids when
/// it is dense (ids grow with creation, and a page in the list's order is often a run of
/// them), which is one range scan of the `project_id` index and a statement prepared once;
/// else by the list of ids. Rows of projects in the range but not on the page are dropped
/// by the caller.
macro_rules! of_page {
    ($table:expr, $column:expr, $page:expr) => {
        match $page {
            Ids::Range(lo, hi) => $table.filter($column.between(*lo, *hi)).into_boxed(),
            Ids::List(ids) => $table.filter($column.eq_any(ids.clone())).into_boxed(),
        }
    };
}

/// The ids of a page's projects, as the child queries read them.
enum Ids {
    Range(i64, i64),
    List(Vec<i64>),
}

impl Ids {
    /// A range when it spans at most four ids for each of the page's, else the list.
    fn of(ids: &[i64]) -> Ids {
        match (ids.iter().min(), ids.iter().max()) {
            (Some(&lo), Some(&hi))
                if u64::try_from(hi - lo).is_ok_and(|span| span < 4 * ids.len() as u64) =>
            {
                Ids::Range(lo, hi)
            }
            _ => Ids::List(ids.to_vec()),
        }
    }
}

impl ExportChildren {
    /// The children of every project in `ids`, in six queries.
    pub fn load(
        conn: &mut Conn,
        ids: &[i64],
        catalogue: &Catalogue,
    ) -> QueryResult<HashMap<i64, ExportChildren>> {
        let mut out: HashMap<i64, ExportChildren> = ids
            .iter()
            .map(|id| (*id, ExportChildren::default()))
            .collect();
        if ids.is_empty() {
            return Ok(out);
        }
        let page = Ids::of(ids);
        let mut states: Vec<(i64, i32, String)> = of_page!(
            project_member_states::table,
            project_member_states::project_id,
            &page
        )
        .select((
            project_member_states::project_id,
            project_member_states::position,
            project_member_states::iso3,
        ))
        .load(conn)?;
        states.sort_unstable();
        for (id, _, iso3) in states {
            if let Some(c) = out.get_mut(&id) {
                c.member_states.push(iso3);
            }
        }
        let targets: HashMap<&str, i32> = catalogue
            .targets
            .iter()
            .map(|t| (t.code.as_str(), t.position))
            .collect();
        let sdg: Vec<(i64, String)> = of_page!(
            project_sdg_targets::table,
            project_sdg_targets::project_id,
            &page
        )
        .select((
            project_sdg_targets::project_id,
            project_sdg_targets::target_code,
        ))
        .load(conn)?;
        for (id, code) in sdg {
            if let Some(c) = out.get_mut(&id) {
                c.sdg_targets.push(code);
            }
        }
        let elements: HashMap<&str, i32> = catalogue
            .migof
            .iter()
            .map(|m| (m.code.as_str(), m.position))
            .collect();
        let migof: Vec<(i64, String)> =
            of_page!(project_migof::table, project_migof::project_id, &page)
                .select((project_migof::project_id, project_migof::element_code))
                .load(conn)?;
        for (id, code) in migof {
            if let Some(c) = out.get_mut(&id) {
                c.migof.push(code);
            }
        }
        let gcm: Vec<(i64, i32)> = of_page!(
            project_gcm_objectives::table,
            project_gcm_objectives::project_id,
            &page
        )
        .select((
            project_gcm_objectives::project_id,
            project_gcm_objectives::objective,
        ))
        .load(conn)?;
        for (id, o) in gcm {
            if let Some(c) = out.get_mut(&id) {
                c.gcm_objectives.push(o);
            }
        }
        let msd: Vec<(i64, i32, i32)> =
            of_page!(project_msd::table, project_msd::project_id, &page)
                .select((
                    project_msd::project_id,
                    project_msd::outcome,
                    project_msd::deliverable,
                ))
                .load(conn)?;
        for (id, outcome, deliverable) in msd {
            if let Some(c) = out.get_mut(&id) {
                c.msd.push((outcome, deliverable));
            }
        }
        let funding: Vec<(i64, FollowUpStatus, Option<i64>)> =
            of_page!(follow_ups::table, follow_ups::project_id, &page)
                .select((
                    follow_ups::project_id,
                    follow_ups::status,
                    follow_ups::amount_usd_cents,
                ))
                .load(conn)?;
        for (id, status, usd) in funding {
            if let (Some(c), Some(usd), true) = (out.get_mut(&id), usd, status.counts_as_leverage())
            {
                c.leveraged_usd_cents =
                    c.leveraged_usd_cents.checked_add(usd).ok_or_else(|| {
                        diesel::result::Error::DeserializationError(
                            format!("the follow-up funding of project {id} overflows").into(),
                        )
                    })?;
            }
        }
        // The orders the project list has (reference data by its position, the rest by
        // value), whatever order the rows came in.
        let position = |map: &HashMap<&str, i32>, code: &str| map.get(code).copied();
        for c in out.values_mut() {
            c.sdg_targets.sort_by_key(|code| position(&targets, code));
            c.migof.sort_by_key(|code| position(&elements, code));
            c.gcm_objectives.sort_unstable();
            c.msd.sort_unstable();
        }
        Ok(out)
    }
}
