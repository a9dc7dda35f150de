//! Authentication and authorization.
//!
//! - [`keys`]: which tokens are accepted (HS256 with the service's own key, RS256 from IOM's
//!   identity provider) and how tokens are issued.
//! - [`roles`]: roles → permissions, in one table.
//! - [`principal`]: the `Principal` extractor every protected handler takes; a handler states
//!   its permission in one line with `principal.require(Permission::…)?`.
//! - [`password`], [`rate_limit`]: argon2 hashes and the failed-login limiter.

pub mod keys;
pub mod password;
pub mod principal;
pub mod rate_limit;
pub mod roles;

pub use keys::{AuthKeys, Claims};
pub use principal::Principal;
pub use roles::{Permission, Role};
