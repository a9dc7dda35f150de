-- Generated for SQLite from migrations/source/2020-01-01-000003_projects/down.sql.in: do not edit.
-- Edit the source, then run: UPDATE_MIGRATIONS=1 cargo test --test api migrations
DROP TABLE project_links;
DROP TABLE project_terms;
DROP TABLE project_msd;
DROP TABLE project_gcm_objectives;
DROP TABLE project_migof;
DROP TABLE project_sdg_targets;
DROP TABLE project_member_states;
DROP TABLE projects;
