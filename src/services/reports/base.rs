//! The reports' base: what the portfolio, coverage and leverage reports count of every
//! project ([`Data`]), kept in memory by each copy of the service at a position of the change
//! feed, and brought up to date from the feed when a report finds it behind.
//!
//! A report reads, in one snapshot of the database (one read transaction), the feed's
//! position, then:
//! - at the base's position, it counts the base as it is;
//! - behind it, it reads the feed's entries since and re-reads only the projects they name
//!   (the nine queries of [`Data::load`], narrowed to their ids), merged into a new base
//!   ([`Data::merge`]). A project's entry names its code; a follow-up's names its record, whose
//!   project is read (every follow-up write also records its project's entry);
//!   An exchange rate's entry re-reads the projects with follow-up funding in its currency
//!   (their conversions were redone); a member state's, the projects in that state and every
//!   state's name and region;
//! - it reads the whole base again for a record type this module does not know, when more
//!   than [`MAX_PATCH`] entries arrived or they name more than 10,000 projects, or when a
//!   fresh row holds a key the base's dictionaries lack (a new member state or region, a code
//!   not in the catalogue).
//!
//! Entries of records these reports do not count (evaluations, results, users, …) only move
//! the position. The position and the rows are read in one snapshot and the feed's ids are
//! assigned in commit order, so a base at position P holds every write committed up to P,
//! whichever copy of the service made it: it is never stale. Writes that bypass the use cases
//! (`devfund seed`'s synthetic data, hand-written SQL) are not seen until a whole read, as
//! for kept answers ([`crate::api::kept`]).

use std::collections::HashSet;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use super::Data;
use crate::db::{Conn, snapshot};
use crate::error::ApiError;
use crate::models::change::Change;
use crate::models::project::ProjectFilter;
use crate::models::reference::Catalogue;
use crate::models::report::{self, Scope};

/// Above this many new entries the base is read whole: cheaper than merging that many.
pub const MAX_PATCH: i64 = 2_000;

/// Above this many changed projects the base is read whole.
const MAX_MERGED: usize = 10_000;

/// Record types whose changes no report of the base counts.
const NOT_COUNTED: &[&str] = &[
    "allocation",
    "eligibility",
    "evaluation",
    "evaluation_question",
    "funding_rule",
    "indicator",
    "measurement",
    "publication",
    "recommendation",
    "result",
    "user",
    "webhook",
];

/// Every project's [`Data`] at a position of the change feed.
struct Base {
    position: i64,
    data: Arc<Data>,
}

/// How a report found the base behind the feed and brought it up to date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refresh {
    /// Read whole: the first report, or an entry that may change every project.
    Whole = 0,
    /// The projects the new entries name, read and merged in.
    Merged = 1,
    /// Only entries of records the reports do not count: the same data at the new position.
    Moved = 2,
}

impl Refresh {
    pub const ALL: [Refresh; 3] = [Refresh::Whole, Refresh::Merged, Refresh::Moved];

    pub fn as_str(self) -> &'static str {
        match self {
            Refresh::Whole => "whole",
            Refresh::Merged => "merged",
            Refresh::Moved => "moved",
        }
    }
}

/// This copy's base: none until the first report asks for it.
#[derive(Default)]
pub struct Shelf {
    held: Mutex<Option<Arc<Base>>>,
    refreshes: [AtomicU64; 3],
}

impl Shelf {
    /// Runs `count` over the projects `filter` selects, counted from the base brought up to
    /// the feed's position, all in one snapshot of the database.
    pub fn count<T>(
        &self,
        conn: &mut Conn,
        c: &Catalogue,
        filter: &ProjectFilter,
        count: impl FnOnce(&mut Conn, &Data) -> Result<T, ApiError>,
    ) -> Result<T, ApiError> {
        let held = self.held.lock().ok().and_then(|h| h.clone());
        let seen = held.clone();
        snapshot::read(conn, |conn| {
            let (base, refresh) = current(conn, held, c)?;
            if let Some(refresh) = refresh {
                self.refreshes[refresh as usize].fetch_add(1, Ordering::Relaxed);
                self.keep(&base, seen.as_ref());
            }
            if report::selects_all(filter) {
                count(conn, &base.data)
            } else {
                let mut ids = report::ids(conn, filter)?;
                ids.sort_unstable();
                count(conn, &base.data.select(&ids))
            }
        })
    }

    /// How many times the base was brought up to date, each way.
    pub fn refreshes(&self, how: Refresh) -> u64 {
        self.refreshes[how as usize].load(Ordering::Relaxed)
    }

    /// Holds `base`, made from `seen`, unless another request held a newer one since (a
    /// base still held as `seen` is replaced even when its position was ahead: the database
    /// was replaced under the service).
    fn keep(&self, base: &Arc<Base>, seen: Option<&Arc<Base>>) {
        if let Ok(mut held) = self.held.lock() {
            let untouched = match (held.as_ref(), seen) {
                (Some(h), Some(s)) => Arc::ptr_eq(h, s),
                (h, s) => h.is_none() && s.is_none(),
            };
            if untouched || held.as_ref().is_none_or(|h| h.position < base.position) {
                *held = Some(base.clone());
            }
        }
    }
}

/// The base at the feed's position in this snapshot: `held` as it is (no [`Refresh`]),
/// merged with what changed since, or read whole.
fn current(
    conn: &mut Conn,
    held: Option<Arc<Base>>,
    c: &Catalogue,
) -> Result<(Arc<Base>, Option<Refresh>), ApiError> {
    let position = Change::position(conn)?;
    let at = |data, refresh| Ok((Arc::new(Base { position, data }), Some(refresh)));
    let whole = |conn: &mut Conn| at(Arc::new(Data::load(conn, Scope::All, c)?), Refresh::Whole);
    // A held base ahead of the database: the database was replaced under the service.
    let Some(base) = held.filter(|b| b.position <= position) else {
        return whole(conn);
    };
    if base.position == position {
        return Ok((base, None));
    }
    let Some(Changed { ids, states }) = changed(conn, &base)? else {
        return whole(conn);
    };
    if ids.is_empty() && !states {
        return at(base.data.clone(), Refresh::Moved);
    }
    // Read even for no project when a member state changed: it brings every state's name.
    let fresh = Data::load(conn, Scope::Ids(&ids), c)?;
    match base.data.merge(&ids, &fresh) {
        Some(data) => at(Arc::new(data), Refresh::Merged),
        None => whole(conn),
    }
}

/// What the feed's entries after a base's position changed.
struct Changed {
    /// The projects changed, created or deleted (sorted, distinct).
    ids: Vec<i64>,
    /// Whether a member state changed: its name, its region.
    states: bool,
}

/// What the feed's entries after `base`'s position changed; `None` when the base must be read
/// whole.
fn changed(conn: &mut Conn, base: &Base) -> Result<Option<Changed>, ApiError> {
    let entries = Change::after(conn, base.position, MAX_PATCH + 1)?;
    if entries.len() > MAX_PATCH as usize {
        return Ok(None);
    }
    let (mut codes, mut deleted, mut follow_ups) = (Vec::new(), HashSet::new(), Vec::new());
    let (mut currencies, mut states) = (Vec::new(), Vec::new());
    for e in entries {
        match e.record_type.as_str() {
            "project" => {
                if e.action == "deleted" {
                    deleted.insert(e.record_key.clone());
                }
                codes.push(e.record_key);
            }
            "follow_up" => match e.record_key.parse::<i64>() {
                Ok(id) => follow_ups.push(id),
                Err(_) => return Ok(None),
            },
            // `EUR/2026-05`
            "exchange_rate" => match e.record_key.split_once('/') {
                Some((currency, _)) => currencies.push(currency.to_owned()),
                None => return Ok(None),
            },
            "member_state" => states.push(e.record_key),
            t if NOT_COUNTED.contains(&t) => {}
            _ => return Ok(None),
        }
    }
    let mut ids = Vec::new();
    if !codes.is_empty() {
        codes.sort_unstable();
        codes.dedup();
        ids.extend(report::ids_of_codes(conn, &codes)?);
    }
    if !deleted.is_empty() {
        // A deleted project is found by its code in the base (its row is gone), even when a
        // new project took the code since.
        ids.extend(
            base.data
                .rows()
                .filter(|row| deleted.contains(row.code()))
                .map(|row| row.id()),
        );
    }
    if !follow_ups.is_empty() {
        ids.extend(report::projects_of_follow_ups(conn, &follow_ups)?);
    }
    if !currencies.is_empty() {
        currencies.sort_unstable();
        currencies.dedup();
        ids.extend(report::projects_funded_in(conn, &currencies)?);
    }
    if !states.is_empty() {
        states.sort_unstable();
        states.dedup();
        ids.extend(report::projects_in_states(conn, &states)?);
    }
    ids.sort_unstable();
    ids.dedup();
    if ids.len() > MAX_MERGED {
        return Ok(None);
    }
    Ok(Some(Changed {
        ids,
        states: !states.is_empty(),
    }))
}
