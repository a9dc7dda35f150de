//! Reading an import body into rows: a JSON `{"items": [...]}`, or a table (CSV, or the
//! first sheet of an XLSX workbook) of a header row and data rows. Every failure is a 4xx
//! naming the problem; sizes are capped before anything large is built.

use std::io::Cursor;

use calamine::{DataRef, Reader, Xlsx};
use serde_json::Value;

use crate::error::{ApiError, ErrorCode, FieldError};

/// The most data rows (or items) one import takes.
pub const MAX_ROWS: usize = 100_000;
/// The most columns a table may have.
const MAX_COLUMNS: usize = 200;
/// The most bytes the parts of an XLSX may declare once uncompressed (a zip bomb is refused
/// before it is opened).
pub const MAX_UNCOMPRESSED: u64 = 200 * 1024 * 1024;
/// The most parts an XLSX may hold.
const MAX_PARTS: usize = 1000;

/// A table: its header and its data rows (row 1 is the first row after the header).
pub struct Table {
    pub header: Vec<String>,
    pub rows: Vec<(usize, Result<Vec<String>, FieldError>)>,
}

fn bad(code: ErrorCode, field: &str, err: &str, message: String) -> ApiError {
    ApiError::fields(code, vec![FieldError::new(field, err, message)])
}

fn too_many_rows() -> ApiError {
    bad(
        ErrorCode::PayloadTooLarge,
        "body",
        "too_many_rows",
        format!("an import takes at most {MAX_ROWS} rows"),
    )
}

/// The items of a JSON body, each numbered from 1.
pub fn json_items(body: &[u8]) -> Result<Vec<(usize, Value)>, ApiError> {
    #[derive(serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Items {
        items: Vec<Value>,
    }
    let parsed: Items = serde_json::from_slice(body).map_err(|e| {
        if e.is_data() {
            bad(
                ErrorCode::ValidationFailed,
                "items",
                "invalid_type",
                format!("the body must be {{\"items\": [...]}}: {e}"),
            )
        } else {
            ApiError::new(
                ErrorCode::MalformedBody,
                format!("the body is not valid JSON: {e}"),
            )
        }
    })?;
    if parsed.items.len() > MAX_ROWS {
        return Err(too_many_rows());
    }
    Ok(parsed
        .items
        .into_iter()
        .enumerate()
        .map(|(i, v)| (i + 1, v))
        .collect())
}

/// A CSV body: UTF-8 (a byte-order mark is skipped), a header row, then data rows.
pub fn csv(body: &[u8]) -> Result<Table, ApiError> {
    let text = std::str::from_utf8(body).map_err(|e| {
        bad(
            ErrorCode::MalformedBody,
            "body",
            "invalid_encoding",
            format!(
                "the CSV is not UTF-8 (invalid byte at offset {}); save it as UTF-8",
                e.valid_up_to()
            ),
        )
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut reader = ::csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut records = reader.records();
    let header = match records.next() {
        Some(Ok(h)) => h.iter().map(|c| c.trim().to_owned()).collect::<Vec<_>>(),
        Some(Err(e)) => {
            return Err(bad(
                ErrorCode::MalformedBody,
                "header",
                "malformed_csv",
                format!("the header row cannot be read: {e}"),
            ));
        }
        None => {
            return Err(bad(
                ErrorCode::ValidationFailed,
                "header",
                "missing_header",
                "the CSV is empty: it needs a header row".to_owned(),
            ));
        }
    };
    check_header_width(&header)?;
    let mut rows = Vec::new();
    for (i, record) in records.enumerate() {
        let row = i + 1;
        if row > MAX_ROWS {
            return Err(too_many_rows());
        }
        let cells = match record {
            Ok(r) if r.len() == header.len() => Ok(r.iter().map(str::to_owned).collect()),
            Ok(r) => Err(FieldError::new(
                "",
                "wrong_column_count",
                format!(
                    "the row has {} cells; the header has {}",
                    r.len(),
                    header.len()
                ),
            )),
            Err(e) => Err(FieldError::new("", "malformed_csv", e.to_string())),
        };
        rows.push((row, cells));
    }
    Ok(Table { header, rows })
}

fn check_header_width(header: &[String]) -> Result<(), ApiError> {
    if header.len() > MAX_COLUMNS {
        return Err(bad(
            ErrorCode::ValidationFailed,
            "header",
            "too_many_columns",
            format!("a table has at most {MAX_COLUMNS} columns"),
        ));
    }
    Ok(())
}

fn not_a_spreadsheet(detail: impl std::fmt::Display) -> ApiError {
    bad(
        ErrorCode::MalformedBody,
        "body",
        "not_a_spreadsheet",
        format!("the body is not an XLSX workbook: {detail}"),
    )
}

/// Refuses a zip whose parts declare more than [`MAX_UNCOMPRESSED`] bytes in all, or too many
/// parts, before anything is decompressed.
fn check_zip(body: &[u8]) -> Result<(), ApiError> {
    let mut zip = zip::ZipArchive::new(Cursor::new(body)).map_err(not_a_spreadsheet)?;
    if zip.len() > MAX_PARTS {
        return Err(bad(
            ErrorCode::PayloadTooLarge,
            "body",
            "zip_bomb",
            format!("the workbook has more than {MAX_PARTS} parts"),
        ));
    }
    let mut total: u64 = 0;
    for i in 0..zip.len() {
        let part = zip.by_index_raw(i).map_err(not_a_spreadsheet)?;
        total = total.saturating_add(part.size());
        // A ratio no spreadsheet reaches.
        if total > MAX_UNCOMPRESSED || part.size() / 200 > part.compressed_size().max(1 << 20) {
            return Err(bad(
                ErrorCode::PayloadTooLarge,
                "body",
                "zip_bomb",
                format!(
                    "the workbook would be over {} MB once uncompressed",
                    MAX_UNCOMPRESSED / (1024 * 1024)
                ),
            ));
        }
    }
    Ok(())
}

/// The text a cell holds, as the CSV export would write it.
fn cell_text(cell: &DataRef<'_>) -> String {
    match cell {
        DataRef::Int(i) => i.to_string(),
        DataRef::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{f:.0}"),
        DataRef::Float(f) => f.to_string(),
        DataRef::String(s) => s.clone(),
        DataRef::SharedString(s) => (*s).to_owned(),
        DataRef::Bool(b) => b.to_string(),
        DataRef::DateTime(d) => match d.as_datetime() {
            Some(t) if t.time() == chrono::NaiveTime::MIN => t.date().to_string(),
            Some(t) => t
                .and_utc()
                .to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true),
            None => d.as_f64().to_string(),
        },
        DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => s.clone(),
        DataRef::Error(e) => format!("#{e:?}"),
        DataRef::Empty => String::new(),
    }
}

/// The first sheet of an XLSX body, its first row the header. Read cell by cell (never a
/// dense range a far-off cell could blow up).
pub fn xlsx(body: &[u8]) -> Result<Table, ApiError> {
    check_zip(body)?;
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(body)).map_err(not_a_spreadsheet)?;
    let first = book
        .sheet_names()
        .into_iter()
        .next()
        .ok_or_else(|| not_a_spreadsheet("it has no sheet"))?;
    let mut reader = book
        .worksheet_cells_reader(&first)
        .map_err(not_a_spreadsheet)?;
    let mut grid: Vec<Vec<String>> = Vec::new();
    while let Some(cell) = reader.next_cell().map_err(not_a_spreadsheet)? {
        let (r, c) = cell.get_position();
        let (r, c) = (r as usize, c as usize);
        if r > MAX_ROWS {
            return Err(too_many_rows());
        }
        if c >= MAX_COLUMNS {
            return Err(bad(
                ErrorCode::ValidationFailed,
                "header",
                "too_many_columns",
                format!("a table has at most {MAX_COLUMNS} columns"),
            ));
        }
        let text = cell_text(cell.get_value());
        if text.is_empty() {
            continue;
        }
        if grid.len() <= r {
            grid.resize_with(r + 1, Vec::new);
        }
        let row = &mut grid[r];
        if row.len() <= c {
            row.resize(c + 1, String::new());
        }
        row[c] = text;
    }
    let mut rows = grid.into_iter();
    let mut header = rows.next().filter(|h| !h.is_empty()).ok_or_else(|| {
        bad(
            ErrorCode::ValidationFailed,
            "header",
            "missing_header",
            "the first sheet is empty: it needs a header row".to_owned(),
        )
    })?;
    while header.last().is_some_and(String::is_empty) {
        header.pop();
    }
    let header: Vec<String> = header.into_iter().map(|h| h.trim().to_owned()).collect();
    check_header_width(&header)?;
    let width = header.len();
    let rows = rows
        .enumerate()
        .filter(|(_, cells)| !cells.is_empty())
        .map(|(i, mut cells)| {
            let extra = cells.iter().skip(width).any(|c| !c.is_empty());
            cells.resize(width, String::new());
            let cells = if extra {
                Err(FieldError::new(
                    "",
                    "wrong_column_count",
                    format!("the row has cells past the {width} columns of the header"),
                ))
            } else {
                Ok(cells)
            };
            (i + 1, cells)
        })
        .collect();
    Ok(Table { header, rows })
}
