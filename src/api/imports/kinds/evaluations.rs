//! Evaluations and their recommendations, each keyed by its `id` alone (see the parent
//! module). A recommendation names its stored evaluation (`evaluation_id`); besides what an
//! evaluator writes, its item may carry management's response and the status, which are
//! written as `PATCH /recommendations/{id}` writes them (and need its permissions).

use serde::Deserialize;
use serde_json::{Map, Value};

use super::super::Kind;
use super::{Session, compared, require, take, take_id};
use crate::api::evaluations::fields::{EvaluationFields, response as evaluation_response};
use crate::api::evaluations::recommendations::fields::{
    ManagementResponse, RecommendationFields, draft, response as recommendation_response,
};
use crate::api::extract::parse_value;
use crate::auth::Permission;
use crate::db::Conn;
use crate::domain::evaluation::RecommendationStatus;
use crate::error::{ApiError, FieldError};
use crate::models::evaluation::Evaluation;
use crate::models::recommendation::Recommendation;
use crate::services::evaluations::input::{RecommendationInput, ResponseDraft};
use crate::services::evaluations::recommendations::{
    self as recommendations, RecommendationPatch, RecommendationView,
};
use crate::services::imports::Applied;
use crate::services::{Actor, Precondition, evaluations};

/// Fields an evaluation list answers but no request writes.
const EVALUATION_READ_ONLY: &[&str] = &["project_code", "question_count", "recommendation_count"];

/// Fields a recommendation list answers but no request writes.
const RECOMMENDATION_READ_ONLY: &[&str] = &["project_code", "evaluation_kind", "issued_on"];

/// An evaluation: every field of the create body (a stored one is replaced whole, as the
/// merge of a PATCH that names every field would).
pub(super) fn evaluation(
    session: &mut Session,
    conn: &mut Conn,
    actor: &Actor,
    mut item: Map<String, Value>,
) -> Result<Applied, ApiError> {
    require(actor, Permission::EvaluationsWrite, "writing an evaluation")?;
    for key in EVALUATION_READ_ONLY {
        item.remove(*key);
    }
    let id = take_id(&mut item)?;
    let fields: EvaluationFields = parse_value(Value::Object(item))?;
    let input = fields.into_draft().check()?;
    let existing = session.stored(Kind::Evaluations, id, |id| {
        Ok(Evaluation::find(conn, id)?.is_some())
    })?;
    match existing {
        None => {
            let view = evaluations::create(conn, actor, input)?;
            session.created(Kind::Evaluations, view.id);
            Ok(Applied {
                before: None,
                after: compared(evaluation_response(&view))?,
            })
        }
        Some(id) => {
            let before = evaluations::find(conn, id)?;
            let after = evaluations::update(conn, actor, id, &Precondition::Any, input)?;
            Ok(Applied {
                before: Some(compared(evaluation_response(&before))?),
                after: compared(evaluation_response(&after))?,
            })
        }
    }
}

/// What management writes of a recommendation: each part left out of an item is left as it
/// is; `null` clears a response or a note.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Managed {
    #[serde(default, deserialize_with = "crate::api::extract::double_option")]
    management_response: Option<Option<ManagementResponse>>,
    #[serde(default)]
    status: Option<RecommendationStatus>,
    #[serde(default, deserialize_with = "crate::api::extract::double_option")]
    status_note: Option<Option<String>>,
}

impl Managed {
    /// Takes management's fields out of an item.
    fn take(item: &mut Map<String, Value>) -> Result<Managed, ApiError> {
        let mut part = Map::new();
        for key in ["management_response", "status", "status_note"] {
            if let Some(v) = item.remove(key) {
                part.insert(key.to_owned(), v);
            }
        }
        parse_value(Value::Object(part))
    }

    /// The parts of a patch that change `v`: none when it already says the same.
    fn patch(self, v: &RecommendationView) -> Result<RecommendationPatch, ApiError> {
        let mut patch = RecommendationPatch::default();
        let stored = &v.values;
        if let Some(given) = self.management_response {
            let given = given
                .map(|m| {
                    ResponseDraft {
                        decision: m.decision,
                        text: m.text,
                        responded_on: m.responded_on,
                        responded_by: m.responded_by,
                    }
                    .check("management_response")
                })
                .transpose()?;
            // A day or author left out takes its default only when the response changes.
            let same = match (&given, stored.response_decision) {
                (None, None) => true,
                (Some(g), Some(decision)) => {
                    g.decision == decision
                        && g.text == stored.response_text
                        && g.responded_on
                            .is_none_or(|d| Some(d) == stored.responded_on)
                        && g.responded_by
                            .as_ref()
                            .is_none_or(|b| Some(b) == stored.responded_by.as_ref())
                }
                _ => false,
            };
            if !same {
                patch.response = Some(given);
            }
        }
        if let Some(status) = self.status.filter(|s| *s != stored.status) {
            patch.status = Some(status);
        }
        if let Some(note) = self.status_note {
            // As the PATCH route reads it: blank is no note.
            let note = note
                .as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned);
            if note != stored.status_note {
                patch.status_note = Some(note);
            }
        }
        Ok(patch)
    }
}

/// Whether `c` says what `v` already says (a position left out keeps the stored one).
fn same_content(c: &RecommendationInput, v: &RecommendationView) -> bool {
    let s = &v.values;
    c.label == s.label
        && c.position.is_none_or(|p| p == s.position)
        && c.text == s.text
        && c.category == s.category
        && c.addressees == v.addressees
        && c.priority == s.priority
        && c.due_date == s.due_date
}

fn is_empty(p: &RecommendationPatch) -> bool {
    p.content.is_none() && p.response.is_none() && p.status.is_none() && p.status_note.is_none()
}

/// Writes the parts of `patch` (none: the record as it is).
fn write(
    conn: &mut Conn,
    actor: &Actor,
    view: RecommendationView,
    patch: RecommendationPatch,
) -> Result<RecommendationView, ApiError> {
    if is_empty(&patch) {
        return Ok(view);
    }
    recommendations::update(conn, actor, view.id, &Precondition::Any, patch)
}

/// A recommendation of its stored `evaluation_id`: what it says is every field of the create
/// body; management's response, `status` and `status_note` are written when the item has
/// them and they differ (with `recommendations:respond`).
pub(super) fn recommendation(
    session: &mut Session,
    conn: &mut Conn,
    actor: &Actor,
    mut item: Map<String, Value>,
) -> Result<Applied, ApiError> {
    for key in RECOMMENDATION_READ_ONLY {
        item.remove(*key);
    }
    let id = take_id(&mut item)?;
    let evaluation_id: i64 = take(&mut item, "evaluation_id")?;
    let managed = Managed::take(&mut item)?;
    let fields: RecommendationFields = parse_value(Value::Object(item))?;
    let input = draft(fields).check()?;
    if Evaluation::find(conn, evaluation_id)?.is_none() {
        return Err(ApiError::validation(vec![FieldError::new(
            "evaluation_id",
            "unknown_evaluation",
            format!("there is no evaluation {evaluation_id}"),
        )]));
    }
    let existing = session.stored(Kind::Recommendations, id, |id| {
        Ok(Recommendation::find(conn, id)?.is_some())
    })?;
    match existing {
        None => {
            require(
                actor,
                Permission::EvaluationsWrite,
                "recording a recommendation",
            )?;
            let created = recommendations::create(conn, actor, evaluation_id, input)?;
            session.created(Kind::Recommendations, created.id);
            let patch = managed.patch(&created)?;
            let after = write(conn, actor, created, patch)?;
            Ok(Applied {
                before: None,
                after: compared(recommendation_response(&after))?,
            })
        }
        Some(id) => {
            require(
                actor,
                Permission::RecommendationsUpdate,
                "changing a recommendation",
            )?;
            let before = recommendations::find(conn, id)?;
            if before.values.evaluation_id != evaluation_id {
                return Err(ApiError::validation(vec![FieldError::new(
                    "evaluation_id",
                    "wrong_evaluation",
                    format!(
                        "recommendation {id} belongs to evaluation {}, not {evaluation_id}",
                        before.values.evaluation_id
                    ),
                )]));
            }
            let mut patch = managed.patch(&before)?;
            if !same_content(&input, &before) {
                patch.content = Some(input);
            }
            let state = compared(recommendation_response(&before))?;
            let after = write(conn, actor, before, patch)?;
            Ok(Applied {
                before: Some(state),
                after: compared(recommendation_response(&after))?,
            })
        }
    }
}
