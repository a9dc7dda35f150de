-- Generated for PostgreSQL from migrations/source/2020-01-01-000001_schema/down.sql.in: do not edit.
-- Edit the source, then run: UPDATE_MIGRATIONS=1 cargo test --test api migrations
DROP TABLE audit_events;
DROP TABLE users;
DROP TABLE eligibility;
DROP TABLE member_states;
DROP TABLE allocations;
DROP TABLE funding_rules;
DROP TABLE taxonomy_terms;
DROP TABLE msd_deliverables;
DROP TABLE msd_outcomes;
DROP TABLE gcm_objectives;
DROP TABLE migof_elements;
DROP TABLE sdg_indicators;
DROP TABLE sdg_targets;
DROP TABLE sdg_goals;
DROP TABLE regions;
