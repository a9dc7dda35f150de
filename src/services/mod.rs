//! The use cases. Each public function is one transaction (through [`crate::db::write_tx`])
//! that applies the rules, writes the change and its audit event together, and knows nothing
//! of HTTP.

pub mod allocations;
pub mod audit;
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

/// 428 when a write that needs `If-Match` has none; then as [`check_version`].
pub fn require_version(expected: Option<i64>, actual: i64) -> Result<(), ApiError> {
    let Some(expected) = expected else {
        return Err(ApiError::new(
            crate::error::ErrorCode::PreconditionRequired,
            "send If-Match with the ETag of your last read, so that no one else's change is overwritten",
        ));
    };
    check_version(Some(expected), actual)
}

/// 412 when a versioned write changed no row: another writer got there first.
pub fn written(rows: usize) -> Result<(), ApiError> {
    if rows == 1 {
        Ok(())
    } else {
        Err(ApiError::precondition_failed())
    }
}

/// 412 unless the caller's `If-Match` version (when given) is the stored one.
pub fn check_version(expected: Option<i64>, actual: i64) -> Result<(), ApiError> {
    match expected {
        Some(v) if v != actual => Err(ApiError::precondition_failed()),
        _ => Ok(()),
    }
}
