-- Generated for PostgreSQL from migrations/source/2020-01-01-000008_report_indexes/down.sql.in: do not edit.
-- Edit the source, then run: UPDATE_MIGRATIONS=1 cargo test --test api migrations
-- Undo 2020-01-01-000008_report_indexes.

DROP INDEX follow_ups_source_type_report_idx;
DROP INDEX follow_ups_status_report_idx;
CREATE INDEX follow_ups_source_type_idx ON follow_ups (source_type);
CREATE INDEX follow_ups_status_idx ON follow_ups (status);
DROP INDEX projects_report_idx;
