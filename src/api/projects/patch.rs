//! The body of `PATCH /projects/{code}`: any subset of the project's fields.

use serde::Deserialize;
use utoipa::ToSchema;

use super::fields::{CoreCharacteristics, ManagementSite, MemberStateShare, MsdMapping};
use crate::api::extract::double_option;
use crate::api::money::BudgetInput;
use crate::api::patch::present;
use crate::api::schemas::{
    CrossCuttingThemeCode, GcmObjectiveNumber, InnovationAreaCode, MigofElementCode, SdgTargetCode,
    ShareText, ThematicAreaCode,
};
use crate::domain::{FundingLine, Scope};

/// A JSON merge patch (RFC 7396) of a project: the fields it names change, `null` clears a
/// field that may be empty, a list replaces the list, an object merges. `code` and `status`
/// are not patched (statuses move through transitions).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[expect(
    dead_code,
    reason = "parsed to check the patch's shape; the raw patch is merged"
)]
pub struct UpdateProjectRequest {
    #[serde(default, deserialize_with = "present")]
    #[schema(
        nullable = false,
        min_length = 1,
        max_length = 300,
        pattern = r"[^ \t\n\r]"
    )]
    pub title: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub summary: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(nullable = false)]
    pub funding_line: Option<FundingLine>,
    #[serde(default, deserialize_with = "present")]
    #[schema(nullable = false, minimum = 1990, maximum = 2100)]
    pub funding_year: Option<i32>,
    #[serde(default, deserialize_with = "present")]
    #[schema(nullable = false)]
    pub scope: Option<Scope>,
    #[serde(default, deserialize_with = "present")]
    #[schema(nullable = false)]
    pub budget: Option<BudgetInput>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<ShareText>)]
    pub staff_office_share: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(nullable = false)]
    pub exceptional_increase: Option<bool>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<ThematicAreaCode>)]
    pub thematic_area: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<ManagementSite>)]
    pub management_site: Option<Option<ManagementSite>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(nullable = false, min_items = 1)]
    pub member_states: Option<Vec<MemberStateShare>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub beneficiaries: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<i32>, minimum = 1, maximum = 240)]
    pub duration_months: Option<Option<i32>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<chrono::NaiveDate>)]
    pub start_date: Option<Option<chrono::NaiveDate>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<chrono::NaiveDate>)]
    pub end_date: Option<Option<chrono::NaiveDate>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<chrono::NaiveDate>)]
    pub actual_end_date: Option<Option<chrono::NaiveDate>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<Vec<SdgTargetCode>>)]
    pub sdg_targets: Option<Option<Vec<String>>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<Vec<MigofElementCode>>)]
    pub migof: Option<Option<Vec<String>>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<Vec<GcmObjectiveNumber>>)]
    pub gcm_objectives: Option<Option<Vec<i32>>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<Vec<MsdMapping>>)]
    pub msd: Option<Option<Vec<MsdMapping>>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<Vec<InnovationAreaCode>>)]
    pub innovation_areas: Option<Option<Vec<String>>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<Vec<CrossCuttingThemeCode>>)]
    pub cross_cutting_themes: Option<Option<Vec<String>>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<CoreCharacteristics>)]
    pub core_characteristics: Option<Option<CoreCharacteristics>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<Vec<String>>)]
    pub notable_achievements: Option<Option<Vec<String>>>,
}
