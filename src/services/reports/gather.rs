//! A [`Data`] made from others without reading the database: the projects a filter selects,
//! out of the base ([`Data::select`]), and the base with the projects a write changed
//! replaced by their fresh reading ([`Data::merge`]). Both share every [`Chunk`] they leave
//! as it is, and copy only the others.

use std::sync::Arc;

use super::data::{CHUNK, Chunk, Data};
use super::keys::{Dict, KeyId, NONE, PerProject};

/// Where a gathered project comes from: one of two chunks, and its position there.
type Pick = (usize, usize);

impl Data {
    /// The projects of `ids` (sorted, distinct) that this holds, in id order.
    pub fn select(&self, ids: &[i64]) -> Data {
        let mut chunks = Vec::new();
        let mut rest = ids;
        for chunk in &self.chunks {
            let Some(last) = chunk.ids.last() else {
                continue;
            };
            let (mine, after) = rest.split_at(rest.partition_point(|id| id <= last));
            rest = after;
            let picks: Vec<Pick> = mine
                .iter()
                .filter_map(|id| chunk.ids.binary_search(id).ok())
                .map(|i| (0, i))
                .collect();
            if picks.len() == chunk.ids.len() {
                chunks.push(chunk.clone());
            } else if !picks.is_empty() {
                chunks.push(Arc::new(gather([chunk, chunk], &picks)));
            }
        }
        self.with(chunks)
    }

    /// This with the projects of `changed` (sorted, distinct) replaced by those of `fresh`,
    /// read for them: a changed project that `fresh` lacks was deleted, one this lacks was
    /// created; the member states' names are `fresh`'s. `None` when a key of `fresh` has no
    /// place in this one's dictionaries (a code not in the catalogue, a new member state or
    /// region): then the whole base is read again.
    pub fn merge(&self, changed: &[i64], fresh: &Data) -> Option<Data> {
        let fresh_chunk = fresh.keyed_as(self)?;
        let mut chunks = Vec::with_capacity(self.chunks.len() + 1);
        let (mut new_at, mut changed_at) = (0, 0);
        for (k, chunk) in self.chunks.iter().enumerate() {
            // This chunk takes the ids up to the next chunk's first.
            let next = self.chunks.get(k + 1).and_then(|n| n.ids.first());
            let hi = next.map_or(i64::MAX, |first| first - 1);
            let new_n = fresh_chunk.ids[new_at..].partition_point(|id| *id <= hi);
            let changed_n = changed[changed_at..].partition_point(|id| *id <= hi);
            if new_n == 0 && changed_n == 0 {
                chunks.push(chunk.clone());
                continue;
            }
            let picks = picks(
                &chunk.ids,
                &changed[changed_at..changed_at + changed_n],
                &fresh_chunk.ids[new_at..new_at + new_n],
                new_at,
            );
            (new_at, changed_at) = (new_at + new_n, changed_at + changed_n);
            let merged = gather([chunk, &fresh_chunk], &picks);
            if merged.ids.len() > 2 * CHUNK {
                let mid = merged.ids.len() / 2;
                chunks.push(Arc::new(merged.part(0..mid)));
                chunks.push(Arc::new(merged.part(mid..merged.ids.len())));
            } else if !merged.ids.is_empty() {
                chunks.push(Arc::new(merged));
            }
        }
        if chunks.is_empty() {
            chunks.push(Arc::new(fresh_chunk.part(0..0)));
        }
        Some(Data {
            dims: self.dims.clone(),
            state_dicts: fresh.state_dicts.clone(),
            chunks,
        })
    }

    /// A `Data` keyed as this one, of `chunks`.
    fn with(&self, chunks: Vec<Arc<Chunk>>) -> Data {
        Data {
            dims: self.dims.clone(),
            state_dicts: self.state_dicts.clone(),
            chunks,
        }
    }

    /// Every project of this as one chunk, its keys translated into `base`'s dictionaries, if
    /// they all have a place there.
    fn keyed_as(&self, base: &Data) -> Option<Chunk> {
        let (mine, theirs) = (&self.state_dicts, &base.state_dicts);
        if mine.states != theirs.states || mine.regions != theirs.regions {
            return None;
        }
        let rows = || {
            self.chunks
                .iter()
                .flat_map(|ch| (0..ch.ids.len()).map(move |i| (ch, i)))
        };
        let mut columns = Vec::with_capacity(self.dims.len());
        for (c, ((dim, dict), (base_dim, base_dict))) in
            self.dims.iter().zip(&base.dims).enumerate()
        {
            if dim != base_dim {
                return None;
            }
            let table = translation(dict, base_dict)?;
            // Only the keys in use need a place (a dictionary may list values no row holds).
            if let Some(t) = &table {
                let used = rows().flat_map(|(ch, i)| ch.columns[c].of(i));
                if used
                    .into_iter()
                    .any(|k| *k != NONE && t[*k as usize] == NONE)
                {
                    return None;
                }
            }
            let keys =
                PerProject::gather(
                    rows().map(|(ch, i)| ch.columns[c].of(i)),
                    |k| match &table {
                        Some(t) if k != NONE => t[k as usize],
                        _ => k,
                    },
                );
            columns.push(keys);
        }
        Some(Chunk {
            ids: rows().map(|(ch, i)| ch.ids[i]).collect(),
            codes: rows().map(|(ch, i)| ch.codes[i].clone()).collect(),
            projects: rows().map(|(ch, i)| ch.projects[i]).collect(),
            columns,
            states: PerProject::gather(rows().map(|(ch, i)| ch.states.of(i)), |s| s),
            follow_ups: PerProject::gather(rows().map(|(ch, i)| ch.follow_ups.of(i)), |g| g),
        })
    }
}

/// The merge of a chunk's `ids` (source 0) with fresh projects `fresh` (source 1, from
/// position `from`: changed or new ids), leaving out the chunk's `changed` projects.
fn picks(ids: &[i64], changed: &[i64], fresh: &[i64], from: usize) -> Vec<Pick> {
    let mut picks = Vec::with_capacity(ids.len() + fresh.len());
    let (mut a, mut b) = (0, 0);
    loop {
        match (ids.get(a), fresh.get(b)) {
            (Some(old), Some(new)) if new <= old => {
                picks.push((1, from + b));
                b += 1;
                if new == old {
                    a += 1;
                }
            }
            (Some(old), _) => {
                if changed.binary_search(old).is_err() {
                    picks.push((0, a));
                }
                a += 1;
            }
            (None, Some(_)) => {
                picks.push((1, from + b));
                b += 1;
            }
            (None, None) => break,
        }
    }
    picks
}

/// How keys of `from` read in `to`: `Some(None)` as they are, `Some(Some(table))` through the
/// table ([`NONE`] for a value `to` lacks), `None` when the kinds differ.
fn translation(from: &Dict, to: &Dict) -> Option<Option<Vec<KeyId>>> {
    match (from, to) {
        (Dict::Numbers, Dict::Numbers) => Some(None),
        (Dict::Text(a), Dict::Text(b)) if a == b => Some(None),
        (Dict::Text(a), Dict::Text(_)) => {
            Some(Some(a.iter().map(|v| to.find(v).unwrap_or(NONE)).collect()))
        }
        _ => None,
    }
}

/// The projects `picks` names, from `sources` keyed alike, in the order of `picks`.
fn gather(sources: [&Chunk; 2], picks: &[Pick]) -> Chunk {
    let base = sources[0];
    let at = |(s, i): &Pick| (sources[*s], *i);
    Chunk {
        ids: picks.iter().map(|p| at(p).0.ids[at(p).1]).collect(),
        codes: picks
            .iter()
            .map(|p| at(p).0.codes[at(p).1].clone())
            .collect(),
        projects: picks.iter().map(|p| at(p).0.projects[at(p).1]).collect(),
        columns: (0..base.columns.len())
            .map(|c| {
                PerProject::gather(picks.iter().map(|p| at(p).0.columns[c].of(at(p).1)), |k| k)
            })
            .collect(),
        states: PerProject::gather(picks.iter().map(|p| at(p).0.states.of(at(p).1)), |s| s),
        follow_ups: PerProject::gather(picks.iter().map(|p| at(p).0.follow_ups.of(at(p).1)), |g| g),
    }
}

#[cfg(test)]
mod tests;
