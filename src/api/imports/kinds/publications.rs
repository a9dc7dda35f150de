//! Publications, keyed by their `id` alone (see the parent module).

use serde_json::{Map, Value};

use super::super::Kind;
use super::{Session, compared, require, take_id};
use crate::api::extract::parse_value;
use crate::api::publications::fields::{PublicationFields, response};
use crate::auth::Permission;
use crate::db::Conn;
use crate::error::ApiError;
use crate::models::publication::Publication;
use crate::services::imports::Applied;
use crate::services::{Actor, Precondition, publications};

/// A publication: every field of the create body (a stored one is replaced whole, as the
/// merge of a PATCH that names every field would).
pub(super) fn publication(
    session: &mut Session,
    conn: &mut Conn,
    actor: &Actor,
    mut item: Map<String, Value>,
) -> Result<Applied, ApiError> {
    require(
        actor,
        Permission::PublicationsWrite,
        "writing a publication",
    )?;
    let id = take_id(&mut item)?;
    let fields: PublicationFields = parse_value(Value::Object(item))?;
    let input = fields.into_draft().check()?;
    let existing = session.stored(Kind::Publications, id, |id| {
        Ok(Publication::find(conn, id)?.is_some())
    })?;
    match existing {
        None => {
            let view = publications::create(conn, actor, input)?;
            session.created(Kind::Publications, view.id);
            Ok(Applied {
                before: None,
                after: compared(response(&view))?,
            })
        }
        Some(id) => {
            let before = publications::find(conn, id)?;
            let after = publications::update(conn, actor, id, &Precondition::Any, input)?;
            Ok(Applied {
                before: Some(compared(response(&before))?),
                after: compared(response(&after))?,
            })
        }
    }
}
