//! CSV and XLSX exports: CSV cells quoted as RFC 4180 has it, XLSX cells typed (see
//! [`cells`] and [`xlsx`]), whole lists read page by page from one snapshot (see [`table`]).
//!
//! Lists with a curated column set (projects, follow-up funding) write their own rows;
//! every other list and report renders its JSON items through [`flatten`]: one column per
//! field, a nested object's fields as `parent_field`, money as `field` (the amount) and
//! `field_currency`, a list of plain values joined by `;`. Both formats hold the same rows
//! and columns.

use std::marker::PhantomData;

use actix_web::http::header;
use actix_web::{HttpResponse, web};
use serde::Serialize;

use super::negotiate::{self, Format};
use crate::db::Conn;
use crate::error::ApiError;

mod cells;
pub mod table;
pub mod xlsx;

pub use cells::{Cell, Currencies, Kind, flatten};
pub use table::{PAGE_ROWS, Source, Table, export};

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

/// Writes rows of cells to a table.
fn write_rows<T: Table>(out: &mut T, rows: &[Vec<Cell>]) {
    for cells in rows {
        for cell in cells {
            out.cell(cell.kind, &cell.text);
        }
        out.end_row();
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
    let mut csv = table::Csv::default();
    csv.header(columns);
    write_rows(&mut csv, &rows);
    head(format, filename).body(csv.take())
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

/// A list read a page at a time by `page(conn, offset, limit)`, in the columns of `T`: the
/// [`Source`] of the lists whose size stays small (reference data, users, member states, a
/// project's history, evaluations). Inside the export's one snapshot its pages are
/// consistent; each re-reads the rows before it, which a long list (projects, follow-up
/// funding) avoids with a keyset source of its own.
pub struct Offset<T, F> {
    page: F,
    offset: i64,
    item: PhantomData<fn() -> T>,
}

impl<T, F> Offset<T, F>
where
    T: Serialize + Columns + 'static,
    F: FnMut(&mut Conn, i64, i64) -> Result<Vec<T>, ApiError> + Send + 'static,
{
    pub fn new(page: F) -> Self {
        Offset {
            page,
            offset: 0,
            item: PhantomData,
        }
    }
}

impl<T, F> Source for Offset<T, F>
where
    T: Serialize + Columns + 'static,
    F: FnMut(&mut Conn, i64, i64) -> Result<Vec<T>, ApiError> + Send + 'static,
{
    fn columns(&self) -> &'static [&'static str] {
        T::COLUMNS
    }

    fn next_page<O: Table>(&mut self, conn: &mut Conn, out: &mut O) -> Result<bool, ApiError> {
        let items = (self.page)(conn, self.offset, PAGE_ROWS)?;
        write_rows(out, &rows_of(&items)?);
        self.offset += PAGE_ROWS;
        Ok(items.len() as i64 == PAGE_ROWS)
    }
}

/// A whole list read by `page(conn, offset, limit)` from one snapshot, exported in the
/// columns of `T`.
pub async fn stream_list<T, F>(
    format: Format,
    filename: &str,
    pool: &crate::db::Pool,
    page: F,
) -> Result<HttpResponse, ApiError>
where
    T: Serialize + Columns + 'static,
    F: FnMut(&mut Conn, i64, i64) -> Result<Vec<T>, ApiError> + Send + 'static,
{
    export(format, filename, pool, Offset::new(page)).await
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
/// XLSX page by page from one snapshot, each turned into its row by `row`.
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
    P: Fn(&mut crate::db::Conn, i64, i64) -> Result<Vec<T>, ApiError> + Send + 'static,
    C: FnOnce(&mut crate::db::Conn) -> Result<i64, ApiError> + Send + 'static,
{
    // Paging is checked even for an export, which ignores it: a bad value is refused
    // either way.
    let paging = paging.paging()?;
    let format = negotiate::choose(req, format)?;
    if format != Format::Json {
        return stream_list(format, filename, pool, move |conn, offset, limit| {
            Ok(page(conn, offset, limit)?.into_iter().map(row).collect())
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
        let mut csv = table::Csv::default();
        csv.header(&["=1+1", "-1+1", "-", "@A1", "-0.2500", "-3", "-1.", "12"]);
        assert_eq!(csv.take(), b"'=1+1,'-1+1,'-,'@A1,-0.2500,-3,'-1.,12\r\n");
    }

    #[test]
    fn cells_with_separators_quotes_or_line_breaks_are_quoted() {
        let mut csv = table::Csv::default();
        csv.header(&["a,b", "say \"hi\"", "two\nlines", "=x,y", "plain"]);
        assert_eq!(
            csv.take(),
            b"\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\",\"'=x,y\",plain\r\n"
        );
    }
}
