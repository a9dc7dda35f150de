//! The project payload of `POST /projects` (and the parts the PATCH body and the response
//! share), and its conversion into the service's [`ProjectDraft`]. The checks are the
//! service's ([`crate::services::projects::input`]).

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::api::money::BudgetInput;
use crate::api::schemas::{
    CrossCuttingThemeCode, GcmObjectiveNumber, InitialStatus, InnovationAreaCode, Iso3Code,
    MigofElementCode, MsdDeliverableNumber, MsdOutcomeNumber, ProjectCodeSchema, SdgTargetCode,
    ShareText, ThematicAreaCode,
};
use crate::domain::project::Status;
use crate::domain::{FundingLine, Scope};
use crate::services::projects::input::{
    CoreDraft, MappingDraft, MsdDraft, ProjectDraft, SiteDraft, StateDraft,
};

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
    #[schema(value_type = Option<InitialStatus>)]
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

/// `From` both ways between a payload type and the service's draft of the same fields.
macro_rules! same_fields {
    ($payload:ident <-> $draft:ident { $($field:ident),+ $(,)? }) => {
        impl From<$payload> for $draft {
            fn from(x: $payload) -> Self {
                $draft { $($field: x.$field),+ }
            }
        }

        impl From<$draft> for $payload {
            fn from(x: $draft) -> Self {
                $payload { $($field: x.$field),+ }
            }
        }
    };
}

same_fields!(ManagementSite <-> SiteDraft { city, country });
same_fields!(MemberStateShare <-> StateDraft { iso3, share, endorsed });
same_fields!(MsdMapping <-> MsdDraft { outcome, deliverables });
same_fields!(CoreCharacteristics <-> CoreDraft {
    national_ownership,
    evidence_and_learning,
    scalability,
    innovation,
    sustainability,
});

/// The MSD mapping as the payload has it.
pub fn msd_list(msd: Vec<MsdMapping>) -> Vec<MsdDraft> {
    msd.into_iter().map(Into::into).collect()
}

impl From<ProjectFields> for ProjectDraft {
    fn from(f: ProjectFields) -> Self {
        ProjectDraft {
            code: f.code,
            title: f.title,
            summary: f.summary,
            status: f.status,
            funding_line: f.funding_line,
            funding_year: f.funding_year,
            scope: f.scope,
            budget: f.budget.parse(),
            staff_office_share: f.staff_office_share,
            exceptional_increase: f.exceptional_increase,
            thematic_area: f.thematic_area,
            management_site: f.management_site.map(Into::into),
            member_states: f.member_states.into_iter().map(Into::into).collect(),
            beneficiaries: f.beneficiaries,
            duration_months: f.duration_months,
            start_date: f.start_date,
            end_date: f.end_date,
            actual_end_date: f.actual_end_date,
            mappings: MappingDraft {
                sdg_targets: f.sdg_targets,
                migof: f.migof,
                gcm_objectives: f.gcm_objectives,
                msd: msd_list(f.msd),
            },
            innovation_areas: f.innovation_areas,
            cross_cutting_themes: f.cross_cutting_themes,
            core_characteristics: f.core_characteristics.map(Into::into),
            notable_achievements: f.notable_achievements,
        }
    }
}
