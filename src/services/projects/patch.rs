//! A change to a project, typed (lemmy's `UpdateForm`): what `PATCH /projects/{code}`
//! becomes once its shape is checked. The service applies it to the stored project and checks
//! the result as a new project ([`super::input::NewProject::check`]).

use super::input::{MsdDraft, ProjectDraft, StateDraft};
use crate::domain::money::MoneyError;
use crate::domain::{FundingLine, Money, Scope};
use crate::services::set;

/// A change to a project, typed: `None` leaves a field as it is; `Some(None)` clears a field
/// that may be empty; a list replaces the list; the site and the core characteristics merge
/// key by key (JSON merge patch, RFC 7396). `code` and `status` are not patched.
#[derive(Debug, Clone, Default)]
pub struct ProjectPatch {
    pub title: Option<String>,
    pub summary: Option<Option<String>>,
    pub funding_line: Option<FundingLine>,
    pub funding_year: Option<i32>,
    pub scope: Option<Scope>,
    pub budget: Option<Result<Money, MoneyError>>,
    pub staff_office_share: Option<Option<String>>,
    pub exceptional_increase: Option<bool>,
    pub thematic_area: Option<Option<String>>,
    pub management_site: Option<Option<SitePatch>>,
    pub member_states: Option<Vec<StateDraft>>,
    pub beneficiaries: Option<Option<String>>,
    pub duration_months: Option<Option<i32>>,
    pub start_date: Option<Option<chrono::NaiveDate>>,
    pub end_date: Option<Option<chrono::NaiveDate>>,
    pub actual_end_date: Option<Option<chrono::NaiveDate>>,
    pub sdg_targets: Option<Vec<String>>,
    pub migof: Option<Vec<String>>,
    pub gcm_objectives: Option<Vec<i32>>,
    pub msd: Option<Vec<MsdDraft>>,
    pub innovation_areas: Option<Vec<String>>,
    pub cross_cutting_themes: Option<Vec<String>>,
    pub core_characteristics: Option<Option<CorePatch>>,
    pub notable_achievements: Option<Vec<String>>,
}

#[derive(Debug, Clone, Default)]
pub struct SitePatch {
    pub city: Option<Option<String>>,
    pub country: Option<Option<String>>,
}

#[derive(Debug, Clone, Default)]
pub struct CorePatch {
    pub national_ownership: Option<Option<String>>,
    pub evidence_and_learning: Option<Option<String>>,
    pub scalability: Option<Option<String>>,
    pub innovation: Option<Option<String>>,
    pub sustainability: Option<Option<String>>,
}

/// An object field of a merge patch: `null` clears it, an object merges key by key into the
/// current value (or into an empty one).
fn merge_object<T: Default, P>(
    current: &mut Option<T>,
    patch: Option<Option<P>>,
    apply: impl FnOnce(&mut T, P),
) {
    if let Some(patch) = patch {
        *current = patch.map(|p| {
            let mut value = current.take().unwrap_or_default();
            apply(&mut value, p);
            value
        });
    }
}

impl ProjectPatch {
    /// The draft with this patch applied.
    pub fn apply(self, mut d: ProjectDraft) -> ProjectDraft {
        set(&mut d.title, self.title);
        set(&mut d.summary, self.summary);
        set(&mut d.funding_line, self.funding_line);
        set(&mut d.funding_year, self.funding_year);
        set(&mut d.scope, self.scope);
        set(&mut d.budget, self.budget);
        set(&mut d.staff_office_share, self.staff_office_share);
        set(&mut d.exceptional_increase, self.exceptional_increase);
        set(&mut d.thematic_area, self.thematic_area);
        merge_object(&mut d.management_site, self.management_site, |s, p| {
            set(&mut s.city, p.city);
            set(&mut s.country, p.country);
        });
        set(&mut d.member_states, self.member_states);
        set(&mut d.beneficiaries, self.beneficiaries);
        set(&mut d.duration_months, self.duration_months);
        set(&mut d.start_date, self.start_date);
        set(&mut d.end_date, self.end_date);
        set(&mut d.actual_end_date, self.actual_end_date);
        set(&mut d.mappings.sdg_targets, self.sdg_targets);
        set(&mut d.mappings.migof, self.migof);
        set(&mut d.mappings.gcm_objectives, self.gcm_objectives);
        set(&mut d.mappings.msd, self.msd);
        set(&mut d.innovation_areas, self.innovation_areas);
        set(&mut d.cross_cutting_themes, self.cross_cutting_themes);
        merge_object(
            &mut d.core_characteristics,
            self.core_characteristics,
            |c, p| {
                set(&mut c.national_ownership, p.national_ownership);
                set(&mut c.evidence_and_learning, p.evidence_and_learning);
                set(&mut c.scalability, p.scalability);
                set(&mut c.innovation, p.innovation);
                set(&mut c.sustainability, p.sustainability);
            },
        );
        set(&mut d.notable_achievements, self.notable_achievements);
        d
    }
}
