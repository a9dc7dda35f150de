-- Generated for SQLite from migrations/source/2020-01-01-000004_follow_up_funding/up.sql.in: do not edit.
-- Edit the source, then run: UPDATE_MIGRATIONS=1 cargo test --test api migrations
-- Exchange rates and follow-up funding.

CREATE TABLE exchange_rates (
    currency TEXT NOT NULL,
    -- 'YYYY-MM'
    month TEXT NOT NULL,
    -- year * 12 + month - 1, for "the latest earlier month within 12 months"
    month_index INTEGER NOT NULL,
    -- USD per unit of the currency, times 10^10 (exact decimal).
    usd_per_unit_e10 BIGINT NOT NULL,
    source TEXT NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (currency, month)
);
CREATE INDEX exchange_rates_currency_month_index_idx ON exchange_rates (currency, month_index);

CREATE TABLE follow_ups (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    project_id BIGINT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    title TEXT,
    source_name TEXT,
    source_type TEXT NOT NULL,
    amount_minor BIGINT,
    currency TEXT,
    amount_is_lower_bound BOOLEAN NOT NULL,
    status TEXT NOT NULL,
    -- '2021', '2021-06' or '2021-06-03' as given; value_month_index is its month (a year alone
    -- counts as its December) for the exchange rate.
    date_text TEXT,
    date_start DATE,
    value_month_index INTEGER,
    in_kind BOOLEAN NOT NULL,
    -- ',quantitative,political,' (delimited, for filtering)
    dimensions TEXT NOT NULL,
    description TEXT,
    evidence_url TEXT,
    follow_up_project_code TEXT,
    amount_usd_cents BIGINT,
    usd_rate_e10 BIGINT,
    usd_conversion TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    version BIGINT NOT NULL
);
CREATE INDEX follow_ups_project_id_idx ON follow_ups (project_id);
CREATE INDEX follow_ups_source_type_idx ON follow_ups (source_type);
CREATE INDEX follow_ups_status_idx ON follow_ups (status);
CREATE INDEX follow_ups_currency_idx ON follow_ups (currency);
CREATE INDEX follow_ups_date_start_idx ON follow_ups (date_start);
CREATE INDEX follow_ups_updated_at_idx ON follow_ups (updated_at);
