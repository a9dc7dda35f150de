//! `devfund seed`: data loaded through the same use cases as the HTTP API, never through it.
//!
//! - [`demo`] (`--demo`): the booklet's member states with their eligibility, and its nine
//!   projects with their mappings, follow-up funding and links (`data/demo/`, compiled into
//!   the binary). Idempotent: a second run changes nothing and writes no audit events.
//! - [`synthetic`] / [`synthetic_follow_ups`] (`--synthetic`): deterministic generated
//!   portfolios for load tests, and ([`synthetic_evaluations`]) their evaluations and
//!   recommendations.

mod demo;
mod synthetic;
mod synthetic_evaluations;

use crate::error::ApiError;

pub use demo::demo;
pub use synthetic::{synthetic, synthetic_follow_ups};
pub use synthetic_evaluations::synthetic_evaluations;

/// What a seed run did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct SeedReport {
    pub member_states_created: usize,
    pub eligibility_written: usize,
    pub projects_created: usize,
    pub follow_ups_created: usize,
    pub evaluations_created: usize,
}

fn bad_data(what: impl std::fmt::Display) -> ApiError {
    ApiError::internal(anyhow::anyhow!("demo data: {what}"))
}
