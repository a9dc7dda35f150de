//! What the portfolio and coverage reports read, as integers: each project's group keys
//! ([`KeyId`]) and member states are slices of flat vectors, so grouping 100,000 projects
//! allocates nothing per project.

use std::collections::HashMap;

use super::keys::{Column, Dict, KeyId, NONE, PerProject, coded, number};
use super::{Dim, Key, add};
use crate::db::Conn;
use crate::domain::FundingLine;
use crate::domain::project::Status;
use crate::error::ApiError;
use crate::models::follow_up::Leveraged;
use crate::models::project::ProjectFilter;
use crate::models::reference::Catalogue;
use crate::models::report;

/// One member state of a project: its split weight and its keys.
#[derive(Debug, Clone, Copy)]
pub(super) struct StateOf {
    pub weight: i64,
    pub state: KeyId,
    pub region: KeyId,
}

/// Every selected project's member states, in position order (a split hands leftover cents
/// in that order), with the dictionaries of states and regions and the states' names.
struct States {
    of: PerProject<StateOf>,
    states: Dict,
    regions: Dict,
    names: HashMap<String, String>,
}

impl States {
    fn load(conn: &mut Conn, ids: &[i64]) -> Result<States, ApiError> {
        let all = report::member_states(conn)?;
        let (states, state_key) = Dict::of(all.iter().map(|s| s.0.as_str()));
        let (regions, region_key) = Dict::of(all.iter().map(|s| s.2.as_str()));
        let keys: HashMap<&str, (KeyId, KeyId)> = all
            .iter()
            .map(|(iso3, _, region)| {
                (
                    iso3.as_str(),
                    (state_key[iso3.as_str()], region_key[region.as_str()]),
                )
            })
            .collect();
        let mut rows = report::states(conn)?;
        rows.sort_unstable_by_key(|r| (r.0, r.1));
        let of = PerProject::new(
            ids,
            rows.iter().map(|(id, _, ppm, iso3)| {
                let (state, region) = keys.get(iso3.as_str()).copied().unwrap_or((NONE, NONE));
                (
                    *id,
                    StateOf {
                        weight: ppm.map_or(1, i64::from),
                        state,
                        region,
                    },
                )
            }),
        );
        let names = all
            .into_iter()
            .map(|(iso3, name, _)| (iso3, name))
            .collect();
        Ok(States {
            of,
            states,
            regions,
            names,
        })
    }
}

/// What the portfolio and coverage reports read, loaded once per request: the selected
/// projects with their money, by id, and the keys of each dimension they group by.
pub struct Data {
    projects: Vec<Project>,
    columns: Vec<(Dim, Column)>,
    states: Option<States>,
}

/// A project as read: id, budget, funding year, and the text columns when a grouping needs them.
type ProjectRow = (i64, i64, i32, Option<TextColumns>);
type TextColumns = (FundingLine, Status, Option<String>);

/// One selected project, as the reports count it.
#[derive(Debug, Clone, Copy)]
pub(super) struct Project {
    pub budget: i64,
    /// Approved and received follow-up funding, in USD cents.
    pub follow: i64,
    /// Approved and received records without a rate.
    pub unconverted: i64,
}

impl Data {
    /// Reads the projects `filter` selects, their follow-up money when `follow_up` (coverage
    /// counts only budgets), and what grouping them by `dims` needs.
    pub fn load(
        conn: &mut Conn,
        filter: &ProjectFilter,
        dims: &[Dim],
        follow_up: bool,
        c: &Catalogue,
    ) -> Result<Data, ApiError> {
        let text = dims
            .iter()
            .any(|d| matches!(d, Dim::FundingLine | Dim::Status | Dim::ThematicArea));
        let mut rows: Vec<ProjectRow> = if text {
            report::project_columns(conn, filter)?
                .into_iter()
                .map(|(id, budget, year, line, status, area)| {
                    (id, budget, year, Some((line, status, area)))
                })
                .collect()
        } else {
            report::budgets(conn, filter)?
                .into_iter()
                .map(|(id, budget, year)| (id, budget, year, None))
                .collect()
        };
        rows.sort_unstable_by_key(|r| r.0);
        let ids: Vec<i64> = rows.iter().map(|r| r.0).collect();
        let leveraged = if follow_up {
            leveraged(conn)?
        } else {
            Vec::new()
        };
        let leveraged = PerProject::new(&ids, leveraged.into_iter());
        let projects = rows
            .iter()
            .enumerate()
            .map(|(i, (_, budget, _, _))| {
                let l = leveraged.of(i).first().copied().unwrap_or_default();
                Project {
                    budget: *budget,
                    follow: l.usd_cents,
                    unconverted: l.unconverted,
                }
            })
            .collect();
        let mut columns = Vec::new();
        let mut sdg = None;
        for dim in dims.iter().filter(|d| !d.splits()) {
            let column = match dim {
                Dim::FundingYear => Column {
                    keys: PerProject::new(&ids, rows.iter().map(|r| (r.0, number(r.2)))),
                    dict: Dict::Numbers,
                },
                Dim::FundingLine => {
                    let (dict, keys) = Dict::of_all(FundingLine::ALL, FundingLine::as_str);
                    let key = |l| keys.iter().find(|(v, _)| *v == l).map_or(NONE, |k| k.1);
                    texts(&ids, &rows, dict, |(line, _, _)| key(*line))
                }
                Dim::Status => {
                    let (dict, keys) = Dict::of_all(Status::ALL, Status::as_str);
                    let key = |s| keys.iter().find(|(v, _)| *v == s).map_or(NONE, |k| k.1);
                    texts(&ids, &rows, dict, |(_, status, _)| key(*status))
                }
                Dim::ThematicArea => {
                    let (dict, keys) = Dict::of(
                        rows.iter()
                            .filter_map(|r| r.3.as_ref().and_then(|t| t.2.as_deref())),
                    );
                    let column = texts(&ids, &rows, Dict::Numbers, |(_, _, area)| {
                        area.as_deref().map_or(NONE, |a| keys[a])
                    });
                    Column { dict, ..column }
                }
                Dim::SdgGoal | Dim::SdgTarget => {
                    let pairs = match sdg.take() {
                        Some(pairs) => pairs,
                        None => report::sdg(conn)?,
                    };
                    let column = if *dim == Dim::SdgGoal {
                        let goals: HashMap<&str, i32> = c
                            .targets
                            .iter()
                            .map(|t| (t.code.as_str(), t.goal))
                            .collect();
                        let keys = pairs
                            .iter()
                            .filter_map(|(id, t)| goals.get(t.as_str()).map(|g| (*id, number(*g))))
                            .collect();
                        Column::new(&ids, keys, Dict::Numbers)
                    } else {
                        coded(&ids, &pairs, c.targets.iter().map(|t| t.code.as_str()))
                    };
                    sdg = Some(pairs);
                    column
                }
                Dim::MigofElement => coded(
                    &ids,
                    &report::migof(conn)?,
                    c.migof.iter().map(|m| m.code.as_str()),
                ),
                Dim::GcmObjective => {
                    let keys = report::gcm(conn)?
                        .into_iter()
                        .map(|(id, n)| (id, number(n)))
                        .collect();
                    Column::new(&ids, keys, Dict::Numbers)
                }
                Dim::Region | Dim::MemberState => continue,
            };
            columns.push((*dim, column));
        }
        let states = if dims.iter().any(|d| d.splits()) {
            Some(States::load(conn, &ids)?)
        } else {
            None
        };
        Ok(Data {
            projects,
            columns,
            states,
        })
    }

    /// The selected projects, by id.
    pub(super) fn projects(&self) -> &[Project] {
        &self.projects
    }

    /// Project `i`'s keys of `dim` (not a splitting one); [`NONE`] alone when it has none.
    pub(super) fn keys(&self, dim: Dim, project: usize) -> &[KeyId] {
        self.column(dim).map_or(&[NONE], |c| c.of(project))
    }

    /// Project `i`'s member states, in position order (loaded for a splitting dimension).
    pub(super) fn states_of(&self, project: usize) -> &[StateOf] {
        self.states.as_ref().map_or(&[], |s| s.of.of(project))
    }

    /// The key of `text` in a text dimension.
    pub(super) fn text_key(&self, dim: Dim, text: &str) -> Option<KeyId> {
        self.dict(dim).and_then(|d| d.find(text))
    }

    pub(super) fn state_name(&self, iso3: &str) -> Option<String> {
        self.states
            .as_ref()
            .and_then(|s| s.names.get(iso3).cloned())
    }

    fn column(&self, dim: Dim) -> Option<&Column> {
        self.columns.iter().find(|(d, _)| *d == dim).map(|(_, c)| c)
    }

    /// The dictionary of `dim`'s keys.
    fn dict(&self, dim: Dim) -> Option<&Dict> {
        match (dim, &self.states) {
            (Dim::Region, Some(s)) => Some(&s.regions),
            (Dim::MemberState, Some(s)) => Some(&s.states),
            _ => self.column(dim).map(|c| &c.dict),
        }
    }

    /// What key `k` of `dim` stands for.
    pub(super) fn key(&self, dim: Dim, k: KeyId) -> Key {
        self.dict(dim).map_or(Key::None, |d| d.key(k))
    }
}

/// A single-valued column from the projects' text columns (`rows` by id).
fn texts(
    ids: &[i64],
    rows: &[ProjectRow],
    dict: Dict,
    key: impl Fn(&TextColumns) -> KeyId,
) -> Column {
    Column {
        keys: PerProject::new(
            ids,
            rows.iter().map(|r| (r.0, r.3.as_ref().map_or(NONE, &key))),
        ),
        dict,
    }
}

/// Every project's follow-up money that counts as leverage (approved and received records),
/// by project id: summed here from one read of the status index, which holds every column
/// it needs (an SQL `GROUP BY` would sort as many rows as it reads).
pub(super) fn leveraged(conn: &mut Conn) -> Result<Vec<(i64, Leveraged)>, ApiError> {
    let mut rows = report::leveraging(conn)?;
    rows.sort_unstable_by_key(|r| r.0);
    let mut out: Vec<(i64, Leveraged)> = Vec::new();
    for (id, usd, missing) in rows {
        if out.last().is_none_or(|(last, _)| *last != id) {
            out.push((id, Leveraged::default()));
        }
        if let Some((_, l)) = out.last_mut() {
            l.usd_cents = add(l.usd_cents, usd.unwrap_or_default())?;
            l.unconverted += i64::from(missing);
        }
    }
    Ok(out)
}
