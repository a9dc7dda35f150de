//! `devfund seed --demo`: the booklet's member states with their eligibility, and its nine
//! projects with their mappings and links, loaded from `data/demo/` (compiled into the
//! binary). Projects go through the same payload checks as `POST /api/v1/projects`.
//! Idempotent: a second run changes nothing and writes no audit events.

use std::collections::HashMap;

use serde::Deserialize;
use serde_json::json;

use crate::api::projects::{ProjectFields, to_input};
use crate::db::{Conn, write_tx};
use crate::domain::{IncomeGroup, Iso3};
use crate::error::ApiError;
use crate::models::member_state::{Eligibility, MemberState};
use crate::models::project::{NewLink, Project};
use crate::models::reference::Catalogue;
use crate::services::member_states::{self, EligibilityValues, MemberStateValues};
use crate::services::{Actor, projects};

const MEMBER_STATES: &str = include_str!("../data/demo/member_states.json");
const PROJECTS: &str = include_str!("../data/demo/booklet_projects.json");

#[derive(Deserialize)]
struct StatesFile {
    member_states: Vec<DemoState>,
}

#[derive(Deserialize)]
struct DemoState {
    iso3: String,
    name: String,
    region: String,
    booklet_name: String,
    eligibility: Vec<DemoEligibility>,
}

#[derive(Deserialize)]
struct DemoEligibility {
    year: i32,
    income_group: String,
}

/// A project as the booklet file has it.
#[derive(Deserialize)]
struct BookletProject {
    code: String,
    title: String,
    management_site: String,
    benefitting_member_states: Vec<String>,
    beneficiaries: Option<String>,
    budget_usd: i64,
    duration_months: Option<i32>,
    funding_year: i32,
    funding_line: String,
    sdg_targets: Vec<String>,
    migof: BookletMigof,
    msd_strategy: Option<String>,
    related_projects: Vec<String>,
    notable_achievements: Vec<String>,
    follow_up_funding: Vec<BookletFollowUp>,
    scaling_up_dimensions: Vec<String>,
}

#[derive(Deserialize)]
struct BookletFollowUp {
    amount: Option<i64>,
    currency: Option<String>,
    source_name: Option<String>,
    source_type: String,
    date: Option<String>,
    description: Option<String>,
}

/// The euro rate the demo converts the KfW amount with (USD per EUR, December 2019).
const DEMO_EUR_RATE: (&str, &str, &str) = ("EUR", "2019-12", "1.12");

/// Dates the booklet leaves out but its text gives: KfW approved SME Boost in 2019.
fn follow_up_date(code: &str, f: &BookletFollowUp) -> Option<String> {
    f.date.clone().or_else(|| {
        (code == "CE.0411" && f.source_name.as_deref() == Some("KfW")).then(|| "2019".to_owned())
    })
}

/// The booklet's follow-up funding as the API's payload: stated amounts are approved funding,
/// "over USD 5.6 million" is a lower bound, "In-kind" descriptions are in kind.
fn follow_up_payload(
    code: &str,
    f: &BookletFollowUp,
    dimensions: &[String],
) -> Result<crate::api::follow_ups::FollowUpFields, ApiError> {
    let description = f.description.clone().unwrap_or_default();
    let doc = json!({
        "source_name": f.source_name.clone().filter(|s| !s.is_empty()),
        "source_type": f.source_type,
        "amount": f.amount.map(|a| json!({"amount": a.to_string(), "currency": f.currency.clone().unwrap_or_else(|| "USD".into())})),
        "amount_is_lower_bound": description.contains("'over "),
        "status": "approved",
        "date": follow_up_date(code, f),
        "in_kind": description.starts_with("In-kind"),
        "scaling_up_dimensions": dimensions,
        "description": f.description,
    });
    serde_json::from_value(doc).map_err(bad_data)
}

#[derive(Deserialize)]
struct BookletMigof {
    principles: Vec<i32>,
    objectives: Vec<i32>,
}

/// Titles the booklet gives for related projects outside the nine.
const OUTSIDE_TITLES: [(&str, &str); 1] = [(
    "IM.0043",
    "IM.0043 – Improving Legal Assistance to Migrants in Brazil",
)];

/// What a seed run did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct SeedReport {
    pub member_states_created: usize,
    pub eligibility_written: usize,
    pub projects_created: usize,
    pub follow_ups_created: usize,
    pub evaluations_created: usize,
}

fn bad_data(what: impl std::fmt::Display) -> ApiError {
    ApiError::internal(anyhow::anyhow!("demo data: {what}"))
}

/// "Outcome 1 / Deliverable 2; Outcome 3 / Deliverables 1, 2, & 3" → outcome/deliverables.
fn parse_msd(text: &str) -> Vec<serde_json::Value> {
    text.split(';')
        .filter_map(|part| {
            let (outcome, deliverables) = part.split_once('/')?;
            let outcome: i32 = outcome
                .trim()
                .trim_start_matches("Outcome")
                .trim()
                .parse()
                .ok()?;
            let numbers: Vec<i32> = deliverables
                .split(|c: char| !c.is_ascii_digit())
                .filter_map(|n| n.parse().ok())
                .collect();
            Some(json!({"outcome": outcome, "deliverables": numbers}))
        })
        .collect()
}

/// The booklet's project as the API's payload: printed "Line 1" becomes `line_1`, country
/// names become ISO3 codes, and every project is entered as history (`completed`).
fn payload(
    p: &BookletProject,
    iso3_of: &HashMap<String, String>,
) -> Result<ProjectFields, ApiError> {
    let states: Vec<String> = p
        .benefitting_member_states
        .iter()
        .map(|name| {
            iso3_of
                .get(name)
                .cloned()
                .ok_or_else(|| bad_data(format!("no ISO3 for {name}")))
        })
        .collect::<Result<_, _>>()?;
    let regional = states.len() > 1;
    let (city, country_name) = p
        .management_site
        .split_once(',')
        .unwrap_or((&p.management_site, ""));
    let migof: Vec<String> = p
        .migof
        .principles
        .iter()
        .map(|n| format!("P{n}"))
        .chain(p.migof.objectives.iter().map(|n| format!("O{n}")))
        .collect();
    let doc = json!({
        "code": p.code,
        "title": p.title,
        "status": "completed",
        "funding_line": p.funding_line.to_lowercase().replace(' ', "_"),
        "funding_year": p.funding_year,
        "scope": if regional { "regional" } else { "national" },
        "budget": {"amount": format!("{}.00", p.budget_usd), "currency": "USD"},
        "management_site": {"city": city.trim(), "country": iso3_of.get(country_name.trim())},
        // The booklet's regional project was approved, so its states endorsed it.
        "member_states": states.iter().map(|s| json!({"iso3": s, "endorsed": regional})).collect::<Vec<_>>(),
        "beneficiaries": p.beneficiaries,
        "duration_months": p.duration_months,
        "sdg_targets": p.sdg_targets,
        "migof": migof,
        "msd": p.msd_strategy.as_deref().map(parse_msd).unwrap_or_default(),
        "notable_achievements": p.notable_achievements,
    });
    serde_json::from_value(doc).map_err(bad_data)
}

fn seed_states(
    conn: &mut Conn,
    actor: &Actor,
    report: &mut SeedReport,
) -> Result<HashMap<String, String>, ApiError> {
    let file: StatesFile = serde_json::from_str(MEMBER_STATES).map_err(bad_data)?;
    let mut iso3_of = HashMap::new();
    for s in file.member_states {
        let iso3 = Iso3::parse(&s.iso3).map_err(bad_data)?;
        iso3_of.insert(s.booklet_name.clone(), s.iso3.clone());
        iso3_of.insert(s.name.clone(), s.iso3.clone());
        if MemberState::find(conn, iso3.as_str())?.is_none() {
            let values = MemberStateValues {
                name: s.name,
                region: s.region,
                iom_member: true,
                member_since: None,
            };
            member_states::create(conn, actor, &iso3, values)?;
            report.member_states_created += 1;
        }
        for e in s.eligibility {
            let income_group =
                IncomeGroup::parse(&e.income_group).ok_or_else(|| bad_data(&e.income_group))?;
            let same = Eligibility::find(conn, iso3.as_str(), e.year)?.is_some_and(|old| {
                old.income_group == income_group.as_str()
                    && old.line_1_eligible
                    && old.line_2_eligible
                    && old.note.is_none()
            });
            if !same {
                let wanted = EligibilityValues {
                    income_group,
                    line_1_eligible: true,
                    line_2_eligible: true,
                    note: None,
                };
                member_states::put_eligibility(conn, actor, iso3.as_str(), e.year, wanted)?;
                report.eligibility_written += 1;
            }
        }
    }
    Ok(iso3_of)
}

pub fn demo(conn: &mut Conn, catalogue: &Catalogue) -> Result<SeedReport, ApiError> {
    let booklet: Vec<BookletProject> = serde_json::from_str(PROJECTS).map_err(bad_data)?;
    let actor = Actor::system("seed");
    write_tx(conn, |conn| {
        let mut report = SeedReport::default();
        let iso3_of = seed_states(conn, &actor, &mut report)?;
        let mut created = Vec::new();
        for p in &booklet {
            if Project::find(conn, &p.code)?.is_some() {
                continue;
            }
            let input = to_input(payload(p, &iso3_of)?, catalogue)?;
            projects::create(conn, &actor, input)?;
            created.push(p);
            report.projects_created += 1;
        }
        let (currency, month, rate) = DEMO_EUR_RATE;
        if crate::models::exchange_rate::ExchangeRate::find(conn, currency, month)?.is_none() {
            let input = crate::services::exchange_rates::RateInput {
                currency: crate::domain::money::Currency::parse(currency)
                    .ok_or_else(|| bad_data(currency))?,
                month: crate::domain::fx::Month::parse(month).ok_or_else(|| bad_data(month))?,
                rate: crate::domain::fx::Rate::parse(rate).map_err(bad_data)?,
                source: "UN operational rates of exchange (demo value)".to_owned(),
            };
            crate::services::exchange_rates::put(conn, &actor, vec![input])?;
        }
        for p in &created {
            for f in &p.follow_up_funding {
                let values = crate::api::follow_ups::to_values(follow_up_payload(
                    &p.code,
                    f,
                    &p.scaling_up_dimensions,
                )?)?;
                crate::services::follow_ups::create(conn, &actor, &p.code, values)?;
                report.follow_ups_created += 1;
            }
        }
        // Links once every project exists, so a link may point at any of the nine.
        for p in created {
            for related in &p.related_projects {
                let in_portfolio = booklet.iter().any(|b| &b.code == related);
                let title = OUTSIDE_TITLES
                    .iter()
                    .find(|(c, _)| c == related)
                    .map(|(_, t)| (*t).to_owned());
                let link = NewLink {
                    project_id: 0,
                    link_type: "builds_on".to_owned(),
                    target_code: in_portfolio.then(|| related.clone()),
                    target_title: if in_portfolio {
                        None
                    } else {
                        Some(title.unwrap_or_else(|| related.clone()))
                    },
                    note: None,
                    created_at: chrono::NaiveDateTime::default(),
                };
                projects::add_link(conn, &actor, &p.code, link)?;
            }
        }
        report.evaluations_created = crate::services::evaluations::demo::seed(conn, &actor)?;
        Ok(report)
    })
}

/// A small deterministic generator (64-bit LCG): the same `n` always gives the same data.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, below: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((self.0 >> 33) % below as u64) as usize
    }
}

/// Generates `n` synthetic projects over the demo member states (loaded first), spread over
/// years, lines, scopes, thematic areas, statuses and mappings; codes `XA.0000`, `XA.0001`…
/// Existing codes are skipped, so a second run adds nothing. Batches of 500 per transaction.
pub fn synthetic(conn: &mut Conn, catalogue: &Catalogue, n: u32) -> Result<usize, ApiError> {
    demo(conn, catalogue)?;
    let states: Vec<String> = crate::models::member_state::MemberState::list(
        conn,
        &crate::models::member_state::MemberStateFilter::default(),
        0,
        1000,
    )?
    .0
    .into_iter()
    .map(|m| m.iso3)
    .collect();
    let areas: Vec<String> = catalogue
        .taxonomies
        .get("thematic-areas")
        .into_iter()
        .flatten()
        .map(|t| t.code.clone())
        .collect();
    let statuses = [
        "draft",
        "submitted",
        "under_review",
        "approved",
        "active",
        "completed",
        "closed",
    ];
    let actor = Actor::system("synthetic");
    let mut rng = Lcg(42);
    let mut created = 0;
    let total = usize::try_from(n).unwrap_or(usize::MAX);
    let mut i = 0usize;
    while i < total {
        let end = (i + 500).min(total);
        write_tx(conn, |conn| {
            for k in i..end {
                let code = format!(
                    "X{}.{:04}",
                    (b'A' + u8::try_from(k / 10_000 % 26).unwrap_or(0)) as char,
                    k % 10_000
                );
                if Project::find(conn, &code)?.is_some() {
                    continue;
                }
                let regional = rng.next(5) == 0;
                let count = if regional { 2 + rng.next(2) } else { 1 };
                let first = rng.next(states.len());
                let members: Vec<serde_json::Value> = (0..count)
                    .map(|j| json!({"iso3": states[(first + j) % states.len()], "endorsed": true}))
                    .collect();
                let targets: Vec<&str> = (0..1 + rng.next(3))
                    .map(|_| {
                        catalogue.targets[rng.next(catalogue.targets.len())]
                            .code
                            .as_str()
                    })
                    .collect();
                let mut sdg = vec!["10.7"];
                sdg.extend(targets);
                let doc = json!({
                    "code": code,
                    "title": format!("Synthetic project {k} on {}", areas[k % areas.len()].replace('_', " ")),
                    "summary": "Generated for load tests.",
                    "status": statuses[rng.next(statuses.len())],
                    "funding_line": if rng.next(3) == 0 { "line_1" } else { "line_2" },
                    "funding_year": 2005 + i32::try_from(rng.next(21)).unwrap_or(0),
                    "scope": if regional { "regional" } else { "national" },
                    "budget": {"amount": format!("{}.00", 50_000 + 10_000 * rng.next(36)), "currency": "USD"},
                    "staff_office_share": "0.25",
                    "thematic_area": areas[k % areas.len()],
                    "member_states": members,
                    "sdg_targets": sdg,
                    "migof": [format!("P{}", 1 + rng.next(3)), format!("O{}", 1 + rng.next(3))],
                    "gcm_objectives": [1 + rng.next(23)],
                    "msd": [{"outcome": 1 + rng.next(3), "deliverables": [1 + rng.next(3)]}],
                });
                let fields: ProjectFields = serde_json::from_value(doc).map_err(bad_data)?;
                let mut input = to_input(fields, catalogue)?;
                // Past projects as the Fund's records hold them: no rule evaluation needed.
                if input.values.status != "draft" {
                    input.values.status = "draft".to_owned();
                    let view = projects::create(conn, &actor, input)?;
                    force_status(conn, view.id, statuses[rng.next(statuses.len())])?;
                } else {
                    projects::create(conn, &actor, input)?;
                }
                created += 1;
            }
            Ok::<_, ApiError>(())
        })?;
        i = end;
    }
    Ok(created)
}

fn synthetic_code(k: usize) -> String {
    format!(
        "X{}.{:04}",
        (b'A' + u8::try_from(k / 10_000 % 26).unwrap_or(0)) as char,
        k % 10_000
    )
}

/// Generates `m` follow-up funding records spread over the first `n` synthetic projects, with
/// monthly EUR, GBP and JPY rates for 2005–2025 (CHF has none: those records stay
/// unconverted). Written straight to the tables in batches (no audit events: load-test data).
pub fn synthetic_follow_ups(conn: &mut Conn, n: u32, m: u32) -> Result<usize, ApiError> {
    use crate::domain::follow_up::{FollowUpStatus, SourceType};
    use crate::domain::fx::{Month, PartialDate};
    use crate::domain::money::{Currency, Money};
    use crate::models::exchange_rate::ExchangeRate;
    use crate::models::follow_up::{FollowUp, FollowUpValues};
    let mut rng = Lcg(7);
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
    })?;
    let ids: Vec<i64> = {
        use crate::db::schema::projects;
        use diesel::prelude::*;
        let codes: Vec<String> = (0..usize::try_from(n).unwrap_or(0))
            .map(synthetic_code)
            .collect();
        let mut ids = Vec::new();
        for chunk in codes.chunks(1000) {
            ids.extend(
                projects::table
                    .filter(projects::code.eq_any(chunk))
                    .select(projects::id)
                    .load::<i64>(conn)?,
            );
        }
        ids
    };
    if ids.is_empty() {
        return Ok(0);
    }
    let currencies = ["USD", "USD", "EUR", "GBP", "JPY", "CHF"];
    let total = usize::try_from(m).unwrap_or(0);
    let mut made = 0;
    while made < total {
        let end = (made + 1000).min(total);
        write_tx(conn, |conn| {
            for _ in made..end {
                let currency = Currency::parse(currencies[rng.next(currencies.len())])
                    .ok_or_else(|| bad_data("currency"))?;
                let units = 10_000 + 1_000 * i64::try_from(rng.next(2_000)).unwrap_or(0);
                let amount = Money::from_minor(units * 10i64.pow(currency.exponent()), currency);
                let date =
                    PartialDate::parse(&format!("{}-{:02}", 2006 + rng.next(20), 1 + rng.next(12)))
                        .ok_or_else(|| bad_data("date"))?;
                let (usd, rate, conversion) = crate::services::exchange_rates::convert(
                    conn,
                    Some(amount),
                    Some(date.value_month.index()),
                )?;
                let at = crate::models::now();
                let v = FollowUpValues {
                    title: Some("Synthetic follow-up".to_owned()),
                    source_name: None,
                    source_type: SourceType::ALL[rng.next(SourceType::ALL.len())]
                        .as_str()
                        .to_owned(),
                    amount_minor: Some(amount.minor()),
                    currency: Some(currency.code().to_owned()),
                    amount_is_lower_bound: false,
                    status: FollowUpStatus::ALL[rng.next(FollowUpStatus::ALL.len())]
                        .as_str()
                        .to_owned(),
                    date_text: Some(date.text.clone()),
                    date_start: Some(date.start),
                    value_month_index: Some(date.value_month.index()),
                    in_kind: false,
                    dimensions: ",quantitative,".to_owned(),
                    description: None,
                    evidence_url: None,
                    follow_up_project_code: None,
                    amount_usd_cents: usd,
                    usd_rate_e10: rate,
                    usd_conversion: conversion.as_str().to_owned(),
                    created_at: at,
                    updated_at: at,
                    version: 1,
                };
                FollowUp::insert(conn, ids[rng.next(ids.len())], &v)?;
            }
            Ok::<_, ApiError>(())
        })?;
        made = end;
    }
    Ok(made)
}

/// Sets a generated project's status directly (synthetic data skips the lifecycle).
fn force_status(conn: &mut Conn, id: i64, status: &str) -> Result<(), ApiError> {
    use crate::db::schema::projects;
    use diesel::prelude::*;
    diesel::update(projects::table.find(id))
        .set(projects::status.eq(status))
        .execute(conn)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn msd_strategies_parse_as_printed() {
        let parsed =
            super::parse_msd("Outcome 1 / Deliverable 2; Outcome 3 / Deliverables 1, 2, & 3");
        assert_eq!(
            parsed,
            vec![
                serde_json::json!({"outcome": 1, "deliverables": [2]}),
                serde_json::json!({"outcome": 3, "deliverables": [1, 2, 3]})
            ]
        );
    }
}
