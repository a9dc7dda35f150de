//! The request id and path of the request being served, available to error rendering and
//! log lines without threading them through every call.
//!
//! [`middleware`] takes `X-Request-Id` from the request (when it is a sane token) or makes
//! one, runs the rest of the service inside a task-local scope and a tracing span carrying
//! it, and echoes it on the response. On the way it applies the [`limits`] (431 for oversized
//! headers; a deadline on the body, 408 and the connection closed when it passes) and hands the
//! response body to the [`access_log`](crate::access_log), which logs one line and feeds the
//! metrics when the body has been sent.

use std::rc::Rc;
use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::ConnectionType;
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{Error, HttpMessage, ResponseError, web};
use tracing::Instrument;

use crate::access_log::{Entry, Held, LoggedBody};
use crate::app::AppState;
use crate::conn_guard::ConnGuard;
use crate::limits::{self, DeadlinePayload};

pub const REQUEST_ID_HEADER: HeaderName = HeaderName::from_static("x-request-id");

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

fn accepted_id(value: &HeaderValue) -> Option<String> {
    let s = value.to_str().ok()?;
    let ok = !s.is_empty()
        && s.len() <= 128
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.:".contains(&b));
    ok.then(|| s.to_owned())
}

pub async fn middleware(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<LoggedBody>, Error> {
    let started = Instant::now();
    let request_id = req
        .headers()
        .get(&REQUEST_ID_HEADER)
        .and_then(accepted_id)
        .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
    let ctx = RequestContext {
        request_id: request_id.clone(),
        path: req.path().to_owned(),
    };
    let method = req.method().clone();
    let state = req.app_data::<web::Data<AppState>>().cloned();
    let span = tracing::info_span!("request", request_id = %request_id);

    let busy = req.conn_data::<Rc<ConnGuard>>().map(ConnGuard::busy);
    let body_timeout = state.as_ref().map(|s| s.body_timeout);
    let body_watch = match (req.take_payload(), body_timeout) {
        (Payload::None, _) => None,
        (payload, None) => {
            req.set_payload(payload);
            None
        }
        (payload, Some(timeout)) => {
            let (payload, watch) = DeadlinePayload::wrap(payload, timeout);
            req.set_payload(payload);
            Some(watch)
        }
    };

    let result = CONTEXT
        .scope(ctx, async {
            if let Err(e) = limits::check_headers(req.headers()) {
                return Ok(req.error_response(e).map_into_boxed_body());
            }
            let res = next.call(req).instrument(span.clone()).await?;
            if let (Some(watch), Some(timeout)) = (&body_watch, body_timeout)
                && watch.expired()
            {
                // Whatever the handler made of the failed read, the client is told it was slow.
                let (req, _) = res.into_parts();
                let mut res = limits::body_timeout_error(timeout).error_response();
                res.head_mut().set_connection_type(ConnectionType::Close);
                return Ok(ServiceResponse::new(req, res).map_into_boxed_body());
            }
            Ok::<_, Error>(res.map_into_boxed_body())
        })
        .await;
    // Handlers and extractors turn their errors into responses inside the scope above, so
    // an `Err` here comes from the framework itself and is passed on as it is.
    let mut res = result?;
    let status = res.status();
    let route = res
        .request()
        .match_pattern()
        .unwrap_or_else(|| "unmatched".to_owned());
    if let Ok(v) = HeaderValue::from_str(&request_id) {
        res.headers_mut().insert(REQUEST_ID_HEADER, v);
    }
    let entry = Entry {
        span,
        method,
        route,
        status,
        started,
        head_elapsed: started.elapsed(),
        state,
    };
    let held = Held {
        body: body_watch,
        busy,
    };
    Ok(res.map_body(|_, body| LoggedBody::new(body, entry, held)))
}
