//! The authenticated caller, extracted from the `Authorization: Bearer` header.

use std::future::{Ready, ready};
use std::marker::PhantomData;

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, web};

use super::{AuthKeys, Permission, Role};
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
    /// Refuses with 403 unless the caller's role grants `permission`. Handlers use
    /// [`Authorized`] instead; this is for checks that depend on the record (scopes).
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

/// A permission a handler needs, as a type: see [`super::roles::need`].
pub trait Requirement {
    const PERMISSION: Permission;
}

/// The caller, authenticated *and* holding `R`'s permission. A handler states what it needs
/// in its signature (`principal: Authorized<need::MemberStatesWrite>`); the check runs while
/// the request is extracted, before any body is read or parsed, so a caller without the
/// permission always gets 401 or 403, never a validation error that reveals the shape of the
/// operation.
pub struct Authorized<R: Requirement>(Principal, PhantomData<R>);

impl<R: Requirement> Authorized<R> {
    pub fn into_inner(self) -> Principal {
        self.0
    }
}

impl<R: Requirement> std::ops::Deref for Authorized<R> {
    type Target = Principal;
    fn deref(&self) -> &Principal {
        &self.0
    }
}

impl<R: Requirement> FromRequest for Authorized<R> {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(authenticate(req).and_then(|p| {
            p.require(R::PERMISSION)?;
            Ok(Authorized(p, PhantomData))
        }))
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
    let keys = req
        .app_data::<web::Data<AuthKeys>>()
        .ok_or_else(|| ApiError::internal(anyhow::anyhow!("the keys are not registered")))?;
    let value = req
        .headers()
        .get(header::AUTHORIZATION)
        .ok_or_else(|| ApiError::unauthorized("a bearer token is required"))?;
    let token = value
        .to_str()
        .ok()
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| {
            ApiError::unauthorized("the Authorization header must be `Bearer <token>`")
        })?;
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
