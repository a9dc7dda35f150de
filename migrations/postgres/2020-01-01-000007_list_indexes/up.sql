-- Generated for PostgreSQL from migrations/source/2020-01-01-000007_list_indexes/up.sql.in: do not edit.
-- Edit the source, then run: UPDATE_MIGRATIONS=1 cargo test --test api migrations
-- The project list's equality filters in its default order (by code): each filter column
-- with the code, so that a filtered page is read in order from the index and stops after its
-- rows, instead of fetching and sorting every match (a funding_line filter at 10,000
-- projects: 4.4 ms → 0.15 ms for the page query on SQLite). They replace the single-column
-- indexes, whose lookups they also serve.
DROP INDEX projects_status_idx;
DROP INDEX projects_funding_year_idx;
DROP INDEX projects_scope_idx;
DROP INDEX projects_thematic_area_idx;
CREATE INDEX projects_funding_line_code_idx ON projects (funding_line, code);
CREATE INDEX projects_status_code_idx ON projects (status, code);
CREATE INDEX projects_funding_year_code_idx ON projects (funding_year, code);
CREATE INDEX projects_scope_code_idx ON projects (scope, code);
CREATE INDEX projects_thematic_area_code_idx ON projects (thematic_area, code);
