//! `reports/coverage`: every element of a framework with the projects mapped to it.

use std::collections::HashMap;

use serde::Serialize;
use utoipa::ToSchema;

use super::{Data, Dim, KeyId, add};
use crate::domain::Money;
use crate::domain::money::MoneyDto;
use crate::error::ApiError;
use crate::models::reference::Catalogue;

crate::domain::funding::closed_enum!(
    /// A framework projects are mapped to.
    Framework {
        Sdg => "sdg",
        Migof => "migof",
        Gcm => "gcm",
    }
);

impl Framework {
    /// The portfolio dimension of the framework's elements.
    pub fn dim(self) -> Dim {
        match self {
            Framework::Sdg => Dim::SdgTarget,
            Framework::Migof => Dim::MigofElement,
            Framework::Gcm => Dim::GcmObjective,
        }
    }
}

/// An element's code: an SDG target or MiGOF element (text), or a GCM objective (number).
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(untagged)]
pub enum CoverageCode {
    Text(String),
    Number(i32),
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CoverageElement {
    pub code: CoverageCode,
    pub label: String,
    /// Projects mapped to the element.
    pub projects: i64,
    /// Their seed budgets, whole (a project in several elements counts in each).
    pub seed_budget: MoneyDto,
}

/// `GET /reports/coverage`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CoverageReport {
    pub framework: Framework,
    pub elements: Vec<CoverageElement>,
    pub notes: Vec<String>,
}

/// Every element of `framework`, including those no project touches.
pub fn coverage(
    data: &Data,
    framework: Framework,
    c: &Catalogue,
) -> Result<CoverageReport, ApiError> {
    let dim = framework.dim();
    // (projects, seed budget) by key.
    let mut acc: HashMap<KeyId, (i64, i64)> = HashMap::new();
    for row in data.rows() {
        let p = row.project();
        for k in row.keys(dim) {
            let e = acc.entry(*k).or_default();
            e.0 += 1;
            e.1 = add(e.1, p.budget)?;
        }
    }
    let count = |key: Option<KeyId>| key.and_then(|k| acc.get(&k)).copied().unwrap_or_default();
    let elements: Vec<(CoverageCode, String, (i64, i64))> = match framework {
        Framework::Sdg => c
            .targets
            .iter()
            .map(|t| {
                let key = data.text_key(dim, &t.code);
                (
                    CoverageCode::Text(t.code.clone()),
                    t.title.clone(),
                    count(key),
                )
            })
            .collect(),
        Framework::Migof => c
            .migof
            .iter()
            .map(|m| {
                let key = data.text_key(dim, &m.code);
                (
                    CoverageCode::Text(m.code.clone()),
                    m.short_text.clone(),
                    count(key),
                )
            })
            .collect(),
        Framework::Gcm => c
            .gcm
            .iter()
            .map(|g| {
                let key = Some(super::number(g.number));
                (CoverageCode::Number(g.number), g.title.clone(), count(key))
            })
            .collect(),
    };
    Ok(CoverageReport {
        framework,
        elements: elements
            .into_iter()
            .map(|(code, label, (projects, budget))| CoverageElement {
                code,
                label,
                projects,
                seed_budget: Money::usd_cents(budget).to_dto(),
            })
            .collect(),
        notes: vec![
            "A project mapped to several elements counts, with its whole budget, in each."
                .to_owned(),
        ],
    })
}
