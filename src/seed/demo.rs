//! The booklet's demo data: its member states with their eligibility, and its nine projects
//! with their mappings, follow-up funding and links, each through the service that checks
//! and records it (as `POST /api/v1/...` would).

use std::collections::HashMap;

use serde::Deserialize;

use super::{SeedReport, bad_data};
use crate::db::{Conn, write_tx};
use crate::domain::follow_up::{Dimension, FollowUpStatus, SourceType};
use crate::domain::money::{self, Currency, Money};
use crate::domain::project::{LinkType, Status};
use crate::domain::{FundingLine, IncomeGroup, Iso3, Scope};
use crate::error::ApiError;
use crate::models::exchange_rate::ExchangeRate;
use crate::models::member_state::{Eligibility, MemberState};
use crate::models::project::Project;
use crate::models::reference::Catalogue;
use crate::services::Actor;
use crate::services::exchange_rates::{self, RateInput};
use crate::services::follow_ups::{self, FollowUpDraft};
use crate::services::member_states::{self, EligibilityValues, MemberStateValues};
use crate::services::projects::input::{MsdDraft, SiteDraft, StateDraft};
use crate::services::projects::{self, LinkDraft, MappingDraft, ProjectDraft};

const MEMBER_STATES: &str = include_str!("../../data/demo/member_states.json");
const PROJECTS: &str = include_str!("../../data/demo/booklet_projects.json");

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

#[derive(Deserialize)]
struct BookletMigof {
    principles: Vec<i32>,
    objectives: Vec<i32>,
}

/// The euro rate the demo converts the KfW amount with (USD per EUR, December 2019).
const DEMO_EUR_RATE: (&str, &str, &str) = ("EUR", "2019-12", "1.12");

/// Titles the booklet gives for related projects outside the nine.
const OUTSIDE_TITLES: [(&str, &str); 1] = [(
    "IM.0043",
    "IM.0043 – Improving Legal Assistance to Migrants in Brazil",
)];

/// Dates the booklet leaves out but its text gives: KfW approved SME Boost in 2019.
fn follow_up_date(code: &str, f: &BookletFollowUp) -> Option<String> {
    f.date.clone().or_else(|| {
        (code == "CE.0411" && f.source_name.as_deref() == Some("KfW")).then(|| "2019".to_owned())
    })
}

/// The booklet's follow-up funding as a draft: stated amounts are approved funding, "over
/// USD 5.6 million" is a lower bound, "In-kind" descriptions are in kind.
fn follow_up_draft(
    code: &str,
    f: &BookletFollowUp,
    dimensions: &[String],
) -> Result<FollowUpDraft, ApiError> {
    let description = f.description.clone().unwrap_or_default();
    let currency = f.currency.clone().unwrap_or_else(|| "USD".into());
    Ok(FollowUpDraft {
        title: None,
        source_name: f.source_name.clone().filter(|s| !s.is_empty()),
        source_type: SourceType::parse(&f.source_type).ok_or_else(|| bad_data(&f.source_type))?,
        amount: f.amount.map(|a| Money::parse(&a.to_string(), &currency)),
        amount_is_lower_bound: description.contains("'over "),
        status: FollowUpStatus::Approved,
        date: follow_up_date(code, f),
        in_kind: description.starts_with("In-kind"),
        scaling_up_dimensions: dimensions
            .iter()
            .map(|d| Dimension::parse(d).ok_or_else(|| bad_data(d)))
            .collect::<Result<_, _>>()?,
        description: f.description.clone(),
        evidence_url: None,
        follow_up_project_code: None,
    })
}

/// "Outcome 1 / Deliverable 2; Outcome 3 / Deliverables 1, 2, & 3" → outcome/deliverables.
fn parse_msd(text: &str) -> Vec<MsdDraft> {
    text.split(';')
        .filter_map(|part| {
            let (outcome, deliverables) = part.split_once('/')?;
            let outcome: i32 = outcome
                .trim()
                .trim_start_matches("Outcome")
                .trim()
                .parse()
                .ok()?;
            let deliverables: Vec<i32> = deliverables
                .split(|c: char| !c.is_ascii_digit())
                .filter_map(|n| n.parse().ok())
                .collect();
            Some(MsdDraft {
                outcome,
                deliverables,
            })
        })
        .collect()
}

/// The booklet's project as a draft: printed "Line 1" becomes `line_1`, country names become
/// ISO3 codes, and every project is entered as history (`completed`).
fn project_draft(
    p: &BookletProject,
    iso3_of: &HashMap<String, String>,
) -> Result<ProjectDraft, ApiError> {
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
    let line = p.funding_line.to_lowercase().replace(' ', "_");
    Ok(ProjectDraft {
        code: p.code.clone(),
        title: p.title.clone(),
        summary: None,
        status: Some(Status::Completed),
        funding_line: FundingLine::parse(&line).ok_or_else(|| bad_data(&line))?,
        funding_year: p.funding_year,
        scope: if regional {
            Scope::Regional
        } else {
            Scope::National
        },
        budget: Money::parse_usd(
            &format!("{}.00", p.budget_usd),
            "USD",
            money::MAX_BUDGET_WHOLE_DIGITS,
        ),
        staff_office_share: None,
        exceptional_increase: false,
        thematic_area: None,
        management_site: Some(SiteDraft {
            city: Some(city.trim().to_owned()),
            country: iso3_of.get(country_name.trim()).cloned(),
        }),
        // The booklet's regional project was approved, so its states endorsed it.
        member_states: states
            .into_iter()
            .map(|iso3| StateDraft {
                iso3,
                share: None,
                endorsed: regional,
            })
            .collect(),
        beneficiaries: p.beneficiaries.clone(),
        duration_months: p.duration_months,
        start_date: None,
        end_date: None,
        actual_end_date: None,
        mappings: MappingDraft {
            sdg_targets: p.sdg_targets.clone(),
            migof: p
                .migof
                .principles
                .iter()
                .map(|n| format!("P{n}"))
                .chain(p.migof.objectives.iter().map(|n| format!("O{n}")))
                .collect(),
            gcm_objectives: Vec::new(),
            msd: p.msd_strategy.as_deref().map(parse_msd).unwrap_or_default(),
        },
        innovation_areas: Vec::new(),
        cross_cutting_themes: Vec::new(),
        core_characteristics: None,
        notable_achievements: p.notable_achievements.clone(),
    })
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
                old.income_group == income_group
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

/// The demo's euro rate, unless one is set already.
fn seed_rate(conn: &mut Conn, actor: &Actor) -> Result<(), ApiError> {
    let (currency, month, rate) = DEMO_EUR_RATE;
    if ExchangeRate::find(conn, currency, month)?.is_some() {
        return Ok(());
    }
    let input = RateInput {
        currency: Currency::parse(currency).ok_or_else(|| bad_data(currency))?,
        month: crate::domain::fx::Month::parse(month).ok_or_else(|| bad_data(month))?,
        rate: crate::domain::fx::Rate::parse(rate).map_err(bad_data)?,
        source: "UN operational rates of exchange (demo value)".to_owned(),
    };
    exchange_rates::put(conn, actor, vec![input])?;
    Ok(())
}

/// Loads the booklet's member states and projects (once: what exists is left alone).
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
            projects::create(conn, &actor, catalogue, project_draft(p, &iso3_of)?)?;
            created.push(p);
            report.projects_created += 1;
        }
        seed_rate(conn, &actor)?;
        for p in &created {
            for f in &p.follow_up_funding {
                let draft = follow_up_draft(&p.code, f, &p.scaling_up_dimensions)?;
                follow_ups::create(conn, &actor, &p.code, draft)?;
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
                let link = LinkDraft {
                    link_type: LinkType::BuildsOn,
                    target_code: in_portfolio.then(|| related.clone()),
                    target_title: if in_portfolio {
                        None
                    } else {
                        Some(title.unwrap_or_else(|| related.clone()))
                    },
                    note: None,
                };
                projects::add_link(conn, &actor, &p.code, link)?;
            }
        }
        report.evaluations_created = crate::services::evaluations::demo::seed(conn, &actor)?;
        Ok(report)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn msd_strategies_parse_as_printed() {
        let parsed = parse_msd("Outcome 1 / Deliverable 2; Outcome 3 / Deliverables 1, 2, & 3");
        assert_eq!(
            parsed,
            vec![
                MsdDraft {
                    outcome: 1,
                    deliverables: vec![2]
                },
                MsdDraft {
                    outcome: 3,
                    deliverables: vec![1, 2, 3]
                },
            ]
        );
    }
}
