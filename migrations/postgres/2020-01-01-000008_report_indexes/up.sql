-- Generated for PostgreSQL from migrations/source/2020-01-01-000008_report_indexes/up.sql.in: do not edit.
-- Edit the source, then run: UPDATE_MIGRATIONS=1 cargo test --test api migrations
-- What the portfolio, coverage, leverage and allocation reports read, as covering indexes:
-- each report scans a narrow index instead of the wide rows (at 100,000 projects the
-- projects table is 30 MB, this index about 6 MB; on SQLite reading the table's pages was a
-- quarter of a report's time). The follow-up indexes replace the single-column ones on
-- status and source type, whose lookups they also serve.
CREATE INDEX projects_report_idx ON projects (funding_year, funding_line, status, budget_usd_cents, thematic_area, code);
DROP INDEX follow_ups_status_idx;
DROP INDEX follow_ups_source_type_idx;
CREATE INDEX follow_ups_status_report_idx ON follow_ups (status, project_id, usd_conversion, amount_usd_cents);
CREATE INDEX follow_ups_source_type_report_idx ON follow_ups (source_type, status, usd_conversion, amount_usd_cents);
