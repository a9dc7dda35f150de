//! The OpenAPI document: its fixed parts here, its operations collected from the real
//! handlers by utoipa-actix-web. `devfund openapi` prints it; `openapi/openapi.json` is that
//! output, and a test fails when the two differ.

use utoipa::openapi::header::Header;
use utoipa::openapi::path::Operation;
use utoipa::openapi::security::{
    ClientCredentials, Flow, HttpAuthScheme, HttpBuilder, OAuth2, Password, Scopes,
    SecurityRequirement, SecurityScheme,
};
use utoipa::openapi::{ContentBuilder, Object, OpenApi as Doc, Ref, RefOr, ResponseBuilder, Type};
use utoipa::{Modify, OpenApi};
use utoipa_actix_web::AppExt;

use crate::auth::Permission;
use crate::error::{FieldError, Problem};

const REQUEST_ID: &str = "X-Request-Id";
use crate::models::reference::Catalogue;

/// The token endpoint: the `tokenUrl` of the `oauth2` scheme, and the one operation whose
/// refusals are OAuth-shaped (documented on its handler, never a 422).
pub const TOKEN_PATH: &str = "/api/v1/auth/token";

#[derive(OpenApi)]
#[openapi(
    info(
        title = "devfund",
        description = "The system of record of the IOM Development Fund: member states, seed-funded \
projects and their mappings, follow-up funding, and the reports built on them.\n\n\
Every operation but the token endpoint, health and the document itself needs a bearer token. \
The scope listed in an operation's `bearer` security requirement is the permission it checks; \
roles grant permissions as `GET /api/v1/auth/me` and the README describe. The same scope is \
listed under `oauth2`, whose password and client-credentials flows get a token from \
`POST /api/v1/auth/token` (the Authorize button of `/docs`); a token carries every permission \
of its role, whatever scopes are asked for.\n\n\
Errors are RFC 9457 `application/problem+json` with a stable `code`; the token endpoint's \
also carry OAuth 2.0's `error` and `error_description`. No string, in a body or a parameter, \
may hold the NUL character (U+0000), which PostgreSQL cannot store: it is refused naming the \
field (422 `nul_character` in a body, 400 for a parameter).",
        license(name = "MIT")
    ),
    components(schemas(
        Problem,
        FieldError,
        // Schemas only parameters name (utoipa collects those of bodies and responses).
        crate::api::negotiate::Format,
        crate::api::reference::GoalInclude,
        crate::api::schemas::ProjectCodeSchema,
        crate::api::schemas::NonEmptyText,
        crate::api::schemas::AddresseeName,
        crate::api::webhooks::WebhookEvent,
        crate::api::imports::Kind,
    )),
    servers((url = "/", description = "The service that serves this document")),
    modifiers(&Security),
    tags(
        (name = "auth", description = "Tokens and the caller"),
        (name = "users", description = "People and service clients (admin)"),
        (name = "reference", description = "Regions, SDG, MiGOF, GCM, MSD, taxonomies"),
        (name = "funding", description = "Funding rules and yearly allocations"),
        (name = "member-states", description = "Member states and their eligibility history"),
        (name = "projects", description = "The portfolio: projects, mappings, links, lifecycle"),
        (name = "follow-up-funding", description = "Money that scaled projects up, in any currency, converted to USD"),
        (name = "exchange-rates", description = "Monthly rates to USD"),
        (name = "imports", description = "Bulk imports from JSON, CSV or XLSX, with a dry run"),
        (name = "reports", description = "Portfolio, leverage, allocation and coverage"),
        (name = "results", description = "Results frameworks: objective, outcomes, outputs, their indicators and measurements"),
        (name = "exports", description = "The portfolio for other systems: IATI 2.03"),
        (name = "audit", description = "The audit trail"),
        (name = "changes", description = "The change feed: every committed change, in commit order"),
        (name = "webhooks", description = "Subscriptions to change events, signed deliveries and their log (admin)"),
        (name = "system", description = "Health, metrics and this document")
    )
)]
struct ApiDoc;

struct Security;

impl Modify for Security {
    fn modify(&self, doc: &mut Doc) {
        let components = doc.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .build(),
            ),
        );
        let scopes: Scopes = Permission::ALL
            .iter()
            .map(|p| (p.as_str(), p.description()))
            .collect();
        components.add_security_scheme(
            "oauth2",
            SecurityScheme::OAuth2(OAuth2::with_description(
                [
                    Flow::Password(Password::new(TOKEN_PATH, scopes.clone())),
                    Flow::ClientCredentials(ClientCredentials::new(TOKEN_PATH, scopes)),
                ],
                "A user's password or a service client's secret, exchanged for a bearer token \
(client credentials in HTTP Basic or in the body). The token holds its role's permissions.",
            )),
        );
    }
}

/// The fixed part of the document, before operations are added.
pub fn base() -> Doc {
    ApiDoc::openapi()
}

/// The whole document, built from the same route configuration the service runs, with the
/// reference codes of `catalogue`.
pub fn document_for(catalogue: &Catalogue) -> Doc {
    let (_app, mut doc) = actix_web::App::new()
        .into_utoipa_app()
        .openapi(base())
        .configure(super::system::configure)
        .configure(super::configure)
        .split_for_parts();
    add_error_responses(&mut doc);
    add_xlsx_media_type(&mut doc);
    state_if_match_form(&mut doc);
    state_what_derives_cannot(&mut doc);
    super::schemas::describe(&mut doc, catalogue);
    doc
}

/// Rules the server enforces that utoipa's derives have no attribute for (5.5 has no
/// `unique_items`, and its `min_properties` writes `maxProperties`), stated here instead:
/// an evaluation's subject names exactly one of its two keys, and the portfolio's two
/// `group_by` dimensions differ.
fn state_what_derives_cannot(doc: &mut Doc) {
    use utoipa::openapi::schema::Schema;
    if let Some(RefOr::T(Schema::Object(subject))) = doc
        .components
        .as_mut()
        .and_then(|c| c.schemas.get_mut("SubjectFields"))
    {
        subject.min_properties = Some(1);
        subject.max_properties = Some(1);
    }
    let portfolio = doc
        .paths
        .paths
        .get_mut("/api/v1/reports/portfolio")
        .and_then(|item| item.get.as_mut());
    for param in portfolio
        .into_iter()
        .flat_map(|op| op.parameters.iter_mut().flatten())
    {
        if param.name == "group_by"
            && let Some(RefOr::T(Schema::Array(list))) = param.schema.as_mut()
        {
            list.unique_items = true;
        }
    }
}

/// What an `If-Match` header may hold (RFC 9110 §13.1.1): `*`, or a list of entity tags. An
/// empty or malformed value is then outside the document, as the server treats it.
pub const IF_MATCH_PATTERN: &str = r#"^[ \t]*(\*|(W/)?"[^"]*"([ \t]*,[ \t]*(W/)?"[^"]*")*)[ \t]*$"#;

/// Gives every `If-Match` header parameter its form, so no handler has to repeat it.
fn state_if_match_form(doc: &mut Doc) {
    use utoipa::openapi::schema::{ObjectBuilder, Type};
    for item in doc.paths.paths.values_mut() {
        for op in [
            &mut item.put,
            &mut item.patch,
            &mut item.delete,
            &mut item.post,
        ]
        .into_iter()
        .flatten()
        {
            for param in op.parameters.iter_mut().flatten() {
                if param.name.eq_ignore_ascii_case("If-Match") {
                    param.schema = Some(
                        ObjectBuilder::new()
                            .schema_type(Type::String)
                            .pattern(Some(IF_MATCH_PATTERN))
                            .into(),
                    );
                }
            }
        }
    }
}

/// The document of the shipped reference data (what `devfund openapi` prints and
/// `openapi/openapi.json` holds).
pub fn document() -> anyhow::Result<Doc> {
    Ok(document_for(&Catalogue::shipped()?))
}

/// Adds what every operation shares, so that no handler has to list it: the `oauth2`
/// alternative to its `bearer` requirement (same single scope), and the error responses —
/// 401 and 403 when it is protected, 400 for bad parameters, 404 when its path names a
/// record, 413/415/422 when it takes a body (the token endpoint documents its own), and
/// 500/503 everywhere.
fn add_error_responses(doc: &mut Doc) {
    for (path, item) in doc.paths.paths.iter_mut() {
        let has_key = path.contains('{');
        let oauth_shaped = path == TOKEN_PATH;
        let ops: [(&mut Option<Operation>, bool); 5] = [
            (&mut item.get, false),
            (&mut item.post, true),
            (&mut item.put, true),
            (&mut item.patch, true),
            (&mut item.delete, false),
        ];
        for (op, takes_body) in ops {
            let Some(op) = op.as_mut() else { continue };
            add_oauth2_alternative(op);
            // `security(())` is one empty requirement: public.
            let protected = op
                .security
                .iter()
                .flatten()
                .any(|r| *r != SecurityRequirement::default());
            let negotiable = negotiates(op);
            let mut add = |status: &str, description: &str| {
                if !op.responses.responses.contains_key(status) {
                    op.responses
                        .responses
                        .insert(status.to_owned(), problem_response(description).into());
                }
            };
            add(
                "400",
                "A query or path parameter is invalid (`bad_request`), or the body is not JSON (`malformed_body`)",
            );
            if protected {
                add(
                    "401",
                    "No token, or a token that is invalid or expired (`unauthorized`)",
                );
                add(
                    "403",
                    "The caller's role lacks the permission this operation needs (`forbidden`)",
                );
            }
            if has_key {
                add("404", "No such record (`not_found`)");
            }
            if takes_body && op.request_body.is_some() {
                add("413", "The body is too large (`payload_too_large`)");
                add(
                    "415",
                    "The body is not `application/json` (`unsupported_media_type`)",
                );
                if !oauth_shaped {
                    add(
                        "422",
                        "A field is invalid (`validation_failed`), listed in `errors`",
                    );
                }
            }
            if negotiable {
                add(
                    "406",
                    "`Accept` allows none of `application/json`, `text/csv` and the XLSX media type (`not_acceptable`)",
                );
            }
            add(
                "408",
                "The request or its body did not arrive in time (`request_timeout`); the connection is closed",
            );
            add(
                "431",
                "A header, or all of them together, is too large (`request_header_fields_too_large`)",
            );
            add(
                "500",
                "Unexpected error (`internal`); the detail never reveals internals",
            );
            add(
                "503",
                "The database is unavailable (`unavailable`); see `Retry-After`",
            );
            add_headers(op);
        }
    }
}

/// Every operation that exports CSV exports XLSX too (the same funnel, `super::csv`): its
/// 200 response lists the XLSX media type, a binary body, next to `text/csv`.
fn add_xlsx_media_type(doc: &mut Doc) {
    use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, SchemaFormat};
    for item in doc.paths.paths.values_mut() {
        for op in [&mut item.get, &mut item.post].into_iter().flatten() {
            let Some(RefOr::T(ok)) = op.responses.responses.get_mut("200") else {
                continue;
            };
            if !ok.content.contains_key("text/csv") {
                continue;
            }
            let binary = ObjectBuilder::new()
                .schema_type(Type::String)
                .format(Some(SchemaFormat::KnownFormat(KnownFormat::Binary)));
            ok.content.insert(
                super::csv::xlsx::MEDIA_TYPE.to_owned(),
                ContentBuilder::new().schema(Some(binary)).build(),
            );
        }
    }
}

/// Whether an operation answers CSV as well as JSON (a list or a report).
fn negotiates(op: &Operation) -> bool {
    op.responses.responses.get("200").is_some_and(|r| match r {
        RefOr::T(r) => r.content.contains_key("text/csv"),
        RefOr::Ref(_) => false,
    })
}

fn header(description: &str, schema: Type) -> Header {
    let mut h = Header::new(Object::with_type(schema));
    h.description = Some(description.to_owned());
    h
}

/// The headers responses carry: `X-Request-Id` on every one, `Retry-After` on 429 and 503,
/// `Link` (RFC 8288 first, prev, next, last) and `Vary` on list pages.
fn add_headers(op: &mut Operation) {
    for (status, response) in op.responses.responses.iter_mut() {
        let RefOr::T(response) = response else {
            continue;
        };
        response.headers.insert(
            REQUEST_ID.to_owned(),
            header(
                "The request's id (the caller's `X-Request-Id` when it sent a sane one); every log line of the request carries it",
                Type::String,
            ),
        );
        if status == "429" || status == "503" {
            response.headers.insert(
                "Retry-After".to_owned(),
                header("Seconds to wait before trying again", Type::Integer),
            );
        }
        let is_page = response
            .content
            .get("application/json")
            .and_then(|c| c.schema.as_ref())
            .is_some_and(|s| matches!(s, RefOr::Ref(r) if r.ref_location.contains("/Page_")));
        if status == "200" && is_page {
            response.headers.insert(
                "Link".to_owned(),
                header(
                    "RFC 8288 links to the `first`, `prev`, `next` and `last` pages (left out when the query string is very long)",
                    Type::String,
                ),
            );
        }
        if status == "200" && response.content.contains_key("text/csv") {
            response.headers.insert(
                "Vary".to_owned(),
                header("`Accept`: the representation depends on it", Type::String),
            );
        }
    }
}

/// To a `bearer` requirement with one permission as its scope, adds the alternative `oauth2`
/// requirement with the same scope: either token satisfies the operation.
fn add_oauth2_alternative(op: &mut Operation) {
    let Some(requirements) = op.security.as_mut() else {
        return;
    };
    let scope = Permission::ALL
        .into_iter()
        .find(|p| requirements.contains(&SecurityRequirement::new("bearer", [p.as_str()])));
    if let Some(p) = scope {
        let oauth2 = SecurityRequirement::new("oauth2", [p.as_str()]);
        if !requirements.contains(&oauth2) {
            requirements.push(oauth2);
        }
    }
}

fn problem_response(description: &str) -> utoipa::openapi::Response {
    ResponseBuilder::new()
        .description(description)
        .content(
            "application/problem+json",
            ContentBuilder::new()
                .schema(Some(Ref::from_schema_name("Problem")))
                .build(),
        )
        .build()
}

#[cfg(test)]
mod tests;
