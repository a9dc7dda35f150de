//! `reports/coverage`: every element of a framework with the projects mapped to it.

use std::collections::HashMap;

use serde::Serialize;
use utoipa::ToSchema;

use super::{Data, Dim, Key, Needs};
use crate::domain::Money;
use crate::domain::money::MoneyDto;
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
    /// What the report over this framework reads besides the projects.
    pub fn needs(self) -> Needs {
        let only = Needs::default();
        match self {
            Framework::Sdg => Needs { sdg: true, ..only },
            Framework::Migof => Needs {
                migof: true,
                ..only
            },
            Framework::Gcm => Needs { gcm: true, ..only },
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
pub fn coverage(data: &Data, framework: Framework, c: &Catalogue) -> CoverageReport {
    let (dim, elements): (Dim, Vec<(Key, String)>) = match framework {
        Framework::Sdg => (
            Dim::SdgTarget,
            c.targets
                .iter()
                .map(|t| (Key::Text(t.code.clone()), t.title.clone()))
                .collect(),
        ),
        Framework::Migof => (
            Dim::MigofElement,
            c.migof
                .iter()
                .map(|m| (Key::Text(m.code.clone()), m.short_text.clone()))
                .collect(),
        ),
        Framework::Gcm => (
            Dim::GcmObjective,
            c.gcm
                .iter()
                .map(|g| (Key::Int(i64::from(g.number)), g.title.clone()))
                .collect(),
        ),
    };
    let mut acc: HashMap<Key, (i64, i64)> = HashMap::new();
    for p in &data.projects {
        for k in data.keys(p, dim) {
            let e = acc.entry(k).or_default();
            e.0 += 1;
            e.1 = e.1.saturating_add(p.budget_usd_cents);
        }
    }
    CoverageReport {
        framework,
        elements: elements
            .into_iter()
            .map(|(k, label)| {
                let (projects, budget) = acc.get(&k).copied().unwrap_or_default();
                CoverageElement {
                    code: match k {
                        Key::Int(n) => CoverageCode::Number(i32::try_from(n).unwrap_or_default()),
                        Key::Text(t) => CoverageCode::Text(t),
                        Key::None => CoverageCode::Text(String::new()),
                    },
                    label,
                    projects,
                    seed_budget: Money::usd_cents(budget).to_dto(),
                }
            })
            .collect(),
        notes: vec![
            "A project mapped to several elements counts, with its whole budget, in each."
                .to_owned(),
        ],
    }
}
