-- Generated for PostgreSQL from migrations/source/2020-01-01-000005_evaluations/down.sql.in: do not edit.
-- Edit the source, then run: UPDATE_MIGRATIONS=1 cargo test --test api migrations
-- Undo 2020-01-01-000005_evaluations.

DROP TABLE publication_projects;
DROP TABLE publication_member_states;
DROP TABLE publication_languages;
DROP TABLE publications;
DROP TABLE measurements;
DROP TABLE indicators;
DROP TABLE results;
DROP TABLE recommendation_status_changes;
DROP TABLE recommendation_addressees;
DROP TABLE recommendations;
DROP TABLE evaluation_questions;
DROP TABLE evaluation_criteria;
DROP TABLE evaluation_evaluators;
DROP TABLE evaluations;
