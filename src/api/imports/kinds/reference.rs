//! The reference kinds: member states and their eligibility (by `iso3`, and `iso3` + `year`),
//! and exchange rates (by `currency` + `month`).

use serde_json::{Map, Value, json};

use super::take;
use crate::api::exchange_rates::RateRow;
use crate::api::extract::parse_value;
use crate::api::member_states::{
    CreateMemberStateRequest, EligibilityRequest, UpdateMemberStateRequest, apply_update,
    check_year, create_input,
};
use crate::db::Conn;
use crate::error::ApiError;
use crate::models::exchange_rate::ExchangeRate;
use crate::models::member_state::{Eligibility, MemberState};
use crate::models::reference::Catalogue;
use crate::services::imports::Applied;
use crate::services::member_states::EligibilityValues;
use crate::services::{Actor, Precondition, exchange_rates, member_states};

fn state_of(m: &MemberState) -> Value {
    json!([m.name, m.region, m.iom_member, m.member_since])
}

pub(super) fn member_state(
    conn: &mut Conn,
    actor: &Actor,
    catalogue: &Catalogue,
    item: Map<String, Value>,
) -> Result<Applied, ApiError> {
    let body: CreateMemberStateRequest = parse_value(Value::Object(item))?;
    let (iso3, values) = create_input(catalogue, body)?;
    match MemberState::find(conn, iso3.as_str())? {
        None => {
            let row = member_states::create(conn, actor, &iso3, values)?;
            Ok(Applied {
                before: None,
                after: state_of(&row),
            })
        }
        Some(before) => {
            let change = UpdateMemberStateRequest {
                name: Some(values.name),
                region: Some(values.region),
                iom_member: Some(values.iom_member),
                member_since: Some(values.member_since),
            };
            let row = member_states::update(conn, actor, iso3.as_str(), &Precondition::Any, |v| {
                apply_update(catalogue, v, change)
            })?;
            Ok(Applied {
                before: Some(state_of(&before)),
                after: state_of(&row),
            })
        }
    }
}

fn eligibility_of(e: &Eligibility) -> Value {
    json!([
        e.income_group.to_string(),
        e.line_1_eligible,
        e.line_2_eligible,
        e.note
    ])
}

pub(super) fn eligibility(
    conn: &mut Conn,
    actor: &Actor,
    mut item: Map<String, Value>,
) -> Result<Applied, ApiError> {
    let iso3: String = take(&mut item, "iso3")?;
    let year: i32 = take(&mut item, "year")?;
    let year = check_year(year)?;
    let body: EligibilityRequest = parse_value(Value::Object(item))?;
    let before = Eligibility::find(conn, &iso3, year)?;
    let values = EligibilityValues {
        income_group: body.income_group,
        line_1_eligible: body.line_1_eligible,
        line_2_eligible: body.line_2_eligible,
        note: body.note,
    };
    let (row, _) = member_states::put_eligibility(conn, actor, &iso3, year, values)?;
    Ok(Applied {
        before: before.as_ref().map(eligibility_of),
        after: eligibility_of(&row),
    })
}

fn rate_of(r: &ExchangeRate) -> Value {
    json!([r.usd_per_unit_e10, r.source])
}

pub(super) fn exchange_rate(
    conn: &mut Conn,
    actor: &Actor,
    item: Map<String, Value>,
) -> Result<Applied, ApiError> {
    let row: RateRow = parse_value(Value::Object(item))?;
    let mut errors = Vec::new();
    let input = crate::api::exchange_rates::check(
        "",
        &row.currency,
        &row.month,
        &row.usd_per_unit,
        &row.source,
        &mut errors,
    );
    let Some(input) = input.filter(|_| errors.is_empty()) else {
        return Err(ApiError::validation(errors));
    };
    let before = ExchangeRate::find(conn, input.currency.code(), &input.month.to_string())?;
    let stored = exchange_rates::put(conn, actor, vec![input])?;
    let (after, _) = stored
        .first()
        .ok_or_else(|| ApiError::internal(anyhow::anyhow!("no rate stored")))?;
    Ok(Applied {
        before: before.as_ref().map(rate_of),
        after: rate_of(after),
    })
}
