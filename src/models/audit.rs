//! The append-only audit trail.

use diesel::prelude::*;

use crate::db::Conn;
use crate::db::schema::audit_events;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = audit_events)]
pub struct AuditEvent {
    pub id: i64,
    pub occurred_at: chrono::NaiveDateTime,
    pub subject: String,
    pub role: String,
    pub action: String,
    pub record_type: String,
    pub record_key: String,
    pub changes: String,
    pub request_id: Option<String>,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = audit_events)]
#[diesel(treat_none_as_default_value = false)]
pub struct NewAuditEvent<'a> {
    pub occurred_at: chrono::NaiveDateTime,
    pub subject: &'a str,
    pub role: &'a str,
    pub action: &'a str,
    pub record_type: &'a str,
    pub record_key: &'a str,
    pub changes: String,
    pub request_id: Option<String>,
}

impl NewAuditEvent<'_> {
    pub fn insert(&self, conn: &mut Conn) -> QueryResult<usize> {
        diesel::insert_into(audit_events::table)
            .values(self)
            .execute(conn)
    }

    /// Appends many events, a multi-row statement per chunk.
    pub fn insert_many(conn: &mut Conn, events: &[NewAuditEvent<'_>]) -> QueryResult<()> {
        crate::db::in_chunks(conn, events, 8, |conn, chunk| {
            crate::on_backend!(conn, |c| diesel::insert_into(audit_events::table)
                .values(chunk)
                .execute(c))
        })
    }
}

/// Filters of `GET /audit-events`.
#[derive(Debug, Default, Clone)]
pub struct AuditFilter {
    pub record_type: Option<String>,
    pub record_key: Option<String>,
    pub subject: Option<String>,
    pub from: Option<chrono::NaiveDateTime>,
    pub to: Option<chrono::NaiveDateTime>,
}

impl AuditEvent {
    /// One page, newest first, and the total count.
    pub fn list(
        conn: &mut Conn,
        f: &AuditFilter,
        offset: i64,
        limit: i64,
    ) -> QueryResult<(Vec<AuditEvent>, i64)> {
        let filtered = || {
            let mut q = audit_events::table.into_boxed();
            if let Some(t) = &f.record_type {
                q = q.filter(audit_events::record_type.eq(t.clone()));
            }
            if let Some(k) = &f.record_key {
                q = q.filter(audit_events::record_key.eq(k.clone()));
            }
            if let Some(s) = &f.subject {
                q = q.filter(audit_events::subject.eq(s.clone()));
            }
            if let Some(from) = f.from {
                q = q.filter(audit_events::occurred_at.ge(from));
            }
            if let Some(to) = f.to {
                q = q.filter(audit_events::occurred_at.lt(to));
            }
            q
        };
        let total = filtered().count().get_result(conn)?;
        let rows = filtered()
            .order(audit_events::id.desc())
            .offset(offset)
            .limit(limit)
            .select(AuditEvent::as_select())
            .load(conn)?;
        Ok((rows, total))
    }
}
