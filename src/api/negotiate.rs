//! Content negotiation for lists and reports: JSON, CSV or XLSX, by `format=` or by `Accept`
//! (RFC 9110 §12.5.1, q-values honoured). Responses that negotiate say so with
//! `Vary: Accept`.

use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse};

use crate::error::{ApiError, ErrorCode};

crate::domain::funding::closed_enum!(
    /// The representation of a list or report; it overrides `Accept`.
    Format {
        Json => "json",
        Csv => "csv",
        Xlsx => "xlsx",
    }
);

impl Format {
    fn media_type(self) -> (&'static str, &'static str) {
        match self {
            Format::Json => ("application", "json"),
            Format::Csv => ("text", "csv"),
            Format::Xlsx => (
                "application",
                "vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            ),
        }
    }
}

/// The quality the `Accept` header gives `format`: the q of the most specific range that
/// matches it (`text/csv` before `text/*` before `*/*`); 0 when none does.
fn quality(accept: &str, format: Format) -> f32 {
    let (kind, sub) = format.media_type();
    let mut best: Option<(u8, f32)> = None;
    for range in accept.split(',') {
        let mut parts = range.split(';');
        let media = parts.next().unwrap_or("").trim().to_ascii_lowercase();
        let Some((k, s)) = media.split_once('/') else {
            continue;
        };
        let specificity = match (k, s) {
            _ if k == kind && s == sub => 3,
            _ if k == kind && s == "*" => 2,
            ("*", "*") => 1,
            _ => continue,
        };
        let q = parts
            .filter_map(|p| p.trim().strip_prefix("q="))
            .find_map(|v| v.trim().parse::<f32>().ok())
            .unwrap_or(1.0)
            .clamp(0.0, 1.0);
        if best.is_none_or(|(spec, _)| specificity > spec) {
            best = Some((specificity, q));
        }
    }
    best.map_or(0.0, |(_, q)| q)
}

/// Chooses JSON, CSV or XLSX: `format=` when given, else the `Accept` header's best (on a
/// tie JSON, then CSV; JSON without the header). 406 `not_acceptable` when `Accept` allows
/// none of them.
pub fn choose(req: &HttpRequest, format: Option<Format>) -> Result<Format, ApiError> {
    if let Some(f) = format {
        return Ok(f);
    }
    let Some(accept) = req
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .filter(|v| !v.trim().is_empty())
    else {
        return Ok(Format::Json);
    };
    let mut best = (Format::Json, 0.0);
    for f in [Format::Json, Format::Csv, Format::Xlsx] {
        let q = quality(accept, f);
        if q > best.1 {
            best = (f, q);
        }
    }
    if best.1 <= 0.0 {
        return Err(ApiError::new(
            ErrorCode::NotAcceptable,
            "this resource is available as application/json, text/csv or \
             application/vnd.openxmlformats-officedocument.spreadsheetml.sheet (xlsx) \
             (or ?format=json|csv|xlsx)",
        ));
    }
    Ok(best.0)
}

/// Marks a negotiated response: caches must key it by `Accept`.
pub fn vary(mut res: HttpResponse) -> HttpResponse {
    res.headers_mut()
        .append(header::VARY, HeaderValue::from_static("Accept"));
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pick(accept: &str) -> Option<Format> {
        let req = actix_web::test::TestRequest::default()
            .insert_header((header::ACCEPT, accept))
            .to_http_request();
        choose(&req, None).ok()
    }

    #[test]
    fn q_values_decide() {
        assert_eq!(pick("text/csv;q=0.5, application/json"), Some(Format::Json));
        assert_eq!(pick("text/csv, application/json;q=0.9"), Some(Format::Csv));
        assert_eq!(pick("text/*"), Some(Format::Csv));
        assert_eq!(pick("*/*"), Some(Format::Json));
        assert_eq!(pick("text/csv;q=0, */*;q=0.1"), Some(Format::Json));
        assert_eq!(pick("application/xml"), None);
        assert_eq!(pick("application/json;q=0"), None);
        let xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
        assert_eq!(pick(xlsx), Some(Format::Xlsx));
        assert_eq!(pick(&format!("text/csv;q=0.9, {xlsx}")), Some(Format::Xlsx));
        assert_eq!(pick(&format!("text/csv, {xlsx}")), Some(Format::Csv));
        assert_eq!(pick("application/*"), Some(Format::Json));
    }
}
