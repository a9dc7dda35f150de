//! A project's framework as one tree, read in four queries whatever its size; indicators with
//! their latest measurement, achievement and progress.

use std::collections::HashMap;

use crate::db::Conn;
use crate::domain::results::{self, Progress, Value};
use crate::error::ApiError;
use crate::models::project::Project;
use crate::models::results::{Indicator, LatestOf, Measurement, ResultRecord};

/// An indicator with its latest measurement and where that leaves it.
#[derive(Debug, Clone)]
pub struct IndicatorView {
    pub indicator: Indicator,
    pub latest: Option<Measurement>,
    /// (latest − baseline) ÷ (target − baseline), exactly ([`results::achievement`]).
    pub achievement: Option<String>,
    pub progress: Progress,
}

impl IndicatorView {
    pub fn new(indicator: Indicator, latest: Option<Measurement>) -> IndicatorView {
        let baseline = indicator.v.baseline_micros.map(Value::from_micros);
        let target = indicator.v.target_micros.map(Value::from_micros);
        let last = latest
            .as_ref()
            .map(|m| Value::from_micros(m.v.value_micros));
        let period = indicator.v.baseline_date.zip(indicator.v.target_date);
        let measured_on = latest.as_ref().map(|m| m.v.measured_on);
        IndicatorView {
            achievement: results::achievement(baseline, target, last),
            progress: results::progress(baseline, target, last, period, measured_on),
            indicator,
            latest,
        }
    }
}

/// A result with its indicators and the results under it, in order.
#[derive(Debug, Clone)]
pub struct ResultNode {
    pub result: ResultRecord,
    pub indicators: Vec<IndicatorView>,
    pub children: Vec<ResultNode>,
}

/// A project's framework: its objective (none yet, or one) and everything under it.
#[derive(Debug, Clone)]
pub struct Framework {
    pub project_code: String,
    pub objective: Option<ResultNode>,
}

/// The trees of every project in `results` (ordered by position), keyed by project id: each
/// result with its indicators (and their `latest` measurements) and its children.
pub fn nodes(
    results: Vec<ResultRecord>,
    indicators: Vec<Indicator>,
    latest: Vec<Measurement>,
) -> HashMap<i64, Vec<ResultNode>> {
    let mut latest: HashMap<i64, Measurement> =
        latest.into_iter().map(|m| (m.v.indicator_id, m)).collect();
    let mut measured: HashMap<i64, Vec<IndicatorView>> = HashMap::new();
    for i in indicators {
        let last = latest.remove(&i.id);
        measured
            .entry(i.v.result_id)
            .or_default()
            .push(IndicatorView::new(i, last));
    }
    let mut under: HashMap<Option<i64>, Vec<ResultRecord>> = HashMap::new();
    for r in results {
        under.entry(r.v.parent_id).or_default().push(r);
    }
    fn build(
        r: ResultRecord,
        under: &mut HashMap<Option<i64>, Vec<ResultRecord>>,
        measured: &mut HashMap<i64, Vec<IndicatorView>>,
    ) -> ResultNode {
        let children = under
            .remove(&Some(r.id))
            .unwrap_or_default()
            .into_iter()
            .map(|c| build(c, under, measured))
            .collect();
        ResultNode {
            indicators: measured.remove(&r.id).unwrap_or_default(),
            children,
            result: r,
        }
    }
    let mut out: HashMap<i64, Vec<ResultNode>> = HashMap::new();
    for root in under.remove(&None).unwrap_or_default() {
        let project = root.v.project_id;
        let node = build(root, &mut under, &mut measured);
        out.entry(project).or_default().push(node);
    }
    out
}

/// The results of `roots` in the order a logframe prints them: each result, then the results
/// under it.
pub fn depth_first(roots: &[ResultNode]) -> Vec<&ResultNode> {
    let mut out = Vec::new();
    for r in roots {
        out.push(r);
        out.extend(depth_first(&r.children));
    }
    out
}

/// Project `code`'s framework (404 for an unknown project), in four queries.
pub fn framework(conn: &mut Conn, code: &str) -> Result<Framework, ApiError> {
    let project =
        Project::find(conn, code)?.ok_or_else(|| ApiError::not_found(format!("project {code}")))?;
    let results = ResultRecord::of_project(conn, Some(project.id))?;
    let indicators = Indicator::of_project(conn, Some(project.id))?;
    let latest = Measurement::latest(conn, LatestOf::Project(project.id))?;
    let objective = nodes(results, indicators, latest)
        .remove(&project.id)
        .and_then(|roots| roots.into_iter().next());
    Ok(Framework {
        project_code: project.v.content.code,
        objective,
    })
}
