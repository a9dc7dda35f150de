//! Loading the rows that hang off a page of projects: a fixed number of queries for any
//! number of projects.

use std::collections::HashMap;

use diesel::prelude::*;

use crate::db::Conn;
use crate::db::schema::{
    member_states, project_gcm_objectives, project_links, project_member_states, project_migof,
    project_msd, project_sdg_targets, project_terms,
};
use crate::db::sql::within;

use super::Mappings;
use crate::domain::project::LinkType;

/// A benefitting state with its share of the budget (parts per million) and endorsement.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct MemberShare {
    pub iso3: String,
    /// `None`: an equal split among the project's states.
    pub share_ppm: Option<i32>,
    pub endorsed: bool,
    /// Filled when loaded: the state's name and region.
    #[serde(skip)]
    pub name: String,
    #[serde(skip)]
    pub region: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, serde::Serialize)]
#[diesel(table_name = project_links)]
pub struct Link {
    pub id: i64,
    #[serde(skip)]
    pub project_id: i64,
    pub link_type: LinkType,
    pub target_code: Option<String>,
    pub target_title: Option<String>,
    pub note: Option<String>,
    #[serde(skip)]
    pub created_at: chrono::NaiveDateTime,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = project_links)]
pub struct NewLink {
    pub project_id: i64,
    pub link_type: LinkType,
    pub target_code: Option<String>,
    pub target_title: Option<String>,
    pub note: Option<String>,
    pub created_at: chrono::NaiveDateTime,
}

impl NewLink {
    pub fn insert(&self, conn: &mut Conn) -> QueryResult<Link> {
        diesel::insert_into(project_links::table)
            .values(self)
            .returning(project_links::all_columns)
            .get_result(conn)
    }
}

impl Link {
    pub fn delete(conn: &mut Conn, project_id: i64, id: i64) -> QueryResult<usize> {
        diesel::delete(
            project_links::table
                .filter(project_links::id.eq(id))
                .filter(project_links::project_id.eq(project_id)),
        )
        .execute(conn)
    }
}

/// Everything that hangs off one project.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Children {
    pub member_states: Vec<MemberShare>,
    pub mappings: Mappings,
    pub innovation_areas: Vec<String>,
    pub cross_cutting_themes: Vec<String>,
    pub links: Vec<Link>,
    /// Follow-up money that counts as leverage (approved and received, in USD).
    pub leveraged: crate::models::follow_up::Leveraged,
}

impl Children {
    /// Loads the children of every project in `ids` in nine queries.
    pub fn load(conn: &mut Conn, ids: &[i64]) -> QueryResult<HashMap<i64, Children>> {
        let mut out: HashMap<i64, Children> =
            ids.iter().map(|id| (*id, Children::default())).collect();
        if ids.is_empty() {
            return Ok(out);
        }
        let states: Vec<(i64, String, Option<i32>, bool, String, String)> =
            project_member_states::table
                .inner_join(member_states::table)
                .filter(within(project_member_states::project_id, ids.to_vec()))
                .order((
                    project_member_states::project_id,
                    project_member_states::position,
                ))
                .select((
                    project_member_states::project_id,
                    project_member_states::iso3,
                    project_member_states::share_ppm,
                    project_member_states::endorsed,
                    member_states::name,
                    member_states::region,
                ))
                .load(conn)?;
        for (id, iso3, share_ppm, endorsed, name, region) in states {
            if let Some(c) = out.get_mut(&id) {
                c.member_states.push(MemberShare {
                    iso3,
                    share_ppm,
                    endorsed,
                    name,
                    region,
                });
            }
        }
        let sdg: Vec<(i64, String)> = project_sdg_targets::table
            .inner_join(crate::db::schema::sdg_targets::table)
            .filter(within(project_sdg_targets::project_id, ids.to_vec()))
            .order((
                project_sdg_targets::project_id,
                crate::db::schema::sdg_targets::position,
            ))
            .select((
                project_sdg_targets::project_id,
                project_sdg_targets::target_code,
            ))
            .load(conn)?;
        for (id, code) in sdg {
            if let Some(c) = out.get_mut(&id) {
                c.mappings.sdg_targets.push(code);
            }
        }
        let migof: Vec<(i64, String)> = project_migof::table
            .inner_join(crate::db::schema::migof_elements::table)
            .filter(within(project_migof::project_id, ids.to_vec()))
            .order((
                project_migof::project_id,
                crate::db::schema::migof_elements::position,
            ))
            .select((project_migof::project_id, project_migof::element_code))
            .load(conn)?;
        for (id, code) in migof {
            if let Some(c) = out.get_mut(&id) {
                c.mappings.migof.push(code);
            }
        }
        let gcm: Vec<(i64, i32)> = project_gcm_objectives::table
            .filter(within(project_gcm_objectives::project_id, ids.to_vec()))
            .order((
                project_gcm_objectives::project_id,
                project_gcm_objectives::objective,
            ))
            .select((
                project_gcm_objectives::project_id,
                project_gcm_objectives::objective,
            ))
            .load(conn)?;
        for (id, o) in gcm {
            if let Some(c) = out.get_mut(&id) {
                c.mappings.gcm_objectives.push(o);
            }
        }
        let msd: Vec<(i64, i32, i32)> = project_msd::table
            .filter(within(project_msd::project_id, ids.to_vec()))
            .order((
                project_msd::project_id,
                project_msd::outcome,
                project_msd::deliverable,
            ))
            .select((
                project_msd::project_id,
                project_msd::outcome,
                project_msd::deliverable,
            ))
            .load(conn)?;
        for (id, outcome, deliverable) in msd {
            if let Some(c) = out.get_mut(&id) {
                c.mappings.msd.push((outcome, deliverable));
            }
        }
        let terms: Vec<(i64, String, String)> = project_terms::table
            .filter(within(project_terms::project_id, ids.to_vec()))
            .order((
                project_terms::project_id,
                project_terms::taxonomy,
                project_terms::code,
            ))
            .select((
                project_terms::project_id,
                project_terms::taxonomy,
                project_terms::code,
            ))
            .load(conn)?;
        for (id, taxonomy, code) in terms {
            if let Some(c) = out.get_mut(&id) {
                match taxonomy.as_str() {
                    "innovation-areas" => c.innovation_areas.push(code),
                    _ => c.cross_cutting_themes.push(code),
                }
            }
        }
        let links: Vec<Link> = project_links::table
            .filter(within(project_links::project_id, ids.to_vec()))
            .order((project_links::project_id, project_links::id))
            .select(Link::as_select())
            .load(conn)?;
        for link in links {
            if let Some(c) = out.get_mut(&link.project_id) {
                c.links.push(link);
            }
        }
        for (id, leveraged) in crate::models::follow_up::FollowUp::leveraged(conn, Some(ids))? {
            if let Some(c) = out.get_mut(&id) {
                c.leveraged = leveraged;
            }
        }
        Ok(out)
    }
}
