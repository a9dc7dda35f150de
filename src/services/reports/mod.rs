//! The Fund's reports, computed from bulk reads (a fixed number of queries whatever the
//! portfolio's size) with exact integer money: splits by member-state share hand out every
//! cent, so totals over groups equal the overall total. One report per file; each answers a
//! typed document (its OpenAPI schema is derived from it).

mod allocation;
mod coverage;
mod evaluation_compliance;
mod leverage;
mod portfolio;
mod publications;
mod recommendations;
mod results;

pub use allocation::{AllocationLine, AllocationRegion, AllocationReport, allocation};
pub use coverage::{CoverageCode, CoverageElement, CoverageReport, Framework, coverage};
pub use evaluation_compliance::{
    ComplianceReport, ComplianceRow, ComplianceTotals, evaluation_compliance,
};
pub use leverage::{
    LeverageReport, LeverageTotals, RankBy, RankedProject, SourceTypeTotal, StatusTotal, leverage,
};
pub use portfolio::{PortfolioMetrics, PortfolioReport, PortfolioRow, portfolio};
pub use publications::{
    PublicationCounts, PublicationGroup, PublicationGroupRow, PublicationsReport, publications,
};
pub use recommendations::{
    RecommendationCounts, RecommendationGroup, RecommendationGroupRow, RecommendationsReport,
    recommendations,
};
pub use results::{ResultsCounts, ResultsProject, ResultsReport, ResultsRow, results};

use std::collections::{HashMap, HashSet};

use crate::db::Conn;
use crate::error::ApiError;
use crate::models::follow_up::{FollowUp, Leveraged};
use crate::models::project::ProjectFilter;
use crate::models::reference::Catalogue;
use crate::models::report::{self, ReportFollowUp, ReportProject};

crate::domain::funding::closed_enum!(
    /// A dimension the portfolio report groups by.
    Dim {
        FundingYear => "funding_year",
        FundingLine => "funding_line",
        Region => "region",
        MemberState => "member_state",
        ThematicArea => "thematic_area",
        Status => "status",
        SdgGoal => "sdg_goal",
        SdgTarget => "sdg_target",
        MigofElement => "migof_element",
        GcmObjective => "gcm_objective",
    }
);

impl Dim {
    /// Money is split across the project's member states by their shares.
    fn splits(self) -> bool {
        matches!(self, Dim::Region | Dim::MemberState)
    }

    /// A project may have several values: it is counted in each, with its whole money.
    fn multi(self) -> bool {
        matches!(
            self,
            Dim::SdgGoal | Dim::SdgTarget | Dim::MigofElement | Dim::GcmObjective
        )
    }
}

/// A group key: numbers sort as numbers, text as text, "none" last.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum Key {
    Int(i64),
    Text(String),
    None,
}

impl Key {
    fn int(&self) -> Option<i32> {
        match self {
            Key::Int(i) => i32::try_from(*i).ok(),
            _ => None,
        }
    }

    fn text(&self) -> Option<String> {
        match self {
            Key::Text(t) => Some(t.clone()),
            _ => None,
        }
    }
}

/// Everything the reports read, loaded once per request.
pub struct Data {
    pub projects: Vec<ReportProject>,
    shares: HashMap<i64, Vec<(String, Option<i32>, String)>>,
    sdg: HashMap<i64, Vec<(String, i32)>>,
    migof: HashMap<i64, Vec<String>>,
    gcm: HashMap<i64, Vec<i32>>,
    leveraged: HashMap<i64, Leveraged>,
    follow_ups: Vec<ReportFollowUp>,
    state_names: HashMap<String, String>,
}

/// What a report reads besides the projects themselves.
#[derive(Debug, Clone, Copy, Default)]
pub struct Needs {
    pub shares: bool,
    pub sdg: bool,
    pub migof: bool,
    pub gcm: bool,
    pub follow_ups: bool,
}

impl Needs {
    /// What grouping by `dims` reads.
    pub fn for_dims(dims: &[Dim]) -> Needs {
        Needs {
            shares: dims.iter().any(|d| d.splits()),
            sdg: dims
                .iter()
                .any(|d| matches!(d, Dim::SdgGoal | Dim::SdgTarget)),
            migof: dims.contains(&Dim::MigofElement),
            gcm: dims.contains(&Dim::GcmObjective),
            follow_ups: false,
        }
    }
}

/// `load()` when `needed`, else nothing.
fn when<T>(
    needed: bool,
    load: impl FnOnce() -> diesel::QueryResult<Vec<T>>,
) -> diesel::QueryResult<Vec<T>> {
    if needed { load() } else { Ok(Vec::new()) }
}

impl Data {
    /// Reads the filtered projects and, of the rest, only what `needs` names.
    pub fn load(conn: &mut Conn, filter: &ProjectFilter, needs: Needs) -> Result<Data, ApiError> {
        let projects = filter.report_rows(conn)?;
        let ids: HashSet<i64> = projects.iter().map(|p| p.id).collect();
        let mut shares: HashMap<i64, Vec<(String, Option<i32>, String)>> = HashMap::new();
        for (id, iso3, ppm, region) in when(needs.shares, || report::member_shares(conn))? {
            if ids.contains(&id) {
                shares.entry(id).or_default().push((iso3, ppm, region));
            }
        }
        let mut sdg: HashMap<i64, Vec<(String, i32)>> = HashMap::new();
        for (id, code, goal) in when(needs.sdg, || report::sdg(conn))? {
            if ids.contains(&id) {
                sdg.entry(id).or_default().push((code, goal));
            }
        }
        let mut migof: HashMap<i64, Vec<String>> = HashMap::new();
        for (id, code) in when(needs.migof, || report::migof(conn))? {
            if ids.contains(&id) {
                migof.entry(id).or_default().push(code);
            }
        }
        let mut gcm: HashMap<i64, Vec<i32>> = HashMap::new();
        for (id, n) in when(needs.gcm, || report::gcm(conn))? {
            if ids.contains(&id) {
                gcm.entry(id).or_default().push(n);
            }
        }
        let leveraged = FollowUp::leveraged(conn, None)?;
        let follow_ups = when(needs.follow_ups, || report::follow_ups(conn))?
            .into_iter()
            .filter(|f| ids.contains(&f.project_id))
            .collect();
        let state_names = {
            use crate::db::schema::member_states;
            use diesel::prelude::*;
            member_states::table
                .select((member_states::iso3, member_states::name))
                .load::<(String, String)>(conn)?
                .into_iter()
                .collect()
        };
        Ok(Data {
            projects,
            shares,
            sdg,
            migof,
            gcm,
            leveraged,
            follow_ups,
            state_names,
        })
    }

    fn keys(&self, p: &ReportProject, dim: Dim) -> Vec<Key> {
        let list = |v: Vec<Key>| if v.is_empty() { vec![Key::None] } else { v };
        match dim {
            Dim::FundingYear => vec![Key::Int(i64::from(p.funding_year))],
            Dim::FundingLine => vec![Key::Text(p.funding_line.as_str().to_owned())],
            Dim::ThematicArea => vec![p.thematic_area.clone().map_or(Key::None, Key::Text)],
            Dim::Status => vec![Key::Text(p.status.as_str().to_owned())],
            Dim::SdgGoal => {
                let mut goals: Vec<Key> = self
                    .sdg
                    .get(&p.id)
                    .into_iter()
                    .flatten()
                    .map(|(_, g)| Key::Int(i64::from(*g)))
                    .collect();
                goals.sort();
                goals.dedup();
                list(goals)
            }
            Dim::SdgTarget => list(
                self.sdg
                    .get(&p.id)
                    .into_iter()
                    .flatten()
                    .map(|(t, _)| Key::Text(t.clone()))
                    .collect(),
            ),
            Dim::MigofElement => list(
                self.migof
                    .get(&p.id)
                    .into_iter()
                    .flatten()
                    .map(|m| Key::Text(m.clone()))
                    .collect(),
            ),
            Dim::GcmObjective => list(
                self.gcm
                    .get(&p.id)
                    .into_iter()
                    .flatten()
                    .map(|n| Key::Int(i64::from(*n)))
                    .collect(),
            ),
            Dim::Region | Dim::MemberState => vec![Key::None],
        }
    }

    fn leveraged(&self, id: i64) -> Leveraged {
        self.leveraged.get(&id).copied().unwrap_or_default()
    }
}

fn label(dim: Dim, key: &Key, c: &Catalogue, data: &Data) -> Option<String> {
    match (dim, key) {
        (_, Key::None) => None,
        (Dim::FundingLine, Key::Text(t)) => Some(t.replace("line_", "Line ")),
        (Dim::Region, Key::Text(t)) => c.region(t).map(|r| r.name.clone()),
        (Dim::MemberState, Key::Text(t)) => data.state_names.get(t).cloned(),
        (Dim::ThematicArea, Key::Text(t)) => c
            .taxonomies
            .get("thematic-areas")
            .and_then(|x| x.iter().find(|x| &x.code == t))
            .map(|x| x.label.clone()),
        (Dim::Status, Key::Text(t)) => Some(t.replace('_', " ")),
        (Dim::SdgGoal, Key::Int(n)) => c
            .goals
            .iter()
            .find(|g| i64::from(g.number) == *n)
            .map(|g| g.short_title.clone()),
        (Dim::SdgTarget, Key::Text(t)) => c.target(t).map(|x| x.title.clone()),
        (Dim::MigofElement, Key::Text(t)) => c
            .migof
            .iter()
            .find(|m| &m.code == t)
            .map(|m| m.short_text.clone()),
        (Dim::GcmObjective, Key::Int(n)) => c
            .gcm
            .iter()
            .find(|g| i64::from(g.number) == *n)
            .map(|g| g.title.clone()),
        (Dim::FundingYear, Key::Int(n)) => Some(n.to_string()),
        _ => None,
    }
}

fn add(a: i64, b: i64) -> Result<i64, ApiError> {
    a.checked_add(b)
        .ok_or_else(|| ApiError::internal(anyhow::anyhow!("report sum overflows i64")))
}

/// Split weights from stored shares: an equal split (no shares) weighs every state the same.
fn weights(shares: impl Iterator<Item = Option<i32>>) -> Vec<i64> {
    shares.map(|s| s.map_or(1, i64::from)).collect()
}

/// Every combination of one key per dimension.
fn product(lists: &[Vec<Key>]) -> Vec<Vec<Key>> {
    lists.iter().fold(vec![Vec::new()], |acc, keys| {
        acc.iter()
            .flat_map(|prefix| {
                keys.iter()
                    .map(move |k| [prefix.clone(), vec![k.clone()]].concat())
            })
            .collect()
    })
}
