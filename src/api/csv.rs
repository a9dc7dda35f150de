//! CSV and XLSX exports: CSV cells quoted as RFC 4180 has it, XLSX cells typed (see
//! [`cells`] and [`xlsx`]), whole lists read batch by batch.
//!
//! Lists with a curated column set (projects, follow-up funding) render their own rows;
//! every other list and report renders its JSON items through [`flatten`]: one column per
//! field, a nested object's fields as `parent_field`, money as `field` (the amount) and
//! `field_currency`, a list of plain values joined by `;`. Both formats hold the same rows
//! and columns.

use std::future::Future;

use actix_web::http::header;
use actix_web::{HttpResponse, web};
use futures_util::StreamExt;
use serde::Serialize;

use super::negotiate::{self, Format};
use crate::error::ApiError;

mod cells;
pub mod xlsx;

pub use cells::{Cell, Currencies, Kind, flatten};

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

/// Appends the rows of `rows` as CSV text.
fn push_cells(out: &mut String, rows: &[Vec<Cell>]) {
    for cells in rows {
        let texts: Vec<&str> = cells.iter().map(|c| c.text.as_str()).collect();
        push_row(out, &texts);
    }
}

/// An export's response head: its media type and `<filename>.<csv|xlsx>` as an attachment.
fn head(format: Format, filename: &str) -> actix_web::HttpResponseBuilder {
    let (media, ext) = match format {
        Format::Xlsx => (xlsx::MEDIA_TYPE, "xlsx"),
        Format::Csv | Format::Json => ("text/csv; charset=utf-8", "csv"),
    };
    let mut res = HttpResponse::Ok();
    res.content_type(media).insert_header((
        header::CONTENT_DISPOSITION,
        format!("attachment; filename=\"{filename}.{ext}\""),
    ));
    res
}

/// A whole export in memory. XLSX is built on the blocking pool as the body is sent (the
/// rows are in hand, so only an internal fault can fail it; it is logged and ends the body).
fn attachment<S: AsRef<str>>(
    format: Format,
    filename: &str,
    columns: &[S],
    rows: Vec<Vec<Cell>>,
) -> HttpResponse {
    if format == Format::Xlsx {
        let columns: Vec<String> = columns.iter().map(|c| c.as_ref().to_owned()).collect();
        let body = futures_util::stream::once(async move {
            xlsx::off_executor(move || {
                let mut sheet = xlsx::Sheet::new(&columns)?;
                sheet.append(&rows)?;
                sheet.finish()
            })
            .await
            .map(web::Bytes::from)
            .map_err(|e| {
                tracing::error!(error = %e, "XLSX export failed");
                actix_web::error::ErrorInternalServerError("export failed")
            })
        });
        return head(format, filename).streaming(body);
    }
    let mut out = String::new();
    push_row(&mut out, columns);
    push_cells(&mut out, &rows);
    head(format, filename).body(out)
}

/// Streams a whole list: `fetch(offset)` gives the rows of one batch of up to [`BATCH`]
/// records, in `columns`. CSV is sent batch by batch; its first batch is read before
/// answering, so a failure there is still a proper problem response, and a later failure
/// ends the stream early (and is logged). XLSX reads every batch into a constant-memory
/// worksheet first (on the blocking pool), so any failure is a problem response, and sends
/// the finished file from a temporary file.
pub async fn stream<F, Fut>(
    format: Format,
    filename: &str,
    columns: &'static [&'static str],
    fetch: F,
) -> Result<HttpResponse, ApiError>
where
    F: Fn(i64) -> Fut + Clone + 'static,
    Fut: Future<Output = Result<Vec<Vec<Cell>>, ApiError>> + 'static,
{
    if format == Format::Xlsx {
        let mut sheet = xlsx::off_executor(move || xlsx::Sheet::new(columns)).await?;
        let mut offset = 0;
        loop {
            let rows = fetch(offset).await?;
            let full = rows.len() as i64 == BATCH;
            sheet = xlsx::off_executor(move || {
                sheet.append(&rows)?;
                Ok(sheet)
            })
            .await?;
            if !full {
                break;
            }
            offset += BATCH;
        }
        let (file, len) = xlsx::off_executor(move || sheet.finish_to_file()).await?;
        let body = actix_web::body::SizedStream::new(len, xlsx::file_chunks(file));
        return Ok(head(format, filename).body(body));
    }
    let first = fetch(0).await?;
    let mut text = String::new();
    push_row(&mut text, columns);
    push_cells(&mut text, &first);
    let more = (first.len() as i64 == BATCH).then_some(BATCH);
    let rest = later_batches(more, BATCH, "CSV export", move |offset| {
        let fetch = fetch.clone();
        async move {
            let rows = fetch(offset).await?;
            let mut text = String::new();
            push_cells(&mut text, &rows);
            Ok((text, rows.len()))
        }
    });
    let body =
        futures_util::stream::once(
            async move { Ok::<_, actix_web::Error>(web::Bytes::from(text)) },
        )
        .chain(rest);
    Ok(head(format, filename).streaming(body))
}

/// The batches of a streamed export after its first (which its handler reads before
/// answering, so that a failure there is still a problem response): from offset `next`,
/// `fetch(offset)` renders up to `batch` records and says how many it held; a short batch is
/// the last. A failure ends the body early and is logged as `what` stopping.
pub fn later_batches<F, Fut>(
    next: Option<i64>,
    batch: i64,
    what: &'static str,
    fetch: F,
) -> impl futures_util::Stream<Item = Result<web::Bytes, actix_web::Error>> + 'static
where
    F: Fn(i64) -> Fut + Clone + 'static,
    Fut: Future<Output = Result<(String, usize), ApiError>> + 'static,
{
    futures_util::stream::unfold(next, move |offset| {
        let fetch = fetch.clone();
        async move {
            let offset = offset?;
            match fetch(offset).await {
                Ok((_, 0)) => None,
                Ok((text, n)) => {
                    let next = (n as i64 == batch).then_some(offset + batch);
                    Some((Ok(web::Bytes::from(text)), next))
                }
                Err(e) => {
                    tracing::error!(error = %e, "{what} stopped");
                    Some((
                        Err(actix_web::error::ErrorInternalServerError("export failed")),
                        None,
                    ))
                }
            }
        }
    })
}

/// Items rendered through [`flatten`]: the columns of their fields in order of first
/// appearance, and each item's row in them.
fn render<T: Serialize>(
    items: &[T],
    currencies: Currencies,
) -> Result<(Vec<String>, Vec<Vec<Cell>>), ApiError> {
    let rows: Vec<Vec<(String, Cell)>> = items
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
    let cells = rows
        .into_iter()
        .map(|mut row| {
            columns
                .iter()
                .map(|c| match row.iter().position(|(k, _)| k == c) {
                    Some(i) => row.swap_remove(i).1,
                    None => Cell::empty(),
                })
                .collect()
        })
        .collect();
    Ok((columns, cells))
}

/// A type whose export rows have a fixed set of columns (the keys [`flatten`] gives its
/// JSON).
pub trait Columns {
    const COLUMNS: &'static [&'static str];
}

/// The rows of `items` in the columns of `T`.
fn rows_of<T: Serialize + Columns>(items: &[T]) -> Result<Vec<Vec<Cell>>, ApiError> {
    let mut rows = Vec::with_capacity(items.len());
    for item in items {
        let mut pairs = flatten(
            &serde_json::to_value(item).map_err(ApiError::internal)?,
            Currencies::Column,
        );
        // A null nested object (no eligibility yet) flattens to one empty cell under its own
        // name; its columns stay empty.
        debug_assert!(
            pairs
                .iter()
                .all(|(k, v)| v.text.is_empty() || T::COLUMNS.contains(&k.as_str())),
            "a field of {} has no export column: {:?}",
            std::any::type_name::<T>(),
            pairs.iter().map(|(k, _)| k).collect::<Vec<_>>()
        );
        rows.push(
            T::COLUMNS
                .iter()
                .map(|c| match pairs.iter().position(|(k, _)| k == c) {
                    Some(i) => pairs.swap_remove(i).1,
                    None => Cell::empty(),
                })
                .collect(),
        );
    }
    Ok(rows)
}

/// A whole list in memory, in the columns of `T`, as CSV or XLSX.
pub fn list<T: Serialize + Columns>(
    format: Format,
    filename: &str,
    items: &[T],
) -> Result<HttpResponse, ApiError> {
    Ok(attachment(format, filename, T::COLUMNS, rows_of(items)?))
}

/// A whole (unpaged) list: `{"items": [...]}` as JSON, or the items as CSV or XLSX, as the
/// client asked (see [`super::negotiate`]).
pub fn items_or_json<T: Serialize + Columns, J: Serialize>(
    req: &actix_web::HttpRequest,
    format: Option<Format>,
    filename: &str,
    items: &[T],
    json: &J,
) -> Result<HttpResponse, ApiError> {
    let res = match negotiate::choose(req, format)? {
        Format::Json => HttpResponse::Ok().json(json),
        table => list(table, filename, items)?,
    };
    Ok(negotiate::vary(res))
}

/// A whole list read in batches (`fetch(offset)` gives up to [`BATCH`] items), exported in
/// the columns of `T`.
pub async fn stream_list<T, F, Fut>(
    format: Format,
    filename: &str,
    fetch: F,
) -> Result<HttpResponse, ApiError>
where
    T: Serialize + Columns,
    F: Fn(i64) -> Fut + Clone + 'static,
    Fut: Future<Output = Result<Vec<T>, ApiError>> + 'static,
{
    stream(format, filename, T::COLUMNS, move |offset| {
        let batch = fetch(offset);
        async move { rows_of(&batch.await?) }
    })
    .await
}

/// Report rows (whose columns depend on the request) as a CSV or XLSX attachment.
pub fn table<T: Serialize>(
    format: Format,
    filename: &str,
    items: &[T],
    currencies: Currencies,
) -> Result<HttpResponse, ApiError> {
    let (columns, rows) = render(items, currencies)?;
    Ok(attachment(format, filename, &columns, rows))
}

/// A filtered list as the client asked (see [`super::negotiate`]): one page of `page(conn,
/// offset, limit)` items with the `count` total as JSON, or every item exported as CSV or
/// XLSX in batches, each turned into its row by `row`.
#[expect(
    clippy::too_many_arguments,
    reason = "the request, its two choices, the pool and the four parts of a list read best side by side"
)]
pub async fn page_or_stream<T, R, P, C>(
    req: &actix_web::HttpRequest,
    format: Option<Format>,
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
    // Paging is checked even for an export, which ignores it: a bad value is refused
    // either way.
    let paging = paging.paging()?;
    let format = negotiate::choose(req, format)?;
    if format != Format::Json {
        let pool = pool.clone();
        return stream_list(format, filename, move |offset| {
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
