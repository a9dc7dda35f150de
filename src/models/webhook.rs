//! Webhook subscriptions, their outbox of deliveries and the attempts made.

use diesel::prelude::*;

use crate::db::schema::{webhook_attempts, webhook_deliveries, webhooks};
use crate::db::{AnyConnection, Conn};

#[derive(Clone, Queryable, Selectable)]
#[diesel(table_name = webhooks)]
pub struct Webhook {
    pub id: i64,
    pub url: String,
    /// A JSON array of event names.
    pub events: String,
    pub secret: String,
    pub active: bool,
    pub created_at: chrono::NaiveDateTime,
    pub updated_at: chrono::NaiveDateTime,
    pub version: i64,
}

/// Never shows the secret (so a log line cannot leak it).
impl std::fmt::Debug for Webhook {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Webhook")
            .field("id", &self.id)
            .field("url", &self.url)
            .field("events", &self.events)
            .field("secret", &"***")
            .field("active", &self.active)
            .field("version", &self.version)
            .finish()
    }
}

impl Webhook {
    pub fn event_list(&self) -> Vec<String> {
        serde_json::from_str(&self.events).unwrap_or_default()
    }

    /// Every subscription changed after `updated_since` (all when `None`), oldest first.
    pub fn all(
        conn: &mut Conn,
        updated_since: Option<chrono::NaiveDateTime>,
    ) -> QueryResult<Vec<Webhook>> {
        let mut q = webhooks::table.into_boxed();
        if let Some(since) = updated_since {
            q = q.filter(webhooks::updated_at.gt(since));
        }
        q.order(webhooks::id.asc())
            .select(Webhook::as_select())
            .load(conn)
    }

    pub fn active(conn: &mut Conn) -> QueryResult<Vec<Webhook>> {
        webhooks::table
            .filter(webhooks::active.eq(true))
            .order(webhooks::id.asc())
            .select(Webhook::as_select())
            .load(conn)
    }

    pub fn find(conn: &mut Conn, id: i64) -> QueryResult<Option<Webhook>> {
        webhooks::table
            .find(id)
            .select(Webhook::as_select())
            .first(conn)
            .optional()
    }

    pub fn delete(conn: &mut Conn, id: i64) -> QueryResult<usize> {
        diesel::delete(webhooks::table.find(id)).execute(conn)
    }

    /// Writes every field but the id and `created_at`.
    pub fn save(&self, conn: &mut Conn) -> QueryResult<usize> {
        diesel::update(webhooks::table.find(self.id))
            .set((
                webhooks::url.eq(&self.url),
                webhooks::events.eq(&self.events),
                webhooks::secret.eq(&self.secret),
                webhooks::active.eq(self.active),
                webhooks::updated_at.eq(self.updated_at),
                webhooks::version.eq(self.version),
            ))
            .execute(conn)
    }
}

#[derive(Debug, Insertable)]
#[diesel(table_name = webhooks)]
pub struct NewWebhook<'a> {
    pub url: &'a str,
    pub events: String,
    pub secret: &'a str,
    pub active: bool,
    pub created_at: chrono::NaiveDateTime,
    pub updated_at: chrono::NaiveDateTime,
    pub version: i64,
}

impl NewWebhook<'_> {
    pub fn insert(&self, conn: &mut Conn) -> QueryResult<i64> {
        diesel::insert_into(webhooks::table)
            .values(self)
            .returning(webhooks::id)
            .get_result(conn)
    }
}

#[derive(Debug, Clone, Queryable, Selectable, QueryableByName)]
#[diesel(table_name = webhook_deliveries)]
pub struct Delivery {
    pub id: i64,
    pub webhook_id: i64,
    pub event: String,
    pub payload: String,
    pub change_id: i64,
    pub status: String,
    pub attempts: i32,
    pub next_attempt_at: chrono::NaiveDateTime,
    pub locked_until: Option<chrono::NaiveDateTime>,
    pub last_status_code: Option<i32>,
    pub last_error: Option<String>,
    pub created_at: chrono::NaiveDateTime,
    pub delivered_at: Option<chrono::NaiveDateTime>,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = webhook_deliveries)]
#[diesel(treat_none_as_default_value = false)]
pub struct NewDelivery<'a> {
    pub webhook_id: i64,
    pub event: &'a str,
    pub payload: &'a str,
    pub change_id: i64,
    pub status: &'a str,
    pub attempts: i32,
    pub next_attempt_at: chrono::NaiveDateTime,
    pub created_at: chrono::NaiveDateTime,
}

impl NewDelivery<'_> {
    pub fn insert(&self, conn: &mut Conn) -> QueryResult<usize> {
        diesel::insert_into(webhook_deliveries::table)
            .values(self)
            .execute(conn)
    }

    /// Queues many deliveries, a multi-row statement per chunk.
    pub fn insert_many(conn: &mut Conn, rows: &[NewDelivery<'_>]) -> QueryResult<()> {
        crate::db::in_chunks(conn, rows, 8, |conn, chunk| {
            crate::on_backend!(conn, |c| diesel::insert_into(webhook_deliveries::table)
                .values(chunk)
                .execute(c))
        })
    }
}

/// The outcome of one attempt, as the worker records it.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub status: &'static str,
    pub status_code: Option<i32>,
    pub error: Option<String>,
    pub next_attempt_at: chrono::NaiveDateTime,
    pub delivered_at: Option<chrono::NaiveDateTime>,
}

impl Delivery {
    /// Claims up to `limit` due deliveries for `lease` by setting `locked_until`, and returns
    /// them. On PostgreSQL the rows are picked `FOR UPDATE SKIP LOCKED`, so several copies of
    /// the service never claim the same row; SQLite has a single writer.
    pub fn claim(
        conn: &mut Conn,
        now: chrono::NaiveDateTime,
        lease_until: chrono::NaiveDateTime,
        limit: i64,
    ) -> QueryResult<Vec<Delivery>> {
        use diesel::sql_types::{BigInt, Timestamp};
        let skip_locked = match conn {
            AnyConnection::Postgresql(_) => " FOR UPDATE SKIP LOCKED",
            AnyConnection::Sqlite(_) => "",
        };
        let sql = format!(
            "UPDATE webhook_deliveries SET locked_until = $1 WHERE id IN (\
             SELECT id FROM webhook_deliveries WHERE status = 'pending' AND next_attempt_at <= $2 \
             AND (locked_until IS NULL OR locked_until < $3) ORDER BY id LIMIT $4{skip_locked}) \
             RETURNING id, webhook_id, event, payload, change_id, status, attempts, \
             next_attempt_at, locked_until, last_status_code, last_error, created_at, delivered_at"
        );
        let mut rows: Vec<Delivery> = diesel::sql_query(sql)
            .bind::<Timestamp, _>(lease_until)
            .bind::<Timestamp, _>(now)
            .bind::<Timestamp, _>(now)
            .bind::<BigInt, _>(limit)
            .load(conn)?;
        rows.sort_by_key(|d| d.id);
        Ok(rows)
    }

    pub fn find(conn: &mut Conn, webhook_id: i64, id: i64) -> QueryResult<Option<Delivery>> {
        webhook_deliveries::table
            .filter(webhook_deliveries::webhook_id.eq(webhook_id))
            .filter(webhook_deliveries::id.eq(id))
            .select(Delivery::as_select())
            .first(conn)
            .optional()
    }

    /// A subscription's deliveries, newest first, and their total count.
    pub fn of_webhook(
        conn: &mut Conn,
        webhook_id: i64,
        offset: i64,
        limit: i64,
    ) -> QueryResult<(Vec<Delivery>, i64)> {
        let total = webhook_deliveries::table
            .filter(webhook_deliveries::webhook_id.eq(webhook_id))
            .count()
            .get_result(conn)?;
        let rows = webhook_deliveries::table
            .filter(webhook_deliveries::webhook_id.eq(webhook_id))
            .order(webhook_deliveries::id.desc())
            .offset(offset)
            .limit(limit)
            .select(Delivery::as_select())
            .load(conn)?;
        Ok((rows, total))
    }

    /// Records one attempt and its outcome, and releases the claim.
    pub fn record_attempt(
        conn: &mut Conn,
        id: i64,
        attempted_at: chrono::NaiveDateTime,
        duration_ms: i64,
        outcome: &Outcome,
    ) -> QueryResult<()> {
        diesel::insert_into(webhook_attempts::table)
            .values((
                webhook_attempts::delivery_id.eq(id),
                webhook_attempts::attempted_at.eq(attempted_at),
                webhook_attempts::status_code.eq(outcome.status_code),
                webhook_attempts::duration_ms.eq(duration_ms),
                webhook_attempts::error.eq(&outcome.error),
            ))
            .execute(conn)?;
        diesel::update(webhook_deliveries::table.find(id))
            .set((
                webhook_deliveries::status.eq(outcome.status),
                webhook_deliveries::attempts.eq(webhook_deliveries::attempts + 1),
                webhook_deliveries::next_attempt_at.eq(outcome.next_attempt_at),
                webhook_deliveries::locked_until.eq(None::<chrono::NaiveDateTime>),
                webhook_deliveries::last_status_code.eq(outcome.status_code),
                webhook_deliveries::last_error.eq(&outcome.error),
                webhook_deliveries::delivered_at.eq(outcome.delivered_at),
            ))
            .execute(conn)?;
        Ok(())
    }

    /// Makes a delivery due now (pending again if it had failed); returns whether it exists.
    pub fn make_due(conn: &mut Conn, id: i64, now: chrono::NaiveDateTime) -> QueryResult<usize> {
        diesel::update(
            webhook_deliveries::table
                .find(id)
                .filter(webhook_deliveries::status.ne("delivered")),
        )
        .set((
            webhook_deliveries::status.eq("pending"),
            webhook_deliveries::next_attempt_at.eq(now),
            webhook_deliveries::locked_until.eq(None::<chrono::NaiveDateTime>),
        ))
        .execute(conn)
    }
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = webhook_attempts)]
pub struct Attempt {
    pub id: i64,
    pub delivery_id: i64,
    pub attempted_at: chrono::NaiveDateTime,
    pub status_code: Option<i32>,
    pub duration_ms: i64,
    pub error: Option<String>,
}

impl Attempt {
    /// The attempts of these deliveries, oldest first.
    pub fn of(conn: &mut Conn, delivery_ids: &[i64]) -> QueryResult<Vec<Attempt>> {
        webhook_attempts::table
            .filter(webhook_attempts::delivery_id.eq_any(delivery_ids))
            .order(webhook_attempts::id.asc())
            .select(Attempt::as_select())
            .load(conn)
    }
}
