//! What a client writes of a project, and the one check that turns it into typed values.
//!
//! A [`ProjectDraft`] is a project as written (by the HTTP API, the seed, an import), with
//! its vocabularies already typed; [`NewProject::check`] checks every field against the
//! rules and the reference catalogue, listing every problem at once. A
//! [`super::patch::ProjectPatch`] is applied to the stored project's draft
//! ([`ProjectDraft::from_view`]) and the result goes through the same check, so a patch and a
//! creation are refused for the same reasons with the same errors.

use super::ProjectView;
use super::checks::{equal_shares, mappings, member_shares, push, terms, text};
use crate::domain::money::MoneyError;
use crate::domain::project::{ProjectCode, Status};
use crate::domain::wire;
use crate::domain::{FundingLine, Iso3, Money, Scope, Share};
use crate::error::ApiError;
use crate::models::project::{Mappings, MemberShare, ProjectContent};
use crate::models::reference::Catalogue;

/// A project as a client writes it.
#[derive(Debug, Clone, PartialEq)]
pub struct ProjectDraft {
    pub code: String,
    pub title: String,
    pub summary: Option<String>,
    /// Asked on creation only (default `draft`); see [`super::write::create`].
    pub status: Option<Status>,
    pub funding_line: FundingLine,
    pub funding_year: i32,
    pub scope: Scope,
    /// The budget as its wire form parsed (a failure is reported with the other fields').
    pub budget: Result<Money, MoneyError>,
    /// A decimal share of the budget, e.g. `"0.25"`.
    pub staff_office_share: Option<String>,
    pub exceptional_increase: bool,
    pub thematic_area: Option<String>,
    pub management_site: Option<SiteDraft>,
    pub member_states: Vec<StateDraft>,
    pub beneficiaries: Option<String>,
    pub duration_months: Option<i32>,
    pub start_date: Option<chrono::NaiveDate>,
    pub end_date: Option<chrono::NaiveDate>,
    pub actual_end_date: Option<chrono::NaiveDate>,
    pub mappings: MappingDraft,
    pub innovation_areas: Vec<String>,
    pub cross_cutting_themes: Vec<String>,
    pub core_characteristics: Option<CoreDraft>,
    pub notable_achievements: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct SiteDraft {
    pub city: Option<String>,
    /// ISO 3166-1 alpha-3.
    pub country: Option<String>,
}

/// A benefitting state: its share is a decimal string, or `None` on every state for an
/// equal split.
#[derive(Debug, Clone, PartialEq)]
pub struct StateDraft {
    pub iso3: String,
    pub share: Option<String>,
    pub endorsed: bool,
}

/// An MSD outcome with its deliverables.
#[derive(Debug, Clone, PartialEq)]
pub struct MsdDraft {
    pub outcome: i32,
    pub deliverables: Vec<i32>,
}

/// The four mapping sets as written (unknown codes are refused, duplicates dropped).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MappingDraft {
    pub sdg_targets: Vec<String>,
    pub migof: Vec<String>,
    pub gcm_objectives: Vec<i32>,
    pub msd: Vec<MsdDraft>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct CoreDraft {
    pub national_ownership: Option<String>,
    pub evidence_and_learning: Option<String>,
    pub scalability: Option<String>,
    pub innovation: Option<String>,
    pub sustainability: Option<String>,
}

/// A checked project: the row's content and the rows that hang off it. Status, warnings,
/// times and version are the service's ([`super::write`]).
#[derive(Debug, Clone)]
pub struct NewProject {
    pub content: ProjectContent,
    pub member_states: Vec<MemberShare>,
    pub mappings: Mappings,
    pub innovation_areas: Vec<String>,
    pub cross_cutting_themes: Vec<String>,
}

impl NewProject {
    /// Checks every field against the rules and the catalogue, listing every problem at once.
    pub fn check(f: ProjectDraft, c: &Catalogue) -> Result<NewProject, ApiError> {
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
        let site = f.management_site.unwrap_or_default();
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
        let maps = mappings(&f.mappings, c, &mut errors);
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
        let core = f.core_characteristics.unwrap_or_default();
        let content = ProjectContent {
            code: f.code,
            title_lower: title.to_lowercase(),
            title,
            summary: text(f.summary),
            status: f.status.unwrap_or(Status::Draft),
            funding_line: f.funding_line,
            funding_year: f.funding_year,
            scope: f.scope,
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
        };
        Ok(NewProject {
            content,
            member_states: states,
            mappings: maps,
            innovation_areas: innovation,
            cross_cutting_themes: themes,
        })
    }
}

/// The MSD pairs of a project grouped by outcome, as a client writes them.
pub fn msd_groups(pairs: &[(i32, i32)]) -> Vec<MsdDraft> {
    let mut msd: Vec<MsdDraft> = Vec::new();
    for (outcome, deliverable) in pairs {
        match msd.last_mut() {
            Some(last) if last.outcome == *outcome => last.deliverables.push(*deliverable),
            _ => msd.push(MsdDraft {
                outcome: *outcome,
                deliverables: vec![*deliverable],
            }),
        }
    }
    msd
}

impl ProjectDraft {
    /// The stored project as a client would write it back: what a patch applies to. An
    /// equal split stays one (its shares are derived, not given).
    pub fn from_view(view: &ProjectView) -> ProjectDraft {
        let (v, c) = (&view.values.content, &view.children);
        let equal_split = c.member_states.iter().all(|s| s.share_ppm.is_none());
        let equal = equal_shares(c.member_states.len());
        ProjectDraft {
            code: v.code.clone(),
            title: v.title.clone(),
            summary: v.summary.clone(),
            status: Some(v.status),
            funding_line: v.funding_line,
            funding_year: v.funding_year,
            scope: v.scope,
            budget: Ok(Money::usd_cents(v.budget_usd_cents)),
            staff_office_share: v
                .staff_office_share_ppm
                .map(|p| Share::from_ppm(i64::from(p)).to_string()),
            exceptional_increase: v.exceptional_increase,
            thematic_area: v.thematic_area.clone(),
            management_site: (v.management_city.is_some() || v.management_country.is_some()).then(
                || SiteDraft {
                    city: v.management_city.clone(),
                    country: v.management_country.clone(),
                },
            ),
            member_states: c
                .member_states
                .iter()
                .zip(equal)
                .map(|(s, even)| StateDraft {
                    iso3: s.iso3.clone(),
                    share: (!equal_split)
                        .then(|| Share::from_ppm(s.share_ppm.map_or(even, i64::from)).to_string()),
                    endorsed: s.endorsed,
                })
                .collect(),
            beneficiaries: v.beneficiaries.clone(),
            duration_months: v.duration_months,
            start_date: v.start_date,
            end_date: v.end_date,
            actual_end_date: v.actual_end_date,
            mappings: MappingDraft {
                sdg_targets: c.mappings.sdg_targets.clone(),
                migof: c.mappings.migof.clone(),
                gcm_objectives: c.mappings.gcm_objectives.clone(),
                msd: msd_groups(&c.mappings.msd),
            },
            innovation_areas: c.innovation_areas.clone(),
            cross_cutting_themes: c.cross_cutting_themes.clone(),
            core_characteristics: Some(CoreDraft {
                national_ownership: v.core_national_ownership.clone(),
                evidence_and_learning: v.core_evidence_and_learning.clone(),
                scalability: v.core_scalability.clone(),
                innovation: v.core_innovation.clone(),
                sustainability: v.core_sustainability.clone(),
            }),
            notable_achievements: serde_json::from_str(&v.notable_achievements).unwrap_or_default(),
        }
    }
}
