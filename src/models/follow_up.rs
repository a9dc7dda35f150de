//! Follow-up funding records.

use std::collections::HashMap;

use diesel::prelude::*;

use crate::db::Conn;
use crate::db::schema::{follow_ups, member_states, project_member_states, projects};
use crate::db::sql::{sum_exact, within};
use crate::domain::follow_up::{Conversion, Dimension, FollowUpStatus, SourceType};
use crate::{keyset_nullable_step, keyset_step};

/// The columns a client writes, checked (`services::follow_ups::input`).
#[derive(
    Debug, Clone, PartialEq, Queryable, Selectable, Insertable, AsChangeset, serde::Serialize,
)]
#[diesel(table_name = follow_ups)]
#[diesel(treat_none_as_null = true)]
pub struct FollowUpContent {
    pub title: Option<String>,
    pub source_name: Option<String>,
    pub source_type: SourceType,
    pub amount_minor: Option<i64>,
    pub currency: Option<String>,
    pub amount_is_lower_bound: bool,
    pub status: FollowUpStatus,
    pub date_text: Option<String>,
    #[serde(skip)]
    pub date_start: Option<chrono::NaiveDate>,
    #[serde(skip)]
    pub value_month_index: Option<i32>,
    pub in_kind: bool,
    /// The scaling-up dimensions as `,functional,political,` (empty for none).
    pub dimensions: String,
    pub description: Option<String>,
    pub evidence_url: Option<String>,
    pub follow_up_project_code: Option<String>,
}

impl FollowUpContent {
    /// The stored scaling-up dimensions.
    pub fn dimension_list(&self) -> Vec<Dimension> {
        self.dimensions
            .split(',')
            .filter_map(Dimension::parse)
            .collect()
    }
}

/// Every column but the id and the project: the content, its conversion to USD, and what
/// the service keeps.
#[derive(
    Debug, Clone, PartialEq, Queryable, Selectable, Insertable, AsChangeset, serde::Serialize,
)]
#[diesel(table_name = follow_ups)]
#[diesel(treat_none_as_null = true)]
pub struct FollowUpValues {
    #[diesel(embed)]
    #[serde(flatten)]
    pub content: FollowUpContent,
    pub amount_usd_cents: Option<i64>,
    pub usd_rate_e10: Option<i64>,
    pub usd_conversion: Conversion,
    #[serde(skip)]
    pub created_at: chrono::NaiveDateTime,
    #[serde(skip)]
    pub updated_at: chrono::NaiveDateTime,
    #[serde(skip)]
    pub version: i64,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = follow_ups)]
pub struct FollowUp {
    pub id: i64,
    pub project_id: i64,
    #[diesel(embed)]
    pub v: FollowUpValues,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FollowUpSort {
    Date,
    AmountUsd,
    UpdatedAt,
}

#[derive(Debug, Default, Clone)]
pub struct FollowUpFilter {
    pub project_codes: Vec<String>,
    pub member_states: Vec<String>,
    pub regions: Vec<String>,
    pub source_types: Vec<SourceType>,
    pub statuses: Vec<FollowUpStatus>,
    pub currencies: Vec<String>,
    pub date_from: Option<chrono::NaiveDate>,
    pub date_to: Option<chrono::NaiveDate>,
    pub dimensions: Vec<Dimension>,
    /// Only rows whose `updated_at` is after this instant.
    pub updated_since: Option<chrono::NaiveDateTime>,
    pub sort: Vec<(FollowUpSort, bool)>,
}

type Boxed<'a> = follow_ups::BoxedQuery<'a, crate::db::MultiBackend>;

impl FollowUpFilter {
    fn apply<'a>(&self, mut q: Boxed<'a>) -> Boxed<'a> {
        if !self.project_codes.is_empty() {
            q = q.filter(
                follow_ups::project_id.eq_any(
                    projects::table
                        .filter(projects::code.eq_any(self.project_codes.clone()))
                        .select(projects::id),
                ),
            );
        }
        if !self.member_states.is_empty() {
            q = q.filter(
                follow_ups::project_id.eq_any(
                    project_member_states::table
                        .filter(project_member_states::iso3.eq_any(self.member_states.clone()))
                        .select(project_member_states::project_id),
                ),
            );
        }
        if !self.regions.is_empty() {
            q = q.filter(
                follow_ups::project_id.eq_any(
                    project_member_states::table
                        .inner_join(member_states::table)
                        .filter(member_states::region.eq_any(self.regions.clone()))
                        .select(project_member_states::project_id),
                ),
            );
        }
        if !self.source_types.is_empty() {
            q = q.filter(follow_ups::source_type.eq_any(self.source_types.clone()));
        }
        if !self.statuses.is_empty() {
            q = q.filter(follow_ups::status.eq_any(self.statuses.clone()));
        }
        if !self.currencies.is_empty() {
            q = q.filter(follow_ups::currency.eq_any(self.currencies.clone()));
        }
        if let Some(from) = self.date_from {
            q = q.filter(follow_ups::date_start.ge(from));
        }
        if let Some(to) = self.date_to {
            q = q.filter(follow_ups::date_start.le(to));
        }
        if let Some(since) = self.updated_since {
            q = q.filter(follow_ups::updated_at.gt(since));
        }
        if !self.dimensions.is_empty() {
            let mut any: Box<
                dyn BoxableExpression<
                        follow_ups::table,
                        crate::db::MultiBackend,
                        SqlType = diesel::sql_types::Bool,
                    >,
            > = Box::new(follow_ups::dimensions.like(format!("%,{},%", self.dimensions[0])));
            for d in &self.dimensions[1..] {
                any = Box::new(any.or(follow_ups::dimensions.like(format!("%,{d},%"))));
            }
            q = q.filter(any);
        }
        q
    }

    pub fn count(&self, conn: &mut Conn) -> QueryResult<i64> {
        self.apply(follow_ups::table.into_boxed())
            .count()
            .get_result(conn)
    }

    fn sorted<'a>(&self, mut q: Boxed<'a>) -> Boxed<'a> {
        for (key, desc) in &self.sort {
            q = match (key, desc) {
                (FollowUpSort::Date, false) => q.then_order_by(follow_ups::date_start.asc()),
                (FollowUpSort::Date, true) => q.then_order_by(follow_ups::date_start.desc()),
                (FollowUpSort::AmountUsd, false) => {
                    q.then_order_by(follow_ups::amount_usd_cents.asc())
                }
                (FollowUpSort::AmountUsd, true) => {
                    q.then_order_by(follow_ups::amount_usd_cents.desc())
                }
                (FollowUpSort::UpdatedAt, false) => q.then_order_by(follow_ups::updated_at.asc()),
                (FollowUpSort::UpdatedAt, true) => q.then_order_by(follow_ups::updated_at.desc()),
            };
        }
        q.then_order_by(follow_ups::id.asc())
    }

    pub fn page(&self, conn: &mut Conn, offset: i64, limit: i64) -> QueryResult<Vec<FollowUp>> {
        self.sorted(self.apply(follow_ups::table.into_boxed()))
            .offset(offset)
            .limit(limit)
            .select(FollowUp::as_select())
            .load(conn)
    }

    /// The filtered, sorted list after `last` (from its start when `None`), at most `limit`
    /// records: the pages of a whole list's export, by keyset (see
    /// [`crate::models::keyset`]; the dates and USD amounts sorted by may be NULL).
    pub fn after(
        &self,
        conn: &mut Conn,
        last: Option<&FollowUp>,
        limit: i64,
    ) -> QueryResult<Vec<FollowUp>> {
        let mut q = self.sorted(self.apply(follow_ups::table.into_boxed()));
        if let Some(last) = last {
            let nulls_first = crate::models::keyset::nulls_first(conn);
            let mut steps: Vec<_> = self
                .sort
                .iter()
                .map(|(key, desc)| match key {
                    FollowUpSort::Date => keyset_nullable_step!(
                        follow_ups::date_start,
                        last.v.content.date_start,
                        *desc,
                        nulls_first
                    ),
                    FollowUpSort::AmountUsd => keyset_nullable_step!(
                        follow_ups::amount_usd_cents,
                        last.v.amount_usd_cents,
                        *desc,
                        nulls_first
                    ),
                    FollowUpSort::UpdatedAt => {
                        keyset_step!(follow_ups::updated_at, last.v.updated_at, *desc)
                    }
                })
                .collect();
            steps.push(keyset_step!(follow_ups::id, last.id, false));
            if let Some(cond) = crate::models::keyset::after(steps) {
                q = q.filter(cond);
            }
        }
        q.limit(limit).select(FollowUp::as_select()).load(conn)
    }
}

/// Follow-up money of a project: leveraged USD (approved and received, converted), and how
/// many of those records could not be converted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Leveraged {
    pub usd_cents: i64,
    pub unconverted: i64,
}

impl FollowUp {
    pub fn find(conn: &mut Conn, id: i64) -> QueryResult<Option<FollowUp>> {
        follow_ups::table
            .find(id)
            .select(FollowUp::as_select())
            .first(conn)
            .optional()
    }

    pub fn insert(conn: &mut Conn, project_id: i64, v: &FollowUpValues) -> QueryResult<i64> {
        diesel::insert_into(follow_ups::table)
            .values((follow_ups::project_id.eq(project_id), v))
            .returning(follow_ups::id)
            .get_result(conn)
    }

    /// Writes `v` when the row still has version `expected`; answers rows written.
    pub fn save(conn: &mut Conn, id: i64, expected: i64, v: &FollowUpValues) -> QueryResult<usize> {
        diesel::update(
            follow_ups::table
                .find(id)
                .filter(follow_ups::version.eq(expected)),
        )
        .set(v)
        .execute(conn)
    }

    pub fn delete(conn: &mut Conn, id: i64) -> QueryResult<usize> {
        diesel::delete(follow_ups::table.find(id)).execute(conn)
    }

    /// Records in `currency` (for recomputing conversions when a rate changes).
    pub fn in_currency(conn: &mut Conn, currency: &str) -> QueryResult<Vec<FollowUp>> {
        follow_ups::table
            .filter(follow_ups::currency.eq(currency))
            .select(FollowUp::as_select())
            .load(conn)
    }

    /// The dated follow-up funding with a USD amount of `project_ids` in `statuses`, by
    /// project, date and id, in one query.
    pub fn of_projects(
        conn: &mut Conn,
        project_ids: &[i64],
        statuses: Vec<FollowUpStatus>,
    ) -> QueryResult<Vec<FollowUp>> {
        if project_ids.is_empty() {
            return Ok(Vec::new());
        }
        follow_ups::table
            .filter(follow_ups::project_id.eq_any(project_ids))
            .filter(follow_ups::status.eq_any(statuses))
            .filter(follow_ups::date_start.is_not_null())
            .filter(follow_ups::amount_usd_cents.is_not_null())
            .order((
                follow_ups::project_id,
                follow_ups::date_start,
                follow_ups::id,
            ))
            .select(FollowUp::as_select())
            .load(conn)
    }

    /// Leveraged money per project (`ids` `None`: every project), in two queries.
    pub fn leveraged(conn: &mut Conn, ids: Option<&[i64]>) -> QueryResult<HashMap<i64, Leveraged>> {
        let counting = FollowUpStatus::leveraging();
        let mut sums = follow_ups::table
            .filter(within(follow_ups::status, counting.clone()))
            .filter(follow_ups::amount_usd_cents.is_not_null())
            .group_by(follow_ups::project_id)
            .select((
                follow_ups::project_id,
                sum_exact(follow_ups::amount_usd_cents.assume_not_null()),
            ))
            .into_boxed();
        let mut missing = follow_ups::table
            .filter(within(follow_ups::status, counting))
            .filter(follow_ups::usd_conversion.eq(Conversion::MissingRate))
            .group_by(follow_ups::project_id)
            .select((follow_ups::project_id, diesel::dsl::count_star()))
            .into_boxed();
        if let Some(ids) = ids {
            sums = sums.filter(within(follow_ups::project_id, ids.to_vec()));
            missing = missing.filter(within(follow_ups::project_id, ids.to_vec()));
        }
        let mut out: HashMap<i64, Leveraged> = HashMap::new();
        for (id, usd) in sums.load::<(i64, Option<i64>)>(conn)? {
            out.entry(id).or_default().usd_cents = usd.unwrap_or_default();
        }
        for (id, n) in missing.load::<(i64, i64)>(conn)? {
            out.entry(id).or_default().unconverted = n;
        }
        Ok(out)
    }
}
