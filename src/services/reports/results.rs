//! `reports/results`: every indicator of the selected projects' frameworks with its baseline,
//! target, latest value, achievement and progress, and per project how many indicators have
//! reached their target, are on or off track, or cannot be assessed. Four queries whatever the
//! portfolio's size.

use serde::Serialize;
use utoipa::ToSchema;

use crate::db::Conn;
use crate::domain::results::{Progress, ResultLevel, Value, Verification};
use crate::error::ApiError;
use crate::models::project::ProjectFilter;
use crate::models::results::{Indicator, LatestOf, Measurement, ResultRecord};
use crate::services::results::{depth_first, nodes};

/// One indicator.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ResultsRow {
    pub project_code: String,
    pub result_id: i64,
    pub result_level: ResultLevel,
    pub result_label: Option<String>,
    pub indicator_id: i64,
    pub indicator_label: Option<String>,
    pub indicator_name: String,
    pub unit: Option<String>,
    /// Decimal strings (`"12.5"`), like every indicator value.
    pub baseline_value: Option<String>,
    pub baseline_date: Option<chrono::NaiveDate>,
    pub target_value: Option<String>,
    pub target_date: Option<chrono::NaiveDate>,
    /// The latest measurement's (by `measured_on`).
    pub latest_value: Option<String>,
    pub latest_measured_on: Option<chrono::NaiveDate>,
    pub latest_verification: Option<Verification>,
    /// (latest − baseline) ÷ (target − baseline), exact to four places, e.g. `"0.7500"`;
    /// negative when the value moved away from the target; null when a value is missing or the
    /// target equals the baseline.
    pub achievement: Option<String>,
    pub progress: Progress,
}

/// How many indicators stand where.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, ToSchema)]
pub struct ResultsCounts {
    pub indicators: i64,
    pub achieved: i64,
    pub on_track: i64,
    pub off_track: i64,
    pub not_assessable: i64,
}

impl ResultsCounts {
    fn count(&mut self, progress: Progress) {
        self.indicators += 1;
        let slot = match progress {
            Progress::Achieved => &mut self.achieved,
            Progress::OnTrack => &mut self.on_track,
            Progress::OffTrack => &mut self.off_track,
            Progress::NotAssessable => &mut self.not_assessable,
        };
        *slot += 1;
    }
}

/// One project with a framework.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ResultsProject {
    pub code: String,
    pub title: String,
    #[serde(flatten)]
    pub counts: ResultsCounts,
}

/// `GET /reports/results`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ResultsReport {
    /// Every indicator, by project code, then in the framework's order.
    pub rows: Vec<ResultsRow>,
    /// The selected projects that have a framework.
    pub projects: Vec<ResultsProject>,
    pub totals: ResultsCounts,
}

fn text(micros: Option<i64>) -> Option<String> {
    micros.map(|m| Value::from_micros(m).to_string())
}

/// The report over the projects `filter` selects.
pub fn results(conn: &mut Conn, filter: &ProjectFilter) -> Result<ResultsReport, ApiError> {
    let mut selected = filter.report_rows(conn)?;
    selected.sort_by(|a, b| a.code.cmp(&b.code));
    let mut trees = nodes(
        ResultRecord::of_project(conn, None)?,
        Indicator::of_project(conn, None)?,
        Measurement::latest(conn, LatestOf::All)?,
    );
    let mut rows = Vec::new();
    let mut projects = Vec::new();
    let mut totals = ResultsCounts::default();
    for p in selected {
        let Some(roots) = trees.remove(&p.id) else {
            continue;
        };
        let mut counts = ResultsCounts::default();
        for node in depth_first(&roots) {
            let r = &node.result;
            for i in &node.indicators {
                counts.count(i.progress);
                totals.count(i.progress);
                let v = &i.indicator.v;
                rows.push(ResultsRow {
                    project_code: p.code.clone(),
                    result_id: r.id,
                    result_level: r.v.level,
                    result_label: r.v.label.clone(),
                    indicator_id: i.indicator.id,
                    indicator_label: v.label.clone(),
                    indicator_name: v.name.clone(),
                    unit: v.unit.clone(),
                    baseline_value: text(v.baseline_micros),
                    baseline_date: v.baseline_date,
                    target_value: text(v.target_micros),
                    target_date: v.target_date,
                    latest_value: text(i.latest.as_ref().map(|m| m.v.value_micros)),
                    latest_measured_on: i.latest.as_ref().map(|m| m.v.measured_on),
                    latest_verification: i.latest.as_ref().map(|m| m.v.verification),
                    achievement: i.achievement.clone(),
                    progress: i.progress,
                });
            }
        }
        projects.push(ResultsProject {
            code: p.code,
            title: p.title,
            counts,
        });
    }
    Ok(ResultsReport {
        rows,
        projects,
        totals,
    })
}
