//! The bodies of `POST /projects/{code}/follow-up-funding` and `PATCH
//! /follow-up-funding/{id}`, and their conversion into the service's draft and patch.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::api::extract::double_option;
use crate::api::money::MoneyInput;
use crate::api::patch::{no_null_amount, present};
use crate::api::schemas::{PartialDateText, ProjectCodeSchema};
use crate::domain::follow_up::{Dimension, FollowUpStatus, SourceType};
use crate::error::ApiError;
use crate::services::follow_ups::{FollowUpDraft, FollowUpPatch};

/// Follow-up funding as a client writes it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FollowUpFields {
    /// The follow-up initiative.
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub source_name: Option<String>,
    pub source_type: SourceType,
    /// In its own currency; null when unknown.
    #[serde(default)]
    pub amount: Option<MoneyInput>,
    /// "over USD 5.6 million": the amount is a lower bound.
    #[serde(default)]
    pub amount_is_lower_bound: bool,
    pub status: FollowUpStatus,
    /// `2021`, `2021-06` or `2021-06-03`; its month picks the exchange rate (a year alone: December).
    #[serde(default)]
    #[schema(value_type = Option<PartialDateText>)]
    pub date: Option<String>,
    #[serde(default)]
    pub in_kind: bool,
    #[serde(default)]
    pub scaling_up_dimensions: Vec<Dimension>,
    #[serde(default)]
    pub description: Option<String>,
    /// An http(s) address.
    #[serde(default)]
    #[schema(pattern = "^https?://")]
    pub evidence_url: Option<String>,
    /// The follow-up project's own code, when it has one.
    #[serde(default)]
    #[schema(value_type = Option<ProjectCodeSchema>)]
    pub follow_up_project_code: Option<String>,
}

/// A JSON merge patch (RFC 7396) of a follow-up record: the fields it names change, `null`
/// clears a field that may be empty, a list replaces the list.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateFollowUpRequest {
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub title: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub source_name: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(nullable = false)]
    pub source_type: Option<SourceType>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<MoneyInput>)]
    pub amount: Option<Option<MoneyInput>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(nullable = false)]
    pub amount_is_lower_bound: Option<bool>,
    #[serde(default, deserialize_with = "present")]
    #[schema(nullable = false)]
    pub status: Option<FollowUpStatus>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<PartialDateText>)]
    pub date: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(nullable = false)]
    pub in_kind: Option<bool>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<Vec<Dimension>>)]
    pub scaling_up_dimensions: Option<Option<Vec<Dimension>>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub description: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>, pattern = "^https?://")]
    pub evidence_url: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<ProjectCodeSchema>)]
    pub follow_up_project_code: Option<Option<String>>,
}

impl From<FollowUpFields> for FollowUpDraft {
    fn from(f: FollowUpFields) -> Self {
        FollowUpDraft {
            title: f.title,
            source_name: f.source_name,
            source_type: f.source_type,
            amount: f.amount.map(|a| a.parse()),
            amount_is_lower_bound: f.amount_is_lower_bound,
            status: f.status,
            date: f.date,
            in_kind: f.in_kind,
            scaling_up_dimensions: f.scaling_up_dimensions,
            description: f.description,
            evidence_url: f.evidence_url,
            follow_up_project_code: f.follow_up_project_code,
        }
    }
}

impl UpdateFollowUpRequest {
    /// The service's patch; dimensions set to `null` are none.
    pub fn into_patch(self) -> Result<FollowUpPatch, ApiError> {
        no_null_amount(
            "amount",
            self.amount
                .as_ref()
                .and_then(|a| a.as_ref())
                .map(|a| &a.amount),
        )?;
        Ok(FollowUpPatch {
            title: self.title,
            source_name: self.source_name,
            source_type: self.source_type,
            amount: self.amount.map(|a| a.map(|m| m.parse())),
            amount_is_lower_bound: self.amount_is_lower_bound,
            status: self.status,
            date: self.date,
            in_kind: self.in_kind,
            scaling_up_dimensions: self.scaling_up_dimensions.map(Option::unwrap_or_default),
            description: self.description,
            evidence_url: self.evidence_url,
            follow_up_project_code: self.follow_up_project_code,
        })
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::{FollowUpFields, UpdateFollowUpRequest};
    use crate::api::extract::parse_json;
    use crate::api::patch::merge;
    use crate::services::follow_ups::FollowUpDraft;

    fn stored() -> Value {
        json!({
            "title": "Scale-up", "source_name": "KfW", "source_type": "bilateral_donor",
            "amount": {"amount": "1000000.00", "currency": "EUR"}, "amount_is_lower_bound": true,
            "status": "approved", "date": "2019-06", "in_kind": false,
            "scaling_up_dimensions": ["functional", "political"], "description": "Grant",
            "evidence_url": "https://example.org", "follow_up_project_code": "PO.0200",
        })
    }

    fn draft(doc: &Value) -> FollowUpDraft {
        parse_json::<FollowUpFields>(doc.to_string().as_bytes())
            .expect("a payload")
            .into()
    }

    #[test]
    fn the_typed_patch_changes_what_a_json_merge_patch_changes() {
        for patch in [
            json!({}),
            json!({"title": null, "source_name": "GIZ", "source_type": "multilateral"}),
            json!({"amount": null, "amount_is_lower_bound": false}),
            json!({"amount": {"amount": "5", "currency": "USD"}, "status": "received"}),
            json!({"date": null, "in_kind": true, "scaling_up_dimensions": null}),
            json!({"scaling_up_dimensions": ["quantitative"], "description": null}),
            json!({"evidence_url": null, "follow_up_project_code": null}),
        ] {
            let mut merged = stored();
            merge(&mut merged, patch.clone());
            let typed = parse_json::<UpdateFollowUpRequest>(patch.to_string().as_bytes())
                .expect("a patch")
                .into_patch()
                .expect("a patch")
                .apply(draft(&stored()));
            assert_eq!(typed, draft(&merged), "{patch}");
        }
    }
}
