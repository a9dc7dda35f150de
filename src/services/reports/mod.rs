//! The Fund's reports, computed from bulk reads (a fixed number of queries whatever the
//! portfolio's size) with exact integer money: splits by member-state share hand out every
//! cent, so totals over groups equal the overall total. One report per file; each answers a
//! typed document (its OpenAPI schema is derived from it).
//!
//! The portfolio, coverage and leverage reports count each copy's in-memory base of every
//! project ([`base`]), kept up to date from the change feed; the base reads only the columns
//! they count ([`crate::models::report`]), as integers where it can ([`data`]). The allocation
//! report reads one year's projects.

mod allocation;
mod base;
mod coverage;
mod data;
mod evaluation_compliance;
mod gather;
mod keys;
mod leverage;
mod portfolio;
mod publications;
mod recommendations;
mod results;

pub use base::{MAX_PATCH, Refresh, Shelf};
pub use data::Data;
use keys::{KeyId, number};

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

use crate::error::ApiError;
use crate::models::reference::Catalogue;

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

/// A group key as shown: numbers sort as numbers, text as text, "none" last.
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

fn label(dim: Dim, key: &Key, c: &Catalogue, data: &Data) -> Option<String> {
    match (dim, key) {
        (_, Key::None) => None,
        (Dim::FundingLine, Key::Text(t)) => Some(t.replace("line_", "Line ")),
        (Dim::Region, Key::Text(t)) => c.region(t).map(|r| r.name.clone()),
        (Dim::MemberState, Key::Text(t)) => data.state_name(t),
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
