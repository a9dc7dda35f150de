//! `reports/allocation`: the year's envelope against approved budgets, per line and region.

use std::collections::BTreeMap;

use serde::Serialize;
use utoipa::ToSchema;

use super::add;
use crate::db::Conn;
use crate::domain::fx::{div_half_even, split};
use crate::domain::money::MoneyDto;
use crate::domain::{FundingLine, Money, Share};
use crate::error::ApiError;
use crate::models::allocation::Allocation;
use crate::models::reference::Catalogue;
use crate::models::report;

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AllocationLine {
    pub funding_line: FundingLine,
    /// The year's envelope for the line; null when none is set.
    #[schema(required = true)]
    pub envelope: Option<MoneyDto>,
    /// Budgets of the line's projects of the year from approved on.
    pub approved: MoneyDto,
    /// `envelope − approved` (negative when overrun); null without an envelope.
    #[schema(required = true)]
    pub remaining: Option<MoneyDto>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AllocationRegion {
    pub region: String,
    #[schema(required = true)]
    pub region_label: Option<String>,
    /// Approved money of the region (split by member-state shares).
    pub approved: MoneyDto,
    /// The region's part of all approved money, a decimal string; null when none is approved.
    #[schema(required = true)]
    pub share: Option<String>,
}

/// `GET /reports/allocation`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AllocationReport {
    pub year: i32,
    pub lines: Vec<AllocationLine>,
    pub regions: Vec<AllocationRegion>,
}

/// The year's envelopes and the budgets of its projects that hold funds, split by region:
/// the year's projects and only their member states are read.
pub fn allocation(conn: &mut Conn, year: i32, c: &Catalogue) -> Result<AllocationReport, ApiError> {
    let rows = report::holding_funds(conn, year)?;
    let mut shares = report::holding_funds_states(conn, year)?;
    // By project, then position: a split hands leftover cents in position order.
    shares.sort_unstable_by_key(|s| (s.0, s.1));
    let mut lines = Vec::new();
    for line in FundingLine::ALL {
        let approved = rows
            .iter()
            .filter(|r| r.1 == *line)
            .map(|r| r.2)
            .try_fold(0i64, add)?;
        let envelope = Allocation::find(conn, year, *line)?.map(|a| a.envelope_usd_cents);
        lines.push(AllocationLine {
            funding_line: *line,
            envelope: envelope.map(|e| Money::usd_cents(e).to_dto()),
            approved: Money::usd_cents(approved).to_dto(),
            remaining: envelope.map(|e| Money::usd_cents(e - approved).to_dto()),
        });
    }
    let mut regions: BTreeMap<&str, i64> = BTreeMap::new();
    let mut total = 0i64;
    for (id, _, budget) in &rows {
        total = add(total, *budget)?;
        let from = shares.partition_point(|s| s.0 < *id);
        let to = shares.partition_point(|s| s.0 <= *id);
        let states = &shares[from..to];
        let weights: Vec<i64> = states.iter().map(|s| s.2.map_or(1, i64::from)).collect();
        for (state, part) in states.iter().zip(split(*budget, &weights)) {
            let r = regions.entry(state.3.as_str()).or_default();
            *r = add(*r, part)?;
        }
    }
    Ok(AllocationReport {
        year,
        lines,
        regions: regions
            .into_iter()
            .map(|(region, approved)| AllocationRegion {
                region_label: c.region(region).map(|x| x.name.clone()),
                share: (total != 0).then(|| {
                    let ppm = div_half_even(i128::from(approved) * 1_000_000, i128::from(total));
                    Share::from_ppm(i64::try_from(ppm).unwrap_or(0)).to_string()
                }),
                approved: Money::usd_cents(approved).to_dto(),
                region: region.to_owned(),
            })
            .collect(),
    })
}
