"""Saves never lose work: a stale save is refused, names who changed what, and writes nothing."""
from datetime import date

import pytest
from sqlalchemy import select

from workbench.core.cases import open_case
from workbench.core.errors import StaleSave, UserError
from workbench.core.session import Session
from workbench.core.tables import AuditEntry, IndicatorAssessment
from workbench.walkthrough.actions import (
    panel_queue,
    record_decision,
    save_assessment,
    save_letter,
)


@pytest.fixture
def case_id(store):
    return panel_queue(Session(store, "chair-london"), as_of=date(2013, 12, 31))[0].case_id


def test_a_stale_assessment_save_is_refused_naming_who_changed_what(store, case_id):
    chair, member = Session(store, "chair-london"), Session(store, "member-london-1")
    first = save_assessment(chair, case_id, "uk.general.isolated", "unknown", note="to check", expected_version=None)
    save_assessment(member, case_id, "uk.general.isolated", "present", note="police report, p2",
                           expected_version=first.version)
    with pytest.raises(StaleSave) as exc:
        save_assessment(chair, case_id, "uk.general.isolated", "absent", note="mine", expected_version=first.version)
    message = str(exc.value)
    assert "member-london-1" in message and "status" in message and "Nothing was saved" in message
    assert exc.value.changes["status"] == "present" and exc.value.changes["note"] == "police report, p2"
    with store.read() as s:
        row = s.scalar(select(IndicatorAssessment).where(IndicatorAssessment.case_id == case_id,
                                                         IndicatorAssessment.indicator_id == "uk.general.isolated"))
    assert (row.status, row.note, row.version) == ("present", "police report, p2", 2)


def test_two_first_saves_of_the_same_indicator_do_not_overwrite_each_other(store, case_id):
    chair, member = Session(store, "chair-london"), Session(store, "member-london-1")
    save_assessment(chair, case_id, "uk.general.in-debt", "present", expected_version=None)
    with pytest.raises(StaleSave):
        save_assessment(member, case_id, "uk.general.in-debt", "absent", expected_version=None)


def test_a_refused_save_leaves_no_audit_entry(store, case_id):
    chair = Session(store, "chair-london")
    save_assessment(chair, case_id, "uk.general.isolated", "present", expected_version=None)
    with store.read() as s:
        before = s.query(AuditEntry).count()
    with pytest.raises(StaleSave):
        save_assessment(chair, case_id, "uk.general.isolated", "absent", expected_version=7)
    with pytest.raises(UserError):
        save_assessment(chair, case_id, "uk.general.isolated", "maybe", expected_version=1)
    with store.read() as s:
        assert s.query(AuditEntry).count() == before


def test_letter_versions_are_kept_and_a_stale_letter_save_is_refused(store, case_id):
    chair, member = Session(store, "chair-london"), Session(store, "member-london-1")
    existing = open_case(chair, case_id).latest_letter
    v1 = save_letter(chair, case_id, "Draft one.", based_on_version=existing.version if existing else None)
    v2 = save_letter(member, case_id, "Draft two, with the support provider's report.", based_on_version=v1.version)
    with pytest.raises(StaleSave, match="member-london-1"):
        save_letter(chair, case_id, "Chair's edit of draft one.", based_on_version=v1.version)
    letters = open_case(chair, case_id).letters
    assert [l.text for l in letters][-2:] == ["Draft one.", "Draft two, with the support provider's report."]
    assert letters[-1].version == v2.version == v1.version + 1


def test_a_decision_moves_the_case_on_and_is_never_edited(store, case_id):
    chair = Session(store, "chair-london")
    d1 = record_decision(chair, case_id, "rg", "positive", "The referral and police report give reasonable grounds.")
    case = open_case(chair, case_id)
    assert case.stage == "decided" and case.decisions[-1].id == d1.id
    d2 = record_decision(chair, case_id, "rg", "positive", "Reconsidered on the support provider's new report.",
                               reconsidered_on_new_evidence=True)
    assert d2.supersedes_id == d1.id
    assert open_case(chair, case_id).stage == "reconsidered"


def test_reasons_are_required_for_a_decision(store, case_id):
    with pytest.raises(UserError, match="reasons"):
        record_decision(Session(store, "chair-london"), case_id, "cg", "negative", "No.")
