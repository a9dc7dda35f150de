//! The IATI 2.03 export: the filtered projects as `iati-activities`, written a batch at a
//! time so that a whole portfolio never sits in memory. Each batch reads its projects, their
//! children and their follow-up funding in a fixed number of queries.

mod activity;
pub mod codes;
pub mod xml;

use std::collections::HashMap;

use crate::db::Conn;
use crate::domain::follow_up::FollowUpStatus;
use crate::error::ApiError;
use crate::models::follow_up::FollowUp;
use crate::models::project::ProjectFilter;
use crate::models::reference::Catalogue;

pub use activity::{ORG_NAME, ORG_TYPE};

/// The IATI standard version the export follows.
pub const VERSION: &str = "2.03";

/// The document's start, up to its first activity.
pub fn head(generated: chrono::DateTime<chrono::Utc>) -> String {
    let mut x = xml::Xml::new();
    x.open(
        "iati-activities",
        &[
            ("version", VERSION),
            (
                "generated-datetime",
                &generated.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            ),
        ],
    );
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n{}\n",
        x.into_string()
    )
}

/// The document's end.
pub const TAIL: &str = "</iati-activities>\n";

/// Renders up to `limit` projects of `filter` from `offset` as activities; answers the text
/// and how many projects it held.
pub fn batch(
    conn: &mut Conn,
    filter: &ProjectFilter,
    offset: i64,
    limit: i64,
    org_ref: &str,
    catalogue: &Catalogue,
) -> Result<(String, usize), ApiError> {
    let rows = filter.page(conn, offset, limit)?;
    let views = crate::services::projects::with_children(conn, rows)?;
    let ids: Vec<i64> = views.iter().map(|v| v.id).collect();
    let mut funding: HashMap<i64, Vec<FollowUp>> = HashMap::new();
    let statuses = vec![FollowUpStatus::Approved, FollowUpStatus::Received];
    for f in FollowUp::of_projects(conn, &ids, statuses)? {
        funding.entry(f.project_id).or_default().push(f);
    }
    let cx = activity::Context { org_ref, catalogue };
    let mut x = xml::Xml::new();
    for view in &views {
        let follow_ups = funding.get(&view.id).map_or(&[][..], Vec::as_slice);
        activity::write(&mut x, &cx, view, follow_ups);
        x.newline();
    }
    Ok((x.into_string(), views.len()))
}
