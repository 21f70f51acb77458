"""What one demo build carries while it runs: the profile, the two random streams, and the rows so far.

The build's parts (people, casework, letters, reviews) are mixins over this state; `build._Generator`
puts them together. Each case in progress is a SimpleNamespace `c` with `row` (the case), `ref` (the
referral), `panel_id`, `received`, `tier`, `place` and its `returns`, `evidence`, `decisions` and
`review_requests` so far.
"""
from __future__ import annotations

import random
from datetime import date
from types import SimpleNamespace

import numpy as np

from workbench.core.store import Store
from workbench.demo.banks import profiles


class DemoState:
    # Set by People.panels_and_users and People.leads:
    panel_by_region: dict[str, int]
    chair_of: dict[int, str]
    members_of: dict[int, list[str]]
    reviewers_by_panel: dict[int, list[str]]
    lead_tier: dict[int, str]
    leads_by_type: dict[str, list[dict]]
    lead_weight: dict[int, float]
    # Set when the cases are made:
    referrals: list[dict]
    cases: list[SimpleNamespace]

    def __init__(self, store: Store, n: int, seed: int, profile: str, quiet: bool):
        self.store, self.n, self.seed, self.quiet = store, n, seed, quiet
        self.p = profiles()["profiles"][profile]
        self.profile = profile
        self.rng = np.random.default_rng(seed)  # whole-cohort draws (vectorised)
        self.rand = random.Random(seed)  # per-case draws
        self.as_of: date = self.p["as_of"]
        self.rows: dict[str, list[dict]] = {}
