//! Recommendations as CSV (and XLSX) rows: management's response in columns of its own, and
//! the columns of the status history.

use serde::Serialize;

use super::fields::{RecommendationResponse, StatusChangeResponse};
use crate::api::csv::Columns;
use crate::domain::evaluation::{
    Decision, EvaluationKind, Priority, RecommendationCategory, RecommendationStatus,
};

/// A recommendation as a CSV row: management's response in columns of its own.
#[derive(Debug, Clone, Serialize)]
pub struct RecommendationRow {
    pub id: i64,
    pub evaluation_id: i64,
    pub project_code: String,
    pub evaluation_kind: EvaluationKind,
    pub label: String,
    pub position: i32,
    pub text: String,
    pub category: RecommendationCategory,
    pub addressees: Vec<String>,
    pub priority: Option<Priority>,
    pub due_date: Option<chrono::NaiveDate>,
    pub response_decision: Option<Decision>,
    pub response_text: Option<String>,
    pub responded_on: Option<chrono::NaiveDate>,
    pub responded_by: Option<String>,
    pub status: RecommendationStatus,
    pub status_note: Option<String>,
    pub issued_on: chrono::NaiveDate,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

impl Columns for RecommendationRow {
    const COLUMNS: &'static [&'static str] = &[
        "id",
        "evaluation_id",
        "project_code",
        "evaluation_kind",
        "label",
        "position",
        "text",
        "category",
        "addressees",
        "priority",
        "due_date",
        "response_decision",
        "response_text",
        "responded_on",
        "responded_by",
        "status",
        "status_note",
        "issued_on",
        "created_at",
        "updated_at",
    ];
}

/// A recommendation's CSV row.
pub fn row(r: RecommendationResponse) -> RecommendationRow {
    let m = r.management_response;
    RecommendationRow {
        id: r.id,
        evaluation_id: r.evaluation_id,
        project_code: r.project_code,
        evaluation_kind: r.evaluation_kind,
        label: r.label,
        position: r.position,
        text: r.text,
        category: r.category,
        addressees: r.addressees,
        priority: r.priority,
        due_date: r.due_date,
        response_decision: m.as_ref().map(|m| m.decision),
        response_text: m.as_ref().and_then(|m| m.text.clone()),
        responded_on: m.as_ref().and_then(|m| m.responded_on),
        responded_by: m.and_then(|m| m.responded_by),
        status: r.status,
        status_note: r.status_note,
        issued_on: r.issued_on,
        created_at: r.created_at,
        updated_at: r.updated_at,
    }
}

impl Columns for StatusChangeResponse {
    const COLUMNS: &'static [&'static str] = &[
        "id",
        "from_status",
        "to_status",
        "note",
        "changed_at",
        "changed_by",
        "changed_by_role",
    ];
}
