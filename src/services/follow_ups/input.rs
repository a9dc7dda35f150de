//! Follow-up funding as a client writes it, and the check that turns it into typed values.
//! A [`FollowUpPatch`] is applied to the stored record's draft and the result checked the
//! same way as a new record.

use super::FollowUpView;
use crate::domain::Money;
use crate::domain::follow_up::{Dimension, FollowUpStatus, SourceType};
use crate::domain::fx::PartialDate;
use crate::domain::money::{Currency, MoneyError};
use crate::domain::project::ProjectCode;
use crate::error::{ApiError, FieldError};
use crate::models::follow_up::FollowUpContent;
use crate::services::set;

/// A follow-up funding record as written.
#[derive(Debug, Clone, PartialEq)]
pub struct FollowUpDraft {
    pub title: Option<String>,
    pub source_name: Option<String>,
    pub source_type: SourceType,
    /// The amount as its wire form parsed, in its own currency; `None` when unknown.
    pub amount: Option<Result<Money, MoneyError>>,
    pub amount_is_lower_bound: bool,
    pub status: FollowUpStatus,
    /// `2021`, `2021-06` or `2021-06-03`.
    pub date: Option<String>,
    pub in_kind: bool,
    pub scaling_up_dimensions: Vec<Dimension>,
    pub description: Option<String>,
    pub evidence_url: Option<String>,
    pub follow_up_project_code: Option<String>,
}

/// A checked record: what is stored of it before its conversion to USD.
#[derive(Debug, Clone)]
pub struct NewFollowUp {
    pub content: FollowUpContent,
}

fn text(v: Option<String>) -> Option<String> {
    v.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty())
}

impl NewFollowUp {
    /// Checks every field, listing every problem at once.
    pub fn check(f: FollowUpDraft) -> Result<NewFollowUp, ApiError> {
        let mut errors = Vec::new();
        let has_amount = f.amount.is_some();
        let amount = f.amount.and_then(|a| {
            a.map_err(|e| errors.push(FieldError::new("amount", e.code(), e.to_string())))
                .ok()
        });
        let date = f.date.as_deref().and_then(|d| {
            PartialDate::parse(d)
                .ok_or_else(|| {
                    errors.push(FieldError::new(
                        "date",
                        "invalid_date",
                        "must be 2021, 2021-06 or 2021-06-03",
                    ))
                })
                .ok()
        });
        if let Some(url) = &f.evidence_url
            && !(url.starts_with("https://") || url.starts_with("http://"))
        {
            errors.push(FieldError::new(
                "evidence_url",
                "invalid_url",
                "must be an http(s) address",
            ));
        }
        if let Some(code) = &f.follow_up_project_code
            && ProjectCode::parse(code).is_none()
        {
            errors.push(FieldError::new(
                "follow_up_project_code",
                "invalid_code",
                "must look like PO.0125",
            ));
        }
        if !has_amount && f.amount_is_lower_bound {
            errors.push(FieldError::new(
                "amount_is_lower_bound",
                "no_amount",
                "a lower bound needs an amount",
            ));
        }
        if !errors.is_empty() {
            return Err(ApiError::validation(errors));
        }
        let mut dims: Vec<&str> = f.scaling_up_dimensions.iter().map(|d| d.as_str()).collect();
        dims.sort_unstable();
        dims.dedup();
        Ok(NewFollowUp {
            content: FollowUpContent {
                title: text(f.title),
                source_name: text(f.source_name),
                source_type: f.source_type,
                amount_minor: amount.map(Money::minor),
                currency: amount.map(|a| a.currency().code().to_owned()),
                amount_is_lower_bound: f.amount_is_lower_bound,
                status: f.status,
                date_text: date.as_ref().map(|d| d.text.clone()),
                date_start: date.as_ref().map(|d| d.start),
                value_month_index: date.as_ref().map(|d| d.value_month.index()),
                in_kind: f.in_kind,
                dimensions: if dims.is_empty() {
                    String::new()
                } else {
                    format!(",{},", dims.join(","))
                },
                description: text(f.description),
                evidence_url: f.evidence_url,
                follow_up_project_code: f.follow_up_project_code,
            },
        })
    }
}

/// The stored amount, when it has one in a known currency.
pub fn stored_amount(v: &FollowUpContent) -> Option<Money> {
    match (
        v.amount_minor,
        v.currency.as_deref().and_then(Currency::parse),
    ) {
        (Some(minor), Some(c)) => Some(Money::from_minor(minor, c)),
        _ => None,
    }
}

impl FollowUpDraft {
    /// The stored record as a client would write it back: what a patch applies to.
    pub fn from_view(view: &FollowUpView) -> FollowUpDraft {
        let v = &view.values.content;
        FollowUpDraft {
            title: v.title.clone(),
            source_name: v.source_name.clone(),
            source_type: v.source_type,
            amount: stored_amount(v).map(Ok),
            amount_is_lower_bound: v.amount_is_lower_bound,
            status: v.status,
            date: v.date_text.clone(),
            in_kind: v.in_kind,
            scaling_up_dimensions: v.dimension_list(),
            description: v.description.clone(),
            evidence_url: v.evidence_url.clone(),
            follow_up_project_code: v.follow_up_project_code.clone(),
        }
    }
}

/// A change to a record, typed: `None` leaves a field as it is, `Some(None)` clears it, a
/// list replaces the list (JSON merge patch, RFC 7396).
#[derive(Debug, Clone, Default)]
pub struct FollowUpPatch {
    pub title: Option<Option<String>>,
    pub source_name: Option<Option<String>>,
    pub source_type: Option<SourceType>,
    pub amount: Option<Option<Result<Money, MoneyError>>>,
    pub amount_is_lower_bound: Option<bool>,
    pub status: Option<FollowUpStatus>,
    pub date: Option<Option<String>>,
    pub in_kind: Option<bool>,
    pub scaling_up_dimensions: Option<Vec<Dimension>>,
    pub description: Option<Option<String>>,
    pub evidence_url: Option<Option<String>>,
    pub follow_up_project_code: Option<Option<String>>,
}

impl FollowUpPatch {
    /// The draft with this patch applied.
    pub fn apply(self, mut d: FollowUpDraft) -> FollowUpDraft {
        set(&mut d.title, self.title);
        set(&mut d.source_name, self.source_name);
        set(&mut d.source_type, self.source_type);
        set(&mut d.amount, self.amount);
        set(&mut d.amount_is_lower_bound, self.amount_is_lower_bound);
        set(&mut d.status, self.status);
        set(&mut d.date, self.date);
        set(&mut d.in_kind, self.in_kind);
        set(&mut d.scaling_up_dimensions, self.scaling_up_dimensions);
        set(&mut d.description, self.description);
        set(&mut d.evidence_url, self.evidence_url);
        set(&mut d.follow_up_project_code, self.follow_up_project_code);
        d
    }
}
