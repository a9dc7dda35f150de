//! The Fund's rules applied to a project: the facts gathered from the database (funding rule
//! in force, eligibility, envelope, what is already committed), evaluated by
//! [`crate::domain::rules::evaluate`], and turned into a 422 `rule_violation` that points at
//! the fields at fault. Also the re-check an edit of a project that holds funds needs.

use crate::auth::Permission;
use crate::db::{self, Conn};
use crate::domain::Scope;
use crate::domain::project::{RuleCode, RuleFinding};
use crate::domain::rules::{self, RuleFacts, RuleInput, StateFacts};
use crate::error::{ApiError, ErrorCode, FieldError};
use crate::models::allocation::Allocation;
use crate::models::funding_rule::{FundingRule, FundingRuleFilter};
use crate::models::member_state::{Eligibility, MemberState};
use crate::models::project::{MemberShare, Project, ProjectContent, RuleWarnings};
use crate::services::Actor;

/// Gathers the facts of the Fund's rules for project `id` as `v` describes it and evaluates
/// them. Takes the envelope's lock first ([`db::lock_envelope`]), so that what is committed
/// cannot change before the caller's write commits.
pub fn evaluate_rules(
    conn: &mut Conn,
    id: i64,
    v: &ProjectContent,
    states: &[MemberShare],
) -> Result<Vec<RuleFinding>, ApiError> {
    let line = v.funding_line;
    let rule = FundingRule::list(
        conn,
        &FundingRuleFilter {
            funding_line: Some(line),
            scope: Some(cap_scope(v.scope)),
            year: Some(v.funding_year),
        },
    )?
    .into_iter()
    .next()
    .map(|r| rule_facts_of(&r));
    let mut facts = Vec::with_capacity(states.len());
    for s in states {
        let member = MemberState::find(conn, &s.iso3)?;
        let eligibility = Eligibility::find(conn, &s.iso3, v.funding_year)?;
        facts.push(StateFacts {
            iso3: s.iso3.clone(),
            iom_member: member.is_some_and(|m| m.iom_member),
            eligibility: eligibility.map(|e| (e.line_1_eligible, e.line_2_eligible)),
            endorsed: s.endorsed,
        });
    }
    let envelope = Allocation::find(conn, v.funding_year, line)?.map(|a| a.envelope_usd_cents);
    db::lock_envelope(conn, v.funding_year, line)?;
    let committed = Project::committed_budget(conn, v.funding_year, line, id)?;
    Ok(evaluate(v, &facts, rule.as_ref(), envelope, committed))
}

/// The scope whose funding rule caps a project: national, or regional for any other.
pub(super) fn cap_scope(scope: Scope) -> Scope {
    if scope == Scope::National {
        Scope::National
    } else {
        Scope::Regional
    }
}

/// What the rules read of a funding rule.
pub(super) fn rule_facts_of(r: &FundingRule) -> RuleFacts {
    RuleFacts {
        id: r.id,
        effective_year: r.effective_year,
        cap_cents: r.cap_usd_cents,
        exceptional_cap_cents: r.exceptional_cap_usd_cents,
        staff_office_max_ppm: i64::from(r.staff_office_max_share_ppm),
        min_endorsing_states: i64::from(r.min_endorsing_states),
    }
}

/// The rules evaluated over the facts gathered for project `v` (from the database, or
/// loaded once for a batch: [`super::bulk`]).
pub(super) fn evaluate(
    v: &ProjectContent,
    states: &[StateFacts],
    rule: Option<&RuleFacts>,
    envelope_cents: Option<i64>,
    committed_cents: i64,
) -> Vec<RuleFinding> {
    rules::evaluate(&RuleInput {
        funding_year: v.funding_year,
        line: v.funding_line,
        scope: v.scope,
        budget_cents: v.budget_usd_cents,
        exceptional_increase: v.exceptional_increase,
        staff_office_share_ppm: v.staff_office_share_ppm.map(i64::from),
        states,
        rule,
        envelope_cents,
        committed_cents,
    })
}

/// The field a finding points at, for the problem document.
fn finding_field(f: &RuleFinding, states: &[MemberShare]) -> String {
    match f.code {
        RuleCode::FundingCapExceeded
        | RuleCode::AllocationExceeded
        | RuleCode::FundingRuleMissing => "budget".to_owned(),
        RuleCode::StaffOfficeShareExceeded | RuleCode::StaffOfficeShareMissing => {
            "staff_office_share".to_owned()
        }
        RuleCode::MemberStateNotEligible => {
            let iso3 = f.details["iso3"].as_str().unwrap_or_default();
            let i = states
                .iter()
                .position(|s| s.iso3 == iso3)
                .unwrap_or_default();
            format!("member_states[{i}]")
        }
        RuleCode::EndorsementsMissing => "member_states".to_owned(),
    }
}

/// 422 `rule_violation` listing every finding, each at its field.
pub fn rule_violation(findings: Vec<RuleFinding>, states: &[MemberShare]) -> ApiError {
    let detail = format!(
        "{} Fund rule(s) fail: {}",
        findings.len(),
        findings
            .iter()
            .map(|f| f.code.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    );
    let errors = findings
        .into_iter()
        .map(|f| FieldError {
            field: finding_field(&f, states),
            code: f.code.as_str().to_owned(),
            message: f.message,
            details: Some(f.details),
        })
        .collect();
    ApiError::Client {
        code: ErrorCode::RuleViolation,
        detail,
        errors,
    }
}

/// The facts the Fund's rules read of a project.
fn rule_facts(v: &ProjectContent, states: &[MemberShare]) -> impl PartialEq {
    (
        (v.budget_usd_cents, v.funding_year, v.funding_line, v.scope),
        (v.exceptional_increase, v.staff_office_share_ppm),
        states
            .iter()
            .map(|s| (s.iso3.clone(), s.endorsed))
            .collect::<Vec<_>>(),
    )
}

/// An edit that changes what the rules read, on a project whose budget already counts against
/// the envelope, needs `projects:approve` and must pass the rules again; a past year's record
/// entered with warnings gets its warnings recomputed instead. Answers the warnings the
/// project keeps.
pub fn recheck(
    conn: &mut Conn,
    actor: &Actor,
    id: i64,
    before: (&ProjectContent, &[MemberShare], &RuleWarnings),
    after: (&ProjectContent, &[MemberShare]),
) -> Result<RuleWarnings, ApiError> {
    let (old, old_states, warnings) = before;
    let (new, new_states) = after;
    if !old.status.holds_funds() || rule_facts(old, old_states) == rule_facts(new, new_states) {
        return Ok(warnings.clone());
    }
    if !actor.role.has(Permission::ProjectsApprove) {
        return Err(ApiError::forbidden(format!(
            "{} is {}: changing its budget, year, line, scope, costs or states needs projects:approve",
            old.code, old.status
        )));
    }
    let findings = evaluate_rules(conn, id, new, new_states)?;
    if warnings.recorded() {
        return Ok(RuleWarnings(findings));
    }
    if findings.is_empty() {
        Ok(warnings.clone())
    } else {
        Err(rule_violation(findings, new_states))
    }
}
