//! The IATI 2.03 export: the filtered projects as `iati-activities`, written a page at a
//! time so that a whole portfolio never sits in memory. Each page reads its projects, their
//! children and their follow-up funding in a fixed number of queries.

mod activity;
pub mod codes;
pub mod xml;

use std::collections::HashMap;

use crate::db::Conn;
use crate::domain::follow_up::FollowUpStatus;
use crate::error::ApiError;
use crate::models::follow_up::FollowUp;
use crate::models::project::{Project, ProjectFilter, ProjectKey};
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

/// The activities of the projects `filter` selects, in its order, a page at a time by
/// keyset (see [`ProjectFilter::after`]): the export reads them all inside one snapshot.
pub struct Pages {
    filter: ProjectFilter,
    page_rows: i64,
    last: Option<ProjectKey>,
}

impl Pages {
    pub fn new(filter: ProjectFilter, page_rows: i64) -> Self {
        Pages {
            filter,
            page_rows: page_rows.max(1),
            last: None,
        }
    }

    /// Appends the next page's activities to `out` (each page's projects, children and
    /// follow-up funding in a fixed number of queries); answers whether another may follow.
    pub fn next(
        &mut self,
        conn: &mut Conn,
        org_ref: &str,
        catalogue: &Catalogue,
        out: &mut String,
    ) -> Result<bool, ApiError> {
        use diesel::prelude::*;
        let rows: Vec<Project> = self
            .filter
            .after(self.last.as_ref(), self.page_rows)
            .select(Project::as_select())
            .load(conn)?;
        let full = rows.len() as i64 == self.page_rows;
        self.last = rows.last().map(ProjectKey::of);
        let views = crate::services::projects::with_children(conn, rows)?;
        let ids: Vec<i64> = views.iter().map(|v| v.id).collect();
        let mut funding: HashMap<i64, Vec<FollowUp>> = HashMap::new();
        let statuses = vec![FollowUpStatus::Approved, FollowUpStatus::Received];
        for f in FollowUp::of_projects(conn, &ids, statuses)? {
            funding.entry(f.project_id).or_default().push(f);
        }
        let cx = activity::Context { org_ref, catalogue };
        let mut x = xml::Xml::on(std::mem::take(out));
        for view in &views {
            let follow_ups = funding.get(&view.id).map_or(&[][..], Vec::as_slice);
            activity::write(&mut x, &cx, view, follow_ups);
            x.newline();
        }
        *out = x.into_string();
        Ok(full)
    }
}
