//! The checks of a result, an indicator and a measurement as a client wrote them: each turns
//! a draft (text as sent, vocabularies already typed) into typed input, listing every problem
//! at once. What needs the records (a parent's project and level) is the use case's.

use crate::domain::results::{ResultLevel, Value, Verification};
use crate::error::ApiError;
use crate::services::evaluations::input::{Errors, MAX_LABEL, MAX_TEXT, MAX_TITLE, check_position};

/// Longest unit (`"households"`, `"% of respondents"`).
pub const MAX_UNIT: usize = 100;

/// A result as sent.
#[derive(Debug, Clone)]
pub struct ResultDraft {
    pub level: ResultLevel,
    pub parent_id: Option<i64>,
    pub label: Option<String>,
    pub statement: String,
    pub position: Option<i32>,
}

/// A checked result: an objective has no parent, an outcome or an output has one.
#[derive(Debug, Clone)]
pub struct ResultInput {
    pub level: ResultLevel,
    pub parent_id: Option<i64>,
    pub label: Option<String>,
    pub statement: String,
    pub position: Option<i32>,
}

impl ResultDraft {
    pub fn check(self) -> Result<ResultInput, ApiError> {
        let mut e = Errors::default();
        match (self.level.parent(), self.parent_id) {
            (None, Some(_)) => e.push(
                "parent_id",
                "parent_not_allowed",
                "an objective is the top of the framework and has no parent",
            ),
            (Some(above), None) => e.push(
                "parent_id",
                "parent_required",
                format!("an {} hangs under an {above}: name it", self.level),
            ),
            _ => {}
        }
        let input = ResultInput {
            level: self.level,
            parent_id: self.parent_id,
            label: e.optional("label", self.label, MAX_LABEL),
            statement: e.required("statement", &self.statement, MAX_TEXT),
            position: check_position(&mut e, self.position),
        };
        e.finish(input)
    }
}

/// An indicator as sent: values as decimal strings.
#[derive(Debug, Clone)]
pub struct IndicatorDraft {
    pub label: Option<String>,
    pub name: String,
    pub unit: Option<String>,
    pub baseline_value: Option<String>,
    pub baseline_date: Option<chrono::NaiveDate>,
    pub target_value: Option<String>,
    pub target_date: Option<chrono::NaiveDate>,
    pub means_of_verification: Option<String>,
    pub assumptions: Option<String>,
}

/// A checked indicator.
#[derive(Debug, Clone)]
pub struct IndicatorInput {
    pub label: Option<String>,
    pub name: String,
    pub unit: Option<String>,
    pub baseline_value: Option<Value>,
    pub baseline_date: Option<chrono::NaiveDate>,
    pub target_value: Option<Value>,
    pub target_date: Option<chrono::NaiveDate>,
    pub means_of_verification: Option<String>,
    pub assumptions: Option<String>,
}

fn value(e: &mut Errors, field: &str, text: Option<&str>) -> Option<Value> {
    match Value::parse(text?) {
        Ok(v) => Some(v),
        Err(err) => {
            e.push(field, err.code(), err.to_string());
            None
        }
    }
}

fn not_before(
    e: &mut Errors,
    (from_field, from): (&str, Option<chrono::NaiveDate>),
    (to_field, to): (&str, Option<chrono::NaiveDate>),
) {
    if let (Some(from), Some(to)) = (from, to)
        && to < from
    {
        e.push(
            to_field,
            "before_start",
            format!("must not be before {from_field}"),
        );
    }
}

impl IndicatorDraft {
    pub fn check(self) -> Result<IndicatorInput, ApiError> {
        let mut e = Errors::default();
        not_before(
            &mut e,
            ("baseline_date", self.baseline_date),
            ("target_date", self.target_date),
        );
        let input = IndicatorInput {
            label: e.optional("label", self.label, MAX_LABEL),
            name: e.required("name", &self.name, MAX_TITLE),
            unit: e.optional("unit", self.unit, MAX_UNIT),
            baseline_value: value(&mut e, "baseline_value", self.baseline_value.as_deref()),
            baseline_date: self.baseline_date,
            target_value: value(&mut e, "target_value", self.target_value.as_deref()),
            target_date: self.target_date,
            means_of_verification: e.optional(
                "means_of_verification",
                self.means_of_verification,
                MAX_TEXT,
            ),
            assumptions: e.optional("assumptions", self.assumptions, MAX_TEXT),
        };
        e.finish(input)
    }
}

/// A measurement as sent.
#[derive(Debug, Clone)]
pub struct MeasurementDraft {
    pub measured_on: chrono::NaiveDate,
    pub period_from: Option<chrono::NaiveDate>,
    pub period_to: Option<chrono::NaiveDate>,
    pub value: String,
    pub verification: Verification,
    pub source: Option<String>,
    pub note: Option<String>,
}

/// A checked measurement.
#[derive(Debug, Clone)]
pub struct MeasurementInput {
    pub measured_on: chrono::NaiveDate,
    pub period_from: Option<chrono::NaiveDate>,
    pub period_to: Option<chrono::NaiveDate>,
    pub value: Value,
    pub verification: Verification,
    pub source: Option<String>,
    pub note: Option<String>,
}

impl MeasurementDraft {
    pub fn check(self) -> Result<MeasurementInput, ApiError> {
        let mut e = Errors::default();
        not_before(
            &mut e,
            ("period_from", self.period_from),
            ("period_to", self.period_to),
        );
        let parsed = value(&mut e, "value", Some(&self.value));
        let source = e.optional("source", self.source, MAX_TITLE);
        let note = e.optional("note", self.note, MAX_TEXT);
        match parsed {
            Some(value) => e.finish(MeasurementInput {
                measured_on: self.measured_on,
                period_from: self.period_from,
                period_to: self.period_to,
                value,
                verification: self.verification,
                source,
                note,
            }),
            None => e.finish(()).and(Err(ApiError::internal(anyhow::anyhow!(
                "a measurement value failed to parse without an error"
            )))),
        }
    }
}
