//! The use cases. Each public function is one transaction (through [`crate::db::write_tx`])
//! that applies the rules, writes the change and its audit event together, and knows nothing
//! of HTTP. Input comes in as plain typed drafts (the HTTP API, the seed and the CLI build
//! them alike) and is checked here, once.
//!
//! The scope rule of project officers is [`projects::guard`]; a project write, or a write to
//! its follow-up funding, starts from its `load_for_write`.

pub mod allocations;
pub mod audit;
pub mod changes;
pub mod evaluations;
pub mod exchange_rates;
pub mod follow_ups;
pub mod funding_rules;
pub mod iati;
pub mod imports;
pub mod member_states;
pub mod projects;
pub mod publications;
pub mod reports;
pub mod results;
pub mod users;
pub mod webhooks;

use crate::auth::{Permission, Principal, Role};
use crate::error::ApiError;

/// Who performs a change, as the audit trail records it.
#[derive(Debug, Clone)]
pub struct Actor {
    pub subject: String,
    pub role: Role,
    /// Member states a project officer is scoped to; `None` when unscoped.
    pub member_states: Option<Vec<String>>,
}

impl Actor {
    /// The actor for work done on the server itself (`devfund seed`, `devfund users add`).
    pub fn system(what: &str) -> Actor {
        Actor {
            subject: format!("system:{what}"),
            role: Role::Admin,
            member_states: None,
        }
    }

    /// 403 unless the actor's role grants `permission`: for rules whose permission depends on
    /// the input (a historical initial status), which the route cannot state.
    pub fn require(&self, permission: Permission) -> Result<(), ApiError> {
        if self.role.has(permission) {
            Ok(())
        } else {
            Err(ApiError::forbidden(format!(
                "role {} lacks the permission {}",
                self.role.as_str(),
                permission.as_str()
            )))
        }
    }
}

impl From<&Principal> for Actor {
    fn from(p: &Principal) -> Actor {
        Actor {
            subject: p.subject.clone(),
            role: p.role,
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

/// One field of a typed merge patch: `Some` replaces the current value, `None` keeps it.
pub(crate) fn set<T>(current: &mut T, patch: Option<T>) {
    if let Some(value) = patch {
        *current = value;
    }
}
