//! Funding rules: caps per funding line and scope, effective from a year.

use diesel::prelude::*;

use crate::db::Conn;
use crate::db::schema::funding_rules;
use crate::domain::{FundingLine, Scope};

#[derive(Debug, Clone, Queryable, Selectable, serde::Serialize)]
#[diesel(table_name = funding_rules)]
pub struct FundingRule {
    pub id: i64,
    pub effective_year: i32,
    pub funding_line: FundingLine,
    pub scope: Scope,
    pub cap_usd_cents: i64,
    pub exceptional_cap_usd_cents: Option<i64>,
    pub staff_office_max_share_ppm: i32,
    pub min_endorsing_states: i32,
    pub note: Option<String>,
    pub created_at: chrono::NaiveDateTime,
    pub updated_at: chrono::NaiveDateTime,
}

#[derive(Debug, Clone, Insertable, AsChangeset, serde::Serialize)]
#[diesel(table_name = funding_rules)]
#[diesel(treat_none_as_null = true)]
pub struct FundingRuleValues {
    pub effective_year: i32,
    pub funding_line: FundingLine,
    pub scope: Scope,
    pub cap_usd_cents: i64,
    pub exceptional_cap_usd_cents: Option<i64>,
    pub staff_office_max_share_ppm: i32,
    pub min_endorsing_states: i32,
    pub note: Option<String>,
}

#[derive(Debug, Default, Clone)]
pub struct FundingRuleFilter {
    pub funding_line: Option<FundingLine>,
    pub scope: Option<Scope>,
    /// Rules in force in this year: the latest effective year not after it, per line and scope.
    pub year: Option<i32>,
}

diesel::alias!(funding_rules as later: LaterRule);

impl FundingRule {
    pub fn find(conn: &mut Conn, id: i64) -> QueryResult<Option<FundingRule>> {
        funding_rules::table
            .find(id)
            .select(FundingRule::as_select())
            .first(conn)
            .optional()
    }

    pub fn list(conn: &mut Conn, f: &FundingRuleFilter) -> QueryResult<Vec<FundingRule>> {
        Self::list_changed(conn, f, None)
    }

    /// The rules `f` selects that changed after `updated_since` (all when `None`), by line and
    /// scope, newest first. With a year, a rule is in force when no rule of its line and scope
    /// takes effect later but not after that year; that is decided in the query, before
    /// `updated_since`, so an older rule changed lately does not pass for the one in force.
    pub fn list_changed(
        conn: &mut Conn,
        f: &FundingRuleFilter,
        updated_since: Option<chrono::NaiveDateTime>,
    ) -> QueryResult<Vec<FundingRule>> {
        let mut q = funding_rules::table.into_boxed();
        if let Some(line) = f.funding_line {
            q = q.filter(funding_rules::funding_line.eq(line));
        }
        if let Some(scope) = f.scope {
            q = q.filter(funding_rules::scope.eq(scope));
        }
        if let Some(year) = f.year {
            let superseded = diesel::dsl::exists(
                later
                    .filter(
                        later
                            .field(funding_rules::funding_line)
                            .eq(funding_rules::funding_line),
                    )
                    .filter(later.field(funding_rules::scope).eq(funding_rules::scope))
                    .filter(
                        later
                            .field(funding_rules::effective_year)
                            .gt(funding_rules::effective_year),
                    )
                    .filter(later.field(funding_rules::effective_year).le(year)),
            );
            q = q
                .filter(funding_rules::effective_year.le(year))
                .filter(diesel::dsl::not(superseded));
        }
        if let Some(since) = updated_since {
            q = q.filter(funding_rules::updated_at.gt(since));
        }
        q.order((
            funding_rules::funding_line,
            funding_rules::scope,
            funding_rules::effective_year.desc(),
        ))
        .select(FundingRule::as_select())
        .load(conn)
    }

    pub fn insert(
        conn: &mut Conn,
        values: &FundingRuleValues,
        at: chrono::NaiveDateTime,
    ) -> QueryResult<FundingRule> {
        diesel::insert_into(funding_rules::table)
            .values((
                values,
                funding_rules::created_at.eq(at),
                funding_rules::updated_at.eq(at),
            ))
            .returning(funding_rules::all_columns)
            .get_result(conn)
    }

    pub fn update(
        conn: &mut Conn,
        id: i64,
        values: &FundingRuleValues,
        at: chrono::NaiveDateTime,
    ) -> QueryResult<FundingRule> {
        diesel::update(funding_rules::table.find(id))
            .set((values, funding_rules::updated_at.eq(at)))
            .returning(funding_rules::all_columns)
            .get_result(conn)
    }

    pub fn delete(conn: &mut Conn, id: i64) -> QueryResult<usize> {
        diesel::delete(funding_rules::table.find(id)).execute(conn)
    }
}
