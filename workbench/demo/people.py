"""People and organisations: panels and their users, referring leads of differing quality, and the
people they refer."""
from __future__ import annotations

from datetime import date, timedelta

import numpy as np

from workbench.demo.banks import names, profiles
from workbench.demo.draw import exact
from workbench.demo.state import DemoState
from workbench.demo.wording import PANEL_SLUGS

__all__ = ["PANEL_SLUGS", "People"]

DISCIPLINES = ("police", "health", "social care", "immigration", "support provider", "legal")
TIERS = ("thorough", "adequate", "tick_box")
TIER_SHARE = (0.35, 0.40, 0.25)


class People(DemoState):
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
        types = list(exact(self.rng, n_leads, {t: max(s, 2 / n_leads) for t, s in mix.items()}))
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

    def _person(self, is_child: bool, nat_group: str, received: date) -> dict:
        """The referred person: name, date of birth and age band, gender, nationality."""
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
