//! Pure domain types and rules: no actix, no diesel. Each type parses its input and says
//! precisely what is wrong with it.

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
pub mod wire;

pub use country::Iso3;
pub use funding::{FundingLine, IncomeGroup, Scope};
pub use money::Money;
pub use share::Share;
