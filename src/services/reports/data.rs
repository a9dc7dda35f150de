//! What the portfolio, coverage and leverage reports count, as integers: each project's group
//! keys ([`KeyId`]), member states and follow-up money are slices of flat vectors, so grouping
//! 100,000 projects allocates nothing per project.
//!
//! A [`Data`] holds every dimension of the projects it was read for, in [`Chunk`]s of about
//! [`CHUNK`] projects by id, each shared (`Arc`) by every `Data` that holds it. The reports'
//! base ([`super::base`]) keeps one of every project; a filtered report counts a
//! [`Data::select`]ion of it, and a write is merged in ([`Data::merge`]) from a `Data` read
//! for the projects it changed: only the chunks those projects fall in are copied.

use std::collections::HashMap;
use std::ops::Range;
use std::sync::Arc;

use super::keys::{Column, Dict, KeyId, NONE, PerProject, coded, number};
use super::{Dim, Key, add};
use crate::db::Conn;
use crate::domain::FundingLine;
use crate::domain::follow_up::{Conversion, FollowUpStatus, SourceType};
use crate::domain::project::Status;
use crate::error::ApiError;
use crate::models::reference::Catalogue;
use crate::models::report::{self, FactRow, FollowUpRow, Scope};

/// One member state of a project: its split weight and its keys.
#[derive(Debug, Clone, Copy)]
pub(super) struct StateOf {
    pub weight: i64,
    pub state: KeyId,
    pub region: KeyId,
}

/// The dictionaries of member states and regions, and the states' names.
#[derive(Clone)]
pub(super) struct StateDicts {
    pub states: Dict,
    pub regions: Dict,
    pub names: Arc<HashMap<String, String>>,
}

/// Every project's member states, in position order (a split hands leftover cents in that
/// order), keyed in the dictionaries read with them.
fn states(
    conn: &mut Conn,
    scope: Scope<'_>,
    ids: &[i64],
) -> Result<(PerProject<StateOf>, StateDicts), ApiError> {
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
    let mut rows = report::states(conn, scope)?;
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
    let dicts = StateDicts {
        states,
        regions,
        names: Arc::new(names),
    };
    Ok((of, dicts))
}

/// One project's follow-up records of one source type, status and conversion: how many, and
/// their USD sum (records without a rate add nothing).
#[derive(Debug, Clone, Copy)]
pub(super) struct Group {
    pub source: SourceType,
    pub status: FollowUpStatus,
    pub conversion: Conversion,
    pub records: i64,
    pub usd: i64,
}

/// One project, as the reports count it.
#[derive(Debug, Clone, Copy)]
pub(super) struct Project {
    pub budget: i64,
    /// Approved and received follow-up funding, in USD cents.
    pub follow: i64,
    /// Approved and received records without a rate.
    pub unconverted: i64,
}

/// About this many projects share a [`Chunk`]: a write copies the chunk its project is in.
pub(super) const CHUNK: usize = 2048;

/// Some projects (consecutive by id) and everything the reports count of them; project `i`
/// of the chunk is `ids[i]`.
#[derive(Debug, Clone)]
pub(super) struct Chunk {
    pub ids: Vec<i64>,
    pub codes: Vec<Box<str>>,
    pub projects: Vec<Project>,
    /// Each project's keys of each of [`Data`]'s `dims`, in that order.
    pub columns: Vec<PerProject<KeyId>>,
    pub states: PerProject<StateOf>,
    pub follow_ups: PerProject<Group>,
}

impl Chunk {
    /// This chunk in chunks of [`CHUNK`] projects (one, empty, when it is empty), taken apart
    /// a column at a time, so that only one column is ever held twice.
    pub(super) fn split(self) -> Vec<Arc<Chunk>> {
        let n = self.ids.len();
        if n <= CHUNK {
            return vec![Arc::new(self)];
        }
        let ranges: Vec<Range<usize>> = (0..n)
            .step_by(CHUNK)
            .map(|at| at..(at + CHUNK).min(n))
            .collect();
        let Chunk {
            ids,
            codes,
            projects,
            columns,
            states,
            follow_ups,
        } = self;
        let mut columns: Vec<_> = columns
            .into_iter()
            .map(|c| parts(c, &ranges).into_iter())
            .collect();
        let mut states = parts(states, &ranges).into_iter();
        let mut follow_ups = parts(follow_ups, &ranges).into_iter();
        let mut codes = cut(codes, &ranges).into_iter();
        let mut projects = cut(projects, &ranges).into_iter();
        cut(ids, &ranges)
            .into_iter()
            .map(|ids| {
                const PARTS: &str = "one part of each column per range";
                Arc::new(Chunk {
                    ids,
                    codes: codes.next().expect(PARTS),
                    projects: projects.next().expect(PARTS),
                    columns: columns.iter_mut().map(|c| c.next().expect(PARTS)).collect(),
                    states: states.next().expect(PARTS),
                    follow_ups: follow_ups.next().expect(PARTS),
                })
            })
            .collect()
    }

    /// Projects `range` of this chunk, as a chunk of their own.
    pub(super) fn part(&self, range: Range<usize>) -> Chunk {
        Chunk::gather(|| range.clone().map(|i| (self, i)), self.columns.len())
    }

    /// A chunk of the projects `rows` names (a chunk and a position in it, chunks keyed
    /// alike, with `columns` columns), in that order.
    pub(super) fn gather<'a, I>(rows: impl Fn() -> I, columns: usize) -> Chunk
    where
        I: Iterator<Item = (&'a Chunk, usize)>,
    {
        Chunk {
            ids: rows().map(|(ch, i)| ch.ids[i]).collect(),
            codes: rows().map(|(ch, i)| ch.codes[i].clone()).collect(),
            projects: rows().map(|(ch, i)| ch.projects[i]).collect(),
            columns: (0..columns)
                .map(|c| PerProject::gather(rows().map(|(ch, i)| ch.columns[c].of(i))))
                .collect(),
            states: PerProject::gather(rows().map(|(ch, i)| ch.states.of(i))),
            follow_ups: PerProject::gather(rows().map(|(ch, i)| ch.follow_ups.of(i))),
        }
    }
}

/// What the portfolio, coverage and leverage reports count of some projects, by id.
pub struct Data {
    /// The dimension of each of a chunk's `columns`, with the dictionary of its keys.
    pub(super) dims: Vec<(Dim, Dict)>,
    pub(super) state_dicts: StateDicts,
    pub(super) chunks: Vec<Arc<Chunk>>,
}

/// One project of a [`Data`], with what it is counted by.
#[derive(Clone, Copy)]
pub(super) struct Row<'a> {
    data: &'a Data,
    chunk: &'a Chunk,
    i: usize,
}

const NO_KEYS: &[KeyId] = &[NONE];

impl<'a> Row<'a> {
    pub(super) fn id(&self) -> i64 {
        self.chunk.ids[self.i]
    }

    pub(super) fn code(&self) -> &'a str {
        &self.chunk.codes[self.i]
    }

    pub(super) fn project(&self) -> &'a Project {
        &self.chunk.projects[self.i]
    }

    /// The project's keys of `dim` (not a splitting one); [`NONE`] alone when it has none.
    pub(super) fn keys(&self, dim: Dim) -> &'a [KeyId] {
        match self
            .data
            .column(dim)
            .map(|c| self.chunk.columns[c].of(self.i))
        {
            None | Some([]) => NO_KEYS,
            Some(keys) => keys,
        }
    }

    /// The project's member states, in position order.
    pub(super) fn states(&self) -> &'a [StateOf] {
        self.chunk.states.of(self.i)
    }
}

impl Data {
    /// Reads every dimension of the projects in `scope`: seven queries.
    pub fn load(conn: &mut Conn, scope: Scope<'_>, c: &Catalogue) -> Result<Data, ApiError> {
        let mut rows: Vec<FactRow> = report::facts(conn, scope)?;
        rows.sort_unstable_by_key(|r| r.0);
        let ids: Vec<i64> = rows.iter().map(|r| r.0).collect();
        let follow_ups = groups(&ids, report::follow_ups(conn, scope)?)?;
        let mut projects = Vec::with_capacity(ids.len());
        for (i, row) in rows.iter().enumerate() {
            let (mut follow, mut unconverted) = (0, 0);
            for g in follow_ups
                .of(i)
                .iter()
                .filter(|g| g.status.counts_as_leverage())
            {
                follow = add(follow, g.usd)?;
                if g.conversion == Conversion::MissingRate {
                    unconverted = add(unconverted, g.records)?;
                }
            }
            projects.push(Project {
                budget: row.1,
                follow,
                unconverted,
            });
        }
        let mut columns = vec![
            (
                Dim::FundingYear,
                Column {
                    keys: PerProject::new(&ids, rows.iter().map(|r| (r.0, number(r.2)))),
                    dict: Dict::Numbers,
                },
            ),
            (
                Dim::FundingLine,
                closed(&ids, &rows, FundingLine::ALL, FundingLine::as_str, |r| r.3),
            ),
            (
                Dim::Status,
                closed(&ids, &rows, Status::ALL, Status::as_str, |r| r.4),
            ),
        ];
        let areas: Vec<(i64, String)> = rows
            .iter_mut()
            .filter_map(|r| r.5.take().map(|a| (r.0, a)))
            .collect();
        let codes: Vec<Box<str>> = rows.into_iter().map(|r| r.6.into_boxed_str()).collect();
        let known = c.taxonomies.get("thematic-areas").into_iter().flatten();
        let area_keys = coded(&ids, &areas, known.map(|t| t.code.as_str()));
        drop(areas);
        columns.push((Dim::ThematicArea, area_keys));
        let sdg = report::sdg(conn, scope)?;
        let goals: HashMap<&str, i32> = c
            .targets
            .iter()
            .map(|t| (t.code.as_str(), t.goal))
            .collect();
        let goal_keys = sdg
            .iter()
            .filter_map(|(id, t)| goals.get(t.as_str()).map(|g| (*id, number(*g))))
            .collect();
        columns.push((Dim::SdgGoal, Column::new(&ids, goal_keys, Dict::Numbers)));
        let targets = coded(&ids, &sdg, c.targets.iter().map(|t| t.code.as_str()));
        drop(sdg);
        columns.push((Dim::SdgTarget, targets));
        let migof = coded(
            &ids,
            &report::migof(conn, scope)?,
            c.migof.iter().map(|m| m.code.as_str()),
        );
        columns.push((Dim::MigofElement, migof));
        let gcm = report::gcm(conn, scope)?
            .into_iter()
            .map(|(id, n)| (id, number(n)))
            .collect();
        columns.push((Dim::GcmObjective, Column::new(&ids, gcm, Dict::Numbers)));
        let (states, state_dicts) = states(conn, scope, &ids)?;
        let mut dims = Vec::with_capacity(columns.len());
        let mut keys = Vec::with_capacity(columns.len());
        for (dim, column) in columns {
            dims.push((dim, column.dict));
            keys.push(column.keys);
        }
        let whole = Chunk {
            ids,
            codes,
            projects,
            columns: keys,
            states,
            follow_ups,
        };
        Ok(Data {
            dims,
            state_dicts,
            chunks: whole.split(),
        })
    }

    /// Every project, by id.
    pub(super) fn rows(&self) -> impl Iterator<Item = Row<'_>> {
        self.chunks.iter().flat_map(move |chunk| {
            (0..chunk.ids.len()).map(move |i| Row {
                data: self,
                chunk,
                i,
            })
        })
    }

    /// How many projects.
    pub(super) fn len(&self) -> usize {
        self.chunks.iter().map(|c| c.ids.len()).sum()
    }

    /// Every project's follow-up groups.
    pub(super) fn follow_ups(&self) -> impl Iterator<Item = &Group> {
        self.chunks.iter().flat_map(|c| c.follow_ups.all())
    }

    /// The key of `text` in a text dimension.
    pub(super) fn text_key(&self, dim: Dim, text: &str) -> Option<KeyId> {
        self.dict(dim).and_then(|d| d.find(text))
    }

    pub(super) fn state_name(&self, iso3: &str) -> Option<String> {
        self.state_dicts.names.get(iso3).cloned()
    }

    /// The index of `dim`'s column in a chunk.
    fn column(&self, dim: Dim) -> Option<usize> {
        self.dims.iter().position(|(d, _)| *d == dim)
    }

    /// The dictionary of `dim`'s keys.
    fn dict(&self, dim: Dim) -> Option<&Dict> {
        match dim {
            Dim::Region => Some(&self.state_dicts.regions),
            Dim::MemberState => Some(&self.state_dicts.states),
            _ => self.column(dim).map(|c| &self.dims[c].1),
        }
    }

    /// What key `k` of `dim` stands for.
    pub(super) fn key(&self, dim: Dim, k: KeyId) -> Key {
        self.dict(dim).map_or(Key::None, |d| d.key(k))
    }
}

/// `v` cut into `ranges` (consecutive, from 0), moved, not copied.
fn cut<T>(v: Vec<T>, ranges: &[Range<usize>]) -> Vec<Vec<T>> {
    let mut all = v.into_iter();
    ranges
        .iter()
        .map(|r| all.by_ref().take(r.len()).collect())
        .collect()
}

/// The rows of each of `ranges`' projects, as their own [`PerProject`]s.
fn parts<T: Copy>(rows: PerProject<T>, ranges: &[Range<usize>]) -> Vec<PerProject<T>> {
    ranges.iter().map(|r| rows.part(r.clone())).collect()
}

/// A single-valued column of a closed vocabulary (funding line, status) from the rows.
fn closed<T: Copy + Eq>(
    ids: &[i64],
    rows: &[FactRow],
    all: &[T],
    text: impl Fn(T) -> &'static str,
    value: impl Fn(&FactRow) -> T,
) -> Column {
    let (dict, keys) = Dict::of_all(all, text);
    let key = |v: T| keys.iter().find(|(k, _)| *k == v).map_or(NONE, |k| k.1);
    Column {
        keys: PerProject::new(ids, rows.iter().map(|r| (r.0, key(value(r))))),
        dict,
    }
}

/// The follow-up records summed per project, source type, status and conversion.
fn groups(ids: &[i64], mut rows: Vec<FollowUpRow>) -> Result<PerProject<Group>, ApiError> {
    rows.sort_unstable_by_key(|r| (r.0, r.1, r.2, r.3));
    let mut out: Vec<(i64, Group)> = Vec::new();
    for (id, source, status, conversion, usd) in rows {
        match out.last_mut() {
            Some((last, g))
                if *last == id
                    && (g.source, g.status, g.conversion) == (source, status, conversion) =>
            {
                g.records += 1;
                g.usd = add(g.usd, usd.unwrap_or_default())?;
            }
            _ => out.push((
                id,
                Group {
                    source,
                    status,
                    conversion,
                    records: 1,
                    usd: usd.unwrap_or_default(),
                },
            )),
        }
    }
    Ok(PerProject::new(ids, out.into_iter()))
}
