//! The one App factory, used by `devfund serve` and by the integration tests alike: the
//! routes of [`crate::api`], the shared data they extract, the request [`middleware`] and the
//! error handlers.
//!
//! Shared data, each its own `web::Data` so that every piece takes only what it needs:
//! [`AppState`] (pool, catalogue, configured values) for handlers, [`AuthKeys`] for the
//! [`Principal`](crate::auth::Principal) extractor, [`Metrics`](crate::metrics::Metrics) for
//! the access log and `/metrics`, and the [`ServedDocument`] (the OpenAPI document and the
//! route table behind 405 answers) for the system handlers.

pub mod middleware;

use actix_web::ResponseError;
use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::middleware::{Next, from_fn};
use actix_web::{App, web};
use utoipa_actix_web::AppExt;
use utoipa_swagger_ui::{Config as SwaggerConfig, SwaggerUi};

use crate::api;
use crate::api::system::ServedDocument;
use crate::auth::AuthKeys;
use crate::error::ApiError;
use crate::state::AppState;
use middleware::limits::BodyTimeout;

/// The application: routes, error handlers, request ids, limits. `document` is built once
/// per server ([`ServedDocument::for_catalogue`]), not once per worker.
pub fn build(
    state: web::Data<AppState>,
    document: web::Data<ServedDocument>,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    let max_body = state.max_body_bytes;
    let keys: web::Data<AuthKeys> = state.keys.clone();
    let (app, _doc) = App::new()
        .app_data(keys)
        .app_data(state.metrics.clone())
        .app_data(BodyTimeout(state.body_timeout))
        .app_data(document)
        .app_data(state)
        .app_data(web::PayloadConfig::new(max_body))
        .app_data(
            web::PathConfig::default()
                .error_handler(|err, _| ApiError::bad_parameter("path", err.to_string()).into()),
        )
        .into_utoipa_app()
        .openapi(api::openapi::base())
        .configure(api::system::configure)
        .configure(api::configure)
        .split_for_parts();
    // `validator_url("none")`: Swagger UI would otherwise send the document to an outside
    // validation service.
    let swagger = SwaggerConfig::from("/openapi.json").validator_url("none");
    app.service(SwaggerUi::new("/docs/{_:.*}").config(swagger))
        .service(web::redirect("/docs", "/docs/"))
        .default_service(web::to(api::system::fallback))
        .wrap(from_fn(refuse_nul_in_path))
        .wrap(from_fn(middleware::request))
}

/// A path holding an encoded NUL (`%00`) is refused before routing: no record key holds one,
/// and PostgreSQL cannot even compare against one.
async fn refuse_nul_in_path(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    if req.path().to_ascii_lowercase().contains("%00") {
        let res =
            ApiError::bad_parameter("path", "must not contain a NUL character").error_response();
        return Ok(req.into_response(res));
    }
    next.call(req)
        .await
        .map(ServiceResponse::map_into_boxed_body)
}
