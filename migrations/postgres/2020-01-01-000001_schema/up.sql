-- Generated for PostgreSQL from migrations/source/2020-01-01-000001_schema/up.sql.in: do not edit.
-- Edit the source, then run: UPDATE_MIGRATIONS=1 cargo test --test api migrations
-- Reference data (loaded by the next migration), member states, logins and the audit trail.

CREATE TABLE regions (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    seat TEXT NOT NULL
);

CREATE TABLE sdg_goals (
    number INTEGER PRIMARY KEY,
    title TEXT NOT NULL,
    short_title TEXT NOT NULL
);

CREATE TABLE sdg_targets (
    code TEXT PRIMARY KEY,
    goal INTEGER NOT NULL REFERENCES sdg_goals (number),
    title TEXT NOT NULL,
    position INTEGER NOT NULL
);
CREATE INDEX sdg_targets_goal_idx ON sdg_targets (goal);

CREATE TABLE sdg_indicators (
    code TEXT PRIMARY KEY,
    target_code TEXT NOT NULL REFERENCES sdg_targets (code),
    title TEXT NOT NULL,
    framework_version TEXT NOT NULL,
    position INTEGER NOT NULL
);
CREATE INDEX sdg_indicators_target_code_idx ON sdg_indicators (target_code);

CREATE TABLE migof_elements (
    code TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    text TEXT NOT NULL,
    short_text TEXT NOT NULL,
    position INTEGER NOT NULL
);

CREATE TABLE gcm_objectives (
    number INTEGER PRIMARY KEY,
    title TEXT NOT NULL
);

CREATE TABLE msd_outcomes (
    number INTEGER PRIMARY KEY,
    title TEXT
);

CREATE TABLE msd_deliverables (
    outcome INTEGER NOT NULL REFERENCES msd_outcomes (number),
    number INTEGER NOT NULL,
    title TEXT,
    PRIMARY KEY (outcome, number)
);

CREATE TABLE taxonomy_terms (
    taxonomy TEXT NOT NULL,
    code TEXT NOT NULL,
    label TEXT NOT NULL,
    description TEXT,
    position INTEGER NOT NULL,
    PRIMARY KEY (taxonomy, code)
);

CREATE TABLE funding_rules (
    id BIGSERIAL PRIMARY KEY,
    effective_year INTEGER NOT NULL,
    funding_line TEXT NOT NULL,
    scope TEXT NOT NULL,
    cap_usd_cents BIGINT NOT NULL,
    exceptional_cap_usd_cents BIGINT,
    staff_office_max_share_ppm INTEGER NOT NULL,
    min_endorsing_states INTEGER NOT NULL,
    note TEXT,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX funding_rules_year_line_scope_key ON funding_rules (effective_year, funding_line, scope);

CREATE TABLE allocations (
    year INTEGER NOT NULL,
    funding_line TEXT NOT NULL,
    envelope_usd_cents BIGINT NOT NULL,
    note TEXT,
    updated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (year, funding_line)
);

CREATE TABLE member_states (
    iso3 TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    region TEXT NOT NULL REFERENCES regions (code),
    iom_member BOOLEAN NOT NULL,
    member_since INTEGER,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    version BIGINT NOT NULL
);
CREATE INDEX member_states_region_idx ON member_states (region);
CREATE INDEX member_states_updated_at_idx ON member_states (updated_at);

CREATE TABLE eligibility (
    iso3 TEXT NOT NULL REFERENCES member_states (iso3) ON DELETE CASCADE,
    year INTEGER NOT NULL,
    income_group TEXT NOT NULL,
    line_1_eligible BOOLEAN NOT NULL,
    line_2_eligible BOOLEAN NOT NULL,
    note TEXT,
    updated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (iso3, year)
);

CREATE TABLE users (
    username TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    role TEXT NOT NULL,
    member_states TEXT,
    password_hash TEXT NOT NULL,
    disabled BOOLEAN NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    version BIGINT NOT NULL
);

CREATE TABLE audit_events (
    id BIGSERIAL PRIMARY KEY,
    occurred_at TIMESTAMP NOT NULL,
    subject TEXT NOT NULL,
    role TEXT NOT NULL,
    action TEXT NOT NULL,
    record_type TEXT NOT NULL,
    record_key TEXT NOT NULL,
    changes TEXT NOT NULL,
    request_id TEXT
);
CREATE INDEX audit_events_record_idx ON audit_events (record_type, record_key);
CREATE INDEX audit_events_subject_idx ON audit_events (subject);
CREATE INDEX audit_events_occurred_at_idx ON audit_events (occurred_at);
