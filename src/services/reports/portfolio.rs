//! `reports/portfolio`: count, seed budget, follow-up USD, leverage and unconverted amounts,
//! grouped by one or two dimensions.

use std::collections::{BTreeMap, HashSet};

use serde::Serialize;
use utoipa::ToSchema;

use super::{Data, Dim, Key, add, label, product, weights};
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
    projects: HashSet<i64>,
    seed: i64,
    follow: i64,
    unconverted: i64,
}

/// Groups the selected projects by `dims` (one or two).
pub fn portfolio(data: &Data, dims: &[Dim], c: &Catalogue) -> Result<PortfolioReport, ApiError> {
    let mut groups: BTreeMap<Vec<Key>, Acc> = BTreeMap::new();
    let (mut seed_total, mut follow_total, mut unconverted_total) = (0i64, 0i64, 0i64);
    for p in &data.projects {
        let lev = data.leveraged(p.id);
        seed_total = add(seed_total, p.budget_usd_cents)?;
        follow_total = add(follow_total, lev.usd_cents)?;
        unconverted_total = add(unconverted_total, lev.unconverted)?;
        // (keys per dimension, seed, follow-up) for each part of the project's money.
        let mut parts: Vec<(Vec<Vec<Key>>, i64, i64)> = Vec::new();
        if dims.iter().any(|d| d.splits()) {
            let states = data.shares.get(&p.id).cloned().unwrap_or_default();
            let weights = weights(states.iter().map(|s| s.1));
            let (seeds, follows) = (
                split(p.budget_usd_cents, &weights),
                split(lev.usd_cents, &weights),
            );
            for (i, (iso3, _, region)) in states.iter().enumerate() {
                let keys = dims
                    .iter()
                    .map(|d| match d {
                        Dim::Region => vec![Key::Text(region.clone())],
                        Dim::MemberState => vec![Key::Text(iso3.clone())],
                        other => data.keys(p, *other),
                    })
                    .collect();
                parts.push((keys, seeds[i], follows[i]));
            }
        } else {
            parts.push((
                dims.iter().map(|d| data.keys(p, *d)).collect(),
                p.budget_usd_cents,
                lev.usd_cents,
            ));
        }
        for (keys, seed, follow) in parts {
            for combo in product(&keys) {
                let acc = groups.entry(combo).or_default();
                acc.seed = add(acc.seed, seed)?;
                acc.follow = add(acc.follow, follow)?;
                if acc.projects.insert(p.id) {
                    acc.unconverted = add(acc.unconverted, lev.unconverted)?;
                }
            }
        }
    }
    let rows = groups
        .iter()
        .map(|(keys, acc)| {
            let mut row = PortfolioRow {
                metrics: metrics(acc.projects.len(), acc.seed, acc.follow, acc.unconverted),
                ..PortfolioRow::default()
            };
            for (d, k) in dims.iter().zip(keys) {
                row.set(*d, k, label(*d, k, c, data));
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
        totals: metrics(
            data.projects.len(),
            seed_total,
            follow_total,
            unconverted_total,
        ),
        notes,
    })
}
