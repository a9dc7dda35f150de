//! One project as an IATI 2.03 `iati-activity`, its elements in the schema's sequence order.

use super::codes::{self, iso};
use super::xml::Xml;
use crate::domain::Scope;
use crate::models::follow_up::FollowUp;
use crate::models::reference::Catalogue;
use crate::services::projects::{ProjectView, equal_shares};

/// The reporting organisation's name (IOM runs the Fund).
pub const ORG_NAME: &str = "International Organization for Migration";
/// IATI OrganisationType 40: multilateral.
pub const ORG_TYPE: &str = "40";
/// Where the Fund's own thematic-area codes (sector vocabulary 98) are listed.
pub const THEMATIC_AREAS_URI: &str = "https://developmentfund.iom.int/thematic-areas";

/// What every activity of one export shares.
pub struct Context<'a> {
    pub org_ref: &'a str,
    pub catalogue: &'a Catalogue,
}

impl Context<'_> {
    fn identifier(&self, code: &str) -> String {
        format!("{}-{code}", self.org_ref)
    }
}

/// Appends `view` as an `iati-activity`; `follow_ups` are its approved and received
/// follow-up funding (reported as incoming transactions).
pub fn write(x: &mut Xml, cx: &Context<'_>, view: &ProjectView, follow_ups: &[FollowUp]) {
    let p = &view.values.content;
    let ch = &view.children;
    let updated = view
        .values
        .updated_at
        .and_utc()
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    x.open(
        "iati-activity",
        &[
            ("last-updated-datetime", &updated),
            ("xml:lang", "en"),
            ("default-currency", "USD"),
            ("hierarchy", "1"),
        ],
    );
    x.text("iati-identifier", &[], &cx.identifier(&p.code));
    x.narrated(
        "reporting-org",
        &[("ref", cx.org_ref), ("type", ORG_TYPE)],
        ORG_NAME,
    );
    x.narrated("title", &[], &p.title);
    let summary = p.summary.as_deref().filter(|s| !s.trim().is_empty());
    x.narrated("description", &[("type", "1")], summary.unwrap_or(&p.title));
    // The Fund is IOM's own money, and IOM implements every project.
    for role in ["1", "4"] {
        x.narrated(
            "participating-org",
            &[("ref", cx.org_ref), ("type", ORG_TYPE), ("role", role)],
            ORG_NAME,
        );
    }
    x.empty(
        "activity-status",
        &[("code", codes::activity_status(p.status))],
    );
    // Dates: the recorded ones; without a start date, the funding year's first day is the
    // planned start and the planned end follows from the duration.
    let planned_start = p
        .start_date
        .unwrap_or_else(|| codes::first_day(p.funding_year));
    let months = p
        .duration_months
        .and_then(|m| u32::try_from(m).ok())
        .unwrap_or(12);
    let planned_end = p
        .end_date
        .unwrap_or_else(|| codes::period_end(planned_start, months));
    x.empty(
        "activity-date",
        &[("type", "1"), ("iso-date", &iso(planned_start))],
    );
    if let Some(start) = p.start_date.filter(|_| codes::started(p.status)) {
        x.empty("activity-date", &[("type", "2"), ("iso-date", &iso(start))]);
    }
    x.empty(
        "activity-date",
        &[("type", "3"), ("iso-date", &iso(planned_end))],
    );
    if let Some(end) = p.actual_end_date {
        x.empty("activity-date", &[("type", "4"), ("iso-date", &iso(end))]);
    }
    x.empty(
        "activity-scope",
        &[(
            "code",
            codes::activity_scope(p.scope, ch.member_states.len()),
        )],
    );
    recipients(x, view);
    if let Some(area) = &p.thematic_area {
        let label = cx
            .catalogue
            .taxonomies
            .get("thematic-areas")
            .and_then(|t| t.iter().find(|t| &t.code == area))
            .map_or(area.as_str(), |t| t.label.as_str());
        x.narrated(
            "sector",
            &[
                ("vocabulary", "98"),
                ("vocabulary-uri", THEMATIC_AREAS_URI),
                ("code", area),
                ("percentage", "100"),
            ],
            label,
        );
    }
    tags(x, cx, view);
    x.empty("default-flow-type", &[("code", "10")]);
    x.empty("default-finance-type", &[("code", "110")]);
    budget(x, view, planned_start, planned_end);
    for f in follow_ups {
        transaction(x, f);
    }
    for link in &ch.links {
        // A project outside the portfolio has no identifier to point at.
        if let Some(target) = &link.target_code {
            x.empty(
                "related-activity",
                &[
                    ("ref", &cx.identifier(target)),
                    ("type", codes::related_activity_type(link.link_type)),
                ],
            );
        }
    }
    x.close("iati-activity");
}

/// Global projects: the DAC region 998 (developing countries, unspecified). Others: each
/// benefitting state with its share of the budget as a percentage (an equal split when the
/// shares are not recorded), summing to exactly 100.
fn recipients(x: &mut Xml, view: &ProjectView) {
    let states = &view.children.member_states;
    if view.values.content.scope == Scope::Global || states.is_empty() {
        x.narrated(
            "recipient-region",
            &[("code", "998"), ("vocabulary", "1"), ("percentage", "100")],
            "Developing countries, unspecified",
        );
        return;
    }
    let ppm: Vec<i64> = if states.iter().all(|s| s.share_ppm.is_some()) {
        states
            .iter()
            .map(|s| i64::from(s.share_ppm.unwrap_or(0)))
            .collect()
    } else {
        equal_shares(states.len())
    };
    for (state, pct) in states.iter().zip(codes::percentages(&ppm)) {
        let code = crate::domain::country::iso2(&state.iso3).unwrap_or(&state.iso3);
        x.narrated(
            "recipient-country",
            &[("code", code), ("percentage", &pct)],
            &state.name,
        );
    }
}

/// SDG targets (vocabulary 3) and the goals they belong to (vocabulary 2).
fn tags(x: &mut Xml, cx: &Context<'_>, view: &ProjectView) {
    let targets = &view.children.mappings.sdg_targets;
    let mut goals: Vec<i32> = targets
        .iter()
        .filter_map(|t| cx.catalogue.target(t).map(|t| t.goal))
        .collect();
    goals.sort_unstable();
    goals.dedup();
    for goal in goals {
        let title = cx
            .catalogue
            .goals
            .iter()
            .find(|g| g.number == goal)
            .map(|g| g.title.as_str());
        let code = goal.to_string();
        let attrs = [("vocabulary", "2"), ("code", code.as_str())];
        match title {
            Some(t) => x.narrated("tag", &attrs, t),
            None => x.empty("tag", &attrs),
        }
    }
    for target in targets {
        let attrs = [("vocabulary", "3"), ("code", target.as_str())];
        match cx.catalogue.target(target) {
            Some(t) => x.narrated("tag", &attrs, &t.title),
            None => x.empty("tag", &attrs),
        }
    }
}

/// The approved amount over the project's period, valued on its first day.
fn budget(x: &mut Xml, view: &ProjectView, start: chrono::NaiveDate, end: chrono::NaiveDate) {
    let p = &view.values.content;
    let end = end.max(start);
    x.open(
        "budget",
        &[("type", "1"), ("status", codes::budget_status(p.status))],
    );
    x.empty("period-start", &[("iso-date", &iso(start))]);
    x.empty("period-end", &[("iso-date", &iso(end))]);
    x.text(
        "value",
        &[("currency", "USD"), ("value-date", &iso(start))],
        &codes::amount(p.budget_usd_cents),
    );
    x.close("budget");
}

/// Approved follow-up funding as an incoming commitment (11), received as incoming funds
/// (1), in USD on the date the funding was recorded for; in-kind contributions are left out.
fn transaction(x: &mut Xml, f: &FollowUp) {
    let c = &f.v.content;
    // Goods and services given in kind are not money that reached the activity.
    if c.in_kind {
        return;
    }
    let (Some(kind), Some(date), Some(cents)) = (
        codes::transaction_type(c.status),
        c.date_start,
        f.v.amount_usd_cents,
    ) else {
        return;
    };
    x.open("transaction", &[]);
    x.empty("transaction-type", &[("code", kind)]);
    x.empty("transaction-date", &[("iso-date", &iso(date))]);
    x.text(
        "value",
        &[("currency", "USD"), ("value-date", &iso(date))],
        &codes::amount(cents),
    );
    if let Some(title) = c.title.as_deref().filter(|t| !t.trim().is_empty()) {
        x.narrated("description", &[], title);
    }
    let org_type = codes::organisation_type(c.source_type);
    let attrs: Vec<(&str, &str)> = org_type.map(|t| ("type", t)).into_iter().collect();
    match c.source_name.as_deref().filter(|s| !s.trim().is_empty()) {
        Some(name) => x.narrated("provider-org", &attrs, name),
        None => x.empty("provider-org", &attrs),
    }
    x.close("transaction");
}
