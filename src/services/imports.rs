//! A bulk import as one use case: every row goes through the kind's ordinary write use case
//! (the same checks and Fund rules as one request at a time), all of them inside ONE
//! transaction, each row in a savepoint of its own. A row that fails, or that changes
//! nothing, rolls back its savepoint; a dry run, or any row error, rolls back the whole
//! transaction at the end. The import itself is one audit event naming its counts.
//!
//! A kind may first take rows it can write together ([`Batched`]: new projects, through
//! [`super::projects::bulk`]); the others then go one at a time, and the errors of both are
//! reported in row order.

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

/// The outcome of an import.
#[derive(Debug, Default, Clone, Serialize, utoipa::ToSchema)]
pub struct Report {
    pub dry_run: bool,
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
    /// Every row's errors (at most 1000; see `truncated`). Empty on success.
    pub errors: Vec<RowError>,
    /// More errors were found than `errors` lists.
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

/// Runs an import of `rows` (row number, item or the error that stopped its parsing) of
/// `kind`: `batch` writes the items it can write together and hands back the rest, which
/// `apply` then writes one at a time through the kind's use case.
pub fn run<I>(
    conn: &mut Conn,
    actor: &Actor,
    kind: &str,
    dry_run: bool,
    rows: Vec<(usize, Result<I, ApiError>)>,
    batch: impl FnOnce(&mut Conn, Vec<(usize, I)>) -> Result<(Batched, Vec<(usize, I)>), ApiError>,
    mut apply: impl FnMut(&mut Conn, I) -> Result<Applied, ApiError>,
) -> Result<Report, ApiError> {
    let mut report = Report {
        dry_run,
        ..Report::default()
    };
    let outcome = write_tx(conn, |conn| {
        let (mut failed, mut items) = (Vec::new(), Vec::new());
        for (row, item) in rows {
            match item {
                Ok(item) => items.push((row, item)),
                Err(e) => failed.push((row, e)),
            }
        }
        let (batched, rest) = batch(conn, items).map_err(End::Failed)?;
        report.created += batched.created;
        failed.extend(batched.failed);
        failed.sort_by_key(|(row, _)| *row);
        let mut failed = failed.into_iter().peekable();
        for (row, item) in rest {
            while let Some((earlier, e)) = failed.next_if(|(r, _)| *r < row) {
                report.fail(earlier, &e);
            }
            if report.full() {
                // The answer cannot list more; the rest is not worth writing.
                continue;
            }
            let done = write_tx(conn, |conn| match apply(conn, item) {
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
        for (row, e) in failed {
            report.fail(row, &e);
        }
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
