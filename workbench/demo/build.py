"""Reproducible synthetic demo data, calibrated to a profile (reference/demo_profiles.yaml).

Same seed, same data. `build_demo` draws the cohort (cohort.py), makes each case (people.py, casework.py,
letters.py, reviews.py), bulk-loads every row and scores the referrals for lead feedback. Leads differ in
referral quality (thorough, adequate, tick-box), so feedback has something real to show. Some letter drafts
carry the flawed reasoning the review describes; the categories are recorded as ground truth (`seeded_flaws`).
`workbench demo` builds into a file beside the target and moves it into place only when complete.
"""
from __future__ import annotations

import time
from datetime import timedelta
from types import SimpleNamespace

from sqlalchemy import bindparam, insert, text, update

from workbench.core import audit, lifecycle
from workbench.core.store import Store
from workbench.core.tables import (
    Base,
    Case,
    Decision,
    EvidenceItem,
    IndicatorAssessment,
    Lead,
    LetterDraft,
    Meta,
    Panel,
    QAReview,
    Referral,
    ReferralReturn,
    ReviewRequest,
    User,
)
from workbench.demo.banks import profiles
from workbench.demo.casework import Casework
from workbench.demo.cohort import Cohort, allocate
from workbench.demo.letters import Letters
from workbench.demo.people import PANEL_SLUGS
from workbench.demo.progress import Progress
from workbench.demo.reviews import Reviews
from workbench.feedback.scoring import score_all  # stored referral quality scores (lead feedback)

__all__ = ["PANEL_SLUGS", "build_demo"]

BATCH = 5000
CASE_TABLES = ("returns", "evidence", "assessments", "decisions", "letters", "review_requests", "qa_reviews")


def build_demo(store: Store, *, cases: int = 2000, seed: int = 2014, profile: str = "2013",
               quiet: bool = False) -> dict:
    """Fill an empty store with a demo system. Returns a short summary."""
    if profile not in profiles()["profiles"]:
        raise ValueError(f"unknown profile {profile!r}")
    t0 = time.perf_counter()
    gen = _Generator(store, cases, seed, profile, quiet)
    gen.run()
    score_all(store, quiet=quiet)
    return {"cases": cases, "seed": seed, "profile": profile, "seconds": round(time.perf_counter() - t0, 2),
            "as_of": gen.as_of.isoformat()}


class _Generator(Casework, Letters, Reviews):
    def run(self):
        prog = Progress(self.n, self.quiet)
        self.panels_and_users()
        self.leads()
        cohort = allocate(self.rng, self.p, self.n, self.as_of, self.leads_by_type, self.lead_weight, self.lead_tier)
        self._make_cases(cohort, prog)
        self._write(prog)

    def _make_cases(self, cohort: Cohort, prog: Progress) -> None:
        lead_by_id = {l["id"]: l for l in self.rows["leads"]}
        self.referrals, self.cases = [], []
        for table in CASE_TABLES:
            self.rows[table] = []
        ids = SimpleNamespace(evidence=0, assessment=0, decision=0, letter=0, rr=0, qa=0, ret=0)
        received = cohort.received
        for i in range(self.n):
            lead = lead_by_id[int(cohort.lead_ids[i])]
            c = self._referral_and_case(i, lead, cohort.tiers[i], bool(cohort.is_child[i]), received[i],
                                        bool(cohort.unsigned[i]), bool(cohort.returned[i]),
                                        bool(cohort.resubmitted[i]), ids)
            if cohort.has_rg[i]:
                self._decisions(c, cohort.rg_date[i], bool(cohort.rg_pos[i]), bool(cohort.has_cg[i]),
                                bool(cohort.cg_pos[i]), received[i] + timedelta(days=int(cohort.d_cg[i])), ids)
            elif not cohort.abandoned[i]:
                self._open_work(c, ids)
            prog.step("referrals", i + 1)
        prog.done("referrals")

    # ---- writing ----------------------------------------------------------------------------
    def _write(self, prog: Progress):
        for c in self.cases:
            c.row.update(lifecycle.summary(SimpleNamespace(
                referral=SimpleNamespace(received_on=c.received), returns=c.returns,
                accepted_on=c.row["accepted_on"], assigned_on=c.row["assigned_on"], panel_id=c.row["panel_id"],
                evidence=c.evidence, decisions=c.decisions, review_requests=c.review_requests)))
        tables = [(Panel, self.rows["panels"]), (User, self.rows["users"]), (Lead, self.rows["leads"]),
                  (Referral, self.referrals), (Case, [c.row for c in self.cases]),
                  (ReferralReturn, self.rows["returns"]), (EvidenceItem, self.rows["evidence"]),
                  (Decision, [{**d, "after_review_id": None} for d in self.rows["decisions"]]),
                  (IndicatorAssessment, self.rows["assessments"]), (LetterDraft, self.rows["letters"]),
                  (ReviewRequest, self.rows["review_requests"]), (QAReview, self.rows["qa_reviews"])]
        total = sum(len(rows) for _, rows in tables)
        wp = Progress(total, prog.quiet)
        sqlite = self.store.engine.dialect.name == "sqlite"
        with self.store.engine.connect() as conn:
            if sqlite:  # one bulk load, into a file `workbench demo` moves into place only when complete:
                conn.exec_driver_sql("PRAGMA synchronous=OFF")  # syncing each page buys nothing here
                conn.commit()
            self._insert_all(conn, tables, wp)
            conn.commit()
            if sqlite:
                conn.exec_driver_sql("PRAGMA synchronous=NORMAL")  # back to the store's setting
                conn.commit()
        _reset_sequences(self.store)
        with self.store.transaction() as s:
            audit.append(s, "system", "generate", "demo_data", None,
                         {"profile": self.profile, "seed": self.seed, "cases": self.n})
        wp.done("writing")

    def _insert_all(self, conn, tables, wp: Progress) -> None:
        """Every row, in an order the foreign keys accept, in the connection's one transaction."""
        done = 0
        for model, rows in tables:
            for k in range(0, len(rows), BATCH):
                conn.execute(insert(model), rows[k:k + BATCH])
                done += len(rows[k:k + BATCH])
                wp.step("writing", done)
        # decisions -> review requests -> reviews -> decisions made after a review: close the cycle last.
        linked = [{"did": d["id"], "rid": d["after_review_id"]} for d in self.rows["decisions"]
                  if d["after_review_id"]]
        if linked:
            conn.execute(update(Decision).where(Decision.id == bindparam("did"))
                         .values(after_review_id=bindparam("rid")), linked)
        for key, value in (("demo_profile", self.profile), ("demo_seed", str(self.seed)),
                           ("as_of", self.as_of.isoformat()), ("demo_cases", str(self.n))):
            conn.execute(insert(Meta), [{"key": key, "value": value}])


def _reset_sequences(store: Store) -> None:
    """Explicit ids were inserted; on PostgreSQL move each serial sequence past them."""
    if store.engine.dialect.name != "postgresql":
        return
    with store.engine.begin() as conn:
        for table in Base.metadata.sorted_tables:
            if "id" in table.c and table.name != "audit_log":
                conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                                  f"COALESCE((SELECT MAX(id) FROM {table.name}), 1))"))
