//! One import row of each kind, written through the kind's ordinary use case: the item is
//! the body the create (or PUT) request takes, read by the same request type; an existing
//! record (by natural key) is updated through the update use case instead. Each answers the
//! comparable state of the record before and after, so an upsert that changes nothing
//! counts as unchanged (and its savepoint is rolled back).

use serde_json::{Map, Value, json};

use super::Kind;
use crate::api::exchange_rates::RateRow;
use crate::api::extract::parse_value;
use crate::api::follow_ups::{FollowUpFields, UpdateFollowUpRequest};
use crate::api::member_states::{
    CreateMemberStateRequest, EligibilityRequest, UpdateMemberStateRequest, apply_update,
    check_year, create_input,
};
use crate::api::projects::{ProjectFields, UpdateProjectRequest, response as project_response};
use crate::db::Conn;
use crate::error::{ApiError, FieldError};
use crate::models::exchange_rate::ExchangeRate;
use crate::models::member_state::{Eligibility, MemberState};
use crate::models::project::Project;
use crate::models::reference::Catalogue;
use crate::services::imports::{Applied, Batched};
use crate::services::member_states::EligibilityValues;
use crate::services::{Actor, Precondition, exchange_rates, follow_ups, member_states, projects};

/// Fields a list answers but no request writes: accepted in an item and ignored, so that an
/// exported list re-imports.
const READ_ONLY: &[&str] = &[
    "created_at",
    "updated_at",
    "version",
    "region_label",
    "eligibility",
    "links",
    "follow_up_total_usd",
    "leverage",
    "unconverted_follow_up",
    "warnings",
    "amount_usd",
    "usd_rate",
    "usd_conversion",
];

/// What the rows of one import share.
#[derive(Default)]
pub struct Session {
    /// Follow-up records this import created: a later row's `id` never means one of them (it
    /// names a record of the file's source).
    created_follow_ups: std::collections::HashSet<i64>,
}

/// Writes one item of `kind`.
pub fn apply(
    kind: Kind,
    session: &mut Session,
    conn: &mut Conn,
    actor: &Actor,
    catalogue: &Catalogue,
    item: Value,
) -> Result<Applied, ApiError> {
    let Value::Object(mut item) = item else {
        return Err(ApiError::validation(vec![FieldError::new(
            "",
            "invalid_type",
            "an item is a JSON object",
        )]));
    };
    for key in READ_ONLY {
        item.remove(*key);
    }
    match kind {
        Kind::MemberStates => member_state(conn, actor, catalogue, item),
        Kind::Eligibility => eligibility(conn, actor, item),
        Kind::ExchangeRates => exchange_rate(conn, actor, item),
        Kind::Projects => project(conn, actor, catalogue, item),
        Kind::FollowUpFunding => follow_up(session, conn, actor, item),
    }
}

fn state_of(m: &MemberState) -> Value {
    json!([m.name, m.region, m.iom_member, m.member_since])
}

fn member_state(
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

/// Takes a key field out of an item (the path of the single-record route carries it).
fn take<T: serde::de::DeserializeOwned>(
    item: &mut Map<String, Value>,
    field: &str,
) -> Result<T, ApiError> {
    let value = item.remove(field).ok_or_else(|| {
        ApiError::validation(vec![FieldError::new(
            field,
            "required",
            format!("missing field `{field}`"),
        )])
    })?;
    parse_value(value).map_err(|_| {
        ApiError::validation(vec![FieldError::new(
            field,
            "invalid_type",
            format!("{field} has the wrong type"),
        )])
    })
}

fn eligibility_of(e: &Eligibility) -> Value {
    json!([
        e.income_group.to_string(),
        e.line_1_eligible,
        e.line_2_eligible,
        e.note
    ])
}

fn eligibility(
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

fn exchange_rate(
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

/// A project as compared: its response without its times.
fn project_of(view: &projects::ProjectView) -> Result<Value, ApiError> {
    let mut v = serde_json::to_value(project_response(view)).map_err(ApiError::internal)?;
    if let Some(o) = v.as_object_mut() {
        o.remove("created_at");
        o.remove("updated_at");
    }
    Ok(v)
}

/// An item of a project as written: a listed project's states carry their computed share
/// (and names); an item's shares are its own.
fn project_item(item: &mut Map<String, Value>) {
    for key in READ_ONLY {
        item.remove(*key);
    }
    if let Some(Value::Array(states)) = item.get_mut("member_states") {
        for s in states.iter_mut().filter_map(Value::as_object_mut) {
            s.remove("name");
            s.remove("region");
        }
    }
}

/// The items of `kind` written together before the others: for projects, the first row of
/// each code not stored yet, created at once ([`projects::bulk::create_many`]). Every other
/// item (an update, a repeated code, one without a code) is left for [`apply`].
pub fn batch(
    kind: Kind,
    conn: &mut Conn,
    actor: &Actor,
    catalogue: &Catalogue,
    items: Vec<(usize, Value)>,
) -> Result<(Batched, Vec<(usize, Value)>), ApiError> {
    if kind != Kind::Projects {
        return Ok((Batched::default(), items));
    }
    let code_of = |item: &Value| item.get("code").and_then(Value::as_str).map(str::to_owned);
    let codes: Vec<String> = items.iter().filter_map(|(_, item)| code_of(item)).collect();
    let stored = Project::existing_codes(conn, &codes)?;
    let (mut seen, mut rest, mut batched) = (
        std::collections::HashSet::new(),
        Vec::new(),
        Batched::default(),
    );
    let mut drafts: Vec<(usize, projects::ProjectDraft)> = Vec::new();
    for (row, item) in items {
        let new_code = code_of(&item).filter(|c| !stored.contains(c) && seen.insert(c.clone()));
        match (new_code, item) {
            (Some(_), Value::Object(mut item)) => {
                project_item(&mut item);
                match parse_value::<ProjectFields>(Value::Object(item)) {
                    Ok(fields) => drafts.push((row, fields.into())),
                    Err(e) => batched.failed.push((row, e)),
                }
            }
            (_, item) => rest.push((row, item)),
        }
    }
    let (rows, drafts): (Vec<usize>, Vec<_>) = drafts.into_iter().unzip();
    for (row, outcome) in rows
        .into_iter()
        .zip(projects::bulk::create_many(conn, actor, catalogue, drafts)?)
    {
        match outcome {
            Ok(_) => batched.created += 1,
            Err(e) => batched.failed.push((row, e)),
        }
    }
    Ok((batched, rest))
}

fn project(
    conn: &mut Conn,
    actor: &Actor,
    catalogue: &Catalogue,
    mut item: Map<String, Value>,
) -> Result<Applied, ApiError> {
    project_item(&mut item);
    let code = match item.get("code") {
        Some(Value::String(c)) => c.clone(),
        // The request type names the problem.
        _ => {
            return parse_value::<ProjectFields>(Value::Object(item)).and(Err(
                ApiError::validation(vec![FieldError::new(
                    "code",
                    "invalid_type",
                    "code is a string",
                )]),
            ));
        }
    };
    if Project::find(conn, &code)?.is_none() {
        let fields: ProjectFields = parse_value(Value::Object(item))?;
        let view = projects::create(conn, actor, catalogue, fields.into())?;
        return Ok(Applied {
            before: None,
            after: project_of(&view)?,
        });
    }
    // An existing project: the item is a merge patch of it. Its status moves only through
    // transitions, so the status column is not applied.
    item.remove("code");
    item.remove("status");
    let patch = parse_value::<UpdateProjectRequest>(Value::Object(item))?.into_patch()?;
    let before = projects::find(conn, &code)?;
    let after = projects::update(conn, actor, catalogue, &code, &Precondition::Any, patch)?;
    Ok(Applied {
        before: Some(project_of(&before)?),
        after: project_of(&after)?,
    })
}

fn follow_up_of(view: &follow_ups::FollowUpView) -> Result<Value, ApiError> {
    let mut v =
        serde_json::to_value(crate::api::follow_ups::response(view)).map_err(ApiError::internal)?;
    if let Some(o) = v.as_object_mut() {
        o.remove("created_at");
        o.remove("updated_at");
    }
    Ok(v)
}

/// Follow-up funding has no natural key, only its id: an item with the `id` of a stored
/// record updates it; an item without one (or with an id not stored) is created under its
/// `project_code`, with a new id.
fn follow_up(
    session: &mut Session,
    conn: &mut Conn,
    actor: &Actor,
    mut item: Map<String, Value>,
) -> Result<Applied, ApiError> {
    let id: Option<i64> = match item.remove("id") {
        None | Some(Value::Null) => None,
        Some(v) => Some(parse_value(v).map_err(|_| {
            ApiError::validation(vec![FieldError::new(
                "id",
                "invalid_type",
                "id is an integer",
            )])
        })?),
    };
    let code: String = take(&mut item, "project_code")?;
    let existing = match id {
        Some(id) if !session.created_follow_ups.contains(&id) => {
            crate::models::follow_up::FollowUp::find(conn, id)?.map(|_| id)
        }
        _ => None,
    };
    match existing {
        None => {
            let fields: FollowUpFields = parse_value(Value::Object(item))?;
            let view = follow_ups::create(conn, actor, &code, fields.into())?;
            session.created_follow_ups.insert(view.id);
            Ok(Applied {
                before: None,
                after: follow_up_of(&view)?,
            })
        }
        Some(id) => {
            let before = follow_ups::find(conn, id)?;
            if before.project_code != code {
                return Err(ApiError::validation(vec![FieldError::new(
                    "project_code",
                    "project_mismatch",
                    format!(
                        "follow-up funding {id} belongs to {}, not {code}",
                        before.project_code
                    ),
                )]));
            }
            // Every field of the create body, as a merge patch: fields left out are cleared
            // or take their defaults, as on create.
            let full: FollowUpFields = parse_value(Value::Object(item))?;
            let patch_value = serde_json::to_value(&full).map_err(ApiError::internal)?;
            let patch = parse_value::<UpdateFollowUpRequest>(patch_value)?.into_patch()?;
            let after = follow_ups::update(conn, actor, id, &Precondition::Any, patch)?;
            Ok(Applied {
                before: Some(follow_up_of(&before)?),
                after: follow_up_of(&after)?,
            })
        }
    }
}
