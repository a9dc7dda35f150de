//! The body of `PATCH /projects/{code}`: any subset of the project's fields, converted into
//! the service's typed [`ProjectPatch`].

use serde::Deserialize;
use utoipa::ToSchema;

use super::fields::{CoreCharacteristics, ManagementSite, MemberStateShare, MsdMapping, msd_list};
use crate::api::extract::double_option;
use crate::api::money::BudgetInput;
use crate::api::patch::{no_null_amount, present};
use crate::api::schemas::{
    CrossCuttingThemeCode, GcmObjectiveNumber, InnovationAreaCode, MigofElementCode, SdgTargetCode,
    ShareText, ThematicAreaCode,
};
use crate::domain::{FundingLine, Scope};
use crate::error::ApiError;
use crate::services::projects::patch::{CorePatch, ProjectPatch, SitePatch};

/// A JSON merge patch (RFC 7396) of a project: the fields it names change, `null` clears a
/// field that may be empty, a list replaces the list, an object merges. `code` and `status`
/// are not patched (statuses move through transitions).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
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
    pub management_site: Option<Option<ManagementSitePatch>>,
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
    pub core_characteristics: Option<Option<CoreCharacteristicsPatch>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<Vec<String>>)]
    pub notable_achievements: Option<Option<Vec<String>>>,
}

/// A [`ManagementSite`] in a merge patch: it merges key by key.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ManagementSitePatch {
    #[serde(default, deserialize_with = "double_option")]
    city: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    country: Option<Option<String>>,
}

/// [`CoreCharacteristics`] in a merge patch: they merge key by key.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CoreCharacteristicsPatch {
    #[serde(default, deserialize_with = "double_option")]
    national_ownership: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    evidence_and_learning: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    scalability: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    innovation: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    sustainability: Option<Option<String>>,
}

impl UpdateProjectRequest {
    /// The service's patch; a list set to `null` is an empty list.
    pub fn into_patch(self) -> Result<ProjectPatch, ApiError> {
        no_null_amount("budget", self.budget.as_ref().map(|b| &b.amount))?;
        let list = |l: Option<Option<Vec<String>>>| l.map(Option::unwrap_or_default);
        Ok(ProjectPatch {
            title: self.title,
            summary: self.summary,
            funding_line: self.funding_line,
            funding_year: self.funding_year,
            scope: self.scope,
            budget: self.budget.map(|b| b.parse()),
            staff_office_share: self.staff_office_share,
            exceptional_increase: self.exceptional_increase,
            thematic_area: self.thematic_area,
            management_site: self.management_site.map(|site| {
                site.map(|s| SitePatch {
                    city: s.city,
                    country: s.country,
                })
            }),
            member_states: self
                .member_states
                .map(|states| states.into_iter().map(Into::into).collect()),
            beneficiaries: self.beneficiaries,
            duration_months: self.duration_months,
            start_date: self.start_date,
            end_date: self.end_date,
            actual_end_date: self.actual_end_date,
            sdg_targets: list(self.sdg_targets),
            migof: list(self.migof),
            gcm_objectives: self.gcm_objectives.map(Option::unwrap_or_default),
            msd: self.msd.map(|m| msd_list(m.unwrap_or_default())),
            innovation_areas: list(self.innovation_areas),
            cross_cutting_themes: list(self.cross_cutting_themes),
            core_characteristics: self.core_characteristics.map(|core| {
                core.map(|c| CorePatch {
                    national_ownership: c.national_ownership,
                    evidence_and_learning: c.evidence_and_learning,
                    scalability: c.scalability,
                    innovation: c.innovation,
                    sustainability: c.sustainability,
                })
            }),
            notable_achievements: list(self.notable_achievements),
        })
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::UpdateProjectRequest;
    use crate::api::extract::parse_json;
    use crate::api::patch::merge;
    use crate::api::projects::ProjectFields;
    use crate::services::projects::ProjectDraft;

    /// A stored project as the payload shows it, with every kind of field set.
    fn stored() -> Value {
        json!({
            "code": "PO.0125", "title": "A title", "summary": "A summary", "status": "approved",
            "funding_line": "line_2", "funding_year": 2024, "scope": "regional",
            "budget": {"amount": "150000.00", "currency": "USD"}, "staff_office_share": "0.25",
            "exceptional_increase": false, "thematic_area": "labour_mobility",
            "management_site": {"city": "Nairobi", "country": "KEN"},
            "member_states": [{"iso3": "KEN", "share": "0.6", "endorsed": true},
                              {"iso3": "UGA", "share": "0.4", "endorsed": false}],
            "beneficiaries": "Returnees", "duration_months": 24, "start_date": "2024-01-01",
            "end_date": "2025-12-31", "actual_end_date": null,
            "sdg_targets": ["10.7"], "migof": ["P1"], "gcm_objectives": [5],
            "msd": [{"outcome": 1, "deliverables": [2, 3]}],
            "innovation_areas": ["digital"], "cross_cutting_themes": ["gender"],
            "core_characteristics": {"national_ownership": "Strong", "evidence_and_learning": null,
                                     "scalability": "High", "innovation": null, "sustainability": null},
            "notable_achievements": ["One"],
        })
    }

    fn draft(doc: &Value) -> ProjectDraft {
        parse_json::<ProjectFields>(doc.to_string().as_bytes())
            .expect("a payload")
            .into()
    }

    #[test]
    fn the_typed_patch_changes_what_a_json_merge_patch_changes() {
        for patch in [
            json!({}),
            json!({"title": "New title", "summary": null, "funding_year": 2025}),
            json!({"budget": {"amount": "9.00", "currency": "USD"}, "staff_office_share": null}),
            json!({"management_site": {"city": null}}),
            json!({"management_site": {"country": "UGA", "city": "Kampala"}}),
            json!({"management_site": null}),
            json!({"core_characteristics": {"innovation": "New", "scalability": null}}),
            json!({"core_characteristics": null}),
            json!({"member_states": [{"iso3": "UGA"}], "scope": "national"}),
            json!({"sdg_targets": null, "migof": ["O2", "P3"], "gcm_objectives": null}),
            json!({"msd": [{"outcome": 3, "deliverables": [1]}], "innovation_areas": null}),
            json!({"cross_cutting_themes": [], "notable_achievements": null}),
            json!({"start_date": null, "end_date": "2026-01-31", "actual_end_date": "2026-02-01"}),
            json!({"beneficiaries": null, "duration_months": null, "thematic_area": null}),
            json!({"exceptional_increase": true, "funding_line": "line_1"}),
        ] {
            let mut merged = stored();
            merge(&mut merged, patch.clone());
            let typed = parse_json::<UpdateProjectRequest>(patch.to_string().as_bytes())
                .expect("a patch")
                .into_patch()
                .expect("a patch")
                .apply(draft(&stored()));
            assert_eq!(typed, draft(&merged), "{patch}");
        }
    }

    #[test]
    fn a_money_object_without_its_amount_is_refused_as_the_merge_would_be() {
        let patch = json!({"budget": {"amount": null, "currency": "USD"}});
        let mut merged = stored();
        merge(&mut merged, patch.clone());
        let by_merge = parse_json::<ProjectFields>(merged.to_string().as_bytes()).unwrap_err();
        let typed = parse_json::<UpdateProjectRequest>(patch.to_string().as_bytes())
            .expect("its shape is fine")
            .into_patch()
            .unwrap_err();
        assert_eq!(format!("{typed:?}"), format!("{by_merge:?}"));
    }
}
