//! Authentication and authorization.
//!
//! - [`keys`]: which tokens are accepted (HS256 with the service's own key, RS256 from IOM's
//!   identity provider) and how tokens are issued.
//! - [`roles`]: roles → permissions, in one table.
//! - [`principal`]: the `Authorized<need::…>` extractor every protected handler takes: its
//!   permission, stated once in the signature and checked before the body is read.
//! - [`password`], [`rate_limit`]: argon2 hashes and the failed-login limiter.
//! - `verified`: the tokens already verified, so a client's token is decoded once.

pub mod keys;
pub mod password;
pub mod principal;
pub mod rate_limit;
pub mod roles;
mod verified;

pub use keys::{AuthKeys, Claims};
pub use principal::{Authorized, Principal};
pub use roles::{Permission, Role, need};
