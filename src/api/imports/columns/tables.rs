//! Each kind's columns: exactly those of its CSV export, in the export's order, each with
//! how its cell is read (see [`Cell`]).

use super::Cell::{self, *};
use crate::api::imports::Kind;

const MEMBER_STATES: &[(&str, Cell)] = &[
    ("iso3", Text),
    ("name", Text),
    ("region", Text),
    ("region_label", Ignore),
    ("iom_member", Bool),
    ("member_since", OptInt),
    ("eligibility_iso3", Ignore),
    ("eligibility_year", Ignore),
    ("eligibility_income_group", Ignore),
    ("eligibility_line_1_eligible", Ignore),
    ("eligibility_line_2_eligible", Ignore),
    ("eligibility_note", Ignore),
    ("eligibility_updated_at", Ignore),
    ("created_at", Ignore),
    ("updated_at", Ignore),
];

const ELIGIBILITY: &[(&str, Cell)] = &[
    ("iso3", Text),
    ("year", Int),
    ("income_group", Text),
    ("line_1_eligible", Bool),
    ("line_2_eligible", Bool),
    ("note", Opt),
    ("updated_at", Ignore),
];

const EXCHANGE_RATES: &[(&str, Cell)] = &[
    ("currency", Text),
    ("month", Text),
    ("usd_per_unit", Text),
    ("source", Text),
    ("updated_at", Ignore),
];

const PROJECTS: &[(&str, Cell)] = &[
    ("code", Text),
    ("title", Text),
    ("status", Text),
    ("funding_line", Text),
    ("funding_year", Int),
    ("scope", Text),
    ("budget_usd", Usd),
    ("staff_office_share", Opt),
    ("exceptional_increase", Bool),
    ("thematic_area", Opt),
    ("thematic_area_label", Ignore),
    ("member_states", States),
    ("member_state_names", Ignore),
    ("regions", Ignore),
    ("region_labels", Ignore),
    ("sdg_targets", List),
    ("migof", List),
    ("gcm_objectives", IntList),
    ("msd", Msd),
    ("start_date", Opt),
    ("end_date", Opt),
    ("actual_end_date", Opt),
    ("follow_up_total_usd", Ignore),
    ("leverage", Ignore),
    ("updated_at", Ignore),
];

const FOLLOW_UPS: &[(&str, Cell)] = &[
    ("id", OptInt),
    ("project_code", Text),
    ("title", Opt),
    ("source_name", Opt),
    ("source_type", Text),
    ("amount", Amount),
    ("currency", Currency),
    ("amount_is_lower_bound", Bool),
    ("amount_usd", Ignore),
    ("usd_rate", Ignore),
    ("usd_conversion", Ignore),
    ("status", Text),
    ("date", Opt),
    ("in_kind", Bool),
    ("scaling_up_dimensions", List),
    ("follow_up_project_code", Opt),
    ("description", Opt),
    ("evidence_url", Opt),
];

const EVALUATIONS: &[(&str, Cell)] = &[
    ("id", OptInt),
    (
        "subject_project_code",
        part("subject", "project_code", false),
    ),
    (
        "subject_follow_up_id",
        part("subject", "follow_up_id", true),
    ),
    ("project_code", Ignore),
    ("kind", Text),
    ("status", Text),
    ("title", Text),
    ("evaluator_type", Opt),
    ("evaluators", JsonList),
    ("commissioner", Opt),
    ("period_from", Opt),
    ("period_to", Opt),
    ("started_on", Opt),
    ("completed_on", Opt),
    ("report_url", Opt),
    ("methods", List),
    ("limitations", Opt),
    ("summary", Opt),
    ("criteria", JsonList),
    ("question_count", Ignore),
    ("recommendation_count", Ignore),
    ("created_at", Ignore),
    ("updated_at", Ignore),
];

const fn part(of: &'static str, field: &'static str, int: bool) -> Cell {
    Part { of, field, int }
}

/// A column of management's response to a recommendation.
const fn response(field: &'static str) -> Cell {
    part("management_response", field, false)
}

const RECOMMENDATIONS: &[(&str, Cell)] = &[
    ("id", OptInt),
    ("evaluation_id", Int),
    ("project_code", Ignore),
    ("evaluation_kind", Ignore),
    ("label", Text),
    ("position", OptInt),
    ("text", Text),
    ("category", Text),
    ("addressees", List),
    ("priority", Opt),
    ("due_date", Opt),
    ("response_decision", response("decision")),
    ("response_text", response("text")),
    ("responded_on", response("responded_on")),
    ("responded_by", response("responded_by")),
    ("status", Text),
    ("status_note", Opt),
    ("issued_on", Ignore),
    ("created_at", Ignore),
    ("updated_at", Ignore),
];

const PUBLICATIONS: &[(&str, Cell)] = &[
    ("id", OptInt),
    ("kind", Text),
    ("title", Text),
    ("year", Int),
    ("languages", List),
    ("member_states", List),
    ("project_codes", List),
    ("url", Opt),
    ("isbn", Opt),
    ("copies_distributed", OptInt),
    ("updates_id", OptInt),
    ("note", Opt),
    ("created_at", Ignore),
    ("updated_at", Ignore),
];

pub(super) fn columns(kind: Kind) -> &'static [(&'static str, Cell)] {
    match kind {
        Kind::MemberStates => MEMBER_STATES,
        Kind::Eligibility => ELIGIBILITY,
        Kind::ExchangeRates => EXCHANGE_RATES,
        Kind::Projects => PROJECTS,
        Kind::FollowUpFunding => FOLLOW_UPS,
        Kind::Evaluations => EVALUATIONS,
        Kind::Recommendations => RECOMMENDATIONS,
        Kind::Publications => PUBLICATIONS,
    }
}
