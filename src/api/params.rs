//! Query parameters: one extractor for every query string, and the typed values filters
//! parse into, so that what the OpenAPI document says of a parameter is what the server
//! enforces.
//!
//! - [`Query`] reads the query string once: a NUL byte anywhere is refused (PostgreSQL cannot
//!   store one), a repeated parameter (`status=a&status=b`, as some generated clients send
//!   arrays) means the same as a comma-separated one (`status=a,b`), and a value that does
//!   not parse is a 400 naming its parameter.
//! - [`List`] is a comma-separated filter (OR within it), each value parsed by `FromStr`.
//! - [`Text`] is bounded free text; [`Timestamp`] an RFC 3339 instant; [`Sort`] sort keys.

use std::fmt::Display;
use std::future::{Ready, ready};
use std::marker::PhantomData;
use std::str::FromStr;

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest};
use serde::Deserialize;
use serde::de::{DeserializeOwned, Deserializer, Error as _};

use crate::error::ApiError;

/// Most values one list filter takes.
pub const MAX_LIST_VALUES: usize = 100;

/// Longest free-text filter (`q`), in characters.
pub const MAX_TEXT_CHARS: usize = 200;

/// Query parameters deserialized into `T`; every failure is a 400 naming the parameter.
pub struct Query<T>(pub T);

impl<T> std::ops::Deref for Query<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T> Query<T> {
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T: DeserializeOwned> FromRequest for Query<T> {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(parse(req.query_string()).map(Query))
    }
}

/// Parses a query string into `T` (see the module documentation).
pub fn parse<T: DeserializeOwned>(query: &str) -> Result<T, ApiError> {
    let mut pairs: Vec<(String, String)> = Vec::new();
    for (key, value) in form_urlencoded::parse(query.as_bytes()) {
        if key.contains('\0') || value.contains('\0') {
            return Err(ApiError::bad_parameter_as(
                &key.replace('\0', ""),
                "nul_character",
                "must not contain a NUL character (U+0000)",
            ));
        }
        match pairs.iter_mut().find(|(k, _)| *k == key) {
            Some((_, joined)) => {
                joined.push(',');
                joined.push_str(&value);
            }
            None => pairs.push((key.into_owned(), value.into_owned())),
        }
    }
    let encoded = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(&pairs)
        .finish();
    let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(encoded.as_bytes()));
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let message = e.inner().to_string();
        let field = if path == "." {
            // serde names a missing parameter in the message, between backticks.
            message.split('`').nth(1).unwrap_or("query").to_owned()
        } else {
            path
        };
        ApiError::bad_parameter(&field, message)
    })
}

/// A comma-separated filter: OR within it. An empty value is the empty list (form style, as
/// the document's array parameters read): no filter.
#[derive(Debug, Clone, PartialEq)]
pub struct List<T>(pub Vec<T>);

impl<T> Default for List<T> {
    fn default() -> Self {
        List(Vec::new())
    }
}

impl<'de, T> Deserialize<'de> for List<T>
where
    T: FromStr,
    T::Err: Display,
{
    fn deserialize<D: Deserializer<'de>>(de: D) -> Result<Self, D::Error> {
        let text = String::deserialize(de)?;
        if crate::domain::wire::is_blank(&text) {
            return Ok(List(Vec::new()));
        }
        // Spaces, tabs and line breaks around a value are dropped (the blank of the
        // document's patterns); any other character is part of it.
        let parts: Vec<&str> = text.split(',').map(crate::domain::wire::trim).collect();
        if parts.len() > MAX_LIST_VALUES {
            return Err(D::Error::custom(format!(
                "at most {MAX_LIST_VALUES} comma-separated values"
            )));
        }
        parts
            .into_iter()
            .map(|part| {
                if part.is_empty() {
                    return Err(D::Error::custom("an empty value between commas"));
                }
                part.parse()
                    .map_err(|e| D::Error::custom(format!("{part:?}: {e}")))
            })
            .collect::<Result<Vec<T>, _>>()
            .map(List)
    }
}

/// The values of an optional list filter (none when absent).
pub fn values<T: Clone>(list: &Option<List<T>>) -> Vec<T> {
    list.as_ref().map(|l| l.0.clone()).unwrap_or_default()
}

/// The values of an optional list filter as their text (for columns stored as text).
pub fn texts<T: ToString>(list: &Option<List<T>>) -> Vec<String> {
    list.iter()
        .flat_map(|l| l.0.iter().map(T::to_string))
        .collect()
}

/// Free text, trimmed, at most [`MAX_TEXT_CHARS`] characters; blank means absent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Text(pub String);

impl<'de> Deserialize<'de> for Text {
    fn deserialize<D: Deserializer<'de>>(de: D) -> Result<Self, D::Error> {
        let text = String::deserialize(de)?;
        if text.chars().count() > MAX_TEXT_CHARS {
            return Err(D::Error::custom(format!(
                "at most {MAX_TEXT_CHARS} characters"
            )));
        }
        Ok(Text(text.trim().to_owned()))
    }
}

/// The text of an optional free-text filter, `None` when absent or blank.
pub fn text(t: &Option<Text>) -> Option<String> {
    t.as_ref().map(|t| t.0.clone()).filter(|s| !s.is_empty())
}

/// An RFC 3339 instant, kept as stored time (naive UTC).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timestamp(pub chrono::NaiveDateTime);

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(de: D) -> Result<Self, D::Error> {
        let text = String::deserialize(de)?;
        chrono::DateTime::parse_from_rfc3339(text.trim())
            .map(|t| Timestamp(t.naive_utc()))
            .map_err(|_| {
                D::Error::custom("must be an RFC 3339 timestamp, e.g. 2024-01-31T00:00:00Z")
            })
    }
}

/// The instant of an optional timestamp parameter.
pub fn instant(t: Option<Timestamp>) -> Option<chrono::NaiveDateTime> {
    t.map(|t| t.0)
}

/// The sort keys of one list: their names as the `sort` parameter spells them.
pub trait SortKeys: Copy + PartialEq + 'static {
    const KEYS: &'static [(&'static str, Self)];
}

/// `sort=-budget,code`: keys of `K`, `-` for descending, the first key sorting first.
#[derive(Debug, Clone, PartialEq)]
pub struct Sort<K>(pub Vec<(K, bool)>, PhantomData<K>);

impl<K> Default for Sort<K> {
    fn default() -> Self {
        Sort(Vec::new(), PhantomData)
    }
}

impl<'de, K: SortKeys> Deserialize<'de> for Sort<K> {
    fn deserialize<D: Deserializer<'de>>(de: D) -> Result<Self, D::Error> {
        let text = String::deserialize(de)?;
        let names = || {
            K::KEYS
                .iter()
                .map(|(n, _)| *n)
                .collect::<Vec<_>>()
                .join(", ")
        };
        if text.trim().is_empty() {
            // The documented pattern needs a key: an empty `sort` is refused, not ignored.
            return Err(D::Error::custom(format!("name a sort key: {}", names())));
        }
        let mut keys: Vec<(K, bool)> = Vec::new();
        for part in text.split(',').map(str::trim) {
            let (desc, name) = match part.strip_prefix('-') {
                Some(n) => (true, n),
                None => (false, part),
            };
            let key = K::KEYS
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, k)| *k)
                .ok_or_else(|| {
                    D::Error::custom(format!("{part:?} is not sortable; use {}", names()))
                })?;
            // A repeated key changes nothing (rows are already in order by its first mention).
            if !keys.iter().any(|(k, _)| *k == key) {
                keys.push((key, desc));
            }
        }
        Ok(Sort(keys, PhantomData))
    }
}

/// The keys of an optional sort parameter.
pub fn sort<K: SortKeys>(s: &Option<Sort<K>>) -> Vec<(K, bool)> {
    s.as_ref().map(|s| s.0.clone()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::FundingLine;
    use crate::error::ErrorCode;

    #[derive(Debug, Deserialize)]
    #[expect(
        dead_code,
        reason = "fields are parsed to prove their errors, not read"
    )]
    struct Sample {
        line: Option<List<FundingLine>>,
        year: Option<List<i32>>,
        q: Option<Text>,
        page: Option<u32>,
    }

    fn field_of(query: &str) -> String {
        match parse::<Sample>(query) {
            Err(ApiError::Client { code, errors, .. }) => {
                assert_eq!(code, ErrorCode::BadRequest);
                errors[0].field.clone()
            }
            other => panic!("{query}: {other:?}"),
        }
    }

    #[test]
    fn lists_are_comma_separated_or_repeated() {
        let s: Sample = parse("line=line_1,line_2&year=2019&year=2020").unwrap();
        assert_eq!(
            s.line.unwrap().0,
            vec![FundingLine::Line1, FundingLine::Line2]
        );
        assert_eq!(s.year.unwrap().0, vec![2019, 2020]);
        let s: Sample = parse("line=").unwrap();
        assert!(s.line.unwrap().0.is_empty());
    }

    #[test]
    fn bad_values_name_their_parameter() {
        assert_eq!(field_of("line=line_3"), "line");
        assert_eq!(field_of("line=line_1,,line_2"), "line");
        assert_eq!(field_of("year=2019,abc"), "year");
        assert_eq!(field_of("q=a%00b"), "q");
        assert_eq!(field_of(&format!("q={}", "x".repeat(201))), "q");
        assert_eq!(field_of("page=1&page=2"), "page");
    }
}
