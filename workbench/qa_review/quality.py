"""Quality over time for the second pair of eyes: how often reviews find a failing, per deciding panel and
per checklist item, by quarter; and agreement between two reviewers of the same decision (Cohen's kappa
per item), so the panels can see which items are applied inconsistently.

Input: the rows `review_findings(Session)` returns (one per standing review and checklist item).
Everything is aggregated in pandas before any chart sees it; counts under 5 are suppressed (DESIGN.md).
"""
from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import pandas as pd

from qa_checks.qa_review import procedure

MIN_COUNT = 5
SUPPRESSED = "fewer than 5"


def frame(rows: list[dict]) -> pd.DataFrame:
    cols = ["qa_review_id", "review_request_id", "decision_id", "case_id", "panel", "reviewer", "outcome",
            "completed_on", "item", "status", "sample"]
    df = pd.DataFrame(rows, columns=cols)
    if df.empty:
        df["quarter"] = pd.Series(dtype=str)
        return df
    df["completed_on"] = pd.to_datetime(df["completed_on"])
    df["quarter"] = df["completed_on"].dt.to_period("Q").astype(str)
    return df


def item_label(item_id: str) -> str:
    try:
        return procedure.item(item_id).text.split(",")[0].split(" (")[0].rstrip(".")
    except KeyError:
        return item_id.replace("_", " ")


SHORT = {"evidence_considered": "Evidence arrived and considered", "support_provider_information": "Support provider asked",
         "childrens_services_information": "Children's services asked", "right_test": "Right test",
         "trauma_considered": "Trauma considered", "asylum_separate": "Separate from asylum",
         "no_prosecution_dependence": "No reliance on prosecution", "reasons_given": "Reasons refer to evidence",
         "letter_free_of_flaws": "Letter free of flaws", "child_friendly_language": "Child-friendly letter",
         "timescales": "Timescales or escalation", "detention_endorsed": "Detention endorsed",
         "consent_recorded": "Consent recorded"}


def short(item_id: str) -> str:
    return SHORT.get(item_id, item_id.replace("_", " "))


def suppress(df: pd.DataFrame) -> pd.DataFrame:
    """`reviews` and `failing` counts: a cell with fewer than 5 reviews, or 1 to 4 failings, shows no figure."""
    out = df.copy()
    small = (out["reviews"] < MIN_COUNT) | ((out["failing"] > 0) & (out["failing"] < MIN_COUNT))
    out["suppressed"] = small
    out["share"] = (out["failing"] / out["reviews"]).where(~small)
    out["shown_reviews"] = out["reviews"].where(out["reviews"] >= MIN_COUNT)
    out["shown_failing"] = out["failing"].where(~small)
    out["label"] = [SUPPRESSED if s else f"{f:.0f} of {r:.0f} ({100 * f / r:.0f}%)"
                    for s, f, r in zip(small, out["failing"], out["reviews"])]
    return out


def by_panel(df: pd.DataFrame) -> pd.DataFrame:
    """Per deciding panel and quarter: reviews completed, and how many found a procedural failing."""
    main = df[~df["sample"]] if not df.empty else df
    reviews = main.drop_duplicates("qa_review_id")
    g = (reviews.assign(failing=reviews["outcome"].eq("procedural_failing").astype(int))
         .groupby(["panel", "quarter"], as_index=False).agg(reviews=("qa_review_id", "size"), failing=("failing", "sum")))
    return suppress(g)


def by_item(df: pd.DataFrame) -> pd.DataFrame:
    """Per checklist item and quarter: reviews that answered the item, and how many found it failing."""
    main = df[~df["sample"]] if not df.empty else df
    g = (main.assign(failing=main["status"].eq("fail").astype(int))
         .groupby(["item", "quarter"], as_index=False).agg(reviews=("qa_review_id", "size"), failing=("failing", "sum")))
    g = suppress(g)
    g["item_label"] = g["item"].map(short)
    return g


def by_panel_item(df: pd.DataFrame) -> pd.DataFrame:
    """Per deciding panel and checklist item, over the whole period."""
    main = df[~df["sample"]] if not df.empty else df
    g = (main.assign(failing=main["status"].eq("fail").astype(int))
         .groupby(["panel", "item"], as_index=False).agg(reviews=("qa_review_id", "size"), failing=("failing", "sum")))
    g = suppress(g)
    g["item_label"] = g["item"].map(short)
    return g


# ------------------------------------------------------------------------------------------ agreement

@dataclass(frozen=True)
class Agreement:
    item: str
    pairs: int
    agreed: int
    kappa: float | None  # None: too few pairs, or only one answer given (kappa undefined)
    note: str

    @property
    def percent_agreed(self) -> float | None:
        return 100 * self.agreed / self.pairs if self.pairs else None


def review_pairs(df: pd.DataFrame) -> pd.DataFrame:
    """Decisions reviewed twice by two different reviewers: one row per (decision, item) with both answers."""
    if df.empty:
        return pd.DataFrame(columns=["decision_id", "item", "a", "b"])
    first = (df.sort_values("qa_review_id")
             .drop_duplicates(["decision_id", "reviewer", "item"]))  # one standing answer per reviewer
    out = []
    for (decision, item), g in first.groupby(["decision_id", "item"]):
        if g["reviewer"].nunique() < 2:
            continue
        a, b = g.iloc[0], g[g["reviewer"] != g.iloc[0]["reviewer"]].iloc[0]
        out.append({"decision_id": decision, "item": item, "a": a["status"], "b": b["status"]})
    return pd.DataFrame(out, columns=["decision_id", "item", "a", "b"])


def agreement(df: pd.DataFrame) -> list[Agreement]:
    """Cohen's kappa per checklist item between the two reviewers of each twice-reviewed decision."""
    from sklearn.metrics import cohen_kappa_score

    pairs = review_pairs(df)
    out = []
    order = {it.id: i for i, it in enumerate(procedure.load_checklist())}
    for item, g in sorted(pairs.groupby("item"), key=lambda kv: order.get(kv[0], 99)):
        n, agreed = len(g), int((g["a"] == g["b"]).sum())
        if n < MIN_COUNT:
            out.append(Agreement(item, n, agreed, None, f"{SUPPRESSED} pairs"))
            continue
        if len(set(g["a"]) | set(g["b"])) < 2:
            out.append(Agreement(item, n, agreed, None, "every answer was the same; kappa is undefined"))
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            k = float(cohen_kappa_score(g["a"], g["b"], labels=list(procedure.STATUSES)))
        out.append(Agreement(item, n, agreed, None if math.isnan(k) else k, strength(k)))
    return out


def strength(k: float) -> str:
    """Landis and Koch's (1977) words for kappa."""
    if k is None or math.isnan(k):
        return "undefined"
    if k < 0:
        return "worse than chance"
    for upper, word in ((0.2, "slight"), (0.4, "fair"), (0.6, "moderate"), (0.8, "substantial")):
        if k <= upper:
            return word
    return "almost perfect"
