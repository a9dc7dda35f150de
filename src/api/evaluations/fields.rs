//! The evaluation payload: one shape for create, for the merge of a PATCH and (with the ids
//! and counts) inside every response; converted to the service's draft and back.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::api::patch::present;
use crate::api::schemas::ProjectCodeSchema;
use crate::domain::evaluation::{
    Criterion, EvaluationKind, EvaluationStatus, EvaluatorType, Method, Rating,
};
use crate::services::evaluations::EvaluationView;
use crate::services::evaluations::input::{EvaluationDraft, EvaluatorDraft, JudgementDraft};

/// What an evaluation is of: exactly one of a Fund project (`project_code`) or a scaled-up
/// initiative recorded as follow-up funding (`follow_up_id`, e.g. a donor-funded successor
/// project that had its own mid-term review): an object with exactly one of the two keys.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SubjectFields {
    /// Omitted, not `null`, when the subject is a follow-up record.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(value_type = ProjectCodeSchema)]
    pub project_code: Option<String>,
    /// Omitted, not `null`, when the subject is a project.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(value_type = i64, minimum = 1)]
    pub follow_up_id: Option<i64>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EvaluatorFields {
    #[schema(min_length = 1, max_length = 300)]
    pub name: String,
    /// e.g. `team leader`.
    #[serde(default)]
    pub role: Option<String>,
}

/// The judgement of one criterion: an optional rating and the finding.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CriterionFields {
    pub criterion: Criterion,
    #[serde(default)]
    pub rating: Option<Rating>,
    #[serde(default)]
    pub finding: Option<String>,
}

/// Every field a client writes.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EvaluationFields {
    pub subject: SubjectFields,
    pub kind: EvaluationKind,
    pub status: EvaluationStatus,
    #[schema(min_length = 1, max_length = 300, pattern = r"[^ \t\n\r]")]
    pub title: String,
    #[serde(default)]
    pub evaluator_type: Option<EvaluatorType>,
    #[serde(default)]
    pub evaluators: Vec<EvaluatorFields>,
    /// Who commissioned it, e.g. `IOM Development Fund`.
    #[serde(default)]
    pub commissioner: Option<String>,
    /// First day of the period covered: `2019`, `2019-06` or `2019-06-01`.
    #[serde(default)]
    #[schema(
        pattern = r"^((19[0-9]{2}|2[01][0-9]{2}|2200)(-(0[1-9]|1[0-2]))?|(19[0-9]{2}|2[01][0-9]{2}|2200)-((0[13578]|1[02])-(0[1-9]|[12][0-9]|3[01])|(0[469]|11)-(0[1-9]|[12][0-9]|30)|02-(0[1-9]|1[0-9]|2[0-8]))|(19(0[48]|[2468][048]|[13579][26])|20([02468][048]|[13579][26])|21(0[48]|[2468][048]|[13579][26]))-02-29)$"
    )]
    pub period_from: Option<String>,
    #[serde(default)]
    #[schema(
        pattern = r"^((19[0-9]{2}|2[01][0-9]{2}|2200)(-(0[1-9]|1[0-2]))?|(19[0-9]{2}|2[01][0-9]{2}|2200)-((0[13578]|1[02])-(0[1-9]|[12][0-9]|3[01])|(0[469]|11)-(0[1-9]|[12][0-9]|30)|02-(0[1-9]|1[0-9]|2[0-8]))|(19(0[48]|[2468][048]|[13579][26])|20([02468][048]|[13579][26])|21(0[48]|[2468][048]|[13579][26]))-02-29)$"
    )]
    pub period_to: Option<String>,
    #[serde(default)]
    #[schema(
        pattern = r"^((19[0-9]{2}|2[01][0-9]{2}|2200)(-(0[1-9]|1[0-2]))?|(19[0-9]{2}|2[01][0-9]{2}|2200)-((0[13578]|1[02])-(0[1-9]|[12][0-9]|3[01])|(0[469]|11)-(0[1-9]|[12][0-9]|30)|02-(0[1-9]|1[0-9]|2[0-8]))|(19(0[48]|[2468][048]|[13579][26])|20([02468][048]|[13579][26])|21(0[48]|[2468][048]|[13579][26]))-02-29)$"
    )]
    pub started_on: Option<String>,
    /// When it was completed (only for a `completed` evaluation); a year alone where the
    /// source gives only that.
    #[serde(default)]
    #[schema(
        pattern = r"^((19[0-9]{2}|2[01][0-9]{2}|2200)(-(0[1-9]|1[0-2]))?|(19[0-9]{2}|2[01][0-9]{2}|2200)-((0[13578]|1[02])-(0[1-9]|[12][0-9]|3[01])|(0[469]|11)-(0[1-9]|[12][0-9]|30)|02-(0[1-9]|1[0-9]|2[0-8]))|(19(0[48]|[2468][048]|[13579][26])|20([02468][048]|[13579][26])|21(0[48]|[2468][048]|[13579][26]))-02-29)$"
    )]
    pub completed_on: Option<String>,
    /// Where the report is (an http(s) URL).
    #[serde(default)]
    #[schema(pattern = r"^https?://[^ ]+$")]
    pub report_url: Option<String>,
    #[serde(default)]
    pub methods: Vec<Method>,
    #[serde(default)]
    pub limitations: Option<String>,
    /// The evaluation's main finding, in its own words.
    #[serde(default)]
    pub summary: Option<String>,
    /// One judgement per criterion (OECD-DAC 2019, plus cross-cutting).
    #[serde(default)]
    pub criteria: Vec<CriterionFields>,
}

/// An evaluation as every read and write answers it: every key is always present (null when
/// it has no value).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EvaluationResponse {
    pub id: i64,
    pub subject: SubjectFields,
    /// The project evaluated, or whose follow-up initiative was.
    #[schema(value_type = ProjectCodeSchema)]
    pub project_code: String,
    pub kind: EvaluationKind,
    pub status: EvaluationStatus,
    pub title: String,
    #[schema(required = true)]
    pub evaluator_type: Option<EvaluatorType>,
    pub evaluators: Vec<EvaluatorResponse>,
    #[schema(required = true)]
    pub commissioner: Option<String>,
    #[schema(required = true)]
    pub period_from: Option<String>,
    #[schema(required = true)]
    pub period_to: Option<String>,
    #[schema(required = true)]
    pub started_on: Option<String>,
    #[schema(required = true)]
    pub completed_on: Option<String>,
    #[schema(required = true)]
    pub report_url: Option<String>,
    pub methods: Vec<Method>,
    #[schema(required = true)]
    pub limitations: Option<String>,
    #[schema(required = true)]
    pub summary: Option<String>,
    pub criteria: Vec<CriterionResponse>,
    pub question_count: i64,
    pub recommendation_count: i64,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EvaluatorResponse {
    pub name: String,
    #[schema(required = true)]
    pub role: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CriterionResponse {
    pub criterion: Criterion,
    #[schema(required = true)]
    pub rating: Option<Rating>,
    #[schema(required = true)]
    pub finding: Option<String>,
}

impl EvaluationFields {
    pub fn into_draft(self) -> EvaluationDraft {
        EvaluationDraft {
            project_code: self.subject.project_code,
            follow_up_id: self.subject.follow_up_id,
            kind: self.kind,
            status: self.status,
            title: self.title,
            evaluator_type: self.evaluator_type,
            evaluators: self
                .evaluators
                .into_iter()
                .map(|e| EvaluatorDraft {
                    name: e.name,
                    role: e.role,
                })
                .collect(),
            commissioner: self.commissioner,
            period_from: self.period_from,
            period_to: self.period_to,
            started_on: self.started_on,
            completed_on: self.completed_on,
            report_url: self.report_url,
            methods: self.methods,
            limitations: self.limitations,
            summary: self.summary,
            criteria: self
                .criteria
                .into_iter()
                .map(|c| JudgementDraft {
                    criterion: c.criterion,
                    rating: c.rating,
                    finding: c.finding,
                })
                .collect(),
        }
    }
}

/// The stored evaluation in the payload's shape (for responses and for merging a PATCH).
pub fn from_stored(e: &EvaluationView) -> EvaluationFields {
    let v = &e.values;
    let subject = match v.follow_up_id {
        Some(id) => SubjectFields {
            project_code: None,
            follow_up_id: Some(id),
        },
        None => SubjectFields {
            project_code: Some(e.project_code.clone()),
            follow_up_id: None,
        },
    };
    EvaluationFields {
        subject,
        kind: v.kind,
        status: v.status,
        title: v.title.clone(),
        evaluator_type: v.evaluator_type,
        evaluators: e
            .children
            .evaluators
            .iter()
            .map(|p| EvaluatorFields {
                name: p.name.clone(),
                role: p.role.clone(),
            })
            .collect(),
        commissioner: v.commissioner.clone(),
        period_from: v.period_from.clone(),
        period_to: v.period_to.clone(),
        started_on: v.started_on.clone(),
        completed_on: v.completed_on.clone(),
        report_url: v.report_url.clone(),
        methods: v.methods.split(',').filter_map(Method::parse).collect(),
        limitations: v.limitations.clone(),
        summary: v.summary.clone(),
        criteria: e
            .children
            .criteria
            .iter()
            .map(|j| CriterionFields {
                criterion: j.criterion,
                rating: j.rating,
                finding: j.finding.clone(),
            })
            .collect(),
    }
}

pub fn response(e: &EvaluationView) -> EvaluationResponse {
    let f = from_stored(e);
    EvaluationResponse {
        id: e.id,
        subject: f.subject,
        project_code: e.project_code.clone(),
        kind: f.kind,
        status: f.status,
        title: f.title,
        evaluator_type: f.evaluator_type,
        evaluators: f
            .evaluators
            .into_iter()
            .map(|p| EvaluatorResponse {
                name: p.name,
                role: p.role,
            })
            .collect(),
        commissioner: f.commissioner,
        period_from: f.period_from,
        period_to: f.period_to,
        started_on: f.started_on,
        completed_on: f.completed_on,
        report_url: f.report_url,
        methods: f.methods,
        limitations: f.limitations,
        summary: f.summary,
        criteria: f
            .criteria
            .into_iter()
            .map(|c| CriterionResponse {
                criterion: c.criterion,
                rating: c.rating,
                finding: c.finding,
            })
            .collect(),
        question_count: e.children.question_count,
        recommendation_count: e.children.recommendation_count,
        created_at: crate::api::utc(e.values.created_at),
        updated_at: crate::api::utc(e.values.updated_at),
    }
}
