//! JSON answers kept at the position of the change feed: the four main reports and the pages
//! of the project list, which read many rows (a report, every project the filters select: a
//! tenth of a second and more at 100,000 projects).
//!
//! An answer is kept by its request (path and query) at the feed's position
//! ([`crate::models::change::Change::position`]), which every request reads first: one
//! indexed read ([`AppState::feed_position`]). Every committed
//! write of a record appends to the feed in its own transaction, with ids assigned in commit
//! order, and the position is read before the answer is made, so a kept answer was made from
//! data at least as new as the position it is served at: it is never stale, whichever copy of
//! the service wrote. The first request after a write makes the answer again. Writes that
//! bypass the use cases (the synthetic load-test data of `devfund seed`, hand-written SQL)
//! are not seen until the next recorded change. CSV and XLSX are made every time.

use actix_web::{HttpRequest, HttpResponse, web};
use serde::Serialize;

use super::negotiate::{self, Format};
use crate::cache::JsonAnswer;
use crate::error::ApiError;
use crate::state::AppState;

/// What a request finds: the kept answer, or where to keep the one it makes (`None`: not
/// kept, a CSV or XLSX).
pub enum Look {
    Hit(HttpResponse),
    Miss(Option<Slot>),
}

/// Where an answer is kept: its request, at the position of the change feed read before the
/// answer was made.
pub struct Slot {
    key: String,
    position: i64,
}

/// The answer this copy kept for `req` at the change feed's current position, if any.
pub async fn look(req: &HttpRequest, format: Format, state: &AppState) -> Result<Look, ApiError> {
    if format != Format::Json {
        return Ok(Look::Miss(None));
    }
    let position = state.feed_position().await?;
    let key = req
        .uri()
        .path_and_query()
        .map_or_else(|| req.path().to_owned(), |pq| pq.as_str().to_owned());
    Ok(match state.kept_answers.get(&key, position) {
        Some(answer) => Look::Hit(negotiate::vary(answer.response())),
        None => Look::Miss(Some(Slot { key, position })),
    })
}

/// Answers `report` as JSON, kept in `slot`.
pub fn json<T: Serialize>(
    state: &AppState,
    slot: Option<Slot>,
    report: &T,
) -> Result<HttpResponse, ApiError> {
    let body = web::Bytes::from(serde_json::to_vec(report).map_err(ApiError::internal)?);
    Ok(answer(state, slot, JsonAnswer { link: None, body }))
}

/// Answers `answer`, kept in `slot`.
pub fn answer(state: &AppState, slot: Option<Slot>, answer: JsonAnswer) -> HttpResponse {
    let res = negotiate::vary(answer.response());
    if let Some(Slot { key, position }) = slot {
        state.kept_answers.put(key, position, answer);
    }
    res
}
