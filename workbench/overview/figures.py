"""Per-referral outcome facts and the headline figures (pandas). Nothing here identifies a person:
no name, date of birth or narrative is ever selected."""
from __future__ import annotations

import pandas as pd
from sqlalchemy import func, select

from workbench.core.session import Session
from workbench.core.tables import (
    ORGANISATION_TYPES,
    Case,
    Decision,
    Lead,
    Referral,
    ReferralReturn,
)


def _first_decisions(s, stage: str) -> pd.DataFrame:
    first = (select(Decision.case_id, func.min(Decision.id).label("id"))
             .where(Decision.stage == stage).group_by(Decision.case_id).subquery())
    q = select(first.c.case_id, Decision.outcome, Decision.decided_on).join(Decision, Decision.id == first.c.id)
    return pd.DataFrame(s.execute(q).all(), columns=["case_id", f"{stage}_outcome", f"{stage}_on"])


def _latest_outcome(s, stage: str) -> pd.DataFrame:
    last = (select(Decision.case_id, func.max(Decision.id).label("id"))
            .where(Decision.stage == stage).group_by(Decision.case_id).subquery())
    q = select(last.c.case_id, Decision.outcome).join(Decision, Decision.id == last.c.id)
    return pd.DataFrame(s.execute(q).all(), columns=["case_id", f"{stage}_latest"])


def referral_outcomes_frame(s) -> pd.DataFrame:
    q = (select(Case.id.label("case_id"), Case.panel_id, Lead.id.label("lead_id"), Lead.code.label("lead_code"),
                Lead.organisation, Lead.organisation_type, Lead.region, Referral.received_on, Referral.is_child,
                Referral.nationality_group, Referral.exploitation_primary, Referral.consent_given,
                Referral.consent_signed, Referral.detention, Referral.detention_endorsed_on,
                func.length(Referral.narrative).label("narrative_chars"))
         .join(Referral, Referral.id == Case.referral_id).join(Lead, Lead.id == Referral.lead_id))
    cols = ["case_id", "panel_id", "lead_id", "lead_code", "organisation", "organisation_type", "region",
            "received_on", "is_child", "nationality_group", "exploitation_primary", "consent_given",
            "consent_signed", "detention", "detention_endorsed_on", "narrative_chars"]
    df = pd.DataFrame(s.execute(q).all(), columns=cols)
    returns = pd.DataFrame(s.execute(select(ReferralReturn.case_id, ReferralReturn.reasons)).all(),
                           columns=["case_id", "reasons"])
    if len(returns):
        returns = returns.groupby("case_id")["reasons"].agg(lambda rs: sorted({x for r in rs for x in r}))
        df["return_reasons"] = df["case_id"].map(returns)
    else:
        df["return_reasons"] = None
    df["returned"] = df["return_reasons"].notna()
    for stage in ("rg", "cg"):
        df = df.merge(_first_decisions(s, stage), on="case_id", how="left")
        df = df.merge(_latest_outcome(s, stage), on="case_id", how="left")
        days = pd.to_datetime(df[f"{stage}_on"]) - pd.to_datetime(df["received_on"])
        df[f"days_to_{stage}"] = days.dt.days
    return df


def _share(n, d) -> float | None:
    return None if not d else round(float(n) / float(d), 4)


def _first_decision_days(s, stage: str) -> tuple[int, int, float | None]:
    """(decisions, positive, mean days from referral) over each case's first decision at `stage`."""
    first = (select(func.min(Decision.id).label("id")).where(Decision.stage == stage)
             .group_by(Decision.case_id).subquery())
    rows = s.execute(select(Decision.outcome, Decision.decided_on, Referral.received_on)
                     .join(first, first.c.id == Decision.id).join(Case, Case.id == Decision.case_id)
                     .join(Referral, Referral.id == Case.referral_id)).all()
    if not rows:
        return 0, 0, None
    positive = sum(1 for r in rows if r.outcome == "positive")
    mean = sum((r.decided_on - r.received_on).days for r in rows) / len(rows)
    return len(rows), positive, round(mean, 2)


def headline_figures(s) -> dict:
    """The figures `workbench stats` and the landing page show; shares are fractions of 1.
    Aggregated in the database (plus one pass over first decisions), so it stays quick at 100,000 cases."""
    n = s.scalar(select(func.count(Case.id))) or 0
    children = s.scalar(select(func.count(Referral.id)).where(Referral.is_child.is_(True))) or 0
    mix = dict(s.execute(select(Lead.organisation_type, func.count(Referral.id))
                         .join(Referral, Referral.lead_id == Lead.id).group_by(Lead.organisation_type)).all())
    reasons: dict[int, set] = {}
    for case_id, rs in s.execute(select(ReferralReturn.case_id, ReferralReturn.reasons)):
        reasons.setdefault(case_id, set()).update(rs or [])
    unsigned = sum(1 for rs in reasons.values() if "consent_unsigned" in rs)
    rg_n, rg_pos, rg_days = _first_decision_days(s, "rg")
    cg_n, _, cg_days = _first_decision_days(s, "cg")
    latest_cg = (select(func.max(Decision.id).label("id")).where(Decision.stage == "cg")
                 .group_by(Decision.case_id).subquery())
    cg_pos_latest = s.scalar(select(func.count(Decision.id)).join(latest_cg, latest_cg.c.id == Decision.id)
                             .where(Decision.outcome == "positive")) or 0
    return {
        "cases": int(n),
        "children_share": _share(children, n),
        "referrer_mix": {t: _share(mix.get(t, 0), n) for t in ORGANISATION_TYPES},
        "returned_for_errors_rate": _share(len(reasons), n),
        "unsigned_share_of_returned": _share(unsigned, len(reasons)),
        "rg_decisions": rg_n,
        "rg_positive_rate": _share(rg_pos, rg_n),
        "cg_decisions": cg_n,
        "cg_positive_rate_of_referrals": _share(cg_pos_latest, n),
        "mean_days_to_rg": rg_days,
        "mean_days_to_cg": cg_days,
        "open_cases": open_case_count(s),
    }


def open_case_count(s) -> int:
    return int(s.scalar(select(func.count(Case.id)).where(Case.closed.is_(False))))


def overview_figures(session: Session) -> dict:
    """The system's headline figures (aggregates only, so every role may see them)."""
    with session.store.transaction() as s:
        session.require(s, "view_overview")
        stats = headline_figures(s)
        session.audit(s, "view", "overview")
        return stats
