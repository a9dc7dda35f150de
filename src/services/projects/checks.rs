//! The checks [`super::input`] composes: benefitting states and their shares, mapping sets
//! and taxonomy terms against the reference catalogue. Each pushes what is wrong onto one
//! list, so a client sees every problem at once.

use std::collections::BTreeSet;

use super::input::{MappingDraft, StateDraft};
use crate::domain::share::ONE;
use crate::domain::wire;
use crate::domain::{Iso3, Scope, Share};
use crate::error::{ApiError, FieldError};
use crate::models::project::{Mappings, MemberShare};
use crate::models::reference::Catalogue;

pub(super) fn push(
    errors: &mut Vec<FieldError>,
    field: impl Into<String>,
    code: &str,
    message: impl Into<String>,
) {
    errors.push(FieldError::new(field, code, message));
}

/// Trimmed text; blank is no text.
pub(super) fn text(value: Option<String>) -> Option<String> {
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
pub(super) fn member_shares(
    input: &[StateDraft],
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

/// Checks mapping sets against the catalogue (duplicates are dropped).
pub(super) fn mappings(f: &MappingDraft, c: &Catalogue, errors: &mut Vec<FieldError>) -> Mappings {
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

/// One mapping set alone (the others empty), checked: what replacing a set writes.
pub(super) fn mapping_set(f: &MappingDraft, c: &Catalogue) -> Result<Mappings, ApiError> {
    let mut errors = Vec::new();
    let m = mappings(f, c, &mut errors);
    if errors.is_empty() {
        Ok(m)
    } else {
        Err(ApiError::validation(errors))
    }
}

/// Codes of one taxonomy (`innovation-areas`, `cross-cutting-themes`), deduplicated, sorted.
pub(super) fn terms(
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
