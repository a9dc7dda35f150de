-- Generated for PostgreSQL from migrations/source/2020-01-01-000006_changes_webhooks/down.sql.in: do not edit.
-- Edit the source, then run: UPDATE_MIGRATIONS=1 cargo test --test api migrations
-- Undo 2020-01-01-000006_changes_webhooks.

DROP INDEX users_updated_at_idx;
DROP INDEX exchange_rates_updated_at_idx;
DROP TABLE webhook_attempts;
DROP TABLE webhook_deliveries;
DROP TABLE webhooks;
DROP TABLE changes;
