//! `GET /member-states`: a page of member states with their latest eligibility, or the whole
//! filtered list as CSV.

use actix_web::{HttpRequest, HttpResponse, get, web};
use serde::Deserialize;
use utoipa::IntoParams;

use super::{MemberStateResponse, response};
use crate::api::csv::{self, Columns};
use crate::api::negotiate::{self, Format};
use crate::api::params::{
    List, Query, Sort, SortKeys, Text, Timestamp, instant, sort, text, values,
};
use crate::api::schemas::RegionCode;
use crate::api::{PageQuery, page_response};
use crate::auth::{Authorized, need};
use crate::db;
use crate::error::ApiError;
use crate::models::member_state::{Eligibility, MemberState, MemberStateFilter, MemberStateSort};
use crate::models::reference::Catalogue;
use crate::state::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListMemberStatesQuery {
    /// Regions, comma-separated (OR).
    #[param(value_type = Option<Vec<RegionCode>>, style = Form, explode = false)]
    pub region: Option<List<String>>,
    pub iom_member: Option<bool>,
    /// Case-insensitive text in the name or ISO3 code.
    #[param(value_type = Option<String>, max_length = 200)]
    pub q: Option<Text>,
    /// Only records changed after this instant (RFC 3339), for incremental sync.
    #[param(value_type = Option<chrono::DateTime<chrono::Utc>>)]
    pub updated_since: Option<Timestamp>,
    /// Sort keys `iso3`, `name`, `region`, `updated_at`, comma-separated; `-` for descending.
    #[param(value_type = Option<String>, pattern = r"^-?(iso3|name|region|updated_at)(,-?(iso3|name|region|updated_at))*$")]
    pub sort: Option<Sort<MemberStateSort>>,
    /// `csv` for the whole filtered list as CSV (the same as `Accept: text/csv`); `xlsx` as an XLSX workbook.
    pub format: Option<Format>,
}

impl SortKeys for MemberStateSort {
    const KEYS: &'static [(&'static str, Self)] = &[
        ("iso3", MemberStateSort::Iso3),
        ("name", MemberStateSort::Name),
        ("region", MemberStateSort::Region),
        ("updated_at", MemberStateSort::UpdatedAt),
    ];
}

impl Columns for MemberStateResponse {
    const COLUMNS: &'static [&'static str] = &[
        "iso3",
        "name",
        "region",
        "region_label",
        "iom_member",
        "member_since",
        "eligibility_iso3",
        "eligibility_year",
        "eligibility_income_group",
        "eligibility_line_1_eligible",
        "eligibility_line_2_eligible",
        "eligibility_note",
        "eligibility_updated_at",
        "created_at",
        "updated_at",
    ];
}

/// One batch of member states with their latest eligibility, and the total.
fn page_of(
    conn: &mut db::Conn,
    c: &Catalogue,
    filter: &MemberStateFilter,
    offset: i64,
    limit: i64,
) -> Result<(Vec<MemberStateResponse>, i64), ApiError> {
    let (rows, total) = MemberState::list(conn, filter, offset, limit)?;
    let keys: Vec<String> = rows.iter().map(|r| r.iso3.clone()).collect();
    let latest = Eligibility::latest_for(conn, &keys)?;
    let items = rows
        .iter()
        .map(|m| response(c, m, latest.get(&m.iso3)))
        .collect();
    Ok((items, total))
}

/// Member states with their latest eligibility; with `Accept: text/csv` (or `format=csv`)
/// the whole filtered list as CSV.
#[utoipa::path(tag = "member-states", params(ListMemberStatesQuery, PageQuery), security(("bearer" = ["member_states:read"])),
    responses((status = 200, description = "One page (JSON) or the whole filtered list (CSV)",
        content((crate::api::Page<MemberStateResponse> = "application/json"), (String = "text/csv")))))]
#[get("/member-states")]
pub async fn list_member_states(
    req: HttpRequest,
    _: Authorized<need::MemberStatesRead>,
    query: Query<ListMemberStatesQuery>,
    paging: Query<PageQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let q = query.into_inner();
    let filter = MemberStateFilter {
        regions: values(&q.region),
        iom_member: q.iom_member,
        q: text(&q.q),
        updated_since: instant(q.updated_since),
        sort: sort(&q.sort),
    };
    // Paging is checked even for an export, which ignores it: a bad value is refused either way.
    let paging = paging.into_inner().paging()?;
    let export = negotiate::choose(&req, q.format)?;
    if export != Format::Json {
        let catalogue = state.catalogue.clone();
        return csv::stream_list(
            export,
            "member-states",
            &state.pool,
            move |conn, offset, limit| {
                page_of(conn, &catalogue, &filter, offset, limit).map(|p| p.0)
            },
        )
        .await
        .map(negotiate::vary);
    }
    let catalogue = state.catalogue.clone();
    let (items, total) = db::run(&state.pool, move |conn| {
        page_of(conn, &catalogue, &filter, paging.offset(), paging.limit())
    })
    .await?;
    Ok(negotiate::vary(page_response(&req, items, total, paging)))
}
