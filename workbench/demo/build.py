"""Reproducible synthetic demo data, calibrated to a profile (reference/demo_profiles.yaml).

Same seed, same data. Headline shares (referrer mix, children, returns, outcomes) are allocated
exactly rather than drawn, so a 20,000-case database lands on the profile's figures; times are drawn
from gamma distributions with the profile's means. Leads differ in referral quality (thorough,
adequate, tick-box), so feedback has something real to show. Some letter drafts carry the flawed
reasoning the review describes; the categories are recorded as ground truth (`seeded_flaws`).
"""
from __future__ import annotations

import random
import sys
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import yaml
from sqlalchemy import bindparam, insert, update

import reference
from qa_checks.legal_tests import recovery_period_days, test_in_force
from qa_checks.walkthrough.indicators import indicators_for
from workbench.core import audit, lifecycle
from workbench.core.store import Store
from workbench.core.tables import (
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

REF = Path(reference.__file__).parent
BATCH = 5000
TIERS = ("thorough", "adequate", "tick_box")
TIER_SHARE = (0.35, 0.40, 0.25)
# Relative chance a tier's referral is returned for errors (normalised to the profile's rate).
TIER_RETURN_WEIGHT = {"thorough": 0.35, "adequate": 0.9, "tick_box": 2.1}
TYPE_LABEL = {"sexual": "sexual exploitation", "labour": "labour exploitation",
              "domestic_servitude": "domestic servitude", "criminal": "criminal exploitation",
              "organ_harvesting": "organ harvesting", "unknown": "exploitation of an unknown type"}
SOURCE_LABEL = {"police": "the police", "medical": "medical records", "support_provider": "the support provider",
                "la_childrens_services": "children's services", "ukvi_immigration_history": "immigration history",
                "lead": "the referring lead", "other": "other sources"}
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
OTHER_RETURN_REASONS = ("narrative_missing", "encounter_details_missing", "wrong_form_for_age",
                        "indicators_unexplained", "detention_not_endorsed")


def _yaml(name: str) -> dict:
    return yaml.safe_load((REF / name).read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def profiles() -> dict:
    return _yaml("demo_profiles.yaml")


@lru_cache(maxsize=1)
def names() -> dict:
    return _yaml("demo_names.yaml")


@lru_cache(maxsize=1)
def texts() -> SimpleNamespace:
    return SimpleNamespace(narratives=_yaml("demo/narratives.yaml"), evidence=_yaml("demo/evidence.yaml"),
                           letters=_yaml("demo/letters.yaml"))


@lru_cache(maxsize=1)
def casework() -> dict:
    return _yaml("demo/casework.yaml")


@lru_cache(maxsize=64)
def _checklist(exploitation: str, is_child: bool) -> tuple[str, ...]:
    return tuple(i.id for i in indicators_for([exploitation], is_child))


@lru_cache(maxsize=64)
def _checklist_set(exploitation: str, is_child: bool) -> frozenset[str]:
    return frozenset(_checklist(exploitation, is_child))


@lru_cache(maxsize=64)
def _episodes(exploitation: str, is_child: bool, uk_national: bool) -> dict[str, list]:
    """Narrative episodes by element for this type and age (no migration story for a UK national)."""
    age = "child" if is_child else "adult"
    out: dict[str, list] = {}
    for e in texts().narratives["episodes"].get(exploitation, []):
        if age in e.get("ages", ["adult", "child"]) and not (uk_national and e.get("migrant")):
            out.setdefault(e["element"], []).append(e)
    return out


PANEL_SLUGS = {"London": "london", "South East": "south-east", "South West": "south-west",
               "Midlands and East": "midlands-east", "North West": "north-west",
               "North East and Yorkshire": "north-east-yorkshire", "Wales": "wales",
               "Scotland and Northern Ireland": "scotland-ni"}
DISCIPLINES = ("police", "health", "social care", "immigration", "support provider", "legal")


@dataclass
class Progress:
    """Prints progress on long runs to stderr (nothing when quiet)."""
    total: int
    quiet: bool = False
    started: float = field(default_factory=time.perf_counter)
    last: float = 0.0

    def step(self, label: str, done: int) -> None:
        now = time.perf_counter()
        if self.quiet or (now - self.last < 1.0 and done < self.total):
            return
        self.last = now
        pct = 100 * done / max(self.total, 1)
        print(f"\r  {label}: {done:,}/{self.total:,} ({pct:3.0f}%) {now - self.started:5.1f}s", end="",
              file=sys.stderr, flush=True)

    def done(self, label: str) -> None:
        if not self.quiet:
            print(f"\r  {label}: done in {time.perf_counter() - self.started:.1f}s" + " " * 20, file=sys.stderr)


class _Fmt(dict):
    def __missing__(self, key):  # an unknown placeholder stays visible rather than crashing
        return "{" + key + "}"


def _fill(template: str, values: dict) -> str:
    return template.format_map(values if isinstance(values, _Fmt) else _Fmt(values))


def _exact(rng: np.random.Generator, n: int, shares: dict) -> np.ndarray:
    """n labels with each share allocated exactly (largest remainder), then shuffled."""
    keys = list(shares)
    raw = np.array([shares[k] for k in keys], dtype=float)
    raw = raw / raw.sum() * n
    counts = np.floor(raw).astype(int)
    for i in np.argsort(-(raw - counts))[: n - counts.sum()]:
        counts[i] += 1
    out = np.repeat(np.array(keys, dtype=object), counts)
    rng.shuffle(out)
    return out


def _pick_exact(rng: np.random.Generator, candidates: np.ndarray, k: int, weights=None) -> np.ndarray:
    k = min(int(round(k)), len(candidates))
    if k <= 0:
        return np.array([], dtype=int)
    p = None if weights is None else weights / weights.sum()
    return rng.choice(candidates, size=k, replace=False, p=p)


def _listing(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1] if items else ""


def _gamma_days(rng, mean: float, shape: float, size: int, minimum: int = 1) -> np.ndarray:
    return np.maximum(minimum, np.rint(rng.gamma(shape, mean / shape, size))).astype(int)


def build_demo(store: Store, *, cases: int = 2000, seed: int = 2014, profile: str = "2013",
               quiet: bool = False) -> dict:
    """Fill an empty store with a demo system. Returns a short summary."""
    if profile not in profiles()["profiles"]:
        raise ValueError(f"unknown profile {profile!r}")
    t0 = time.perf_counter()
    gen = _Generator(store, cases, seed, profile, quiet)
    gen.run()
    from workbench.feedback.scoring import (
        score_all,  # stored referral quality scores (lead feedback)
    )
    score_all(store, quiet=quiet)
    return {"cases": cases, "seed": seed, "profile": profile, "seconds": round(time.perf_counter() - t0, 2),
            "as_of": gen.as_of.isoformat()}


class _Generator:
    def __init__(self, store: Store, n: int, seed: int, profile: str, quiet: bool):
        self.store, self.n, self.seed, self.quiet = store, n, seed, quiet
        self.p = profiles()["profiles"][profile]
        self.profile = profile
        self.rng = np.random.default_rng(seed)
        self.rand = random.Random(seed)
        self.as_of: date = self.p["as_of"]
        self.rows: dict[str, list[dict]] = {}

    # ---- people and organisations -----------------------------------------------------------
    def _staff_name(self) -> str:
        s = names()["staff"]
        return f"{self.rand.choice(s['first'])} {self.rand.choice(s['last'])}"

    def panels_and_users(self):
        panels, users = [], []
        uid = 0
        self.panel_by_region, self.chair_of, self.members_of = {}, {}, {}
        for pid, spec in enumerate(profiles()["panels"], start=1):
            panels.append(dict(id=pid, name=spec["name"], region=spec["region"]))
            self.panel_by_region[spec["region"]] = pid
            slug = PANEL_SLUGS[spec["name"]]
            uid += 1
            users.append(dict(id=uid, name=f"chair-{slug}", display_name=self._staff_name(), role="panel_chair",
                              panel_id=pid, discipline="independent chair", child_expertise=False))
            self.chair_of[pid] = f"chair-{slug}"
            members = []
            for k, disc in enumerate(DISCIPLINES[:5], start=1):
                uid += 1
                users.append(dict(id=uid, name=f"member-{slug}-{k}", display_name=self._staff_name(),
                                  role="panel_member", panel_id=pid, discipline=disc,
                                  child_expertise=disc == "social care"))
                members.append(f"member-{slug}-{k}")
            self.members_of[pid] = members
            uid += 1  # a deputy chair who acts as second pair of eyes for other panels
            users.append(dict(id=uid, name=f"reviewer-{slug}", display_name=self._staff_name(), role="qa_reviewer",
                              panel_id=pid, discipline="independent chair", child_expertise=False))
        for name, role in (("trainer", "trainer"), ("trainer-2", "trainer"), ("case-manager", "case_manager"),
                           ("case-manager-2", "case_manager"), ("admin", "admin")):
            uid += 1
            users.append(dict(id=uid, name=name, display_name=self._staff_name(), role=role, panel_id=None,
                              discipline=None, child_expertise=False))
        self.reviewers_by_panel = {p["id"]: [u["name"] for u in users if u["panel_id"] == p["id"]
                                             and u["role"] in ("qa_reviewer", "panel_chair")] for p in panels}
        self.rows["panels"], self.rows["users"] = panels, users

    def leads(self):
        mix = self.p["referrer_mix"]
        n_leads = max(40, self.n // 40)
        orgs = names()["organisations"]
        regions = [p["region"] for p in profiles()["panels"]]
        region_p = np.array([p["share"] for p in profiles()["panels"]], dtype=float)
        region_p /= region_p.sum()
        types = list(_exact(self.rng, n_leads, {t: max(s, 2 / n_leads) for t, s in mix.items()}))
        for t in mix:  # every referring organisation type has at least one lead
            if t not in types:
                types[self.rand.randrange(n_leads)] = t
        leads = []
        for i, otype in enumerate(types, start=1):
            region = regions[self.rng.choice(len(regions), p=region_p)]
            unit = None
            if otype == "home_office":
                unit = self.rand.choice(("ukvi", "ukvi", "border_force", "immigration_enforcement"))
                org = orgs["home_office"][unit][0]
            elif otype in ("police", "local_authority"):
                org = self.rand.choice(orgs[otype][region])
            else:
                org = self.rand.choice(orgs[otype])
            town = self.rand.choice(names()["towns"][region])
            accredited = self.as_of - timedelta(days=int(self.rng.integers(60, 1500)))
            leads.append(dict(id=i, code=f"SSL-{i:05d}", name=self._staff_name(), organisation=org,
                              organisation_type=otype, organisation_unit=unit, region=region,
                              location=f"{org}, {town}" if otype != "home_office" else f"{org}, {town}",
                              accredited_on=accredited))
        self.rows["leads"] = leads
        self.lead_tier = {l["id"]: TIERS[self.rng.choice(3, p=TIER_SHARE)] for l in leads}
        self.leads_by_type = {}
        for l in leads:
            self.leads_by_type.setdefault(l["organisation_type"], []).append(l)
        # Some leads refer far more than others.
        self.lead_weight = {l["id"]: float(self.rng.lognormal(0, 0.8)) for l in leads}

    # ---- referrals --------------------------------------------------------------------------
    def run(self):
        prog = Progress(self.n, self.quiet)
        self.panels_and_users()
        self.leads()
        n, rng, p = self.n, self.rng, self.p
        org_type = _exact(rng, n, p["referrer_mix"])
        is_child = _exact(rng, n, {True: p["children_share"], False: 1 - p["children_share"]}).astype(bool)
        lead_ids = np.empty(n, dtype=int)
        for t, leads in self.leads_by_type.items():
            idx = np.nonzero(org_type == t)[0]
            w = np.array([self.lead_weight[l["id"]] for l in leads])
            lead_ids[idx] = rng.choice([l["id"] for l in leads], size=len(idx), p=w / w.sum())
        tiers = np.array([self.lead_tier[i] for i in lead_ids], dtype=object)
        lead_by_id = {l["id"]: l for l in self.rows["leads"]}

        # Timelines: historic cases run to their end before as_of; an open cohort is still in progress.
        open_mask = np.zeros(n, dtype=bool)
        open_mask[_pick_exact(rng, np.arange(n), p["open_share"] * n)] = True
        d_rg = _gamma_days(rng, p["mean_days_to_rg"], 2.0, n)
        d_cg = d_rg + _gamma_days(rng, p["mean_days_to_cg"] - p["mean_days_to_rg"], 3.0, n, minimum=5)
        window = p["window_days"]
        start = self.as_of - timedelta(days=window)
        received_offset = np.empty(n, dtype=int)
        for i in range(n):
            if open_mask[i]:
                span = min(window, int(d_cg[i]))  # not yet at CG on as_of
                received_offset[i] = window - int(rng.integers(0, max(span, 1)))
            else:
                latest = max(0, window - int(d_cg[i]) - 60)  # room for a review after the decision
                received_offset[i] = int(rng.integers(0, latest + 1))
        received = [start + timedelta(days=int(o)) for o in received_offset]

        # Returns for errors: exact count, weighted toward tick-box leads; unsigned only for adults.
        w = np.array([TIER_RETURN_WEIGHT[t] for t in tiers], dtype=float)
        returned = np.zeros(n, dtype=bool)
        returned[_pick_exact(rng, np.arange(n), p["returned_for_errors_rate"] * n, w)] = True
        ret_idx = np.nonzero(returned)[0]
        adult_ret = ret_idx[~is_child[ret_idx]]
        unsigned = np.zeros(n, dtype=bool)
        unsigned[_pick_exact(rng, adult_ret, p["unsigned_share_of_returned"] * len(ret_idx))] = True
        resubmitted = returned & (rng.random(n) < p["resubmitted_share"])
        abandoned = returned & ~resubmitted  # still with the lead: no decision

        # RG decisions: every case not abandoned whose RG date has come. Positive count is exact.
        rg_date = np.array([received[i] + timedelta(days=int(d_rg[i])) for i in range(n)])
        has_rg = ~abandoned & (rg_date <= self.as_of)
        rg_idx = np.nonzero(has_rg)[0]
        rg_pos = np.zeros(n, dtype=bool)
        rg_pos[_pick_exact(rng, rg_idx, p["rg_positive_rate"] * len(rg_idx))] = True
        # CG: historic positive-RG cases; positives allocated exactly to hit the share of referrals.
        has_cg = rg_pos & ~open_mask
        cg_idx = np.nonzero(has_cg)[0]
        cg_pos = np.zeros(n, dtype=bool)
        cg_pos[_pick_exact(rng, cg_idx, p["cg_positive_rate_of_referrals"] * n)] = True

        self.referrals, self.cases = [], []
        for table in ("returns", "evidence", "assessments", "decisions", "letters", "review_requests",
                      "qa_reviews"):
            self.rows[table] = []
        ids = SimpleNamespace(evidence=0, assessment=0, decision=0, letter=0, rr=0, qa=0, ret=0)
        for i in range(n):
            lead = lead_by_id[int(lead_ids[i])]
            c = self._referral_and_case(i, lead, tiers[i], bool(is_child[i]), received[i], bool(unsigned[i]),
                                        bool(returned[i]), bool(resubmitted[i]), ids)
            if has_rg[i]:
                self._decisions(c, rg_date[i], bool(rg_pos[i]), bool(has_cg[i]), bool(cg_pos[i]),
                                received[i] + timedelta(days=int(d_cg[i])), ids)
            elif not abandoned[i]:
                self._open_work(c, ids)
            prog.step("referrals", i + 1)
        prog.done("referrals")
        self._write(prog)

    def _person(self, is_child: bool, nat_group: str, received: date) -> dict:
        nat = self.rand.choice(profiles()["nationalities"][nat_group])
        people = names()["people"].get(nat) or names()["people"]["United Kingdom"]
        rand = self.rand  # per-case draws use Python's generator: numpy's per-call overhead dominates here
        age = rand.randint(11, 17) if is_child else int(min(70, 18 + rand.gammavariate(2.2, 6.5)))
        dob = received - timedelta(days=age * 365 + rand.randrange(365))
        band = ("under 12" if age < 12 else "12-15" if age < 16 else "16-17" if age < 18 else "18-24" if age < 25
                else "25-34" if age < 35 else "35-44" if age < 45 else "45-54" if age < 55 else "55+")
        g = rand.random()
        gender = "female" if g < self.p["female_share"] else "male" if g < 0.995 else "not stated"
        return dict(person_name=f"{self.rand.choice(people['first'])} {self.rand.choice(people['last'])}",
                    date_of_birth=dob, age_band=band, gender=gender, nationality=nat, nationality_group=nat_group)

    def _narrative(self, tier: str, exploitation: str, is_child: bool, place: dict) -> tuple[str | None, list[str]]:
        bank = texts().narratives
        by_element = _episodes(exploitation, is_child, place["country"] == "the UK")
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
            text = None if thin < 0.35 else _fill(self.rand.choice(bank["thin_narratives"]),
                                                   {**place, "type_label": TYPE_LABEL[exploitation]})
            pool = _checklist(exploitation, is_child)
            indicators = sorted(self.rand.sample(pool, k=min(len(pool), self.rand.randint(3, 9)))) if pool else []
            return text, indicators
        text = " ".join(_fill(e["text"], place) for e in chosen)
        if tier == "adequate":  # ticks a couple more than the narrative explains
            pool = [i for i in _checklist(exploitation, is_child) if i not in indicators]
            indicators += self.rand.sample(pool, k=min(len(pool), self.rand.randint(0, 3)))
        return text, sorted(set(indicators))

    def _referral_and_case(self, i, lead, tier, is_child, received, unsigned, returned, resubmitted, ids):
        p, rand = self.p, self.rand
        nat_dist = p["child_nationality"] if is_child else p["adult_nationality"]
        nat_group = rand.choices(list(nat_dist), weights=list(nat_dist.values()))[0]
        person = self._person(is_child, nat_group, received)
        mix = p["exploitation"]["child" if is_child else "adult"]
        keys = list(mix)
        primary = rand.choices(keys, weights=list(mix.values()))[0]
        secondary = [k for k in keys if k not in (primary, "unknown") and rand.random() < 0.06]
        town = rand.choice(names()["towns"][lead["region"]])
        place = dict(they="they", They="They", their="their", Their="Their", them="them", city=town, town=town,
                     country=person["nationality"] if nat_group != "uk" else "the UK",
                     exploiter=rand.choice(casework()["exploiters"]), workplace=rand.choice(casework()["workplaces"]),
                     month=rand.choice(casework()["months"]),
                     year=str(received.year - rand.randint(0, 3)))
        narrative, indicators = self._narrative(tier, primary, is_child, place)
        enc_bank = texts().narratives.get("encounter_circumstances", {}).get(primary) or [""]
        sparse = tier == "tick_box" and rand.random() < 0.5
        detention = "none"
        if rand.random() < p["detention_share"] and not is_child:
            detention = "immigration_detention" if rand.random() < 0.7 else "prison"
        endorsed = None
        if detention != "none" and rand.random() < 0.85:
            endorsed = received + timedelta(days=rand.randint(0, 3))
        consent_given = None if is_child else True
        consent_signed = None if is_child else not (unsigned and not resubmitted)
        ref = dict(
            id=i + 1, reference=f"NRM-{received.year}-{i + 1:06d}", received_on=received, lead_id=lead["id"],
            identifier_role=rand.choice(casework()["identifier_roles"]),
            person_pseudonym=f"P-{rand.getrandbits(32):08x}", is_child=is_child,
            age_disputed=bool((is_child or person["age_band"] == "18-24") and rand.random() < 0.05),
            consent_given=consent_given, consent_signed=consent_signed, exploitation_primary=primary,
            exploitation_secondary=secondary, indicators=indicators, narrative=narrative,
            narrative_redacted=False,
            encounter_location=None if sparse else f"{town}",
            encounter_organisation=lead["organisation"],
            encounter_circumstances=None if sparse else _fill(rand.choice(enc_bank), place),
            found_in_situ=None if sparse else rand.random() < 0.35,
            offence_location=None if sparse and rand.random() < 0.6 else (
                town if rand.random() < 0.7 else f"{place['country']} and {town}"),
            exploitation_location=rand.choice(("uk", "uk", "both", "overseas")) if not sparse else None,
            detention=detention, detention_endorsed_on=endorsed,
            potential_victims_identified=rand.choice((1, 1, 1, 2, 3, 5)) if not sparse else None,
            **person)
        self.referrals.append(ref)
        panel_id = self.panel_by_region[lead["region"]]
        case = dict(id=i + 1, referral_id=i + 1, panel_id=None, accepted_on=None, assigned_on=None,
                    escalated_on=None, escalation_reason=None, closed=False)
        c = SimpleNamespace(row=case, ref=ref, panel_id=panel_id, received=received, returns=[], evidence=[],
                            decisions=[], review_requests=[], tier=tier, place=place)
        if returned:
            ids.ret += 1
            back = received + timedelta(days=rand.randint(1, 3))
            reasons = ["consent_unsigned"] if unsigned else [rand.choice(OTHER_RETURN_REASONS)]
            if rand.random() < 0.25:
                reasons.append(rand.choice([r for r in OTHER_RETURN_REASONS if r not in reasons]))
            r = dict(id=ids.ret, case_id=case["id"], returned_on=back, reasons=reasons,
                     resubmitted_on=back + timedelta(days=rand.randint(1, 4)) if resubmitted else None)
            self.rows["returns"].append(r)
            c.returns.append(SimpleNamespace(**r))
            if not resubmitted:
                self.cases.append(c)
                return c
        start = c.returns[-1].resubmitted_on if c.returns else received
        case.update(accepted_on=start, assigned_on=start + timedelta(days=rand.randint(0, 1)), panel_id=panel_id)
        self.cases.append(c)
        return c

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
                        summary=_fill(self.rand.choice(bank[src]["summaries"]), place) if got else None,
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
        pool = _checklist(c.ref["exploitation_primary"], c.ref["is_child"])
        in_pool = _checklist_set(c.ref["exploitation_primary"], c.ref["is_child"])
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
                note=None if self.rand.random() < 0.6 else self.rand.choice(casework()["assessment_notes"]),
                assessor=self.rand.choice(assessor_pool),
                assessed_at=datetime.combine(when, datetime.min.time()) + timedelta(hours=self.rand.randint(9, 17)),
                version=1))

    def _decide(self, c, stage, outcome, on: date, ids, evidence_ids, cg_finding=None, supersedes=None,
                new_evidence=False, after_review=None) -> dict:
        ids.decision += 1
        received_items = [e for e in c.evidence if e.received_on and e.received_on <= on]
        listed = _listing(sorted({SOURCE_LABEL[e.source] for e in received_items})) or "the referral alone"
        good = texts().letters["good_reasoning"][outcome]
        reasons = (f"The panel considered the referral and the information from {listed}. "
                   + _fill(self.rand.choice(good), _letter_values(c, on, "", listed)))
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
                c.row["escalation_reason"] = rand.choice(casework()["escalation_reasons"])
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

    def _review(self, c, decision, ids):
        rand = self.rand
        asked = decision["decided_on"] + timedelta(days=rand.randint(5, 30))
        if asked > self.as_of:
            return
        others = [u for pid, us in self.reviewers_by_panel.items() if pid != c.panel_id for u in us]
        assigned = asked + timedelta(days=rand.randint(1, 5))
        rr = dict(case_id=c.row["id"], decision_id=decision["id"], requested_on=asked,
                  requested_by=rand.choice(casework()["review_requesters"]),
                  reason=rand.choice(casework()["review_reasons"]),
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

    # How often a demo reviewer's judgement departs from the facts, per checklist item (judgement-heavy
    # items more often), so agreement between two reviewers differs by item.
    _QA_NOISE = {"trauma_considered": 0.14, "asylum_separate": 0.10, "letter_free_of_flaws": 0.08,
                 "child_friendly_language": 0.12, "reasons_given": 0.05, "no_prosecution_dependence": 0.05,
                 "timescales": 0.04, "right_test": 0.03, "evidence_considered": 0.03}
    _QA_CRITICAL = {"evidence_considered", "support_provider_information", "childrens_services_information",
                    "right_test", "trauma_considered", "asylum_separate", "no_prosecution_dependence",
                    "reasons_given", "detention_endorsed", "consent_recorded"}

    def _qa_review(self, c, decision, rr, done, ids, qa_rand) -> dict:
        """A demo reviewer's checklist (reference/procedure_checklist.yaml): the facts of the case, including
        the flaws seeded into the letter, seen with some per-item inconsistency."""
        on, ref, stage = decision["decided_on"], c.ref, decision["stage"]
        asked = [e for e in c.evidence if e.requested_on and e.requested_on <= on]
        had = lambda e: e.received_on is not None and e.received_on <= on
        letter = next((l for l in reversed(self.rows["letters"]) if l["decision_id"] == decision["id"]), None)
        flaws = set((letter or {}).get("seeded_flaws") or ())
        child = ref["is_child"] or ref["age_disputed"]

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
        rg = [d for d in c.decisions if d.stage == "rg" and d.decided_on <= on]
        if stage == "rg":
            start = c.row["accepted_on"] or c.received
            late = int(np.busday_count(start, on)) > 5
        else:
            late = bool(rg) and (on - rg[-1].decided_on).days > recovery_period_days(rg[-1].decided_on)
        escalated = c.row["escalated_on"] is not None and c.row["escalated_on"] <= on
        truth["timescales"] = "fail" if late and not escalated else "pass"
        if ref["detention"] != "none":
            endorsed = ref["detention_endorsed_on"]
            truth["detention_endorsed"] = "pass" if endorsed and endorsed <= on else "fail"
        if not ref["is_child"]:
            truth["consent_recorded"] = "pass" if ref["consent_signed"] else "fail"
        items = {}
        for item, status in truth.items():
            if qa_rand.random() < self._QA_NOISE.get(item, 0.02):
                status = qa_rand.choice([s for s in ("pass", "fail", "cannot_tell") if s != status])
            note = "" if status == "pass" else QA_NOTES.get((item, status), "")
            items[item] = {"status": status, "note": note}
        failing = sorted(i for i, v in items.items() if v["status"] == "fail" and i in self._QA_CRITICAL)
        ids.qa += 1
        qa = dict(id=ids.qa, review_request_id=rr["id"], reviewer=rr["reviewer"],
                  outcome="procedural_failing" if failing else "procedure_followed", items=items,
                  notes=("Sent back: " + "; ".join(i.replace("_", " ") for i in failing) + ". Please reconsider "
                         "with the items noted.") if failing else "The panel followed due process.",
                  completed_on=done, supersedes_id=None)
        self.rows["qa_reviews"].append(qa)
        c.review_requests[-1].reviews.append(SimpleNamespace(id=qa["id"], outcome=qa["outcome"], completed_on=done))
        return qa

    def _letter(self, c, d, ids):
        L, rand = texts().letters, self.rand
        age = "child" if c.ref["is_child"] else "adult"
        key = f"{d['stage']}_{d['outcome']}"
        test = test_in_force(d["stage"], d["decided_on"])
        evidence = sorted({SOURCE_LABEL[e.source] for e in c.evidence
                           if e.received_on and e.received_on <= d["decided_on"]})
        values = _letter_values(c, d["decided_on"], test.wording_plain, _listing(["the referral"] + evidence))
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
            text="\n\n".join(_fill(p, values) for p in parts), author=d["author"],
            saved_at=d["recorded_at"], seeded_flaws=flaws or None))

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


def _letter_values(c, on: date, test_wording: str, evidence_list: str) -> dict:
    """What the letter and reasons phrases may refer to (reference/demo/letters.yaml placeholders)."""
    return dict(name=c.ref["person_name"].split()[0], reference=c.ref["reference"], date=on.strftime("%d %B %Y"),
                test_wording=test_wording, evidence_list=evidence_list,
                town=c.ref["encounter_location"] or "the UK", country="your home country",
                exploiter="the people who controlled you")


def _reset_sequences(store: Store) -> None:
    """Explicit ids were inserted; on PostgreSQL move each serial sequence past them."""
    if store.engine.dialect.name != "postgresql":
        return
    from sqlalchemy import text

    from workbench.core.tables import Base

    with store.engine.begin() as conn:
        for table in Base.metadata.sorted_tables:
            if "id" in table.c and table.name != "audit_log":
                conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                                  f"COALESCE((SELECT MAX(id) FROM {table.name}), 1))"))
