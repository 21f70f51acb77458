"""What trainers read for feedback to leads (5.4.3): per-referral facts with nothing that says who the
person is, and the record that a report was exported."""
from __future__ import annotations

from workbench.core.session import Session
from workbench.feedback.data import leads_frame, load_frame
from workbench.feedback.views import leads_export
from workbench.overview.figures import referral_outcomes_frame


def referral_quality(session: Session):
    """Per-referral facts for feedback to leads, with nothing that says who the person is."""
    with session.store.transaction() as s:
        session.require(s, "view_lead_quality")
        frame = referral_outcomes_frame(s)
        session.audit(s, "list", "referral_quality", None, {"rows": len(frame)})
        return frame


def lead_feedback(session: Session, scopes: list[dict] | None = None):
    """Per-referral facts and stored quality scores for feedback to leads (workbench.feedback.data):
    no name, date of birth or narrative. `scopes` limits it to leads matching any of the given
    {column: value} filters (a report reads one lead's peer group, not the whole database)."""
    with session.store.transaction() as s:
        session.require(s, "view_lead_quality")
        frame = load_frame(s, scopes=scopes)
        session.audit(s, "list", "lead_feedback", None, {"rows": len(frame), "scopes": scopes})
        return frame


def record_feedback_export(session: Session, leads: list[str], target: str) -> None:
    """Check the user may export feedback reports and record that they did (call before writing)."""
    with session.store.transaction() as s:
        session.require(s, "export_feedback")
        session.audit(s, "export", "feedback_report", None, {"leads": list(leads), "target": str(target)})


def list_leads(session: Session) -> list[dict]:
    """Every lead with organisation, type, region and referral count (counts under 5 as "<5")."""
    with session.transaction() as s:
        session.require(s, "list_leads")
        leads = leads_export(leads_frame(s))
        session.audit(s, "list", "leads", None, {"rows": len(leads)})
        return leads
