"""Review requests and the second pair of eyes: a demo reviewer's procedural checklist of a decision,
sometimes sent back, and a sample reviewed twice so agreement between reviewers can be measured."""
from __future__ import annotations

import random
from datetime import timedelta
from types import SimpleNamespace

import numpy as np

from qa_checks.legal_tests import recovery_period_days
from workbench.demo.banks import phrases
from workbench.demo.state import DemoState

QA_NOTES = {  # a demo reviewer's note on an item that is not simply met
    ("evidence_considered", "fail"): "Information asked for had not arrived when the panel decided.",
    ("support_provider_information", "fail"): "The support provider's report was not before the panel.",
    ("support_provider_information", "cannot_tell"): "No request to the support provider on file.",
    ("childrens_services_information", "fail"): "Children's services' information was not before the panel.",
    ("right_test", "fail"): "The letter applies a higher standard than the stage requires.",
    ("trauma_considered", "fail"): "Inconsistencies held against the person without considering trauma.",
    ("trauma_considered", "cannot_tell"): "The reasons are silent on trauma.",
    ("asylum_separate", "fail"): "The letter reasons from the asylum claim.",
    ("asylum_separate", "cannot_tell"): "No asylum decision on file.",
    ("no_prosecution_dependence", "fail"): "The letter leans on the absence of a prosecution.",
    ("letter_free_of_flaws", "fail"): "The letter carries wording the review criticised.",
    ("child_friendly_language", "fail"): "The letter is not written for a child.",
    ("timescales", "fail"): "Past the timescale with no escalation recorded.",
    ("detention_endorsed", "fail"): "No endorsement of the detention referral on file.",
    ("consent_recorded", "fail"): "Consent form not signed.",
}
# How often a demo reviewer's judgement departs from the facts, per checklist item (judgement-heavy
# items more often), so agreement between two reviewers differs by item.
QA_NOISE = {"trauma_considered": 0.14, "asylum_separate": 0.10, "letter_free_of_flaws": 0.08,
            "child_friendly_language": 0.12, "reasons_given": 0.05, "no_prosecution_dependence": 0.05,
            "timescales": 0.04, "right_test": 0.03, "evidence_considered": 0.03}
QA_CRITICAL = {"evidence_considered", "support_provider_information", "childrens_services_information",
               "right_test", "trauma_considered", "asylum_separate", "no_prosecution_dependence",
               "reasons_given", "detention_endorsed", "consent_recorded"}


class Reviews(DemoState):
    """Uses `_decide` (casework.Casework) and `_letter` (letters.Letters) of the assembled generator."""

    def _review(self, c, decision, ids):
        rand = self.rand
        asked = decision["decided_on"] + timedelta(days=rand.randint(5, 30))
        if asked > self.as_of:
            return
        others = [u for pid, us in self.reviewers_by_panel.items() if pid != c.panel_id for u in us]
        assigned = asked + timedelta(days=rand.randint(1, 5))
        rr = dict(case_id=c.row["id"], decision_id=decision["id"], requested_on=asked,
                  requested_by=rand.choice(phrases()["review_requesters"]),
                  reason=rand.choice(phrases()["review_reasons"]),
                  reviewer=rand.choice(others) if assigned <= self.as_of else None,
                  assigned_on=assigned if assigned <= self.as_of else None)
        done = assigned + timedelta(days=rand.randint(5, 20))
        pending = rr["reviewer"] is None or done > self.as_of or rand.random() < 0.2
        # A sample of decisions is reviewed twice, independently, by two chairs of other panels, so the
        # agreement per checklist item (Cohen's kappa) can be measured. Its own RNG leaves the main stream be.
        qa_rand = self.__dict__.setdefault("_qa_rand", random.Random(self.seed * 7919 + 31))
        second = [u for u in others if u != rr["reviewer"]]
        if not pending and second and qa_rand.random() < 0.25:
            ids.rr += 1
            sample = dict(id=ids.rr, case_id=c.row["id"], decision_id=decision["id"], requested_on=asked,
                          requested_by="QA agreement sample", reviewer=qa_rand.choice(second), assigned_on=assigned,
                          reason="A second, independent review of the same decision, to check that the checklist "
                                 "is applied consistently.")
            self.rows["review_requests"].append(sample)
            c.review_requests.append(SimpleNamespace(id=sample["id"], requested_on=asked, reviews=[]))
            # completed before the requested review, so the requested one's outcome is the one that stands
            self._qa_review(c, decision, sample, max(assigned, done - timedelta(days=qa_rand.randint(1, 4))), ids,
                            qa_rand)
        ids.rr += 1
        rr["id"] = ids.rr
        self.rows["review_requests"].append(rr)
        c.review_requests.append(SimpleNamespace(id=rr["id"], requested_on=asked, reviews=[]))
        if pending:
            return  # still with the reviewer
        qa = self._qa_review(c, decision, rr, done, ids, qa_rand)
        if qa["outcome"] == "procedural_failing":
            redo = done + timedelta(days=rand.randint(10, 40))
            if redo <= self.as_of and rand.random() < 0.6:
                d = self._decide(c, decision["stage"], "positive" if rand.random() < 0.5 else "negative", redo, ids,
                                 decision["evidence_ids"], cg_finding=decision["cg_finding"],
                                 supersedes=decision["id"], after_review=qa["id"])
                self._letter(c, d, ids)

    def _qa_review(self, c, decision, rr, done, ids, qa_rand) -> dict:
        """A demo reviewer's checklist (reference/procedure_checklist.yaml): the facts of the case, including
        the flaws seeded into the letter, seen with some per-item inconsistency."""
        truth = self._qa_facts(c, decision, qa_rand)
        items = {}
        for item, status in truth.items():
            if qa_rand.random() < QA_NOISE.get(item, 0.02):
                status = qa_rand.choice([s for s in ("pass", "fail", "cannot_tell") if s != status])
            note = "" if status == "pass" else QA_NOTES.get((item, status), "")
            items[item] = {"status": status, "note": note}
        failing = sorted(i for i, v in items.items() if v["status"] == "fail" and i in QA_CRITICAL)
        ids.qa += 1
        qa = dict(id=ids.qa, review_request_id=rr["id"], reviewer=rr["reviewer"],
                  outcome="procedural_failing" if failing else "procedure_followed", items=items,
                  notes=("Sent back: " + "; ".join(i.replace("_", " ") for i in failing) + ". Please reconsider "
                         "with the items noted.") if failing else "The panel followed due process.",
                  completed_on=done, supersedes_id=None)
        self.rows["qa_reviews"].append(qa)
        c.review_requests[-1].reviews.append(SimpleNamespace(id=qa["id"], outcome=qa["outcome"], completed_on=done))
        return qa

    def _qa_facts(self, c, decision, qa_rand) -> dict[str, str]:
        """Each checklist item's status as the case's facts have it (before a reviewer's inconsistency)."""
        on, ref, stage = decision["decided_on"], c.ref, decision["stage"]
        asked = [e for e in c.evidence if e.requested_on and e.requested_on <= on]
        letter = next((l for l in reversed(self.rows["letters"]) if l["decision_id"] == decision["id"]), None)
        flaws = set((letter or {}).get("seeded_flaws") or ())
        child = ref["is_child"] or ref["age_disputed"]

        def had(e):
            return e.received_on is not None and e.received_on <= on

        def source(src, required):
            got = [e for e in asked if e.source == src]
            return "pass" if any(had(e) for e in got) else "fail" if got or required else "cannot_tell"

        truth = {"evidence_considered": "fail" if any(not had(e) for e in asked) else "pass"}
        if not ref["is_child"] and stage == "cg":
            truth["support_provider_information"] = source("support_provider", False)
        if child:
            truth["childrens_services_information"] = source("la_childrens_services", stage == "cg")
        truth["right_test"] = "fail" if "wrong-standard-of-proof" in flaws else "pass"
        truth["trauma_considered"] = ("fail" if flaws & {"trauma-dismissal", "minor-inconsistency", "late-disclosure"}
                                      else "pass" if qa_rand.random() < 0.6 else "cannot_tell")
        if ref["nationality_group"] != "uk":
            truth["asylum_separate"] = "fail" if "asylum-conflation" in flaws else "cannot_tell"
        truth["no_prosecution_dependence"] = "fail" if "prosecution-dependence" in flaws else "pass"
        truth["reasons_given"] = "pass"
        truth["letter_free_of_flaws"] = "fail" if flaws else "pass" if letter else "cannot_tell"
        if child:
            truth["child_friendly_language"] = "pass" if qa_rand.random() < 0.8 else "fail"
        truth["timescales"] = "fail" if self._late(c, on, stage) else "pass"
        if ref["detention"] != "none":
            endorsed = ref["detention_endorsed_on"]
            truth["detention_endorsed"] = "pass" if endorsed and endorsed <= on else "fail"
        if not ref["is_child"]:
            truth["consent_recorded"] = "pass" if ref["consent_signed"] else "fail"
        return truth

    @staticmethod
    def _late(c, on, stage) -> bool:
        """Past the stage's timescale on the decision date with no escalation recorded."""
        rg = [d for d in c.decisions if d.stage == "rg" and d.decided_on <= on]
        if stage == "rg":
            start = c.row["accepted_on"] or c.received
            late = int(np.busday_count(start, on)) > 5
        else:
            late = bool(rg) and (on - rg[-1].decided_on).days > recovery_period_days(rg[-1].decided_on)
        escalated = c.row["escalated_on"] is not None and c.row["escalated_on"] <= on
        return late and not escalated
