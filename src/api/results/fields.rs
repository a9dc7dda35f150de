//! What clients write and read of results, indicators and measurements, and the conversions
//! to and from the service's drafts and views.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::patches::Form;
use crate::api::csv::Columns;
use crate::api::schemas::IndicatorValueText;
use crate::domain::results::{Progress, ResultLevel, Value, Verification};
use crate::error::ApiError;
use crate::models::results::{Measurement, ResultRecord};
use crate::services::results::input::{
    IndicatorDraft, IndicatorInput, MeasurementDraft, MeasurementInput, ResultDraft, ResultInput,
};
use crate::services::results::{Framework, IndicatorView, ResultNode};

/// A result as a client writes it. An outcome's `parent_id` is the project's objective, an
/// output's an outcome of the same project; an objective has none.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResultFields {
    pub level: ResultLevel,
    #[serde(default)]
    #[schema(minimum = 1)]
    pub parent_id: Option<i64>,
    /// As printed, e.g. `R1` or `1.2`.
    #[serde(default)]
    #[schema(max_length = 20)]
    pub label: Option<String>,
    #[schema(min_length = 1, max_length = 20000, pattern = r"[^ \t\n\r]")]
    pub statement: String,
    /// Order among the results under the same parent (default: after the last).
    #[serde(default)]
    #[schema(minimum = 1, maximum = 10000)]
    pub position: Option<i32>,
}

impl Form for ResultFields {
    type Record = ResultRecord;
    type Input = ResultInput;

    fn check(self) -> Result<ResultInput, ApiError> {
        ResultDraft {
            level: self.level,
            parent_id: self.parent_id,
            label: self.label,
            statement: self.statement,
            position: self.position,
        }
        .check()
    }

    fn of(r: &ResultRecord) -> ResultFields {
        ResultFields {
            level: r.v.level,
            parent_id: r.v.parent_id,
            label: r.v.label.clone(),
            statement: r.v.statement.clone(),
            position: Some(r.v.position),
        }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ResultResponse {
    pub id: i64,
    pub level: ResultLevel,
    #[schema(required = true)]
    pub parent_id: Option<i64>,
    #[schema(required = true)]
    pub label: Option<String>,
    pub statement: String,
    pub position: i32,
}

pub fn result_response(r: &ResultRecord) -> ResultResponse {
    ResultResponse {
        id: r.id,
        level: r.v.level,
        parent_id: r.v.parent_id,
        label: r.v.label.clone(),
        statement: r.v.statement.clone(),
        position: r.v.position,
    }
}

/// A result in its framework: its indicators, and the results under it in order.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ResultNodeResponse {
    pub id: i64,
    pub level: ResultLevel,
    #[schema(required = true)]
    pub parent_id: Option<i64>,
    #[schema(required = true)]
    pub label: Option<String>,
    pub statement: String,
    pub position: i32,
    pub indicators: Vec<IndicatorResponse>,
    #[schema(no_recursion)]
    pub children: Vec<ResultNodeResponse>,
}

fn node_response(n: &ResultNode) -> ResultNodeResponse {
    let r = &n.result;
    ResultNodeResponse {
        id: r.id,
        level: r.v.level,
        parent_id: r.v.parent_id,
        label: r.v.label.clone(),
        statement: r.v.statement.clone(),
        position: r.v.position,
        indicators: n.indicators.iter().map(indicator_response).collect(),
        children: n.children.iter().map(node_response).collect(),
    }
}

/// A project's results framework: its objective (null while there is none), the outcomes
/// under it and the outputs under those, each with its indicators.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FrameworkResponse {
    pub project_code: String,
    #[schema(required = true)]
    pub objective: Option<ResultNodeResponse>,
}

pub fn framework_response(f: &Framework) -> FrameworkResponse {
    FrameworkResponse {
        project_code: f.project_code.clone(),
        objective: f.objective.as_ref().map(node_response),
    }
}

/// An indicator as a client writes it; values are decimal strings.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IndicatorFields {
    /// As printed, e.g. `1.1a`.
    #[serde(default)]
    #[schema(max_length = 20)]
    pub label: Option<String>,
    #[schema(min_length = 1, max_length = 300, pattern = r"[^ \t\n\r]")]
    pub name: String,
    /// E.g. `officials trained`, `%`.
    #[serde(default)]
    #[schema(max_length = 100)]
    pub unit: Option<String>,
    #[serde(default)]
    #[schema(value_type = Option<IndicatorValueText>)]
    pub baseline_value: Option<String>,
    #[serde(default)]
    pub baseline_date: Option<chrono::NaiveDate>,
    #[serde(default)]
    #[schema(value_type = Option<IndicatorValueText>)]
    pub target_value: Option<String>,
    /// Not before `baseline_date`.
    #[serde(default)]
    pub target_date: Option<chrono::NaiveDate>,
    #[serde(default)]
    #[schema(max_length = 20000)]
    pub means_of_verification: Option<String>,
    #[serde(default)]
    #[schema(max_length = 20000)]
    pub assumptions: Option<String>,
}

fn value_text(micros: Option<i64>) -> Option<String> {
    micros.map(|m| Value::from_micros(m).to_string())
}

impl Form for IndicatorFields {
    type Record = IndicatorView;
    type Input = IndicatorInput;

    fn check(self) -> Result<IndicatorInput, ApiError> {
        IndicatorDraft {
            label: self.label,
            name: self.name,
            unit: self.unit,
            baseline_value: self.baseline_value,
            baseline_date: self.baseline_date,
            target_value: self.target_value,
            target_date: self.target_date,
            means_of_verification: self.means_of_verification,
            assumptions: self.assumptions,
        }
        .check()
    }

    fn of(i: &IndicatorView) -> IndicatorFields {
        let v = &i.indicator.v;
        IndicatorFields {
            label: v.label.clone(),
            name: v.name.clone(),
            unit: v.unit.clone(),
            baseline_value: value_text(v.baseline_micros),
            baseline_date: v.baseline_date,
            target_value: value_text(v.target_micros),
            target_date: v.target_date,
            means_of_verification: v.means_of_verification.clone(),
            assumptions: v.assumptions.clone(),
        }
    }
}

/// An indicator with its latest measurement and where that leaves it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct IndicatorResponse {
    pub id: i64,
    pub result_id: i64,
    #[schema(required = true)]
    pub label: Option<String>,
    pub name: String,
    #[schema(required = true)]
    pub unit: Option<String>,
    #[schema(required = true)]
    pub baseline_value: Option<String>,
    #[schema(required = true)]
    pub baseline_date: Option<chrono::NaiveDate>,
    #[schema(required = true)]
    pub target_value: Option<String>,
    #[schema(required = true)]
    pub target_date: Option<chrono::NaiveDate>,
    #[schema(required = true)]
    pub means_of_verification: Option<String>,
    #[schema(required = true)]
    pub assumptions: Option<String>,
    /// The measurement with the latest `measured_on` (the last recorded on a tie).
    #[schema(required = true)]
    pub latest: Option<MeasurementResponse>,
    /// (latest − baseline) ÷ (target − baseline), exact to four places (`"0.7500"`),
    /// negative when the value moved away from the target; null when a value is missing or
    /// the target equals the baseline.
    #[schema(required = true)]
    pub achievement: Option<String>,
    /// `achieved` at or past the target; else `on_track` when the achievement is at least the
    /// share of the baseline-to-target period gone by the latest measurement, `off_track` when
    /// below; `not_assessable` without an achievement or (short of the target) without both
    /// dates.
    pub progress: Progress,
}

pub fn indicator_response(i: &IndicatorView) -> IndicatorResponse {
    let f = IndicatorFields::of(i);
    IndicatorResponse {
        id: i.indicator.id,
        result_id: i.indicator.v.result_id,
        label: f.label,
        name: f.name,
        unit: f.unit,
        baseline_value: f.baseline_value,
        baseline_date: f.baseline_date,
        target_value: f.target_value,
        target_date: f.target_date,
        means_of_verification: f.means_of_verification,
        assumptions: f.assumptions,
        latest: i.latest.as_ref().map(measurement_response),
        achievement: i.achievement.clone(),
        progress: i.progress,
    }
}

/// A measurement as a client writes it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MeasurementFields {
    pub measured_on: chrono::NaiveDate,
    /// The period the value covers, when it covers one.
    #[serde(default)]
    pub period_from: Option<chrono::NaiveDate>,
    /// Not before `period_from`.
    #[serde(default)]
    pub period_to: Option<chrono::NaiveDate>,
    #[schema(value_type = IndicatorValueText)]
    pub value: String,
    pub verification: Verification,
    #[serde(default)]
    #[schema(max_length = 300)]
    pub source: Option<String>,
    #[serde(default)]
    #[schema(max_length = 20000)]
    pub note: Option<String>,
}

impl Form for MeasurementFields {
    type Record = Measurement;
    type Input = MeasurementInput;

    fn check(self) -> Result<MeasurementInput, ApiError> {
        MeasurementDraft {
            measured_on: self.measured_on,
            period_from: self.period_from,
            period_to: self.period_to,
            value: self.value,
            verification: self.verification,
            source: self.source,
            note: self.note,
        }
        .check()
    }

    fn of(m: &Measurement) -> MeasurementFields {
        MeasurementFields {
            measured_on: m.v.measured_on,
            period_from: m.v.period_from,
            period_to: m.v.period_to,
            value: Value::from_micros(m.v.value_micros).to_string(),
            verification: m.v.verification,
            source: m.v.source.clone(),
            note: m.v.note.clone(),
        }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MeasurementResponse {
    pub id: i64,
    pub indicator_id: i64,
    pub measured_on: chrono::NaiveDate,
    #[schema(required = true)]
    pub period_from: Option<chrono::NaiveDate>,
    #[schema(required = true)]
    pub period_to: Option<chrono::NaiveDate>,
    pub value: String,
    pub verification: Verification,
    #[schema(required = true)]
    pub source: Option<String>,
    #[schema(required = true)]
    pub note: Option<String>,
}

impl Columns for MeasurementResponse {
    const COLUMNS: &'static [&'static str] = &[
        "id",
        "indicator_id",
        "measured_on",
        "period_from",
        "period_to",
        "value",
        "verification",
        "source",
        "note",
    ];
}

pub fn measurement_response(m: &Measurement) -> MeasurementResponse {
    let f = MeasurementFields::of(m);
    MeasurementResponse {
        id: m.id,
        indicator_id: m.v.indicator_id,
        measured_on: f.measured_on,
        period_from: f.period_from,
        period_to: f.period_to,
        value: f.value,
        verification: f.verification,
        source: f.source,
        note: f.note,
    }
}
