//! A [`Data`] made from others without reading the database: the projects a filter selects,
//! out of the base ([`Data::select`]), and the base with the projects a write changed
//! replaced by their fresh reading ([`Data::merge`]). Both share every [`Chunk`] they leave
//! as it is, and copy only the others.

use std::sync::Arc;

use super::data::{CHUNK, Chunk, Data, StateDicts};
use super::keys::{Dict, KeyId, NONE};

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
        self.with(&self.state_dicts, chunks)
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
        Some(self.with(&fresh.state_dicts, chunks))
    }

    /// A `Data` of `chunks`, keyed as this one, with `state_dicts`.
    fn with(&self, state_dicts: &StateDicts, chunks: Vec<Arc<Chunk>>) -> Data {
        Data {
            dims: self.dims.clone(),
            state_dicts: state_dicts.clone(),
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
                .flat_map(|ch| (0..ch.ids.len()).map(move |i| (&**ch, i)))
        };
        let mut chunk = Chunk::gather(rows, self.dims.len());
        for (keys, ((dim, dict), (base_dim, base_dict))) in chunk
            .columns
            .iter_mut()
            .zip(self.dims.iter().zip(&base.dims))
        {
            if dim != base_dim {
                return None;
            }
            if let Some(t) = translation(dict, base_dict)? {
                // Only the keys in use need a place (a dictionary may list values no row holds).
                if keys
                    .all()
                    .iter()
                    .any(|k| *k != NONE && t[*k as usize] == NONE)
                {
                    return None;
                }
                keys.map_rows(|k| if k == NONE { k } else { t[k as usize] });
            }
        }
        Some(chunk)
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
    let columns = sources[0].columns.len();
    Chunk::gather(|| picks.iter().map(|&(s, i)| (sources[s], i)), columns)
}

#[cfg(test)]
mod tests;
