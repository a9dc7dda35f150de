//! Logins and the token grants that use them.

use serde::Serialize;

use super::{Actor, Precondition, audit, check_version};
use crate::auth::{Role, password};
use crate::db::{Conn, write_tx};
use crate::error::ApiError;
use crate::models::now;
use crate::models::user::User;

const RECORD: &str = "user";

/// What the audit trail and the API show of a login: never its hash.
#[derive(Debug, Clone, Serialize)]
pub struct UserView {
    pub username: String,
    pub kind: String,
    pub role: Role,
    pub member_states: Option<Vec<String>>,
    pub disabled: bool,
}

impl From<&User> for UserView {
    fn from(u: &User) -> Self {
        UserView {
            username: u.username.clone(),
            kind: u.kind.clone(),
            role: u.role,
            member_states: u.member_state_list(),
            disabled: u.disabled,
        }
    }
}

crate::domain::funding::closed_enum!(
    /// `person` (password grant) or `client` (client_credentials grant).
    Kind {
        Person => "person",
        Client => "client",
    }
);

pub struct NewUser {
    pub username: String,
    pub kind: Kind,
    pub role: Role,
    pub member_states: Option<Vec<String>>,
    pub password: String,
}

#[derive(Default)]
pub struct UserChange {
    pub role: Option<Role>,
    pub member_states: Option<Option<Vec<String>>>,
    pub password: Option<String>,
    pub disabled: Option<bool>,
}

pub fn find(conn: &mut Conn, username: &str) -> Result<User, ApiError> {
    User::find(conn, username)?.ok_or_else(|| ApiError::not_found(format!("user {username}")))
}

fn join(states: Option<Vec<String>>) -> Option<String> {
    states.filter(|s| !s.is_empty()).map(|s| s.join(","))
}

/// Creates a login; the password is hashed before the transaction opens.
pub fn create(conn: &mut Conn, actor: &Actor, new: NewUser) -> Result<User, ApiError> {
    let hash = password::hash(&new.password).map_err(ApiError::internal)?;
    write_tx(conn, |conn| {
        if User::find(conn, &new.username)?.is_some() {
            return Err(ApiError::conflict(format!(
                "user {} already exists",
                new.username
            )));
        }
        let at = now();
        let user = User {
            username: new.username,
            kind: new.kind.as_str().to_owned(),
            role: new.role,
            member_states: join(new.member_states),
            password_hash: hash,
            disabled: false,
            created_at: at,
            updated_at: at,
            version: 1,
        };
        user.insert(conn)?;
        audit::record(
            conn,
            actor,
            "create",
            RECORD,
            &user.username,
            None,
            Some(&UserView::from(&user)),
        )?;
        Ok(user)
    })
}

pub fn update(
    conn: &mut Conn,
    actor: &Actor,
    username: &str,
    expected_version: &Precondition,
    change: UserChange,
) -> Result<User, ApiError> {
    let new_hash = change
        .password
        .as_deref()
        .map(password::hash)
        .transpose()
        .map_err(ApiError::internal)?;
    write_tx(conn, |conn| {
        let before = find(conn, username)?;
        check_version(expected_version, before.version)?;
        let mut after = before.clone();
        if let Some(role) = change.role {
            after.role = role;
        }
        if let Some(states) = change.member_states {
            after.member_states = join(states);
        }
        if let Some(disabled) = change.disabled {
            after.disabled = disabled;
        }
        if let Some(hash) = new_hash {
            after.password_hash = hash;
            audit::record(
                conn,
                actor,
                "change_password",
                RECORD,
                username,
                None::<&UserView>,
                None,
            )?;
        }
        after.updated_at = now();
        after.version += 1;
        super::written(after.save(conn)?)?;
        audit::record(
            conn,
            actor,
            "update",
            RECORD,
            username,
            Some(&UserView::from(&before)),
            Some(&UserView::from(&after)),
        )?;
        Ok(after)
    })
}

pub fn delete(
    conn: &mut Conn,
    actor: &Actor,
    username: &str,
    expected_version: &Precondition,
) -> Result<(), ApiError> {
    write_tx(conn, |conn| {
        let before = find(conn, username)?;
        check_version(expected_version, before.version)?;
        User::delete(conn, username)?;
        audit::record(
            conn,
            actor,
            "delete",
            RECORD,
            username,
            Some(&UserView::from(&before)),
            None,
        )?;
        Ok(())
    })
}

/// Checks a login of `kind`; `None` for an unknown name, a wrong password, or a disabled or
/// wrong-kind login (indistinguishable to the caller, and equally slow).
pub fn authenticate(
    conn: &mut Conn,
    kind: Kind,
    username: &str,
    secret: &str,
) -> Result<Option<User>, ApiError> {
    let user = User::find(conn, username)?;
    let ok = password::verify(secret, user.as_ref().map(|u| u.password_hash.as_str()));
    Ok(user.filter(|u| ok && !u.disabled && u.kind == kind.as_str()))
}
