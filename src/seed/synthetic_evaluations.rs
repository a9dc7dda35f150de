//! Generated evaluations and recommendations for load tests, over the synthetic projects:
//! evaluations through the evaluation service; recommendations straight to the tables in
//! batches, with their addressees and status history (no audit events: load-test data, as
//! the synthetic follow-up funding).

use super::synthetic::{Lcg, synthetic_code};
use crate::db::{Conn, write_tx};
use crate::domain::evaluation::{
    Criterion, Decision, EvaluationKind, EvaluationStatus, Priority, Rating,
    RecommendationCategory, RecommendationStatus,
};
use crate::error::ApiError;
use crate::models::recommendation::{NewStatusChange, Recommendation, RecommendationValues};
use crate::services::Actor;
use crate::services::evaluations::{self, input::EvaluationDraft, input::JudgementDraft};

/// Who recommendations are addressed to.
const ADDRESSEES: [&str; 8] = [
    "IOM Country Office",
    "IOM Regional Office",
    "IOM Development Fund",
    "Government",
    "Ministry of Labour",
    "National Statistics Office",
    "SDC",
    "UNDP",
];

/// Batch size of one transaction.
const BATCH: usize = 500;

/// An evaluation: most are completed ex-post evaluations, as the Fund's rule asks.
fn draft(code: String, rng: &mut Lcg) -> (EvaluationDraft, chrono::NaiveDate) {
    let kind = match rng.next(10) {
        0..=5 => EvaluationKind::ExPost,
        6 => EvaluationKind::MidTerm,
        7 => EvaluationKind::Final,
        8 => EvaluationKind::ProjectPerformanceReview,
        _ => EvaluationKind::Thematic,
    };
    let status = match rng.next(10) {
        0..=6 => EvaluationStatus::Completed,
        7 => EvaluationStatus::InProgress,
        8 => EvaluationStatus::Planned,
        _ => EvaluationStatus::Cancelled,
    };
    let year = 2008 + rng.next_i32(18);
    let month = 1 + u32::try_from(rng.next(12)).unwrap_or(0);
    let on = chrono::NaiveDate::from_ymd_opt(year, month, 15).unwrap_or_default();
    let completed_on =
        (status == EvaluationStatus::Completed).then(|| format!("{year}-{month:02}"));
    let criteria = [
        Criterion::Relevance,
        Criterion::Effectiveness,
        Criterion::Sustainability,
    ]
    .into_iter()
    .map(|criterion| JudgementDraft {
        criterion,
        rating: Some(Rating::ALL[rng.next(Rating::ALL.len())]),
        finding: Some("Generated finding.".to_owned()),
    })
    .collect();
    let draft = EvaluationDraft {
        title: format!("Synthetic {} evaluation of {code}", kind.as_str()),
        project_code: Some(code),
        follow_up_id: None,
        kind,
        status,
        evaluator_type: None,
        evaluators: Vec::new(),
        commissioner: Some("IOM Development Fund".to_owned()),
        period_from: None,
        period_to: None,
        started_on: None,
        completed_on,
        report_url: None,
        methods: Vec::new(),
        limitations: None,
        summary: Some("Generated for load tests.".to_owned()),
        criteria,
    };
    (draft, on)
}

/// Recommendation `position` of an evaluation issued on `issued_on`.
fn recommendation(
    evaluation_id: i64,
    position: i32,
    issued_on: chrono::NaiveDate,
    rng: &mut Lcg,
) -> RecommendationValues {
    let status = RecommendationStatus::ALL[rng.next(RecommendationStatus::ALL.len())];
    let responded = rng.next(3) != 0;
    let at = crate::models::now();
    RecommendationValues {
        evaluation_id,
        label: format!("R{position}"),
        position,
        text: "Generated recommendation.".to_owned(),
        category: RecommendationCategory::ALL[rng.next(RecommendationCategory::ALL.len())],
        priority: [
            None,
            Some(Priority::High),
            Some(Priority::Medium),
            Some(Priority::Low),
        ][rng.next(4)],
        due_date: issued_on.checked_add_months(chrono::Months::new(
            6 + u32::try_from(rng.next(19)).unwrap_or(0),
        )),
        response_decision: responded.then(|| Decision::ALL[rng.next(Decision::ALL.len())]),
        response_text: None,
        responded_on: responded.then_some(issued_on),
        responded_by: None,
        status,
        status_note: None,
        issued_on,
        created_at: at,
        updated_at: at,
        version: 1,
    }
}

/// Writes one recommendation with one or two addressees and its history (opened, and moved
/// on when its status is not `open`).
fn insert(conn: &mut Conn, v: &RecommendationValues, rng: &mut Lcg) -> Result<(), ApiError> {
    let id = Recommendation::insert(conn, v)?;
    let first = rng.next(ADDRESSEES.len());
    let mut names = vec![ADDRESSEES[first].to_owned()];
    if rng.next(2) == 0 {
        names.push(ADDRESSEES[(first + 1) % ADDRESSEES.len()].to_owned());
    }
    Recommendation::replace_addressees(conn, id, &names)?;
    let mut change = |from, to| {
        Recommendation::record_change(
            conn,
            &NewStatusChange {
                recommendation_id: id,
                from_status: from,
                to_status: to,
                note: None,
                changed_at: v.created_at,
                changed_by: "synthetic",
                changed_by_role: "admin",
            },
        )
    };
    change(None, RecommendationStatus::Open)?;
    if v.status != RecommendationStatus::Open {
        change(Some(RecommendationStatus::Open), v.status)?;
    }
    Ok(())
}

/// Generates `evaluations` evaluations of the first `n` synthetic projects and
/// `recommendations` recommendations spread over them (each run adds more: run it once, on a
/// fresh database). Answers (evaluations, recommendations) created.
pub fn synthetic_evaluations(
    conn: &mut Conn,
    n: u32,
    evaluations: u32,
    recommendations: u32,
) -> Result<(usize, usize), ApiError> {
    let projects = usize::try_from(n).unwrap_or(0);
    if projects == 0 {
        return Ok((0, 0));
    }
    let actor = Actor::system("synthetic");
    let mut rng = Lcg(11);
    let total = usize::try_from(evaluations).unwrap_or(0);
    let mut made: Vec<(i64, chrono::NaiveDate)> = Vec::with_capacity(total);
    while made.len() < total {
        let end = (made.len() + BATCH).min(total);
        write_tx(conn, |conn| {
            for _ in made.len()..end {
                let (draft, on) = draft(synthetic_code(rng.next(projects)), &mut rng);
                let view = evaluations::create(conn, &actor, draft.check()?)?;
                made.push((view.id, on));
            }
            Ok::<_, ApiError>(())
        })?;
    }
    if made.is_empty() {
        return Ok((0, 0));
    }
    let total = usize::try_from(recommendations).unwrap_or(0);
    let mut positions = vec![0i32; made.len()];
    let mut written = 0;
    while written < total {
        let end = (written + BATCH).min(total);
        write_tx(conn, |conn| {
            for _ in written..end {
                let which = rng.next(made.len());
                positions[which] += 1;
                let (id, on) = made[which];
                let v = recommendation(id, positions[which], on, &mut rng);
                insert(conn, &v, &mut rng)?;
            }
            Ok::<_, ApiError>(())
        })?;
        written = end;
    }
    Ok((made.len(), written))
}
