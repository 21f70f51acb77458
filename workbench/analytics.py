"""Per-referral outcome facts and the headline figures (pandas). Nothing here identifies a person:
no name, date of birth or narrative is ever selected."""
from __future__ import annotations

import pandas as pd
from sqlalchemy import func, select

from workbench.model import ORGANISATION_TYPES, Case, Decision, Lead, Referral, ReferralReturn


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


def headline_stats(df: pd.DataFrame) -> dict:
    """The figures `workbench stats` prints; shares are fractions of 1."""
    n = len(df)
    returned = df[df["returned"]]
    unsigned = returned["return_reasons"].map(lambda r: "consent_unsigned" in r).sum() if len(returned) else 0
    rg = df["rg_outcome"].dropna()
    mix = df["organisation_type"].value_counts()
    return {
        "cases": int(n),
        "children_share": _share(df["is_child"].sum(), n),
        "referrer_mix": {t: _share(mix.get(t, 0), n) for t in ORGANISATION_TYPES},
        "returned_for_errors_rate": _share(len(returned), n),
        "unsigned_share_of_returned": _share(unsigned, len(returned)),
        "rg_decisions": int(len(rg)),
        "rg_positive_rate": _share((rg == "positive").sum(), len(rg)),
        "cg_decisions": int(df["cg_outcome"].notna().sum()),
        "cg_positive_rate_of_referrals": _share((df["cg_latest"] == "positive").sum(), n),
        "mean_days_to_rg": None if df["days_to_rg"].isna().all() else round(float(df["days_to_rg"].mean()), 2),
        "mean_days_to_cg": None if df["days_to_cg"].isna().all() else round(float(df["days_to_cg"].mean()), 2),
    }


def open_case_count(s) -> int:
    from workbench.model import Case

    return int(s.scalar(select(func.count(Case.id)).where(Case.closed.is_(False))))
