"""Every role against every action, through the Session's real methods. Reads like the policy."""
from datetime import date

import pytest
from sqlalchemy import select

from workbench.admin.directory import list_users, verify_audit
from workbench.core.cases import open_case, return_referral
from workbench.core.errors import AccessDenied
from workbench.core.session import Session
from workbench.core.tables import Case, Decision, Panel, Referral
from workbench.feedback.actions import list_leads, record_feedback_export, referral_quality
from workbench.letters.actions import finding_responses, respond_to_finding
from workbench.overview.figures import overview_figures
from workbench.qa_review.actions import (
    assign_reviewer,
    record_qa_review,
    request_review,
)
from workbench.walkthrough.actions import (
    panel_queue,
    record_decision,
    request_evidence,
    save_assessment,
    save_letter,
)

# Case kinds: london = a London panel case; wales = a Wales panel case; review = a London case whose
# decision is under review, assigned to reviewer-wales (a chair of another panel).
# Cells: "yes"/"no" for actions on no case; for case actions the kinds the user may act on.
POLICY = """
action             chair-london     member-london-1  reviewer-wales  chair-wales  trainer  case-manager        admin
view_queue         yes              yes              no              yes          no       yes                 no
read_case          london,review    london,review    review          wales          no       london,wales,review  no
see_identity       london,review    london,review    review          wales          no       london,wales,review  no
assess_indicators  london,review    london,review    no              wales          no       no                  no
request_evidence   london,review    london,review    no              wales          no       london,wales,review  no
record_decision    london,review    no               no              wales          no       no                  no
draft_letter       london,review    london,review    no              wales          no       no                  no
manage_referrals   no               no               no              no           no       london,wales,review  no
request_review     no               no               no              no           no       london,wales,review  no
review_decision    no               no               review          no           no       no                  no
view_lead_quality  no               no               no              no           yes      yes                 yes
list_users         no               no               no              no           no       yes                 yes
verify_audit       no               no               no              no           no       no                  yes
view_overview      yes              yes              yes             yes          yes      yes                 yes
respond_to_findings london,review   london,review    review          wales        no       london,wales,review  no
review_finding_responses no         no               yes             no           no       yes                 no
assign_review      no               no               no              no           no       london,wales,review  no
export_feedback    no               no               no              no           yes      no                  no
list_leads         no               no               no              no           yes      no                  no
"""
_lines = [l.split() for l in POLICY.strip().splitlines()]
USERS = _lines[0][1:]
TABLE = {(row[0], user): cell for row in _lines[1:] for user, cell in zip(USERS, row[1:])}
CASE_ACTIONS = {"read_case", "see_identity", "assess_indicators", "request_evidence", "record_decision",
                "draft_letter", "manage_referrals", "request_review", "review_decision", "respond_to_findings",
                "assign_review"}
OTHER_REVIEWER = "reviewer-north-west"  # not in the table: holds the reviews of the London and Wales cases


@pytest.fixture
def cases(store):
    """Pick an open London case, an open Wales case, and put a third London case under review."""
    with store.read() as s:
        pid = {p.name: p.id for p in s.scalars(select(Panel))}
        def open_in(panel):
            return s.scalars(select(Case.id).where(Case.panel_id == pid[panel], Case.closed.is_(False))
                             .order_by(Case.id)).all()
        london, wales = open_in("London")[0], open_in("Wales")[0]
        decided = s.scalars(select(Decision).join(Case).where(Case.panel_id == pid["London"],
                                                              Decision.outcome == "negative")
                            .order_by(Decision.id)).first()
    manager = Session(store, "case-manager")
    rr = request_review(manager, decided.case_id, decided.id, "support provider", "Evidence not considered.")
    assign_reviewer(manager, rr, "reviewer-wales")
    # The London and Wales cases get a decision and a real review request too, held by a reviewer outside the
    # table, so that every refusal below is a refusal of an existing request, not of a missing one.
    requests = {}
    for kind, case_id, chair in (("london", london, "chair-london"), ("wales", wales, "chair-wales")):
        d = record_decision(Session(store, chair), case_id, "rg", "positive",
                            "The panel weighed the referral and the police report.", decided_on=date(2013, 12, 1))
        requests[kind] = request_review(manager, case_id, d.id, "lead", "Please review.")
        assign_reviewer(manager, requests[kind], OTHER_REVIEWER)
    return {"london": london, "wales": wales, "review": decided.case_id, "review_request": rr,
            "decision": decided.id, "requests": {**requests, "review": rr}}


def attempt(session: Session, action: str, case_id: int | None, cases) -> None:
    """Do the action for real; raise AccessDenied when the policy forbids it."""
    if action == "view_queue":
        panel_queue(session, as_of=date(2013, 12, 31))
    elif action == "read_case":
        open_case(session, case_id)
    elif action == "see_identity":
        if "person_name" not in open_case(session, case_id).referral:
            raise AccessDenied("identity withheld")
    elif action == "assess_indicators":
        with session.store.read() as s:  # the version on file, read directly: this is not the read under test
            from workbench.core.tables import IndicatorAssessment
            current = s.scalar(select(IndicatorAssessment.version).where(
                IndicatorAssessment.case_id == case_id, IndicatorAssessment.indicator_id == "uk.general.isolated"))
        save_assessment(session, case_id, "uk.general.isolated", "present", note="test", expected_version=current)
    elif action == "request_evidence":
        request_evidence(session, case_id, "police", "Police report")
    elif action == "record_decision":
        record_decision(session, case_id, "rg", "positive", "The panel considered the referral and the police report.")
    elif action == "draft_letter":
        save_letter(session, case_id, "Dear person, ...", based_on_version=_latest_letter(session, case_id))
    elif action == "manage_referrals":
        return_referral(session, case_id, ["consent_unsigned"])
    elif action == "request_review":
        with session.store.read() as s:
            d = s.scalars(select(Decision.id).where(Decision.case_id == case_id)).first()
        if d is None:
            d = cases["decision"]  # a case without decisions: ask about one that has
            case_id = cases["review"]
        request_review(session, case_id, d, "lead", "Please review.")
    elif action == "review_decision":
        record_qa_review(session, _request_on(case_id, cases), "procedure_followed", {})
    elif action == "assign_review":
        assign_reviewer(session, _request_on(case_id, cases), OTHER_REVIEWER)
    elif action == "export_feedback":
        record_feedback_export(session, ["SSL-00001"], "feedback.html")
    elif action == "list_leads":
        list_leads(session)
    elif action == "view_lead_quality":
        referral_quality(session)
    elif action == "list_users":
        list_users(session)
    elif action == "verify_audit":
        verify_audit(session)
    elif action == "view_overview":
        overview_figures(session)
    elif action == "respond_to_findings":
        from qa_checks import check_letter
        text = "You claim that you were forced to work."
        finding = check_letter(text, use_model=False)[0]
        respond_to_finding(session, text, finding, "dismiss", "Quoted from the referral.", case_id=case_id)
    elif action == "review_finding_responses":
        finding_responses(session)
    else:
        raise AssertionError(f"no attempt written for {action}")


def _latest_letter(session, case_id):
    from workbench.core.tables import LetterDraft
    with session.store.read() as s:
        versions = s.scalars(select(LetterDraft.version).where(LetterDraft.case_id == case_id)).all()
    return max(versions) if versions else None


def _request_on(case_id, cases) -> int:
    """The review request made on this case in the fixture."""
    return next(rr for kind, rr in cases["requests"].items() if cases[kind] == case_id)


def test_every_action_in_the_policy_file_is_in_this_table():
    from workbench.core.policy import default_policy
    actions = set(default_policy().actions)
    assert actions == {row[0] for row in _lines[1:]}


@pytest.mark.parametrize("action,user", sorted(TABLE))
def test_policy(store, cases, action, user):
    session = Session(store, user)
    cell = TABLE[(action, user)]
    if action in CASE_ACTIONS:
        allowed = set() if cell == "no" else set(cell.split(","))
        for kind in ("london", "wales", "review"):
            if kind in allowed:
                attempt(session, action, cases[kind], cases)
            else:
                with pytest.raises(Exception) as exc:
                    attempt(session, action, cases[kind], cases)
                assert isinstance(exc.value, AccessDenied), f"{user} {action} {kind}: {exc.value!r}"
    elif cell == "yes":
        attempt(session, action, None, cases)
    else:
        with pytest.raises(AccessDenied):
            attempt(session, action, None, cases)


def test_a_reviewer_cannot_be_assigned_their_own_panels_decision(store, cases):
    manager = Session(store, "case-manager")
    rr = request_review(manager, cases["review"], cases["decision"], "lead", "Second request.")
    with pytest.raises(AccessDenied, match="another panel"):
        assign_reviewer(manager, rr, "reviewer-london")


def test_a_reviewer_cannot_review_a_decision_they_wrote(store, cases):
    manager = Session(store, "case-manager")
    with store.read() as s:
        author = s.get(Decision, cases["decision"]).author
    rr = request_review(manager, cases["review"], cases["decision"], "lead", "Again.")
    with pytest.raises(AccessDenied):
        assign_reviewer(manager, rr, author)


def test_a_trainer_never_sees_who_a_referred_person_is(store):
    frame = referral_quality(Session(store, "trainer"))
    with store.read() as s:
        names = set(s.scalars(select(Referral.person_name)))
        narratives = [n for n in s.scalars(select(Referral.narrative)) if n]
    text = frame.astype(str).to_csv()
    assert not any(name in text for name in names)
    assert not any(n[:40] in text for n in narratives)
    assert not {"person_name", "date_of_birth", "narrative"} & set(frame.columns)


def test_a_chairs_queue_holds_only_their_panels_cases(store):
    chair = Session(store, "chair-london")
    rows = panel_queue(chair, as_of=date(2013, 12, 31))
    assert rows, "the London panel has open cases in the demo data"
    with store.read() as s:
        panels = set(s.scalars(select(Case.panel_id).where(Case.id.in_([r.case_id for r in rows]))))
    assert panels == {chair.user.panel_id}
