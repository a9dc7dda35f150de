//! The publication payload: one shape for create, for the merge of a PATCH and (with the id
//! and times) inside every response; converted to the service's draft and back.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::api::csv::Columns;
use crate::api::schemas::{Iso3Code, LanguageCode, ProjectCodeSchema};
use crate::domain::publication::PublicationKind;
use crate::services::publications::PublicationView;
use crate::services::publications::input::PublicationDraft;

/// Every field a client writes. Lists are sets: their order and repeats do not matter, and
/// they come back sorted.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PublicationFields {
    pub kind: PublicationKind,
    #[schema(min_length = 1, max_length = 300, pattern = r"[^ \t\n\r]")]
    pub title: String,
    /// The year it was published.
    #[schema(minimum = 1900, maximum = 2200)]
    pub year: i32,
    /// ISO 639-1 codes of the languages it was published in.
    #[serde(default)]
    #[schema(value_type = Vec<LanguageCode>, max_items = 200)]
    pub languages: Vec<String>,
    /// The registered member states it is about (ISO3).
    #[serde(default)]
    #[schema(value_type = Vec<Iso3Code>, max_items = 200)]
    pub member_states: Vec<String>,
    /// The Fund projects that produced it.
    #[serde(default)]
    #[schema(value_type = Vec<ProjectCodeSchema>, max_items = 200)]
    pub project_codes: Vec<String>,
    /// Where it can be read (an http(s) URL).
    #[serde(default)]
    #[schema(pattern = r"^https?://[^ ]+$", max_length = 2000)]
    pub url: Option<String>,
    /// ISBN-13 (`978` or `979`, then ten digits) or ISBN-10 (nine digits, then a digit or
    /// `X`), single hyphens allowed between digits; the check digit must be right
    /// (`invalid_isbn_checksum` otherwise). Stored and answered without hyphens.
    #[serde(default)]
    #[schema(pattern = r"^(97[89](-?[0-9]){10}|([0-9]-?){9}[0-9X])$")]
    pub isbn: Option<String>,
    /// Printed copies handed out.
    #[serde(default)]
    #[schema(minimum = 0, maximum = 2147483647)]
    pub copies_distributed: Option<i32>,
    /// The earlier edition this one updates (its id): it must exist, and be neither this
    /// publication nor one of its later editions.
    #[serde(default)]
    #[schema(minimum = 1)]
    pub updates_id: Option<i64>,
    #[serde(default)]
    #[schema(max_length = 20000)]
    pub note: Option<String>,
}

/// A publication as every read and write answers it: every key is always present (null when
/// it has no value).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PublicationResponse {
    pub id: i64,
    pub kind: PublicationKind,
    pub title: String,
    pub year: i32,
    #[schema(value_type = Vec<LanguageCode>)]
    pub languages: Vec<String>,
    #[schema(value_type = Vec<Iso3Code>)]
    pub member_states: Vec<String>,
    #[schema(value_type = Vec<ProjectCodeSchema>)]
    pub project_codes: Vec<String>,
    #[schema(required = true)]
    pub url: Option<String>,
    /// Without hyphens.
    #[schema(required = true)]
    pub isbn: Option<String>,
    #[schema(required = true)]
    pub copies_distributed: Option<i32>,
    #[schema(required = true)]
    pub updates_id: Option<i64>,
    #[schema(required = true)]
    pub note: Option<String>,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

impl Columns for PublicationResponse {
    const COLUMNS: &'static [&'static str] = &[
        "id",
        "kind",
        "title",
        "year",
        "languages",
        "member_states",
        "project_codes",
        "url",
        "isbn",
        "copies_distributed",
        "updates_id",
        "note",
        "created_at",
        "updated_at",
    ];
}

impl PublicationFields {
    pub fn into_draft(self) -> PublicationDraft {
        PublicationDraft {
            kind: self.kind,
            title: self.title,
            year: self.year,
            languages: self.languages,
            member_states: self.member_states,
            project_codes: self.project_codes,
            url: self.url,
            isbn: self.isbn,
            copies_distributed: self.copies_distributed,
            updates_id: self.updates_id,
            note: self.note,
        }
    }
}

/// The stored publication in the payload's shape (for merging a PATCH).
pub fn from_stored(p: &PublicationView) -> PublicationFields {
    let v = &p.values;
    PublicationFields {
        kind: v.kind,
        title: v.title.clone(),
        year: v.year,
        languages: p.children.languages.clone(),
        member_states: p.children.member_states.clone(),
        project_codes: p.children.project_codes.clone(),
        url: v.url.clone(),
        isbn: v.isbn.clone(),
        copies_distributed: v.copies_distributed,
        updates_id: v.updates_id,
        note: v.note.clone(),
    }
}

pub fn response(p: &PublicationView) -> PublicationResponse {
    let v = &p.values;
    PublicationResponse {
        id: p.id,
        kind: v.kind,
        title: v.title.clone(),
        year: v.year,
        languages: p.children.languages.clone(),
        member_states: p.children.member_states.clone(),
        project_codes: p.children.project_codes.clone(),
        url: v.url.clone(),
        isbn: v.isbn.clone(),
        copies_distributed: v.copies_distributed,
        updates_id: v.updates_id,
        note: v.note.clone(),
        created_at: crate::api::utc(v.created_at),
        updated_at: crate::api::utc(v.updated_at),
    }
}
