//! CSV exports: cells quoted as RFC 4180 has it, and whole lists streamed batch by batch.
//!
//! Lists with a curated column set (projects, follow-up funding) render their own rows;
//! every other list and report renders its JSON items through [`flatten`]: one column per
//! field, a nested object's fields as `parent_field`, money as `field` (the amount) and
//! `field_currency`, a list of plain values joined by `;`.

use std::future::Future;

use actix_web::http::header;
use actix_web::{HttpResponse, web};
use futures_util::StreamExt;
use serde::Serialize;
use serde_json::Value;

use crate::error::ApiError;

/// Rows per batch of a streamed export.
pub const BATCH: i64 = 1000;

/// Whether `value` is a plain negative number (`-3`, `-0.2500`): a spreadsheet reads it as
/// the number it is, never as a formula.
fn negative_number(value: &str) -> bool {
    value
        .strip_prefix('-')
        .and_then(|digits| crate::domain::wire::decimal(digits, usize::MAX))
        .is_some()
}

/// Whether a spreadsheet would run `value` as a formula (a negative number it reads as the
/// number it is): such text is written behind a quote, and refused by an import.
pub fn formula_like(value: &str) -> bool {
    value.starts_with(['=', '+', '-', '@', '\t', '\r']) && !negative_number(value)
}

/// Appends one row. Text a spreadsheet would run as a formula is prefixed with a quote;
/// a negative number is left as it is.
pub fn push_row<S: AsRef<str>>(out: &mut String, cells: &[S]) {
    for (i, cell) in cells.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        let value = cell.as_ref();
        let guarded = if formula_like(value) {
            format!("'{value}")
        } else {
            value.to_owned()
        };
        if guarded.contains([',', '"', '\n', '\r']) {
            out.push('"');
            out.push_str(&guarded.replace('"', "\"\""));
            out.push('"');
        } else {
            out.push_str(&guarded);
        }
    }
    out.push_str("\r\n");
}

/// Streams a whole list: `fetch(offset)` renders one batch of up to [`BATCH`] records and
/// says how many it held. The first batch is read before answering, so a failure there is
/// still a proper problem response; a later failure ends the stream early (and is logged).
pub async fn stream<F, Fut>(
    filename: &str,
    header_row: &str,
    fetch: F,
) -> Result<HttpResponse, ApiError>
where
    F: Fn(i64) -> Fut + Clone + 'static,
    Fut: Future<Output = Result<(String, usize), ApiError>> + 'static,
{
    let (first, n) = fetch(0).await?;
    let head = format!("{header_row}\r\n{first}");
    let more = (n as i64 == BATCH).then_some(BATCH);
    let rest = futures_util::stream::unfold(more, move |offset| {
        let fetch = fetch.clone();
        async move {
            let offset = offset?;
            match fetch(offset).await {
                Ok((_, 0)) => None,
                Ok((text, n)) => {
                    let next = (n as i64 == BATCH).then_some(offset + BATCH);
                    Some((Ok::<_, actix_web::Error>(web::Bytes::from(text)), next))
                }
                Err(e) => {
                    tracing::error!(error = %e, "CSV export stopped");
                    Some((
                        Err(actix_web::error::ErrorInternalServerError("export failed")),
                        None,
                    ))
                }
            }
        }
    });
    let body =
        futures_util::stream::once(
            async move { Ok::<_, actix_web::Error>(web::Bytes::from(head)) },
        )
        .chain(rest);
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{filename}.csv\""),
        ))
        .streaming(body))
}

fn scalar(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn is_money(o: &serde_json::Map<String, Value>) -> bool {
    o.len() == 2 && o.contains_key("amount") && o.contains_key("currency")
}

/// Whether money columns carry their currency in a column of its own (`field_currency`);
/// reports, whose money is all USD, leave it out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Currencies {
    Column,
    Implied,
}

/// The (column, cell) pairs of one JSON item.
pub fn flatten(item: &Value, currencies: Currencies) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let Some(fields) = item.as_object() else {
        return out;
    };
    for (key, value) in fields {
        match value {
            Value::Object(o) if is_money(o) => {
                out.push((key.clone(), scalar(&o["amount"])));
                if currencies == Currencies::Column {
                    out.push((format!("{key}_currency"), scalar(&o["currency"])));
                }
            }
            Value::Object(o) => {
                for (sub, v) in o {
                    let cell = match v {
                        Value::Object(m) if is_money(m) => scalar(&m["amount"]),
                        Value::Object(_) | Value::Array(_) => v.to_string(),
                        other => scalar(other),
                    };
                    out.push((format!("{key}_{sub}"), cell));
                }
            }
            Value::Array(items) if items.iter().all(|i| !i.is_object() && !i.is_array()) => {
                let joined: Vec<String> = items.iter().map(scalar).collect();
                out.push((key.clone(), joined.join(";")));
            }
            Value::Array(_) => out.push((key.clone(), value.to_string())),
            other => out.push((key.clone(), scalar(other))),
        }
    }
    out
}

/// Renders items as CSV: the columns of their fields in order of first appearance.
pub fn render<T: Serialize>(items: &[T], currencies: Currencies) -> Result<String, ApiError> {
    let rows: Vec<Vec<(String, String)>> = items
        .iter()
        .map(|i| serde_json::to_value(i).map(|v| flatten(&v, currencies)))
        .collect::<Result<_, _>>()
        .map_err(ApiError::internal)?;
    let mut columns: Vec<String> = Vec::new();
    for row in &rows {
        for (c, _) in row {
            if !columns.contains(c) {
                columns.push(c.clone());
            }
        }
    }
    let mut out = String::new();
    push_row(&mut out, &columns);
    for row in &rows {
        let cells: Vec<&str> = columns
            .iter()
            .map(|c| {
                row.iter()
                    .find(|(k, _)| k == c)
                    .map_or("", |(_, v)| v.as_str())
            })
            .collect();
        push_row(&mut out, &cells);
    }
    Ok(out)
}

/// A type whose CSV rows have a fixed set of columns (the keys [`flatten`] gives its JSON).
pub trait Columns {
    const COLUMNS: &'static [&'static str];
}

/// Appends the rows of `items` in the columns of `T`.
fn push_items<T: Serialize + Columns>(out: &mut String, items: &[T]) -> Result<(), ApiError> {
    for item in items {
        let pairs = flatten(
            &serde_json::to_value(item).map_err(ApiError::internal)?,
            Currencies::Column,
        );
        // A null nested object (no eligibility yet) flattens to one empty cell under its own
        // name; its columns stay empty.
        debug_assert!(
            pairs
                .iter()
                .all(|(k, v)| v.is_empty() || T::COLUMNS.contains(&k.as_str())),
            "a field of {} has no CSV column: {:?}",
            std::any::type_name::<T>(),
            pairs.iter().map(|(k, _)| k).collect::<Vec<_>>()
        );
        let cells: Vec<&str> = T::COLUMNS
            .iter()
            .map(|c| {
                pairs
                    .iter()
                    .find(|(k, _)| k == c)
                    .map_or("", |(_, v)| v.as_str())
            })
            .collect();
        push_row(out, &cells);
    }
    Ok(())
}

fn attachment(filename: &str, body: String) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{filename}.csv\""),
        ))
        .body(body)
}

/// A whole list in memory, in the columns of `T`.
pub fn list<T: Serialize + Columns>(filename: &str, items: &[T]) -> Result<HttpResponse, ApiError> {
    let mut out = String::new();
    push_row(&mut out, T::COLUMNS);
    push_items(&mut out, items)?;
    Ok(attachment(filename, out))
}

/// A whole (unpaged) list: `{"items": [...]}` as JSON, or the items as CSV, as the client
/// asked (see [`super::negotiate`]).
pub fn items_or_json<T: Serialize + Columns, J: Serialize>(
    req: &actix_web::HttpRequest,
    format: Option<super::negotiate::Format>,
    filename: &str,
    items: &[T],
    json: &J,
) -> Result<HttpResponse, ApiError> {
    use super::negotiate::{self, Format};
    let res = match negotiate::choose(req, format)? {
        Format::Csv => list(filename, items)?,
        Format::Json => HttpResponse::Ok().json(json),
    };
    Ok(negotiate::vary(res))
}

/// A whole list read in batches (`fetch(offset)` gives up to [`BATCH`] items), streamed in
/// the columns of `T`.
pub async fn stream_list<T, F, Fut>(filename: &str, fetch: F) -> Result<HttpResponse, ApiError>
where
    T: Serialize + Columns,
    F: Fn(i64) -> Fut + Clone + 'static,
    Fut: Future<Output = Result<Vec<T>, ApiError>> + 'static,
{
    let mut header_row = String::new();
    push_row(&mut header_row, T::COLUMNS);
    stream(filename, header_row.trim_end(), move |offset| {
        let batch = fetch(offset);
        async move {
            let items = batch.await?;
            let mut out = String::new();
            push_items(&mut out, &items)?;
            Ok((out, items.len()))
        }
    })
    .await
}

/// Report rows (whose columns depend on the request) as a CSV attachment.
pub fn table<T: Serialize>(
    filename: &str,
    items: &[T],
    currencies: Currencies,
) -> Result<HttpResponse, ApiError> {
    Ok(attachment(filename, render(items, currencies)?))
}

/// A filtered list as the client asked (see [`super::negotiate`]): one page of `page(conn,
/// offset, limit)` items with the `count` total as JSON, or every item streamed as CSV in
/// batches, each turned into its CSV row by `row`.
#[expect(
    clippy::too_many_arguments,
    reason = "the request, its two choices, the pool and the four parts of a list read best side by side"
)]
pub async fn page_or_stream<T, R, P, C>(
    req: &actix_web::HttpRequest,
    format: Option<super::negotiate::Format>,
    paging: super::PageQuery,
    pool: &crate::db::Pool,
    filename: &'static str,
    count: C,
    page: P,
    row: fn(T) -> R,
) -> Result<HttpResponse, ApiError>
where
    T: Serialize + Send + 'static,
    R: Serialize + Columns + 'static,
    P: Fn(&mut crate::db::Conn, i64, i64) -> Result<Vec<T>, ApiError> + Clone + Send + 'static,
    C: FnOnce(&mut crate::db::Conn) -> Result<i64, ApiError> + Send + 'static,
{
    use super::negotiate::{self, Format};
    // Paging is checked even for CSV, which ignores it: a bad value is refused either way.
    let paging = paging.paging()?;
    if negotiate::choose(req, format)? == Format::Csv {
        let pool = pool.clone();
        return stream_list(filename, move |offset| {
            let (pool, page) = (pool.clone(), page.clone());
            async move {
                let items = crate::db::run(&pool, move |conn| page(conn, offset, BATCH)).await?;
                Ok(items.into_iter().map(row).collect::<Vec<_>>())
            }
        })
        .await
        .map(negotiate::vary);
    }
    let (items, total) = crate::db::run(pool, move |conn| {
        let total = count(conn)?;
        Ok((page(conn, paging.offset(), paging.limit())?, total))
    })
    .await?;
    Ok(negotiate::vary(super::page_response(
        req, items, total, paging,
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_quoted_and_negative_numbers_are_not() {
        let mut out = String::new();
        push_row(
            &mut out,
            &["=1+1", "-1+1", "-", "@A1", "-0.2500", "-3", "-1.", "12"],
        );
        assert_eq!(out, "'=1+1,'-1+1,'-,'@A1,-0.2500,-3,'-1.,12\r\n");
    }
}
