//! Answers kept in memory under the version they were made from.
//!
//! A [`VersionedCache`] never decides by itself whether an answer is fresh: the caller reads
//! the record's current version from the database (one indexed read, on every request, so a
//! write committed by any service copy is seen at once) and asks for the answer of exactly
//! that version. An older entry is simply not returned, and is replaced by the next answer
//! made. What the cache saves is everything after that one read: the other queries, building
//! the response and serializing it.
//!
//! Memory is bounded by a byte budget (answers and keys that hold bytes of their own, see
//! [`Weigh`]): when an insert passes it, arbitrary entries are dropped until the cache is back
//! under three quarters of it, so a scan over more records than fit costs one eviction pass
//! per quarter of the budget, not one per insert.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::Mutex;

use actix_web::HttpResponse;
use actix_web::http::header::{self, ContentType, HeaderValue};
use actix_web::web::Bytes;

/// The bytes a key or an answer holds besides itself, counted in the cache's budget.
pub trait Weigh {
    fn weight(&self) -> usize;
}

impl Weigh for Bytes {
    fn weight(&self) -> usize {
        self.len()
    }
}

impl Weigh for i64 {
    fn weight(&self) -> usize {
        0
    }
}

impl Weigh for String {
    fn weight(&self) -> usize {
        self.len()
    }
}

/// A JSON answer as kept: its body, and its `Link` header when it is a page of a list.
#[derive(Debug, Clone)]
pub struct JsonAnswer {
    pub link: Option<HeaderValue>,
    pub body: Bytes,
}

impl JsonAnswer {
    /// 200 with the answer.
    pub fn response(&self) -> HttpResponse {
        let mut res = HttpResponse::Ok();
        res.insert_header(ContentType::json());
        if let Some(link) = &self.link {
            res.insert_header((header::LINK, link.clone()));
        }
        res.body(self.body.clone())
    }
}

impl Weigh for JsonAnswer {
    fn weight(&self) -> usize {
        self.body.len() + self.link.as_ref().map_or(0, HeaderValue::len)
    }
}

/// Serialized answers by key, each valid for one version of its record.
pub struct VersionedCache<K, V = Bytes> {
    budget: usize,
    inner: Mutex<Entries<K, V>>,
}

struct Entries<K, V> {
    map: HashMap<K, (i64, V)>,
    bytes: usize,
}

impl<K: Hash + Eq + Weigh, V: Clone + Weigh> VersionedCache<K, V> {
    /// An empty cache holding at most about `budget` bytes of answers.
    pub fn new(budget: usize) -> Self {
        VersionedCache {
            budget,
            inner: Mutex::new(Entries {
                map: HashMap::new(),
                bytes: 0,
            }),
        }
    }

    /// The answer stored for `key` at exactly `version`.
    pub fn get(&self, key: &K, version: i64) -> Option<V> {
        let entries = self.lock();
        match entries.map.get(key) {
            Some((v, bytes)) if *v == version => Some(bytes.clone()),
            _ => None,
        }
    }

    /// Stores `answer` as `key`'s at `version`, unless a newer version's is already there (a
    /// slower request that read an older version must not replace it). An answer larger than
    /// the whole budget is not kept.
    pub fn put(&self, key: K, version: i64, answer: V) {
        let cost = answer.weight() + key.weight();
        if cost > self.budget {
            return;
        }
        let mut entries = self.lock();
        if let Some((v, old)) = entries.map.get(&key) {
            if *v > version {
                return;
            }
            let freed = old.weight() + key.weight();
            entries.bytes -= freed;
        }
        entries.bytes += cost;
        entries.map.insert(key, (version, answer));
        if entries.bytes > self.budget {
            let target = self.budget / 4 * 3;
            let Entries { map, bytes } = &mut *entries;
            map.retain(|key, (_, answer)| {
                if *bytes <= target {
                    return true;
                }
                *bytes -= answer.weight() + key.weight();
                false
            });
        }
    }

    /// How many bytes of answers (and of keys, [`Weigh`]) are held.
    pub fn bytes(&self) -> usize {
        self.lock().bytes
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Entries<K, V>> {
        // A panic while holding the lock leaves the map consistent (every mutation above is
        // complete before anything can panic), so a poisoned lock is still usable.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(n: usize) -> Bytes {
        Bytes::from(vec![b'x'; n])
    }

    #[test]
    fn answers_only_the_version_asked_for() {
        let cache = VersionedCache::new(1_000);
        cache.put(1_i64, 3, answer(10));
        assert_eq!(cache.get(&1, 3).map(|b| b.len()), Some(10));
        assert!(cache.get(&1, 4).is_none());
        assert!(cache.get(&1, 2).is_none());
        assert!(cache.get(&2, 3).is_none());
    }

    #[test]
    fn a_newer_version_replaces_an_older_one_and_never_the_reverse() {
        let cache = VersionedCache::new(1_000);
        cache.put(1_i64, 3, answer(10));
        cache.put(1, 4, answer(20));
        assert!(cache.get(&1, 3).is_none());
        assert_eq!(cache.get(&1, 4).map(|b| b.len()), Some(20));
        cache.put(1, 3, answer(30));
        assert_eq!(cache.get(&1, 4).map(|b| b.len()), Some(20));
        assert_eq!(cache.bytes(), 20);
    }

    #[test]
    fn memory_stays_within_the_budget() {
        let cache = VersionedCache::new(1_000);
        for key in 0..1_000_i64 {
            cache.put(key, 1, answer(90));
            assert!(cache.bytes() <= 1_000, "{} bytes held", cache.bytes());
        }
        // The last answer stored is among those kept only when the pass spared it; either
        // way the accounting matches what is held.
        let held: usize = (0..1_000_i64)
            .filter_map(|k| cache.get(&k, 1))
            .map(|b| b.len())
            .sum();
        assert_eq!(held, cache.bytes());
        cache.put(5_000, 1, answer(2_000));
        assert!(cache.get(&5_000, 1).is_none(), "larger than the budget");
    }

    #[test]
    fn a_zero_budget_keeps_nothing() {
        let cache = VersionedCache::new(0);
        cache.put(1_i64, 1, answer(1));
        assert!(cache.get(&1, 1).is_none());
        assert_eq!(cache.bytes(), 0);
    }

    #[test]
    fn long_keys_count_in_the_budget() {
        let cache = VersionedCache::new(1_000);
        cache.put("k".repeat(300), 1, answer(100));
        assert_eq!(cache.bytes(), 400);
        cache.put("k".repeat(300), 2, answer(50));
        assert_eq!(cache.bytes(), 350);
        for n in 0..100 {
            cache.put(format!("{n:0>200}"), 1, answer(1));
            assert!(cache.bytes() <= 1_000, "{} bytes held", cache.bytes());
        }
    }
}
