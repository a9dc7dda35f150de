//! The checks of a publication as a client wrote it: a draft (text as sent, the kind already
//! typed) becomes typed input, every problem listed at once. What needs the records (member
//! states, projects, the edition updated) is checked by the use case.

use crate::domain::publication::{Isbn, IsbnError, Language, MAX_YEAR, MIN_YEAR, PublicationKind};
use crate::error::ApiError;
use crate::services::evaluations::input::{Errors, MAX_TEXT, MAX_TITLE};

/// Most values each list of a publication holds.
pub const MAX_ITEMS: usize = 200;

/// A publication as sent.
#[derive(Debug, Clone)]
pub struct PublicationDraft {
    pub kind: PublicationKind,
    pub title: String,
    pub year: i32,
    pub languages: Vec<String>,
    pub member_states: Vec<String>,
    pub project_codes: Vec<String>,
    pub url: Option<String>,
    pub isbn: Option<String>,
    pub copies_distributed: Option<i32>,
    pub updates_id: Option<i64>,
    pub note: Option<String>,
}

/// A checked publication: languages sorted, each once; member states and project codes as
/// sent (the use case checks them against the records, naming each by its index).
#[derive(Debug, Clone)]
pub struct PublicationInput {
    pub kind: PublicationKind,
    pub title: String,
    pub year: i32,
    pub languages: Vec<Language>,
    pub member_states: Vec<String>,
    pub project_codes: Vec<String>,
    pub url: Option<String>,
    pub isbn: Option<Isbn>,
    pub copies_distributed: Option<i32>,
    pub updates_id: Option<i64>,
    pub note: Option<String>,
}

fn bounded(e: &mut Errors, field: &str, n: usize) {
    if n > MAX_ITEMS {
        e.push(field, "too_many", format!("at most {MAX_ITEMS} values"));
    }
}

impl PublicationDraft {
    pub fn check(self) -> Result<PublicationInput, ApiError> {
        let mut e = Errors::default();
        let title = e.required("title", &self.title, MAX_TITLE);
        if !(MIN_YEAR..=MAX_YEAR).contains(&self.year) {
            e.push(
                "year",
                "out_of_range",
                format!("must be between {MIN_YEAR} and {MAX_YEAR}"),
            );
        }
        bounded(&mut e, "languages", self.languages.len());
        let mut languages = Vec::with_capacity(self.languages.len());
        for (i, code) in self.languages.iter().enumerate() {
            match Language::parse(code) {
                Some(l) => languages.push(l),
                None => e.push(
                    format!("languages[{i}]"),
                    "unknown_language",
                    format!("{code:?} is not an ISO 639-1 language code (e.g. en, fr, es)"),
                ),
            }
        }
        languages.sort_unstable();
        languages.dedup();
        bounded(&mut e, "member_states", self.member_states.len());
        bounded(&mut e, "project_codes", self.project_codes.len());
        // At most 2000 characters, http(s), no spaces.
        let url = e.url("url", self.url);
        let isbn = self.isbn.and_then(|text| match Isbn::parse(&text) {
            Ok(isbn) => Some(isbn),
            Err(IsbnError::Format) => {
                e.push(
                    "isbn",
                    "invalid_isbn",
                    "must be an ISBN-13 (978 or 979, then ten digits) or an ISBN-10 (nine digits, then a digit or X), single hyphens allowed between digits",
                );
                None
            }
            Err(IsbnError::Checksum) => {
                e.push(
                    "isbn",
                    "invalid_isbn_checksum",
                    format!("{text} has a wrong check digit"),
                );
                None
            }
        });
        if self.copies_distributed.is_some_and(|n| n < 0) {
            e.push("copies_distributed", "out_of_range", "must be 0 or more");
        }
        let note = e.optional("note", self.note, MAX_TEXT);
        e.finish(PublicationInput {
            kind: self.kind,
            title,
            year: self.year,
            languages,
            member_states: self.member_states,
            project_codes: self.project_codes,
            url,
            isbn,
            copies_distributed: self.copies_distributed,
            updates_id: self.updates_id,
            note,
        })
    }
}
