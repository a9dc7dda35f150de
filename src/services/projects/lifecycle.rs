//! Moving a project along one edge of its lifecycle ([`Status::next`]); entering `approved`
//! applies the Fund's rules, and any that fail refuse the move.

use super::guard::load_for_write;
use super::rules::{evaluate_rules, rule_violation};
use super::{ProjectView, RECORD};
use crate::db::{Conn, write_tx};
use crate::domain::project::Status;
use crate::error::{ApiError, ErrorCode};
use crate::models::now;
use crate::models::project::Project;
use crate::services::{Actor, Precondition, audit, written};

/// 409 `invalid_transition` unless `to` is an edge of the lifecycle from `from`.
fn check_edge(from: Status, to: Status) -> Result<(), ApiError> {
    if from.can_move_to(to) {
        return Ok(());
    }
    let allowed: Vec<&str> = from.next().iter().map(|s| s.as_str()).collect();
    Err(ApiError::new(
        ErrorCode::InvalidTransition,
        format!(
            "a project cannot go from {from} to {to}; from {from} it may go to {}",
            if allowed.is_empty() {
                "nothing (it is final)".to_owned()
            } else {
                allowed.join(", ")
            }
        ),
    ))
}

/// Moves project `code` to `to`, recording `reason` in its history.
pub fn transition(
    conn: &mut Conn,
    actor: &Actor,
    code: &str,
    expected_version: &Precondition,
    to: Status,
    reason: &str,
) -> Result<ProjectView, ApiError> {
    write_tx(conn, |conn| {
        let mut view = load_for_write(conn, actor, code, Some(expected_version))?.into_view();
        let from = view.values.content.status;
        check_edge(from, to)?;
        if to == Status::Approved {
            let findings = evaluate_rules(
                conn,
                view.id,
                &view.values.content,
                &view.children.member_states,
            )?;
            if !findings.is_empty() {
                return Err(rule_violation(findings, &view.children.member_states));
            }
        }
        let v = &mut view.values;
        v.content.status = to;
        v.updated_at = now();
        written(Project::save(
            conn,
            view.id,
            v.version,
            &v.content,
            &v.rule_warnings,
            v.updated_at,
        )?)?;
        v.version += 1;
        let b = serde_json::json!({"status": from.as_str()});
        let a = serde_json::json!({"status": to.as_str(), "reason": reason});
        audit::record(conn, actor, "transition", RECORD, code, Some(&b), Some(&a))?;
        Ok(view)
    })
}
