//! The HTTP surface: one module per resource, each with its handlers (named after their
//! operation, which is also the OpenAPI `operationId`), request and response types.

pub mod allocations;
pub mod audit;
pub mod auth;
pub mod changes;
pub mod csv;
pub mod evaluation_reports;
pub mod evaluations;
pub mod exchange_rates;
pub mod exports;
pub mod extract;
pub mod follow_ups;
pub mod funding_rules;
pub mod imports;
pub mod kept;
pub mod member_states;
pub mod money;
pub mod negotiate;
pub mod openapi;
pub mod params;
pub mod patch;
pub mod projects;
pub mod publications;
pub mod reference;
pub mod reports;
pub mod results;
pub mod schemas;
pub mod stream;
pub mod strict_json;
pub mod system;
pub mod users;
pub mod webhooks;

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse};
use serde::Serialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::domain::paging::Paging;
use crate::error::ApiError;

/// Registers every `/api/v1` operation.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(
        utoipa_actix_web::scope("/api/v1")
            .configure(auth::configure)
            .configure(users::configure)
            .configure(reference::configure)
            .configure(funding_rules::configure)
            .configure(allocations::configure)
            .configure(member_states::configure)
            .configure(projects::configure)
            .configure(follow_ups::configure)
            .configure(exchange_rates::configure)
            .configure(imports::configure)
            .configure(reports::configure)
            .configure(exports::configure)
            .configure(evaluations::configure)
            .configure(evaluation_reports::configure)
            .configure(publications::configure)
            .configure(results::configure)
            .configure(audit::configure)
            .configure(changes::configure)
            .configure(webhooks::configure),
    );
}

/// `page` and `per_page` of every list.
#[derive(Debug, Clone, Copy, serde::Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// Page number, from 1. A page past the last answers an empty `items`.
    #[param(minimum = 1, maximum = 2147483647, default = 1, value_type = Option<i32>)]
    pub page: Option<i64>,
    /// Items per page, 1–500.
    #[param(minimum = 1, maximum = 500, default = 50, value_type = Option<i32>)]
    pub per_page: Option<i64>,
}

impl PageQuery {
    pub fn paging(self) -> Result<Paging, ApiError> {
        Paging::parse(self.page, self.per_page)
            .map_err(|(field, msg)| ApiError::bad_parameter(field, msg))
    }
}

/// `format` of a list that has no other parameters.
#[derive(Debug, Clone, Copy, Default, serde::Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FormatQuery {
    /// `csv` for the whole list as CSV (the same as `Accept: text/csv`); `xlsx` as an XLSX workbook.
    pub format: Option<negotiate::Format>,
}

/// `updated_since` of a list whose records carry an `updated_at` (the lists with more
/// filters declare it among them, with the same type and description).
#[derive(Debug, Clone, Copy, Default, serde::Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UpdatedSinceQuery {
    /// Only records changed after this instant (RFC 3339), for incremental sync.
    #[param(value_type = Option<chrono::DateTime<chrono::Utc>>)]
    pub updated_since: Option<params::Timestamp>,
}

impl UpdatedSinceQuery {
    /// The instant, as stored (UTC).
    pub fn instant(self) -> Option<chrono::NaiveDateTime> {
        params::instant(self.updated_since)
    }
}

/// Where a list page sits in the whole.
#[derive(Debug, Serialize, ToSchema)]
pub struct ListMeta {
    pub total: i64,
    pub page: u32,
    pub per_page: u32,
}

/// One page of a list.
#[derive(Debug, Serialize, ToSchema)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub meta: ListMeta,
}

/// The longest `Link` header a list sends.
pub const MAX_LINK_HEADER: usize = 4096;

/// A 200 with one page and its RFC 8288 `Link` header (first, prev, next, last).
pub fn page_response<T: Serialize>(
    req: &HttpRequest,
    items: Vec<T>,
    total: i64,
    paging: Paging,
) -> HttpResponse {
    match page_answer(req, items, total, paging) {
        Ok(answer) => answer.response(),
        Err(e) => actix_web::ResponseError::error_response(&e),
    }
}

/// [`page_response`]'s body and `Link` header, to keep ([`kept`]).
pub fn page_answer<T: Serialize>(
    req: &HttpRequest,
    items: Vec<T>,
    total: i64,
    paging: Paging,
) -> Result<crate::cache::JsonAnswer, ApiError> {
    let last =
        u32::try_from(((total.max(1) - 1) / i64::from(paging.per_page)) + 1).unwrap_or(u32::MAX);
    let mut links = vec![link(req, 1, "first")];
    if paging.page > 1 {
        // Past the end, the previous page with items is the last one.
        links.push(link(req, (paging.page - 1).min(last), "prev"));
    }
    if paging.page < last {
        links.push(link(req, paging.page + 1, "next"));
    }
    links.push(link(req, last, "last"));
    let links = links.join(", ");
    // A query string long enough to make the header unwieldy gets no links: `meta` still
    // says where the page sits.
    let link = (links.len() <= MAX_LINK_HEADER)
        .then(|| header::HeaderValue::try_from(links).ok())
        .flatten();
    let body = serde_json::to_vec(&Page {
        items,
        meta: ListMeta {
            total,
            page: paging.page,
            per_page: paging.per_page,
        },
    })
    .map_err(ApiError::internal)?;
    Ok(crate::cache::JsonAnswer {
        link,
        body: body.into(),
    })
}

fn link(req: &HttpRequest, page: u32, rel: &str) -> String {
    let mut pairs: Vec<(String, String)> =
        serde_urlencoded::from_str(req.query_string()).unwrap_or_default();
    pairs.retain(|(k, _)| k != "page");
    pairs.push(("page".to_owned(), page.to_string()));
    let query = serde_urlencoded::to_string(&pairs).unwrap_or_default();
    format!("<{}?{}>; rel=\"{}\"", req.path(), query, rel)
}

/// Splits `a,b,c` into its non-empty, trimmed parts (OR within one filter).
pub fn split_list(value: Option<&str>) -> Vec<String> {
    value
        .map(|v| {
            v.split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

/// Parses `sort=-updated_at,name` against the allowed keys.
pub fn parse_sort<K: Copy>(
    value: Option<&str>,
    allowed: &[(&str, K)],
) -> Result<Vec<(K, bool)>, ApiError> {
    split_list(value)
        .into_iter()
        .map(|part| {
            let (desc, name) = match part.strip_prefix('-') {
                Some(n) => (true, n.to_owned()),
                None => (false, part.clone()),
            };
            allowed
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, k)| (*k, desc))
                .ok_or_else(|| {
                    let names: Vec<&str> = allowed.iter().map(|(n, _)| *n).collect();
                    ApiError::bad_parameter(
                        "sort",
                        format!("{part:?} is not sortable; use {}", names.join(", ")),
                    )
                })
        })
        .collect()
}

/// Parses an RFC 3339 timestamp parameter into stored (naive UTC) time.
pub fn parse_timestamp(
    field: &str,
    value: Option<&str>,
) -> Result<Option<chrono::NaiveDateTime>, ApiError> {
    value
        .map(|v| {
            chrono::DateTime::parse_from_rfc3339(v)
                .map(|t| t.naive_utc())
                .map_err(|_| {
                    ApiError::bad_parameter(
                        field,
                        "must be an RFC 3339 timestamp, e.g. 2024-01-31T00:00:00Z",
                    )
                })
        })
        .transpose()
}

/// Stored time as it is sent: UTC with a `Z`.
pub fn utc(t: chrono::NaiveDateTime) -> chrono::DateTime<chrono::Utc> {
    t.and_utc()
}

/// A 201 with `Location` and the body.
pub fn created<T: Serialize>(location: String, body: &T) -> HttpResponse {
    HttpResponse::Created()
        .insert_header((header::LOCATION, location))
        .json(body)
}
