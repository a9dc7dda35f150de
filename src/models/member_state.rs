//! Member states and their eligibility history.

use std::collections::HashMap;

use diesel::prelude::*;

use crate::db::Conn;
use crate::db::schema::{eligibility, member_states};
use crate::db::sql::lower;
use crate::domain::IncomeGroup;

#[derive(Debug, Clone, Queryable, Selectable, Insertable, serde::Serialize)]
#[diesel(table_name = member_states)]
pub struct MemberState {
    pub iso3: String,
    pub name: String,
    pub region: String,
    pub iom_member: bool,
    pub member_since: Option<i32>,
    pub created_at: chrono::NaiveDateTime,
    pub updated_at: chrono::NaiveDateTime,
    pub version: i64,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable, serde::Serialize, PartialEq)]
#[diesel(table_name = eligibility)]
pub struct Eligibility {
    pub iso3: String,
    pub year: i32,
    pub income_group: IncomeGroup,
    pub line_1_eligible: bool,
    pub line_2_eligible: bool,
    pub note: Option<String>,
    pub updated_at: chrono::NaiveDateTime,
}

/// Sortable columns of the member-state list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MemberStateSort {
    Iso3,
    Name,
    Region,
    UpdatedAt,
}

#[derive(Debug, Default, Clone)]
pub struct MemberStateFilter {
    pub regions: Vec<String>,
    pub iom_member: Option<bool>,
    pub q: Option<String>,
    pub updated_since: Option<chrono::NaiveDateTime>,
    /// Sort keys, each with `true` for descending.
    pub sort: Vec<(MemberStateSort, bool)>,
}

impl MemberState {
    pub fn find(conn: &mut Conn, iso3: &str) -> QueryResult<Option<MemberState>> {
        member_states::table
            .find(iso3)
            .select(MemberState::as_select())
            .first(conn)
            .optional()
    }

    /// The stored states among `iso3s`, by code, in one query.
    pub fn find_many(
        conn: &mut Conn,
        iso3s: &[String],
    ) -> QueryResult<HashMap<String, MemberState>> {
        Ok(member_states::table
            .filter(member_states::iso3.eq_any(iso3s))
            .select(MemberState::as_select())
            .load(conn)?
            .into_iter()
            .map(|m| (m.iso3.clone(), m))
            .collect())
    }

    pub fn insert(&self, conn: &mut Conn) -> QueryResult<usize> {
        diesel::insert_into(member_states::table)
            .values(self)
            .execute(conn)
    }

    /// Writes every column of `self` over the stored row, when it is still the version before
    /// `self.version`; answers rows written.
    pub fn save(&self, conn: &mut Conn) -> QueryResult<usize> {
        diesel::update(
            member_states::table
                .find(&self.iso3)
                .filter(member_states::version.eq(self.version - 1)),
        )
        .set((
            member_states::name.eq(&self.name),
            member_states::region.eq(&self.region),
            member_states::iom_member.eq(self.iom_member),
            member_states::member_since.eq(self.member_since),
            member_states::updated_at.eq(self.updated_at),
            member_states::version.eq(self.version),
        ))
        .execute(conn)
    }

    pub fn delete(conn: &mut Conn, iso3: &str) -> QueryResult<usize> {
        diesel::delete(member_states::table.find(iso3)).execute(conn)
    }

    /// One page of the filtered list and the total count (two queries).
    pub fn list(
        conn: &mut Conn,
        f: &MemberStateFilter,
        offset: i64,
        limit: i64,
    ) -> QueryResult<(Vec<MemberState>, i64)> {
        let filtered = || {
            let mut q = member_states::table.into_boxed();
            if !f.regions.is_empty() {
                q = q.filter(member_states::region.eq_any(f.regions.clone()));
            }
            if let Some(m) = f.iom_member {
                q = q.filter(member_states::iom_member.eq(m));
            }
            if let Some(text) = &f.q {
                let pattern = format!("%{}%", text.to_lowercase());
                q = q.filter(
                    lower(member_states::name)
                        .like(pattern.clone())
                        .or(lower(member_states::iso3).like(pattern)),
                );
            }
            if let Some(since) = f.updated_since {
                q = q.filter(member_states::updated_at.gt(since));
            }
            q
        };
        let total = filtered().count().get_result(conn)?;
        let mut q = filtered();
        for (key, desc) in &f.sort {
            q = match (key, desc) {
                (MemberStateSort::Iso3, false) => q.then_order_by(member_states::iso3.asc()),
                (MemberStateSort::Iso3, true) => q.then_order_by(member_states::iso3.desc()),
                (MemberStateSort::Name, false) => q.then_order_by(member_states::name.asc()),
                (MemberStateSort::Name, true) => q.then_order_by(member_states::name.desc()),
                (MemberStateSort::Region, false) => q.then_order_by(member_states::region.asc()),
                (MemberStateSort::Region, true) => q.then_order_by(member_states::region.desc()),
                (MemberStateSort::UpdatedAt, false) => {
                    q.then_order_by(member_states::updated_at.asc())
                }
                (MemberStateSort::UpdatedAt, true) => {
                    q.then_order_by(member_states::updated_at.desc())
                }
            };
        }
        let rows = q
            .then_order_by(member_states::iso3.asc())
            .offset(offset)
            .limit(limit)
            .select(MemberState::as_select())
            .load(conn)?;
        Ok((rows, total))
    }
}

impl Eligibility {
    /// A state's records changed after `updated_since` (all when `None`), newest year first.
    pub fn list_for(
        conn: &mut Conn,
        iso3: &str,
        updated_since: Option<chrono::NaiveDateTime>,
    ) -> QueryResult<Vec<Eligibility>> {
        let mut q = eligibility::table
            .filter(eligibility::iso3.eq(iso3))
            .into_boxed();
        if let Some(since) = updated_since {
            q = q.filter(eligibility::updated_at.gt(since));
        }
        q.order(eligibility::year.desc())
            .select(Eligibility::as_select())
            .load(conn)
    }

    pub fn find(conn: &mut Conn, iso3: &str, year: i32) -> QueryResult<Option<Eligibility>> {
        eligibility::table
            .find((iso3, year))
            .select(Eligibility::as_select())
            .first(conn)
            .optional()
    }

    /// Every state's record of each of `years`, in one query.
    pub fn for_years(conn: &mut Conn, years: &[i32]) -> QueryResult<Vec<Eligibility>> {
        eligibility::table
            .filter(eligibility::year.eq_any(years))
            .select(Eligibility::as_select())
            .load(conn)
    }

    /// The latest year's record of each of `iso3s`, in one query.
    pub fn latest_for(
        conn: &mut Conn,
        iso3s: &[String],
    ) -> QueryResult<HashMap<String, Eligibility>> {
        let rows: Vec<Eligibility> = eligibility::table
            .filter(eligibility::iso3.eq_any(iso3s))
            .order((eligibility::iso3, eligibility::year.desc()))
            .select(Eligibility::as_select())
            .load(conn)?;
        let mut latest = HashMap::new();
        for row in rows {
            latest.entry(row.iso3.clone()).or_insert(row);
        }
        Ok(latest)
    }

    /// Inserts or replaces the record of (iso3, year); the caller holds the write transaction.
    pub fn upsert(&self, conn: &mut Conn) -> QueryResult<usize> {
        let updated = diesel::update(eligibility::table.find((&self.iso3, self.year)))
            .set((
                eligibility::income_group.eq(self.income_group),
                eligibility::line_1_eligible.eq(self.line_1_eligible),
                eligibility::line_2_eligible.eq(self.line_2_eligible),
                eligibility::note.eq(&self.note),
                eligibility::updated_at.eq(self.updated_at),
            ))
            .execute(conn)?;
        if updated > 0 {
            return Ok(updated);
        }
        diesel::insert_into(eligibility::table)
            .values(self)
            .execute(conn)
    }
}
