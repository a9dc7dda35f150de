-- Generated for PostgreSQL from migrations/source/2020-01-01-000003_projects/up.sql.in: do not edit.
-- Edit the source, then run: UPDATE_MIGRATIONS=1 cargo test --test api migrations
-- Projects, their member states, mappings and links.

CREATE TABLE projects (
    id BIGSERIAL PRIMARY KEY,
    code TEXT COLLATE "C" NOT NULL,
    title TEXT NOT NULL,
    -- lower(title), bytewise-ordered on both databases so sort=title agrees (SQLite: BINARY).
    title_lower TEXT COLLATE "C" NOT NULL,
    summary TEXT,
    status TEXT NOT NULL,
    funding_line TEXT NOT NULL,
    funding_year INTEGER NOT NULL,
    scope TEXT NOT NULL,
    budget_usd_cents BIGINT NOT NULL,
    staff_office_share_ppm INTEGER,
    exceptional_increase BOOLEAN NOT NULL,
    thematic_area TEXT,
    management_city TEXT,
    management_country TEXT,
    beneficiaries TEXT,
    duration_months INTEGER,
    start_date DATE,
    end_date DATE,
    actual_end_date DATE,
    core_national_ownership TEXT,
    core_evidence_and_learning TEXT,
    core_scalability TEXT,
    core_innovation TEXT,
    core_sustainability TEXT,
    notable_achievements TEXT NOT NULL,
    -- Fund-rule warnings recorded when a past year's project was entered as history (JSON).
    rule_warnings TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    version BIGINT NOT NULL
);
CREATE UNIQUE INDEX projects_code_key ON projects (code);
CREATE INDEX projects_status_idx ON projects (status);
CREATE INDEX projects_funding_line_year_idx ON projects (funding_line, funding_year);
CREATE INDEX projects_funding_year_idx ON projects (funding_year);
CREATE INDEX projects_scope_idx ON projects (scope);
CREATE INDEX projects_thematic_area_idx ON projects (thematic_area);
CREATE INDEX projects_budget_idx ON projects (budget_usd_cents);
CREATE INDEX projects_updated_at_idx ON projects (updated_at);
CREATE INDEX projects_title_lower_idx ON projects (title_lower);

CREATE TABLE project_member_states (
    project_id BIGINT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    iso3 TEXT NOT NULL REFERENCES member_states (iso3),
    -- NULL: an equal split among the project's states (exact thirds, not 0.333333).
    share_ppm INTEGER,
    endorsed BOOLEAN NOT NULL,
    position INTEGER NOT NULL,
    PRIMARY KEY (project_id, iso3)
);
CREATE INDEX project_member_states_iso3_idx ON project_member_states (iso3);

CREATE TABLE project_sdg_targets (
    project_id BIGINT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    target_code TEXT NOT NULL REFERENCES sdg_targets (code),
    PRIMARY KEY (project_id, target_code)
);
CREATE INDEX project_sdg_targets_target_code_idx ON project_sdg_targets (target_code);

CREATE TABLE project_migof (
    project_id BIGINT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    element_code TEXT NOT NULL REFERENCES migof_elements (code),
    PRIMARY KEY (project_id, element_code)
);
CREATE INDEX project_migof_element_code_idx ON project_migof (element_code);

CREATE TABLE project_gcm_objectives (
    project_id BIGINT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    objective INTEGER NOT NULL REFERENCES gcm_objectives (number),
    PRIMARY KEY (project_id, objective)
);
CREATE INDEX project_gcm_objectives_objective_idx ON project_gcm_objectives (objective);

CREATE TABLE project_msd (
    project_id BIGINT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    outcome INTEGER NOT NULL REFERENCES msd_outcomes (number),
    deliverable INTEGER NOT NULL,
    PRIMARY KEY (project_id, outcome, deliverable)
);

CREATE TABLE project_terms (
    project_id BIGINT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    taxonomy TEXT NOT NULL,
    code TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (project_id, taxonomy, code)
);

CREATE TABLE project_links (
    id BIGSERIAL PRIMARY KEY,
    project_id BIGINT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    link_type TEXT NOT NULL,
    target_code TEXT,
    target_title TEXT,
    note TEXT,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX project_links_project_id_idx ON project_links (project_id);
CREATE INDEX project_links_target_code_idx ON project_links (target_code);
