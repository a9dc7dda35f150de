//! The bodies of `PATCH /results/{id}`, `/indicators/{id}` and `/measurements/{id}`: JSON merge
//! patches (RFC 7396) of the fields a client writes; `null` clears an optional field. Each is
//! checked against its type, then merged with the record as it is and checked whole.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use actix_web::HttpRequest;

use crate::api::extract::{if_match, parse_json};
use crate::api::schemas::IndicatorValueText;
use crate::db::{self, Conn};
use crate::domain::results::{ResultLevel, Verification};
use crate::error::ApiError;
use crate::services::{Actor, Precondition};
use crate::state::AppState;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateResultRequest {
    #[serde(default, deserialize_with = "crate::api::patch::present")]
    #[schema(nullable = false)]
    pub level: Option<ResultLevel>,
    #[serde(default, deserialize_with = "crate::api::extract::double_option")]
    #[schema(value_type = Option<i64>, minimum = 1)]
    pub parent_id: Option<Option<i64>>,
    #[serde(default, deserialize_with = "crate::api::extract::double_option")]
    #[schema(value_type = Option<String>, max_length = 20)]
    pub label: Option<Option<String>>,
    #[serde(default, deserialize_with = "crate::api::patch::present")]
    #[schema(
        nullable = false,
        min_length = 1,
        max_length = 20000,
        pattern = r"[^ \t\n\r]"
    )]
    pub statement: Option<String>,
    #[serde(default, deserialize_with = "crate::api::patch::present")]
    #[schema(nullable = false, minimum = 1, maximum = 10000)]
    pub position: Option<i32>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateIndicatorRequest {
    #[serde(default, deserialize_with = "crate::api::extract::double_option")]
    #[schema(value_type = Option<String>, max_length = 20)]
    pub label: Option<Option<String>>,
    #[serde(default, deserialize_with = "crate::api::patch::present")]
    #[schema(
        nullable = false,
        min_length = 1,
        max_length = 300,
        pattern = r"[^ \t\n\r]"
    )]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "crate::api::extract::double_option")]
    #[schema(value_type = Option<String>, max_length = 100)]
    pub unit: Option<Option<String>>,
    #[serde(default, deserialize_with = "crate::api::extract::double_option")]
    #[schema(value_type = Option<IndicatorValueText>)]
    pub baseline_value: Option<Option<String>>,
    #[serde(default, deserialize_with = "crate::api::extract::double_option")]
    #[schema(value_type = Option<chrono::NaiveDate>)]
    pub baseline_date: Option<Option<chrono::NaiveDate>>,
    #[serde(default, deserialize_with = "crate::api::extract::double_option")]
    #[schema(value_type = Option<IndicatorValueText>)]
    pub target_value: Option<Option<String>>,
    #[serde(default, deserialize_with = "crate::api::extract::double_option")]
    #[schema(value_type = Option<chrono::NaiveDate>)]
    pub target_date: Option<Option<chrono::NaiveDate>>,
    #[serde(default, deserialize_with = "crate::api::extract::double_option")]
    #[schema(value_type = Option<String>, max_length = 20000)]
    pub means_of_verification: Option<Option<String>>,
    #[serde(default, deserialize_with = "crate::api::extract::double_option")]
    #[schema(value_type = Option<String>, max_length = 20000)]
    pub assumptions: Option<Option<String>>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateMeasurementRequest {
    #[serde(default, deserialize_with = "crate::api::patch::present")]
    #[schema(nullable = false)]
    pub measured_on: Option<chrono::NaiveDate>,
    #[serde(default, deserialize_with = "crate::api::extract::double_option")]
    #[schema(value_type = Option<chrono::NaiveDate>)]
    pub period_from: Option<Option<chrono::NaiveDate>>,
    #[serde(default, deserialize_with = "crate::api::extract::double_option")]
    #[schema(value_type = Option<chrono::NaiveDate>)]
    pub period_to: Option<Option<chrono::NaiveDate>>,
    #[serde(default, deserialize_with = "crate::api::patch::present")]
    #[schema(value_type = IndicatorValueText, nullable = false)]
    pub value: Option<String>,
    #[serde(default, deserialize_with = "crate::api::patch::present")]
    #[schema(nullable = false)]
    pub verification: Option<Verification>,
    #[serde(default, deserialize_with = "crate::api::extract::double_option")]
    #[schema(value_type = Option<String>, max_length = 300)]
    pub source: Option<Option<String>>,
    #[serde(default, deserialize_with = "crate::api::extract::double_option")]
    #[schema(value_type = Option<String>, max_length = 20000)]
    pub note: Option<Option<String>>,
}

/// The fields a client writes of a record: read from the record as it is, checked into the
/// service's input.
pub trait Form: Serialize + DeserializeOwned + Send + 'static {
    type Record: Send + 'static;
    type Input: Send + 'static;
    fn of(record: &Self::Record) -> Self;
    fn check(self) -> Result<Self::Input, ApiError>;
}

/// A write that changes record `id` under `If-Match`.
pub type Change<F> = fn(
    &mut Conn,
    &Actor,
    i64,
    &Precondition,
    <F as Form>::Input,
) -> Result<<F as Form>::Record, ApiError>;

/// `PATCH` of record `id`: `patch` checked as a `P`, merged into the record's fields as
/// `find` reads them, checked whole and written by `change` with the caller's `If-Match`.
pub async fn apply<P: DeserializeOwned, F: Form>(
    req: &HttpRequest,
    actor: Actor,
    (id, patch): (i64, serde_json::Value),
    state: &AppState,
    find: fn(&mut Conn, i64) -> Result<F::Record, ApiError>,
    change: Change<F>,
) -> Result<F::Record, ApiError> {
    let expected = if_match(req)?;
    let patch = checked::<P>(patch)?;
    db::run(&state.pool, move |conn| {
        let current = find(conn, id)?;
        let input = merged(&F::of(&current), patch)?.check()?;
        change(conn, &actor, id, &expected, input)
    })
    .await
}

/// Checks `patch` as a `P`, so that a wrong type or an unknown field is named as such.
fn checked<P: DeserializeOwned>(patch: serde_json::Value) -> Result<serde_json::Value, ApiError> {
    let patch = crate::api::patch::object(patch)?;
    parse_json::<P>(&serde_json::to_vec(&patch).map_err(ApiError::internal)?)?;
    Ok(patch)
}

/// The fields as they are, with `patch` merged in.
fn merged<F: Serialize + DeserializeOwned>(
    current: &F,
    patch: serde_json::Value,
) -> Result<F, ApiError> {
    let mut doc = serde_json::to_value(current).map_err(ApiError::internal)?;
    crate::api::patch::merge(&mut doc, patch);
    parse_json(doc.to_string().as_bytes())
}
