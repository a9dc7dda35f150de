//! The use cases. Each public function is one transaction (through [`crate::db::write_tx`])
//! that applies the rules, writes the change and its audit event together, and knows nothing
//! of HTTP.

pub mod allocations;
pub mod audit;
pub mod evaluations;
pub mod exchange_rates;
pub mod follow_ups;
pub mod funding_rules;
pub mod member_states;
pub mod projects;
pub mod reports;
pub mod users;

use crate::auth::{Principal, Role};
use crate::error::ApiError;

/// Who performs a change, as the audit trail records it.
#[derive(Debug, Clone)]
pub struct Actor {
    pub subject: String,
    pub role: String,
    /// Member states a project officer is scoped to; `None` when unscoped.
    pub member_states: Option<Vec<String>>,
}

impl Actor {
    /// The actor for work done on the server itself (`devfund seed`, `devfund users add`).
    pub fn system(what: &str) -> Actor {
        Actor {
            subject: format!("system:{what}"),
            role: Role::Admin.as_str().to_owned(),
            member_states: None,
        }
    }
}

impl From<&Principal> for Actor {
    fn from(p: &Principal) -> Actor {
        Actor {
            subject: p.subject.clone(),
            role: p.role.as_str().to_owned(),
            member_states: p.member_states.clone(),
        }
    }
}

/// What a writer expects of the record's version: the `If-Match` precondition (RFC 9110
/// §13.1.1), compared strongly.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Precondition {
    /// No `If-Match`.
    Unstated,
    /// `If-Match: *`: any current version of the record.
    Any,
    /// One of these versions (`If-Match: "v3"` or `"v2", "v3"`).
    OneOf(Vec<i64>),
    /// Tags that can never match a version of ours (weak tags, foreign tags).
    Never,
}

/// 428 when a write that needs `If-Match` has none; then as [`check_version`].
pub fn require_version(expected: &Precondition, actual: i64) -> Result<(), ApiError> {
    if *expected == Precondition::Unstated {
        return Err(ApiError::new(
            crate::error::ErrorCode::PreconditionRequired,
            "send If-Match with the ETag of your last read, so that no one else's change is overwritten",
        ));
    }
    check_version(expected, actual)
}

/// 412 when a versioned write changed no row: another writer got there first.
pub fn written(rows: usize) -> Result<(), ApiError> {
    if rows == 1 {
        Ok(())
    } else {
        Err(ApiError::precondition_failed())
    }
}

/// 412 unless the caller's `If-Match` (when given) matches the stored version.
pub fn check_version(expected: &Precondition, actual: i64) -> Result<(), ApiError> {
    match expected {
        Precondition::Unstated | Precondition::Any => Ok(()),
        Precondition::OneOf(versions) if versions.contains(&actual) => Ok(()),
        Precondition::OneOf(_) | Precondition::Never => Err(ApiError::precondition_failed()),
    }
}
