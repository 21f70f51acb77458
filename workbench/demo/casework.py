"""Casework: the referral and its case, returns for errors, evidence, indicator assessments and decisions.

Each case's details are drawn from the build's Python generator (`self.rand`) in a fixed order, so the
order of the calls here is part of what makes the same seed give the same data.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta
from types import SimpleNamespace

from qa_checks.legal_tests import recovery_period_days
from workbench.demo.banks import checklist, checklist_set, episodes, names, phrases, texts
from workbench.demo.people import People
from workbench.demo.wording import SOURCE_LABEL, TYPE_LABEL, fill, letter_values, listing

OTHER_RETURN_REASONS = ("narrative_missing", "encounter_details_missing", "wrong_form_for_age",
                        "indicators_unexplained", "detention_not_endorsed")


class Casework(People):
    """Uses `_letter` (letters.Letters) and `_review` (reviews.Reviews) of the assembled generator."""

    # ---- referrals --------------------------------------------------------------------------
    def _referral_and_case(self, i, lead, tier, is_child, received, unsigned, returned, resubmitted, ids):
        ref, place = self._referral(i, lead, tier, is_child, received, unsigned, resubmitted)
        self.referrals.append(ref)
        panel_id = self.panel_by_region[lead["region"]]
        case = dict(id=i + 1, referral_id=i + 1, panel_id=None, accepted_on=None, assigned_on=None,
                    escalated_on=None, escalation_reason=None, closed=False)
        c = SimpleNamespace(row=case, ref=ref, panel_id=panel_id, received=received, returns=[], evidence=[],
                            decisions=[], review_requests=[], tier=tier, place=place)
        if returned:
            self._return(c, unsigned, resubmitted, ids)
            if not resubmitted:
                self.cases.append(c)
                return c
        start = c.returns[-1].resubmitted_on if c.returns else received
        case.update(accepted_on=start, assigned_on=start + timedelta(days=self.rand.randint(0, 1)), panel_id=panel_id)
        self.cases.append(c)
        return c

    def _referral(self, i, lead, tier, is_child, received, unsigned, resubmitted) -> tuple[dict, dict]:
        """The referral row, and the place words its texts were filled with."""
        p, rand = self.p, self.rand
        nat_dist = p["child_nationality"] if is_child else p["adult_nationality"]
        nat_group = rand.choices(list(nat_dist), weights=list(nat_dist.values()))[0]
        person = self._person(is_child, nat_group, received)
        mix = p["exploitation"]["child" if is_child else "adult"]
        keys = list(mix)
        primary = rand.choices(keys, weights=list(mix.values()))[0]
        secondary = [k for k in keys if k not in (primary, "unknown") and rand.random() < 0.06]
        place = self._place(lead, person, received)
        town = place["town"]
        narrative, indicators = self._narrative(tier, primary, is_child, place)
        enc_bank = texts().narratives.get("encounter_circumstances", {}).get(primary) or [""]
        sparse = tier == "tick_box" and rand.random() < 0.5
        detention = "none"
        if rand.random() < p["detention_share"] and not is_child:
            detention = "immigration_detention" if rand.random() < 0.7 else "prison"
        endorsed = None
        if detention != "none" and rand.random() < 0.85:
            endorsed = received + timedelta(days=rand.randint(0, 3))
        ref = dict(
            id=i + 1, reference=f"NRM-{received.year}-{i + 1:06d}", received_on=received, lead_id=lead["id"],
            identifier_role=rand.choice(phrases()["identifier_roles"]),
            person_pseudonym=f"P-{rand.getrandbits(32):08x}", is_child=is_child,
            age_disputed=bool((is_child or person["age_band"] == "18-24") and rand.random() < 0.05),
            consent_given=None if is_child else True,
            consent_signed=None if is_child else not (unsigned and not resubmitted), exploitation_primary=primary,
            exploitation_secondary=secondary, indicators=indicators, narrative=narrative,
            narrative_redacted=False,
            encounter_location=None if sparse else f"{town}",
            encounter_organisation=lead["organisation"],
            encounter_circumstances=None if sparse else fill(rand.choice(enc_bank), place),
            found_in_situ=None if sparse else rand.random() < 0.35,
            offence_location=None if sparse and rand.random() < 0.6 else (
                town if rand.random() < 0.7 else f"{place['country']} and {town}"),
            exploitation_location=rand.choice(("uk", "uk", "both", "overseas")) if not sparse else None,
            detention=detention, detention_endorsed_on=endorsed,
            potential_victims_identified=rand.choice((1, 1, 1, 2, 3, 5)) if not sparse else None,
            **person)
        return ref, place

    def _place(self, lead, person, received) -> dict:
        """The words a narrative template is filled with: pronouns, the town, country, exploiter, when."""
        rand = self.rand
        town = rand.choice(names()["towns"][lead["region"]])
        return dict(they="they", They="They", their="their", Their="Their", them="them", city=town, town=town,
                    country=person["nationality"] if person["nationality_group"] != "uk" else "the UK",
                    exploiter=rand.choice(phrases()["exploiters"]), workplace=rand.choice(phrases()["workplaces"]),
                    month=rand.choice(phrases()["months"]),
                    year=str(received.year - rand.randint(0, 3)))

    def _narrative(self, tier: str, exploitation: str, is_child: bool, place: dict) -> tuple[str | None, list[str]]:
        bank = texts().narratives
        by_element = episodes(exploitation, is_child, place["country"] == "the UK")
        wanted = {"thorough": ["context", "action", "means", "purpose", "control", "exit"],
                  "adequate": ["action", "purpose", "control"], "tick_box": []}[tier]
        if is_child and "means" in wanted and self.rand.random() < 0.5:
            wanted.remove("means")  # a child's referral need not show means
        chosen = [self.rand.choice(by_element[el]) for el in wanted if by_element.get(el)]
        if tier == "adequate" and self.rand.random() < 0.4 and by_element.get("means"):
            chosen.insert(1, self.rand.choice(by_element["means"]))
        indicators = sorted({i for e in chosen for i in e.get("indicators", [])})
        if tier == "tick_box":
            thin = self.rand.random()
            text = None if thin < 0.35 else fill(self.rand.choice(bank["thin_narratives"]),
                                                  {**place, "type_label": TYPE_LABEL[exploitation]})
            pool = checklist(exploitation, is_child)
            indicators = sorted(self.rand.sample(pool, k=min(len(pool), self.rand.randint(3, 9)))) if pool else []
            return text, indicators
        text = " ".join(fill(e["text"], place) for e in chosen)
        if tier == "adequate":  # ticks a couple more than the narrative explains
            pool = [i for i in checklist(exploitation, is_child) if i not in indicators]
            indicators += self.rand.sample(pool, k=min(len(pool), self.rand.randint(0, 3)))
        return text, sorted(set(indicators))

    def _return(self, c, unsigned: bool, resubmitted: bool, ids) -> None:
        """The referral goes back to the lead for errors (and, when resubmitted, comes back)."""
        rand = self.rand
        ids.ret += 1
        back = c.received + timedelta(days=rand.randint(1, 3))
        reasons = ["consent_unsigned"] if unsigned else [rand.choice(OTHER_RETURN_REASONS)]
        if rand.random() < 0.25:
            reasons.append(rand.choice([r for r in OTHER_RETURN_REASONS if r not in reasons]))
        r = dict(id=ids.ret, case_id=c.row["id"], returned_on=back, reasons=reasons,
                 resubmitted_on=back + timedelta(days=rand.randint(1, 4)) if resubmitted else None)
        self.rows["returns"].append(r)
        c.returns.append(SimpleNamespace(**r))

    # ---- panel work -------------------------------------------------------------------------
    def _evidence(self, c, sources: list[str], requested: date, ids, deadline: date | None, gap: bool):
        bank = texts().evidence
        place = {**c.place, "date": requested.strftime("%d %B %Y")}
        items = []
        for k, src in enumerate(sources):
            ids.evidence += 1
            asked = requested + timedelta(days=self.rand.randint(0, 3))
            got = asked + timedelta(days=int(self.rand.gammavariate(2.0, 6.0)) + 1)
            if deadline is not None and got >= deadline:
                got = max(asked, deadline - timedelta(days=1))  # chased, and arrived just in time
            if (gap and k == 0) or got > self.as_of:
                got = None  # a gap: decided before this arrived, a point for a reviewer to see
            item = dict(id=ids.evidence, case_id=c.row["id"], source=src,
                        description=self.rand.choice(bank[src]["descriptions"]), requested_on=asked,
                        requested_by=self.chair_of[c.panel_id], received_on=got,
                        summary=fill(self.rand.choice(bank[src]["summaries"]), place) if got else None,
                        version=1, updated_by=self.chair_of[c.panel_id],
                        updated_at=datetime.combine(got or asked, datetime.min.time()) + timedelta(hours=10))
            self.rows["evidence"].append(item)
            c.evidence.append(SimpleNamespace(**item))
            items.append(item)
        return items

    def _sources(self, c) -> list[str]:
        out = []
        if self.rand.random() < 0.6:
            out.append("police")
        if self.rand.random() < 0.3:
            out.append("medical")
        if not c.ref["is_child"] and self.rand.random() < 0.7:
            out.append("support_provider")
        if c.ref["is_child"] and self.rand.random() < 0.92:
            out.append("la_childrens_services")
        if c.ref["nationality_group"] != "uk" and self.rand.random() < 0.6:
            out.append("ukvi_immigration_history")
        if c.tier == "tick_box" and self.rand.random() < 0.5:
            out.append("lead")
        return out or ["lead"]

    def _assess(self, c, when: date, ids, complete: bool):
        pool = checklist(c.ref["exploitation_primary"], c.ref["is_child"])
        in_pool = checklist_set(c.ref["exploitation_primary"], c.ref["is_child"])
        ticked = [i for i in c.ref["indicators"] if i in in_pool] or c.ref["indicators"]
        ticked_set = set(ticked)
        others = [i for i in pool if i not in ticked_set]
        chosen = list(ticked) + self.rand.sample(others, k=min(len(others), self.rand.randint(1, 4)))
        if not complete:
            chosen = chosen[: self.rand.randint(0, max(1, len(chosen) // 2))]
        received = [e for e in c.evidence if e.received_on]
        assessor_pool = self.members_of[c.panel_id] + [self.chair_of[c.panel_id]]
        for ind in chosen:
            ids.assessment += 1
            present = ind in ticked and self.rand.random() < 0.8
            status = "present" if present else self.rand.choice(("absent", "unknown"))
            ev = [self.rand.choice(received).id] if present and received else []
            self.rows["assessments"].append(dict(
                id=ids.assessment, case_id=c.row["id"], indicator_id=ind, status=status, evidence_ids=ev,
                note=None if self.rand.random() < 0.6 else self.rand.choice(phrases()["assessment_notes"]),
                assessor=self.rand.choice(assessor_pool),
                assessed_at=datetime.combine(when, datetime.min.time()) + timedelta(hours=self.rand.randint(9, 17)),
                version=1))

    def _decide(self, c, stage, outcome, on: date, ids, evidence_ids, cg_finding=None, supersedes=None,
                new_evidence=False, after_review=None) -> dict:
        ids.decision += 1
        received_items = [e for e in c.evidence if e.received_on and e.received_on <= on]
        listed = listing(sorted({SOURCE_LABEL[e.source] for e in received_items})) or "the referral alone"
        good = texts().letters["good_reasoning"][outcome]
        reasons = (f"The panel considered the referral and the information from {listed}. "
                   + fill(self.rand.choice(good), letter_values(c, on, "", listed)))
        d = dict(id=ids.decision, case_id=c.row["id"], stage=stage, outcome=outcome, cg_finding=cg_finding,
                 decided_on=on, reasons=reasons, evidence_ids=evidence_ids, author=self.chair_of[c.panel_id],
                 panel_id=c.panel_id, supersedes_id=supersedes, reconsidered_on_new_evidence=new_evidence,
                 after_review_id=after_review,
                 recorded_at=datetime.combine(on, datetime.min.time()) + timedelta(hours=15))
        self.rows["decisions"].append(d)
        c.decisions.append(SimpleNamespace(**d))
        return d

    def _decisions(self, c, rg_on, rg_positive, has_cg, cg_positive, cg_on, ids):
        rand = self.rand
        self._evidence(c, self._sources(c)[:1], c.row["assigned_on"], ids, rg_on, gap=False)
        self._assess(c, rg_on, ids, complete=True)
        rg = self._decide(c, "rg", "positive" if rg_positive else "negative", rg_on, ids,
                          [e.id for e in c.evidence if e.received_on and e.received_on <= rg_on])
        final = rg
        if rg_positive:
            gap = rand.random() < 0.06 and has_cg
            more = [s for s in self._sources(c) if s not in {e.source for e in c.evidence}]
            self._evidence(c, more, rg_on + timedelta(days=1), ids, cg_on if has_cg else None, gap=gap)
            if has_cg:
                finding = ("trafficking" if rand.random() < 0.8 else "slavery") if cg_positive else "insufficient"
                final = self._decide(c, "cg", "positive" if cg_positive else "negative", cg_on, ids,
                                     [e.id for e in c.evidence if e.received_on and e.received_on <= cg_on],
                                     cg_finding=finding)
            # Past the recovery period without a conclusive decision: most panels record the escalation
            # (8.2.9); the rest are the lapses a reviewer should find.
            period = recovery_period_days(c.received)
            overdue = (cg_on if has_cg else self.as_of) - c.received
            if c.row["assigned_on"] and overdue.days > period and rand.random() < (0.85 if has_cg else 0.6):
                c.row["escalated_on"] = c.received + timedelta(days=period + 1)
                c.row["escalation_reason"] = rand.choice(phrases()["escalation_reasons"])
        self._letter(c, final, ids)
        if final["outcome"] == "negative" and rand.random() < self.p["review_request_share_of_negative"]:
            self._review(c, final, ids)
        elif final["outcome"] == "negative" and rand.random() < 0.02:
            on = final["decided_on"] + timedelta(days=rand.randint(30, 120))
            if on <= self.as_of:
                self._evidence(c, ["support_provider"], on - timedelta(days=20), ids, on, gap=False)
                d = self._decide(c, final["stage"], "positive", on, ids, [c.evidence[-1].id],
                                 cg_finding="trafficking" if final["stage"] == "cg" else None,
                                 supersedes=final["id"], new_evidence=True)
                self._letter(c, d, ids)

    def _open_work(self, c, ids):
        if c.row["assigned_on"] and c.row["assigned_on"] <= self.as_of:
            if self.rand.random() < 0.5:
                self._evidence(c, self._sources(c)[:2], c.row["assigned_on"], ids, None, gap=False)
            self._assess(c, min(self.as_of, c.row["assigned_on"] + timedelta(days=2)), ids, complete=False)
