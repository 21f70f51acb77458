"""Filling the text banks' templates: placeholders, lists in prose, and the labels they use."""
from __future__ import annotations

from datetime import date

TYPE_LABEL = {"sexual": "sexual exploitation", "labour": "labour exploitation",
              "domestic_servitude": "domestic servitude", "criminal": "criminal exploitation",
              "organ_harvesting": "organ harvesting", "unknown": "exploitation of an unknown type"}
# panel name (reference/demo_profiles.yaml panels) -> the slug in its users' names (chair-london)
PANEL_SLUGS = {"London": "london", "South East": "south-east", "South West": "south-west",
               "Midlands and East": "midlands-east", "North West": "north-west",
               "North East and Yorkshire": "north-east-yorkshire", "Wales": "wales",
               "Scotland and Northern Ireland": "scotland-ni"}
SOURCE_LABEL = {"police": "the police", "medical": "medical records", "support_provider": "the support provider",
                "la_childrens_services": "children's services", "ukvi_immigration_history": "immigration history",
                "lead": "the referring lead", "other": "other sources"}

# The placeholders the generator fills: a narrative from casework.Casework._place, an evidence summary from the
# same with the date asked, a letter from letter_values below (reference/demo/*.yaml `placeholders`).
NARRATIVE_FIELDS = frozenset({"they", "They", "their", "Their", "them", "city", "town", "country", "exploiter",
                              "workplace", "month", "year"})
EVIDENCE_FIELDS = NARRATIVE_FIELDS | {"date"}
LETTER_FIELDS = frozenset({"name", "reference", "date", "test_wording", "evidence_list", "town", "country",
                           "exploiter"})

class _Fmt(dict):
    def __missing__(self, key):  # an unknown placeholder stays visible rather than crashing
        return "{" + key + "}"


def fill(template: str, values: dict) -> str:
    return template.format_map(values if isinstance(values, _Fmt) else _Fmt(values))


def listing(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1] if items else ""


def letter_values(c, on: date, test_wording: str, evidence_list: str) -> dict:
    """What the letter and reasons phrases may refer to (reference/demo/letters.yaml placeholders)."""
    return dict(name=c.ref["person_name"].split()[0], reference=c.ref["reference"], date=on.strftime("%d %B %Y"),
                test_wording=test_wording, evidence_list=evidence_list,
                town=c.ref["encounter_location"] or "the UK", country="your home country",
                exploiter="the people who controlled you")
