//! Pure domain types and rules: no actix, and diesel only where a closed vocabulary maps to a
//! `TEXT` column (`closed_enum!` in [`funding`] gives every vocabulary its `FromSql`/`ToSql`, so
//! rows hold the enum). Each type parses its input and says precisely what is wrong with it.
//!
//! The Fund's approval rules (caps, eligibility, endorsements, the envelope) are
//! [`rules::evaluate`]; the project lifecycle is [`project::Status`].

pub mod country;
pub mod evaluation;
pub mod follow_up;
pub mod funding;
pub mod fx;
pub mod money;
pub mod paging;
pub mod project;
pub mod publication;
pub mod results;
pub mod rules;
pub mod share;
pub mod webhook;
pub mod wire;

pub use country::Iso3;
pub use funding::{FundingLine, IncomeGroup, Scope};
pub use money::Money;
pub use share::Share;
