//! The checks of an evaluation, a question and a recommendation as a client wrote them: each
//! turns a draft (text as sent, vocabularies already typed) into typed input, listing every
//! problem at once.

use crate::domain::evaluation::{
    Criterion, Decision, EvaluationKind, EvaluationStatus, EvaluatorType, Method, Priority, Rating,
    RecommendationCategory,
};
use crate::domain::fx::PartialDate;
use crate::domain::wire;
use crate::error::{ApiError, FieldError};
use crate::models::evaluation::{Evaluator, Judgement};

/// What an evaluation is of: a Fund project, or a scaled-up initiative recorded as
/// follow-up funding of one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Subject {
    Project(String),
    FollowUp(i64),
}

/// One evaluator as sent.
#[derive(Debug, Clone)]
pub struct EvaluatorDraft {
    pub name: String,
    pub role: Option<String>,
}

/// One criterion's judgement as sent.
#[derive(Debug, Clone)]
pub struct JudgementDraft {
    pub criterion: Criterion,
    pub rating: Option<Rating>,
    pub finding: Option<String>,
}

/// An evaluation as sent: the subject is checked against the records by the use case.
#[derive(Debug, Clone)]
pub struct EvaluationDraft {
    pub project_code: Option<String>,
    pub follow_up_id: Option<i64>,
    pub kind: EvaluationKind,
    pub status: EvaluationStatus,
    pub title: String,
    pub evaluator_type: Option<EvaluatorType>,
    pub evaluators: Vec<EvaluatorDraft>,
    pub commissioner: Option<String>,
    pub period_from: Option<String>,
    pub period_to: Option<String>,
    pub started_on: Option<String>,
    pub completed_on: Option<String>,
    pub report_url: Option<String>,
    pub methods: Vec<Method>,
    pub limitations: Option<String>,
    pub summary: Option<String>,
    pub criteria: Vec<JudgementDraft>,
}

/// A checked evaluation.
#[derive(Debug, Clone)]
pub struct EvaluationInput {
    pub subject: Subject,
    pub kind: EvaluationKind,
    pub status: EvaluationStatus,
    pub title: String,
    pub evaluator_type: Option<EvaluatorType>,
    pub evaluators: Vec<Evaluator>,
    pub commissioner: Option<String>,
    pub period_from: Option<PartialDate>,
    pub period_to: Option<PartialDate>,
    pub started_on: Option<PartialDate>,
    pub completed_on: Option<PartialDate>,
    pub report_url: Option<String>,
    pub methods: Vec<Method>,
    pub limitations: Option<String>,
    pub summary: Option<String>,
    pub criteria: Vec<Judgement>,
}

/// Longest title or label; longest narrative.
pub const MAX_TITLE: usize = 300;
pub const MAX_LABEL: usize = 20;
pub const MAX_TEXT: usize = 20_000;

/// Collects field errors while a draft is checked.
#[derive(Default)]
pub struct Errors(Vec<FieldError>);

impl Errors {
    pub fn push(&mut self, field: impl Into<String>, code: &str, message: impl Into<String>) {
        self.0.push(FieldError::new(field, code, message));
    }

    /// Required text: trimmed, not blank, at most `max` characters.
    pub fn required(&mut self, field: &str, value: &str, max: usize) -> String {
        let t = wire::trim(value).to_owned();
        if t.is_empty() || t.chars().count() > max {
            self.push(
                field,
                "invalid_length",
                format!("must be 1–{max} characters"),
            );
        }
        t
    }

    /// Optional text: trimmed, blank is none, at most `max` characters.
    pub fn optional(&mut self, field: &str, value: Option<String>, max: usize) -> Option<String> {
        let t = value
            .map(|s| wire::trim(&s).to_owned())
            .filter(|s| !s.is_empty())?;
        if t.chars().count() > max {
            self.push(
                field,
                "invalid_length",
                format!("must be at most {max} characters"),
            );
        }
        Some(t)
    }

    pub fn date(&mut self, field: &str, value: Option<&str>) -> Option<PartialDate> {
        let text = value?;
        let parsed = PartialDate::parse(text);
        if parsed.is_none() {
            self.push(field, "invalid_date", "must be 2021, 2021-06 or 2021-06-03");
        }
        parsed
    }

    pub fn url(&mut self, field: &str, value: Option<String>) -> Option<String> {
        let url = self.optional(field, value, 2000)?;
        if !(url.starts_with("https://") || url.starts_with("http://")) || url.contains(' ') {
            self.push(field, "invalid_url", "must be an http(s) URL");
        }
        Some(url)
    }

    pub fn finish<T>(self, value: T) -> Result<T, ApiError> {
        if self.0.is_empty() {
            Ok(value)
        } else {
            Err(ApiError::validation(self.0))
        }
    }
}

impl EvaluationDraft {
    pub fn check(self) -> Result<EvaluationInput, ApiError> {
        let mut e = Errors::default();
        let subject = match (self.project_code, self.follow_up_id) {
            (Some(code), None) => Some(Subject::Project(code)),
            (None, Some(id)) => Some(Subject::FollowUp(id)),
            (Some(_), Some(_)) => {
                e.push(
                    "subject",
                    "ambiguous_subject",
                    "name a project_code or a follow_up_id, not both",
                );
                None
            }
            (None, None) => {
                e.push(
                    "subject",
                    "required",
                    "name a project_code or a follow_up_id",
                );
                None
            }
        };
        let title = e.required("title", &self.title, MAX_TITLE);
        let mut evaluators = Vec::with_capacity(self.evaluators.len());
        for (i, p) in self.evaluators.into_iter().enumerate() {
            let name = e.required(&format!("evaluators[{i}].name"), &p.name, MAX_TITLE);
            let role = e.optional(&format!("evaluators[{i}].role"), p.role, MAX_TITLE);
            evaluators.push(Evaluator { name, role });
        }
        let commissioner = e.optional("commissioner", self.commissioner, MAX_TITLE);
        let period_from = e.date("period_from", self.period_from.as_deref());
        let period_to = e.date("period_to", self.period_to.as_deref());
        if let (Some(from), Some(to)) = (&period_from, &period_to)
            && to.start < from.start
        {
            e.push(
                "period_to",
                "before_start",
                "must not be before period_from",
            );
        }
        let started_on = e.date("started_on", self.started_on.as_deref());
        let completed_on = e.date("completed_on", self.completed_on.as_deref());
        if completed_on.is_some() && self.status != EvaluationStatus::Completed {
            e.push(
                "completed_on",
                "not_completed",
                format!(
                    "an evaluation that is {} has no completion date",
                    self.status
                ),
            );
        }
        let report_url = e.url("report_url", self.report_url);
        let mut methods = self.methods;
        methods.sort_unstable();
        methods.dedup();
        let limitations = e.optional("limitations", self.limitations, MAX_TEXT);
        let summary = e.optional("summary", self.summary, MAX_TEXT);
        let mut criteria: Vec<Judgement> = Vec::with_capacity(self.criteria.len());
        for (i, j) in self.criteria.into_iter().enumerate() {
            if criteria.iter().any(|c| c.criterion == j.criterion) {
                e.push(
                    format!("criteria[{i}].criterion"),
                    "duplicate",
                    format!("{} is judged twice", j.criterion),
                );
            }
            let finding = e.optional(&format!("criteria[{i}].finding"), j.finding, MAX_TEXT);
            criteria.push(Judgement {
                criterion: j.criterion,
                rating: j.rating,
                finding,
            });
        }
        criteria.sort_by_key(|j| j.criterion);
        let input = subject.map(|subject| EvaluationInput {
            subject,
            kind: self.kind,
            status: self.status,
            title,
            evaluator_type: self.evaluator_type,
            evaluators,
            commissioner,
            period_from,
            period_to,
            started_on,
            completed_on,
            report_url,
            methods,
            limitations,
            summary,
            criteria,
        });
        match input {
            Some(input) => e.finish(input),
            None => Err(ApiError::validation(e.0)),
        }
    }
}

/// An evaluation question as sent.
#[derive(Debug, Clone)]
pub struct QuestionDraft {
    pub label: String,
    pub position: Option<i32>,
    pub criterion: Option<Criterion>,
    pub sub_criterion: Option<String>,
    pub text: String,
    pub finding: Option<String>,
}

/// A checked question (its position is the use case's when not given).
#[derive(Debug, Clone)]
pub struct QuestionInput {
    pub label: String,
    pub position: Option<i32>,
    pub criterion: Option<Criterion>,
    pub sub_criterion: Option<String>,
    pub text: String,
    pub finding: Option<String>,
}

impl QuestionDraft {
    pub fn check(self) -> Result<QuestionInput, ApiError> {
        let mut e = Errors::default();
        let input = QuestionInput {
            label: e.required("label", &self.label, MAX_LABEL),
            position: check_position(&mut e, self.position),
            criterion: self.criterion,
            sub_criterion: e.optional("sub_criterion", self.sub_criterion, MAX_TITLE),
            text: e.required("text", &self.text, MAX_TEXT),
            finding: e.optional("finding", self.finding, MAX_TEXT),
        };
        e.finish(input)
    }
}

pub fn check_position(e: &mut Errors, position: Option<i32>) -> Option<i32> {
    if let Some(p) = position
        && !(1..=10_000).contains(&p)
    {
        e.push("position", "out_of_range", "must be between 1 and 10000");
    }
    position
}

/// Management's response as sent.
#[derive(Debug, Clone)]
pub struct ResponseDraft {
    pub decision: Decision,
    pub text: Option<String>,
    pub responded_on: Option<chrono::NaiveDate>,
    pub responded_by: Option<String>,
}

/// A recommendation's content as an evaluator writes it.
#[derive(Debug, Clone)]
pub struct RecommendationDraft {
    pub label: String,
    pub position: Option<i32>,
    pub text: String,
    pub category: RecommendationCategory,
    pub addressees: Vec<String>,
    pub priority: Option<Priority>,
    pub due_date: Option<chrono::NaiveDate>,
}

/// A checked recommendation's content.
#[derive(Debug, Clone)]
pub struct RecommendationInput {
    pub label: String,
    pub position: Option<i32>,
    pub text: String,
    pub category: RecommendationCategory,
    pub addressees: Vec<String>,
    pub priority: Option<Priority>,
    pub due_date: Option<chrono::NaiveDate>,
}

impl RecommendationDraft {
    pub fn check(self) -> Result<RecommendationInput, ApiError> {
        let mut e = Errors::default();
        let mut addressees: Vec<String> = Vec::with_capacity(self.addressees.len());
        for (i, a) in self.addressees.iter().enumerate() {
            let name = e.required(&format!("addressees[{i}]"), a, MAX_TITLE);
            if addressees.contains(&name) {
                e.push(
                    format!("addressees[{i}]"),
                    "duplicate",
                    format!("{name} is listed twice"),
                );
            }
            addressees.push(name);
        }
        let input = RecommendationInput {
            label: e.required("label", &self.label, MAX_LABEL),
            position: check_position(&mut e, self.position),
            text: e.required("text", &self.text, MAX_TEXT),
            category: self.category,
            addressees,
            priority: self.priority,
            due_date: self.due_date,
        };
        e.finish(input)
    }
}

impl ResponseDraft {
    pub fn check(self, field: &str) -> Result<ResponseDraft, ApiError> {
        let mut e = Errors::default();
        let text = e.optional(&format!("{field}.text"), self.text, MAX_TEXT);
        let responded_by = e.optional(
            &format!("{field}.responded_by"),
            self.responded_by,
            MAX_TITLE,
        );
        e.finish(ResponseDraft {
            decision: self.decision,
            text,
            responded_on: self.responded_on,
            responded_by,
        })
    }
}
