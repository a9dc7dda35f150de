//! `reports/leverage`: projects ranked by follow-up USD (or leverage), and the follow-up money
//! by source type and by status.

use std::cmp::Ordering;
use std::collections::{BTreeMap, HashMap};

use serde::Serialize;
use utoipa::ToSchema;

use super::{Data, add};
use crate::db::Conn;
use crate::domain::Money;
use crate::domain::follow_up::{Conversion, FollowUpStatus, SourceType};
use crate::domain::fx::ratio;
use crate::domain::money::MoneyDto;
use crate::error::ApiError;
use crate::models::follow_up::Leveraged;
use crate::models::report;

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

/// A selected project as ranked: (id, seed budget, code) and its follow-up money.
type Ranked<'a> = ((i64, i64, &'a str), Leveraged);

/// The order of the ranking: by `rank_by`, best first, then by code.
fn order(rank_by: RankBy) -> impl Fn(&Ranked, &Ranked) -> Ordering {
    move |((_, a_budget, a_code), la), ((_, b_budget, b_code), lb)| {
        let primary = match rank_by {
            // Compare follow-up ÷ budget exactly, by cross-multiplying; a zero budget has no
            // leverage and ranks last, so the order stays total.
            RankBy::Leverage => match (*a_budget > 0, *b_budget > 0) {
                (true, true) => (i128::from(lb.usd_cents) * i128::from(*a_budget))
                    .cmp(&(i128::from(la.usd_cents) * i128::from(*b_budget))),
                (true, false) => Ordering::Less,
                (false, true) => Ordering::Greater,
                (false, false) => Ordering::Equal,
            },
            RankBy::FollowUpUsd => lb.usd_cents.cmp(&la.usd_cents),
        };
        primary.then_with(|| a_code.cmp(b_code))
    }
}

/// Ranks the projects of `data` and sums their follow-up funding by source type and status;
/// reads the titles of the `limit` ranked.
pub fn leverage(
    conn: &mut Conn,
    data: &Data,
    rank_by: RankBy,
    limit: usize,
) -> Result<LeverageReport, ApiError> {
    let mut ranked: Vec<Ranked> = data
        .rows()
        .map(|row| {
            let p = row.project();
            let l = Leveraged {
                usd_cents: p.follow,
                unconverted: p.unconverted,
            };
            ((row.id(), p.budget, row.code()), l)
        })
        .collect();
    let (mut seed, mut follow, mut unconverted) = (0i64, 0i64, 0i64);
    for ((_, budget, _), l) in &ranked {
        seed = add(seed, *budget)?;
        follow = add(follow, l.usd_cents)?;
        unconverted = add(unconverted, l.unconverted)?;
    }
    let projects = count(ranked.len());
    // Only the first `limit` need an order: select them, then sort them.
    let order = order(rank_by);
    if limit < ranked.len() {
        ranked.select_nth_unstable_by(limit, &order);
        ranked.truncate(limit);
    }
    ranked.sort_unstable_by(&order);
    let mut ids: Vec<i64> = ranked.iter().map(|((id, _, _), _)| *id).collect();
    ids.sort_unstable();
    let titles: HashMap<i64, String> = report::titles(conn, &ids)?.into_iter().collect();
    let top = ranked
        .into_iter()
        .map(|((id, budget, code), l)| RankedProject {
            code: code.to_owned(),
            title: titles.get(&id).cloned().unwrap_or_default(),
            seed_budget: Money::usd_cents(budget).to_dto(),
            follow_up_usd: Money::usd_cents(l.usd_cents).to_dto(),
            leverage: ratio(l.usd_cents, budget),
            unconverted_follow_up: l.unconverted,
        })
        .collect();
    let mut by_source: BTreeMap<&str, (SourceType, i64, i64, i64)> = BTreeMap::new();
    let mut by_status: BTreeMap<&str, (FollowUpStatus, i64, i64, i64)> = BTreeMap::new();
    let mut records = 0i64;
    for g in data.follow_ups() {
        let (source, status, conversion, n, usd) =
            (g.source, g.status, g.conversion, g.records, g.usd);
        let missing = if conversion == Conversion::MissingRate {
            n
        } else {
            0
        };
        records = add(records, n)?;
        let s = by_source
            .entry(source.as_str())
            .or_insert((source, 0, 0, 0));
        s.1 = add(s.1, n)?;
        if status.counts_as_leverage() {
            s.2 = add(s.2, usd)?;
            s.3 = add(s.3, missing)?;
        }
        let t = by_status
            .entry(status.as_str())
            .or_insert((status, 0, 0, 0));
        t.1 = add(t.1, n)?;
        t.2 = add(t.2, usd)?;
        t.3 = add(t.3, missing)?;
    }
    // Groups in the alphabetical order of their names.
    Ok(LeverageReport {
        sort: rank_by,
        projects: top,
        by_source_type: by_source
            .into_values()
            .map(|(source_type, records, usd, missing)| SourceTypeTotal {
                source_type,
                records,
                follow_up_usd: Money::usd_cents(usd).to_dto(),
                unconverted_follow_up: missing,
            })
            .collect(),
        by_status: by_status
            .into_values()
            .map(|(status, records, usd, missing)| StatusTotal {
                status,
                records,
                follow_up_usd: Money::usd_cents(usd).to_dto(),
                unconverted_follow_up: missing,
            })
            .collect(),
        totals: LeverageTotals {
            projects,
            records,
            seed_budget: Money::usd_cents(seed).to_dto(),
            follow_up_usd: Money::usd_cents(follow).to_dto(),
            leverage: ratio(follow, seed),
            unconverted_follow_up: unconverted,
        },
        notes: vec!["by_source_type and totals count approved and received funding; by_status sums every converted amount of each status.".to_owned()],
    })
}
