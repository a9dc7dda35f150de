//! CSV exports: cells quoted as RFC 4180 has it, and whole lists streamed batch by batch.

use std::future::Future;

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use futures_util::StreamExt;

use crate::error::ApiError;

/// Rows per batch of a streamed export.
pub const BATCH: i64 = 1000;

/// Whether the client asked for CSV (`Accept: text/csv` or `format=csv`).
pub fn wanted(req: &HttpRequest, format: Option<&str>) -> bool {
    format == Some("csv")
        || req
            .headers()
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.split(',').any(|t| t.trim().starts_with("text/csv")))
}

/// Appends one row. Text a spreadsheet would run as a formula is prefixed with a quote.
pub fn push_row<S: AsRef<str>>(out: &mut String, cells: &[S]) {
    for (i, cell) in cells.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        let value = cell.as_ref();
        let guarded = if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
            format!("'{value}")
        } else {
            value.to_owned()
        };
        if guarded.contains([',', '"', '\n', '\r']) {
            out.push('"');
            out.push_str(&guarded.replace('"', "\"\""));
            out.push('"');
        } else {
            out.push_str(&guarded);
        }
    }
    out.push_str("\r\n");
}

/// Streams a whole list: `fetch(offset)` renders one batch of up to [`BATCH`] records and
/// says how many it held. The first batch is read before answering, so a failure there is
/// still a proper problem response; a later failure ends the stream early (and is logged).
pub async fn stream<F, Fut>(
    filename: &str,
    header_row: &str,
    fetch: F,
) -> Result<HttpResponse, ApiError>
where
    F: Fn(i64) -> Fut + Clone + 'static,
    Fut: Future<Output = Result<(String, usize), ApiError>> + 'static,
{
    let (first, n) = fetch(0).await?;
    let head = format!("{header_row}\r\n{first}");
    let more = (n as i64 == BATCH).then_some(BATCH);
    let rest = futures_util::stream::unfold(more, move |offset| {
        let fetch = fetch.clone();
        async move {
            let offset = offset?;
            match fetch(offset).await {
                Ok((_, 0)) => None,
                Ok((text, n)) => {
                    let next = (n as i64 == BATCH).then_some(offset + BATCH);
                    Some((Ok::<_, actix_web::Error>(web::Bytes::from(text)), next))
                }
                Err(e) => {
                    tracing::error!(error = %e, "CSV export stopped");
                    Some((
                        Err(actix_web::error::ErrorInternalServerError("export failed")),
                        None,
                    ))
                }
            }
        }
    });
    let body =
        futures_util::stream::once(
            async move { Ok::<_, actix_web::Error>(web::Bytes::from(head)) },
        )
        .chain(rest);
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{filename}.csv\""),
        ))
        .streaming(body))
}
