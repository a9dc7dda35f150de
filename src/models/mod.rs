//! diesel row types and their query functions, one file per table or aggregate.

pub mod allocation;
pub mod audit;
pub mod change;
pub mod evaluation;
pub mod exchange_rate;
pub mod follow_up;
pub mod funding_rule;
pub mod keyset;
pub mod member_state;
pub mod project;
pub mod publication;
pub mod question;
pub mod recommendation;
pub mod reference;
pub mod report;
pub mod results;
pub mod user;
pub mod webhook;

/// The current time as stored: UTC, to the microsecond (SQLite and PostgreSQL then agree).
pub fn now() -> chrono::NaiveDateTime {
    use chrono::{SubsecRound, Utc};
    Utc::now().naive_utc().trunc_subsecs(6)
}
