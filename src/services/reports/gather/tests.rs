//! Merging and selecting across chunk boundaries, against a `Data` built directly from the
//! expected projects.

use std::collections::HashMap;
use std::sync::Arc;

use super::super::Dim;
use super::super::data::{CHUNK, Chunk, Data, Project, StateDicts};
use super::super::keys::{Dict, KeyId, PerProject};

/// Projects `ids` (sorted), each keyed by `key(id)` in one text dimension of `dict`.
fn data(ids: &[i64], dict: &[&str], key: impl Fn(i64) -> KeyId) -> Data {
    let whole = Chunk {
        ids: ids.to_vec(),
        codes: ids
            .iter()
            .map(|id| format!("P{id}").into_boxed_str())
            .collect(),
        projects: ids
            .iter()
            .map(|id| Project {
                budget: *id,
                follow: 0,
                unconverted: 0,
            })
            .collect(),
        columns: vec![PerProject::new(ids, ids.iter().map(|id| (*id, key(*id))))],
        states: PerProject::new(ids, std::iter::empty()),
        follow_ups: PerProject::new(ids, std::iter::empty()),
    };
    Data {
        dims: vec![(
            Dim::ThematicArea,
            Dict::Text(dict.iter().map(|s| (*s).to_owned()).collect()),
        )],
        state_dicts: StateDicts {
            states: Dict::Text(Vec::new()),
            regions: Dict::Text(Vec::new()),
            names: Arc::new(HashMap::new()),
        },
        chunks: whole.split(),
    }
}

/// Every project as (id, code, budget, the text of its key).
fn rows(d: &Data) -> Vec<(i64, String, i64, String)> {
    d.rows()
        .map(|r| {
            let key = match d.key(Dim::ThematicArea, r.keys(Dim::ThematicArea)[0]) {
                super::super::Key::Text(t) => t,
                other => format!("{other:?}"),
            };
            (r.id(), r.code().to_owned(), r.project().budget, key)
        })
        .collect()
}

const DICT: &[&str] = &["a", "b", "c"];

#[test]
fn a_merge_replaces_creates_and_deletes_across_chunks_and_shares_the_rest() {
    let ids: Vec<i64> = (1..=5000).collect();
    let base = data(&ids, DICT, |_| 0);
    assert_eq!(base.chunks.len(), 3);
    // 10 and 2050 re-keyed, 3000 deleted, 6000 and 0 created; read fresh in a dictionary of
    // their own.
    let changed = [0, 10, 2050, 3000, 6000];
    let fresh = data(&[0, 10, 2050, 6000], &["c"], |_| 0);
    let merged = base.merge(&changed, &fresh).expect("every key has a place");

    let mut want: Vec<i64> = (0..=5000).filter(|id| *id != 3000).collect();
    want.push(6000);
    let expected = data(&want, DICT, |id| {
        if [0, 10, 2050, 6000].contains(&id) {
            2
        } else {
            0
        }
    });
    assert_eq!(rows(&merged), rows(&expected));
    assert_eq!(merged.len(), 5001);

    // Only a change in the first chunk: the other two are the base's own.
    let merged = base
        .merge(&[10], &data(&[10], DICT, |_| 1))
        .expect("merged");
    assert!(!Arc::ptr_eq(&merged.chunks[0], &base.chunks[0]));
    assert!(Arc::ptr_eq(&merged.chunks[1], &base.chunks[1]));
    assert!(Arc::ptr_eq(&merged.chunks[2], &base.chunks[2]));
    assert_eq!(rows(&merged)[9].3, "b");
}

#[test]
fn a_chunk_that_grows_past_twice_its_size_is_split_and_an_emptied_base_stays_whole() {
    let base = data(&(1..=100).collect::<Vec<_>>(), DICT, |_| 0);
    let new: Vec<i64> = (101..=100 + 2 * CHUNK as i64 + 100).collect();
    let merged = base.merge(&new, &data(&new, DICT, |_| 1)).expect("merged");
    assert!(merged.chunks.len() >= 2);
    assert!(merged.chunks.iter().all(|c| c.ids.len() <= 2 * CHUNK));
    let all: Vec<i64> = (1..=100 + 2 * CHUNK as i64 + 100).collect();
    let expected = data(&all, DICT, |id| if id > 100 { 1 } else { 0 });
    assert_eq!(rows(&merged), rows(&expected));

    let gone = base
        .merge(&(1..=100).collect::<Vec<_>>(), &data(&[], DICT, |_| 0))
        .expect("merged");
    assert_eq!(gone.len(), 0);
    assert_eq!(gone.chunks.len(), 1, "one empty chunk");
    let again = gone.merge(&[7], &data(&[7], DICT, |_| 2)).expect("merged");
    assert_eq!(rows(&again), [(7, "P7".to_owned(), 7, "c".to_owned())]);
}

#[test]
fn a_key_with_no_place_in_the_base_asks_for_a_whole_read() {
    let base = data(&[1, 2], &["a", "c"], |_| 0);
    assert!(base.merge(&[2], &data(&[2], &["b"], |_| 0)).is_none());
    let merged = base
        .merge(&[2], &data(&[2], &["c"], |_| 0))
        .expect("c is known");
    assert_eq!(rows(&merged)[1].3, "c");
}

#[test]
fn a_selection_keeps_whole_chunks_shared_and_copies_the_rest() {
    let ids: Vec<i64> = (1..=5000).collect();
    let base = data(&ids, DICT, |id| KeyId::from(id % 3 == 0));
    let mut picked: Vec<i64> = (1..=2048).collect();
    picked.extend([2049, 4000, 4001, 9999]);
    let selected = base.select(&picked);
    assert!(Arc::ptr_eq(&selected.chunks[0], &base.chunks[0]));
    let expected = data(&picked[..picked.len() - 1], DICT, |id| {
        KeyId::from(id % 3 == 0)
    });
    assert_eq!(rows(&selected), rows(&expected));
    assert_eq!(base.select(&[]).len(), 0);
}
