//! The cells of an export, each with the kind a spreadsheet should give it.
//!
//! CSV only writes a cell's text; XLSX writes it as a typed cell. The kind is decided where
//! the value is still known for what it is (see [`flatten`]): a JSON number is a number, a
//! JSON boolean a boolean, a money amount a number (its currency stays a text column of its
//! own), a string of a decimal field (`DECIMAL_FIELDS`) a number, a full date `YYYY-MM-DD`
//! a date. Everything else, codes and partial dates included, stays text.

use serde_json::Value;

/// How a spreadsheet should read a cell's text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Text,
    /// A number when the text is a plain decimal, else text.
    Number,
    /// A boolean when the text is `true` or `false`, else text.
    Bool,
    /// A date when the text is a full date `YYYY-MM-DD`, else text (`2021`, `2021-06`).
    Date,
}

/// One cell of an export: its text (what CSV writes) and its kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cell {
    pub text: String,
    pub kind: Kind,
}

impl Cell {
    pub fn text(text: impl Into<String>) -> Cell {
        Cell {
            text: text.into(),
            kind: Kind::Text,
        }
    }

    pub fn number(text: impl Into<String>) -> Cell {
        Cell {
            text: text.into(),
            kind: Kind::Number,
        }
    }

    pub fn bool(value: bool) -> Cell {
        Cell {
            text: value.to_string(),
            kind: Kind::Bool,
        }
    }

    pub fn date(text: impl Into<String>) -> Cell {
        Cell {
            text: text.into(),
            kind: Kind::Date,
        }
    }

    /// An empty cell.
    pub fn empty() -> Cell {
        Cell::text("")
    }
}

/// Fields whose JSON strings are decimals (shares, rates, ratios, indicator values): their
/// cells are numbers. Other strings that look like numbers (SDG targets `1.10`, codes) are
/// not, so the rule goes by field, never by the look of a value alone.
const DECIMAL_FIELDS: &[&str] = &[
    "leverage",
    "share",
    "staff_office_share",
    "staff_office_max_share",
    "usd_rate",
    "usd_per_unit",
    "value",
    "baseline_value",
    "target_value",
    "latest_value",
    "achievement",
    "median_years_from_funding",
];

/// Whether `s` is a full calendar date `YYYY-MM-DD`.
pub fn full_date(s: &str) -> Option<chrono::NaiveDate> {
    let b = s.as_bytes();
    let shaped = b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
    shaped
        .then(|| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").ok())
        .flatten()
}

fn scalar(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The cell of a plain JSON value of the field `field`.
fn typed(field: &str, v: &Value) -> Cell {
    match v {
        Value::Number(_) => Cell::number(scalar(v)),
        Value::Bool(b) => Cell::bool(*b),
        Value::String(s) if DECIMAL_FIELDS.contains(&field) => Cell::number(s.clone()),
        Value::String(s) if full_date(s).is_some() => Cell::date(s.clone()),
        other => Cell::text(scalar(other)),
    }
}

fn is_money(o: &serde_json::Map<String, Value>) -> bool {
    o.len() == 2 && o.contains_key("amount") && o.contains_key("currency")
}

/// Whether money columns carry their currency in a column of its own (`field_currency`);
/// reports, whose money is all USD, leave it out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Currencies {
    Column,
    Implied,
}

/// The (column, cell) pairs of one JSON item: one column per field, a nested object's
/// fields as `parent_field`, money as `field` (the amount) and `field_currency`, a list of
/// plain values joined by `;`.
pub fn flatten(item: &Value, currencies: Currencies) -> Vec<(String, Cell)> {
    let mut out = Vec::new();
    let Some(fields) = item.as_object() else {
        return out;
    };
    for (key, value) in fields {
        match value {
            Value::Object(o) if is_money(o) => {
                out.push((key.clone(), Cell::number(scalar(&o["amount"]))));
                if currencies == Currencies::Column {
                    out.push((
                        format!("{key}_currency"),
                        Cell::text(scalar(&o["currency"])),
                    ));
                }
            }
            Value::Object(o) => {
                for (sub, v) in o {
                    let cell = match v {
                        Value::Object(m) if is_money(m) => Cell::number(scalar(&m["amount"])),
                        Value::Object(_) | Value::Array(_) => Cell::text(v.to_string()),
                        other => typed(sub, other),
                    };
                    out.push((format!("{key}_{sub}"), cell));
                }
            }
            Value::Array(items) if items.iter().all(|i| !i.is_object() && !i.is_array()) => {
                let joined: Vec<String> = items.iter().map(scalar).collect();
                out.push((key.clone(), Cell::text(joined.join(";"))));
            }
            Value::Array(_) => out.push((key.clone(), Cell::text(value.to_string()))),
            other => out.push((key.clone(), typed(key, other))),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(item: Value) -> Vec<(String, Kind)> {
        flatten(&item, Currencies::Column)
            .into_iter()
            .map(|(k, c)| (k, c.kind))
            .collect()
    }

    #[test]
    fn cells_are_typed_by_value_and_field() {
        let item = serde_json::json!({
            "code": "XA.4990",
            "iso3": "BRA",
            "funding_year": 2021,
            "budget": {"amount": "1500.00", "currency": "EUR"},
            "leverage": "1.2500",
            "exceptional_increase": false,
            "start_date": "2021-06-03",
            "date": "2021-06",
            "sdg_target": "1.10",
            "sdg_targets": ["1.2", "10.a"],
            "eligibility": {"share": "0.25", "decided_on": "2020-01-31", "note": "3"},
        });
        let k = |s: &str| s.to_owned();
        assert_eq!(
            kinds(item),
            vec![
                (k("code"), Kind::Text),
                (k("iso3"), Kind::Text),
                (k("funding_year"), Kind::Number),
                (k("budget"), Kind::Number),
                (k("budget_currency"), Kind::Text),
                (k("leverage"), Kind::Number),
                (k("exceptional_increase"), Kind::Bool),
                (k("start_date"), Kind::Date),
                (k("date"), Kind::Text),
                (k("sdg_target"), Kind::Text),
                (k("sdg_targets"), Kind::Text),
                (k("eligibility_share"), Kind::Number),
                (k("eligibility_decided_on"), Kind::Date),
                (k("eligibility_note"), Kind::Text),
            ]
        );
    }

    #[test]
    fn only_full_dates_are_dates() {
        assert!(full_date("2021-06-03").is_some());
        for not in ["2021", "2021-06", "2021-02-30", "21-06-03x", "2021/06/03"] {
            assert_eq!(full_date(not), None, "{not}");
        }
    }
}
