//! The project payload: one shape for create, for the merge of a PATCH, and inside every
//! response; checked against the reference catalogue into a [`ProjectInput`].

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::api::money::BudgetInput;
use crate::api::schemas::{
    CrossCuttingThemeCode, GcmObjectiveNumber, InnovationAreaCode, Iso3Code, MigofElementCode,
    MsdDeliverableNumber, MsdOutcomeNumber, ProjectCodeSchema, SdgTargetCode, ShareText,
    ThematicAreaCode,
};
use crate::domain::project::{ProjectCode, Status};
use crate::domain::share::ONE;
use crate::domain::wire;
use crate::domain::{FundingLine, Iso3, Money, Scope, Share};
use crate::error::{ApiError, FieldError};
use crate::models::project::{Children, Mappings, MemberShare, ProjectValues};
use crate::models::reference::Catalogue;
use crate::services::projects::ProjectInput;

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ManagementSite {
    pub city: Option<String>,
    /// ISO 3166-1 alpha-3.
    #[schema(value_type = Option<Iso3Code>)]
    pub country: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MemberStateShare {
    #[schema(value_type = Iso3Code)]
    pub iso3: String,
    /// Share of the budget, a decimal string (`"0.5"`). Omit on every state for an equal
    /// split; when given on all, the shares must sum to 1 (within one millionth per state).
    #[serde(default)]
    #[schema(value_type = Option<ShareText>)]
    pub share: Option<String>,
    /// Whether the state endorsed the project (regional projects need two eligible endorsers).
    #[serde(default)]
    pub endorsed: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MsdMapping {
    #[schema(value_type = MsdOutcomeNumber)]
    pub outcome: i32,
    #[schema(value_type = Vec<MsdDeliverableNumber>)]
    pub deliverables: Vec<i32>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CoreCharacteristics {
    pub national_ownership: Option<String>,
    pub evidence_and_learning: Option<String>,
    pub scalability: Option<String>,
    pub innovation: Option<String>,
    pub sustainability: Option<String>,
}

/// Every field a client writes. `status` is accepted on create only (default `draft`; a
/// status from `approved` on enters a past year's record as history, which needs the
/// `projects:approve` permission); later changes go through transitions.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProjectFields {
    #[schema(value_type = ProjectCodeSchema)]
    pub code: String,
    #[schema(min_length = 1, max_length = 300, pattern = r"[^ \t\n\r]")]
    pub title: String,
    #[serde(default)]
    pub summary: Option<String>,
    #[serde(default)]
    pub status: Option<Status>,
    pub funding_line: FundingLine,
    #[schema(minimum = 1990, maximum = 2100)]
    pub funding_year: i32,
    pub scope: Scope,
    /// The seed budget, in USD.
    pub budget: BudgetInput,
    /// Staff and office costs as a share of the budget, e.g. `"0.25"`.
    #[serde(default)]
    #[schema(value_type = Option<ShareText>)]
    pub staff_office_share: Option<String>,
    #[serde(default)]
    pub exceptional_increase: bool,
    /// A code of `GET /api/v1/taxonomies/thematic-areas`.
    #[serde(default)]
    #[schema(value_type = Option<ThematicAreaCode>)]
    pub thematic_area: Option<String>,
    #[serde(default)]
    pub management_site: Option<ManagementSite>,
    /// The benefitting member states: exactly one for a national project.
    #[schema(min_items = 1)]
    pub member_states: Vec<MemberStateShare>,
    #[serde(default)]
    pub beneficiaries: Option<String>,
    #[serde(default)]
    #[schema(minimum = 1, maximum = 240)]
    pub duration_months: Option<i32>,
    #[serde(default)]
    pub start_date: Option<chrono::NaiveDate>,
    #[serde(default)]
    pub end_date: Option<chrono::NaiveDate>,
    #[serde(default)]
    pub actual_end_date: Option<chrono::NaiveDate>,
    /// SDG target codes, strings: `["10.7", "16.10"]`.
    #[serde(default)]
    #[schema(value_type = Vec<SdgTargetCode>)]
    pub sdg_targets: Vec<String>,
    /// MiGOF elements: `["P1", "O3"]`.
    #[serde(default)]
    #[schema(value_type = Vec<MigofElementCode>)]
    pub migof: Vec<String>,
    /// GCM objectives 1–23.
    #[serde(default)]
    #[schema(value_type = Vec<GcmObjectiveNumber>)]
    pub gcm_objectives: Vec<i32>,
    #[serde(default)]
    pub msd: Vec<MsdMapping>,
    #[serde(default)]
    #[schema(value_type = Vec<InnovationAreaCode>)]
    pub innovation_areas: Vec<String>,
    #[serde(default)]
    #[schema(value_type = Vec<CrossCuttingThemeCode>)]
    pub cross_cutting_themes: Vec<String>,
    #[serde(default)]
    pub core_characteristics: Option<CoreCharacteristics>,
    #[serde(default)]
    pub notable_achievements: Vec<String>,
}

fn push(
    errors: &mut Vec<FieldError>,
    field: impl Into<String>,
    code: &str,
    message: impl Into<String>,
) {
    errors.push(FieldError::new(field, code, message));
}

fn text(value: Option<String>) -> Option<String> {
    value
        .map(|s| wire::trim(&s).to_owned())
        .filter(|s| !s.is_empty())
}

/// Equal shares of `n` states in millionths, the remainder on the first (for display).
pub fn equal_shares(n: usize) -> Vec<i64> {
    let count = i64::try_from(n.max(1)).unwrap_or(1);
    (0..count)
        .map(|i| ONE / count + i64::from(i < ONE % count))
        .collect()
}

/// The benefitting states with their shares: equal split by default (the remainder of the
/// division goes to the first states, so the shares sum to exactly 1).
fn member_shares(
    input: &[MemberStateShare],
    scope: Scope,
    errors: &mut Vec<FieldError>,
) -> Vec<MemberShare> {
    if input.is_empty() {
        push(
            errors,
            "member_states",
            "required",
            "at least one benefitting member state is required",
        );
        return Vec::new();
    }
    if scope == Scope::National && input.len() > 1 {
        push(
            errors,
            "member_states",
            "national_project_has_one_state",
            "a national project benefits exactly one member state",
        );
    }
    let mut seen = BTreeSet::new();
    let mut out = Vec::with_capacity(input.len());
    for (i, s) in input.iter().enumerate() {
        if let Err(e) = Iso3::parse(&s.iso3) {
            push(
                errors,
                format!("member_states[{i}].iso3"),
                e.code(),
                e.to_string(),
            );
        } else if !seen.insert(s.iso3.clone()) {
            push(
                errors,
                format!("member_states[{i}].iso3"),
                "duplicate",
                format!("{} is listed twice", s.iso3),
            );
        }
        out.push(MemberShare {
            iso3: s.iso3.clone(),
            share_ppm: None,
            endorsed: s.endorsed,
            name: String::new(),
            region: String::new(),
        });
    }
    let given = input.iter().filter(|s| s.share.is_some()).count();
    let n = i64::try_from(input.len()).unwrap_or(1);
    if given == 0 {
        // An equal split, kept as such (money splits into exact equal parts).
    } else if given < input.len() {
        push(
            errors,
            "member_states",
            "shares_incomplete",
            "give a share for every state, or for none (equal split)",
        );
    } else {
        let mut total = 0;
        for (i, (s, o)) in input.iter().zip(out.iter_mut()).enumerate() {
            match Share::parse(s.share.as_deref().unwrap_or_default()) {
                Ok(share) => {
                    total += share.ppm();
                    o.share_ppm = Some(i32::try_from(share.ppm()).unwrap_or(0));
                }
                Err(e) => push(
                    errors,
                    format!("member_states[{i}].share"),
                    e.code(),
                    e.to_string(),
                ),
            }
        }
        if (total - ONE).abs() > n {
            push(
                errors,
                "member_states",
                "shares_do_not_sum_to_one",
                format!("the shares sum to {}, not 1", Share::from_ppm(total)),
            );
        }
    }
    out
}

/// The four mapping sets as a client sends them.
#[derive(Debug, Clone, Copy)]
pub struct MappingFields<'a> {
    pub sdg_targets: &'a [String],
    pub migof: &'a [String],
    pub gcm_objectives: &'a [i32],
    pub msd: &'a [MsdMapping],
}

/// Checks mapping sets against the catalogue (duplicates are dropped).
pub fn mappings(f: MappingFields<'_>, c: &Catalogue, errors: &mut Vec<FieldError>) -> Mappings {
    let mut m = Mappings::default();
    for (i, t) in f.sdg_targets.iter().enumerate() {
        if c.target(t).is_none() {
            push(
                errors,
                format!("sdg_targets[{i}]"),
                "unknown_sdg_target",
                format!("{t:?} is not an SDG target (e.g. \"10.7\")"),
            );
        } else if !m.sdg_targets.contains(t) {
            m.sdg_targets.push(t.clone());
        }
    }
    for (i, e) in f.migof.iter().enumerate() {
        if !c.migof.iter().any(|x| &x.code == e) {
            push(
                errors,
                format!("migof[{i}]"),
                "unknown_migof_element",
                format!("{e:?} is not one of P1–P3, O1–O3"),
            );
        } else if !m.migof.contains(e) {
            m.migof.push(e.clone());
        }
    }
    for (i, o) in f.gcm_objectives.iter().enumerate() {
        if !c.gcm.iter().any(|x| x.number == *o) {
            push(
                errors,
                format!("gcm_objectives[{i}]"),
                "unknown_gcm_objective",
                format!("{o} is not a GCM objective (1–23)"),
            );
        } else if !m.gcm_objectives.contains(o) {
            m.gcm_objectives.push(*o);
        }
    }
    for (i, entry) in f.msd.iter().enumerate() {
        if !c.msd_outcomes.iter().any(|x| x.number == entry.outcome) {
            push(
                errors,
                format!("msd[{i}].outcome"),
                "unknown_msd_outcome",
                format!("{} is not an MSD outcome", entry.outcome),
            );
            continue;
        }
        for (j, d) in entry.deliverables.iter().enumerate() {
            if !c
                .msd_deliverables
                .iter()
                .any(|x| x.outcome == entry.outcome && x.number == *d)
            {
                push(
                    errors,
                    format!("msd[{i}].deliverables[{j}]"),
                    "unknown_msd_deliverable",
                    format!("outcome {} has no deliverable {d}", entry.outcome),
                );
            } else if !m.msd.contains(&(entry.outcome, *d)) {
                m.msd.push((entry.outcome, *d));
            }
        }
    }
    m.msd.sort_unstable();
    m
}

fn terms(
    values: &[String],
    taxonomy: &str,
    field: &str,
    c: &Catalogue,
    errors: &mut Vec<FieldError>,
) -> Vec<String> {
    let known = c
        .taxonomies
        .get(taxonomy)
        .map(Vec::as_slice)
        .unwrap_or_default();
    let mut out = Vec::new();
    for (i, v) in values.iter().enumerate() {
        if !known.iter().any(|t| &t.code == v) {
            push(
                errors,
                format!("{field}[{i}]"),
                "unknown_term",
                format!("{v:?} is not in GET /api/v1/taxonomies/{taxonomy}"),
            );
        } else if !out.contains(v) {
            out.push(v.clone());
        }
    }
    out.sort_unstable();
    out
}

/// Checks every field against the rules and the catalogue, listing every problem at once.
pub fn to_input(f: ProjectFields, c: &Catalogue) -> Result<ProjectInput, ApiError> {
    let mut errors = Vec::new();
    if ProjectCode::parse(&f.code).is_none() {
        push(
            &mut errors,
            "code",
            "invalid_code",
            "must look like PO.0125: two capital letters, a dot, four digits",
        );
    }
    let title = wire::trim(&f.title).to_owned();
    if title.is_empty() || f.title.chars().count() > 300 {
        push(
            &mut errors,
            "title",
            "invalid_length",
            "must be 1–300 characters",
        );
    }
    if !(1990..=2100).contains(&f.funding_year) {
        push(
            &mut errors,
            "funding_year",
            "out_of_range",
            "must be between 1990 and 2100",
        );
    }
    let budget = f
        .budget
        .parse()
        .map_err(|e| push(&mut errors, "budget", e.code(), e.to_string()))
        .ok();
    let staff_share = f.staff_office_share.as_deref().and_then(|s| {
        Share::parse(s)
            .map_err(|e| push(&mut errors, "staff_office_share", e.code(), e.to_string()))
            .ok()
    });
    if let Some(area) = &f.thematic_area
        && !c
            .taxonomies
            .get("thematic-areas")
            .is_some_and(|t| t.iter().any(|x| &x.code == area))
    {
        push(
            &mut errors,
            "thematic_area",
            "unknown_term",
            format!("{area:?} is not in GET /api/v1/taxonomies/thematic-areas"),
        );
    }
    let site = f.management_site.clone().unwrap_or_default();
    if let Some(country) = &site.country
        && let Err(e) = Iso3::parse(country)
    {
        push(
            &mut errors,
            "management_site.country",
            e.code(),
            e.to_string(),
        );
    }
    if let Some(d) = f.duration_months
        && !(1..=240).contains(&d)
    {
        push(
            &mut errors,
            "duration_months",
            "out_of_range",
            "must be between 1 and 240",
        );
    }
    if let (Some(s), Some(e)) = (f.start_date, f.end_date)
        && e < s
    {
        push(
            &mut errors,
            "end_date",
            "before_start",
            "must not be before start_date",
        );
    }
    let states = member_shares(&f.member_states, f.scope, &mut errors);
    let maps = mappings(
        MappingFields {
            sdg_targets: &f.sdg_targets,
            migof: &f.migof,
            gcm_objectives: &f.gcm_objectives,
            msd: &f.msd,
        },
        c,
        &mut errors,
    );
    let innovation = terms(
        &f.innovation_areas,
        "innovation-areas",
        "innovation_areas",
        c,
        &mut errors,
    );
    let themes = terms(
        &f.cross_cutting_themes,
        "cross-cutting-themes",
        "cross_cutting_themes",
        c,
        &mut errors,
    );
    if !errors.is_empty() {
        return Err(ApiError::validation(errors));
    }
    let core = f.core_characteristics.clone().unwrap_or_default();
    let values = ProjectValues {
        code: f.code,
        title_lower: title.to_lowercase(),
        title,
        summary: text(f.summary),
        status: f.status.unwrap_or(Status::Draft).as_str().to_owned(),
        funding_line: f.funding_line.as_str().to_owned(),
        funding_year: f.funding_year,
        scope: f.scope.as_str().to_owned(),
        budget_usd_cents: budget.map(Money::minor).unwrap_or_default(),
        staff_office_share_ppm: staff_share.map(|s| i32::try_from(s.ppm()).unwrap_or(0)),
        exceptional_increase: f.exceptional_increase,
        thematic_area: f.thematic_area,
        management_city: text(site.city),
        management_country: site.country,
        beneficiaries: text(f.beneficiaries),
        duration_months: f.duration_months,
        start_date: f.start_date,
        end_date: f.end_date,
        actual_end_date: f.actual_end_date,
        core_national_ownership: text(core.national_ownership),
        core_evidence_and_learning: text(core.evidence_and_learning),
        core_scalability: text(core.scalability),
        core_innovation: text(core.innovation),
        core_sustainability: text(core.sustainability),
        notable_achievements: serde_json::to_string(&f.notable_achievements)
            .unwrap_or_else(|_| "[]".into()),
        rule_warnings: "[]".to_owned(),
        created_at: chrono::NaiveDateTime::default(),
        updated_at: chrono::NaiveDateTime::default(),
        version: 0,
    };
    Ok(ProjectInput {
        values,
        member_states: states,
        mappings: maps,
        innovation_areas: innovation,
        cross_cutting_themes: themes,
    })
}

/// The MSD pairs of a project grouped by outcome, as the payload has them.
pub fn msd_groups(pairs: &[(i32, i32)]) -> Vec<MsdMapping> {
    let mut msd: Vec<MsdMapping> = Vec::new();
    for (outcome, deliverable) in pairs {
        match msd.last_mut() {
            Some(last) if last.outcome == *outcome => last.deliverables.push(*deliverable),
            _ => msd.push(MsdMapping {
                outcome: *outcome,
                deliverables: vec![*deliverable],
            }),
        }
    }
    msd
}

/// The stored project in the payload's shape (for responses and for merging a PATCH).
pub fn from_stored(v: &ProjectValues, c: &Children) -> ProjectFields {
    let msd = msd_groups(&c.mappings.msd);
    let site =
        (v.management_city.is_some() || v.management_country.is_some()).then(|| ManagementSite {
            city: v.management_city.clone(),
            country: v.management_country.clone(),
        });
    let core = CoreCharacteristics {
        national_ownership: v.core_national_ownership.clone(),
        evidence_and_learning: v.core_evidence_and_learning.clone(),
        scalability: v.core_scalability.clone(),
        innovation: v.core_innovation.clone(),
        sustainability: v.core_sustainability.clone(),
    };
    ProjectFields {
        code: v.code.clone(),
        title: v.title.clone(),
        summary: v.summary.clone(),
        status: Status::parse(&v.status),
        funding_line: FundingLine::parse(&v.funding_line).unwrap_or(FundingLine::Line1),
        funding_year: v.funding_year,
        scope: Scope::parse(&v.scope).unwrap_or(Scope::National),
        budget: BudgetInput::of(Money::usd_cents(v.budget_usd_cents)),
        staff_office_share: v
            .staff_office_share_ppm
            .map(|p| Share::from_ppm(i64::from(p)).to_string()),
        exceptional_increase: v.exceptional_increase,
        thematic_area: v.thematic_area.clone(),
        management_site: site,
        member_states: {
            let equal = equal_shares(c.member_states.len());
            c.member_states
                .iter()
                .zip(equal)
                .map(|(s, even)| MemberStateShare {
                    iso3: s.iso3.clone(),
                    share: Some(Share::from_ppm(s.share_ppm.map_or(even, i64::from)).to_string()),
                    endorsed: s.endorsed,
                })
                .collect()
        },
        beneficiaries: v.beneficiaries.clone(),
        duration_months: v.duration_months,
        start_date: v.start_date,
        end_date: v.end_date,
        actual_end_date: v.actual_end_date,
        sdg_targets: c.mappings.sdg_targets.clone(),
        migof: c.mappings.migof.clone(),
        gcm_objectives: c.mappings.gcm_objectives.clone(),
        msd,
        innovation_areas: c.innovation_areas.clone(),
        cross_cutting_themes: c.cross_cutting_themes.clone(),
        core_characteristics: Some(core),
        notable_achievements: serde_json::from_str(&v.notable_achievements).unwrap_or_default(),
    }
}
