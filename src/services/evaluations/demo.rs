//! The booklet's ex-post evaluations, for `devfund seed --demo`: the booklet says MD.0001,
//! MA.1147 and PR.0135 had one and quotes its finding. It gives no dates, so none are
//! recorded (the compliance report shows the three as `done`, the other six as
//! `unknown_end`: the booklet gives durations, not end dates).

use super::input::{EvaluationDraft, JudgementDraft};
use crate::db::Conn;
use crate::domain::evaluation::{Criterion, EvaluationKind, EvaluationStatus};
use crate::error::ApiError;
use crate::models::evaluation::EvaluationFilter;
use crate::services::Actor;

/// (project, the booklet's words on what the ex-post evaluation found).
const BOOKLET: [(&str, &str); 3] = [
    (
        "MD.0001",
        "In order to capitalize on the project results and scale up, a follow-up programme could be developed, specifically to monitor the progress of the achievements and build on the training programme and SEDP template.",
    ),
    (
        "MA.1147",
        "The securing of additional resources can help ensure that the national health policy and related activities are followed-up on, for more effective scaling up.",
    ),
    (
        "PR.0135",
        "To help project results scale up, the IOM-INTES partnership should be broadened to support INTES in their long-term vision in line with the Tunisian Government's migration governance priorities.",
    ),
];

/// Records the three evaluations once (a project that already has an ex-post evaluation is
/// left alone); answers how many were created.
pub fn seed(conn: &mut Conn, actor: &Actor) -> Result<usize, ApiError> {
    let mut created = 0;
    for (code, finding) in BOOKLET {
        let existing = EvaluationFilter {
            project_codes: vec![code.to_owned()],
            kinds: vec![EvaluationKind::ExPost],
            ..EvaluationFilter::default()
        }
        .count(conn)?;
        if existing > 0 {
            continue;
        }
        let input = EvaluationDraft {
            project_code: Some(code.to_owned()),
            follow_up_id: None,
            kind: EvaluationKind::ExPost,
            status: EvaluationStatus::Completed,
            title: format!("Ex-post evaluation of {code}"),
            evaluator_type: None,
            evaluators: Vec::new(),
            commissioner: Some("IOM Development Fund".to_owned()),
            period_from: None,
            period_to: None,
            started_on: None,
            completed_on: None,
            report_url: None,
            methods: Vec::new(),
            limitations: None,
            summary: Some(finding.to_owned()),
            criteria: vec![JudgementDraft {
                criterion: Criterion::Sustainability,
                rating: None,
                finding: Some(finding.to_owned()),
            }],
        }
        .check()?;
        super::create(conn, actor, input)?;
        created += 1;
    }
    Ok(created)
}
