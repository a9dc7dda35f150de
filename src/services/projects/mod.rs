//! Project use cases: create, edit, delete, move along the lifecycle, replace a mapping set,
//! link. Each is one transaction that writes its audit event; history is that trail.

use std::collections::HashMap;

use serde::Serialize;

use super::{Actor, Precondition, audit, require_version};
use crate::db::{Conn, write_tx};
use crate::domain::project::{RuleFinding, Status};
use crate::domain::rules::{self, RuleFacts, RuleInput, StateFacts};
use crate::domain::{FundingLine, Scope};
use crate::error::{ApiError, ErrorCode, FieldError};
use crate::models::funding_rule::{FundingRule, FundingRuleFilter};
use crate::models::member_state::{Eligibility, MemberState};
use crate::models::now;
use crate::models::project::{
    Children, Link, MappingSet, Mappings, MemberShare, NewLink, Project, ProjectValues,
};

pub const RECORD: &str = "project";

/// A project with everything that hangs off it.
#[derive(Debug, Clone)]
pub struct ProjectView {
    pub id: i64,
    pub values: ProjectValues,
    pub children: Children,
}

/// A checked project as a client wrote it (timestamps and version are the service's).
#[derive(Debug, Clone)]
pub struct ProjectInput {
    pub values: ProjectValues,
    pub member_states: Vec<MemberShare>,
    pub mappings: Mappings,
    pub innovation_areas: Vec<String>,
    pub cross_cutting_themes: Vec<String>,
}

/// What the audit trail records of a project.
#[derive(Serialize)]
struct Snapshot<'a> {
    #[serde(flatten)]
    values: &'a ProjectValues,
    member_states: &'a [MemberShare],
    #[serde(flatten)]
    mappings: &'a Mappings,
    innovation_areas: &'a [String],
    cross_cutting_themes: &'a [String],
}

fn snapshot(values: &ProjectValues, c: &Children) -> serde_json::Value {
    serde_json::to_value(Snapshot {
        values,
        member_states: &c.member_states,
        mappings: &c.mappings,
        innovation_areas: &c.innovation_areas,
        cross_cutting_themes: &c.cross_cutting_themes,
    })
    .unwrap_or_default()
}

pub fn find(conn: &mut Conn, code: &str) -> Result<ProjectView, ApiError> {
    let p =
        Project::find(conn, code)?.ok_or_else(|| ApiError::not_found(format!("project {code}")))?;
    let children = Children::load(conn, &[p.id])?
        .remove(&p.id)
        .unwrap_or_default();
    Ok(ProjectView {
        id: p.id,
        values: p.v,
        children,
    })
}

/// Views of `rows` with their children, in a fixed number of queries.
pub fn with_children(conn: &mut Conn, rows: Vec<Project>) -> Result<Vec<ProjectView>, ApiError> {
    let ids: Vec<i64> = rows.iter().map(|p| p.id).collect();
    let mut children = Children::load(conn, &ids)?;
    Ok(rows
        .into_iter()
        .map(|p| ProjectView {
            id: p.id,
            children: children.remove(&p.id).unwrap_or_default(),
            values: p.v,
        })
        .collect())
}

/// A project officer scoped to member states may touch only projects all of whose states
/// are in that scope.
pub(crate) fn check_scope(actor: &Actor, states: &[MemberShare]) -> Result<(), ApiError> {
    let Some(scope) = &actor.member_states else {
        return Ok(());
    };
    match states.iter().find(|s| !scope.contains(&s.iso3)) {
        Some(outside) => Err(ApiError::forbidden(format!(
            "your scope ({}) does not include {}",
            scope.join(", "),
            outside.iso3
        ))),
        None => Ok(()),
    }
}

/// Every benefitting state must be registered; unknown ones are named.
fn check_states_exist(
    conn: &mut Conn,
    states: &[MemberShare],
) -> Result<HashMap<String, MemberState>, ApiError> {
    let mut found = HashMap::new();
    let mut errors = Vec::new();
    for (i, s) in states.iter().enumerate() {
        match MemberState::find(conn, &s.iso3)? {
            Some(m) => {
                found.insert(s.iso3.clone(), m);
            }
            None => errors.push(FieldError::new(
                format!("member_states[{i}].iso3"),
                "unknown_member_state",
                format!("{} is not a registered member state", s.iso3),
            )),
        }
    }
    if errors.is_empty() {
        Ok(found)
    } else {
        Err(ApiError::validation(errors))
    }
}

fn write_children(conn: &mut Conn, id: i64, input: &ProjectInput) -> Result<(), ApiError> {
    Project::replace_member_states(conn, id, &input.member_states)?;
    for set in [
        MappingSet::SdgTargets,
        MappingSet::Migof,
        MappingSet::GcmObjectives,
        MappingSet::Msd,
    ] {
        Project::replace_mapping(conn, id, set, &input.mappings)?;
    }
    Project::replace_terms(conn, id, "innovation-areas", &input.innovation_areas)?;
    Project::replace_terms(
        conn,
        id,
        "cross-cutting-themes",
        &input.cross_cutting_themes,
    )?;
    Ok(())
}

/// Gathers the facts of the Fund's rules for a project and evaluates them.
pub fn evaluate_rules(
    conn: &mut Conn,
    id: i64,
    v: &ProjectValues,
    states: &[MemberShare],
) -> Result<Vec<RuleFinding>, ApiError> {
    let line = FundingLine::parse(&v.funding_line)
        .ok_or_else(|| ApiError::internal(anyhow::anyhow!("stored line")))?;
    let scope = Scope::parse(&v.scope)
        .ok_or_else(|| ApiError::internal(anyhow::anyhow!("stored scope")))?;
    let cap_scope = if scope == Scope::National {
        Scope::National
    } else {
        Scope::Regional
    };
    let rule = FundingRule::list(
        conn,
        &FundingRuleFilter {
            funding_line: Some(line.as_str().to_owned()),
            scope: Some(cap_scope.as_str().to_owned()),
            year: Some(v.funding_year),
        },
    )?
    .into_iter()
    .next()
    .map(|r| RuleFacts {
        id: r.id,
        effective_year: r.effective_year,
        cap_cents: r.cap_usd_cents,
        exceptional_cap_cents: r.exceptional_cap_usd_cents,
        staff_office_max_ppm: i64::from(r.staff_office_max_share_ppm),
        min_endorsing_states: i64::from(r.min_endorsing_states),
    });
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
    let envelope =
        crate::models::allocation::Allocation::find(conn, v.funding_year, line.as_str())?
            .map(|a| a.envelope_usd_cents);
    lock_envelope(conn, v.funding_year, line.as_str())?;
    let holding: Vec<&str> = Status::ALL
        .iter()
        .filter(|s| s.holds_funds())
        .map(|s| s.as_str())
        .collect();
    let committed = Project::committed_budget(conn, v.funding_year, line.as_str(), &holding, id)?;
    Ok(rules::evaluate(&RuleInput {
        funding_year: v.funding_year,
        line,
        scope,
        budget_cents: v.budget_usd_cents,
        exceptional_increase: v.exceptional_increase,
        staff_office_share_ppm: v.staff_office_share_ppm.map(i64::from),
        states: &facts,
        rule: rule.as_ref(),
        envelope_cents: envelope,
        committed_cents: committed,
    }))
}

/// The field a finding points at, for the problem document.
fn finding_field(f: &RuleFinding, states: &[MemberShare]) -> String {
    match f.code.as_str() {
        "funding_cap_exceeded" | "allocation_exceeded" | "funding_rule_missing" => {
            "budget".to_owned()
        }
        "staff_office_share_exceeded" | "staff_office_share_missing" => {
            "staff_office_share".to_owned()
        }
        "member_state_not_eligible" => {
            let iso3 = f.details["iso3"].as_str().unwrap_or_default();
            let i = states
                .iter()
                .position(|s| s.iso3 == iso3)
                .unwrap_or_default();
            format!("member_states[{i}]")
        }
        _ => "member_states".to_owned(),
    }
}

fn rule_violation(findings: Vec<RuleFinding>, states: &[MemberShare]) -> ApiError {
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
            code: f.code,
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

pub fn create(
    conn: &mut Conn,
    actor: &Actor,
    mut input: ProjectInput,
) -> Result<ProjectView, ApiError> {
    check_scope(actor, &input.member_states)?;
    write_tx(conn, |conn| {
        if Project::find(conn, &input.values.code)?.is_some() {
            return Err(ApiError::conflict(format!(
                "project {} already exists",
                input.values.code
            )));
        }
        check_states_exist(conn, &input.member_states)?;
        let at = now();
        input.values.created_at = at;
        input.values.updated_at = at;
        input.values.version = 1;
        input.values.rule_warnings = "[]".to_owned();
        let id = Project::insert(conn, &input.values)?;
        let status = Status::parse(&input.values.status).unwrap_or(Status::Draft);
        if status.is_historical_entry() {
            // A past year's record: the rules are reported, never enforced.
            let findings = evaluate_rules(conn, id, &input.values, &input.member_states)?;
            input.values.rule_warnings =
                serde_json::to_string(&findings).map_err(ApiError::internal)?;
            super::written(Project::save(conn, id, 1, &input.values)?)?;
        }
        write_children(conn, id, &input)?;
        let view = find(conn, &input.values.code)?;
        audit::record(
            conn,
            actor,
            "create",
            RECORD,
            &view.values.code,
            None,
            Some(&snapshot(&view.values, &view.children)),
        )?;
        Ok(view)
    })
}

/// Applies `change` to the stored project and writes it, when `If-Match` matches.
pub fn update(
    conn: &mut Conn,
    actor: &Actor,
    code: &str,
    expected_version: &Precondition,
    change: impl FnOnce(ProjectInput) -> Result<ProjectInput, ApiError>,
) -> Result<ProjectView, ApiError> {
    write_tx(conn, |conn| {
        let before = find(conn, code)?;
        check_scope(actor, &before.children.member_states)?;
        require_version(expected_version, before.values.version)?;
        let mut input = change(ProjectInput {
            values: before.values.clone(),
            member_states: before.children.member_states.clone(),
            mappings: before.children.mappings.clone(),
            innovation_areas: before.children.innovation_areas.clone(),
            cross_cutting_themes: before.children.cross_cutting_themes.clone(),
        })?;
        check_scope(actor, &input.member_states)?;
        check_states_exist(conn, &input.member_states)?;
        recheck_rules(conn, actor, &before, &mut input)?;
        input.values.updated_at = now();
        input.values.version = before.values.version + 1;
        super::written(Project::save(
            conn,
            before.id,
            before.values.version,
            &input.values,
        )?)?;
        write_children(conn, before.id, &input)?;
        let after = find(conn, code)?;
        let (b, a) = (
            snapshot(&before.values, &before.children),
            snapshot(&after.values, &after.children),
        );
        audit::record(conn, actor, "update", RECORD, code, Some(&b), Some(&a))?;
        Ok(after)
    })
}

/// The fields the Fund's rules read.
fn rule_facts(v: &ProjectValues, states: &[MemberShare]) -> impl PartialEq {
    (
        (
            v.budget_usd_cents,
            v.funding_year,
            v.funding_line.clone(),
            v.scope.clone(),
        ),
        (v.exceptional_increase, v.staff_office_share_ppm),
        states
            .iter()
            .map(|s| (s.iso3.clone(), s.endorsed))
            .collect::<Vec<_>>(),
    )
}

/// An edit that changes what the rules read, on a project whose budget already counts against
/// the envelope, needs `projects:approve` and must pass the rules again (a past year's record
/// entered with warnings gets its warnings recomputed instead).
fn recheck_rules(
    conn: &mut Conn,
    actor: &Actor,
    before: &ProjectView,
    input: &mut ProjectInput,
) -> Result<(), ApiError> {
    let holds = Status::parse(&before.values.status).is_some_and(Status::holds_funds);
    if !holds
        || rule_facts(&before.values, &before.children.member_states)
            == rule_facts(&input.values, &input.member_states)
    {
        return Ok(());
    }
    let may_approve = crate::auth::Role::parse(&actor.role)
        .is_some_and(|r| r.has(crate::auth::Permission::ProjectsApprove));
    if !may_approve {
        return Err(ApiError::forbidden(format!(
            "{} is {}: changing its budget, year, line, scope, costs or states needs projects:approve",
            before.values.code, before.values.status
        )));
    }
    let findings = evaluate_rules(conn, before.id, &input.values, &input.member_states)?;
    if before.values.rule_warnings != "[]" {
        input.values.rule_warnings =
            serde_json::to_string(&findings).map_err(ApiError::internal)?;
        return Ok(());
    }
    if findings.is_empty() {
        Ok(())
    } else {
        Err(rule_violation(findings, &input.member_states))
    }
}

/// On PostgreSQL, serializes approvals of one year and line, so that two approvals at once
/// cannot both fit the envelope on their own and overrun it together (SQLite writes are
/// serialized already by `BEGIN IMMEDIATE`).
fn lock_envelope(conn: &mut Conn, year: i32, line: &str) -> Result<(), ApiError> {
    if let crate::db::AnyConnection::Postgresql(_) = conn {
        use diesel::RunQueryDsl;
        let key = 0x0de7_0000_i64 + i64::from(year) * 10 + i64::from(line == "line_2");
        diesel::sql_query("SELECT pg_advisory_xact_lock($1)")
            .bind::<diesel::sql_types::BigInt, _>(key)
            .execute(conn)?;
    }
    Ok(())
}

/// Replaces one mapping set.
pub fn replace_mapping(
    conn: &mut Conn,
    actor: &Actor,
    code: &str,
    expected_version: &Precondition,
    set: MappingSet,
    mappings: Mappings,
) -> Result<ProjectView, ApiError> {
    write_tx(conn, |conn| {
        let before = find(conn, code)?;
        check_scope(actor, &before.children.member_states)?;
        require_version(expected_version, before.values.version)?;
        Project::replace_mapping(conn, before.id, set, &mappings)?;
        super::written(Project::touch(
            conn,
            before.id,
            now(),
            before.values.version + 1,
        )?)?;
        let after = find(conn, code)?;
        let pick = |m: &Mappings| serde_json::to_value(m).unwrap_or_default()[set.field()].clone();
        let b = serde_json::json!({ set.field(): pick(&before.children.mappings) });
        let a = serde_json::json!({ set.field(): pick(&after.children.mappings) });
        audit::record(
            conn,
            actor,
            &format!("replace_{}", set.field()),
            RECORD,
            code,
            Some(&b),
            Some(&a),
        )?;
        Ok(after)
    })
}

pub fn delete(
    conn: &mut Conn,
    actor: &Actor,
    code: &str,
    expected_version: &Precondition,
) -> Result<(), ApiError> {
    write_tx(conn, |conn| {
        let before = find(conn, code)?;
        check_scope(actor, &before.children.member_states)?;
        require_version(expected_version, before.values.version)?;
        if before.values.status != Status::Draft.as_str() {
            return Err(ApiError::conflict(format!(
                "only draft projects can be deleted; {code} is {} (withdraw or cancel it instead)",
                before.values.status
            )));
        }
        Project::delete(conn, before.id)?;
        audit::record(
            conn,
            actor,
            "delete",
            RECORD,
            code,
            Some(&snapshot(&before.values, &before.children)),
            None,
        )?;
        Ok(())
    })
}

/// Moves a project along one edge of its lifecycle; entering `approved` applies the rules.
pub fn transition(
    conn: &mut Conn,
    actor: &Actor,
    code: &str,
    expected_version: &Precondition,
    to: Status,
    reason: &str,
) -> Result<ProjectView, ApiError> {
    write_tx(conn, |conn| {
        let mut view = find(conn, code)?;
        check_scope(actor, &view.children.member_states)?;
        require_version(expected_version, view.values.version)?;
        let from = Status::parse(&view.values.status)
            .ok_or_else(|| ApiError::internal(anyhow::anyhow!("stored status")))?;
        if !from.can_move_to(to) {
            let allowed: Vec<&str> = from.next().iter().map(|s| s.as_str()).collect();
            return Err(ApiError::new(
                ErrorCode::InvalidTransition,
                format!(
                    "a project cannot go from {from} to {to}; from {from} it may go to {}",
                    if allowed.is_empty() {
                        "nothing (it is final)".to_owned()
                    } else {
                        allowed.join(", ")
                    }
                ),
            ));
        }
        if to == Status::Approved {
            let findings =
                evaluate_rules(conn, view.id, &view.values, &view.children.member_states)?;
            if !findings.is_empty() {
                return Err(rule_violation(findings, &view.children.member_states));
            }
        }
        view.values.status = to.as_str().to_owned();
        view.values.updated_at = now();
        view.values.version += 1;
        super::written(Project::save(
            conn,
            view.id,
            view.values.version - 1,
            &view.values,
        )?)?;
        let b = serde_json::json!({"status": from.as_str()});
        let a = serde_json::json!({"status": to.as_str(), "reason": reason});
        audit::record(conn, actor, "transition", RECORD, code, Some(&b), Some(&a))?;
        Ok(view)
    })
}

/// Adds a link; its other side is a project of the portfolio or a title.
pub fn add_link(
    conn: &mut Conn,
    actor: &Actor,
    code: &str,
    mut link: NewLink,
) -> Result<Link, ApiError> {
    write_tx(conn, |conn| {
        let view = find(conn, code)?;
        check_scope(actor, &view.children.member_states)?;
        if let Some(target) = &link.target_code {
            if target == code {
                return Err(ApiError::validation(vec![FieldError::new(
                    "target_code",
                    "self_link",
                    "a project cannot link to itself",
                )]));
            }
            if Project::find(conn, target)?.is_none() {
                return Err(ApiError::validation(vec![FieldError::new(
                    "target_code",
                    "unknown_project",
                    format!(
                        "{target} is not in the portfolio; name a project outside it by target_title alone"
                    ),
                )]));
            }
        }
        link.project_id = view.id;
        link.created_at = now();
        let row = link.insert(conn)?;
        super::written(Project::touch(
            conn,
            view.id,
            link.created_at,
            view.values.version + 1,
        )?)?;
        audit::record(conn, actor, "add_link", RECORD, code, None, Some(&row))?;
        Ok(row)
    })
}

pub fn remove_link(
    conn: &mut Conn,
    actor: &Actor,
    code: &str,
    link_id: i64,
) -> Result<(), ApiError> {
    write_tx(conn, |conn| {
        let view = find(conn, code)?;
        check_scope(actor, &view.children.member_states)?;
        let Some(link) = view
            .children
            .links
            .iter()
            .find(|l| l.id == link_id)
            .cloned()
        else {
            return Err(ApiError::not_found(format!("link {link_id} of {code}")));
        };
        Link::delete(conn, view.id, link_id)?;
        super::written(Project::touch(
            conn,
            view.id,
            now(),
            view.values.version + 1,
        )?)?;
        audit::record(conn, actor, "remove_link", RECORD, code, Some(&link), None)?;
        Ok(())
    })
}
