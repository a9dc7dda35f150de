//! Group keys while counting: a number, or the index of a text value in its dimension's
//! sorted dictionary, so that grouping compares and hashes integers, and each project's keys
//! are a slice of one flat vector.

use std::collections::HashMap;

use super::Key;

/// A group key while counting: a number ([`number`]: years, SDG goals, GCM objectives), or the
/// index of a text value in its dimension's sorted [`Dict`]; [`NONE`] for no value. Keys
/// compare as the [`Key`]s they stand for, "none" last.
pub(in crate::services::reports) type KeyId = u32;
pub(super) const NONE: KeyId = KeyId::MAX;

/// What a dimension's keys stand for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Dict {
    Numbers,
    /// Sorted and distinct: a key is an index.
    Text(Vec<String>),
}

impl Dict {
    /// The dictionary of `values` (any order, repeats allowed) and each value's key.
    pub(super) fn of<'a>(values: impl Iterator<Item = &'a str>) -> (Dict, HashMap<&'a str, KeyId>) {
        let mut sorted: Vec<&str> = values.collect();
        sorted.sort_unstable();
        sorted.dedup();
        let keys = sorted
            .iter()
            .enumerate()
            .map(|(i, v)| (*v, to_u32(i)))
            .collect();
        (
            Dict::Text(sorted.into_iter().map(str::to_owned).collect()),
            keys,
        )
    }

    /// The dictionary of a closed vocabulary: every value, known or not, and the key of each.
    pub(super) fn of_all<T: Copy + Eq>(
        all: &[T],
        text: impl Fn(T) -> &'static str,
    ) -> (Dict, Vec<(T, KeyId)>) {
        let (dict, keys) = Dict::of(all.iter().map(|v| text(*v)));
        let of = all.iter().map(|v| (*v, keys[text(*v)])).collect();
        (dict, of)
    }

    pub(super) fn key(&self, k: KeyId) -> Key {
        match self {
            _ if k == NONE => Key::None,
            Dict::Numbers => Key::Int(i64::from(i32::from_ne_bytes((k ^ SIGN).to_ne_bytes()))),
            Dict::Text(t) => t
                .get(k as usize)
                .map_or(Key::None, |t| Key::Text(t.clone())),
        }
    }

    /// The key of `text` in a text dictionary.
    pub(super) fn find(&self, text: &str) -> Option<KeyId> {
        match self {
            Dict::Text(t) => t
                .binary_search_by(|v| v.as_str().cmp(text))
                .ok()
                .map(to_u32),
            Dict::Numbers => None,
        }
    }
}

/// An index into a report's rows as stored (a report never holds 2^32 rows).
pub(super) fn to_u32(n: usize) -> u32 {
    u32::try_from(n).expect("fewer than 2^32 rows")
}

const SIGN: u32 = 0x8000_0000;

/// A number as a key: the sign bit flipped, so keys order as the numbers do (`i32::MAX`, no
/// year or code, would read as [`NONE`]).
pub(in crate::services::reports) fn number(n: i32) -> KeyId {
    u32::from_ne_bytes(n.to_ne_bytes()) ^ SIGN
}

/// Rows per project: project `i`'s are `rows[starts[i]..starts[i + 1]]`.
#[derive(Debug, Clone)]
pub(super) struct PerProject<T> {
    starts: Vec<u32>,
    rows: Vec<T>,
}

impl<T: Copy> PerProject<T> {
    /// From (project id, row) pairs sorted by id; pairs of projects not in `ids` (sorted) are
    /// skipped.
    pub(super) fn new(ids: &[i64], pairs: impl Iterator<Item = (i64, T)>) -> PerProject<T> {
        let mut starts = Vec::with_capacity(ids.len() + 1);
        let mut rows = Vec::new();
        let mut pairs = pairs.peekable();
        for id in ids {
            starts.push(to_u32(rows.len()));
            while pairs.next_if(|(p, _)| p < id).is_some() {}
            while let Some((_, row)) = pairs.next_if(|(p, _)| p == id) {
                rows.push(row);
            }
        }
        starts.push(to_u32(rows.len()));
        PerProject { starts, rows }
    }

    /// From each project's rows, in order.
    pub(super) fn gather<'a>(each: impl Iterator<Item = &'a [T]>) -> PerProject<T>
    where
        T: 'a,
    {
        let mut starts = Vec::with_capacity(each.size_hint().0 + 1);
        let mut rows = Vec::new();
        for of in each {
            starts.push(to_u32(rows.len()));
            rows.extend_from_slice(of);
        }
        starts.push(to_u32(rows.len()));
        PerProject { starts, rows }
    }

    /// The rows of projects `range`, as their own.
    pub(super) fn part(&self, range: std::ops::Range<usize>) -> PerProject<T> {
        PerProject::gather(range.map(|i| self.of(i)))
    }

    /// Every row passed through `f`, in place.
    pub(super) fn map_rows(&mut self, f: impl Fn(T) -> T) {
        self.rows.iter_mut().for_each(|r| *r = f(*r));
    }

    /// Every project's rows, in project order.
    pub(super) fn all(&self) -> &[T] {
        &self.rows
    }

    pub(super) fn of(&self, project: usize) -> &[T] {
        &self.rows[self.starts[project] as usize..self.starts[project + 1] as usize]
    }
}

/// One dimension's keys for every selected project (distinct per project), and their dictionary.
#[derive(Debug, Clone)]
pub(super) struct Column {
    pub keys: PerProject<KeyId>,
    pub dict: Dict,
}

impl Column {
    /// From (project id, key) pairs in any order.
    pub(super) fn new(ids: &[i64], mut pairs: Vec<(i64, KeyId)>, dict: Dict) -> Column {
        pairs.sort_unstable();
        pairs.dedup();
        Column {
            keys: PerProject::new(ids, pairs.into_iter()),
            dict,
        }
    }
}

/// A column of text codes from (project, code) pairs, keyed by the codes of the catalogue
/// (`known`): a lookup per pair, instead of sorting them all to find the distinct ones.
pub(super) fn coded<'a>(
    ids: &[i64],
    pairs: &[(i64, String)],
    known: impl Iterator<Item = &'a str>,
) -> Column {
    let (dict, keys) = Dict::of(known);
    let mut keyed = Vec::with_capacity(pairs.len());
    for (id, code) in pairs {
        match keys.get(code.as_str()) {
            Some(k) => keyed.push((*id, *k)),
            // Not in the catalogue (it is loaded at start-up): key every code as found.
            None => return coded_as_found(ids, pairs),
        }
    }
    Column::new(ids, keyed, dict)
}

fn coded_as_found(ids: &[i64], pairs: &[(i64, String)]) -> Column {
    let (dict, keys) = Dict::of(pairs.iter().map(|(_, c)| c.as_str()));
    let pairs = pairs
        .iter()
        .map(|(id, c)| (*id, keys[c.as_str()]))
        .collect();
    Column::new(ids, pairs, dict)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn number_keys_order_as_the_numbers_and_read_back() {
        let numbers = [-5, 0, 1, 17, 2026];
        let keys: Vec<KeyId> = numbers.iter().map(|n| number(*n)).collect();
        assert!(keys.windows(2).all(|w| w[0] < w[1]), "{keys:?}");
        assert!(keys.iter().all(|k| *k < NONE));
        for (n, k) in numbers.iter().zip(keys) {
            assert_eq!(Dict::Numbers.key(k), Key::Int(i64::from(*n)));
        }
    }

    #[test]
    fn text_keys_order_as_the_text_and_none_comes_last() {
        let (dict, keys) = Dict::of(["10.7", "1.1", "10.7", "8.8"].into_iter());
        assert!(keys["1.1"] < keys["10.7"] && keys["10.7"] < keys["8.8"]);
        assert_eq!(dict.key(keys["8.8"]), Key::Text("8.8".to_owned()));
        assert_eq!(dict.key(NONE), Key::None);
        assert_eq!(dict.find("10.7"), Some(keys["10.7"]));
    }

    #[test]
    fn a_column_keeps_distinct_sorted_keys_and_skips_other_projects_rows() {
        let pairs = vec![(5, 1), (1, 0), (5, 1), (5, 0), (9, 3)];
        let column = Column::new(&[2, 5], pairs, Dict::Numbers);
        assert_eq!(column.keys.of(0), &[] as &[KeyId]);
        assert_eq!(column.keys.of(1), &[0, 1]);
    }
}
