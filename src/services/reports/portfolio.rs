//! `reports/portfolio`: count, seed budget, follow-up USD, leverage and unconverted amounts,
//! grouped by one or two dimensions.

use std::collections::HashMap;

use serde::Serialize;
use utoipa::ToSchema;

use super::{Data, Dim, Key, KeyId, add, label};
use crate::domain::FundingLine;
use crate::domain::Money;
use crate::domain::follow_up::FollowUpStatus;
use crate::domain::fx::{ratio, split};
use crate::domain::money::MoneyDto;
use crate::domain::project::Status;
use crate::error::ApiError;
use crate::models::reference::Catalogue;

/// The metrics of a group, or of the whole selection.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PortfolioMetrics {
    /// Distinct projects in the group.
    pub projects: i64,
    pub seed_budget: MoneyDto,
    /// Approved and received follow-up funding, in USD.
    pub follow_up_usd: MoneyDto,
    /// `follow_up_usd` ÷ `seed_budget`, two decimals; null when the seed budget is zero.
    #[schema(required = true)]
    pub leverage: Option<String>,
    /// Approved or received follow-up records that have no exchange rate (not in the sums).
    pub unconverted_follow_up: i64,
}

/// One group: a key field (and its `_label`) for each grouping dimension, named as in
/// `group_by`, then the metrics. A key is null for projects without a value (no thematic
/// area, no SDG mapping, …). Fields of dimensions not grouped by are absent.
#[derive(Debug, Clone, Default, Serialize, ToSchema)]
pub struct PortfolioRow {
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<i32>)]
    pub funding_year: Option<Option<i32>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>)]
    pub funding_year_label: Option<Option<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<FundingLine>)]
    pub funding_line: Option<Option<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>)]
    pub funding_line_label: Option<Option<String>>,
    /// Region code, e.g. `AP`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>)]
    pub region: Option<Option<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>)]
    pub region_label: Option<Option<String>>,
    /// ISO3 code.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>)]
    pub member_state: Option<Option<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>)]
    pub member_state_label: Option<Option<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>)]
    pub thematic_area: Option<Option<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>)]
    pub thematic_area_label: Option<Option<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Status>)]
    pub status: Option<Option<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>)]
    pub status_label: Option<Option<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<i32>)]
    pub sdg_goal: Option<Option<i32>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>)]
    pub sdg_goal_label: Option<Option<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>)]
    pub sdg_target: Option<Option<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>)]
    pub sdg_target_label: Option<Option<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>)]
    pub migof_element: Option<Option<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>)]
    pub migof_element_label: Option<Option<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<i32>)]
    pub gcm_objective: Option<Option<i32>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>)]
    pub gcm_objective_label: Option<Option<String>>,
    #[serde(flatten)]
    pub metrics: PortfolioMetrics,
}

impl Default for PortfolioMetrics {
    fn default() -> Self {
        metrics(0, 0, 0, 0)
    }
}

impl PortfolioRow {
    fn set(&mut self, dim: Dim, key: &Key, label: Option<String>) {
        let label = Some(label);
        match dim {
            Dim::FundingYear => {
                (self.funding_year, self.funding_year_label) = (Some(key.int()), label)
            }
            Dim::FundingLine => {
                (self.funding_line, self.funding_line_label) = (Some(key.text()), label)
            }
            Dim::Region => (self.region, self.region_label) = (Some(key.text()), label),
            Dim::MemberState => {
                (self.member_state, self.member_state_label) = (Some(key.text()), label)
            }
            Dim::ThematicArea => {
                (self.thematic_area, self.thematic_area_label) = (Some(key.text()), label)
            }
            Dim::Status => (self.status, self.status_label) = (Some(key.text()), label),
            Dim::SdgGoal => (self.sdg_goal, self.sdg_goal_label) = (Some(key.int()), label),
            Dim::SdgTarget => (self.sdg_target, self.sdg_target_label) = (Some(key.text()), label),
            Dim::MigofElement => {
                (self.migof_element, self.migof_element_label) = (Some(key.text()), label)
            }
            Dim::GcmObjective => {
                (self.gcm_objective, self.gcm_objective_label) = (Some(key.int()), label)
            }
        }
    }
}

/// `GET /reports/portfolio`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PortfolioReport {
    pub group_by: Vec<Dim>,
    pub rows: Vec<PortfolioRow>,
    pub totals: PortfolioMetrics,
    /// How to read the figures (splits, overlaps, unconverted amounts).
    pub notes: Vec<String>,
}

fn metrics(projects: usize, seed: i64, follow: i64, unconverted: i64) -> PortfolioMetrics {
    PortfolioMetrics {
        projects: i64::try_from(projects).unwrap_or(i64::MAX),
        seed_budget: Money::usd_cents(seed).to_dto(),
        follow_up_usd: Money::usd_cents(follow).to_dto(),
        leverage: ratio(follow, seed),
        unconverted_follow_up: unconverted,
    }
}

#[derive(Default)]
struct Acc {
    projects: usize,
    seed: i64,
    follow: i64,
    unconverted: i64,
}

/// Groups the selected projects by `dims` (one or two).
pub fn portfolio(data: &Data, dims: &[Dim], c: &Catalogue) -> Result<PortfolioReport, ApiError> {
    let splits = dims.iter().any(|d| d.splits());
    let mut groups: HashMap<(KeyId, KeyId), Acc> = HashMap::new();
    let (mut seed_total, mut follow_total, mut unconverted_total) = (0i64, 0i64, 0i64);
    // (group, seed, follow-up) of each part of the current project's money.
    let mut parts: Vec<((KeyId, KeyId), i64, i64)> = Vec::new();
    for row in data.rows() {
        let p = row.project();
        seed_total = add(seed_total, p.budget)?;
        follow_total = add(follow_total, p.follow)?;
        unconverted_total = add(unconverted_total, p.unconverted)?;
        parts.clear();
        if splits {
            let states = row.states();
            let (seeds, follows) = match states {
                // One state takes it all (unless its share is zero): no split to compute.
                [one] if one.weight != 0 => (vec![p.budget], vec![p.follow]),
                _ => {
                    let weights: Vec<i64> = states.iter().map(|s| s.weight).collect();
                    (split(p.budget, &weights), split(p.follow, &weights))
                }
            };
            for (j, s) in states.iter().enumerate() {
                let keys = |d: Dim| match d {
                    Dim::Region => std::slice::from_ref(&s.region),
                    Dim::MemberState => std::slice::from_ref(&s.state),
                    other => row.keys(other),
                };
                combine(&mut parts, dims, keys, seeds[j], follows[j]);
            }
        } else {
            combine(&mut parts, dims, |d| row.keys(d), p.budget, p.follow);
        }
        // A project counts once in each group it reaches, with the sum of its parts there.
        parts.sort_unstable_by_key(|part| part.0);
        let mut at = 0;
        while at < parts.len() {
            let key = parts[at].0;
            let acc = groups.entry(key).or_default();
            acc.projects += 1;
            acc.unconverted = add(acc.unconverted, p.unconverted)?;
            while at < parts.len() && parts[at].0 == key {
                acc.seed = add(acc.seed, parts[at].1)?;
                acc.follow = add(acc.follow, parts[at].2)?;
                at += 1;
            }
        }
    }
    let mut groups: Vec<_> = groups.into_iter().collect();
    groups.sort_unstable_by_key(|(k, _)| *k);
    let rows = groups
        .iter()
        .map(|((k1, k2), acc)| {
            let mut row = PortfolioRow {
                metrics: metrics(acc.projects, acc.seed, acc.follow, acc.unconverted),
                ..PortfolioRow::default()
            };
            for (d, k) in dims.iter().zip([k1, k2]) {
                let key = data.key(*d, *k);
                row.set(*d, &key, label(*d, &key, c, data));
            }
            row
        })
        .collect();
    let mut notes = vec![format!(
        "Follow-up USD counts {} funding converted at the rate of its month; amounts with no rate are counted in unconverted_follow_up, never guessed.",
        FollowUpStatus::ALL
            .iter()
            .filter(|s| s.counts_as_leverage())
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join(" and ")
    )];
    if dims.iter().any(|d| d.splits()) {
        notes.push("Money is split across each project's member states by their budget shares, so the groups add up to the totals; a project with several states is counted in each of their groups.".to_owned());
    }
    if let Some(d) = dims.iter().find(|d| d.multi()) {
        notes.push(format!(
            "A project mapped to several {} values is counted, with its whole budget, in each: groups overlap and do not add up to the totals.",
            d.as_str()
        ));
    }
    Ok(PortfolioReport {
        group_by: dims.to_vec(),
        rows,
        totals: metrics(data.len(), seed_total, follow_total, unconverted_total),
        notes,
    })
}

/// Adds a part of a project's money to every combination of one key per dimension.
fn combine<'a>(
    parts: &mut Vec<((KeyId, KeyId), i64, i64)>,
    dims: &[Dim],
    keys: impl Fn(Dim) -> &'a [KeyId],
    seed: i64,
    follow: i64,
) {
    let first = keys(dims[0]);
    let second = dims.get(1).map_or(&[0][..], |d| keys(*d));
    for k1 in first {
        for k2 in second {
            parts.push(((*k1, *k2), seed, follow));
        }
    }
}
