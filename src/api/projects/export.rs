//! The project list as CSV or XLSX: one row per project, lists joined by `;`, read from one
//! snapshot a page at a time by keyset (see [`crate::api::csv::table`]).

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use actix_web::HttpResponse;

use crate::api::csv::{Kind, PAGE_ROWS, Source, Table};
use crate::api::negotiate::Format;
use crate::db::Conn;
use crate::domain::Share;
use crate::error::ApiError;
use crate::models::project::export::{ExportChildren, ExportProject, StateNames, state_names};
use crate::models::project::{ProjectFilter, ProjectKey};
use crate::models::reference::{Catalogue, TaxonomyTerm};

pub const COLUMNS: &[&str] = &[
    "code",
    "title",
    "status",
    "funding_line",
    "funding_year",
    "scope",
    "budget_usd",
    "staff_office_share",
    "exceptional_increase",
    "thematic_area",
    "thematic_area_label",
    "member_states",
    "member_state_names",
    "regions",
    "region_labels",
    "sdg_targets",
    "migof",
    "gcm_objectives",
    "msd",
    "start_date",
    "end_date",
    "actual_end_date",
    "follow_up_total_usd",
    "leverage",
    "updated_at",
];

/// The rows of the filtered project list, in its order, a page at a time by keyset: each
/// page is its projects' columns and children in seven queries
/// ([`crate::models::project::export`]), written straight into the table.
pub struct ProjectRows {
    filter: ProjectFilter,
    catalogue: Arc<Catalogue>,
    page_rows: i64,
    last: Option<ProjectKey>,
    /// Member states' names and regions, read once, at the start of the snapshot.
    states: Option<HashMap<String, StateNames>>,
}

impl ProjectRows {
    pub fn new(filter: ProjectFilter, catalogue: Arc<Catalogue>) -> Self {
        ProjectRows {
            filter,
            catalogue,
            page_rows: PAGE_ROWS,
            last: None,
            states: None,
        }
    }

    /// Reads `n` projects a page instead of [`PAGE_ROWS`] (tests of paging on few rows).
    pub fn page_rows(mut self, n: i64) -> Self {
        self.page_rows = n.max(1);
        self
    }
}

impl Source for ProjectRows {
    fn columns(&self) -> &'static [&'static str] {
        COLUMNS
    }

    fn next_page<T: Table>(&mut self, conn: &mut Conn, out: &mut T) -> Result<bool, ApiError> {
        use diesel::prelude::*;
        let states = match &mut self.states {
            Some(states) => states,
            none => none.insert(state_names(conn)?),
        };
        let rows: Vec<ExportProject> = self
            .filter
            .after(self.last.as_ref(), self.page_rows)
            .select(ExportProject::as_select())
            .load(conn)?;
        let full = rows.len() as i64 == self.page_rows;
        self.last = rows.last().map(ExportProject::key);
        let ids: Vec<i64> = rows.iter().map(|p| p.id).collect();
        let mut children = ExportChildren::load(conn, &ids, &self.catalogue)?;
        let cx = Context {
            catalogue: &self.catalogue,
            states,
            thematic_areas: self
                .catalogue
                .taxonomies
                .get("thematic-areas")
                .map_or(&[][..], Vec::as_slice),
        };
        let mut regions = Vec::new();
        for p in &rows {
            let ch = children.remove(&p.id).unwrap_or_default();
            row(out, p, &ch, &cx, &mut regions);
        }
        Ok(full)
    }
}

/// What every row of one export looks names up in.
struct Context<'a> {
    catalogue: &'a Catalogue,
    states: &'a HashMap<String, StateNames>,
    thematic_areas: &'a [TaxonomyTerm],
}

impl Context<'_> {
    fn state(&self, iso3: &str) -> Option<&StateNames> {
        self.states.get(iso3)
    }
}

/// Writes one project's row; `regions` is a buffer kept from row to row.
fn row<'a, T: Table>(
    out: &mut T,
    p: &ExportProject,
    ch: &ExportChildren,
    cx: &'a Context<'a>,
    regions: &mut Vec<&'a str>,
) {
    let state = |iso3: &String| cx.state(iso3);
    regions.clear();
    regions.extend(
        ch.member_states
            .iter()
            .map(|s| state(s).map_or("", |n| n.region.as_str())),
    );
    regions.dedup();
    let label = p.thematic_area.as_ref().and_then(|a| {
        cx.thematic_areas
            .iter()
            .find(|t| &t.code == a)
            .map(|t| t.label.as_str())
    });
    out.text(&p.code);
    out.text(&p.title);
    out.text(p.status.as_str());
    out.text(p.funding_line.as_str());
    out.display(Kind::Number, p.funding_year);
    out.text(p.scope.as_str());
    out.display(Kind::Number, Usd(p.budget_usd_cents));
    match p.staff_office_share_ppm {
        Some(s) => out.display(Kind::Number, Share::from_ppm(i64::from(s))),
        None => out.cell(Kind::Number, ""),
    }
    out.cell(
        Kind::Bool,
        if p.exceptional_increase {
            "true"
        } else {
            "false"
        },
    );
    out.text(p.thematic_area.as_deref().unwrap_or_default());
    out.text(label.unwrap_or_default());
    out.joined(Kind::Text, &ch.member_states);
    out.joined(
        Kind::Text,
        ch.member_states
            .iter()
            .map(|s| state(s).map_or("", |n| n.name.as_str())),
    );
    out.joined(Kind::Text, regions.iter());
    out.joined(
        Kind::Text,
        regions
            .iter()
            .map(|r| cx.catalogue.region(r).map_or("", |x| x.name.as_str())),
    );
    out.joined(Kind::Text, &ch.sdg_targets);
    out.joined(Kind::Text, &ch.migof);
    out.joined(Kind::Text, &ch.gcm_objectives);
    out.joined(Kind::Text, ch.msd.iter().map(|(o, d)| Msd(*o, *d)));
    for d in [p.start_date, p.end_date, p.actual_end_date] {
        match d {
            Some(d) => out.display(Kind::Date, d),
            None => out.cell(Kind::Date, ""),
        }
    }
    out.display(Kind::Number, Usd(ch.leveraged_usd_cents));
    out.cell(
        Kind::Number,
        &crate::domain::fx::ratio(ch.leveraged_usd_cents, p.budget_usd_cents).unwrap_or_default(),
    );
    out.display(Kind::Text, Instant(p.updated_at));
    out.end_row();
}

/// An amount of US cents as the API writes it: `1500.00`, `-0.05`.
struct Usd(i64);

impl fmt::Display for Usd {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let abs = self.0.unsigned_abs();
        let sign = if self.0 < 0 { "-" } else { "" };
        write!(f, "{sign}{}.{:02}", abs / 100, abs % 100)
    }
}

/// A stored instant as the API writes it: RFC 3339 in UTC to the microsecond
/// (`2026-11-30T08:13:01.123456Z`), without parsing a format string for every row.
struct Instant(chrono::NaiveDateTime);

impl fmt::Display for Instant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use chrono::{Datelike, Timelike};
        let t = self.0;
        if !(0..=9999).contains(&t.year()) || t.nanosecond() >= 1_000_000_000 {
            let text = crate::api::utc(t).to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
            return f.write_str(&text);
        }
        write!(
            f,
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:06}Z",
            t.year(),
            t.month(),
            t.day(),
            t.hour(),
            t.minute(),
            t.second(),
            t.nanosecond() / 1_000
        )
    }
}

/// An MSD mapping as `outcome.deliverable`.
struct Msd(i32, i32);

impl fmt::Display for Msd {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.0, self.1)
    }
}

/// Exports the whole filtered list in the list's order.
pub async fn respond(
    format: Format,
    pool: &crate::db::Pool,
    catalogue: Arc<Catalogue>,
    filter: ProjectFilter,
) -> Result<HttpResponse, ApiError> {
    crate::api::csv::export(
        format,
        "projects",
        pool,
        ProjectRows::new(filter, catalogue),
    )
    .await
}
