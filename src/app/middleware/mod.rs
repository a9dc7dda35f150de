//! The request middleware, and the pieces it puts around every request.
//!
//! [`request`] takes `X-Request-Id` from the request (when it is a sane token) or makes one,
//! runs the rest of the service inside the [`request_context`] scope
//! and a tracing span carrying it, and echoes it on the response. On the way it applies the
//! [`limits`] (431 for oversized headers; a deadline on the body, 408 and the connection
//! closed when it passes), marks the connection busy for the [`conn_guard`], and hands the
//! response body to the [`access_log`], which logs one line and feeds the metrics when the
//! body has been sent.

pub mod access_log;
pub mod conn_guard;
pub mod limits;

use std::rc::Rc;
use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::ConnectionType;
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{Error, HttpMessage, ResponseError, web};
use tracing::Instrument;

use crate::metrics::Metrics;
use crate::request_context::{self, RequestContext};
use access_log::{Entry, Held, LoggedBody};
use conn_guard::ConnGuard;
use limits::{BodyTimeout, DeadlinePayload};

pub const REQUEST_ID_HEADER: HeaderName = HeaderName::from_static("x-request-id");

fn accepted_id(value: &HeaderValue) -> Option<String> {
    let s = value.to_str().ok()?;
    let ok = !s.is_empty()
        && s.len() <= 128
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.:".contains(&b));
    ok.then(|| s.to_owned())
}

/// The request middleware (see the module documentation).
pub async fn request(
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
    let metrics = req.app_data::<web::Data<Metrics>>().cloned();
    let span = tracing::info_span!("request", request_id = %request_id);

    let busy = req.conn_data::<Rc<ConnGuard>>().map(ConnGuard::busy);
    let body_timeout = req.app_data::<BodyTimeout>().map(|t| t.0);
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

    let result = request_context::scope(ctx, async {
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
        metrics,
    };
    let held = Held {
        body: body_watch,
        busy,
    };
    Ok(res.map_body(|_, body| LoggedBody::new(body, entry, held)))
}
