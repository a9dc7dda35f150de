-- Generated for SQLite from migrations/source/2020-01-01-000004_follow_up_funding/down.sql.in: do not edit.
-- Edit the source, then run: UPDATE_MIGRATIONS=1 cargo test --test api migrations
DROP TABLE follow_ups;
DROP TABLE exchange_rates;
