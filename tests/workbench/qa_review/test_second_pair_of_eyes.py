"""The second pair of eyes (NRM review 7.4.5): the chair of another panel reviews whether due process was
followed, not whether the decision was right (footnote 31). These tests read like the policy."""
from datetime import date

import pytest
from sqlalchemy import select, update

from workbench.core.cases import open_case
from workbench.core.errors import AccessDenied, UserError
from workbench.core.session import Session
from workbench.core.tables import Case, Decision, EvidenceItem, Panel, QAReview
from workbench.qa_review import view as review
from workbench.qa_review.actions import (
    assign_reviewer,
    record_qa_review,
    request_review,
    review_findings,
    review_queue,
    review_request,
)
from workbench.walkthrough.actions import panel_queue, record_decision

ASKED, ASSIGNED, DONE = date(2013, 12, 1), date(2013, 12, 2), date(2013, 12, 10)


def _panel_ids(store) -> dict[str, int]:
    with store.read() as s:
        return {p.name: p.id for p in s.scalars(select(Panel))}


def _london_negative(store, nth: int = 0) -> Decision:
    pid = _panel_ids(store)["London"]
    with store.read() as s:
        return s.scalars(select(Decision).join(Case).where(Case.panel_id == pid, Case.closed.is_(True),
                                                           Decision.outcome == "negative", Decision.stage == "cg")
                         .order_by(Decision.id)).all()[nth]


@pytest.fixture
def under_review(store):
    """A London CG decision under review, assigned to reviewer-wales (a chair of another panel)."""
    d = _london_negative(store)
    manager = Session(store, "case-manager")
    rr = request_review(manager, d.case_id, d.id, "support provider", "The report was not considered.", ASKED)
    assign_reviewer(manager, rr, "reviewer-wales", ASSIGNED)
    return {"rr": rr, "decision": d, "case_id": d.case_id, "reviewer": Session(store, "reviewer-wales")}


def _answers(view, **overrides):
    answers = review.default_answers(view)
    for item, value in overrides.items():
        answers[item] = review.ItemAnswer(*value) if isinstance(value, tuple) else review.ItemAnswer(value, "")
    return answers


def _fail_one(view):
    """Mark one critical item failing (the pre-assessment's first, else evidence_considered), with a note."""
    item = next((f.category for f in view.findings if f.evidence["status"] == "fail"
                 and f.level == "critical"), "evidence_considered")
    return item, _answers(view, **{item: ("fail", "The support provider's report was not before the panel.")})


# ------------------------------------------------------------------------------------------ who may review

def test_a_reviewer_cannot_review_their_own_panels_decision(store):
    d = _london_negative(store)
    manager = Session(store, "case-manager")
    rr = request_review(manager, d.case_id, d.id, "the lead", "Procedure not followed.", ASKED)
    with pytest.raises(AccessDenied, match="another panel"):
        assign_reviewer(manager, rr, "reviewer-london", ASSIGNED)
    with pytest.raises(AccessDenied, match="another panel"):
        assign_reviewer(manager, rr, "chair-london", ASSIGNED)


def test_the_decisions_author_cannot_review_it_even_from_another_panel(store):
    d = _london_negative(store)
    with store.transaction() as s:  # the author has since moved to the Wales panel
        s.execute(update(Decision).where(Decision.id == d.id).values(author="chair-wales"))
    manager = Session(store, "case-manager")
    rr = request_review(manager, d.case_id, d.id, "the lead", "Procedure not followed.", ASKED)
    with pytest.raises(AccessDenied, match="wrote the decision"):
        assign_reviewer(manager, rr, "chair-wales", ASSIGNED)


def test_only_the_assigned_reviewer_may_record_the_outcome(store, under_review):
    other = Session(store, "reviewer-scotland-ni")
    with pytest.raises(AccessDenied):
        record_qa_review(other, under_review["rr"], "procedure_followed", {}, completed_on=DONE)
    with pytest.raises(AccessDenied):
        review.open_review(other, under_review["rr"], use_model=False)


def test_a_trainer_has_no_review_queue_and_cannot_open_a_review(store, under_review):
    trainer = Session(store, "trainer")
    with pytest.raises(AccessDenied):
        review_queue(trainer)
    with pytest.raises(AccessDenied):
        review_request(trainer, under_review["rr"])


# ------------------------------------------------------------------------------------------ the queue

def test_the_reviewers_queue_holds_their_own_requests_oldest_first(store, under_review):
    rows = review_queue(under_review["reviewer"], as_of=date(2013, 12, 31))
    assert under_review["rr"] in [r.review_request_id for r in rows]
    assert [r.requested_on for r in rows] == sorted(r.requested_on for r in rows)
    wales = _panel_ids(store)["Wales"]
    with store.read() as s:
        mine = set(s.scalars(select(Decision.id).where(Decision.panel_id == wales)))
    assert all(r.decision_id not in mine for r in rows)  # never their own panel's decisions
    row = next(r for r in rows if r.review_request_id == under_review["rr"])
    assert row.panel_name == "London" and row.days_waiting == (date(2013, 12, 31) - ASKED).days


def test_a_completed_review_leaves_the_queue_but_stays_in_the_full_list(store, under_review):
    me = under_review["reviewer"]
    view = review.open_review(me, under_review["rr"], use_model=False)
    answers = {f.category: review.ItemAnswer("pass", "Checked the file.") for f in view.findings}
    review.record_outcome(me, view, answers, "procedure_followed", "Due process followed.", completed_on=DONE)
    assert under_review["rr"] not in [r.review_request_id for r in review_queue(me, as_of=date(2013, 12, 31))]
    done = [r for r in review_queue(me, as_of=date(2013, 12, 31), include_completed=True)
            if r.review_request_id == under_review["rr"]]
    assert done and done[0].outcome == "procedure_followed"


# ------------------------------------------------------------------------------------------ the view

def test_the_review_shows_what_the_panel_had_when_it_decided(store, under_review):
    d = under_review["decision"]
    with store.transaction() as s:  # a report asked for before the decision that never came
        s.add(EvidenceItem(case_id=d.case_id, source="support_provider", description="Support provider's report",
                           requested_on=d.decided_on.replace(day=1), received_on=None, version=1))
    view = review.open_review(under_review["reviewer"], under_review["rr"], use_model=False)
    assert view.decision.id == d.id
    states = {e.evidence.description: e.state for e in view.evidence}
    assert states["Support provider's report"] == "outstanding"
    assert all(e.evidence.received_on <= d.decided_on for e in view.evidence if e.state == "had")
    f = next(f for f in view.findings if f.category == "evidence_considered")
    assert f.evidence["status"] == "fail"
    assert "Support provider's information requested on 1 " in " ".join(f.evidence["facts"])
    assert "not received; decision on" in " ".join(f.evidence["facts"])


def test_every_case_read_for_a_review_is_audited(store, under_review):
    from workbench.core.tables import AuditEntry
    review.open_review(under_review["reviewer"], under_review["rr"], use_model=False)
    with store.read() as s:
        actions = {(a.action, a.record_type) for a in s.scalars(select(AuditEntry)
                                                                .where(AuditEntry.user == "reviewer-wales"))}
    assert {("read", "case"), ("read", "review_request")} <= actions


# ------------------------------------------------------------------------------------------ the outcome

def test_overriding_a_pre_assessed_item_needs_a_note(store, under_review):
    view = review.open_review(under_review["reviewer"], under_review["rr"], use_model=False)
    item = view.findings[0].category
    flipped = "pass" if view.pre_status(item) != "pass" else "fail"
    answers = _answers(view, **{item: flipped})
    problems = review.outcome_problems(view, answers, review.suggested_outcome(answers), "Notes.")
    assert any("add a note saying why" in p for p in problems)


def test_procedure_followed_cannot_carry_a_failing_item_and_a_failing_needs_one(store, under_review):
    view = review.open_review(under_review["reviewer"], under_review["rr"], use_model=False)
    item, answers = _fail_one(view)
    assert any("must then be a procedural failing" in p
               for p in review.outcome_problems(view, answers, "procedure_followed", ""))
    clean = {k: review.ItemAnswer("pass", "Looked at the file.") for k in answers}
    assert any("at least one checklist item marked failing" in p
               for p in review.outcome_problems(view, clean, "procedural_failing", "Notes."))
    with pytest.raises(UserError, match="Say what the panel should do"):
        review.record_outcome(under_review["reviewer"], view, answers, "procedural_failing", "", completed_on=DONE)


def test_a_failing_only_in_the_letters_wording_or_lateness_may_stand_with_a_note(store, under_review):
    view = review.open_review(under_review["reviewer"], under_review["rr"], use_model=False)
    answers = {f.category: review.ItemAnswer("pass", "Checked.") for f in view.findings}
    answers["timescales"] = review.ItemAnswer("fail", "Decided 40 days late with no escalation.")
    assert review.suggested_outcome(answers) == "procedure_followed"
    assert any("say why in the notes" in p for p in review.outcome_problems(view, answers, "procedure_followed", ""))
    assert not review.outcome_problems(view, answers, "procedure_followed", "Late, but nothing was missed.")


def test_a_sent_back_case_returns_to_its_panels_queue_with_the_failing_items_and_notes(store, under_review):
    me, d = under_review["reviewer"], under_review["decision"]
    view = review.open_review(me, under_review["rr"], use_model=False)
    item, answers = _fail_one(view)
    qa_id = review.record_outcome(me, view, answers, "procedural_failing",
                                  "Please consider the support provider's report.", completed_on=DONE)
    chair = Session(store, "chair-london")
    rows = {r.case_id: r for r in panel_queue(chair, as_of=date(2013, 12, 31))}
    assert rows[d.case_id].stage == "referred_back" and "sent back by review" in rows[d.case_id].badges
    sent = open_case(chair, d.case_id).reviews[-1]
    assert sent.outcome == "procedural_failing" and sent.items[item]["status"] == "fail"
    assert sent.notes == "Please consider the support provider's report."
    new = record_decision(chair, d.case_id, "cg", "positive", "Having now considered the support provider's report, "
                                "the panel finds it more likely than not.", decided_on=date(2013, 12, 20))
    assert new.after_review_id == qa_id and new.supersedes_id == d.id


def test_the_stored_review_keeps_the_pre_assessment_beside_the_reviewers_answer(store, under_review):
    me = under_review["reviewer"]
    view = review.open_review(me, under_review["rr"], use_model=False)
    item, answers = _fail_one(view)
    review.record_outcome(me, view, answers, "procedural_failing", "See the items.", completed_on=DONE)
    stored = review_request(me, under_review["rr"]).standing.items
    assert set(stored) == {f.category for f in view.findings}
    assert stored[item]["status"] == "fail" and stored[item]["pre_assessed"] == view.pre_status(item)
    assert stored[item]["facts"]


def test_a_correction_is_a_new_entry_not_an_edit(store, under_review):
    me = under_review["reviewer"]
    view = review.open_review(me, under_review["rr"], use_model=False)
    item, answers = _fail_one(view)
    first = review.record_outcome(me, view, answers, "procedural_failing", "First view.", completed_on=DONE)
    view = review.open_review(me, under_review["rr"], use_model=False)
    assert review.default_answers(view)[item].status == "fail"  # a correction starts from what stands
    fixed = {k: review.ItemAnswer("pass", "On a second look, the report had been considered.")
             if a.status == "fail" else a for k, a in review.default_answers(view).items()}
    second = review.record_outcome(me, view, fixed, "procedure_followed", "Corrected: due process followed.",
                                   completed_on=date(2013, 12, 11))
    with store.read() as s:
        rows = s.scalars(select(QAReview).where(QAReview.review_request_id == under_review["rr"])
                         .order_by(QAReview.id)).all()
    assert [r.id for r in rows] == [first, second]
    assert rows[0].outcome == "procedural_failing" and rows[0].notes == "First view."  # untouched
    assert rows[1].supersedes_id == first
    history = review.history_rows(review.open_review(me, under_review["rr"], use_model=False))
    assert [h["standing"] for h in history] == [False, True]
    assert any("procedural failing → procedure followed" in c for c in history[1]["changed"])
    assert open_case(Session(store, "chair-london"), under_review["case_id"]).reviews[-1].outcome == "procedure_followed"


def test_the_review_record_cannot_be_edited_in_the_database_either(store, under_review):
    me = under_review["reviewer"]
    view = review.open_review(me, under_review["rr"], use_model=False)
    item, answers = _fail_one(view)
    review.record_outcome(me, view, answers, "procedural_failing", "Notes.", completed_on=DONE)
    # The Session has no way to edit or delete a review: only record_qa_review, which appends.
    assert not [m for m in dir(Session) if "review" in m and m.startswith(("edit", "update", "delete"))]


# ------------------------------------------------------------------------------------------ quality over time

def test_review_findings_come_one_row_per_item_of_each_standing_review(store, under_review):
    me = under_review["reviewer"]
    view = review.open_review(me, under_review["rr"], use_model=False)
    item, answers = _fail_one(view)
    review.record_outcome(me, view, answers, "procedural_failing", "Notes.", completed_on=DONE)
    review.record_outcome(me, view, answers, "procedural_failing", "Corrected notes.", completed_on=DONE)
    rows = [r for r in review_findings(Session(store, "chair-wales")) if r["review_request_id"] == under_review["rr"]]
    assert len(rows) == len(view.findings)  # the correction replaced, not added to, the first entry's rows
    assert {r["panel"] for r in rows} == {"London"}
    with pytest.raises(AccessDenied):
        review_findings(Session(store, "trainer"))


def _rows(n, panel="London", item="trauma_considered", status="fail", quarter_day=date(2013, 5, 1), start=0,
          reviewer="reviewer-wales", decision=None, sample=False):
    return [{"qa_review_id": start + i, "review_request_id": start + i, "decision_id": decision or start + i,
             "case_id": start + i, "panel": panel, "reviewer": reviewer, "completed_on": quarter_day,
             "outcome": "procedural_failing" if status == "fail" else "procedure_followed", "item": item,
             "status": status, "sample": sample} for i in range(n)]


def test_counts_under_five_are_suppressed_in_the_quality_figures():
    from workbench.qa_review import quality as rq
    df = rq.frame(_rows(3, status="fail") + _rows(10, status="pass", start=100)
                  + _rows(4, panel="Wales", status="pass", start=200))
    panel = rq.by_panel(df).set_index("panel")
    assert panel.loc["London", "suppressed"] and panel.loc["London", "label"] == "fewer than 5"  # 3 failings
    assert panel.loc["Wales", "suppressed"]  # 4 reviews
    ok = rq.by_panel(rq.frame(_rows(6, status="fail") + _rows(4, status="pass", start=100))).iloc[0]
    assert not ok["suppressed"] and ok["share"] == 0.6 and ok["label"] == "6 of 10 (60%)"


def test_agreement_is_cohens_kappa_per_item_with_the_number_of_pairs():
    from workbench.qa_review import quality as rq
    answers_a = ["fail"] * 6 + ["pass"] * 6
    answers_b = ["fail"] * 5 + ["pass"] * 7
    rows = []
    for i, (a, b) in enumerate(zip(answers_a, answers_b)):
        rows += _rows(1, status=a, start=1000 + 2 * i, reviewer="reviewer-wales", decision=i + 1)
        rows += _rows(1, status=b, start=1001 + 2 * i, reviewer="chair-south-east", decision=i + 1, sample=True)
    rows += _rows(3, item="consent_recorded", status="pass", start=5000, decision=99)  # one reviewer only: no pairs
    (trauma,) = rq.agreement(rq.frame(rows))
    assert trauma.item == "trauma_considered" and trauma.pairs == 12 and trauma.agreed == 11
    from sklearn.metrics import cohen_kappa_score
    assert trauma.kappa == pytest.approx(cohen_kappa_score(answers_a, answers_b))
    few = rq.agreement(rq.frame(rows[:8]))[0]
    assert few.pairs == 4 and few.kappa is None and "fewer than 5" in few.note
