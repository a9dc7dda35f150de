//! `reports/publications`: what the projects produced, by year, kind, region, member state or
//! language, with the median years from seed funding to publication.
//!
//! - A publication is in the report when one of its producing projects matches the project
//!   filters; only the matching projects count (in `projects` and in the median). A
//!   publication that names no project is left out (a note says how many).
//! - `median_years_from_funding` is the median, over every (publication, matching producing
//!   project) pair, of the publication's year minus the project's funding year: a profile
//!   made by two projects gives two values.
//! - A publication with several member states, regions or languages counts once in each of
//!   their groups (its states in one region count once there); `totals` count it once.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::Serialize;
use utoipa::ToSchema;

use crate::db::Conn;
use crate::domain::publication::median_years;
use crate::error::ApiError;
use crate::models::project::ProjectFilter;
use crate::models::publication::{
    report_languages, report_projects, report_publications, report_states,
};

crate::domain::funding::closed_enum!(
    /// What the publications report groups by.
    PublicationGroup {
        Year => "year",
        Kind => "kind",
        Region => "region",
        MemberState => "member_state",
        Language => "language",
    }
);

/// Counts of one group (or of all).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, ToSchema)]
pub struct PublicationCounts {
    pub publications: i64,
    /// Distinct producing projects (of those the filters select).
    pub projects: i64,
    /// Median of publication year − funding year over every (publication, producing project)
    /// pair, one decimal (`"2.5"`); null when there are none.
    #[schema(required = true, pattern = r"^-?[0-9]+\.[05]$")]
    pub median_years_from_funding: Option<String>,
}

/// One group: its key (a year, a kind, a region code, an ISO3 code or a language code; null
/// for publications without one, e.g. no member state), its label (the region's or member
/// state's name; else null) and its counts.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PublicationGroupRow {
    #[schema(required = true)]
    pub key: Option<String>,
    #[schema(required = true)]
    pub label: Option<String>,
    #[serde(flatten)]
    pub counts: PublicationCounts,
}

/// `GET /reports/publications`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PublicationsReport {
    pub group_by: PublicationGroup,
    pub rows: Vec<PublicationGroupRow>,
    /// Every publication once.
    pub totals: PublicationCounts,
    pub notes: Vec<String>,
}

/// A group being counted.
#[derive(Default)]
struct Tally {
    label: Option<String>,
    publications: BTreeSet<i64>,
    projects: BTreeSet<i64>,
    years: Vec<i32>,
}

impl Tally {
    fn add(&mut self, publication: i64, year: i32, producers: &[(i64, i32)]) {
        if !self.publications.insert(publication) {
            return;
        }
        for (project, funded) in producers {
            self.projects.insert(*project);
            self.years.push(year - funded);
        }
    }

    fn counts(mut self) -> PublicationCounts {
        PublicationCounts {
            publications: self.publications.len() as i64,
            projects: self.projects.len() as i64,
            median_years_from_funding: median_years(&mut self.years),
        }
    }
}

/// The (key, label) pairs of what `group_by` reads, by publication.
type Keys = HashMap<i64, Vec<(String, Option<String>)>>;

fn keys(conn: &mut Conn, group_by: PublicationGroup) -> Result<Keys, ApiError> {
    let mut keys: Keys = HashMap::new();
    match group_by {
        PublicationGroup::Year | PublicationGroup::Kind => {}
        PublicationGroup::Region | PublicationGroup::MemberState => {
            for (id, iso3, name, region, region_name) in report_states(conn)? {
                let key = if group_by == PublicationGroup::Region {
                    (region, Some(region_name))
                } else {
                    (iso3, Some(name))
                };
                keys.entry(id).or_default().push(key);
            }
        }
        PublicationGroup::Language => {
            for (id, language) in report_languages(conn)? {
                keys.entry(id).or_default().push((language, None));
            }
        }
    }
    Ok(keys)
}

/// The report over the publications of the projects `filter` selects, in at most four
/// queries.
pub fn publications(
    conn: &mut Conn,
    filter: &ProjectFilter,
    group_by: PublicationGroup,
) -> Result<PublicationsReport, ApiError> {
    let funded: HashMap<i64, i32> = filter
        .report_rows(conn)?
        .into_iter()
        .map(|p| (p.id, p.funding_year))
        .collect();
    let mut producers: HashMap<i64, Vec<(i64, i32)>> = HashMap::new();
    let mut with_projects: BTreeSet<i64> = BTreeSet::new();
    for (publication, project) in report_projects(conn)? {
        with_projects.insert(publication);
        if let Some(year) = funded.get(&project) {
            producers
                .entry(publication)
                .or_default()
                .push((project, *year));
        }
    }
    let mut keys = keys(conn, group_by)?;
    let mut groups: BTreeMap<Option<String>, Tally> = BTreeMap::new();
    let mut totals = Tally::default();
    let mut without_projects = 0;
    for (id, kind, year) in report_publications(conn)? {
        if !with_projects.contains(&id) {
            without_projects += 1;
        }
        let Some(made_by) = producers.get(&id) else {
            continue;
        };
        totals.add(id, year, made_by);
        let of: Vec<(Option<String>, Option<String>)> = match group_by {
            PublicationGroup::Year => vec![(Some(year.to_string()), None)],
            PublicationGroup::Kind => vec![(Some(kind.as_str().to_owned()), None)],
            _ => match keys.remove(&id) {
                Some(values) => values.into_iter().map(|(k, l)| (Some(k), l)).collect(),
                None => vec![(None, None)],
            },
        };
        for (key, label) in of {
            let tally = groups.entry(key).or_default();
            tally.label = label;
            tally.add(id, year, made_by);
        }
    }
    // Named groups first, in order; "none" last.
    let (mut rows, none): (Vec<_>, Vec<_>) = groups
        .into_iter()
        .map(|(key, tally)| PublicationGroupRow {
            key,
            label: tally.label.clone(),
            counts: tally.counts(),
        })
        .partition(|r| r.key.is_some());
    rows.extend(none);
    let mut notes = vec![
        "a publication is counted when one of its producing projects matches the filters; only matching projects count in projects and the median".to_owned(),
        "median_years_from_funding: one value per (publication, producing project) pair, publication year minus the project's funding year".to_owned(),
    ];
    if matches!(
        group_by,
        PublicationGroup::Region | PublicationGroup::MemberState | PublicationGroup::Language
    ) {
        notes.push(
            "a publication with several values counts in each of their rows; totals count it once"
                .to_owned(),
        );
    }
    if without_projects > 0 {
        notes.push(format!(
            "{without_projects} publication(s) name no producing project and are not counted"
        ));
    }
    Ok(PublicationsReport {
        group_by,
        rows,
        totals: totals.counts(),
        notes,
    })
}
