-- Generated for SQLite from migrations/source/2020-01-01-000002_reference_data/down.sql.in: do not edit.
-- Edit the source, then run: UPDATE_MIGRATIONS=1 cargo test --test api migrations
DELETE FROM allocations;
DELETE FROM funding_rules;
DELETE FROM taxonomy_terms;
DELETE FROM msd_deliverables;
DELETE FROM msd_outcomes;
DELETE FROM gcm_objectives;
DELETE FROM migof_elements;
DELETE FROM sdg_indicators;
DELETE FROM sdg_targets;
DELETE FROM sdg_goals;
DELETE FROM regions;
