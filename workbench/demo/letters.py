"""Decision letter drafts, some with the flawed reasoning the review describes; the flaw categories are
recorded as ground truth (`seeded_flaws`)."""
from __future__ import annotations

from qa_checks.legal_tests import test_in_force
from workbench.demo.banks import texts
from workbench.demo.state import DemoState
from workbench.demo.wording import SOURCE_LABEL, fill, letter_values, listing


class Letters(DemoState):
    def _letter(self, c, d, ids):
        L, rand = texts().letters, self.rand
        age = "child" if c.ref["is_child"] else "adult"
        key = f"{d['stage']}_{d['outcome']}"
        test = test_in_force(d["stage"], d["decided_on"])
        evidence = sorted({SOURCE_LABEL[e.source] for e in c.evidence
                           if e.received_on and e.received_on <= d["decided_on"]})
        values = letter_values(c, d["decided_on"], test.wording_plain, listing(["the referral"] + evidence))
        child = age == "child"
        tests = L["test_child"] if child else L["test"]
        good = L["good_reasoning_child"] if child else L["good_reasoning"]
        parts = [rand.choice(L["opening"][age]), rand.choice(L["decision"][key][age]),
                 rand.choice(tests[d["stage"]]), rand.choice(L["evidence_considered"])]
        reasons = rand.sample(good[d["outcome"]], k=2)
        flaws: list[str] = []
        if rand.random() < (0.35 if d["outcome"] == "negative" else 0.08):
            flaws = rand.sample(sorted(L["flaws"]), k=rand.choice((1, 1, 2, 3)))
            reasons += [rand.choice(L["flaws"][f]) for f in flaws]
            rand.shuffle(reasons)
        parts += reasons
        if d["outcome"] == "negative" and rand.random() < 0.85:
            parts.append(rand.choice(L["review_route"][age]))
        parts.append(rand.choice(L["closing"]))
        ids.letter += 1
        version = 1 + sum(1 for l in self.rows["letters"][-5:] if l["case_id"] == c.row["id"])
        self.rows["letters"].append(dict(
            id=ids.letter, case_id=c.row["id"], decision_id=d["id"], version=version,
            text="\n\n".join(fill(p, values) for p in parts), author=d["author"],
            saved_at=d["recorded_at"], seeded_flaws=flaws or None))
