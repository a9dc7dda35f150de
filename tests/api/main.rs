//! Integration tests: through HTTP into the real app and a real database, on SQLite always
//! and on PostgreSQL when `DEVFUND_TEST_DATABASE_URL` is set.

mod support;

mod auth;
mod changes;
mod contract_edges;
mod db_down;
mod evaluation_reports;
mod evaluations;
mod exports;
mod follow_ups;
mod healthcheck;
mod hostile;
mod http;
mod iati;
mod imports;
mod imports_bulk;
mod kept_answers;
mod layers;
mod list_plans;
mod member_states;
mod openapi;
mod prepared;
mod project_answers;
mod projects_children;
mod projects_list;
mod projects_rules;
mod projects_write;
mod publications;
mod reference;
mod report_base;
mod reports;
mod results;
mod routes;
mod schema_parity;
mod seed;
mod shutdown;
mod slow_clients;
mod sums;
mod updated_since;
mod users;
mod webhooks;
mod xlsx;
