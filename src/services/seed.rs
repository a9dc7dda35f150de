//! `devfund seed --demo`: the booklet's member states (projects follow with the project
//! capability), loaded from `data/demo/` compiled into the binary. Idempotent: a second run
//! changes nothing and writes no audit events.

use serde::Deserialize;

use super::Actor;
use super::member_states::{self, EligibilityValues, MemberStateValues};
use crate::db::{Conn, write_tx};
use crate::domain::{IncomeGroup, Iso3};
use crate::error::ApiError;
use crate::models::member_state::{Eligibility, MemberState};

const MEMBER_STATES: &str = include_str!("../../data/demo/member_states.json");

#[derive(Deserialize)]
struct DemoFile {
    member_states: Vec<DemoState>,
}

#[derive(Deserialize)]
struct DemoState {
    iso3: String,
    name: String,
    region: String,
    eligibility: Vec<DemoEligibility>,
}

#[derive(Deserialize)]
struct DemoEligibility {
    year: i32,
    income_group: String,
}

/// What a seed run did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct SeedReport {
    pub member_states_created: usize,
    pub eligibility_written: usize,
}

pub fn demo(conn: &mut Conn) -> Result<SeedReport, ApiError> {
    let file: DemoFile = serde_json::from_str(MEMBER_STATES).map_err(ApiError::internal)?;
    let actor = Actor::system("seed");
    write_tx(conn, |conn| {
        let mut report = SeedReport::default();
        for s in file.member_states {
            let iso3 = Iso3::parse(&s.iso3)
                .map_err(|e| ApiError::internal(anyhow::anyhow!("demo data: {e}")))?;
            if MemberState::find(conn, iso3.as_str())?.is_none() {
                let values = MemberStateValues {
                    name: s.name,
                    region: s.region,
                    iom_member: true,
                    member_since: None,
                };
                member_states::create(conn, &actor, &iso3, values)?;
                report.member_states_created += 1;
            }
            for e in s.eligibility {
                let income_group = IncomeGroup::parse(&e.income_group).ok_or_else(|| {
                    ApiError::internal(anyhow::anyhow!(
                        "demo data: income group {}",
                        e.income_group
                    ))
                })?;
                let wanted = EligibilityValues {
                    income_group,
                    line_1_eligible: true,
                    line_2_eligible: true,
                    note: None,
                };
                let same = Eligibility::find(conn, iso3.as_str(), e.year)?.is_some_and(|old| {
                    old.income_group == income_group.as_str()
                        && old.line_1_eligible
                        && old.line_2_eligible
                        && old.note.is_none()
                });
                if !same {
                    member_states::put_eligibility(conn, &actor, iso3.as_str(), e.year, wanted)?;
                    report.eligibility_written += 1;
                }
            }
        }
        Ok(report)
    })
}
