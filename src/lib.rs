//! # devfund
//!
//! The system of record of the IOM Development Fund, as a REST/JSON service.
//!
//! A request flows: [`app::build`] (the App factory: request id, limits, error rendering, in
//! [`app::middleware`]) → a handler in
//! [`api`] (extracts the [`auth::Principal`] and states its permission in one line, converts
//! the body into a service's draft or patch) → a use case in [`services`] (the input checked
//! once into typed values, one transaction through [`db::write_tx`], a project write through
//! its scope guard, rules applied, audit event written) → query functions on the diesel
//! structs in [`models`], whose rows hold typed vocabularies → a response DTO back in [`api`].
//!
//! Where to find things:
//! - a permission: [`auth::roles`] (roles → permissions, one table; `need::…` per handler);
//! - an error code: [`error::ErrorCode`] (code, status, title and meaning, declared once in
//!   `error/codes.rs`), rendered as RFC 9457 problem+json by [`error::ApiError`];
//! - the App factory and the middleware: [`app`]; the HTTP server around it (connection
//!   limits, bounded shutdown): [`server`];
//! - what handlers share: [`state::AppState`] (pool, reference catalogue, configured values).
//!
//! The modules form layers; each imports only from the layers below it, and a test
//! (`tests/api/layers.rs`) holds them to it:
//!
//! ```text
//! cli                                   the commands of the binary
//! server                                the HTTP server around the app
//! app                                   the App factory and the request middleware
//! api                                   handlers, DTOs, the OpenAPI document
//! state, seed                           what handlers share; the demo and synthetic data
//! services                              use cases, one transaction each
//! models                                diesel rows and queries
//! auth                                  keys, roles, the Principal
//! db                                    pool, backends, transactions, migrations, schema
//! config, error, metrics, cache         typed configuration; ApiError; counters; versioned answers
//! request_context                       the id of the request being served
//! domain                                pure types and rules, importing nothing
//! ```
//!
//! The database is SQLite (embedded default) or PostgreSQL, chosen by the URL; the same
//! diesel code serves both ([`db`]).

#![forbid(unsafe_code)]

pub mod api;
pub mod app;
pub mod auth;
pub mod cache;
pub mod cli;
pub mod config;
pub mod db;
pub mod domain;
pub mod error;
pub mod metrics;
pub mod models;
pub mod request_context;
pub mod seed;
pub mod server;
pub mod services;
pub mod state;
