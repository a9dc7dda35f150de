//! The columns of a table import: for each kind, exactly the columns its CSV export writes,
//! each read back into the field of the kind's request body it came from (a list the export
//! joins with `;` or writes as JSON text comes back as the list; the columns of a nested
//! object, `subject_*` or management's response, come back as the object). Read-only
//! columns (labels, totals, times) are accepted and ignored.

mod tables;

use serde_json::{Map, Value, json};

use self::tables::columns;
use super::Kind;
use crate::error::FieldError;

/// How a column's cell becomes (part of) the request body.
#[derive(Clone, Copy)]
enum Cell {
    /// Text; empty leaves the field out (a required field is then named as missing).
    Text,
    /// Text that may be empty: empty is `null`.
    Opt,
    /// `true` / `false`.
    Bool,
    /// An integer; empty leaves the field out.
    Int,
    /// An integer that may be empty: empty is `null`.
    OptInt,
    /// `;`-separated texts.
    List,
    /// `;`-separated integers.
    IntList,
    /// A USD amount, written as `{"amount", "currency": "USD"}`.
    Usd,
    /// `;`-separated ISO3 codes: the member states (an equal split).
    States,
    /// `;`-separated `outcome.deliverable` pairs: the MSD mapping.
    Msd,
    /// An amount whose currency is the next column (`currency`); both empty: `null`.
    Amount,
    /// Read by [`Cell::Amount`].
    Currency,
    /// A list of objects the export writes as JSON text (evaluators, criteria); empty: `[]`.
    JsonList,
    /// The field `field` of the nested object `of` (an integer when `int`): an empty cell
    /// leaves the field out, and the object is `null` when all its cells are empty.
    Part {
        of: &'static str,
        field: &'static str,
        int: bool,
    },
    /// Read-only: ignored.
    Ignore,
}

use Cell::*;

/// The names of every column of `kind` (the CSV export's header).
pub fn names(kind: Kind) -> Vec<&'static str> {
    columns(kind).iter().map(|(n, _)| *n).collect()
}

/// Checks a header against the columns of `kind`: every column known, each once, and every
/// column that carries a written field present. Answers each column's position.
pub fn check_header(kind: Kind, header: &[String]) -> Result<Vec<Option<usize>>, Vec<FieldError>> {
    let spec = columns(kind);
    let mut errors = Vec::new();
    for (i, h) in header.iter().enumerate() {
        if !spec.iter().any(|(n, _)| n == h) {
            errors.push(FieldError::new(
                h.clone(),
                "unknown_column",
                format!(
                    "{h:?} is not a column of a {} import; the columns are {}",
                    kind.as_str(),
                    names(kind).join(",")
                ),
            ));
        } else if header[..i].contains(h) {
            errors.push(FieldError::new(
                h.clone(),
                "duplicate_column",
                format!("the column {h} appears twice"),
            ));
        }
    }
    let positions: Vec<Option<usize>> = spec
        .iter()
        .map(|(n, _)| header.iter().position(|h| h == n))
        .collect();
    for ((name, cell), at) in spec.iter().zip(&positions) {
        if at.is_none() && !matches!(cell, Ignore) {
            errors.push(FieldError::new(
                *name,
                "missing_column",
                format!("the {} import needs a {name} column", kind.as_str()),
            ));
        }
    }
    if errors.is_empty() {
        Ok(positions)
    } else {
        Err(errors)
    }
}

/// A cell as written: the quote the CSV export puts before formula-like text is removed;
/// live formula-like text is refused.
fn unguard<'a>(column: &str, cell: &'a str) -> Result<&'a str, Box<FieldError>> {
    if let Some(rest) = cell.strip_prefix('\'')
        && crate::api::csv::formula_like(rest)
    {
        return Ok(rest);
    }
    if crate::api::csv::formula_like(cell) {
        return Err(Box::new(FieldError::new(
            column,
            "formula",
            "a cell starting with =, +, -, @ (other than a negative number) is a formula; \
             formulas are not imported (prefix the text with ' to keep it as text)",
        )));
    }
    Ok(cell)
}

fn split(cell: &str) -> impl Iterator<Item = &str> {
    cell.split(';').map(str::trim).filter(|s| !s.is_empty())
}

fn int_or_text(s: &str) -> Value {
    s.trim()
        .parse::<i64>()
        .map_or_else(|_| Value::String(s.to_owned()), Value::from)
}

/// One data row as the request body of `kind`.
pub fn to_item(
    kind: Kind,
    positions: &[Option<usize>],
    cells: &[String],
) -> Result<Value, Vec<FieldError>> {
    let spec = columns(kind);
    let mut out = Map::new();
    // The nested objects, in order of their first column: their fields, and whether any
    // cell of theirs held a value.
    let mut parts: Vec<(&str, Map<String, Value>, bool)> = Vec::new();
    let mut errors = Vec::new();
    let mut texts: Vec<&str> = Vec::with_capacity(spec.len());
    for ((name, _), at) in spec.iter().zip(positions) {
        let raw = at.and_then(|i| cells.get(i)).map_or("", String::as_str);
        match unguard(name, raw) {
            Ok(t) => texts.push(t),
            Err(e) => {
                errors.push(*e);
                texts.push("");
            }
        }
    }
    for (i, ((name, cell), text)) in spec.iter().zip(&texts).enumerate() {
        let name = (*name).to_owned();
        let text = *text;
        match cell {
            Ignore | Currency => {}
            _ if positions[i].is_none() => {}
            Text | Int | Bool if text.is_empty() => {}
            Text => {
                out.insert(name, Value::String(text.to_owned()));
            }
            Opt if text.is_empty() => {
                out.insert(name, Value::Null);
            }
            Opt => {
                out.insert(name, Value::String(text.to_owned()));
            }
            Bool => {
                let v = match text.trim().to_ascii_lowercase().as_str() {
                    "true" => Value::Bool(true),
                    "false" => Value::Bool(false),
                    _ => Value::String(text.to_owned()),
                };
                out.insert(name, v);
            }
            OptInt if text.is_empty() => {
                out.insert(name, Value::Null);
            }
            Int | OptInt => {
                out.insert(name, int_or_text(text));
            }
            List => {
                out.insert(name, split(text).map(Value::from).collect());
            }
            IntList => {
                out.insert(name, split(text).map(int_or_text).collect());
            }
            Usd => {
                out.insert(
                    "budget".to_owned(),
                    json!({"amount": text.trim(), "currency": "USD"}),
                );
            }
            States => {
                let states: Vec<Value> = split(text).map(|s| json!({ "iso3": s })).collect();
                out.insert(name, Value::Array(states));
            }
            Msd => {
                out.insert(name, msd(text));
            }
            Amount => {
                let currency = texts.get(i + 1).copied().unwrap_or_default();
                let v = if text.is_empty() && currency.is_empty() {
                    Value::Null
                } else {
                    json!({"amount": text.trim(), "currency": currency.trim()})
                };
                out.insert(name, v);
            }
            JsonList if text.trim().is_empty() => {
                out.insert(name, Value::Array(Vec::new()));
            }
            JsonList => {
                // Text that is not JSON goes in as text: the request type names the field.
                let v = serde_json::from_str(text).unwrap_or_else(|_| Value::from(text));
                out.insert(name, v);
            }
            Part { of, field, int } => {
                let at = match parts.iter().position(|(o, _, _)| o == of) {
                    Some(at) => at,
                    None => {
                        parts.push((of, Map::new(), false));
                        parts.len() - 1
                    }
                };
                let part = &mut parts[at];
                if !text.is_empty() {
                    let v = if *int {
                        int_or_text(text)
                    } else {
                        Value::from(text)
                    };
                    part.1.insert((*field).to_owned(), v);
                    part.2 = true;
                }
            }
        }
    }
    for (of, fields, any) in parts {
        let v = if any {
            Value::Object(fields)
        } else {
            Value::Null
        };
        out.insert(of.to_owned(), v);
    }
    if errors.is_empty() {
        Ok(Value::Object(out))
    } else {
        Err(errors)
    }
}

/// `3.1;3.2;5.1` as `[{"outcome": 3, "deliverables": [1, 2]}, {"outcome": 5, ...}]`.
fn msd(text: &str) -> Value {
    let mut groups: Vec<(Value, Vec<Value>)> = Vec::new();
    for pair in split(text) {
        let (o, d) = pair.split_once('.').unwrap_or((pair, ""));
        let (o, d) = (int_or_text(o), int_or_text(d));
        match groups.iter_mut().find(|(k, _)| *k == o) {
            Some((_, ds)) => ds.push(d),
            None => groups.push((o, vec![d])),
        }
    }
    groups
        .into_iter()
        .map(|(o, ds)| json!({"outcome": o, "deliverables": ds}))
        .collect()
}
