//! Logins: people (password grant) and service clients (client_credentials grant).

use diesel::prelude::*;

use crate::auth::Role;
use crate::db::Conn;
use crate::db::schema::users;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = users)]
pub struct User {
    pub username: String,
    /// `person` or `client`.
    pub kind: String,
    pub role: Role,
    /// Comma-separated ISO3 codes a project officer is scoped to.
    pub member_states: Option<String>,
    pub password_hash: String,
    pub disabled: bool,
    pub created_at: chrono::NaiveDateTime,
    pub updated_at: chrono::NaiveDateTime,
    pub version: i64,
}

impl User {
    pub fn find(conn: &mut Conn, username: &str) -> QueryResult<Option<User>> {
        users::table
            .find(username)
            .select(User::as_select())
            .first(conn)
            .optional()
    }

    pub fn insert(&self, conn: &mut Conn) -> QueryResult<usize> {
        diesel::insert_into(users::table).values(self).execute(conn)
    }

    pub fn save(&self, conn: &mut Conn) -> QueryResult<usize> {
        diesel::update(
            users::table
                .find(&self.username)
                .filter(users::version.eq(self.version - 1)),
        )
        .set((
            users::role.eq(self.role),
            users::member_states.eq(&self.member_states),
            users::password_hash.eq(&self.password_hash),
            users::disabled.eq(self.disabled),
            users::updated_at.eq(self.updated_at),
            users::version.eq(self.version),
        ))
        .execute(conn)
    }

    pub fn delete(conn: &mut Conn, username: &str) -> QueryResult<usize> {
        diesel::delete(users::table.find(username)).execute(conn)
    }

    /// One page by user name (only those changed after `updated_since`, when given), and
    /// the total.
    pub fn list(
        conn: &mut Conn,
        updated_since: Option<chrono::NaiveDateTime>,
        offset: i64,
        limit: i64,
    ) -> QueryResult<(Vec<User>, i64)> {
        let filtered = || {
            let mut q = users::table.into_boxed();
            if let Some(since) = updated_since {
                q = q.filter(users::updated_at.gt(since));
            }
            q
        };
        let total = filtered().count().get_result(conn)?;
        let rows = filtered()
            .order(users::username)
            .offset(offset)
            .limit(limit)
            .select(User::as_select())
            .load(conn)?;
        Ok((rows, total))
    }

    pub fn member_state_list(&self) -> Option<Vec<String>> {
        self.member_states
            .as_deref()
            .filter(|s| !s.is_empty())
            .map(|s| s.split(',').map(str::to_owned).collect())
    }
}
