//! Database failures as API errors: a missing row is 404, a unique violation 409, a
//! foreign-key violation 422, a lost connection or a locked SQLite database 503; anything
//! else is a 500 whose cause is logged, never sent.

use super::{ApiError, ErrorCode};

impl From<diesel::result::Error> for ApiError {
    fn from(e: diesel::result::Error) -> Self {
        use diesel::result::{DatabaseErrorKind as Kind, Error};
        match &e {
            Error::NotFound => ApiError::not_found("record"),
            Error::DatabaseError(Kind::UniqueViolation, _) => {
                ApiError::conflict("a record with this key already exists")
            }
            // SQLite reports a foreign-key failure without its kind, by its message alone.
            Error::DatabaseError(kind, info)
                if matches!(kind, Kind::ForeignKeyViolation)
                    || info.message().contains("FOREIGN KEY constraint failed") =>
            {
                tracing::info!(detail = info.message(), "foreign key violation");
                ApiError::new(
                    ErrorCode::ValidationFailed,
                    "the request refers to a record that does not exist, or removes one still in use",
                )
            }
            Error::DatabaseError(Kind::ClosedConnection | Kind::UnableToSendCommand, _) => {
                ApiError::Unavailable { cause: e.into() }
            }
            Error::DatabaseError(Kind::Unknown, info)
                if info.message().contains("database is locked") =>
            {
                ApiError::Unavailable { cause: e.into() }
            }
            _ => ApiError::internal(e),
        }
    }
}

impl ApiError {
    /// The pool had no connection to give (the database is down or saturated): 503.
    pub fn pool(e: r2d2::Error) -> Self {
        ApiError::Unavailable {
            cause: anyhow::anyhow!("no database connection: {e}"),
        }
    }
}
