//! Publications, their languages, member states and producing projects, the list filter and
//! what the publications report reads.

use std::collections::HashMap;

use diesel::prelude::*;

use crate::db::Conn;
use crate::db::schema::{
    member_states, projects, publication_languages, publication_member_states,
    publication_projects, publications, regions,
};
use crate::domain::publication::PublicationKind;

/// Every column of a publication but its id.
#[derive(
    Debug, Clone, PartialEq, Queryable, Selectable, Insertable, AsChangeset, serde::Serialize,
)]
#[diesel(table_name = publications)]
#[diesel(treat_none_as_null = true)]
pub struct PublicationValues {
    pub kind: PublicationKind,
    pub title: String,
    #[serde(skip)]
    pub title_lower: String,
    pub year: i32,
    pub url: Option<String>,
    pub isbn: Option<String>,
    pub copies_distributed: Option<i32>,
    pub updates_id: Option<i64>,
    pub note: Option<String>,
    #[serde(skip)]
    pub created_at: chrono::NaiveDateTime,
    #[serde(skip)]
    pub updated_at: chrono::NaiveDateTime,
    #[serde(skip)]
    pub version: i64,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = publications)]
pub struct Publication {
    pub id: i64,
    #[diesel(embed)]
    pub v: PublicationValues,
}

/// What hangs off a publication, each list sorted.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct PublicationChildren {
    pub languages: Vec<String>,
    pub member_states: Vec<String>,
    pub project_codes: Vec<String>,
}

impl Publication {
    pub fn find(conn: &mut Conn, id: i64) -> QueryResult<Option<Publication>> {
        publications::table
            .find(id)
            .select(Publication::as_select())
            .first(conn)
            .optional()
    }

    pub fn insert(conn: &mut Conn, v: &PublicationValues) -> QueryResult<i64> {
        diesel::insert_into(publications::table)
            .values(v)
            .returning(publications::id)
            .get_result(conn)
    }

    /// Writes `v` when the row still has version `expected`; answers rows written.
    pub fn save(
        conn: &mut Conn,
        id: i64,
        expected: i64,
        v: &PublicationValues,
    ) -> QueryResult<usize> {
        diesel::update(
            publications::table
                .find(id)
                .filter(publications::version.eq(expected)),
        )
        .set(v)
        .execute(conn)
    }

    pub fn delete(conn: &mut Conn, id: i64) -> QueryResult<usize> {
        diesel::delete(publications::table.find(id)).execute(conn)
    }

    /// The edition `id` updates (one query); `None` when it updates none or does not exist.
    pub fn updates_of(conn: &mut Conn, id: i64) -> QueryResult<Option<Option<i64>>> {
        publications::table
            .find(id)
            .select(publications::updates_id)
            .first(conn)
            .optional()
    }

    /// The ids of the publications that update `id` (its later editions).
    pub fn updated_by(conn: &mut Conn, id: i64) -> QueryResult<Vec<i64>> {
        publications::table
            .filter(publications::updates_id.eq(id))
            .order(publications::id)
            .select(publications::id)
            .load(conn)
    }

    /// Replaces the languages, member states and producing projects.
    pub fn replace_children(
        conn: &mut Conn,
        id: i64,
        languages: &[String],
        member_states: &[String],
        project_ids: &[i64],
    ) -> QueryResult<()> {
        diesel::delete(
            publication_languages::table.filter(publication_languages::publication_id.eq(id)),
        )
        .execute(conn)?;
        for language in languages {
            diesel::insert_into(publication_languages::table)
                .values((
                    publication_languages::publication_id.eq(id),
                    publication_languages::language.eq(language),
                ))
                .execute(conn)?;
        }
        diesel::delete(
            publication_member_states::table
                .filter(publication_member_states::publication_id.eq(id)),
        )
        .execute(conn)?;
        for iso3 in member_states {
            diesel::insert_into(publication_member_states::table)
                .values((
                    publication_member_states::publication_id.eq(id),
                    publication_member_states::iso3.eq(iso3),
                ))
                .execute(conn)?;
        }
        diesel::delete(
            publication_projects::table.filter(publication_projects::publication_id.eq(id)),
        )
        .execute(conn)?;
        for project_id in project_ids {
            diesel::insert_into(publication_projects::table)
                .values((
                    publication_projects::publication_id.eq(id),
                    publication_projects::project_id.eq(project_id),
                ))
                .execute(conn)?;
        }
        Ok(())
    }

    /// The children of `ids`, in three queries whatever their number.
    pub fn children(
        conn: &mut Conn,
        ids: &[i64],
    ) -> QueryResult<HashMap<i64, PublicationChildren>> {
        let mut out: HashMap<i64, PublicationChildren> = HashMap::new();
        let languages: Vec<(i64, String)> = publication_languages::table
            .filter(publication_languages::publication_id.eq_any(ids))
            .order((
                publication_languages::publication_id,
                publication_languages::language,
            ))
            .select((
                publication_languages::publication_id,
                publication_languages::language,
            ))
            .load(conn)?;
        for (id, language) in languages {
            out.entry(id).or_default().languages.push(language);
        }
        let states: Vec<(i64, String)> = publication_member_states::table
            .filter(publication_member_states::publication_id.eq_any(ids))
            .order((
                publication_member_states::publication_id,
                publication_member_states::iso3,
            ))
            .select((
                publication_member_states::publication_id,
                publication_member_states::iso3,
            ))
            .load(conn)?;
        for (id, iso3) in states {
            out.entry(id).or_default().member_states.push(iso3);
        }
        let codes: Vec<(i64, String)> = publication_projects::table
            .inner_join(projects::table)
            .filter(publication_projects::publication_id.eq_any(ids))
            .order((publication_projects::publication_id, projects::code))
            .select((publication_projects::publication_id, projects::code))
            .load(conn)?;
        for (id, code) in codes {
            out.entry(id).or_default().project_codes.push(code);
        }
        Ok(out)
    }
}

/// The registered member states among `iso3s` (one query).
pub fn registered_states(conn: &mut Conn, iso3s: &[String]) -> QueryResult<Vec<String>> {
    member_states::table
        .filter(member_states::iso3.eq_any(iso3s))
        .select(member_states::iso3)
        .load(conn)
}

/// The (code, id) of the projects among `codes` (one query).
pub fn project_ids(conn: &mut Conn, codes: &[String]) -> QueryResult<HashMap<String, i64>> {
    Ok(projects::table
        .filter(projects::code.eq_any(codes))
        .select((projects::code, projects::id))
        .load::<(String, i64)>(conn)?
        .into_iter()
        .collect())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PublicationSort {
    Year,
    Title,
    UpdatedAt,
}

/// The publication list's filters: OR within one, AND across them.
#[derive(Debug, Default, Clone)]
pub struct PublicationFilter {
    pub kinds: Vec<PublicationKind>,
    pub project_codes: Vec<String>,
    /// The publication's own member states.
    pub member_states: Vec<String>,
    /// Regions of the publication's member states.
    pub regions: Vec<String>,
    pub year_from: Option<i32>,
    pub year_to: Option<i32>,
    pub languages: Vec<String>,
    /// Case-insensitive text in the title, or the digits of an ISBN.
    pub q: Option<String>,
    pub updated_since: Option<chrono::NaiveDateTime>,
    pub sort: Vec<(PublicationSort, bool)>,
}

type Boxed<'a> = publications::BoxedQuery<'a, crate::db::MultiBackend>;

impl PublicationFilter {
    fn apply<'a>(&self, mut q: Boxed<'a>) -> Boxed<'a> {
        if !self.kinds.is_empty() {
            q = q.filter(publications::kind.eq_any(self.kinds.clone()));
        }
        if !self.project_codes.is_empty() {
            q = q.filter(
                publications::id.eq_any(
                    publication_projects::table
                        .inner_join(projects::table)
                        .filter(projects::code.eq_any(self.project_codes.clone()))
                        .select(publication_projects::publication_id),
                ),
            );
        }
        if !self.member_states.is_empty() {
            q = q.filter(
                publications::id.eq_any(
                    publication_member_states::table
                        .filter(publication_member_states::iso3.eq_any(self.member_states.clone()))
                        .select(publication_member_states::publication_id),
                ),
            );
        }
        if !self.regions.is_empty() {
            q = q.filter(
                publications::id.eq_any(
                    publication_member_states::table
                        .inner_join(member_states::table)
                        .filter(member_states::region.eq_any(self.regions.clone()))
                        .select(publication_member_states::publication_id),
                ),
            );
        }
        if let Some(from) = self.year_from {
            q = q.filter(publications::year.ge(from));
        }
        if let Some(to) = self.year_to {
            q = q.filter(publications::year.le(to));
        }
        if !self.languages.is_empty() {
            q = q.filter(
                publications::id.eq_any(
                    publication_languages::table
                        .filter(publication_languages::language.eq_any(self.languages.clone()))
                        .select(publication_languages::publication_id),
                ),
            );
        }
        if let Some(text) = &self.q {
            let pattern = format!("%{}%", super::project::escape_like(&text.to_lowercase()));
            let digits: String = text
                .chars()
                .filter(|c| *c != '-')
                .collect::<String>()
                .to_uppercase();
            q = q.filter(
                publications::title_lower
                    .like(pattern)
                    .escape('\\')
                    .or(publications::isbn.eq(digits)),
            );
        }
        if let Some(since) = self.updated_since {
            q = q.filter(publications::updated_at.gt(since));
        }
        q
    }

    pub fn count(&self, conn: &mut Conn) -> QueryResult<i64> {
        self.apply(publications::table.into_boxed())
            .count()
            .get_result(conn)
    }

    pub fn page(&self, conn: &mut Conn, offset: i64, limit: i64) -> QueryResult<Vec<Publication>> {
        let mut q = self.apply(publications::table.into_boxed());
        for (key, desc) in &self.sort {
            q = match (key, desc) {
                (PublicationSort::Year, false) => q.then_order_by(publications::year.asc()),
                (PublicationSort::Year, true) => q.then_order_by(publications::year.desc()),
                (PublicationSort::Title, false) => q.then_order_by(publications::title_lower.asc()),
                (PublicationSort::Title, true) => q.then_order_by(publications::title_lower.desc()),
                (PublicationSort::UpdatedAt, false) => {
                    q.then_order_by(publications::updated_at.asc())
                }
                (PublicationSort::UpdatedAt, true) => {
                    q.then_order_by(publications::updated_at.desc())
                }
            };
        }
        q.then_order_by(publications::id.asc())
            .offset(offset)
            .limit(limit)
            .select(Publication::as_select())
            .load(conn)
    }
}

/// A publication as the report reads it: (id, kind, year).
pub type ReportPublication = (i64, PublicationKind, i32);

/// Every publication (one query).
pub fn report_publications(conn: &mut Conn) -> QueryResult<Vec<ReportPublication>> {
    publications::table
        .order(publications::id)
        .select((publications::id, publications::kind, publications::year))
        .load(conn)
}

/// Every (publication, producing project) pair (one query).
pub fn report_projects(conn: &mut Conn) -> QueryResult<Vec<(i64, i64)>> {
    publication_projects::table
        .select((
            publication_projects::publication_id,
            publication_projects::project_id,
        ))
        .load(conn)
}

/// A publication's member state as the report reads it: (publication, ISO3, state name,
/// region code, region name).
pub type ReportState = (i64, String, String, String, String);

/// Every (publication, member state) with names and region (one query).
pub fn report_states(conn: &mut Conn) -> QueryResult<Vec<ReportState>> {
    publication_member_states::table
        .inner_join(member_states::table.inner_join(regions::table))
        .select((
            publication_member_states::publication_id,
            publication_member_states::iso3,
            member_states::name,
            member_states::region,
            regions::name,
        ))
        .load(conn)
}

/// Every (publication, language) (one query).
pub fn report_languages(conn: &mut Conn) -> QueryResult<Vec<(i64, String)>> {
    publication_languages::table
        .select((
            publication_languages::publication_id,
            publication_languages::language,
        ))
        .load(conn)
}
