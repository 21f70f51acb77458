"""A case's stage is derived from what was recorded, and follows it through review."""
from datetime import date

from sqlalchemy import select

from workbench.core.cases import open_case
from workbench.core.session import Session
from workbench.core.tables import Case, Decision, User
from workbench.qa_review.actions import assign_reviewer, record_qa_review, request_review
from workbench.walkthrough.actions import panel_queue, record_decision


def test_a_sent_back_case_returns_to_its_panels_queue_flagged(store):
    with store.read() as s:
        d = s.scalars(select(Decision).join(Case).where(Case.closed.is_(True), Decision.stage == "cg",
                                                       Decision.outcome == "negative")).first()
        panel = s.get(Case, d.case_id).panel_id
    manager = Session(store, "case-manager")
    rr = request_review(manager, d.case_id, d.id, "support provider", "Report not considered.", date(2013, 12, 1))
    with store.read() as s:
        chair_name = s.scalars(select(User.name).where(User.role == "qa_reviewer", User.panel_id != panel)).first()
    assign_reviewer(manager, rr, chair_name, date(2013, 12, 2))
    record_qa_review(Session(store, chair_name), rr, "procedural_failing",
                                                {"evidence_considered": {"status": "fail", "note": "not received"}},
                                                completed_on=date(2013, 12, 10))
    chair = Session(store, f"chair-{_slug(store, panel)}")
    rows = {r.case_id: r for r in panel_queue(chair, as_of=date(2013, 12, 31))}
    assert d.case_id in rows
    assert rows[d.case_id].stage == "referred_back"
    assert "sent back by review" in rows[d.case_id].badges
    new = record_decision(chair, d.case_id, "cg", "positive", "Having considered the support provider's report ...",
                                decided_on=date(2013, 12, 20))
    case = open_case(chair, d.case_id)
    assert case.decisions[-1].after_review_id is not None and new.supersedes_id == d.id
    assert d.case_id not in {r.case_id for r in panel_queue(chair, as_of=date(2013, 12, 31))}


def test_the_timeline_dates_every_transition(store):
    with store.read() as s:
        case_id = s.scalars(select(Decision.case_id).where(Decision.stage == "cg")).first()
    case = open_case(Session(store, "case-manager"), case_id)
    stages = [t.stage for t in case.timeline]
    assert stages[0] == "referred" and "with_panel" in stages and stages.count("decided") >= 2
    assert all(a.on <= b.on for a, b in zip(case.timeline, case.timeline[1:]))


def _slug(store, panel_id):
    from workbench.core.tables import Panel
    from workbench.demo.build import PANEL_SLUGS
    with store.read() as s:
        return PANEL_SLUGS[s.get(Panel, panel_id).name]
