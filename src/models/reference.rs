//! Read-only reference data, loaded once at start-up into a [`Catalogue`].

use std::collections::BTreeMap;

use diesel::prelude::*;

use crate::db::Conn;
use crate::db::schema::{
    gcm_objectives, migof_elements, msd_deliverables, msd_outcomes, regions, sdg_goals,
    sdg_indicators, sdg_targets, taxonomy_terms,
};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = regions)]
pub struct Region {
    pub code: String,
    pub name: String,
    pub seat: String,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = sdg_goals)]
pub struct SdgGoal {
    pub number: i32,
    pub title: String,
    pub short_title: String,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = sdg_targets)]
pub struct SdgTarget {
    pub code: String,
    pub goal: i32,
    pub title: String,
    pub position: i32,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = sdg_indicators)]
pub struct SdgIndicator {
    pub code: String,
    pub target_code: String,
    pub title: String,
    pub framework_version: String,
    pub position: i32,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = migof_elements)]
pub struct MigofElement {
    pub code: String,
    pub kind: String,
    pub text: String,
    pub short_text: String,
    pub position: i32,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = gcm_objectives)]
pub struct GcmObjective {
    pub number: i32,
    pub title: String,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = msd_outcomes)]
pub struct MsdOutcome {
    pub number: i32,
    pub title: Option<String>,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = msd_deliverables)]
pub struct MsdDeliverable {
    pub outcome: i32,
    pub number: i32,
    pub title: Option<String>,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = taxonomy_terms)]
pub struct TaxonomyTerm {
    pub taxonomy: String,
    pub code: String,
    pub label: String,
    pub description: Option<String>,
    pub position: i32,
}

/// All reference data that never changes while the service runs, in display order.
#[derive(Debug, Clone, Default)]
pub struct Catalogue {
    pub regions: Vec<Region>,
    pub goals: Vec<SdgGoal>,
    pub targets: Vec<SdgTarget>,
    pub indicators: Vec<SdgIndicator>,
    pub migof: Vec<MigofElement>,
    pub gcm: Vec<GcmObjective>,
    pub msd_outcomes: Vec<MsdOutcome>,
    pub msd_deliverables: Vec<MsdDeliverable>,
    /// Taxonomy name (`thematic-areas`) → its terms.
    pub taxonomies: BTreeMap<String, Vec<TaxonomyTerm>>,
}

impl Catalogue {
    /// Reads every reference table (nine queries, once, at start-up).
    pub fn load(conn: &mut Conn) -> QueryResult<Catalogue> {
        let mut taxonomies: BTreeMap<String, Vec<TaxonomyTerm>> = BTreeMap::new();
        for term in taxonomy_terms::table
            .order((taxonomy_terms::taxonomy, taxonomy_terms::position))
            .select(TaxonomyTerm::as_select())
            .load(conn)?
        {
            taxonomies
                .entry(term.taxonomy.clone())
                .or_default()
                .push(term);
        }
        Ok(Catalogue {
            regions: regions::table
                .order(regions::code)
                .select(Region::as_select())
                .load(conn)?,
            goals: sdg_goals::table
                .order(sdg_goals::number)
                .select(SdgGoal::as_select())
                .load(conn)?,
            targets: sdg_targets::table
                .order(sdg_targets::position)
                .select(SdgTarget::as_select())
                .load(conn)?,
            indicators: sdg_indicators::table
                .order(sdg_indicators::position)
                .select(SdgIndicator::as_select())
                .load(conn)?,
            migof: migof_elements::table
                .order(migof_elements::position)
                .select(MigofElement::as_select())
                .load(conn)?,
            gcm: gcm_objectives::table
                .order(gcm_objectives::number)
                .select(GcmObjective::as_select())
                .load(conn)?,
            msd_outcomes: msd_outcomes::table
                .order(msd_outcomes::number)
                .select(MsdOutcome::as_select())
                .load(conn)?,
            msd_deliverables: msd_deliverables::table
                .order((msd_deliverables::outcome, msd_deliverables::number))
                .select(MsdDeliverable::as_select())
                .load(conn)?,
            taxonomies,
        })
    }

    /// The catalogue every database holds once migrated: migrations load the reference data,
    /// so this is what `devfund openapi` describes without a database of its own (an
    /// in-memory SQLite, migrated and read, in about a tenth of a second).
    pub fn shipped() -> anyhow::Result<Catalogue> {
        let mut conn =
            crate::db::AnyConnection::Sqlite(diesel::SqliteConnection::establish(":memory:")?);
        crate::db::migrate::run_pending(&mut conn)?;
        Ok(Catalogue::load(&mut conn)?)
    }

    /// The codes of a taxonomy, in display order.
    pub fn terms(&self, taxonomy: &str) -> Vec<&str> {
        self.taxonomies
            .get(taxonomy)
            .map(|t| t.iter().map(|x| x.code.as_str()).collect())
            .unwrap_or_default()
    }

    pub fn region(&self, code: &str) -> Option<&Region> {
        self.regions.iter().find(|r| r.code == code)
    }

    pub fn target(&self, code: &str) -> Option<&SdgTarget> {
        self.targets.iter().find(|t| t.code == code)
    }
}
