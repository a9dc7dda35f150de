//! The Fund's rules for a batch of history entries, evaluated in memory over facts loaded
//! once: what [`super::super::rules::evaluate_rules`] reads for each project, read for all
//! of them in a fixed number of queries.

use std::collections::HashMap;

use crate::db::{self, Conn};
use crate::domain::FundingLine;
use crate::domain::project::RuleFinding;
use crate::domain::rules::StateFacts;
use crate::error::ApiError;
use crate::models::allocation::Allocation;
use crate::models::funding_rule::{FundingRule, FundingRuleFilter};
use crate::models::member_state::{Eligibility, MemberState};
use crate::models::project::{MemberShare, Project, ProjectContent};
use crate::services::projects::rules::{cap_scope, evaluate, rule_facts_of};

/// A year's envelope of one funding line.
type Envelope = (i32, FundingLine);

/// What the rules read, for every year and line a batch touches.
pub(super) struct Facts {
    /// Every funding rule, latest effective year first within each line and scope.
    rules: Vec<FundingRule>,
    /// (state, year) → (line 1 eligible, line 2 eligible).
    eligibility: HashMap<(String, i32), (bool, bool)>,
    envelopes: HashMap<Envelope, i64>,
    /// What the stored projects commit, plus the batch's projects created so far.
    committed: HashMap<Envelope, i64>,
}

impl Facts {
    /// Loads the facts for `entries` (the batch's history entries). Takes each envelope's
    /// lock before reading what it commits, as [`super::super::rules::evaluate_rules`] does.
    pub(super) fn load(conn: &mut Conn, entries: &[&ProjectContent]) -> Result<Facts, ApiError> {
        let mut facts = Facts {
            rules: Vec::new(),
            eligibility: HashMap::new(),
            envelopes: HashMap::new(),
            committed: HashMap::new(),
        };
        if entries.is_empty() {
            return Ok(facts);
        }
        let mut years: Vec<i32> = entries.iter().map(|v| v.funding_year).collect();
        years.sort_unstable();
        years.dedup();
        let touched: Vec<Envelope> = entries
            .iter()
            .map(|v| (v.funding_year, v.funding_line))
            .collect();
        facts.rules = FundingRule::list(conn, &FundingRuleFilter::default())?;
        facts.eligibility = Eligibility::for_years(conn, &years)?
            .into_iter()
            .map(|e| ((e.iso3, e.year), (e.line_1_eligible, e.line_2_eligible)))
            .collect();
        facts.envelopes = Allocation::list(conn, None, None)?
            .into_iter()
            .map(|a| ((a.year, a.funding_line), a.envelope_usd_cents))
            .collect();
        db::lock_envelopes(conn, &touched)?;
        facts.committed = Project::committed_budgets(conn, &years)?;
        Ok(facts)
    }

    /// The findings for `v` with `states` (all registered: `members`), as
    /// [`super::super::rules::evaluate_rules`] would report them after the batch's earlier
    /// projects.
    pub(super) fn evaluate(
        &self,
        v: &ProjectContent,
        states: &[MemberShare],
        members: &HashMap<String, MemberState>,
    ) -> Vec<RuleFinding> {
        let (year, line) = (v.funding_year, v.funding_line);
        let scope = cap_scope(v.scope);
        let rule = self
            .rules
            .iter()
            .find(|r| r.funding_line == line && r.scope == scope && r.effective_year <= year)
            .map(rule_facts_of);
        let states: Vec<StateFacts> = states
            .iter()
            .map(|s| StateFacts {
                iso3: s.iso3.clone(),
                iom_member: members.get(&s.iso3).is_some_and(|m| m.iom_member),
                eligibility: self.eligibility.get(&(s.iso3.clone(), year)).copied(),
                endorsed: s.endorsed,
            })
            .collect();
        let envelope = self.envelopes.get(&(year, line)).copied();
        let committed = self.committed.get(&(year, line)).copied().unwrap_or(0);
        evaluate(v, &states, rule.as_ref(), envelope, committed)
    }

    /// Counts a created project's budget against its envelope, when it holds funds.
    pub(super) fn commit(&mut self, v: &ProjectContent) {
        if v.status.holds_funds() {
            let c = self
                .committed
                .entry((v.funding_year, v.funding_line))
                .or_default();
            *c = c.saturating_add(v.budget_usd_cents);
        }
    }
}
