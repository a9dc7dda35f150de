//! The delivery worker: a background task that sends due deliveries from the outbox.
//!
//! Each round claims up to [`BATCH`] due deliveries in one short transaction (setting a lease,
//! `locked_until`; on PostgreSQL the rows are picked `FOR UPDATE SKIP LOCKED`, so several
//! copies of the service on one database never claim the same row), sends them concurrently
//! outside any transaction, and records each attempt. A 2xx answer marks the delivery
//! delivered; anything else (another status, a timeout, a refused connection) schedules the
//! next attempt by [`webhook::backoff_ms`] until 24 hours after the delivery was queued, when
//! it is marked failed. All state is in the table: a restarted service, or another copy once
//! a lease has expired, carries on where this one stopped (delivery is at least once; the
//! `Webhook-Id` lets a receiver drop a duplicate).
//!
//! The worker wakes as soon as a transaction that queued deliveries commits
//! ([`crate::db::wake`]) and polls every `poll` otherwise.

use std::time::{Duration, Instant};

use actix_web::http::header;
use rand::Rng;
use tokio::sync::watch;

use crate::db::{self, Pool, write_tx};
use crate::domain::webhook;
use crate::error::ApiError;
use crate::models::webhook::{Delivery, Outcome, Webhook};

/// Deliveries claimed per round.
const BATCH: i64 = 20;

/// How long a claim holds (longer than a request may take).
const LEASE: Duration = Duration::from_secs(60);

/// How long a receiver has to answer.
const TIMEOUT: Duration = Duration::from_secs(10);

/// How the worker runs.
#[derive(Debug, Clone, Copy)]
pub struct Settings {
    /// How often to look for due deliveries when no commit woke the worker.
    pub poll: Duration,
    /// The first retry's wait, in milliseconds.
    pub backoff_base_ms: u64,
}

impl Settings {
    pub fn from_config(config: &crate::config::Config) -> Settings {
        Settings {
            poll: Duration::from_millis(config.webhook_poll_ms.max(1)),
            backoff_base_ms: config.webhook_backoff_ms,
        }
    }
}

/// A running worker; [`Handle::stop`] ends it.
pub struct Handle {
    stop: watch::Sender<bool>,
    task: tokio::task::JoinHandle<()>,
}

impl Handle {
    /// Stops the worker: a send in flight is abandoned (its lease expires and it is sent
    /// again later), nothing else is lost.
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        let _ = self.task.await;
    }
}

/// Starts the worker on the current actix runtime.
pub fn spawn(pool: Pool, settings: Settings) -> Handle {
    let (stop, mut stopped) = watch::channel(false);
    let task = actix_web::rt::spawn(async move {
        let mut wake = db::wake::subscribe();
        let client = awc::Client::builder()
            .disable_redirects()
            .timeout(TIMEOUT)
            .finish();
        loop {
            let work = async {
                loop {
                    match round(&pool, &client, settings).await {
                        Ok(0) => break,
                        Ok(_) => {}
                        Err(e) => {
                            tracing::warn!(error = %e, "webhook worker: cannot claim deliveries");
                            break;
                        }
                    }
                }
            };
            tokio::select! {
                _ = stopped.changed() => break,
                () = work => {}
            }
            tokio::select! {
                _ = stopped.changed() => break,
                _ = wake.changed() => {}
                () = tokio::time::sleep(settings.poll) => {}
            }
        }
        tracing::debug!("webhook worker stopped");
    });
    Handle { stop, task }
}

/// Claims and sends one batch; the number claimed.
async fn round(pool: &Pool, client: &awc::Client, settings: Settings) -> Result<usize, ApiError> {
    let claimed = db::run(pool, |conn| {
        write_tx(conn, |conn| {
            let now = crate::models::now();
            let lease = chrono::Duration::from_std(LEASE).map_err(ApiError::internal)?;
            let deliveries = Delivery::claim(conn, now, now + lease, BATCH)?;
            let mut out = Vec::with_capacity(deliveries.len());
            for d in deliveries {
                let hook = Webhook::find(conn, d.webhook_id)?;
                out.push((d, hook));
            }
            Ok::<_, ApiError>(out)
        })
    })
    .await?;
    let n = claimed.len();
    let sends = claimed
        .into_iter()
        .map(|(d, hook)| deliver(pool, client, settings, d, hook));
    futures_util::future::join_all(sends).await;
    Ok(n)
}

/// Sends one delivery and records the attempt.
async fn deliver(
    pool: &Pool,
    client: &awc::Client,
    settings: Settings,
    d: Delivery,
    hook: Option<Webhook>,
) {
    let attempted_at = crate::models::now();
    let started = Instant::now();
    let (status_code, error) = match &hook {
        Some(hook) if hook.active => send(client, hook, &d).await,
        Some(_) => (None, Some("the subscription is inactive".to_owned())),
        None => (None, Some("the subscription was deleted".to_owned())),
    };
    let duration_ms = i64::try_from(started.elapsed().as_millis()).unwrap_or(i64::MAX);
    let now = crate::models::now();
    let delivered = status_code.is_some_and(|c| (200..300).contains(&c)) && error.is_none();
    let outcome = if delivered {
        Outcome {
            status: "delivered",
            status_code,
            error: None,
            next_attempt_at: d.next_attempt_at,
            delivered_at: Some(now),
        }
    } else {
        let attempt = u32::try_from(d.attempts + 1).unwrap_or(u32::MAX);
        let jitter: f64 = rand::thread_rng().r#gen();
        let wait = webhook::backoff_ms(settings.backoff_base_ms, attempt, jitter);
        let next = now + chrono::Duration::milliseconds(i64::try_from(wait).unwrap_or(i64::MAX));
        let give_up = d.created_at + chrono::Duration::hours(webhook::RETRY_FOR_HOURS);
        let status = if next > give_up || hook.as_ref().is_none_or(|h| !h.active) {
            "failed"
        } else {
            "pending"
        };
        Outcome {
            status,
            status_code,
            error,
            next_attempt_at: next,
            delivered_at: None,
        }
    };
    if !delivered {
        tracing::info!(
            delivery = d.id,
            webhook = d.webhook_id,
            event = %d.event,
            status_code,
            next = outcome.status,
            "webhook delivery attempt failed"
        );
    }
    let id = d.id;
    let recorded = db::run(pool, move |conn| {
        write_tx(conn, |conn| {
            Ok::<_, ApiError>(Delivery::record_attempt(
                conn,
                id,
                attempted_at,
                duration_ms,
                &outcome,
            )?)
        })
    })
    .await;
    if let Err(e) = recorded {
        tracing::warn!(delivery = id, error = %e, "webhook worker: cannot record an attempt");
    }
}

/// POSTs the delivery, signed; the status code, or the error.
async fn send(client: &awc::Client, hook: &Webhook, d: &Delivery) -> (Option<i32>, Option<String>) {
    let Some(key) = webhook::secret_key(&hook.secret) else {
        return (
            None,
            Some("the subscription's secret is not usable".to_owned()),
        );
    };
    let id = webhook::message_id(d.change_id, &d.event);
    let timestamp = chrono::Utc::now().timestamp();
    let signature = webhook::signature(&key, &id, timestamp, &d.payload);
    let request = client
        .post(&hook.url)
        .insert_header((header::CONTENT_TYPE, "application/json"))
        .insert_header(("webhook-id", id))
        .insert_header(("webhook-timestamp", timestamp.to_string()))
        .insert_header(("webhook-signature", signature));
    match request.send_body(d.payload.clone()).await {
        Ok(mut response) => {
            let code = response.status().as_u16();
            // Read (and drop) a little of the answer so the connection can be reused.
            let _ = response.body().limit(64 * 1024).await;
            let error = (!(200..300).contains(&code)).then(|| format!("HTTP {code}"));
            (Some(i32::from(code)), error)
        }
        Err(e) => (None, Some(e.to_string())),
    }
}
