"""Feedback to leads on their referral quality and outcomes (review 5.4.3), beside their peer group.

Three things live here, and nowhere else:

- **Suppression** (DESIGN.md: small counts are suppressed in anything a trainer sees or exports):
  `count_out` / `count_text` show any count under 5 as "<5"; `rate` withholds a rate whose base is under
  10 referrals and, where the part counted (or the rest) is under 5, shows only a bound ("under 30%") so
  the small count cannot be worked back. `stat` withholds a mean or median over fewer than 10. Every figure
  a trainer sees — the dashboard, the charts, the HTML report, `workbench leads` — goes through these.
- **Aggregation** in pandas over `workbench.feedback.data.load_frame` (one row per referral, no identities).
- **The view**: `FeedbackView`, the suppressed figures for one lead, organisation or region beside its peer
  group. Widgets, charts and the report render a view; none of them sees a raw count.

Peer groups: a lead is compared with the other leads of the same organisation type in the same region; an
organisation with the other organisations of its type in its region(s); a region with the other regions.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd

from workbench.core.errors import UserError

MIN_COUNT = 5          # counts under this are shown as "<5"
MIN_BASE = 10          # rates, means and medians over fewer cases than this are withheld
SMALL = "<5"
WITHHELD = "withheld"
KINDS = ("lead", "organisation", "region")

SCORE_BANDS = ((0, 49, "0–49"), (50, 69, "50–69"), (70, 84, "70–84"), (85, 94, "85–94"), (95, 100, "95–100"))

CRITERION_LABELS = {
    "consent.given": "Adult's consent recorded",
    "consent.signed": "Adult's consent signed",
    "fields.encounter_location": "Where the person was encountered",
    "fields.encounter_organisation": "Which organisation encountered them",
    "fields.encounter_circumstances": "Circumstances of the encounter",
    "fields.found_in_situ": "Whether found in situ",
    "fields.offence_location": "Where the offence took place",
    "fields.exploitation_location": "Where the exploitation happened",
    "fields.exploitation_type": "Exploitation type known",
    "fields.lead_organisation": "Lead's organisation",
    "fields.lead_location": "Lead's location",
    "fields.identifier_role": "Identifier's role",
    "fields.victims_identified": "Number of potential victims identified",
    "narrative.present": "A substantive narrative",
    "narrative.action": "Narrative: what was done (action)",
    "narrative.means": "Narrative: how (means, adults)",
    "narrative.purpose": "Narrative: why (purpose)",
    "narrative.who": "Narrative: who controlled the person",
    "narrative.where": "Narrative: where",
    "narrative.when": "Narrative: when",
    "indicators.ticked": "At least one indicator ticked",
    "indicators.known": "Indicator ids known",
    "indicators.explained": "Each ticked indicator explained",
    "indicators.age": "Indicators for the person's age",
    "exploitation.consistent": "Exploitation type fits the indicators",
    "detention.endorsed": "Detention referral endorsed",
    "person.age": "Age consistent",
}
RETURN_REASON_LABELS = {
    "consent_unsigned": "Consent not signed",
    "narrative_missing": "Narrative missing",
    "encounter_details_missing": "Encounter details missing",
    "wrong_form_for_age": "Wrong form for the person's age",
    "indicators_unexplained": "Indicators not explained",
    "detention_not_endorsed": "Detention referral not endorsed",
}


# ------------------------------------------------------------------------------------------ suppression

def count_out(n) -> int | str:
    """A count as a trainer may see or export it: the number from 5 up, "<5" under 5 (zero included)."""
    n = int(n)
    return SMALL if n < MIN_COUNT else n


def count_text(n) -> str:
    v = count_out(n)
    return v if isinstance(v, str) else f"{v:,}"


@dataclass(frozen=True)
class Rate:
    """A suppressed rate: `value` (0..1) only when it may be shown exactly; `text` always."""
    value: float | None
    text: str
    base: int | str          # the denominator, itself suppressed
    withheld: bool = False

    @property
    def shown(self) -> bool:
        return self.value is not None


def rate(part, base) -> Rate:
    """part/base for a trainer. Withheld under 10 cases; a bound when the part or the rest is under 5."""
    part, base = int(part), int(base)
    if base < MIN_BASE:
        return Rate(None, "withheld" if base else "none", count_out(base), True)
    if part < MIN_COUNT:
        return Rate(None, f"under {math.ceil(100 * MIN_COUNT / base)}%", base)
    if base - part < MIN_COUNT:
        return Rate(None, f"over {math.floor(100 * (base - MIN_COUNT) / base)}%", base)
    return Rate(part / base, f"{100 * part / base:.0f}%", base)


@dataclass(frozen=True)
class Stat:
    """A suppressed mean or median: withheld over fewer than 10 values."""
    value: float | None
    text: str
    base: int | str


def stat(values: pd.Series, how: str = "mean", unit: str = "", digits: int = 0) -> Stat:
    values = values.dropna()
    n = len(values)
    if n < MIN_BASE:
        return Stat(None, "withheld" if n else "none", count_out(n))
    v = float(values.mean() if how == "mean" else values.median())
    return Stat(v, f"{v:.{digits}f}{unit}", n)


# ------------------------------------------------------------------------------------------ the data

class FeedbackData:
    """The per-referral frame plus arrays for fast selection (a 200,000-referral frame switches lead in
    milliseconds; the charts cost more than the sums)."""

    def __init__(self, frame: pd.DataFrame, as_of: date | None = None):
        self.df = frame.reset_index(drop=True)
        self.as_of = as_of
        from qa_checks.feedback.referrals import load_criteria

        known = [c.id for c in load_criteria()]
        seen = {c for fc in self.df["failed_criteria"] for c in fc}
        self.criteria = known + sorted(seen - set(known))
        index = {c: k for k, c in enumerate(self.criteria)}
        miss = np.zeros((len(self.df), len(self.criteria)), dtype=bool)
        flat = self.df["failed_criteria"].explode().dropna()
        if len(flat):
            miss[flat.index.to_numpy(), flat.map(index).to_numpy(dtype=int)] = True
        self.miss = miss
        self._col = {c: self.df[c].to_numpy() for c in ("lead_id", "organisation", "organisation_type", "region")}
        self.leads = (self.df.groupby(["lead_id", "lead_code", "organisation", "organisation_type", "region"])
                      .size().rename("referrals").reset_index().sort_values("lead_code").reset_index(drop=True))

    # ---- choosing -----------------------------------------------------------------------------
    def options(self, kind: str) -> list[tuple[str, object]]:
        """(label, key) pairs for a chooser."""
        if kind == "lead":
            return [(f"{r.lead_code} · {r.organisation} · {r.region}", int(r.lead_id))
                    for r in self.leads.itertuples()]
        if kind == "organisation":
            return [(o, o) for o in sorted(self.leads["organisation"].unique())]
        if kind == "region":
            return [(r, r) for r in sorted(self.leads["region"].unique())]
        raise UserError(f"choose a lead, an organisation or a region, not {kind!r}")

    def lead_row(self, lead_id):
        rows = self.leads[self.leads["lead_id"] == lead_id]
        return None if rows.empty else rows.iloc[0]

    def resolve_lead(self, lead: str | int):
        """A lead by its code (SSL-00042) or number id; a UserError naming the lead otherwise."""
        text = str(lead).strip()
        rows = self.leads[self.leads["lead_code"].str.upper() == text.upper()]
        if rows.empty and text.isdigit():
            rows = self.leads[self.leads["lead_id"] == int(text)]
        if rows.empty:
            raise UserError(f"no lead {text!r} with referrals in this database (list leads with `workbench leads`)")
        return rows.iloc[0]

    def masks(self, kind: str, key) -> tuple[np.ndarray, np.ndarray, str, str, str]:
        """(subject mask, peer mask, title, subtitle, peer label)."""
        c = self._col
        if kind == "lead":
            r = self.lead_row(key)
            if r is None:
                raise UserError(f"no lead with id {key!r}")
            subject = c["lead_id"] == r.lead_id
            peers = (c["organisation_type"] == r.organisation_type) & (c["region"] == r.region) & ~subject
            return (subject, peers, f"Lead {r.lead_code}",
                    f"{r.organisation} · {TYPE_LABELS.get(r.organisation_type, r.organisation_type)} · {r.region}",
                    f"other {TYPE_PLURALS.get(r.organisation_type, r.organisation_type)} leads in {r.region}")
        if kind == "organisation":
            subject = c["organisation"] == key
            if not subject.any():
                raise UserError(f"no organisation {key!r} with referrals in this database")
            types = pd.unique(c["organisation_type"][subject])
            regions = pd.unique(c["region"][subject])
            peers = np.isin(c["organisation_type"], types) & np.isin(c["region"], regions) & ~subject
            where = regions[0] if len(regions) == 1 else f"the same {len(regions)} regions"
            kinds = ", ".join(TYPE_PLURALS.get(t, t) for t in types)
            return (subject, peers, str(key), f"{kinds} · {', '.join(sorted(regions)) if len(regions) <= 3 else where}",
                    f"other {kinds} organisations in {where}")
        if kind == "region":
            subject = c["region"] == key
            if not subject.any():
                raise UserError(f"no region {key!r} with referrals in this database")
            return subject, ~subject, str(key), "all referring organisations in the region", "the other regions"
        raise UserError(f"choose a lead, an organisation or a region, not {kind!r}")

    def view(self, kind: str, key) -> FeedbackView:
        subject, peers, title, subtitle, peer_label = self.masks(kind, key)
        return build_view(self, kind, key, subject, peers, title, subtitle, peer_label)


TYPE_LABELS = {"home_office": "Home Office", "police": "Police", "ngo": "NGO", "local_authority": "Local authority",
               "nca": "NCA", "gla": "GLA", "health": "Health"}
TYPE_PLURALS = {"home_office": "Home Office", "police": "police", "ngo": "NGO", "local_authority": "local authority",
                "nca": "NCA", "gla": "GLA", "health": "health"}


# ------------------------------------------------------------------------------------------ the view

@dataclass(frozen=True)
class Metric:
    key: str
    label: str
    subject: str
    peer: str
    subject_value: float | None    # for charts: only when shown exactly
    peer_value: float | None
    note: str = ""


@dataclass(frozen=True)
class FeedbackView:
    kind: str
    key: object
    title: str
    subtitle: str
    peer_label: str
    as_of: date | None
    referrals: int | str                  # suppressed
    peer_referrals: int | str
    leads: int | str                      # leads in the subject / the peer group (suppressed)
    peer_leads: int | str
    metrics: tuple[Metric, ...]
    score_bands: tuple[dict, ...]         # band, subject/peer share (None when not shown), counts as text
    quarters: tuple[dict, ...]            # quarter, counts as text, count value when >= 5, mean scores
    criteria: tuple[dict, ...]            # most often missed: criterion, label, subject/peer Rate, count text
    return_reasons: tuple[dict, ...]      # reason, label, subject/peer count text
    notes: tuple[str, ...] = field(default=())

    def all_texts(self) -> list[str]:
        """Every figure shown, as text (for tests: nothing here may be a count under 5)."""
        out = [str(self.referrals), str(self.peer_referrals), str(self.leads), str(self.peer_leads)]
        for m in self.metrics:
            out += [m.subject, m.peer]
        for rows in (self.score_bands, self.quarters, self.criteria, self.return_reasons):
            for r in rows:
                out += [str(v) for v in r.values()]
        return out


def _share(part, base) -> Rate:
    return rate(part, base)


def _days(values: pd.Series) -> Stat:
    return stat(values, "median", " days")


def _metrics(d: pd.DataFrame, p: pd.DataFrame) -> tuple[Metric, ...]:
    def m(key, label, a, b, note=""):
        return Metric(key, label, a.text, b.text, a.value, b.value, note)

    def rg(x):
        return rate((x["rg_outcome"] == "positive").sum(), x["rg_outcome"].notna().sum())

    def cg(x):
        return rate((x["cg_outcome"] == "positive").sum(), x["cg_outcome"].notna().sum())

    def scored(x):
        return x[x["scored"]]

    return (
        m("children", "Children among referrals", rate(d["is_child"].sum(), len(d)), rate(p["is_child"].sum(), len(p))),
        m("mean_score", "Mean quality score (0–100)", stat(scored(d)["score"]), stat(scored(p)["score"]),
          "the referral checks' score; 100 = everything the panel needs"),
        m("would_be_returned", "Would be returned, on the checks",
          rate(scored(d)["would_be_returned"].sum(), len(scored(d))),
          rate(scored(p)["would_be_returned"].sum(), len(scored(p))),
          "unsigned or missing consent, or a detention referral not endorsed"),
        m("returned", "Returned for errors", rate(d["returned"].sum(), len(d)), rate(p["returned"].sum(), len(p)),
          "by the case management unit"),
        m("rg_positive", "Positive reasonable grounds", rg(d), rg(p), "share of first RG decisions"),
        m("cg_positive", "Positive conclusive grounds", cg(d), cg(p), "share of CG decisions (latest outcome)"),
        m("days_to_rg", "Median days to reasonable grounds", _days(d["days_to_rg"]), _days(p["days_to_rg"])),
        m("days_to_cg", "Median days to conclusive grounds", _days(d["days_to_cg"]), _days(p["days_to_cg"])),
    )


def _bands(d: pd.DataFrame, p: pd.DataFrame) -> tuple[dict, ...]:
    ds, ps = d.loc[d["scored"], "score"], p.loc[p["scored"], "score"]
    out = []
    for lo, hi, label in SCORE_BANDS:
        a = int(((ds >= lo) & (ds <= hi)).sum())
        b = int(((ps >= lo) & (ps <= hi)).sum())
        ra, rb = rate(a, len(ds)), rate(b, len(ps))
        out.append({"band": label, "subject_count": count_text(a), "subject_share": ra.value,
                    "subject_text": ra.text, "peer_count": count_text(b), "peer_share": rb.value,
                    "peer_text": rb.text})
    return tuple(out)


def _quarters(d: pd.DataFrame, p: pd.DataFrame) -> tuple[dict, ...]:
    quarters = sorted(set(d["quarter"]) | set(p["quarter"]))
    dg = d.groupby("quarter")["score"]
    pg = p.groupby("quarter")["score"]
    dn, pn = d.groupby("quarter").size(), p.groupby("quarter").size()
    out = []
    for q in quarters:
        n, pn_q = int(dn.get(q, 0)), int(pn.get(q, 0))
        sa = stat(dg.get_group(q) if q in dg.groups else pd.Series(dtype=float))
        sb = stat(pg.get_group(q) if q in pg.groups else pd.Series(dtype=float))
        out.append({"quarter": q, "referrals": count_text(n), "referrals_value": n if n >= MIN_COUNT else None,
                    "mean_score": sa.value, "mean_score_text": sa.text,
                    "peer_referrals": count_text(pn_q), "peer_mean_score": sb.value, "peer_mean_score_text": sb.text})
    return tuple(out)


def _criteria(data: FeedbackData, subject: np.ndarray, peers: np.ndarray, d, p, top: int) -> tuple[dict, ...]:
    sm, pm = data.miss[subject & data.df["scored"].to_numpy()], data.miss[peers & data.df["scored"].to_numpy()]
    sn, pn = sm.sum(axis=0), pm.sum(axis=0)
    order = np.argsort(-sn, kind="stable")
    out = []
    for k in order[:top]:
        if sn[k] == 0:
            break
        cid = data.criteria[k]
        a, b = rate(sn[k], len(sm)), rate(pn[k], len(pm))
        out.append({"criterion": cid, "label": CRITERION_LABELS.get(cid, cid), "subject_count": count_text(sn[k]),
                    "subject_share": a.value, "subject_text": a.text, "peer_share": b.value, "peer_text": b.text})
    return tuple(out)


def _reasons(d: pd.DataFrame, p: pd.DataFrame) -> tuple[dict, ...]:
    def counts(x):
        r = x.loc[x["returned"], "return_reasons"]
        return pd.Series([v for rs in r for v in rs], dtype=object).value_counts()

    a, b = counts(d), counts(p)
    nd, np_ = int(d["returned"].sum()), int(p["returned"].sum())
    reasons = sorted(set(a.index) | set(b.index), key=lambda k: (-int(a.get(k, 0)), -int(b.get(k, 0)), k))
    out = []
    for reason in reasons:
        ra, rb = rate(int(a.get(reason, 0)), nd), rate(int(b.get(reason, 0)), np_)
        out.append({"reason": reason, "label": RETURN_REASON_LABELS.get(reason, reason.replace("_", " ")),
                    "subject_count": count_text(int(a.get(reason, 0))), "subject_text": ra.text,
                    "peer_count": count_text(int(b.get(reason, 0))), "peer_text": rb.text})
    return tuple(out)


def build_view(data: FeedbackData, kind, key, subject, peers, title, subtitle, peer_label,
               top_criteria: int = 8) -> FeedbackView:
    d, p = data.df[subject], data.df[peers]
    notes = []
    if len(d) and not d["scored"].all():
        notes.append("Some referrals have no stored quality score yet; run the scoring again.")
    if len(p) < MIN_BASE:
        notes.append("The peer group is small, so most of its figures are withheld.")
    return FeedbackView(
        kind=kind, key=key, title=title, subtitle=subtitle, peer_label=peer_label, as_of=data.as_of,
        referrals=count_out(len(d)), peer_referrals=count_out(len(p)),
        leads=count_out(d["lead_id"].nunique()), peer_leads=count_out(p["lead_id"].nunique()), metrics=_metrics(d, p),
        score_bands=_bands(d, p), quarters=_quarters(d, p),
        criteria=_criteria(data, subject, peers, d, p, top_criteria), return_reasons=_reasons(d, p),
        notes=tuple(notes))


def leads_export(data_or_frame) -> list[dict]:
    """`workbench leads`: every lead with its referral count suppressed ("<5" under 5)."""
    frame = data_or_frame.leads if isinstance(data_or_frame, FeedbackData) else data_or_frame
    return [{"id": r.lead_code, "organisation": r.organisation, "organisation_type": r.organisation_type,
             "region": r.region, "referrals": count_out(r.referrals)} for r in frame.itertuples()]
