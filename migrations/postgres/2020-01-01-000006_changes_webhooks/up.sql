-- Generated for PostgreSQL from migrations/source/2020-01-01-000006_changes_webhooks/up.sql.in: do not edit.
-- Edit the source, then run: UPDATE_MIGRATIONS=1 cargo test --test api migrations
-- The change feed (GET /changes) and webhooks with their outbox.

-- One row per committed change of any record, written in the transaction of the change.
-- The id is the feed's cursor: on PostgreSQL the insert takes an advisory lock held to
-- commit (src/db/locks.rs), so ids are assigned in commit order.
CREATE TABLE changes (
    id BIGSERIAL PRIMARY KEY,
    occurred_at TIMESTAMP NOT NULL,
    record_type TEXT NOT NULL,
    record_key TEXT NOT NULL,
    -- created | updated | deleted
    action TEXT NOT NULL,
    -- The record's ETag after the change; NULL on delete or for records without a version.
    etag TEXT
);

CREATE TABLE webhooks (
    id BIGSERIAL PRIMARY KEY,
    url TEXT NOT NULL,
    -- A JSON array of event names, e.g. ["project.approved","follow_up.created"].
    events TEXT NOT NULL,
    -- whsec_ + base64 of the HMAC key; never returned by the API.
    secret TEXT NOT NULL,
    active BOOLEAN NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    version BIGINT NOT NULL
);

-- The outbox: one row per event and subscription, written in the transaction of the change.
CREATE TABLE webhook_deliveries (
    id BIGSERIAL PRIMARY KEY,
    webhook_id BIGINT NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
    event TEXT NOT NULL,
    -- The exact body sent on every attempt (so retries are byte-identical).
    payload TEXT NOT NULL,
    change_id BIGINT NOT NULL,
    -- pending | delivered | failed
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    next_attempt_at TIMESTAMP NOT NULL,
    -- A worker's claim; an expired lease is claimable again (a crashed worker loses nothing).
    locked_until TIMESTAMP,
    last_status_code INTEGER,
    last_error TEXT,
    created_at TIMESTAMP NOT NULL,
    delivered_at TIMESTAMP
);
CREATE INDEX webhook_deliveries_due_idx ON webhook_deliveries (status, next_attempt_at);
CREATE INDEX webhook_deliveries_webhook_id_idx ON webhook_deliveries (webhook_id, id);

CREATE TABLE webhook_attempts (
    id BIGSERIAL PRIMARY KEY,
    delivery_id BIGINT NOT NULL REFERENCES webhook_deliveries (id) ON DELETE CASCADE,
    attempted_at TIMESTAMP NOT NULL,
    status_code INTEGER,
    duration_ms BIGINT NOT NULL,
    error TEXT
);
CREATE INDEX webhook_attempts_delivery_id_idx ON webhook_attempts (delivery_id, id);

-- updated_since on the lists that lacked it.
CREATE INDEX exchange_rates_updated_at_idx ON exchange_rates (updated_at);
CREATE INDEX users_updated_at_idx ON users (updated_at);
