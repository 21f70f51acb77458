"""From the store's flat referral to the nested record `qa_checks.feedback.referrals.check_referral` takes.

`workbench.core.records.referral_dict` gives a flat dict (person fields beside referral fields); the checks
take the shape documented in docs/referral_schema.md, with nested "person" and "lead" objects. This
module is the one place that maps one to the other.

The record built here is for checking only: it goes to `check_referral` and its result (score, criteria
missed) is what is kept. Identity fields are passed through because some criteria read them (a date of
birth that contradicts `is_child`); nothing here is shown to anyone.
"""
from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

# Flat referral_dict key -> key inside the nested "person" object.
PERSON_FIELDS = {
    "person_pseudonym": "pseudonym_id",
    "person_name": "name",
    "date_of_birth": "date_of_birth",
    "age_band": "age_band",
    "gender": "gender",
    "nationality": "nationality",
    "is_child": "is_child",
    "age_disputed": "age_disputed",
}
# Flat keys that stay at the top level of the nested record.
TOP_FIELDS = (
    "identifier_role", "consent_given", "consent_signed", "exploitation_primary", "exploitation_secondary",
    "indicators", "narrative", "narrative_redacted", "encounter_location", "encounter_organisation",
    "encounter_circumstances", "found_in_situ", "offence_location", "exploitation_location", "detention",
    "detention_endorsed_on", "potential_victims_identified",
)
LEAD_FIELDS = ("organisation", "organisation_type", "region", "location")


def _iso(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


def check_record(referral: Mapping[str, Any], lead: Mapping[str, Any]) -> dict:
    """The nested check_referral record for one referral.

    `referral` is a flat dict as `workbench.core.records.referral_dict(r, show_identity=True)` makes it (keys it
    lacks are left out, so the checks report them as missing information); `lead` is a dict with the
    lead's `code` (or `id`), organisation, organisation_type, region and location
    (`workbench.core.records.lead_dict`). Dates become YYYY-MM-DD text as the schema asks.
    """
    person = {dst: _iso(referral[src]) for src, dst in PERSON_FIELDS.items() if src in referral}
    lead_id = lead.get("code") or lead.get("id")
    record = {
        "id": referral.get("reference") or referral.get("id"),
        "received_on": _iso(referral.get("received_on")),
        "lead": {"id": str(lead_id) if lead_id is not None else None,
                 **{k: lead.get(k) for k in LEAD_FIELDS if k in lead}},
        "person": person,
    }
    for key in TOP_FIELDS:
        if key in referral:
            value = referral[key]
            if key in ("exploitation_secondary", "indicators"):
                value = list(value or [])
            record[key] = _iso(value)
    if record.get("detention") is None:
        record["detention"] = "none"
    return record


def check_record_of(referral_row, lead_row) -> dict:
    """The nested record straight from ORM rows (workbench.core.tables.Referral and Lead)."""
    from workbench.core.records import lead_dict, referral_dict

    return check_record(referral_dict(referral_row, show_identity=True), lead_dict(lead_row))
