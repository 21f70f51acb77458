"""The whole cohort of referrals, drawn at once: who refers whom, when, and what happens to each case.

Headline shares (referrer mix, children, returns, outcomes) are allocated exactly rather than drawn, so a
20,000-case database lands on the profile's figures; times are drawn from gamma distributions with the
profile's means. The draws are made in a fixed order from one numpy generator: same seed, same cohort.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

from workbench.demo.draw import exact, gamma_days, pick_exact

# Relative chance a tier's referral is returned for errors (normalised to the profile's rate).
TIER_RETURN_WEIGHT = {"thorough": 0.35, "adequate": 0.9, "tick_box": 2.1}


@dataclass
class Cohort:
    """One entry per referral, by index."""
    lead_ids: np.ndarray
    tiers: np.ndarray       # the referring lead's quality tier
    is_child: np.ndarray
    received: list[date]
    d_cg: np.ndarray        # days from referral to CG
    returned: np.ndarray    # returned for errors ...
    unsigned: np.ndarray    # ... because the consent form was not signed
    resubmitted: np.ndarray
    abandoned: np.ndarray   # returned and never resubmitted: no decision
    has_rg: np.ndarray
    rg_date: np.ndarray
    rg_pos: np.ndarray
    has_cg: np.ndarray
    cg_pos: np.ndarray


def allocate(rng: np.random.Generator, p: dict, n: int, as_of: date, leads_by_type: dict[str, list[dict]],
             lead_weight: dict[int, float], lead_tier: dict[int, str]) -> Cohort:
    lead_ids, tiers, is_child = _referrers(rng, p, n, leads_by_type, lead_weight, lead_tier)
    open_mask, d_rg, d_cg, received = _timelines(rng, p, n, as_of)
    outcomes = _outcomes(rng, p, n, as_of, tiers, is_child, open_mask, d_rg, received)
    return Cohort(lead_ids=lead_ids, tiers=tiers, is_child=is_child, received=received, d_cg=d_cg, **outcomes)


def _referrers(rng, p, n, leads_by_type, lead_weight, lead_tier):
    """Each referral's organisation type and age group (exact shares), its lead and the lead's tier."""
    org_type = exact(rng, n, p["referrer_mix"])
    is_child = exact(rng, n, {True: p["children_share"], False: 1 - p["children_share"]}).astype(bool)
    lead_ids = np.empty(n, dtype=int)
    for t, leads in leads_by_type.items():
        idx = np.nonzero(org_type == t)[0]
        w = np.array([lead_weight[l["id"]] for l in leads])
        lead_ids[idx] = rng.choice([l["id"] for l in leads], size=len(idx), p=w / w.sum())
    tiers = np.array([lead_tier[i] for i in lead_ids], dtype=object)
    return lead_ids, tiers, is_child


def _timelines(rng, p, n, as_of):
    """Historic cases run to their end before as_of; an open cohort is still in progress."""
    open_mask = np.zeros(n, dtype=bool)
    open_mask[pick_exact(rng, np.arange(n), p["open_share"] * n)] = True
    d_rg = gamma_days(rng, p["mean_days_to_rg"], 2.0, n)
    d_cg = d_rg + gamma_days(rng, p["mean_days_to_cg"] - p["mean_days_to_rg"], 3.0, n, minimum=5)
    window = p["window_days"]
    start = as_of - timedelta(days=window)
    received_offset = np.empty(n, dtype=int)
    for i in range(n):
        if open_mask[i]:
            span = min(window, int(d_cg[i]))  # not yet at CG on as_of
            received_offset[i] = window - int(rng.integers(0, max(span, 1)))
        else:
            latest = max(0, window - int(d_cg[i]) - 60)  # room for a review after the decision
            received_offset[i] = int(rng.integers(0, latest + 1))
    received = [start + timedelta(days=int(o)) for o in received_offset]
    return open_mask, d_rg, d_cg, received


def _outcomes(rng, p, n, as_of, tiers, is_child, open_mask, d_rg, received) -> dict:
    # Returns for errors: exact count, weighted toward tick-box leads; unsigned only for adults.
    w = np.array([TIER_RETURN_WEIGHT[t] for t in tiers], dtype=float)
    returned = np.zeros(n, dtype=bool)
    returned[pick_exact(rng, np.arange(n), p["returned_for_errors_rate"] * n, w)] = True
    ret_idx = np.nonzero(returned)[0]
    adult_ret = ret_idx[~is_child[ret_idx]]
    unsigned = np.zeros(n, dtype=bool)
    unsigned[pick_exact(rng, adult_ret, p["unsigned_share_of_returned"] * len(ret_idx))] = True
    resubmitted = returned & (rng.random(n) < p["resubmitted_share"])
    abandoned = returned & ~resubmitted  # still with the lead: no decision

    # RG decisions: every case not abandoned whose RG date has come. Positive count is exact.
    rg_date = np.array([received[i] + timedelta(days=int(d_rg[i])) for i in range(n)])
    has_rg = ~abandoned & (rg_date <= as_of)
    rg_idx = np.nonzero(has_rg)[0]
    rg_pos = np.zeros(n, dtype=bool)
    rg_pos[pick_exact(rng, rg_idx, p["rg_positive_rate"] * len(rg_idx))] = True
    # CG: historic positive-RG cases; positives allocated exactly to hit the share of referrals.
    has_cg = rg_pos & ~open_mask
    cg_idx = np.nonzero(has_cg)[0]
    cg_pos = np.zeros(n, dtype=bool)
    cg_pos[pick_exact(rng, cg_idx, p["cg_positive_rate_of_referrals"] * n)] = True
    return dict(returned=returned, unsigned=unsigned, resubmitted=resubmitted, abandoned=abandoned,
                has_rg=has_rg, rg_date=rg_date, rg_pos=rg_pos, has_cg=has_cg, cg_pos=cg_pos)
