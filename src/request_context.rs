//! The request id and path of the request being served, available to error rendering, audit
//! events and log lines without threading them through every call.
//!
//! The request middleware ([`crate::app::middleware`]) sets it with [`scope`]; everything
//! below reads it with [`current`] or [`request_id`]. This module imports nothing of the
//! crate, so the lowest layers ([`crate::error`], [`crate::db`]) may use it.

#[derive(Debug, Clone)]
pub struct RequestContext {
    pub request_id: String,
    pub path: String,
}

tokio::task_local! {
    static CONTEXT: RequestContext;
}

/// The context of the request this task serves, if any.
pub fn current() -> Option<RequestContext> {
    CONTEXT.try_with(Clone::clone).ok()
}

/// The current request id, for audit events and logs.
pub fn request_id() -> Option<String> {
    CONTEXT.try_with(|c| c.request_id.clone()).ok()
}

/// Runs `f` inside the current request's context (for work moved to the blocking pool).
pub fn propagate<T>(f: impl FnOnce() -> T) -> impl FnOnce() -> T {
    let ctx = current();
    move || match ctx {
        Some(ctx) => CONTEXT.sync_scope(ctx, f),
        None => f(),
    }
}

/// Runs `fut` with `ctx` as the context of the request it serves.
pub async fn scope<F: std::future::Future>(ctx: RequestContext, fut: F) -> F::Output {
    CONTEXT.scope(ctx, fut).await
}
