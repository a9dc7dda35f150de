//! Webhook subscriptions (admin), their delivery log and manual retry. Deliveries are queued
//! by [`super::changes::record`] and sent by the [`worker`].

pub mod worker;

use serde::Serialize;

use super::{Actor, Precondition, audit, require_version};
use crate::db::{Conn, write_tx};
use crate::domain::webhook::{self, SECRET_RULE};
use crate::error::{ApiError, FieldError};
use crate::models::webhook::{Attempt, Delivery, NewWebhook, Webhook};

const RECORD: &str = "webhook";

/// A delivery with its attempts, oldest first.
pub type DeliveryLog = (Delivery, Vec<Attempt>);

/// A new subscription, as the API parsed it.
#[derive(Debug, Clone)]
pub struct WebhookInput {
    pub url: String,
    pub events: Vec<String>,
    /// `None`: generate one (returned once to the creator).
    pub secret: Option<String>,
    pub active: bool,
}

/// A change to a subscription: `None` keeps the field.
#[derive(Debug, Clone, Default)]
pub struct WebhookPatch {
    pub url: Option<String>,
    pub events: Option<Vec<String>>,
    pub secret: Option<String>,
    pub active: Option<bool>,
}

/// What the audit trail records of a subscription: never its secret.
#[derive(Debug, Serialize)]
struct Audited<'a> {
    url: &'a str,
    events: Vec<String>,
    active: bool,
    version: i64,
}

fn audited(w: &Webhook) -> Audited<'_> {
    Audited {
        url: &w.url,
        events: w.event_list(),
        active: w.active,
        version: w.version,
    }
}

/// Checks a URL, a list of events and a secret; every problem at once.
fn check(
    url: Option<&str>,
    events: Option<&[String]>,
    secret: Option<&str>,
) -> Result<(), ApiError> {
    let mut errors = Vec::new();
    if let Some(problem) = url.and_then(webhook::url_problem) {
        errors.push(FieldError::new("url", "invalid_url", problem));
    }
    if let Some(events) = events {
        let known = webhook::all_events();
        if events.is_empty() {
            errors.push(FieldError::new(
                "events",
                "required",
                "name at least one event",
            ));
        }
        for (i, e) in events.iter().enumerate() {
            if !known.contains(e) {
                errors.push(FieldError::new(
                    format!("events[{i}]"),
                    "unknown_event",
                    format!("{e:?} is not an event; see the WebhookEvent schema"),
                ));
            }
        }
    }
    if secret.is_some_and(|s| webhook::secret_key(s).is_none()) {
        errors.push(FieldError::new("secret", "invalid_secret", SECRET_RULE));
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ApiError::validation(errors))
    }
}

fn events_json(events: &[String]) -> String {
    let mut events = events.to_vec();
    events.sort();
    events.dedup();
    serde_json::to_string(&events).expect("a list of strings serializes")
}

/// Every subscription changed after `updated_since` (all when `None`).
pub fn list(
    conn: &mut Conn,
    updated_since: Option<chrono::NaiveDateTime>,
) -> Result<Vec<Webhook>, ApiError> {
    Ok(Webhook::all(conn, updated_since)?)
}

pub fn find(conn: &mut Conn, id: i64) -> Result<Webhook, ApiError> {
    Webhook::find(conn, id)?.ok_or_else(|| ApiError::not_found(format!("webhook {id}")))
}

/// Creates a subscription; the second value is the secret when one was generated (shown to
/// the creator once, never again).
pub fn create(
    conn: &mut Conn,
    actor: &Actor,
    input: WebhookInput,
) -> Result<(Webhook, Option<String>), ApiError> {
    check(
        Some(&input.url),
        Some(input.events.as_slice()),
        input.secret.as_deref(),
    )?;
    let generated = input.secret.is_none().then(webhook::new_secret);
    let secret = input
        .secret
        .clone()
        .or_else(|| generated.clone())
        .unwrap_or_default();
    write_tx(conn, |conn| {
        let now = crate::models::now();
        let id = NewWebhook {
            url: &input.url,
            events: events_json(&input.events),
            secret: &secret,
            active: input.active,
            created_at: now,
            updated_at: now,
            version: 1,
        }
        .insert(conn)?;
        let row = find(conn, id)?;
        audit::record(
            conn,
            actor,
            "create",
            RECORD,
            &id.to_string(),
            None,
            Some(&audited(&row)),
        )?;
        Ok((row, generated))
    })
}

pub fn update(
    conn: &mut Conn,
    actor: &Actor,
    id: i64,
    expected: &Precondition,
    patch: WebhookPatch,
) -> Result<Webhook, ApiError> {
    check(
        patch.url.as_deref(),
        patch.events.as_deref(),
        patch.secret.as_deref(),
    )?;
    write_tx(conn, |conn| {
        let before = find(conn, id)?;
        require_version(expected, before.version)?;
        let mut row = before.clone();
        if let Some(url) = patch.url {
            row.url = url;
        }
        if let Some(events) = patch.events {
            row.events = events_json(&events);
        }
        if let Some(secret) = patch.secret {
            row.secret = secret;
        }
        if let Some(active) = patch.active {
            row.active = active;
        }
        row.updated_at = crate::models::now();
        row.version += 1;
        row.save(conn)?;
        audit::record(
            conn,
            actor,
            "update",
            RECORD,
            &id.to_string(),
            Some(&audited(&before)),
            Some(&audited(&row)),
        )?;
        Ok(row)
    })
}

pub fn delete(
    conn: &mut Conn,
    actor: &Actor,
    id: i64,
    expected: &Precondition,
) -> Result<(), ApiError> {
    write_tx(conn, |conn| {
        let before = find(conn, id)?;
        require_version(expected, before.version)?;
        Webhook::delete(conn, id)?;
        audit::record::<Audited>(
            conn,
            actor,
            "delete",
            RECORD,
            &id.to_string(),
            Some(&audited(&before)),
            None,
        )?;
        Ok(())
    })
}

/// One page of a subscription's deliveries (newest first) with their attempts, and the total.
pub fn deliveries(
    conn: &mut Conn,
    id: i64,
    offset: i64,
    limit: i64,
) -> Result<(Vec<DeliveryLog>, i64), ApiError> {
    find(conn, id)?;
    let (rows, total) = Delivery::of_webhook(conn, id, offset, limit)?;
    let ids: Vec<i64> = rows.iter().map(|d| d.id).collect();
    let mut attempts = Attempt::of(conn, &ids)?;
    let out = rows
        .into_iter()
        .map(|d| {
            let (mine, rest): (Vec<Attempt>, Vec<Attempt>) =
                attempts.drain(..).partition(|a| a.delivery_id == d.id);
            attempts = rest;
            (d, mine)
        })
        .collect();
    Ok((out, total))
}

/// Makes a pending or failed delivery due now (409 once it was delivered).
pub fn retry(
    conn: &mut Conn,
    actor: &Actor,
    id: i64,
    delivery_id: i64,
) -> Result<(Delivery, Vec<Attempt>), ApiError> {
    let result = write_tx(conn, |conn| {
        let hook = find(conn, id)?;
        let delivery = Delivery::find(conn, id, delivery_id)?.ok_or_else(|| {
            ApiError::not_found(format!("delivery {delivery_id} of webhook {id}"))
        })?;
        if delivery.status == "delivered" {
            return Err(ApiError::conflict("the delivery was delivered already"));
        }
        Delivery::make_due(conn, delivery_id, crate::models::now())?;
        audit::record(
            conn,
            actor,
            "retry_delivery",
            RECORD,
            &id.to_string(),
            Some(&audited(&hook)),
            Some(&audited(&hook)),
        )?;
        crate::db::wake::note_outbox_write();
        let delivery = Delivery::find(conn, id, delivery_id)?
            .ok_or_else(|| ApiError::not_found(format!("delivery {delivery_id}")))?;
        let attempts = Attempt::of(conn, &[delivery_id])?;
        Ok((delivery, attempts))
    })?;
    Ok(result)
}
