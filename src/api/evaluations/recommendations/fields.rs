//! The request and response types of recommendations: what an evaluator writes, management's
//! response, the merge-patch body, the answer, and the status history; converted to the
//! service's drafts and from its views.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::api::schemas::{AddresseeName, ProjectCodeSchema};
use crate::api::utc;
use crate::domain::evaluation::{
    Decision, EvaluationKind, Priority, RecommendationCategory, RecommendationStatus,
};
use crate::models::recommendation::StatusChange;
use crate::services::evaluations::input::RecommendationDraft;
use crate::services::evaluations::recommendations::RecommendationView;

/// Management's response to a recommendation.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ManagementResponse {
    pub decision: Decision,
    #[serde(default)]
    #[schema(required = true)]
    pub text: Option<String>,
    /// Default: the day it is recorded.
    #[serde(default)]
    #[schema(required = true)]
    pub responded_on: Option<chrono::NaiveDate>,
    /// Default: who records it.
    #[serde(default)]
    #[schema(required = true)]
    pub responded_by: Option<String>,
}

/// What an evaluator writes of a recommendation.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RecommendationFields {
    /// The evaluation it belongs to; when given it must be the one in the path.
    #[serde(default)]
    #[schema(minimum = 1)]
    pub evaluation_id: Option<i64>,
    /// As printed, e.g. `R1` or `3.b`.
    #[schema(min_length = 1, max_length = 20, pattern = r"[^ \t\n\r]")]
    pub label: String,
    /// Order in the evaluation (default: after the last).
    #[serde(default)]
    #[schema(minimum = 1, maximum = 10000)]
    pub position: Option<i32>,
    #[schema(min_length = 1, pattern = r"[^ \t\n\r]")]
    pub text: String,
    pub category: RecommendationCategory,
    /// Whom it is addressed to, e.g. `["IOM Mongolia", "SDC"]`.
    #[serde(default)]
    #[schema(value_type = Vec<AddresseeName>)]
    pub addressees: Vec<String>,
    #[serde(default)]
    pub priority: Option<Priority>,
    #[serde(default)]
    pub due_date: Option<chrono::NaiveDate>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RecommendationResponse {
    pub id: i64,
    pub evaluation_id: i64,
    #[schema(value_type = ProjectCodeSchema)]
    pub project_code: String,
    pub evaluation_kind: EvaluationKind,
    pub label: String,
    pub position: i32,
    pub text: String,
    pub category: RecommendationCategory,
    pub addressees: Vec<String>,
    #[schema(required = true)]
    pub priority: Option<Priority>,
    #[schema(required = true)]
    pub due_date: Option<chrono::NaiveDate>,
    #[schema(required = true)]
    pub management_response: Option<ManagementResponse>,
    pub status: RecommendationStatus,
    #[schema(required = true)]
    pub status_note: Option<String>,
    /// The day it was made: the evaluation's completion when known, else the day recorded.
    pub issued_on: chrono::NaiveDate,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

/// A recommendation as every read and write answers it.
pub fn response(r: &RecommendationView) -> RecommendationResponse {
    let v = &r.values;
    RecommendationResponse {
        id: r.id,
        evaluation_id: v.evaluation_id,
        project_code: r.project_code.clone(),
        evaluation_kind: r.evaluation_kind,
        label: v.label.clone(),
        position: v.position,
        text: v.text.clone(),
        category: v.category,
        addressees: r.addressees.clone(),
        priority: v.priority,
        due_date: v.due_date,
        management_response: v.response_decision.map(|decision| ManagementResponse {
            decision,
            text: v.response_text.clone(),
            responded_on: v.responded_on,
            responded_by: v.responded_by.clone(),
        }),
        status: v.status,
        status_note: v.status_note.clone(),
        issued_on: v.issued_on,
        created_at: utc(v.created_at),
        updated_at: utc(v.updated_at),
    }
}

/// What an evaluator wrote, as the service's draft.
pub fn draft(f: RecommendationFields) -> RecommendationDraft {
    RecommendationDraft {
        label: f.label,
        position: f.position,
        text: f.text,
        category: f.category,
        addressees: f.addressees,
        priority: f.priority,
        due_date: f.due_date,
    }
}

/// The body of `PATCH /recommendations/{id}`: any subset of its fields (a JSON merge patch).
/// What it says (`label`, `position`, `text`, `category`, `addressees`, `priority`,
/// `due_date`) needs `evaluations:write`; `management_response`, `status` and `status_note`
/// need `recommendations:respond`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateRecommendationRequest {
    #[serde(default, deserialize_with = "crate::api::patch::present")]
    #[schema(
        nullable = false,
        min_length = 1,
        max_length = 20,
        pattern = r"[^ \t\n\r]"
    )]
    pub label: Option<String>,
    #[serde(default, deserialize_with = "crate::api::patch::present")]
    #[schema(nullable = false, minimum = 1, maximum = 10000)]
    pub position: Option<i32>,
    #[serde(default, deserialize_with = "crate::api::patch::present")]
    #[schema(nullable = false, min_length = 1, pattern = r"[^ \t\n\r]")]
    pub text: Option<String>,
    #[serde(default, deserialize_with = "crate::api::patch::present")]
    #[schema(nullable = false)]
    pub category: Option<RecommendationCategory>,
    #[serde(default, deserialize_with = "crate::api::extract::double_option")]
    #[schema(value_type = Option<Vec<AddresseeName>>)]
    pub addressees: Option<Option<Vec<String>>>,
    #[serde(default, deserialize_with = "crate::api::extract::double_option")]
    #[schema(value_type = Option<Priority>)]
    pub priority: Option<Option<Priority>>,
    #[serde(default, deserialize_with = "crate::api::extract::double_option")]
    #[schema(value_type = Option<chrono::NaiveDate>)]
    pub due_date: Option<Option<chrono::NaiveDate>>,
    #[serde(default, deserialize_with = "crate::api::extract::double_option")]
    #[schema(value_type = Option<ManagementResponse>)]
    pub management_response: Option<Option<ManagementResponse>>,
    #[serde(default, deserialize_with = "crate::api::patch::present")]
    #[schema(nullable = false)]
    pub status: Option<RecommendationStatus>,
    #[serde(default, deserialize_with = "crate::api::extract::double_option")]
    #[schema(value_type = Option<String>)]
    pub status_note: Option<Option<String>>,
}

/// The fields an evaluator writes.
pub const CONTENT: &[&str] = &[
    "label",
    "position",
    "text",
    "category",
    "addressees",
    "priority",
    "due_date",
];

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct StatusChangeResponse {
    pub id: i64,
    #[schema(required = true)]
    pub from_status: Option<RecommendationStatus>,
    pub to_status: RecommendationStatus,
    #[schema(required = true)]
    pub note: Option<String>,
    pub changed_at: chrono::DateTime<chrono::Utc>,
    pub changed_by: String,
    pub changed_by_role: String,
}

/// A recommendation's status changes.
#[derive(Debug, Serialize, ToSchema)]
pub struct StatusHistory {
    pub items: Vec<StatusChangeResponse>,
}

/// One status change as answered.
pub fn change(c: StatusChange) -> StatusChangeResponse {
    StatusChangeResponse {
        id: c.id,
        from_status: c.from_status,
        to_status: c.to_status,
        note: c.note,
        changed_at: utc(c.changed_at),
        changed_by: c.changed_by,
        changed_by_role: c.changed_by_role,
    }
}
