"""schemathesis hooks for .ci/conformance (loaded by .ci/schemathesis.toml).

One hook, and the only place a failure is dropped: `positive_data_acceptance` (ST202) expects a
request that satisfies the schema to be accepted. A few 422 answers cannot be prevented by the
document's schemas, because they depend on the records stored, on the path, on the clock, or on
other fields of the same request (rules JSON Schema could state only with if/then conditionals,
which the generated clients ignore). Such a 422 is dropped only when EVERY listed field error is one of those below;
a 422 that names any other code (a format, a length, a pattern, an enum the document could
state) still fails the run, because the document should have stated it.
"""

from __future__ import annotations

from typing import Any

import schemathesis

# Field-error codes (problem+json `errors[].code`) a schema cannot express.
NOT_EXPRESSIBLE = {
    # The value must name a stored record or a row of a reference table (checked against the
    # database; a schema would have to be regenerated on every insert).
    "unknown_member_state",
    "unknown_project",
    "unknown_follow_up",
    "unknown_publication",  # updates_id names no publication
    # Publication editions: the chain of stored editions decides these.
    "updates_itself",
    "update_cycle",
    # An ISBN's check digit: the document states its shape as a pattern; no practical pattern
    # computes a weighted checksum.
    "invalid_isbn_checksum",
    # Results frameworks: where a result may hang depends on the results stored (a project has
    # one objective; a parent must exist, be of the project and one level up; a result with
    # results under it keeps its level).
    "unknown_result",
    "other_project",
    "wrong_level",
    "objective_exists",
    "has_children",
    # `level` decides whether `parent_id` is needed (a conditional), and a PATCH is merged into
    # the stored result.
    "parent_required",
    "parent_not_allowed",
    "unknown_region",
    "unknown_sdg_target",
    "unknown_migof_element",
    "unknown_gcm_objective",
    "unknown_msd_outcome",
    "unknown_msd_deliverable",
    "unknown_term",
    # Relations between fields of one request.
    "duplicate",  # member_states[].iso3 listed twice: uniqueness by one key of an object
    "shares_incomplete",  # some member states have a share and others not
    "shares_do_not_sum_to_one",  # a sum across array items
    "national_project_has_one_state",  # scope national => exactly one member state
    "before_start",  # end_date before start_date
    "below_cap",  # exceptional_cap below cap
    "not_a_member",  # member_since given while iom_member is false
    "not_completed",  # completed_on given while status is not completed
    "no_amount",  # amount_is_lower_bound true while amount is null
    "one_target",  # a link names target_code or target_title, one of them, beside its type
    # A PATCH is merged into the stored record (RFC 7396): naming the other subject key without
    # nulling the stored one leaves both, which the schema of the patch alone cannot see.
    "ambiguous_subject",
    # Relations between the body and the path.
    "wrong_evaluation",  # a recommendation's evaluation_id differs from the path's evaluation
    # The header row of a CSV body: to the document a CSV body is a string.
    "missing_column",
    # U+0000 in any string: PostgreSQL text cannot hold it, so every string refuses it (stated
    # once in the document's description). As a per-field pattern it would replace the
    # non-blank patterns many fields already have, since a schema has one pattern.
    "nul_character",
}
# (field, code) pairs that depend on the clock.
NOT_EXPRESSIBLE_FIELDS = {
    ("member_since", "out_of_range"),  # 1951..the current year
}
# Top-level problem codes that are the Fund's rules on stored data, by design a 422.
NOT_EXPRESSIBLE_PROBLEMS = {
    "rule_violation",
    # A bulk import's items are each checked as the body of the kind named in the path (and
    # against the records stored, the Fund's rules included); the document states the envelope
    # (`{"items": [object]}`, CSV or XLSX), since one schema per path value would need
    # conditionals on the path. Its rows' errors are listed in the 422 itself.
    "import_rejected",
}


def _by_design_422(response: Any) -> bool:
    # A NUL in a parameter is a 400 (bad_request) naming it with the same field-error code.
    if response.status_code not in (400, 422):
        return False
    try:
        problem = response.json()
    except Exception:
        return False
    if not isinstance(problem, dict):
        return False
    if problem.get("code") in NOT_EXPRESSIBLE_PROBLEMS:
        return True
    errors = problem.get("errors") or []
    if not errors:
        return False
    if response.status_code == 400:
        return problem.get("code") == "bad_request" and all(
            isinstance(e, dict) and e.get("code") == "nul_character" for e in errors
        )
    if problem.get("code") != "validation_failed":
        return False
    for e in errors:
        if not isinstance(e, dict):
            return False
        code, field = e.get("code"), str(e.get("field", ""))
        if code in NOT_EXPRESSIBLE:
            continue
        if (field.rsplit(".", 1)[-1], code) in NOT_EXPRESSIBLE_FIELDS:
            continue
        return False
    return True


@schemathesis.hook
def filter_failure(context: Any, failure: Any, case: Any, response: Any) -> bool:
    """False drops the failure (see the module's docstring); True keeps it."""
    if getattr(failure, "code", None) == "ST202" and _by_design_422(response):
        return False
    return True
