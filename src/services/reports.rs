//! The Fund's reports, computed from bulk reads (a fixed number of queries whatever the
//! portfolio's size) with exact integer money: splits by member-state share hand out every
//! cent, so totals over groups equal the overall total.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde_json::{Map, Value, json};

use crate::db::Conn;
use crate::domain::Money;
use crate::domain::fx::{ratio, split};
use crate::error::ApiError;
use crate::models::follow_up::{FollowUp, Leveraged};
use crate::models::project::ProjectFilter;
use crate::models::reference::Catalogue;
use crate::models::report::{self, ReportFollowUp, ReportProject};

crate::domain::funding::closed_enum!(
    /// A dimension the portfolio report groups by.
    Dim {
        FundingYear => "funding_year",
        FundingLine => "funding_line",
        Region => "region",
        MemberState => "member_state",
        ThematicArea => "thematic_area",
        Status => "status",
        SdgGoal => "sdg_goal",
        SdgTarget => "sdg_target",
        MigofElement => "migof_element",
        GcmObjective => "gcm_objective",
    }
);

impl Dim {
    /// Money is split across the project's member states by their shares.
    fn splits(self) -> bool {
        matches!(self, Dim::Region | Dim::MemberState)
    }

    /// A project may have several values: it is counted in each, with its whole money.
    fn multi(self) -> bool {
        matches!(
            self,
            Dim::SdgGoal | Dim::SdgTarget | Dim::MigofElement | Dim::GcmObjective
        )
    }
}

/// A group key: numbers sort as numbers, text as text, "none" last.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum Key {
    Int(i64),
    Text(String),
    None,
}

impl Key {
    fn json(&self) -> Value {
        match self {
            Key::Int(i) => json!(i),
            Key::Text(t) => json!(t),
            Key::None => Value::Null,
        }
    }
}

/// Everything the reports read, loaded once per request.
pub struct Data {
    pub projects: Vec<ReportProject>,
    shares: HashMap<i64, Vec<(String, Option<i32>, String)>>,
    sdg: HashMap<i64, Vec<(String, i32)>>,
    migof: HashMap<i64, Vec<String>>,
    gcm: HashMap<i64, Vec<i32>>,
    leveraged: HashMap<i64, Leveraged>,
    follow_ups: Vec<ReportFollowUp>,
    state_names: HashMap<String, String>,
}

/// What a report reads besides the projects themselves.
#[derive(Debug, Clone, Copy, Default)]
pub struct Needs {
    pub shares: bool,
    pub sdg: bool,
    pub migof: bool,
    pub gcm: bool,
    pub follow_ups: bool,
}

impl Needs {
    /// What grouping by `dims` reads.
    pub fn for_dims(dims: &[Dim]) -> Needs {
        Needs {
            shares: dims.iter().any(|d| d.splits()),
            sdg: dims
                .iter()
                .any(|d| matches!(d, Dim::SdgGoal | Dim::SdgTarget)),
            migof: dims.contains(&Dim::MigofElement),
            gcm: dims.contains(&Dim::GcmObjective),
            follow_ups: false,
        }
    }
}

/// `load()` when `needed`, else nothing.
fn when<T>(
    needed: bool,
    load: impl FnOnce() -> diesel::QueryResult<Vec<T>>,
) -> diesel::QueryResult<Vec<T>> {
    if needed { load() } else { Ok(Vec::new()) }
}

impl Data {
    /// Reads the filtered projects and, of the rest, only what `needs` names.
    pub fn load(conn: &mut Conn, filter: &ProjectFilter, needs: Needs) -> Result<Data, ApiError> {
        let projects = filter.report_rows(conn)?;
        let ids: HashSet<i64> = projects.iter().map(|p| p.id).collect();
        let mut shares: HashMap<i64, Vec<(String, Option<i32>, String)>> = HashMap::new();
        for (id, iso3, ppm, region) in when(needs.shares, || report::member_shares(conn))? {
            if ids.contains(&id) {
                shares.entry(id).or_default().push((iso3, ppm, region));
            }
        }
        let mut sdg: HashMap<i64, Vec<(String, i32)>> = HashMap::new();
        for (id, code, goal) in when(needs.sdg, || report::sdg(conn))? {
            if ids.contains(&id) {
                sdg.entry(id).or_default().push((code, goal));
            }
        }
        let mut migof: HashMap<i64, Vec<String>> = HashMap::new();
        for (id, code) in when(needs.migof, || report::migof(conn))? {
            if ids.contains(&id) {
                migof.entry(id).or_default().push(code);
            }
        }
        let mut gcm: HashMap<i64, Vec<i32>> = HashMap::new();
        for (id, n) in when(needs.gcm, || report::gcm(conn))? {
            if ids.contains(&id) {
                gcm.entry(id).or_default().push(n);
            }
        }
        let leveraged = FollowUp::leveraged(conn, None)?;
        let follow_ups = when(needs.follow_ups, || report::follow_ups(conn))?
            .into_iter()
            .filter(|f| ids.contains(&f.project_id))
            .collect();
        let state_names = {
            use crate::db::schema::member_states;
            use diesel::prelude::*;
            member_states::table
                .select((member_states::iso3, member_states::name))
                .load::<(String, String)>(conn)?
                .into_iter()
                .collect()
        };
        Ok(Data {
            projects,
            shares,
            sdg,
            migof,
            gcm,
            leveraged,
            follow_ups,
            state_names,
        })
    }

    fn keys(&self, p: &ReportProject, dim: Dim) -> Vec<Key> {
        let list = |v: Vec<Key>| if v.is_empty() { vec![Key::None] } else { v };
        match dim {
            Dim::FundingYear => vec![Key::Int(i64::from(p.funding_year))],
            Dim::FundingLine => vec![Key::Text(p.funding_line.clone())],
            Dim::ThematicArea => vec![p.thematic_area.clone().map_or(Key::None, Key::Text)],
            Dim::Status => vec![Key::Text(p.status.clone())],
            Dim::SdgGoal => {
                let mut goals: Vec<Key> = self
                    .sdg
                    .get(&p.id)
                    .into_iter()
                    .flatten()
                    .map(|(_, g)| Key::Int(i64::from(*g)))
                    .collect();
                goals.sort();
                goals.dedup();
                list(goals)
            }
            Dim::SdgTarget => list(
                self.sdg
                    .get(&p.id)
                    .into_iter()
                    .flatten()
                    .map(|(t, _)| Key::Text(t.clone()))
                    .collect(),
            ),
            Dim::MigofElement => list(
                self.migof
                    .get(&p.id)
                    .into_iter()
                    .flatten()
                    .map(|m| Key::Text(m.clone()))
                    .collect(),
            ),
            Dim::GcmObjective => list(
                self.gcm
                    .get(&p.id)
                    .into_iter()
                    .flatten()
                    .map(|n| Key::Int(i64::from(*n)))
                    .collect(),
            ),
            Dim::Region | Dim::MemberState => vec![Key::None],
        }
    }

    fn leveraged(&self, id: i64) -> Leveraged {
        self.leveraged.get(&id).copied().unwrap_or_default()
    }
}

fn label(dim: Dim, key: &Key, c: &Catalogue, data: &Data) -> Value {
    let text = match (dim, key) {
        (_, Key::None) => None,
        (Dim::FundingLine, Key::Text(t)) => Some(t.replace("line_", "Line ")),
        (Dim::Region, Key::Text(t)) => c.region(t).map(|r| r.name.clone()),
        (Dim::MemberState, Key::Text(t)) => data.state_names.get(t).cloned(),
        (Dim::ThematicArea, Key::Text(t)) => c
            .taxonomies
            .get("thematic-areas")
            .and_then(|x| x.iter().find(|x| &x.code == t))
            .map(|x| x.label.clone()),
        (Dim::Status, Key::Text(t)) => Some(t.replace('_', " ")),
        (Dim::SdgGoal, Key::Int(n)) => c
            .goals
            .iter()
            .find(|g| i64::from(g.number) == *n)
            .map(|g| g.short_title.clone()),
        (Dim::SdgTarget, Key::Text(t)) => c.target(t).map(|x| x.title.clone()),
        (Dim::MigofElement, Key::Text(t)) => c
            .migof
            .iter()
            .find(|m| &m.code == t)
            .map(|m| m.short_text.clone()),
        (Dim::GcmObjective, Key::Int(n)) => c
            .gcm
            .iter()
            .find(|g| i64::from(g.number) == *n)
            .map(|g| g.title.clone()),
        (Dim::FundingYear, Key::Int(n)) => Some(n.to_string()),
        _ => None,
    };
    text.map_or(Value::Null, Value::String)
}

#[derive(Default)]
struct Acc {
    projects: HashSet<i64>,
    seed: i64,
    follow: i64,
    unconverted: i64,
}

fn add(a: i64, b: i64) -> Result<i64, ApiError> {
    a.checked_add(b)
        .ok_or_else(|| ApiError::internal(anyhow::anyhow!("report sum overflows i64")))
}

fn metrics(projects: usize, seed: i64, follow: i64, unconverted: i64) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("projects".into(), json!(projects));
    m.insert("seed_budget".into(), json!(Money::usd_cents(seed).to_dto()));
    m.insert(
        "follow_up_usd".into(),
        json!(Money::usd_cents(follow).to_dto()),
    );
    m.insert("leverage".into(), json!(ratio(follow, seed)));
    m.insert("unconverted_follow_up".into(), json!(unconverted));
    m
}

/// Split weights from stored shares: an equal split (no shares) weighs every state the same.
fn weights(shares: impl Iterator<Item = Option<i32>>) -> Vec<i64> {
    shares.map(|s| s.map_or(1, i64::from)).collect()
}

/// Every combination of one key per dimension.
fn product(lists: &[Vec<Key>]) -> Vec<Vec<Key>> {
    lists.iter().fold(vec![Vec::new()], |acc, keys| {
        acc.iter()
            .flat_map(|prefix| {
                keys.iter()
                    .map(move |k| [prefix.clone(), vec![k.clone()]].concat())
            })
            .collect()
    })
}

/// `reports/portfolio`: count, seed budget, follow-up USD, leverage and unconverted amounts,
/// grouped by one or two dimensions.
pub fn portfolio(data: &Data, dims: &[Dim], c: &Catalogue) -> Result<Value, ApiError> {
    let mut groups: BTreeMap<Vec<Key>, Acc> = BTreeMap::new();
    let (mut seed_total, mut follow_total, mut unconverted_total) = (0i64, 0i64, 0i64);
    for p in &data.projects {
        let lev = data.leveraged(p.id);
        seed_total = add(seed_total, p.budget_usd_cents)?;
        follow_total = add(follow_total, lev.usd_cents)?;
        unconverted_total = add(unconverted_total, lev.unconverted)?;
        // (keys per dimension, seed, follow-up) for each part of the project's money.
        let mut parts: Vec<(Vec<Vec<Key>>, i64, i64)> = Vec::new();
        if dims.iter().any(|d| d.splits()) {
            let states = data.shares.get(&p.id).cloned().unwrap_or_default();
            let weights = weights(states.iter().map(|s| s.1));
            let (seeds, follows) = (
                split(p.budget_usd_cents, &weights),
                split(lev.usd_cents, &weights),
            );
            for (i, (iso3, _, region)) in states.iter().enumerate() {
                let keys = dims
                    .iter()
                    .map(|d| match d {
                        Dim::Region => vec![Key::Text(region.clone())],
                        Dim::MemberState => vec![Key::Text(iso3.clone())],
                        other => data.keys(p, *other),
                    })
                    .collect();
                parts.push((keys, seeds[i], follows[i]));
            }
        } else {
            parts.push((
                dims.iter().map(|d| data.keys(p, *d)).collect(),
                p.budget_usd_cents,
                lev.usd_cents,
            ));
        }
        for (keys, seed, follow) in parts {
            for combo in product(&keys) {
                let acc = groups.entry(combo).or_default();
                acc.seed = add(acc.seed, seed)?;
                acc.follow = add(acc.follow, follow)?;
                if acc.projects.insert(p.id) {
                    acc.unconverted = add(acc.unconverted, lev.unconverted)?;
                }
            }
        }
    }
    let rows: Vec<Value> = groups
        .iter()
        .map(|(keys, acc)| {
            let mut row = Map::new();
            for (d, k) in dims.iter().zip(keys) {
                row.insert(d.as_str().to_owned(), k.json());
                row.insert(format!("{}_label", d.as_str()), label(*d, k, c, data));
            }
            row.extend(metrics(
                acc.projects.len(),
                acc.seed,
                acc.follow,
                acc.unconverted,
            ));
            Value::Object(row)
        })
        .collect();
    let mut notes = vec![
        "Follow-up USD counts approved and received funding converted at the rate of its month; amounts with no rate are counted in unconverted_follow_up, never guessed.".to_owned(),
    ];
    if dims.iter().any(|d| d.splits()) {
        notes.push("Money is split across each project's member states by their budget shares, so the groups add up to the totals; a project with several states is counted in each of their groups.".to_owned());
    }
    if let Some(d) = dims.iter().find(|d| d.multi()) {
        notes.push(format!(
            "A project mapped to several {} values is counted, with its whole budget, in each: groups overlap and do not add up to the totals.",
            d.as_str()
        ));
    }
    Ok(json!({
        "group_by": dims.iter().map(|d| d.as_str()).collect::<Vec<_>>(),
        "rows": rows,
        "totals": metrics(data.projects.len(), seed_total, follow_total, unconverted_total),
        "notes": notes,
    }))
}

/// `reports/leverage`: projects ranked by follow-up USD (or leverage), and the follow-up
/// money by source type and by status.
pub fn leverage(data: &Data, by_leverage: bool, limit: usize) -> Result<Value, ApiError> {
    let mut ranked: Vec<(&ReportProject, Leveraged)> = data
        .projects
        .iter()
        .map(|p| (p, data.leveraged(p.id)))
        .collect();
    ranked.sort_by(|(a, la), (b, lb)| {
        let primary = if by_leverage {
            // Compare follow-up ÷ budget exactly, by cross-multiplying; a zero budget has no
            // leverage and ranks last, so the order stays total.
            match (a.budget_usd_cents > 0, b.budget_usd_cents > 0) {
                (true, true) => (i128::from(lb.usd_cents) * i128::from(a.budget_usd_cents))
                    .cmp(&(i128::from(la.usd_cents) * i128::from(b.budget_usd_cents))),
                (true, false) => std::cmp::Ordering::Less,
                (false, true) => std::cmp::Ordering::Greater,
                (false, false) => std::cmp::Ordering::Equal,
            }
        } else {
            lb.usd_cents.cmp(&la.usd_cents)
        };
        primary.then_with(|| a.code.cmp(&b.code))
    });
    let projects: Vec<Value> = ranked
        .iter()
        .take(limit)
        .map(|(p, l)| {
            json!({
                "code": p.code, "title": p.title,
                "seed_budget": Money::usd_cents(p.budget_usd_cents).to_dto(),
                "follow_up_usd": Money::usd_cents(l.usd_cents).to_dto(),
                "leverage": ratio(l.usd_cents, p.budget_usd_cents),
                "unconverted_follow_up": l.unconverted,
            })
        })
        .collect();
    let mut by_source: BTreeMap<&str, (i64, i64, i64)> = BTreeMap::new();
    let mut by_status: BTreeMap<&str, (i64, i64, i64)> = BTreeMap::new();
    let mut records = 0i64;
    for f in &data.follow_ups {
        records += 1;
        let counts = crate::domain::follow_up::FollowUpStatus::parse(&f.status)
            .is_some_and(|s| s.counts_as_leverage());
        let missing = i64::from(f.usd_conversion == "missing_rate");
        let s = by_source.entry(&f.source_type).or_default();
        s.0 += 1;
        if counts {
            s.1 = add(s.1, f.amount_usd_cents.unwrap_or_default())?;
            s.2 += missing;
        }
        let t = by_status.entry(&f.status).or_default();
        t.0 += 1;
        t.1 = add(t.1, f.amount_usd_cents.unwrap_or_default())?;
        t.2 += missing;
    }
    let seed: i64 = data
        .projects
        .iter()
        .map(|p| p.budget_usd_cents)
        .try_fold(0i64, add)?;
    let follow: i64 = ranked
        .iter()
        .map(|(_, l)| l.usd_cents)
        .try_fold(0i64, add)?;
    let unconverted: i64 = ranked.iter().map(|(_, l)| l.unconverted).sum();
    Ok(json!({
        "sort": if by_leverage { "leverage" } else { "follow_up_usd" },
        "projects": projects,
        "by_source_type": by_source.iter().map(|(k, (n, usd, miss))| json!({
            "source_type": k, "records": n, "follow_up_usd": Money::usd_cents(*usd).to_dto(), "unconverted_follow_up": miss,
        })).collect::<Vec<_>>(),
        "by_status": by_status.iter().map(|(k, (n, usd, miss))| json!({
            "status": k, "records": n, "follow_up_usd": Money::usd_cents(*usd).to_dto(), "unconverted_follow_up": miss,
        })).collect::<Vec<_>>(),
        "totals": {
            "projects": data.projects.len(), "records": records,
            "seed_budget": Money::usd_cents(seed).to_dto(), "follow_up_usd": Money::usd_cents(follow).to_dto(),
            "leverage": ratio(follow, seed), "unconverted_follow_up": unconverted,
        },
        "notes": ["by_source_type and totals count approved and received funding; by_status sums every converted amount of each status."],
    }))
}

/// `reports/coverage`: every element of a framework with the projects mapped to it.
pub fn coverage(data: &Data, framework: &str, c: &Catalogue) -> Value {
    let elements: Vec<(Key, String)> = match framework {
        "sdg" => c
            .targets
            .iter()
            .map(|t| (Key::Text(t.code.clone()), t.title.clone()))
            .collect(),
        "migof" => c
            .migof
            .iter()
            .map(|m| (Key::Text(m.code.clone()), m.short_text.clone()))
            .collect(),
        _ => c
            .gcm
            .iter()
            .map(|g| (Key::Int(i64::from(g.number)), g.title.clone()))
            .collect(),
    };
    let dim = match framework {
        "sdg" => Dim::SdgTarget,
        "migof" => Dim::MigofElement,
        _ => Dim::GcmObjective,
    };
    let mut acc: HashMap<Key, (i64, i64)> = HashMap::new();
    for p in &data.projects {
        for k in data.keys(p, dim) {
            let e = acc.entry(k).or_default();
            e.0 += 1;
            e.1 = e.1.saturating_add(p.budget_usd_cents);
        }
    }
    json!({
        "framework": framework,
        "elements": elements.iter().map(|(k, l)| {
            let (n, budget) = acc.get(k).copied().unwrap_or_default();
            json!({"code": k.json(), "label": l, "projects": n, "seed_budget": Money::usd_cents(budget).to_dto()})
        }).collect::<Vec<_>>(),
        "notes": ["A project mapped to several elements counts, with its whole budget, in each."],
    })
}

/// `reports/allocation`: the year's envelope against approved budgets, per line and region.
pub fn allocation(conn: &mut Conn, year: i32, c: &Catalogue) -> Result<Value, ApiError> {
    use crate::domain::project::Status;
    let holding: Vec<&str> = Status::ALL
        .iter()
        .filter(|s| s.holds_funds())
        .map(|s| s.as_str())
        .collect();
    let rows = report::holding_funds(conn, year, &holding)?;
    let shares = report::member_shares(conn)?;
    let mut by_project: HashMap<i64, Vec<(Option<i32>, String)>> = HashMap::new();
    for (id, _, ppm, region) in shares {
        by_project.entry(id).or_default().push((ppm, region));
    }
    let mut lines = Vec::new();
    for line in crate::domain::FundingLine::ALL {
        let approved = rows
            .iter()
            .filter(|r| r.1 == line.as_str())
            .map(|r| r.2)
            .try_fold(0i64, add)?;
        let envelope = crate::models::allocation::Allocation::find(conn, year, line.as_str())?
            .map(|a| a.envelope_usd_cents);
        lines.push(json!({
            "funding_line": line.as_str(),
            "envelope": envelope.map(|e| Money::usd_cents(e).to_dto()),
            "approved": Money::usd_cents(approved).to_dto(),
            "remaining": envelope.map(|e| Money::usd_cents(e - approved).to_dto()),
        }));
    }
    let mut regions: BTreeMap<String, i64> = BTreeMap::new();
    let mut total = 0i64;
    for (id, _, budget) in &rows {
        total = add(total, *budget)?;
        let states = by_project.get(id).cloned().unwrap_or_default();
        let parts = split(*budget, &weights(states.iter().map(|s| s.0)));
        for ((_, region), part) in states.iter().zip(parts) {
            let r = regions.entry(region.clone()).or_default();
            *r = add(*r, part)?;
        }
    }
    Ok(json!({
        "year": year,
        "lines": lines,
        "regions": regions.iter().map(|(r, approved)| json!({
            "region": r,
            "region_label": c.region(r).map(|x| x.name.clone()),
            "approved": Money::usd_cents(*approved).to_dto(),
            "share": if total == 0 { None } else {
                Some(crate::domain::Share::from_ppm(i64::try_from(crate::domain::fx::div_half_even(i128::from(*approved) * 1_000_000, i128::from(total))).unwrap_or(0)).to_string())
            },
        })).collect::<Vec<_>>(),
    }))
}
