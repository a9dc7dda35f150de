-- Generated for PostgreSQL from migrations/source/2020-01-01-000007_list_indexes/down.sql.in: do not edit.
-- Edit the source, then run: UPDATE_MIGRATIONS=1 cargo test --test api migrations
-- Undo 2020-01-01-000007_list_indexes.

DROP INDEX projects_thematic_area_code_idx;
DROP INDEX projects_scope_code_idx;
DROP INDEX projects_funding_year_code_idx;
DROP INDEX projects_status_code_idx;
DROP INDEX projects_funding_line_code_idx;
CREATE INDEX projects_thematic_area_idx ON projects (thematic_area);
CREATE INDEX projects_scope_idx ON projects (scope);
CREATE INDEX projects_funding_year_idx ON projects (funding_year);
CREATE INDEX projects_status_idx ON projects (status);
