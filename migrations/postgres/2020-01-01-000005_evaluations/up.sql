-- Generated for PostgreSQL from migrations/source/2020-01-01-000005_evaluations/up.sql.in: do not edit.
-- Edit the source, then run: UPDATE_MIGRATIONS=1 cargo test --test api migrations
-- Evaluations with their criteria, questions and recommendations; results frameworks;
-- publications.

CREATE TABLE evaluations (
    id BIGSERIAL PRIMARY KEY,
    -- The project evaluated, or whose scaled-up initiative (follow_up_id) was evaluated.
    project_id BIGINT NOT NULL REFERENCES projects (id) ON DELETE RESTRICT,
    follow_up_id BIGINT REFERENCES follow_ups (id) ON DELETE RESTRICT,
    kind TEXT NOT NULL,
    status TEXT NOT NULL,
    title TEXT NOT NULL,
    evaluator_type TEXT,
    commissioner TEXT,
    -- Dates as given ('2012', '2012-06' or '2012-06-03'), each with the first day it covers.
    period_from TEXT,
    period_to TEXT,
    started_on TEXT,
    completed_on TEXT,
    completed_on_start DATE,
    report_url TEXT,
    -- ',desk_review,interviews,' (delimited, for filtering)
    methods TEXT NOT NULL,
    limitations TEXT,
    summary TEXT,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    version BIGINT NOT NULL
);
CREATE INDEX evaluations_project_id_idx ON evaluations (project_id);
CREATE INDEX evaluations_follow_up_id_idx ON evaluations (follow_up_id);
CREATE INDEX evaluations_kind_status_idx ON evaluations (kind, status);
CREATE INDEX evaluations_completed_on_start_idx ON evaluations (completed_on_start);
CREATE INDEX evaluations_updated_at_idx ON evaluations (updated_at);

CREATE TABLE evaluation_evaluators (
    evaluation_id BIGINT NOT NULL REFERENCES evaluations (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    name TEXT NOT NULL,
    role TEXT,
    PRIMARY KEY (evaluation_id, position)
);

CREATE TABLE evaluation_criteria (
    evaluation_id BIGINT NOT NULL REFERENCES evaluations (id) ON DELETE CASCADE,
    criterion TEXT NOT NULL,
    rating TEXT,
    finding TEXT,
    PRIMARY KEY (evaluation_id, criterion)
);
CREATE INDEX evaluation_criteria_criterion_idx ON evaluation_criteria (criterion);

CREATE TABLE evaluation_questions (
    id BIGSERIAL PRIMARY KEY,
    evaluation_id BIGINT NOT NULL REFERENCES evaluations (id) ON DELETE CASCADE,
    label TEXT NOT NULL,
    position INTEGER NOT NULL,
    criterion TEXT,
    sub_criterion TEXT,
    text TEXT NOT NULL,
    finding TEXT,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    version BIGINT NOT NULL
);
CREATE INDEX evaluation_questions_evaluation_id_idx ON evaluation_questions (evaluation_id, position);

CREATE TABLE recommendations (
    id BIGSERIAL PRIMARY KEY,
    evaluation_id BIGINT NOT NULL REFERENCES evaluations (id) ON DELETE CASCADE,
    label TEXT NOT NULL,
    position INTEGER NOT NULL,
    text TEXT NOT NULL,
    category TEXT NOT NULL,
    priority TEXT,
    due_date DATE,
    response_decision TEXT,
    response_text TEXT,
    responded_on DATE,
    responded_by TEXT,
    status TEXT NOT NULL,
    status_note TEXT,
    -- The day it was made: the evaluation's completion when known, else the day recorded.
    issued_on DATE NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    version BIGINT NOT NULL
);
CREATE INDEX recommendations_evaluation_id_idx ON recommendations (evaluation_id, position);
CREATE INDEX recommendations_status_idx ON recommendations (status);
CREATE INDEX recommendations_priority_idx ON recommendations (priority);
CREATE INDEX recommendations_due_date_idx ON recommendations (due_date);
CREATE INDEX recommendations_issued_on_idx ON recommendations (issued_on);
CREATE INDEX recommendations_updated_at_idx ON recommendations (updated_at);

CREATE TABLE recommendation_addressees (
    recommendation_id BIGINT NOT NULL REFERENCES recommendations (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    name TEXT NOT NULL,
    PRIMARY KEY (recommendation_id, position)
);
CREATE INDEX recommendation_addressees_name_idx ON recommendation_addressees (name);

CREATE TABLE recommendation_status_changes (
    id BIGSERIAL PRIMARY KEY,
    recommendation_id BIGINT NOT NULL REFERENCES recommendations (id) ON DELETE CASCADE,
    from_status TEXT,
    to_status TEXT NOT NULL,
    note TEXT,
    changed_at TIMESTAMP NOT NULL,
    changed_by TEXT NOT NULL,
    changed_by_role TEXT NOT NULL
);
CREATE INDEX recommendation_status_changes_recommendation_id_idx ON recommendation_status_changes (recommendation_id);

CREATE TABLE results (
    id BIGSERIAL PRIMARY KEY,
    project_id BIGINT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    parent_id BIGINT REFERENCES results (id) ON DELETE RESTRICT,
    level TEXT NOT NULL,
    label TEXT,
    statement TEXT NOT NULL,
    position INTEGER NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    version BIGINT NOT NULL
);
CREATE INDEX results_project_id_idx ON results (project_id, position);
CREATE INDEX results_parent_id_idx ON results (parent_id);

CREATE TABLE indicators (
    id BIGSERIAL PRIMARY KEY,
    result_id BIGINT NOT NULL REFERENCES results (id) ON DELETE CASCADE,
    label TEXT,
    name TEXT NOT NULL,
    unit TEXT,
    -- Values in millionths (exact decimals with at most six places).
    baseline_micros BIGINT,
    baseline_date DATE,
    target_micros BIGINT,
    target_date DATE,
    means_of_verification TEXT,
    assumptions TEXT,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    version BIGINT NOT NULL
);
CREATE INDEX indicators_result_id_idx ON indicators (result_id);

CREATE TABLE measurements (
    id BIGSERIAL PRIMARY KEY,
    indicator_id BIGINT NOT NULL REFERENCES indicators (id) ON DELETE CASCADE,
    measured_on DATE NOT NULL,
    period_from DATE,
    period_to DATE,
    value_micros BIGINT NOT NULL,
    verification TEXT NOT NULL,
    source TEXT,
    note TEXT,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    version BIGINT NOT NULL
);
CREATE INDEX measurements_indicator_id_idx ON measurements (indicator_id, measured_on);

CREATE TABLE publications (
    id BIGSERIAL PRIMARY KEY,
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    title_lower TEXT NOT NULL,
    year INTEGER NOT NULL,
    url TEXT,
    isbn TEXT,
    copies_distributed INTEGER,
    updates_id BIGINT REFERENCES publications (id) ON DELETE SET NULL,
    note TEXT,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    version BIGINT NOT NULL
);
CREATE INDEX publications_kind_idx ON publications (kind);
CREATE INDEX publications_year_idx ON publications (year);
CREATE INDEX publications_updates_id_idx ON publications (updates_id);
CREATE INDEX publications_updated_at_idx ON publications (updated_at);

CREATE TABLE publication_languages (
    publication_id BIGINT NOT NULL REFERENCES publications (id) ON DELETE CASCADE,
    language TEXT NOT NULL,
    PRIMARY KEY (publication_id, language)
);
CREATE INDEX publication_languages_language_idx ON publication_languages (language);

CREATE TABLE publication_member_states (
    publication_id BIGINT NOT NULL REFERENCES publications (id) ON DELETE CASCADE,
    iso3 TEXT NOT NULL REFERENCES member_states (iso3) ON DELETE RESTRICT,
    PRIMARY KEY (publication_id, iso3)
);
CREATE INDEX publication_member_states_iso3_idx ON publication_member_states (iso3);

CREATE TABLE publication_projects (
    publication_id BIGINT NOT NULL REFERENCES publications (id) ON DELETE CASCADE,
    project_id BIGINT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    PRIMARY KEY (publication_id, project_id)
);
CREATE INDEX publication_projects_project_id_idx ON publication_projects (project_id);
