//! One import row of each kind, written through the kind's ordinary use case: the item is
//! the body the create (or PUT) request takes, read by the same request type; an existing
//! record (by natural key) is updated through the update use case instead. Each answers the
//! comparable state of the record before and after, so an upsert that changes nothing
//! counts as unchanged (and its savepoint is rolled back).
//!
//! - [`reference`]: member states, eligibility, exchange rates;
//! - [`portfolio`]: projects, follow-up funding;
//! - [`evaluations`]: evaluations and their recommendations;
//! - [`publications`]: publications, which may update an earlier edition.
//!
//! Follow-up funding, evaluations, recommendations and publications have no natural key,
//! only their id: an item with the `id` of a stored record updates it, an item without one
//! (or with an id not stored) is created with a new id.

mod evaluations;
mod portfolio;
mod publications;
mod reference;

use std::collections::HashSet;

use serde::Serialize;
use serde_json::{Map, Value};

use super::Kind;
use crate::api::extract::parse_value;
use crate::auth::Permission;
use crate::db::Conn;
use crate::error::{ApiError, FieldError};
use crate::models::reference::Catalogue;
use crate::services::Actor;
use crate::services::imports::{Applied, Batched, RowWriter};

/// Fields a list answers but no request writes: accepted in an item and ignored, so that an
/// exported list re-imports.
const READ_ONLY: &[&str] = &[
    "created_at",
    "updated_at",
    "version",
    "region_label",
    "eligibility",
    "links",
    "follow_up_total_usd",
    "leverage",
    "unconverted_follow_up",
    "warnings",
    "amount_usd",
    "usd_rate",
    "usd_conversion",
];

/// What the rows of one import share.
#[derive(Default)]
pub struct Session {
    /// The records of the kinds keyed by id alone that this import created: a later row's
    /// `id` never means one of them (it names a record of the file's source).
    created: HashSet<(Kind, i64)>,
}

impl Session {
    /// The id of a record of `kind` stored before this import that `id` names, if any: an id
    /// this import created does not count (`exists` asks the database).
    fn stored(
        &self,
        kind: Kind,
        id: Option<i64>,
        exists: impl FnOnce(i64) -> Result<bool, ApiError>,
    ) -> Result<Option<i64>, ApiError> {
        match id {
            Some(id) if !self.created.contains(&(kind, id)) => Ok(exists(id)?.then_some(id)),
            _ => Ok(None),
        }
    }

    fn created(&mut self, kind: Kind, id: i64) {
        self.created.insert((kind, id));
    }
}

/// How the rows of one import are written (see [`RowWriter`]): new projects in runs, at
/// once; every other row through its kind's use case.
pub struct Writer<'a> {
    pub kind: Kind,
    pub session: Session,
    pub actor: &'a Actor,
    pub catalogue: &'a Catalogue,
}

impl RowWriter<Value> for Writer<'_> {
    fn together(
        &mut self,
        conn: &mut Conn,
        items: &[(usize, Value)],
    ) -> Result<Vec<bool>, ApiError> {
        match self.kind {
            Kind::Projects => portfolio::new_codes(conn, items),
            _ => Ok(vec![false; items.len()]),
        }
    }

    fn write_together(
        &mut self,
        conn: &mut Conn,
        items: Vec<(usize, Value)>,
    ) -> Result<Batched, ApiError> {
        match self.kind {
            Kind::Projects => portfolio::create_projects(conn, self.actor, self.catalogue, items),
            other => Err(ApiError::internal(anyhow::anyhow!(
                "{} rows are not written together",
                other.as_str()
            ))),
        }
    }

    fn apply(&mut self, conn: &mut Conn, item: Value) -> Result<Applied, ApiError> {
        apply(
            self.kind,
            &mut self.session,
            conn,
            self.actor,
            self.catalogue,
            item,
        )
    }
}

/// Writes one item of `kind`.
pub fn apply(
    kind: Kind,
    session: &mut Session,
    conn: &mut Conn,
    actor: &Actor,
    catalogue: &Catalogue,
    item: Value,
) -> Result<Applied, ApiError> {
    let Value::Object(mut item) = item else {
        return Err(ApiError::validation(vec![FieldError::new(
            "",
            "invalid_type",
            "an item is a JSON object",
        )]));
    };
    for key in READ_ONLY {
        item.remove(*key);
    }
    match kind {
        Kind::MemberStates => reference::member_state(conn, actor, catalogue, item),
        Kind::Eligibility => reference::eligibility(conn, actor, item),
        Kind::ExchangeRates => reference::exchange_rate(conn, actor, item),
        Kind::Projects => portfolio::project(conn, actor, catalogue, item),
        Kind::FollowUpFunding => portfolio::follow_up(session, conn, actor, item),
        Kind::Evaluations => evaluations::evaluation(session, conn, actor, item),
        Kind::Recommendations => evaluations::recommendation(session, conn, actor, item),
        Kind::Publications => publications::publication(session, conn, actor, item),
    }
}

/// Takes a key field out of an item (the path of the single-record route carries it).
fn take<T: serde::de::DeserializeOwned>(
    item: &mut Map<String, Value>,
    field: &str,
) -> Result<T, ApiError> {
    let value = item.remove(field).ok_or_else(|| {
        ApiError::validation(vec![FieldError::new(
            field,
            "required",
            format!("missing field `{field}`"),
        )])
    })?;
    parse_value(value).map_err(|_| {
        ApiError::validation(vec![FieldError::new(
            field,
            "invalid_type",
            format!("{field} has the wrong type"),
        )])
    })
}

/// Takes the `id` out of an item of a kind keyed by id alone: `None` when it has none.
fn take_id(item: &mut Map<String, Value>) -> Result<Option<i64>, ApiError> {
    match item.remove("id") {
        None | Some(Value::Null) => Ok(None),
        Some(v) => parse_value(v).map(Some).map_err(|_| {
            ApiError::validation(vec![FieldError::new(
                "id",
                "invalid_type",
                "id is an integer",
            )])
        }),
    }
}

/// Refuses a row whose writer lacks the permission the kind's own route needs (the import's
/// `projects:approve` does not imply it).
fn require(actor: &Actor, permission: Permission, what: &str) -> Result<(), ApiError> {
    if actor.role.has(permission) {
        Ok(())
    } else {
        Err(ApiError::forbidden(format!(
            "{what} needs the permission {}",
            permission.as_str()
        )))
    }
}

/// A record as compared: its response without its times.
fn compared(response: impl Serialize) -> Result<Value, ApiError> {
    let mut v = serde_json::to_value(response).map_err(ApiError::internal)?;
    if let Some(o) = v.as_object_mut() {
        o.remove("created_at");
        o.remove("updated_at");
    }
    Ok(v)
}
