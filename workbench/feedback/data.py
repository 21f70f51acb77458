"""The facts lead feedback is computed from: one row per referral, nothing that says who the person is.

Like `workbench.overview.figures.referral_outcomes_frame` (same definitions: the first reasonable-grounds
decision and its date, the latest conclusive-grounds outcome, days counted from the day the referral
was received, a referral "returned" when it has any return for errors), plus the stored quality score
(`workbench.feedback.scoring`), and with a filter so a report for one lead reads only that lead's peer
group rather than the whole database. tests/workbench/test_feedback_data.py checks the two agree.

No name, date of birth, narrative or free text of the referral is ever selected.
"""
from __future__ import annotations

import pandas as pd
from sqlalchemy import and_, func, or_, select

from workbench.core.tables import (
    Case,
    Decision,
    Lead,
    Referral,
    ReferralQuality,
    ReferralReturn,
)

COLUMNS = ["referral_id", "case_id", "lead_id", "lead_code", "organisation", "organisation_type", "region",
           "received_on", "is_child", "score", "would_be_returned", "failed_criteria", "rg_outcome", "rg_on",
           "cg_outcome", "cg_on"]


def _decision_id(stage: str, fn):
    return (select(fn(Decision.id)).where(Decision.case_id == Case.id, Decision.stage == stage)
            .correlate(Case).scalar_subquery())


def load_frame(s, *, scopes: list[dict] | None = None) -> pd.DataFrame:
    """Per-referral facts for lead feedback. `scopes` limits the rows to leads matching any of the given
    column filters, e.g. [{"organisation_type": "police", "region": "London"}] (None = every referral)."""
    rg = Decision.__table__.alias("rg")
    cg = Decision.__table__.alias("cg")
    q = (select(Referral.id, Case.id, Lead.id, Lead.code, Lead.organisation, Lead.organisation_type, Lead.region,
                Referral.received_on, Referral.is_child, ReferralQuality.score, ReferralQuality.would_be_returned,
                ReferralQuality.failed_criteria, rg.c.outcome, rg.c.decided_on, cg.c.outcome, cg.c.decided_on)
         .select_from(Referral)
         .join(Lead, Lead.id == Referral.lead_id)
         .outerjoin(Case, Case.referral_id == Referral.id)
         .outerjoin(ReferralQuality, ReferralQuality.referral_id == Referral.id)
         .outerjoin(rg, rg.c.id == _decision_id("rg", func.min))
         .outerjoin(cg, cg.c.id == _decision_id("cg", func.max)))
    where = _scope_filter(scopes)
    if where is not None:
        q = q.where(where)
    df = pd.DataFrame(s.execute(q).all(), columns=COLUMNS)
    # The first CG decision's date is when the case was first decided; the latest outcome is what stands.
    first_cg = (select(Decision.case_id, func.min(Decision.decided_on))
                .where(Decision.stage == "cg").group_by(Decision.case_id))
    rq = (select(ReferralReturn.case_id, ReferralReturn.reasons)
          .join(Case, Case.id == ReferralReturn.case_id).join(Referral, Referral.id == Case.referral_id)
          .join(Lead, Lead.id == Referral.lead_id))
    if where is not None:
        first_cg = first_cg.join(Case, Case.id == Decision.case_id).join(
            Referral, Referral.id == Case.referral_id).join(Lead, Lead.id == Referral.lead_id).where(where)
        rq = rq.where(where)
    cg_on = dict(s.execute(first_cg).all())
    df["cg_on"] = df["case_id"].map(cg_on) if len(df) else df["cg_on"]
    reasons: dict[int, set] = {}
    for case_id, rs in s.execute(rq).all():
        reasons.setdefault(case_id, set()).update(rs or [])
    df["return_reasons"] = df["case_id"].map(lambda c: sorted(reasons[c]) if c in reasons else None)
    df["returned"] = df["return_reasons"].notna()
    received = pd.to_datetime(df["received_on"])
    for stage in ("rg", "cg"):
        df[f"days_to_{stage}"] = (pd.to_datetime(df[f"{stage}_on"]) - received).dt.days
    df["quarter"] = received.dt.year.astype("Int64").astype(str) + " Q" + received.dt.quarter.astype("Int64").astype(str)
    df["failed_criteria"] = df["failed_criteria"].map(lambda v: list(v) if isinstance(v, list) else [])
    df["scored"] = df["score"].notna()
    return df


def _scope_filter(scopes):
    if scopes is None:
        return None
    parts = []
    for scope in scopes:
        conds = []
        for col, value in scope.items():
            column = getattr(Lead, col)
            conds.append(column.in_(value) if isinstance(value, (list, tuple, set)) else column == value)
        parts.append(and_(*conds))
    return or_(*parts) if parts else Lead.id.is_(None)


def leads_frame(s) -> pd.DataFrame:
    """Every lead with its organisation, type, region and number of referrals (no names of anyone)."""
    counts = (select(Referral.lead_id, func.count(Referral.id).label("n")).group_by(Referral.lead_id).subquery())
    q = (select(Lead.id, Lead.code, Lead.organisation, Lead.organisation_type, Lead.region,
                func.coalesce(counts.c.n, 0))
         .outerjoin(counts, counts.c.lead_id == Lead.id).order_by(Lead.code))
    return pd.DataFrame(s.execute(q).all(),
                        columns=["lead_id", "lead_code", "organisation", "organisation_type", "region", "referrals"])
