"""Schemas of the reference files the demo generator draws on, and the one loader that reads them all.

reference/demo_profiles.yaml (calibration), reference/demo_names.yaml (names, organisations, towns) and
reference/demo/{narratives,evidence,letters,casework}.yaml (text banks) are each validated against a pydantic
schema, then checked against each other and against what the generator fills in and looks up (placeholders,
evidence sources, flaw categories, panel slugs, organisation types, indicator ids). Every problem in every
file is collected and raised once as a ReferenceDataError (file, entry, field).

The generator keeps reading the parsed YAML (`DemoReference`), not the models: the schemas guard its shape,
while the values, their types and their order stay exactly what the file says (same seed, same data).
"""
from __future__ import annotations

import string
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Field

from qa_checks.reference_data import (
    REFERENCE_DIR,
    Problem,
    Schema,
    Text,
    Version,
    check,
    display_path,
    duplicates,
    read,
)
from workbench.demo.checks import cross_problems

# ---------------------------------------------------------------------------------------------- field types
Share = Annotated[float, Field(strict=True, ge=0, le=1)]   # a proportion from 0 to 1
Days = Annotated[int, Field(strict=True, ge=1)]              # a whole number of days from 1
Day = Annotated[date, Field(strict=True)]                    # a YAML date (2013-12-31), not a string
Age = Literal["adult", "child"]
Element = Literal["context", "action", "means", "purpose", "control", "exit"]
Exploitation = Literal["sexual", "labour", "domestic_servitude", "criminal", "organ_harvesting", "unknown"]


def _template(text: str) -> str:
    """A str.format template: braces only around placeholder names."""
    shown = repr(text) if len(text) <= 60 else repr(text[:57] + "...")
    try:
        fields = [f for _, f, _, _ in string.Formatter().parse(text) if f is not None]
    except ValueError as exc:
        raise ValueError(f"{shown} is not a valid template ({exc}); braces are for placeholders only") from None
    if any(not f.isidentifier() for f in fields):
        raise ValueError(f"{shown} has an empty or malformed placeholder (braces are for placeholder names)")
    return text


Template = Annotated[Text, AfterValidator(_template)]
Texts = Annotated[list[Text], Field(min_length=1)]          # a non-empty list of phrases
Templates = Annotated[list[Template], Field(min_length=1)]  # a non-empty list of templates
Mix = Annotated[dict[str, Share], Field(min_length=1)]       # weights by key


# ------------------------------------------------------------------------------------- demo_profiles.yaml
class Panel(Schema):
    name: Text
    region: Text
    share: Share


class ExploitationMix(Schema):
    adult: Annotated[dict[Exploitation, Share], Field(min_length=1)]
    child: Annotated[dict[Exploitation, Share], Field(min_length=1)]


class Profile(Schema):
    """One calibration (workbench demo --profile)."""

    description: Text
    as_of: Day
    window_days: Days
    open_share: Share
    referrer_mix: Mix
    referrer_mix_source: Text
    children_share: Share
    child_nationality: Mix
    adult_nationality: Mix
    children_source: Text
    returned_for_errors_rate: Share
    unsigned_share_of_returned: Share
    returns_source: Text
    resubmitted_share: Share
    rg_positive_rate: Share
    cg_positive_rate_of_referrals: Share
    outcomes_source: Text
    mean_days_to_rg: Days
    mean_days_to_cg: Days
    times_source: Text
    female_share: Share
    exploitation: ExploitationMix
    detention_share: Share
    review_request_share_of_negative: Share


class ProfilesFile(Schema):
    """reference/demo_profiles.yaml."""

    version: Version
    panels: Annotated[list[Panel], Field(min_length=1)]
    panel_share_source: Text
    profiles: Annotated[dict[str, Profile], Field(min_length=1)]
    nationalities: Annotated[dict[str, Texts], Field(min_length=1)]


# ---------------------------------------------------------------------------------------- demo_names.yaml
class NamePool(Schema):
    first: Texts
    last: Texts


class HomeOfficeUnits(Schema):
    """The Home Office's referring units (people.People.leads draws one of these three)."""

    ukvi: Texts
    border_force: Texts
    immigration_enforcement: Texts


class Organisations(Schema):
    """Referring organisations by type: police and local authorities by region, the Home Office by unit,
    every other type one list."""

    police: dict[str, Texts]
    local_authority: dict[str, Texts]
    home_office: HomeOfficeUnits
    ngo: Texts
    nca: Texts
    gla: Texts
    health: Texts


class NamesFile(Schema):
    """reference/demo_names.yaml."""

    version: Version
    people: Annotated[dict[str, NamePool], Field(min_length=1)]
    staff: NamePool
    organisations: Organisations
    towns: Annotated[dict[str, Texts], Field(min_length=1)]


# --------------------------------------------------------------------------------- demo/narratives.yaml
class Episode(Schema):
    """One sentence of a referral narrative telling one element of a case."""

    id: Text
    element: Element
    ages: Annotated[list[Age], Field(min_length=1)]
    indicators: list[Text]
    text: Template
    migrant: Annotated[bool, Field(strict=True)] = False


class NarrativesFile(Schema):
    """reference/demo/narratives.yaml."""

    version: Version
    source: Text
    placeholders: Annotated[list[Text], Field(min_length=1)]
    elements: Annotated[list[Element], Field(min_length=1)]
    episodes: Annotated[dict[Exploitation, Annotated[list[Episode], Field(min_length=1)]], Field(min_length=1)]
    thin_narratives: Templates
    encounter_circumstances: dict[Exploitation, Templates]


# ----------------------------------------------------------------------------------- demo/evidence.yaml
class EvidenceBank(Schema):
    descriptions: Texts      # what the case management unit asked for
    summaries: Templates     # what came back


class EvidenceFile(Schema):
    """reference/demo/evidence.yaml: one bank per evidence source (workbench.demo.wording.SOURCE_LABEL)."""

    version: Version
    source: Text
    placeholders: Annotated[list[Text], Field(min_length=1)]
    police: EvidenceBank
    medical: EvidenceBank
    support_provider: EvidenceBank
    la_childrens_services: EvidenceBank
    ukvi_immigration_history: EvidenceBank
    lead: EvidenceBank
    other: EvidenceBank


# ------------------------------------------------------------------------------------ demo/letters.yaml
class ByAge(Schema):
    adult: Templates
    child: Templates


class ByStage(Schema):
    rg: Templates
    cg: Templates


class ByDecision(Schema):
    rg_positive: ByAge
    rg_negative: ByAge
    cg_positive: ByAge
    cg_negative: ByAge


class ByOutcome(Schema):
    """Good reasoning by outcome; letters.Letters samples two sentences, so at least two of each."""

    positive: Annotated[list[Template], Field(min_length=2)]
    negative: Annotated[list[Template], Field(min_length=2)]


class LettersFile(Schema):
    """reference/demo/letters.yaml."""

    version: Version
    source: Text
    placeholders: Annotated[list[Text], Field(min_length=1)]
    flaw_categories: Annotated[list[Text], Field(min_length=3)]
    opening: ByAge
    decision: ByDecision
    test: ByStage
    test_child: ByStage
    evidence_considered: Templates
    good_reasoning: ByOutcome
    good_reasoning_child: ByOutcome
    flaws: Annotated[dict[str, Templates], Field(min_length=3)]  # letters.Letters draws up to three categories
    review_route: ByAge
    closing: Templates


# ----------------------------------------------------------------------------------- demo/casework.yaml
class CaseworkFile(Schema):
    """reference/demo/casework.yaml: short phrases for casework details."""

    version: Version
    source: Text
    exploiters: Texts
    workplaces: Texts
    months: Texts
    identifier_roles: Texts
    assessment_notes: Texts
    escalation_reasons: Texts
    review_requesters: Texts
    review_reasons: Texts


# ------------------------------------------------------------------------------------------------ loading
FILES: dict[str, tuple[str, type[Schema]]] = {  # key -> (path under reference/, schema)
    "profiles": ("demo_profiles.yaml", ProfilesFile),
    "names": ("demo_names.yaml", NamesFile),
    "narratives": ("demo/narratives.yaml", NarrativesFile),
    "evidence": ("demo/evidence.yaml", EvidenceFile),
    "letters": ("demo/letters.yaml", LettersFile),
    "casework": ("demo/casework.yaml", CaseworkFile),
}


@dataclass(frozen=True)
class DemoReference:
    """Every demo reference file as parsed, once all of them passed their schemas and the cross-checks."""

    profiles: dict[str, Any]
    names: dict[str, Any]
    narratives: dict[str, Any]
    evidence: dict[str, Any]
    letters: dict[str, Any]
    casework: dict[str, Any]


def load_demo_reference(root: Path | str | None = None) -> DemoReference:
    """Read and validate every demo reference file under ``root`` (default: reference/); raise one
    ReferenceDataError listing every problem in every file."""
    root = Path(root or REFERENCE_DIR)
    problems: list[Problem] = []
    raw: dict[str, Any] = {}
    valid: dict[str, bool] = {}
    shown: dict[str, str] = {}
    for key, (name, schema) in FILES.items():
        path = root / name
        shown[key] = display_path(path)
        before = len(problems)
        raw[key], _ = read(path, schema, problems)
        valid[key] = len(problems) == before
    if isinstance(raw["profiles"], dict):
        duplicates(shown["profiles"], "panels", raw["profiles"], problems, field="name")
        duplicates(shown["profiles"], "panels", raw["profiles"], problems, field="region")
    cross_problems(raw, valid, shown, problems)
    check(problems, "demo reference data")
    return DemoReference(**raw)
