//! Deterministic generated data for load tests: projects through the project service, and
//! follow-up funding written straight to the tables (no audit events: load-test data).

use super::bad_data;
use crate::db::{Conn, write_tx};
use crate::domain::follow_up::{FollowUpStatus, SourceType};
use crate::domain::fx::{Month, PartialDate};
use crate::domain::money::{Currency, Money};
use crate::domain::project::Status;
use crate::domain::{FundingLine, Scope};
use crate::error::ApiError;
use crate::models::exchange_rate::ExchangeRate;
use crate::models::follow_up::{FollowUp, FollowUpContent, FollowUpValues};
use crate::models::member_state::{MemberState, MemberStateFilter};
use crate::models::project::Project;
use crate::models::reference::Catalogue;
use crate::services::projects::input::{MsdDraft, StateDraft};
use crate::services::projects::{self, MappingDraft, ProjectDraft};
use crate::services::{Actor, exchange_rates};

/// A small deterministic generator (64-bit LCG): the same `n` always gives the same data.
pub(super) struct Lcg(pub(super) u64);

impl Lcg {
    pub(super) fn next(&mut self, below: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((self.0 >> 33) % below as u64) as usize
    }

    pub(super) fn next_i32(&mut self, below: usize) -> i32 {
        i32::try_from(self.next(below)).unwrap_or(0)
    }
}

/// `XA.0000`, `XA.0001`, … `XB.0000` …
pub(super) fn synthetic_code(k: usize) -> String {
    format!(
        "X{}.{:04}",
        (b'A' + u8::try_from(k / 10_000 % 26).unwrap_or(0)) as char,
        k % 10_000
    )
}

/// The statuses generated projects are spread over.
const STATUSES: [Status; 7] = [
    Status::Draft,
    Status::Submitted,
    Status::UnderReview,
    Status::Approved,
    Status::Active,
    Status::Completed,
    Status::Closed,
];

/// Projects created per transaction.
const BATCH: usize = 5_000;

/// What generating projects draws from: the member states and the thematic areas.
struct Pools<'a> {
    states: Vec<String>,
    areas: Vec<String>,
    catalogue: &'a Catalogue,
}

/// Project `k`, drawing from `rng` (the order of the draws fixes the data).
fn project_draft(k: usize, rng: &mut Lcg, pools: &Pools<'_>) -> ProjectDraft {
    let (states, areas, catalogue) = (&pools.states, &pools.areas, pools.catalogue);
    let regional = rng.next(5) == 0;
    let count = if regional { 2 + rng.next(2) } else { 1 };
    let first = rng.next(states.len());
    let member_states = (0..count)
        .map(|j| StateDraft {
            iso3: states[(first + j) % states.len()].clone(),
            share: None,
            endorsed: true,
        })
        .collect();
    let mut sdg_targets = vec!["10.7".to_owned()];
    for _ in 0..1 + rng.next(3) {
        sdg_targets.push(
            catalogue.targets[rng.next(catalogue.targets.len())]
                .code
                .clone(),
        );
    }
    let area = &areas[k % areas.len()];
    let status = STATUSES[rng.next(STATUSES.len())];
    let funding_line = if rng.next(3) == 0 {
        FundingLine::Line1
    } else {
        FundingLine::Line2
    };
    let funding_year = 2005 + rng.next_i32(21);
    let budget_usd = 50_000 + 10_000 * i64::try_from(rng.next(36)).unwrap_or(0);
    let migof = vec![
        format!("P{}", 1 + rng.next(3)),
        format!("O{}", 1 + rng.next(3)),
    ];
    let gcm_objectives = vec![1 + rng.next_i32(23)];
    let msd = vec![MsdDraft {
        outcome: 1 + rng.next_i32(3),
        deliverables: vec![1 + rng.next_i32(3)],
    }];
    ProjectDraft {
        code: synthetic_code(k),
        title: format!("Synthetic project {k} on {}", area.replace('_', " ")),
        summary: Some("Generated for load tests.".to_owned()),
        status: Some(status),
        funding_line,
        funding_year,
        scope: if regional {
            Scope::Regional
        } else {
            Scope::National
        },
        budget: Ok(Money::usd_cents(budget_usd * 100)),
        staff_office_share: Some("0.25".to_owned()),
        exceptional_increase: false,
        thematic_area: Some(area.clone()),
        management_site: None,
        member_states,
        beneficiaries: None,
        duration_months: None,
        start_date: None,
        // Ended projects for the evaluation-compliance report: one to three years after
        // funding, on a day derived from `k` (no draw, so the other fields stay as they were).
        end_date: chrono::NaiveDate::from_ymd_opt(
            funding_year + 1 + i32::try_from(k % 3).unwrap_or(0),
            1 + u32::try_from(k % 12).unwrap_or(0),
            1 + u32::try_from(k % 28).unwrap_or(0),
        ),
        actual_end_date: None,
        mappings: MappingDraft {
            sdg_targets,
            migof,
            gcm_objectives,
            msd,
        },
        innovation_areas: Vec::new(),
        cross_cutting_themes: Vec::new(),
        core_characteristics: None,
        notable_achievements: Vec::new(),
    }
}

/// Generates `n` synthetic projects over the demo member states (loaded first), spread over
/// years, lines, scopes, thematic areas, statuses and mappings; codes `XA.0000`, `XA.0001`…
/// Existing codes are skipped, so a second run adds nothing. Batches of [`BATCH`] per
/// transaction, each created at once ([`projects::bulk::create_many`]).
pub fn synthetic(conn: &mut Conn, catalogue: &Catalogue, n: u32) -> Result<usize, ApiError> {
    super::demo(conn, catalogue)?;
    let pools = Pools {
        states: MemberState::list(conn, &MemberStateFilter::default(), 0, 1000)?
            .0
            .into_iter()
            .map(|m| m.iso3)
            .collect(),
        areas: catalogue
            .taxonomies
            .get("thematic-areas")
            .into_iter()
            .flatten()
            .map(|t| t.code.clone())
            .collect(),
        catalogue,
    };
    let actor = Actor::system("synthetic");
    let mut rng = Lcg(42);
    let mut created = 0;
    let total = usize::try_from(n).unwrap_or(usize::MAX);
    let mut i = 0usize;
    while i < total {
        let end = (i + BATCH).min(total);
        let codes: Vec<String> = (i..end).map(synthetic_code).collect();
        let stored = Project::existing_codes(conn, &codes)?;
        let mut drafts = Vec::new();
        // The status each project ends in: past projects as the Fund's records hold them,
        // set after their creation as drafts (no rule evaluation needed).
        let mut statuses = Vec::new();
        for (k, code) in (i..end).zip(&codes) {
            if stored.contains(code) {
                continue;
            }
            let mut draft = project_draft(k, &mut rng, &pools);
            let status = if draft.status == Some(Status::Draft) {
                Status::Draft
            } else {
                STATUSES[rng.next(STATUSES.len())]
            };
            draft.status = Some(Status::Draft);
            drafts.push(draft);
            statuses.push(status);
        }
        write_tx(conn, |conn| {
            let views = projects::bulk::create_many(conn, &actor, catalogue, drafts)?;
            let mut forced = Vec::new();
            for (view, status) in views.into_iter().zip(statuses) {
                let view = view?;
                if status != Status::Draft {
                    forced.push((view.id, status));
                }
                created += 1;
            }
            Project::force_statuses(conn, &forced)?;
            Ok::<_, ApiError>(())
        })?;
        i = end;
    }
    Ok(created)
}

/// Monthly EUR, GBP and JPY rates for 2005–2025 (CHF has none).
fn synthetic_rates(conn: &mut Conn, rng: &mut Lcg) -> Result<(), ApiError> {
    write_tx(conn, |conn| {
        for (code, base) in [("EUR", 11_000), ("GBP", 13_000), ("JPY", 90)] {
            for year in 2005..=2025 {
                for month in 1..=12u32 {
                    let m = Month { year, month };
                    let rate = ExchangeRate {
                        currency: code.to_owned(),
                        month: m.to_string(),
                        month_index: m.index(),
                        usd_per_unit_e10: (base + i64::try_from(rng.next(500)).unwrap_or(0))
                            * 1_000_000,
                        source: "synthetic".to_owned(),
                        updated_at: crate::models::now(),
                    };
                    rate.upsert(conn)?;
                }
            }
        }
        Ok::<_, ApiError>(())
    })
}

/// One generated follow-up record, converted at the rates in force.
fn follow_up_values(conn: &mut Conn, rng: &mut Lcg) -> Result<FollowUpValues, ApiError> {
    let currencies = ["USD", "USD", "EUR", "GBP", "JPY", "CHF"];
    let currency = Currency::parse(currencies[rng.next(currencies.len())])
        .ok_or_else(|| bad_data("currency"))?;
    let units = 10_000 + 1_000 * i64::try_from(rng.next(2_000)).unwrap_or(0);
    let amount = Money::from_minor(units * 10i64.pow(currency.exponent()), currency);
    let date = PartialDate::parse(&format!("{}-{:02}", 2006 + rng.next(20), 1 + rng.next(12)))
        .ok_or_else(|| bad_data("date"))?;
    let (usd, rate, conversion) =
        exchange_rates::convert(conn, Some(amount), Some(date.value_month.index()))?;
    let at = crate::models::now();
    Ok(FollowUpValues {
        content: FollowUpContent {
            title: Some("Synthetic follow-up".to_owned()),
            source_name: None,
            source_type: SourceType::ALL[rng.next(SourceType::ALL.len())],
            amount_minor: Some(amount.minor()),
            currency: Some(currency.code().to_owned()),
            amount_is_lower_bound: false,
            status: FollowUpStatus::ALL[rng.next(FollowUpStatus::ALL.len())],
            date_text: Some(date.text.clone()),
            date_start: Some(date.start),
            value_month_index: Some(date.value_month.index()),
            in_kind: false,
            dimensions: ",quantitative,".to_owned(),
            description: None,
            evidence_url: None,
            follow_up_project_code: None,
        },
        amount_usd_cents: usd,
        usd_rate_e10: rate,
        usd_conversion: conversion,
        created_at: at,
        updated_at: at,
        version: 1,
    })
}

/// Generates `m` follow-up funding records spread over the first `n` synthetic projects, with
/// monthly EUR, GBP and JPY rates for 2005–2025 (CHF has none: those records stay
/// unconverted). Written straight to the tables in batches (no audit events: load-test data).
pub fn synthetic_follow_ups(conn: &mut Conn, n: u32, m: u32) -> Result<usize, ApiError> {
    let mut rng = Lcg(7);
    synthetic_rates(conn, &mut rng)?;
    let codes: Vec<String> = (0..usize::try_from(n).unwrap_or(0))
        .map(synthetic_code)
        .collect();
    let mut ids = Vec::new();
    for chunk in codes.chunks(1000) {
        ids.extend(Project::codes_to_ids(conn, chunk)?);
    }
    if ids.is_empty() {
        return Ok(0);
    }
    // In id order: the rows of `codes_to_ids` come in no promised order, and the same seed must
    // give the same data on both databases.
    ids.sort_unstable();
    let total = usize::try_from(m).unwrap_or(0);
    let mut made = 0;
    while made < total {
        let end = (made + 1000).min(total);
        write_tx(conn, |conn| {
            for _ in made..end {
                let v = follow_up_values(conn, &mut rng)?;
                FollowUp::insert(conn, ids[rng.next(ids.len())], &v)?;
            }
            Ok::<_, ApiError>(())
        })?;
        made = end;
    }
    Ok(made)
}
