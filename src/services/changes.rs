//! The change feed and the webhook outbox, fed from [`super::audit::record`]: every use case
//! records its audit event inside its transaction, and that one call also appends the change
//! to the feed and queues the webhook deliveries it raises. Both are written in the same
//! transaction as the change, so a rolled-back change leaves no trace and a committed one is
//! never lost. [`record_many`] does the same for a batch ([`super::audit::record_many`]).

use serde_json::{Map, Value};

use crate::db::{self, Conn};
use crate::domain::webhook::{self, ChangeAction};
use crate::error::ApiError;
use crate::models::change::{Change, NewChange};
use crate::models::webhook::{NewDelivery, Webhook};

/// Fields never sent to a webhook receiver.
const HIDDEN: &[&str] = &["password_hash"];

/// Audit events about an operation rather than a record (a bulk import names its counts):
/// the records it changed have changes of their own, and there is nothing to fetch by key.
const NOT_RECORDS: &[&str] = &["import"];

/// One record's change, for [`record_many`]: the whole record before and after (either may
/// be empty: a creation or a deletion).
pub struct RecordChange {
    pub record_key: String,
    pub before: Map<String, Value>,
    pub after: Map<String, Value>,
}

fn etag(action: ChangeAction, after: &Map<String, Value>) -> Option<String> {
    match action {
        ChangeAction::Deleted => None,
        _ => after
            .get("version")
            .and_then(Value::as_i64)
            .map(webhook::etag_of),
    }
}

/// The deliveries change `change_id` raises with `hooks`: (webhook id, event, payload).
fn deliveries(
    hooks: &[Webhook],
    change_id: i64,
    (action, record_type, record_key): (ChangeAction, &str, &str),
    (before, after): (&Map<String, Value>, &Map<String, Value>),
    occurred_at: chrono::NaiveDateTime,
) -> Vec<(i64, String, String)> {
    let new_status = match (before.get("status"), after.get("status")) {
        (b, Some(Value::String(a))) if b != Some(&Value::String(a.clone())) => Some(a.as_str()),
        _ => None,
    };
    let events = webhook::events_of(record_type, action, new_status);
    let mut data = if action == ChangeAction::Deleted {
        before.clone()
    } else {
        after.clone()
    };
    for key in HIDDEN {
        data.remove(*key);
    }
    let occurred =
        chrono::DateTime::<chrono::Utc>::from_naive_utc_and_offset(occurred_at, chrono::Utc);
    let mut out = Vec::new();
    for event in &events {
        let subscribed: Vec<&Webhook> = hooks
            .iter()
            .filter(|h| h.event_list().iter().any(|e| e == event))
            .collect();
        if subscribed.is_empty() {
            continue;
        }
        let payload = serde_json::json!({
            "id": webhook::message_id(change_id, event),
            "event": event,
            "occurred_at": occurred,
            "record_type": record_type,
            "record_key": record_key,
            "data": Value::Object(data.clone()),
        })
        .to_string();
        for hook in subscribed {
            out.push((hook.id, event.clone(), payload.clone()));
        }
    }
    out
}

/// Appends the change an audited `action` amounts to, and queues its webhook deliveries.
/// `before` and `after` are the whole record (either may be empty: a creation or a deletion).
pub fn record(
    conn: &mut Conn,
    audit_action: &str,
    record_type: &str,
    record_key: &str,
    before: &Map<String, Value>,
    after: &Map<String, Value>,
) -> Result<(), ApiError> {
    if NOT_RECORDS.contains(&record_type) {
        return Ok(());
    }
    let action = ChangeAction::of_audit(audit_action);
    let occurred_at = crate::models::now();
    db::lock_change_feed(conn)?;
    let change_id = NewChange {
        occurred_at,
        record_type,
        record_key,
        action: action.as_str(),
        etag: etag(action, after),
    }
    .insert(conn)?;

    let hooks = Webhook::active(conn)?;
    if hooks.is_empty() {
        return Ok(());
    }
    let queued = deliveries(
        &hooks,
        change_id,
        (action, record_type, record_key),
        (before, after),
        occurred_at,
    );
    for (webhook_id, event, payload) in &queued {
        NewDelivery {
            webhook_id: *webhook_id,
            event,
            payload,
            change_id,
            status: "pending",
            attempts: 0,
            next_attempt_at: occurred_at,
            created_at: occurred_at,
        }
        .insert(conn)?;
    }
    if !queued.is_empty() {
        db::wake::note_outbox_write();
    }
    Ok(())
}

/// [`record`] for many records of one type and action: the changes in one multi-row insert
/// (in the order given, so in that order in the feed) and their deliveries in another.
pub fn record_many(
    conn: &mut Conn,
    audit_action: &str,
    record_type: &str,
    changes: &[RecordChange],
) -> Result<(), ApiError> {
    if NOT_RECORDS.contains(&record_type) || changes.is_empty() {
        return Ok(());
    }
    let action = ChangeAction::of_audit(audit_action);
    let occurred_at = crate::models::now();
    db::lock_change_feed(conn)?;
    let rows: Vec<NewChange<'_>> = changes
        .iter()
        .map(|c| NewChange {
            occurred_at,
            record_type,
            record_key: &c.record_key,
            action: action.as_str(),
            etag: etag(action, &c.after),
        })
        .collect();
    let ids = NewChange::insert_many(conn, &rows)?;

    let hooks = Webhook::active(conn)?;
    if hooks.is_empty() {
        return Ok(());
    }
    let mut queued = Vec::new();
    for (c, change_id) in changes.iter().zip(ids) {
        let raised = deliveries(
            &hooks,
            change_id,
            (action, record_type, &c.record_key),
            (&c.before, &c.after),
            occurred_at,
        );
        queued.extend(raised.into_iter().map(|d| (change_id, d)));
    }
    let rows: Vec<NewDelivery<'_>> = queued
        .iter()
        .map(|(change_id, (webhook_id, event, payload))| NewDelivery {
            webhook_id: *webhook_id,
            event,
            payload,
            change_id: *change_id,
            status: "pending",
            attempts: 0,
            next_attempt_at: occurred_at,
            created_at: occurred_at,
        })
        .collect();
    NewDelivery::insert_many(conn, &rows)?;
    if !rows.is_empty() {
        db::wake::note_outbox_write();
    }
    Ok(())
}

/// Up to `limit` changes after change `after`, in commit order.
pub fn after(conn: &mut Conn, after: i64, limit: i64) -> Result<Vec<Change>, ApiError> {
    Ok(Change::after(conn, after, limit)?)
}
