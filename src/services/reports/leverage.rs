//! `reports/leverage`: projects ranked by follow-up USD (or leverage), and the follow-up money
//! by source type and by status.

use std::collections::BTreeMap;

use serde::Serialize;
use utoipa::ToSchema;

use super::{Data, add};
use crate::domain::Money;
use crate::domain::follow_up::{Conversion, FollowUpStatus, SourceType};
use crate::domain::fx::ratio;
use crate::domain::money::MoneyDto;
use crate::error::ApiError;
use crate::models::follow_up::Leveraged;
use crate::models::report::ReportProject;

crate::domain::funding::closed_enum!(
    /// What the leverage report ranks projects by.
    RankBy {
        FollowUpUsd => "follow_up_usd",
        Leverage => "leverage",
    }
);

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RankedProject {
    pub code: String,
    pub title: String,
    pub seed_budget: MoneyDto,
    pub follow_up_usd: MoneyDto,
    /// Null when the seed budget is zero.
    #[schema(required = true)]
    pub leverage: Option<String>,
    pub unconverted_follow_up: i64,
}

/// Approved and received follow-up funding of one source type.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SourceTypeTotal {
    pub source_type: SourceType,
    /// Records of this source type, whatever their status.
    pub records: i64,
    pub follow_up_usd: MoneyDto,
    pub unconverted_follow_up: i64,
}

/// Every converted amount of one status.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct StatusTotal {
    pub status: FollowUpStatus,
    pub records: i64,
    pub follow_up_usd: MoneyDto,
    pub unconverted_follow_up: i64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LeverageTotals {
    pub projects: i64,
    pub records: i64,
    pub seed_budget: MoneyDto,
    pub follow_up_usd: MoneyDto,
    #[schema(required = true)]
    pub leverage: Option<String>,
    pub unconverted_follow_up: i64,
}

/// `GET /reports/leverage`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LeverageReport {
    pub sort: RankBy,
    pub projects: Vec<RankedProject>,
    pub by_source_type: Vec<SourceTypeTotal>,
    pub by_status: Vec<StatusTotal>,
    pub totals: LeverageTotals,
    pub notes: Vec<String>,
}

fn count(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// Ranks the selected projects and sums their follow-up funding.
pub fn leverage(data: &Data, rank_by: RankBy, limit: usize) -> Result<LeverageReport, ApiError> {
    let mut ranked: Vec<(&ReportProject, Leveraged)> = data
        .projects
        .iter()
        .map(|p| (p, data.leveraged(p.id)))
        .collect();
    ranked.sort_by(|(a, la), (b, lb)| {
        let primary = match rank_by {
            // Compare follow-up ÷ budget exactly, by cross-multiplying; a zero budget has no
            // leverage and ranks last, so the order stays total.
            RankBy::Leverage => match (a.budget_usd_cents > 0, b.budget_usd_cents > 0) {
                (true, true) => (i128::from(lb.usd_cents) * i128::from(a.budget_usd_cents))
                    .cmp(&(i128::from(la.usd_cents) * i128::from(b.budget_usd_cents))),
                (true, false) => std::cmp::Ordering::Less,
                (false, true) => std::cmp::Ordering::Greater,
                (false, false) => std::cmp::Ordering::Equal,
            },
            RankBy::FollowUpUsd => lb.usd_cents.cmp(&la.usd_cents),
        };
        primary.then_with(|| a.code.cmp(&b.code))
    });
    let projects = ranked
        .iter()
        .take(limit)
        .map(|(p, l)| RankedProject {
            code: p.code.clone(),
            title: p.title.clone(),
            seed_budget: Money::usd_cents(p.budget_usd_cents).to_dto(),
            follow_up_usd: Money::usd_cents(l.usd_cents).to_dto(),
            leverage: ratio(l.usd_cents, p.budget_usd_cents),
            unconverted_follow_up: l.unconverted,
        })
        .collect();
    let mut by_source: BTreeMap<SourceType, (i64, i64, i64)> = BTreeMap::new();
    let mut by_status: BTreeMap<FollowUpStatus, (i64, i64, i64)> = BTreeMap::new();
    for f in &data.follow_ups {
        let (source, status) = (f.source_type, f.status);
        let missing = i64::from(f.usd_conversion == Conversion::MissingRate);
        let s = by_source.entry(source).or_default();
        s.0 += 1;
        if status.counts_as_leverage() {
            s.1 = add(s.1, f.amount_usd_cents.unwrap_or_default())?;
            s.2 += missing;
        }
        let t = by_status.entry(status).or_default();
        t.0 += 1;
        t.1 = add(t.1, f.amount_usd_cents.unwrap_or_default())?;
        t.2 += missing;
    }
    let seed = data
        .projects
        .iter()
        .map(|p| p.budget_usd_cents)
        .try_fold(0i64, add)?;
    let follow = ranked
        .iter()
        .map(|(_, l)| l.usd_cents)
        .try_fold(0i64, add)?;
    let unconverted: i64 = ranked.iter().map(|(_, l)| l.unconverted).sum();
    // Groups in the alphabetical order of their names.
    let mut by_source: Vec<_> = by_source.into_iter().collect();
    by_source.sort_by_key(|(s, _)| s.as_str());
    let mut by_status: Vec<_> = by_status.into_iter().collect();
    by_status.sort_by_key(|(s, _)| s.as_str());
    Ok(LeverageReport {
        sort: rank_by,
        projects,
        by_source_type: by_source
            .into_iter()
            .map(|(source_type, (records, usd, missing))| SourceTypeTotal {
                source_type,
                records,
                follow_up_usd: Money::usd_cents(usd).to_dto(),
                unconverted_follow_up: missing,
            })
            .collect(),
        by_status: by_status
            .into_iter()
            .map(|(status, (records, usd, missing))| StatusTotal {
                status,
                records,
                follow_up_usd: Money::usd_cents(usd).to_dto(),
                unconverted_follow_up: missing,
            })
            .collect(),
        totals: LeverageTotals {
            projects: count(data.projects.len()),
            records: count(data.follow_ups.len()),
            seed_budget: Money::usd_cents(seed).to_dto(),
            follow_up_usd: Money::usd_cents(follow).to_dto(),
            leverage: ratio(follow, seed),
            unconverted_follow_up: unconverted,
        },
        notes: vec!["by_source_type and totals count approved and received funding; by_status sums every converted amount of each status.".to_owned()],
    })
}
