//! Whole lists exported from one snapshot: a [`Source`] reads them page by page and writes
//! each row, cell by cell, to a [`Table`] — CSV text sent as it is made (see
//! [`crate::api::stream`]), or an XLSX worksheet finished into a temporary file.
//!
//! Writing cells straight into the output, instead of building rows of owned strings first,
//! is what lets the project export run at hundreds of thousands of rows a second: a cell is
//! formatted into a buffer the table keeps (see [`Table::display`]) and copied once.

use std::fmt::{self, Write as _};

use actix_web::HttpResponse;
use actix_web::web::Bytes;

use super::Kind;
use super::xlsx;
use crate::api::negotiate::Format;
use crate::api::stream::{self, Stop};
use crate::db::{self, Conn, Pool};
use crate::error::ApiError;

/// Rows per page of an export: the rows read, rendered and sent together.
pub const PAGE_ROWS: i64 = 1000;

/// Where an export's rows go, cell by cell.
pub trait Table {
    /// Appends a cell to the current row.
    fn cell(&mut self, kind: Kind, text: &str);

    /// Ends the current row.
    fn end_row(&mut self);

    /// A buffer to format one cell in, kept from cell to cell so that formatting allocates
    /// nothing once it has grown.
    fn scratch(&mut self) -> &mut String;

    /// Appends a cell holding `value` as text.
    fn display(&mut self, kind: Kind, value: impl fmt::Display) {
        let mut buf = std::mem::take(self.scratch());
        buf.clear();
        let _ = write!(buf, "{value}");
        self.cell(kind, &buf);
        *self.scratch() = buf;
    }

    /// Appends a cell holding `items` joined by `;`.
    fn joined<I>(&mut self, kind: Kind, items: I)
    where
        I: IntoIterator,
        I::Item: fmt::Display,
    {
        let mut buf = std::mem::take(self.scratch());
        buf.clear();
        for (i, item) in items.into_iter().enumerate() {
            if i > 0 {
                buf.push(';');
            }
            let _ = write!(buf, "{item}");
        }
        self.cell(kind, &buf);
        *self.scratch() = buf;
    }

    fn text(&mut self, text: &str) {
        self.cell(Kind::Text, text);
    }
}

/// A whole list, read page after page inside one snapshot.
pub trait Source: Send + 'static {
    /// The header row.
    fn columns(&self) -> &'static [&'static str];

    /// Reads the page after the last one read (the first, the first time), writes its rows
    /// to `out`, and says whether another page may follow.
    fn next_page<T: Table>(&mut self, conn: &mut Conn, out: &mut T) -> Result<bool, ApiError>;
}

/// CSV text being written: RFC 4180 quoting, CRLF line ends, formula-like text behind a
/// quote (see [`super::formula_like`]).
#[derive(Debug, Default)]
pub struct Csv {
    out: Vec<u8>,
    row_started: bool,
    scratch: String,
}

impl Csv {
    /// The text written since the last call; the next chunk starts as large.
    pub fn take(&mut self) -> Vec<u8> {
        let capacity = self.out.len();
        std::mem::replace(&mut self.out, Vec::with_capacity(capacity))
    }

    /// Writes a header row.
    pub fn header<S: AsRef<str>>(&mut self, columns: &[S]) {
        for c in columns {
            self.cell(Kind::Text, c.as_ref());
        }
        self.end_row();
    }
}

impl Table for Csv {
    fn cell(&mut self, _: Kind, value: &str) {
        if self.row_started {
            self.out.push(b',');
        }
        self.row_started = true;
        let guard = super::formula_like(value);
        let quote = value
            .bytes()
            .any(|b| matches!(b, b',' | b'"' | b'\n' | b'\r'));
        if quote {
            self.out.push(b'"');
        }
        if guard {
            self.out.push(b'\'');
        }
        if quote {
            for (i, part) in value.split('"').enumerate() {
                if i > 0 {
                    self.out.extend_from_slice(b"\"\"");
                }
                self.out.extend_from_slice(part.as_bytes());
            }
            self.out.push(b'"');
        } else {
            self.out.extend_from_slice(value.as_bytes());
        }
    }

    fn end_row(&mut self) {
        self.out.extend_from_slice(b"\r\n");
        self.row_started = false;
    }

    fn scratch(&mut self) -> &mut String {
        &mut self.scratch
    }
}

/// Exports `source` whole as CSV or XLSX. CSV is streamed page by page (see
/// [`crate::api::stream::body`]: a failure in the first page is still a problem response, a
/// later one ends the body early). XLSX reads every page into a constant-memory worksheet,
/// in the same way on one connection in one snapshot, finishes it into a temporary file and
/// sends that, so any failure is a problem response.
pub async fn export<S: Source>(
    format: Format,
    filename: &str,
    pool: &Pool,
    mut source: S,
) -> Result<HttpResponse, ApiError> {
    if format == Format::Xlsx {
        let (file, len) = db::run(pool, move |conn| {
            db::snapshot::read(conn, |conn| {
                let mut sheet = xlsx::Sheet::new(source.columns())?;
                while source.next_page(conn, &mut sheet)? {
                    sheet.check()?;
                }
                sheet.check()?;
                sheet.finish_to_file()
            })
        })
        .await?;
        let body = actix_web::body::SizedStream::new(len, xlsx::file_chunks(file));
        return Ok(super::head(format, filename).body(body));
    }
    let body = csv_body(pool, source).await?;
    Ok(super::head(format, filename).streaming(body))
}

/// The CSV of `source` as a streamed body: its header and first page in the first chunk,
/// then a chunk per page.
pub async fn csv_body<S: Source>(pool: &Pool, mut source: S) -> Result<stream::Body, ApiError> {
    stream::body(pool, "CSV export", move |conn, sink| {
        let mut csv = Csv::default();
        csv.header(source.columns());
        let mut first = true;
        loop {
            let more = source.next_page(conn, &mut csv)?;
            // The first chunk goes even when empty: the body begins with it.
            if first || !csv.out.is_empty() {
                sink.send(Bytes::from(csv.take()))?;
            }
            first = false;
            if !more {
                return Ok::<_, Stop>(());
            }
        }
    })
    .await
}
