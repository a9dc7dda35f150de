//! XLSX exports: the same rows and columns as the CSV, as typed cells (see [`super::cells`])
//! in one worksheet written in `rust_xlsxwriter`'s constant-memory mode, so memory stays
//! flat however many batches are appended. The workbook must be whole before it is sent; it
//! is built off the async executor, batch by batch, into a temporary file that is then sent
//! chunk by chunk.

use std::io::{Read, Seek, SeekFrom};

use rust_xlsxwriter::{ExcelDateTime, Format, Workbook, XlsxError};

use super::cells::{Cell, Kind, full_date};
use super::table::Table;
use crate::error::ApiError;

/// The media type of an XLSX workbook.
pub const MEDIA_TYPE: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// Excel's limit on the characters of one cell; longer text is cut there.
const MAX_TEXT: usize = 32_767;

/// A worksheet being written: the header row first, then rows in order, cell by cell (it
/// is a [`Table`]; the first failure to write a cell is kept for [`Sheet::check`]).
pub struct Sheet {
    workbook: Workbook,
    next_row: u32,
    next_col: u16,
    date: Format,
    failure: Option<ApiError>,
    scratch: String,
}

fn failed(e: XlsxError) -> ApiError {
    ApiError::internal(anyhow::anyhow!("XLSX export failed: {e}"))
}

impl Sheet {
    /// A workbook of one worksheet whose first row, bold and frozen, names `columns`.
    pub fn new<S: AsRef<str>>(columns: &[S]) -> Result<Sheet, ApiError> {
        let mut workbook = Workbook::new();
        let bold = Format::new().set_bold();
        let sheet = workbook
            .add_worksheet_with_constant_memory()
            .map_err(failed)?;
        sheet.set_freeze_panes(1, 0).map_err(failed)?;
        for (i, name) in columns.iter().enumerate() {
            let col = u16::try_from(i).map_err(ApiError::internal)?;
            let width = name.as_ref().chars().count().clamp(10, 40) as f64 + 2.0;
            sheet.set_column_width(col, width).map_err(failed)?;
            sheet
                .write_string_with_format(0, col, name.as_ref(), &bold)
                .map_err(failed)?;
        }
        Ok(Sheet {
            workbook,
            next_row: 1,
            next_col: 0,
            date: Format::new().set_num_format("yyyy-mm-dd"),
            failure: None,
            scratch: String::new(),
        })
    }

    /// Appends rows after those already written.
    pub fn append(&mut self, rows: &[Vec<Cell>]) -> Result<(), ApiError> {
        for cells in rows {
            for cell in cells {
                self.cell(cell.kind, &cell.text);
            }
            self.end_row();
        }
        self.check()
    }

    /// The first failure to write a cell so far, if any.
    pub fn check(&mut self) -> Result<(), ApiError> {
        self.failure.take().map_or(Ok(()), Err)
    }

    /// The finished file, in memory (a small export).
    pub fn finish(mut self) -> Result<Vec<u8>, ApiError> {
        self.check()?;
        self.workbook.save_to_buffer().map_err(failed)
    }

    /// The finished file in an anonymous temporary file, rewound, and its length: a whole
    /// list's export is never held in memory (see [`file_chunks`]).
    pub fn finish_to_file(mut self) -> Result<(std::fs::File, u64), ApiError> {
        self.check()?;
        let mut file = tempfile::tempfile().map_err(ApiError::internal)?;
        self.workbook.save_to_writer(&mut file).map_err(failed)?;
        let len = file.seek(SeekFrom::End(0)).map_err(ApiError::internal)?;
        file.seek(SeekFrom::Start(0)).map_err(ApiError::internal)?;
        Ok((file, len))
    }
}

impl Table for Sheet {
    fn cell(&mut self, kind: Kind, text: &str) {
        if self.failure.is_some() {
            return;
        }
        let (row, col) = (self.next_row, self.next_col);
        self.next_col = self.next_col.saturating_add(1);
        let written = self
            .workbook
            .worksheet_from_index(0)
            .and_then(|sheet| write(sheet, row, col, kind, text, &self.date));
        if let Err(e) = written {
            self.failure = Some(failed(e));
        }
    }

    fn end_row(&mut self) {
        self.next_row += 1;
        self.next_col = 0;
    }

    fn scratch(&mut self) -> &mut String {
        &mut self.scratch
    }
}

/// Bytes read from a finished file per chunk of the body.
const CHUNK: usize = 256 * 1024;

/// A finished file as a body, read chunk by chunk on the blocking pool. A read failure ends
/// the body early and is logged.
pub fn file_chunks(
    file: std::fs::File,
) -> impl futures_util::Stream<Item = Result<actix_web::web::Bytes, actix_web::Error>> + 'static {
    futures_util::stream::unfold(Some(file), |file| async move {
        let mut file = file?;
        let read = actix_web::web::block(move || {
            let mut buf = vec![0; CHUNK];
            let n = file.read(&mut buf)?;
            buf.truncate(n);
            Ok::<_, std::io::Error>((buf, file))
        })
        .await;
        match read {
            Ok(Ok((buf, _))) if buf.is_empty() => None,
            Ok(Ok((buf, file))) => Some((Ok(actix_web::web::Bytes::from(buf)), Some(file))),
            Ok(Err(e)) => Some((Err(read_failed(&e)), None)),
            Err(e) => Some((Err(read_failed(&e)), None)),
        }
    })
}

fn read_failed(e: &dyn std::fmt::Display) -> actix_web::Error {
    tracing::error!(error = %e, "XLSX export stopped");
    actix_web::error::ErrorInternalServerError("export failed")
}

/// Writes one cell by its kind; text is always written as a string, never as a formula.
fn write(
    sheet: &mut rust_xlsxwriter::Worksheet,
    row: u32,
    col: u16,
    kind: Kind,
    text: &str,
    date: &Format,
) -> Result<(), XlsxError> {
    if text.is_empty() {
        return Ok(());
    }
    match kind {
        Kind::Number => {
            if let Some(n) = number(text) {
                sheet.write_number(row, col, n)?;
                return Ok(());
            }
        }
        Kind::Bool if text == "true" || text == "false" => {
            sheet.write_boolean(row, col, text == "true")?;
            return Ok(());
        }
        Kind::Date => {
            if let Some(d) = full_date(text).and_then(excel_date) {
                sheet.write_date_with_format(row, col, &d, date)?;
                return Ok(());
            }
        }
        Kind::Text | Kind::Bool => {}
    }
    let text = match text.char_indices().nth(MAX_TEXT) {
        Some((end, _)) => &text[..end],
        None => text,
    };
    sheet.write_string(row, col, text)?;
    Ok(())
}

/// The number a plain decimal (`-12.50`, `3`) stands for; `None` for anything else (`1e5`,
/// `NaN`, `inf` are text).
fn number(text: &str) -> Option<f64> {
    let digits = text.strip_prefix('-').unwrap_or(text);
    crate::domain::wire::decimal(digits, usize::MAX)?;
    text.parse::<f64>().ok().filter(|n| n.is_finite())
}

fn excel_date(d: chrono::NaiveDate) -> Option<ExcelDateTime> {
    use chrono::Datelike;
    let (y, m, day) = (
        u16::try_from(d.year()).ok()?,
        u8::try_from(d.month()).ok()?,
        u8::try_from(d.day()).ok()?,
    );
    ExcelDateTime::from_ymd(y, m, day).ok()
}

/// Runs XLSX work on the blocking pool, off the async executor.
pub async fn off_executor<T, F>(f: F) -> Result<T, ApiError>
where
    F: FnOnce() -> Result<T, ApiError> + Send + 'static,
    T: Send + 'static,
{
    actix_web::web::block(f)
        .await
        .map_err(|e| ApiError::internal(anyhow::anyhow!("blocking task failed: {e}")))?
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_decimals_are_numbers() {
        assert_eq!(number("-12.50"), Some(-12.5));
        assert_eq!(number("3"), Some(3.0));
        for not in ["1e5", "NaN", "inf", "XA.4990", "1.", ".5", "", "-"] {
            assert_eq!(number(not), None, "{not}");
        }
    }

    #[test]
    fn a_date_before_excel_dates_begin_stays_text() {
        let d = chrono::NaiveDate::from_ymd_opt(1850, 1, 1).unwrap();
        assert!(excel_date(d).is_none());
        let d = chrono::NaiveDate::from_ymd_opt(2021, 6, 3).unwrap();
        assert!(excel_date(d).is_some());
    }
}
