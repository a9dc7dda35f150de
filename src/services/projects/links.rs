//! Typed links between projects: the other side is a project of the portfolio (by code) or
//! one outside it (by title alone).

use super::RECORD;
use super::guard::load_for_write;
use crate::db::{Conn, write_tx};
use crate::domain::project::LinkType;
use crate::error::{ApiError, FieldError};
use crate::models::now;
use crate::models::project::{Link, NewLink, Project};
use crate::services::{Actor, audit};

/// A link as a client writes it.
#[derive(Debug, Clone)]
pub struct LinkDraft {
    pub link_type: LinkType,
    pub target_code: Option<String>,
    pub target_title: Option<String>,
    pub note: Option<String>,
}

/// Adds a link to project `code`.
pub fn add_link(
    conn: &mut Conn,
    actor: &Actor,
    code: &str,
    draft: LinkDraft,
) -> Result<Link, ApiError> {
    let title = draft
        .target_title
        .map(|t| t.trim().to_owned())
        .filter(|t| !t.is_empty());
    if draft.target_code.is_some() == title.is_some() {
        return Err(ApiError::validation(vec![FieldError::new(
            "target_code",
            "one_target",
            "give target_code for a project of the portfolio, or target_title alone for one outside it",
        )]));
    }
    write_tx(conn, |conn| {
        let project = load_for_write(conn, actor, code, None)?;
        if let Some(target) = &draft.target_code {
            if target == code {
                return Err(ApiError::validation(vec![FieldError::new(
                    "target_code",
                    "self_link",
                    "a project cannot link to itself",
                )]));
            }
            if Project::find(conn, target)?.is_none() {
                return Err(ApiError::validation(vec![FieldError::new(
                    "target_code",
                    "unknown_project",
                    format!(
                        "{target} is not in the portfolio; name a project outside it by target_title alone"
                    ),
                )]));
            }
        }
        let link = NewLink {
            project_id: project.id(),
            link_type: draft.link_type,
            target_code: draft.target_code.clone(),
            target_title: title.clone(),
            note: draft.note.clone(),
            created_at: now(),
        };
        let row = link.insert(conn)?;
        project.touch(conn, link.created_at)?;
        audit::record(conn, actor, "add_link", RECORD, code, None, Some(&row))?;
        Ok(row)
    })
}

/// Removes link `link_id` of project `code`.
pub fn remove_link(
    conn: &mut Conn,
    actor: &Actor,
    code: &str,
    link_id: i64,
) -> Result<(), ApiError> {
    write_tx(conn, |conn| {
        let project = load_for_write(conn, actor, code, None)?;
        let Some(link) = project
            .view()
            .children
            .links
            .iter()
            .find(|l| l.id == link_id)
            .cloned()
        else {
            return Err(ApiError::not_found(format!("link {link_id} of {code}")));
        };
        Link::delete(conn, project.id(), link_id)?;
        project.touch(conn, now())?;
        audit::record(conn, actor, "remove_link", RECORD, code, Some(&link), None)?;
        Ok(())
    })
}
