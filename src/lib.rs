//! # devfund
//!
//! The system of record of the IOM Development Fund, as a REST/JSON service.
//!
//! A request flows: [`app::build`] (request id, limits, error rendering) → a handler in
//! [`api`] (extracts the [`auth::Principal`] and states its permission in one line, converts
//! the body into a service's draft or patch) → a use case in [`services`] (the input checked
//! once into typed values, one transaction through [`db::write_tx`], a project write through
//! its scope guard, rules applied, audit event written) → query functions on the diesel
//! structs in [`models`], whose rows hold typed vocabularies → a response DTO back in [`api`].
//!
//! Around the app, [`server`] sets the connection limits and timeouts and bounds shutdown; the
//! request middleware ([`request_context`]) applies the header and body [`limits`] and writes
//! the [`access_log`] line when a response has been sent.
//!
//! Errors of every layer are one type, [`error::ApiError`], rendered as RFC 9457 problem+json
//! with a stable code from one table. The database is SQLite (embedded default) or
//! PostgreSQL, chosen by the URL; the same diesel code serves both ([`db`]).

pub mod access_log;
pub mod api;
pub mod app;
pub mod auth;
pub mod cli;
pub mod config;
pub mod conn_guard;
pub mod db;
pub mod domain;
pub mod error;
pub mod limits;
pub mod metrics;
pub mod models;
pub mod request_context;
pub mod seed;
pub mod server;
pub mod services;
