//! The Fund's approval rules, as a pure function of the facts the service gathers.
//!
//! Every rule is checked and every failure reported, so a fund manager sees all that blocks
//! an approval at once. Global projects are capped like regional ones (they span states).

use serde_json::json;

use super::money::Money;
use super::project::{RuleCode, RuleFinding};
use super::{FundingLine, Scope, Share};

/// A benefitting state as the rules see it in the funding year.
#[derive(Debug, Clone)]
pub struct StateFacts {
    pub iso3: String,
    pub iom_member: bool,
    /// `(line_1_eligible, line_2_eligible)` for the funding year; `None` when not recorded.
    pub eligibility: Option<(bool, bool)>,
    pub endorsed: bool,
}

impl StateFacts {
    fn eligible_for(&self, line: FundingLine) -> bool {
        match (self.eligibility, line) {
            (Some((l1, _)), FundingLine::Line1) => l1,
            (Some((_, l2)), FundingLine::Line2) => l2,
            (None, _) => false,
        }
    }
}

/// The funding rule in force for the year, line and scope.
#[derive(Debug, Clone)]
pub struct RuleFacts {
    pub id: i64,
    pub effective_year: i32,
    pub cap_cents: i64,
    pub exceptional_cap_cents: Option<i64>,
    pub staff_office_max_ppm: i64,
    pub min_endorsing_states: i64,
}

#[derive(Debug, Clone)]
pub struct RuleInput<'a> {
    pub funding_year: i32,
    pub line: FundingLine,
    pub scope: Scope,
    pub budget_cents: i64,
    pub exceptional_increase: bool,
    pub staff_office_share_ppm: Option<i64>,
    pub states: &'a [StateFacts],
    pub rule: Option<&'a RuleFacts>,
    /// The year's envelope for the line; `None` when none is set.
    pub envelope_cents: Option<i64>,
    /// Budgets of the line's other projects of that year that already hold funds.
    pub committed_cents: i64,
}

fn usd(cents: i64) -> String {
    Money::usd_cents(cents).amount_string()
}

fn finding(code: RuleCode, message: String, details: serde_json::Value) -> RuleFinding {
    RuleFinding {
        code,
        message,
        details,
    }
}

/// Every rule that fails, in a fixed order.
pub fn evaluate(input: &RuleInput<'_>) -> Vec<RuleFinding> {
    let mut out = Vec::new();
    let line = input.line.as_str();
    let scope = input.scope.as_str();
    match input.rule {
        None => out.push(finding(
            RuleCode::FundingRuleMissing,
            format!(
                "no funding rule covers {line} {scope} projects in {}",
                input.funding_year
            ),
            json!({"funding_line": line, "scope": scope, "funding_year": input.funding_year}),
        )),
        Some(rule) => {
            let exceptional = input.exceptional_increase && rule.exceptional_cap_cents.is_some();
            let cap = if exceptional {
                rule.exceptional_cap_cents.unwrap_or(rule.cap_cents)
            } else {
                rule.cap_cents
            };
            if input.budget_cents > cap {
                out.push(finding(
                    RuleCode::FundingCapExceeded,
                    format!("the budget USD {} is over the {line} {scope} cap of USD {}", usd(input.budget_cents), usd(cap)),
                    json!({
                        "funding_line": line, "scope": scope, "cap": usd(cap), "budget": usd(input.budget_cents),
                        "rule_id": rule.id, "rule_effective_year": rule.effective_year,
                        "exceptional": input.exceptional_increase,
                    }),
                ));
            }
            if input.staff_office_share_ppm.is_none() {
                out.push(finding(
                    RuleCode::StaffOfficeShareMissing,
                    "the staff-and-office share of the budget is not given, so the 30 % rule cannot be checked".to_owned(),
                    json!({"max": Share::from_ppm(rule.staff_office_max_ppm).to_string(), "rule_id": rule.id}),
                ));
            }
            if let Some(share) = input.staff_office_share_ppm
                && share > rule.staff_office_max_ppm
            {
                out.push(finding(
                    RuleCode::StaffOfficeShareExceeded,
                    format!(
                        "staff and office costs are {} of the budget; at most {} is allowed",
                        Share::from_ppm(share),
                        Share::from_ppm(rule.staff_office_max_ppm)
                    ),
                    json!({"share": Share::from_ppm(share).to_string(), "max": Share::from_ppm(rule.staff_office_max_ppm).to_string(), "rule_id": rule.id}),
                ));
            }
            if input.scope != Scope::National {
                let endorsing = input
                    .states
                    .iter()
                    .filter(|s| s.endorsed && s.iom_member && s.eligible_for(input.line))
                    .count();
                if (endorsing as i64) < rule.min_endorsing_states {
                    out.push(finding(
                        RuleCode::EndorsementsMissing,
                        format!("{endorsing} eligible member state(s) endorsed this {scope} project; {} are needed", rule.min_endorsing_states),
                        json!({"endorsing": endorsing, "required": rule.min_endorsing_states}),
                    ));
                }
            }
        }
    }
    let eligible_members = input
        .states
        .iter()
        .filter(|s| s.iom_member && s.eligible_for(input.line))
        .count();
    let mostly_eligible = eligible_members * 2 > input.states.len();
    for s in input.states {
        let reason = if !s.iom_member {
            (input.scope == Scope::National || !mostly_eligible).then(|| {
                "is not an IOM member state; non-members may benefit only from regional projects whose beneficiaries are mostly eligible member states".to_owned()
            })
        } else if s.eligibility.is_none() {
            Some(format!(
                "has no eligibility record for {}",
                input.funding_year
            ))
        } else if !s.eligible_for(input.line) {
            Some(format!(
                "is not eligible for {line} in {}",
                input.funding_year
            ))
        } else {
            None
        };
        if let Some(reason) = reason {
            out.push(finding(
                RuleCode::MemberStateNotEligible,
                format!("{} {reason}", s.iso3),
                json!({"iso3": s.iso3, "funding_line": line, "funding_year": input.funding_year, "iom_member": s.iom_member}),
            ));
        }
    }
    match input.envelope_cents {
        None => out.push(finding(
            RuleCode::AllocationExceeded,
            format!("no envelope is set for {line} in {}", input.funding_year),
            json!({"funding_line": line, "year": input.funding_year, "envelope": null}),
        )),
        Some(envelope) => {
            let after = input.committed_cents.saturating_add(input.budget_cents);
            if after > envelope {
                out.push(finding(
                    RuleCode::AllocationExceeded,
                    format!(
                        "approving would commit USD {} of the USD {} {line} envelope for {}",
                        usd(after),
                        usd(envelope),
                        input.funding_year
                    ),
                    json!({"funding_line": line, "year": input.funding_year, "envelope": usd(envelope), "committed": usd(input.committed_cents), "budget": usd(input.budget_cents)}),
                ));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state(iso3: &str, member: bool, elig: Option<(bool, bool)>, endorsed: bool) -> StateFacts {
        StateFacts {
            iso3: iso3.into(),
            iom_member: member,
            eligibility: elig,
            endorsed,
        }
    }

    fn rule() -> RuleFacts {
        RuleFacts {
            id: 1,
            effective_year: 2020,
            cap_cents: 10_000_000,
            exceptional_cap_cents: Some(20_000_000),
            staff_office_max_ppm: 300_000,
            min_endorsing_states: 2,
        }
    }

    fn codes(input: &RuleInput<'_>) -> Vec<&'static str> {
        evaluate(input)
            .into_iter()
            .map(|f| f.code.as_str())
            .collect()
    }

    fn base<'a>(states: &'a [StateFacts], rule: &'a RuleFacts) -> RuleInput<'a> {
        RuleInput {
            funding_year: 2026,
            line: FundingLine::Line1,
            scope: Scope::National,
            budget_cents: 10_000_000,
            exceptional_increase: false,
            staff_office_share_ppm: Some(300_000),
            states,
            rule: Some(rule),
            envelope_cents: Some(140_000_000),
            committed_cents: 0,
        }
    }

    #[test]
    fn a_project_within_every_rule_passes() {
        let (r, s) = (rule(), [state("NPL", true, Some((true, true)), false)]);
        assert!(codes(&base(&s, &r)).is_empty());
    }

    #[test]
    fn the_exceptional_cap_applies_only_with_the_flag() {
        let r = rule();
        let s = [
            state("KHM", true, Some((true, true)), true),
            state("VNM", true, Some((true, true)), true),
        ];
        let mut input = base(&s, &r);
        input.scope = Scope::Regional;
        input.budget_cents = 15_000_000;
        assert_eq!(codes(&input), ["funding_cap_exceeded"]);
        input.exceptional_increase = true;
        assert!(codes(&input).is_empty());
    }

    #[test]
    fn non_members_need_a_regional_project_of_mostly_eligible_members() {
        let r = rule();
        let s = [
            state("KHM", true, Some((true, true)), true),
            state("VNM", true, Some((true, true)), true),
            state("XKX", false, None, false),
        ];
        let mut input = base(&s, &r);
        input.scope = Scope::Regional;
        assert!(codes(&input).is_empty());
        let alone = [state("XKX", false, None, false)];
        assert_eq!(codes(&base(&alone, &r)), ["member_state_not_eligible"]);
    }

    #[test]
    fn all_failures_are_reported_together() {
        let r = rule();
        let s = [
            state("BRA", true, Some((false, false)), false),
            state("TUN", true, None, false),
        ];
        let mut input = base(&s, &r);
        input.scope = Scope::Regional;
        input.budget_cents = 30_000_000;
        input.staff_office_share_ppm = Some(400_000);
        input.committed_cents = 130_000_000;
        assert_eq!(
            codes(&input),
            [
                "funding_cap_exceeded",
                "staff_office_share_exceeded",
                "endorsements_missing",
                "member_state_not_eligible",
                "member_state_not_eligible",
                "allocation_exceeded"
            ]
        );
    }
}
