//! Roles and what each may do: the one table of permissions.
//!
//! A permission says what a role may do anywhere. One rule narrows it per record, and lives
//! apart from this table: a project officer scoped to member states writes only projects all
//! of whose states are in that scope. That is the scope rule of
//! [`crate::services::projects::guard`]: its `load_for_write` is the only way a use case
//! obtains a project (or a project's follow-up funding) it may change, so no write can skip
//! the check.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    Deserialize,
    ToSchema,
    diesel::expression::AsExpression,
    diesel::deserialize::FromSqlRow,
)]
#[diesel(sql_type = diesel::sql_types::Text)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Admin,
    FundManager,
    ProjectOfficer,
    Evaluator,
    Viewer,
}

impl Role {
    pub const ALL: [Role; 5] = [
        Role::Admin,
        Role::FundManager,
        Role::ProjectOfficer,
        Role::Evaluator,
        Role::Viewer,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::FundManager => "fund_manager",
            Role::ProjectOfficer => "project_officer",
            Role::Evaluator => "evaluator",
            Role::Viewer => "viewer",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// The permissions of this role: the single source of truth.
    pub fn permissions(self) -> &'static [Permission] {
        use Permission::*;
        match self {
            Role::Admin => &[
                ReferenceRead,
                ReferenceWrite,
                MemberStatesRead,
                MemberStatesWrite,
                UsersAdmin,
                AuditRead,
                ProjectsRead,
                ProjectsWrite,
                ProjectsApprove,
                EvaluationsRead,
                EvaluationsWrite,
                RecommendationsUpdate,
                RecommendationsRespond,
                ResultsWrite,
                PublicationsWrite,
                WebhooksAdmin,
            ],
            Role::FundManager => &[
                ReferenceRead,
                ReferenceWrite,
                MemberStatesRead,
                MemberStatesWrite,
                ProjectsRead,
                ProjectsWrite,
                ProjectsApprove,
                EvaluationsRead,
                RecommendationsUpdate,
                RecommendationsRespond,
                PublicationsWrite,
            ],
            Role::ProjectOfficer => &[
                ReferenceRead,
                MemberStatesRead,
                ProjectsRead,
                ProjectsWrite,
                EvaluationsRead,
                ResultsWrite,
            ],
            Role::Evaluator => &[
                ReferenceRead,
                MemberStatesRead,
                ProjectsRead,
                EvaluationsRead,
                EvaluationsWrite,
                RecommendationsUpdate,
                ResultsWrite,
                PublicationsWrite,
            ],
            Role::Viewer => &[
                ReferenceRead,
                MemberStatesRead,
                ProjectsRead,
                EvaluationsRead,
            ],
        }
    }

    pub fn has(self, permission: Permission) -> bool {
        self.permissions().contains(&permission)
    }
}

crate::domain::funding::text_column!(Role);

/// What a route needs. The name (`as_str`) appears in the OpenAPI document as the scope of
/// the operation's `bearer` security requirement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Permission {
    ReferenceRead,
    ReferenceWrite,
    MemberStatesRead,
    MemberStatesWrite,
    UsersAdmin,
    AuditRead,
    ProjectsRead,
    ProjectsWrite,
    ProjectsApprove,
    EvaluationsRead,
    EvaluationsWrite,
    RecommendationsUpdate,
    RecommendationsRespond,
    ResultsWrite,
    PublicationsWrite,
    WebhooksAdmin,
}

impl Permission {
    pub const ALL: [Permission; 16] = [
        Permission::ReferenceRead,
        Permission::ReferenceWrite,
        Permission::MemberStatesRead,
        Permission::MemberStatesWrite,
        Permission::UsersAdmin,
        Permission::AuditRead,
        Permission::ProjectsRead,
        Permission::ProjectsWrite,
        Permission::ProjectsApprove,
        Permission::EvaluationsRead,
        Permission::EvaluationsWrite,
        Permission::RecommendationsUpdate,
        Permission::RecommendationsRespond,
        Permission::ResultsWrite,
        Permission::PublicationsWrite,
        Permission::WebhooksAdmin,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Permission::ReferenceRead => "reference:read",
            Permission::ReferenceWrite => "reference:write",
            Permission::MemberStatesRead => "member_states:read",
            Permission::MemberStatesWrite => "member_states:write",
            Permission::UsersAdmin => "users:admin",
            Permission::AuditRead => "audit:read",
            Permission::ProjectsRead => "projects:read",
            Permission::ProjectsWrite => "projects:write",
            Permission::ProjectsApprove => "projects:approve",
            Permission::EvaluationsRead => "evaluations:read",
            Permission::EvaluationsWrite => "evaluations:write",
            Permission::RecommendationsUpdate => "recommendations:update",
            Permission::RecommendationsRespond => "recommendations:respond",
            Permission::ResultsWrite => "results:write",
            Permission::PublicationsWrite => "publications:write",
            Permission::WebhooksAdmin => "webhooks:admin",
        }
    }

    pub fn parse(s: &str) -> Option<Permission> {
        Permission::ALL.into_iter().find(|p| p.as_str() == s)
    }

    /// One line on what the permission allows (the OAuth scope's description in the
    /// OpenAPI document).
    pub fn description(self) -> &'static str {
        match self {
            Permission::ReferenceRead => {
                "Read reference data, funding rules, allocations and exchange rates"
            }
            Permission::ReferenceWrite => {
                "Change funding rules, yearly allocations and exchange rates"
            }
            Permission::MemberStatesRead => "Read member states and their eligibility",
            Permission::MemberStatesWrite => "Change member states and their eligibility",
            Permission::UsersAdmin => "Manage people and service clients",
            Permission::AuditRead => "Read the audit trail",
            Permission::ProjectsRead => "Read projects, follow-up funding and reports",
            Permission::ProjectsWrite => {
                "Create and edit projects, their mappings, links and follow-up funding"
            }
            Permission::ProjectsApprove => {
                "Approve projects, and edit what the funding rules read once funds are held"
            }
            Permission::EvaluationsRead => {
                "Read evaluations, recommendations, results frameworks, publications and their reports"
            }
            Permission::EvaluationsWrite => {
                "Record evaluations, their questions and what their recommendations say"
            }
            Permission::RecommendationsUpdate => {
                "Change a recommendation (each part also needs its own permission)"
            }
            Permission::RecommendationsRespond => {
                "Record management's response to a recommendation and its implementation status"
            }
            Permission::ResultsWrite => {
                "Write results frameworks, indicators and measurements (a scoped officer: of their projects)"
            }
            Permission::PublicationsWrite => "Record publications",
            Permission::WebhooksAdmin => "Manage webhook subscriptions and their deliveries",
        }
    }
}

/// One type per permission, for [`super::principal::Authorized`]:
/// `Authorized<need::ProjectsWrite>` in a handler's signature is its permission, stated once.
pub mod need {
    use super::Permission;
    use crate::auth::principal::Requirement;

    macro_rules! requirements {
        ($($name:ident),+ $(,)?) => {$(
            #[doc = concat!("Requires [`Permission::", stringify!($name), "`].")]
            pub struct $name;
            impl Requirement for $name {
                const PERMISSION: Permission = Permission::$name;
            }
        )+};
    }

    requirements!(
        ReferenceRead,
        ReferenceWrite,
        MemberStatesRead,
        MemberStatesWrite,
        UsersAdmin,
        AuditRead,
        ProjectsRead,
        ProjectsWrite,
        ProjectsApprove,
        EvaluationsRead,
        EvaluationsWrite,
        RecommendationsUpdate,
        RecommendationsRespond,
        ResultsWrite,
        PublicationsWrite,
        WebhooksAdmin,
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_permission_is_held_by_admin_and_viewer_only_reads() {
        for p in Permission::ALL {
            assert!(Role::Admin.has(p), "{p:?}");
            assert_eq!(Permission::parse(p.as_str()), Some(p));
        }
        assert!(
            Role::Viewer
                .permissions()
                .iter()
                .all(|p| p.as_str().ends_with(":read"))
        );
    }

    #[test]
    fn roles_round_trip_through_their_names() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Some(r));
        }
        assert_eq!(Role::parse("superuser"), None);
    }
}
