//! Results frameworks: results (objective, outcomes, outputs), their indicators and the
//! indicators' dated measurements. Values are stored in millionths
//! ([`crate::domain::results::Value`]).

use diesel::prelude::*;

use crate::db::Conn;
use crate::db::schema::{indicators, measurements, projects, results};
use crate::domain::results::{ResultLevel, Verification};

/// Every column of a result but its id.
#[derive(
    Debug, Clone, PartialEq, Queryable, Selectable, Insertable, AsChangeset, serde::Serialize,
)]
#[diesel(table_name = results)]
#[diesel(treat_none_as_null = true)]
pub struct ResultValues {
    pub project_id: i64,
    pub parent_id: Option<i64>,
    pub level: ResultLevel,
    pub label: Option<String>,
    pub statement: String,
    pub position: i32,
    #[serde(skip)]
    pub created_at: chrono::NaiveDateTime,
    #[serde(skip)]
    pub updated_at: chrono::NaiveDateTime,
    #[serde(skip)]
    pub version: i64,
}

/// A result of a project's framework (named so as not to shadow `std`'s `Result`).
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = results)]
pub struct ResultRecord {
    pub id: i64,
    #[diesel(embed)]
    pub v: ResultValues,
}

/// Every column of an indicator but its id.
#[derive(
    Debug, Clone, PartialEq, Queryable, Selectable, Insertable, AsChangeset, serde::Serialize,
)]
#[diesel(table_name = indicators)]
#[diesel(treat_none_as_null = true)]
pub struct IndicatorValues {
    pub result_id: i64,
    pub label: Option<String>,
    pub name: String,
    pub unit: Option<String>,
    pub baseline_micros: Option<i64>,
    pub baseline_date: Option<chrono::NaiveDate>,
    pub target_micros: Option<i64>,
    pub target_date: Option<chrono::NaiveDate>,
    pub means_of_verification: Option<String>,
    pub assumptions: Option<String>,
    #[serde(skip)]
    pub created_at: chrono::NaiveDateTime,
    #[serde(skip)]
    pub updated_at: chrono::NaiveDateTime,
    #[serde(skip)]
    pub version: i64,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = indicators)]
pub struct Indicator {
    pub id: i64,
    #[diesel(embed)]
    pub v: IndicatorValues,
}

/// Every column of a measurement but its id.
#[derive(
    Debug, Clone, PartialEq, Queryable, Selectable, Insertable, AsChangeset, serde::Serialize,
)]
#[diesel(table_name = measurements)]
#[diesel(treat_none_as_null = true)]
pub struct MeasurementValues {
    pub indicator_id: i64,
    pub measured_on: chrono::NaiveDate,
    pub period_from: Option<chrono::NaiveDate>,
    pub period_to: Option<chrono::NaiveDate>,
    pub value_micros: i64,
    pub verification: Verification,
    pub source: Option<String>,
    pub note: Option<String>,
    #[serde(skip)]
    pub created_at: chrono::NaiveDateTime,
    #[serde(skip)]
    pub updated_at: chrono::NaiveDateTime,
    #[serde(skip)]
    pub version: i64,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = measurements)]
pub struct Measurement {
    pub id: i64,
    #[diesel(embed)]
    pub v: MeasurementValues,
}

diesel::alias!(measurements as newer: NewerMeasurement);

/// Versioned writes of one table, the same for the three: insert answering the id, save when
/// the row still has version `expected` (answers rows written), delete.
macro_rules! versioned_rows {
    ($row:ident, $values:ident, $table:ident) => {
        impl $row {
            pub fn find(conn: &mut Conn, id: i64) -> QueryResult<Option<$row>> {
                $table::table
                    .find(id)
                    .select($row::as_select())
                    .first(conn)
                    .optional()
            }

            pub fn insert(conn: &mut Conn, v: &$values) -> QueryResult<i64> {
                diesel::insert_into($table::table)
                    .values(v)
                    .returning($table::id)
                    .get_result(conn)
            }

            pub fn save(
                conn: &mut Conn,
                id: i64,
                expected: i64,
                v: &$values,
            ) -> QueryResult<usize> {
                diesel::update($table::table.find(id).filter($table::version.eq(expected)))
                    .set(v)
                    .execute(conn)
            }

            pub fn delete(conn: &mut Conn, id: i64) -> QueryResult<usize> {
                diesel::delete($table::table.find(id)).execute(conn)
            }
        }
    };
}

versioned_rows!(ResultRecord, ResultValues, results);
versioned_rows!(Indicator, IndicatorValues, indicators);
versioned_rows!(Measurement, MeasurementValues, measurements);

impl ResultRecord {
    /// The results of one project, or of every project (`None`), ordered by position.
    pub fn of_project(conn: &mut Conn, project_id: Option<i64>) -> QueryResult<Vec<ResultRecord>> {
        let mut q = results::table.into_boxed();
        if let Some(id) = project_id {
            q = q.filter(results::project_id.eq(id));
        }
        q.order((results::project_id, results::position, results::id))
            .select(ResultRecord::as_select())
            .load(conn)
    }

    /// The ids of the results that hang under `id`.
    pub fn children_of(conn: &mut Conn, id: i64) -> QueryResult<Vec<i64>> {
        results::table
            .filter(results::parent_id.eq(id))
            .select(results::id)
            .load(conn)
    }

    /// The project's objectives other than `except`.
    pub fn objectives(conn: &mut Conn, project_id: i64, except: Option<i64>) -> QueryResult<i64> {
        results::table
            .filter(results::project_id.eq(project_id))
            .filter(results::level.eq(ResultLevel::Objective))
            .filter(results::id.ne(except.unwrap_or(0)))
            .count()
            .get_result(conn)
    }

    /// The next position under `parent_id` (among the objectives when `None`).
    pub fn next_position(
        conn: &mut Conn,
        project_id: i64,
        parent_id: Option<i64>,
    ) -> QueryResult<i32> {
        let mut q = results::table
            .filter(results::project_id.eq(project_id))
            .into_boxed();
        q = match parent_id {
            Some(p) => q.filter(results::parent_id.eq(p)),
            None => q.filter(results::parent_id.is_null()),
        };
        let max: Option<i32> = q.select(diesel::dsl::max(results::position)).first(conn)?;
        Ok(max.unwrap_or(0).saturating_add(1))
    }

    /// The project code of a project id (the foreign key guarantees one).
    pub fn project_code(conn: &mut Conn, project_id: i64) -> QueryResult<String> {
        projects::table
            .find(project_id)
            .select(projects::code)
            .first(conn)
    }
}

impl Indicator {
    /// The indicators of one project's results, or of every project's (`None`), each with
    /// its result's project, in one query.
    pub fn of_project(conn: &mut Conn, project_id: Option<i64>) -> QueryResult<Vec<Indicator>> {
        let mut q = indicators::table.inner_join(results::table).into_boxed();
        if let Some(id) = project_id {
            q = q.filter(results::project_id.eq(id));
        }
        q.order((indicators::result_id, indicators::id))
            .select(Indicator::as_select())
            .load(conn)
    }

    /// Marks the indicator changed (a measurement write: its latest value may move).
    pub fn touch(
        conn: &mut Conn,
        id: i64,
        at: chrono::NaiveDateTime,
        version: i64,
    ) -> QueryResult<usize> {
        diesel::update(
            indicators::table
                .find(id)
                .filter(indicators::version.eq(version - 1)),
        )
        .set((
            indicators::updated_at.eq(at),
            indicators::version.eq(version),
        ))
        .execute(conn)
    }

    /// How many indicators and measurements hang under result `id`.
    pub fn counts_under(conn: &mut Conn, result_id: i64) -> QueryResult<(i64, i64)> {
        let indicator_count = indicators::table
            .filter(indicators::result_id.eq(result_id))
            .count()
            .get_result(conn)?;
        let measurement_count = measurements::table
            .inner_join(indicators::table)
            .filter(indicators::result_id.eq(result_id))
            .count()
            .get_result(conn)?;
        Ok((indicator_count, measurement_count))
    }
}

/// Which indicators' latest measurements to read.
#[derive(Debug, Clone, Copy)]
pub enum LatestOf {
    Indicator(i64),
    Project(i64),
    All,
}

impl Measurement {
    /// The measurements of an indicator changed after `updated_since` (all when `None`),
    /// oldest first.
    pub fn of_indicator(
        conn: &mut Conn,
        indicator_id: i64,
        updated_since: Option<chrono::NaiveDateTime>,
    ) -> QueryResult<Vec<Measurement>> {
        let mut q = measurements::table
            .filter(measurements::indicator_id.eq(indicator_id))
            .into_boxed();
        if let Some(since) = updated_since {
            q = q.filter(measurements::updated_at.gt(since));
        }
        q.order((measurements::measured_on, measurements::id))
            .select(Measurement::as_select())
            .load(conn)
    }

    /// The latest measurement of each indicator `of` selects (by `measured_on`, then the last
    /// recorded), in one query: the measurements no other of the same indicator is newer than.
    pub fn latest(conn: &mut Conn, of: LatestOf) -> QueryResult<Vec<Measurement>> {
        let newer_exists = diesel::dsl::exists(
            newer
                .filter(
                    newer
                        .field(measurements::indicator_id)
                        .eq(measurements::indicator_id),
                )
                .filter(
                    newer
                        .field(measurements::measured_on)
                        .gt(measurements::measured_on)
                        .or(newer
                            .field(measurements::measured_on)
                            .eq(measurements::measured_on)
                            .and(newer.field(measurements::id).gt(measurements::id))),
                ),
        );
        let mut q = measurements::table
            .filter(diesel::dsl::not(newer_exists))
            .into_boxed();
        q = match of {
            LatestOf::Indicator(id) => q.filter(measurements::indicator_id.eq(id)),
            LatestOf::Project(id) => q.filter(
                measurements::indicator_id.eq_any(
                    indicators::table
                        .inner_join(results::table)
                        .filter(results::project_id.eq(id))
                        .select(indicators::id),
                ),
            ),
            LatestOf::All => q,
        };
        q.order(measurements::indicator_id)
            .select(Measurement::as_select())
            .load(conn)
    }
}
