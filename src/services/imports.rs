//! A bulk import as one use case: every row goes through the kind's ordinary write use case
//! (the same checks and Fund rules as one request at a time), all of them inside ONE
//! transaction, each row in a savepoint of its own. A row that fails, or that changes
//! nothing, rolls back its savepoint; a dry run, or any row error, rolls back the whole
//! transaction at the end. The import itself is one audit event naming its counts.
//!
//! A kind may write runs of consecutive rows together ([`RowWriter`]: new projects, through
//! [`super::projects::bulk`]); rows are still written, and their errors reported, in file
//! order.

use serde::Serialize;

use super::{Actor, audit};
use crate::db::{Conn, write_tx};
use crate::error::{ApiError, FieldError};

/// The most row errors an answer lists; more set `truncated`.
pub const MAX_ERRORS: usize = 1000;

/// What one row's write did: the comparable state of the record before (none: it was
/// created) and after. Equal states mean the row changed nothing.
pub struct Applied {
    pub before: Option<serde_json::Value>,
    pub after: serde_json::Value,
}

/// One problem of one row (`row` counts data rows from 1; the header is not a row).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RowError {
    pub row: usize,
    pub field: String,
    pub code: String,
    pub message: String,
}

/// The answer of an import (200), and the body of its 422 `import_rejected`.
#[derive(Debug, Default, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = ImportResponse)]
pub struct Report {
    pub dry_run: bool,
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
    /// Empty on success.
    pub errors: Vec<RowError>,
    /// Whether more errors were found than the 1000 listed.
    pub truncated: bool,
}

impl Report {
    /// Records the errors of `row` (an [`ApiError`] names its fields, or is one problem).
    pub fn fail(&mut self, row: usize, e: &ApiError) {
        match e {
            ApiError::Client { errors, .. } if !errors.is_empty() => {
                for f in errors {
                    self.push(row, f);
                }
            }
            other => {
                let f = FieldError::new("", other.code().as_str(), other.to_string());
                self.push(row, &f);
            }
        }
    }

    pub fn push(&mut self, row: usize, f: &FieldError) {
        if self.errors.len() >= MAX_ERRORS {
            self.truncated = true;
            return;
        }
        self.errors.push(RowError {
            row,
            field: f.field.clone(),
            code: f.code.clone(),
            message: f.message.clone(),
        });
    }

    /// Whether the answer is already full: later rows are still read, not written.
    pub fn full(&self) -> bool {
        self.truncated
    }
}

/// What a kind's batch step did with the rows it took: how many records it created, and
/// the errors of the rows it refused (they are reported with the others, in row order).
#[derive(Default)]
pub struct Batched {
    pub created: usize,
    pub failed: Vec<(usize, ApiError)>,
}

/// How a row's savepoint ends.
enum RowEnd {
    Unchanged,
    Failed(ApiError),
}

impl From<diesel::result::Error> for RowEnd {
    fn from(e: diesel::result::Error) -> Self {
        RowEnd::Failed(e.into())
    }
}

/// How the whole transaction ends when nothing may stay written.
enum End {
    RolledBack(Report),
    Failed(ApiError),
}

impl From<diesel::result::Error> for End {
    fn from(e: diesel::result::Error) -> Self {
        End::Failed(e.into())
    }
}

/// How a kind's rows are written. Rows are written in file order; a run of consecutive rows
/// that [`together`](RowWriter::together) marks goes in at once through
/// [`write_together`](RowWriter::write_together) (new projects, through
/// [`super::projects::bulk`]), every other row through [`apply`](RowWriter::apply), one at a
/// time in a savepoint. So the outcome is the one of writing the file row by row.
pub trait RowWriter<I> {
    /// Which of `items` may be written together with their neighbours (all asked at once).
    fn together(&mut self, conn: &mut Conn, items: &[(usize, I)]) -> Result<Vec<bool>, ApiError>;
    /// Writes a run of items marked by [`together`](RowWriter::together).
    fn write_together(
        &mut self,
        conn: &mut Conn,
        items: Vec<(usize, I)>,
    ) -> Result<Batched, ApiError>;
    /// Writes one item through its kind's use case.
    fn apply(&mut self, conn: &mut Conn, item: I) -> Result<Applied, ApiError>;
}

/// The errors of rows not yet reported, by row: reported in row order, interleaved with
/// those of the rows written one at a time.
type Pending = std::collections::BTreeMap<usize, ApiError>;

/// Reports the pending errors of rows before `row` (all of them for `None`).
fn report_before(report: &mut Report, failed: &mut Pending, row: Option<usize>) {
    let later = match row {
        Some(row) => failed.split_off(&row),
        None => Pending::new(),
    };
    for (row, e) in std::mem::replace(failed, later) {
        report.fail(row, &e);
    }
}

/// Writes a run of rows together (unless the answer is already full); its errors join the
/// pending ones.
fn flush<I>(
    conn: &mut Conn,
    writer: &mut impl RowWriter<I>,
    run: &mut Vec<(usize, I)>,
    report: &mut Report,
    failed: &mut Pending,
) -> Result<(), ApiError> {
    let run = std::mem::take(run);
    if run.is_empty() || report.full() {
        return Ok(());
    }
    let batched = writer.write_together(conn, run)?;
    report.created += batched.created;
    failed.extend(batched.failed);
    Ok(())
}

/// Runs an import of `rows` (row number, item or the error that stopped its parsing) of
/// `kind`, written by `writer` in file order.
pub fn run<I>(
    conn: &mut Conn,
    actor: &Actor,
    kind: &str,
    dry_run: bool,
    rows: Vec<(usize, Result<I, ApiError>)>,
    writer: &mut impl RowWriter<I>,
) -> Result<Report, ApiError> {
    let mut report = Report {
        dry_run,
        ..Report::default()
    };
    let outcome = write_tx(conn, |conn| {
        let (mut failed, mut items) = (Pending::new(), Vec::new());
        for (row, item) in rows {
            match item {
                Ok(item) => items.push((row, item)),
                Err(e) => {
                    failed.insert(row, e);
                }
            }
        }
        let together = writer.together(conn, &items).map_err(End::Failed)?;
        let mut run = Vec::new();
        for ((row, item), together) in items.into_iter().zip(together) {
            if together {
                run.push((row, item));
                continue;
            }
            flush(conn, writer, &mut run, &mut report, &mut failed).map_err(End::Failed)?;
            report_before(&mut report, &mut failed, Some(row));
            if report.full() {
                // The answer cannot list more; the rest is not worth writing.
                continue;
            }
            let done = write_tx(conn, |conn| match writer.apply(conn, item) {
                Ok(a) if a.before.as_ref() == Some(&a.after) => Err(RowEnd::Unchanged),
                Ok(a) => Ok(a.before.is_none()),
                Err(e) => Err(RowEnd::Failed(e)),
            });
            match done {
                Ok(true) => report.created += 1,
                Ok(false) => report.updated += 1,
                Err(RowEnd::Unchanged) => report.unchanged += 1,
                Err(RowEnd::Failed(
                    e @ (ApiError::Internal { .. } | ApiError::Unavailable { .. }),
                )) => {
                    return Err(End::Failed(e));
                }
                Err(RowEnd::Failed(e)) => report.fail(row, &e),
            }
        }
        flush(conn, writer, &mut run, &mut report, &mut failed).map_err(End::Failed)?;
        report_before(&mut report, &mut failed, None);
        if !report.errors.is_empty() || report.truncated || dry_run {
            return Err(End::RolledBack(report.clone()));
        }
        let counts = serde_json::json!({
            "created": report.created,
            "updated": report.updated,
            "unchanged": report.unchanged,
        });
        audit::record(conn, actor, "import", "import", kind, None, Some(&counts))
            .map_err(End::Failed)?;
        Ok(report.clone())
    });
    match outcome {
        Ok(report) | Err(End::RolledBack(report)) => Ok(report),
        Err(End::Failed(e)) => Err(e),
    }
}
