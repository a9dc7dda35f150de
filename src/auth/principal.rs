//! The authenticated caller, extracted from the `Authorization: Bearer` header.

use std::future::{Ready, ready};

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, web};

use super::{Permission, Role};
use crate::app::AppState;
use crate::error::ApiError;

/// Who is calling, as their verified token says.
#[derive(Debug, Clone)]
pub struct Principal {
    pub subject: String,
    pub role: Role,
    /// Member states (ISO3) a project officer is scoped to; `None` means unscoped.
    pub member_states: Option<Vec<String>>,
    /// Token expiry, Unix seconds.
    pub expires_at: i64,
}

impl Principal {
    /// Refuses with 403 unless the caller's role grants `permission`. Every protected handler
    /// calls this once, first; its OpenAPI `security` scope names the same permission.
    pub fn require(&self, permission: Permission) -> Result<&Self, ApiError> {
        if self.role.has(permission) {
            Ok(self)
        } else {
            Err(ApiError::forbidden(format!(
                "role {} lacks the permission {}",
                self.role.as_str(),
                permission.as_str()
            )))
        }
    }
}

impl FromRequest for Principal {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(authenticate(req))
    }
}

fn authenticate(req: &HttpRequest) -> Result<Principal, ApiError> {
    let keys = &req
        .app_data::<web::Data<AppState>>()
        .ok_or_else(|| ApiError::internal(anyhow::anyhow!("application state missing")))?
        .keys;
    let value = req
        .headers()
        .get(header::AUTHORIZATION)
        .ok_or_else(|| ApiError::unauthorized("a bearer token is required"))?;
    let token = value
        .to_str()
        .ok()
        .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")))
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| ApiError::unauthorized("the Authorization header must be `Bearer <token>`"))?;
    let (claims, role) = keys.verify(token).map_err(|e| {
        tracing::debug!(reason = %e, "token refused");
        ApiError::unauthorized("the token is invalid or expired")
    })?;
    Ok(Principal {
        subject: claims.sub,
        role,
        member_states: claims.member_states,
        expires_at: claims.exp,
    })
}
