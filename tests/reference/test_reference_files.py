"""Every reference file loads through its schema; a broken copy is reported with file, entry and field, every
problem at once, as one ReferenceDataError; and every source points at a source a reader can check."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from qa_checks import legal_tests
from qa_checks.feedback import referrals
from qa_checks.qa_review import procedure
from qa_checks.reference_data import REFERENCE_DIR, ReferenceDataError
from qa_checks.walkthrough import indicators
from workbench.core import policy, timescales


def _load_legal_tests(path: Path):
    legal_tests._load.cache_clear()
    old, legal_tests._PATH = legal_tests._PATH, path
    try:
        return legal_tests._load()
    finally:
        legal_tests._PATH = old
        legal_tests._load.cache_clear()


def _load_checklist(path: Path):
    procedure.load_checklist.cache_clear()
    old, procedure._PATH = procedure._PATH, path
    try:
        return procedure.load_checklist()
    finally:
        procedure._PATH = old
        procedure.load_checklist.cache_clear()


def _uncached(fn):
    def load(path: Path):
        return fn.__wrapped__(path)
    return load


# file name -> its loader, given a path to a copy of the file
LOADERS = {
    "roles.yaml": policy.load_policy,
    "timescales.yaml": timescales.load_timescales,
    "legal_tests.yaml": _load_legal_tests,
    "procedure_checklist.yaml": _load_checklist,
    "referral_criteria.yaml": _uncached(referrals.load_criteria),
    "referral_cues.yaml": _uncached(referrals.load_narrative_cues),
}


@pytest.mark.parametrize("name", sorted(LOADERS))
def test_every_shipped_file_loads(name):
    assert LOADERS[name](REFERENCE_DIR / name)


def test_every_shipped_indicator_file_loads():
    sets = indicators.load_indicator_sets(REFERENCE_DIR / "indicators")
    files = {p.name for p in (REFERENCE_DIR / "indicators").glob("*.yaml")}
    assert {Path(s.file).name for s in sets.values()} | {"ilo_2009_combination_rule.yaml"} == files
    assert indicators.load_combination_rules(REFERENCE_DIR / "indicators")


def _broken_copy(tmp_path: Path, name: str, edit) -> Path:
    data = yaml.safe_load((REFERENCE_DIR / name).read_text(encoding="utf-8"))
    edit(data)
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


def _problems(load, path) -> list[tuple[str, str, str]]:
    with pytest.raises(ReferenceDataError) as err:
        load(path)
    problems = err.value.problems
    assert problems and all(f.endswith(Path(path).name) for f, _, _ in problems), problems
    return [(e, p) for _, e, p in problems]


def _has(problems, entry: str, start: str) -> bool:
    return any((e == entry or e.startswith(entry + " (")) and p.startswith(start) for e, p in problems)


def _break_criteria(d):
    d["criteria"][0]["weight"] = "heavy"                   # bad type
    d["criteria"][1]["wieght"] = 3                         # unknown key
    d["criteria"][2]["id"] = d["criteria"][3]["id"]        # duplicate id
    del d["criteria"][4]["why"]                            # missing field


def _break_checklist(d):
    d["items"][0]["applies_to"]["stage"] = "rg"            # bad type: a list is needed
    d["items"][1]["levle"] = "warning"
    d["items"][2]["id"] = d["items"][3]["id"]
    del d["items"][4]["text"]


def _break_legal_tests(d):
    d["tests"][0]["effective_from"] = "the first of April"
    d["tests"][1]["stages"] = ["rg"]
    del d["tests"][2]["source"]
    d["recovery_periods"][0]["days"] = "forty-five"


def _break_roles(d):
    d["roles"]["trainer"]["permissions"]["view_lead_quality"] = ["everywhere"]
    d["roles"]["admin"]["colour"] = "red"
    d["roles"]["qa_reviewer"]["permissions"]["fly"] = "all"
    del d["roles"]["case_manager"]


def _break_timescales(d):
    d["decision_aim_days"]["value"] = "thirty"
    d["child_review_days"]["unit"] = "days"
    del d["escalation"]["source"]


def _break_cues(d):
    d["min_words"] = "sixty"
    d["elements"]["who"]["cue"] = ["boss"]
    d["elements"]["when"]["patterns"] = ["(unclosed"]
    del d["elements"]["where"]


CASES = {
    "referral_criteria.yaml": (_break_criteria, [
        ("criteria #1 (consent.given)", "weight: Input should be a valid number"),
        ("criteria #2 (consent.signed)", "wieght: unknown field"),
        ("criteria #4 (fields.encounter_organisation)", "id: duplicate id 'fields.encounter_organisation'"),
        ("criteria #5", "why: missing required field"),
    ]),
    "procedure_checklist.yaml": (_break_checklist, [
        ("items #1 (evidence_considered)", "applies_to.stage: Input should be a valid list"),
        ("items #2 (support_provider_information)", "levle: unknown field"),
        ("items #4 (right_test)", "id: duplicate id 'right_test'"),
        ("items #5 (trauma_considered)", "text: missing required field"),
    ]),
    "legal_tests.yaml": (_break_legal_tests, [
        ("tests #1", "effective_from: Input should be a valid date"),
        ("tests #2", "stages: unknown field"),
        ("tests #3", "source: missing required field"),
        ("recovery_periods #1", "days: Input should be a valid integer"),
    ]),
    "roles.yaml": (_break_roles, [
        ("roles.trainer", "permissions.view_lead_quality[0]: unknown value 'everywhere'"),
        ("roles.admin", "colour: unknown field"),
        ("roles.qa_reviewer", "permissions.fly: unknown action 'fly'"),
        ("header", "roles: no entry for role(s) case_manager"),
    ]),
    "timescales.yaml": (_break_timescales, [
        ("header", "decision_aim_days.value: Input should be a valid integer"),
        ("header", "child_review_days.unit: unknown field"),
        ("header", "escalation.source: missing required field"),
    ]),
    "referral_cues.yaml": (_break_cues, [
        ("header", "min_words: Input should be a valid integer"),
        ("elements.who", "cue: unknown field"),
        ("elements.when", "patterns[0]: '(unclosed' is not a valid regular expression"),
    ]),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_a_broken_copy_reports_every_problem_with_file_entry_and_field(tmp_path, name):
    edit, expected = CASES[name]
    problems = _problems(LOADERS[name], _broken_copy(tmp_path, name, edit))
    for entry, start in expected:
        assert _has(problems, entry, start), (entry, start, problems)


def test_a_broken_indicator_folder_reports_every_problem_in_every_file(tmp_path):
    folder = tmp_path / "indicators"
    shutil.copytree(REFERENCE_DIR / "indicators", folder)

    def edit(name, fn):
        p = folder / name
        d = yaml.safe_load(p.read_text(encoding="utf-8"))
        fn(d)
        p.write_text(yaml.safe_dump(d, sort_keys=False, allow_unicode=True), encoding="utf-8")

    def break_kts(d):
        d["entries"][0]["cues"] = "forced to"               # bad type
        d["entries"][1]["colour"] = "red"                    # unknown key
        d["entries"][3]["id"] = d["entries"][2]["id"]        # duplicate id
        del d["entries"][4]["text"]                          # missing field

    def break_rule(d):
        d["classifications"]["adult"]["requires"][0]["any_of_dimensions"] = [7]
        d["dimension_rule"]["source"] = ["nowhere"]

    edit("kts_2014.yaml", break_kts)
    edit("uk_labour.yaml", lambda d: d.pop("title"))
    edit("ilo_2009_combination_rule.yaml", break_rule)
    with pytest.raises(ReferenceDataError) as err:
        indicators.load_indicator_sets(folder)
    got = [(Path(f).name, e, p) for f, e, p in err.value.problems]

    def has(file, entry, start):
        return any(f == file and entry in e and p.startswith(start) for f, e, p in got)

    assert has("kts_2014.yaml", "entries #1 (kts.working-against-will)", "cues: Input should be a valid list")
    assert has("kts_2014.yaml", "entries #2", "colour: unknown field")
    assert has("kts_2014.yaml", "entries #4", "id: duplicate id")
    assert has("kts_2014.yaml", "entries #5", "text: missing required field")
    assert has("uk_labour.yaml", "header", "title: missing required field")
    assert has("ilo_2009_combination_rule.yaml", "classifications.adult",
               "requires[0].any_of_dimensions[0]: Input should be less than or equal to 6")
    assert has("ilo_2009_combination_rule.yaml", "header", "dimension_rule.source: 'nowhere' is not one of")
    indicators.clear_cache()


def test_the_policy_error_is_a_reference_data_error_and_a_user_error(tmp_path):
    from workbench.core.errors import UserError
    path = _broken_copy(tmp_path, "roles.yaml", lambda d: d.pop("actions"))
    with pytest.raises(ReferenceDataError) as err:
        policy.load_policy(path)
    assert isinstance(err.value, UserError) and "\n" not in str(err.value)


# ----------------------------------------------------------------------------------------- provenance

NOTES = ("domain.md", "DESIGN.md", "research/")


def test_no_reference_file_cites_notes_outside_the_repository():
    """Sources cite the review's paragraph, the guidance and its version, the ILO publication or the judgment,
    never the project's research notes (not in the repository). reference/letters/ is checked by its own tests."""
    offenders = []
    for path in sorted(REFERENCE_DIR.rglob("*")):
        rel = path.relative_to(REFERENCE_DIR)
        if rel.parts[0] in ("letters", "__pycache__") or not path.is_file() or path.suffix not in (".yaml", ".yml"):
            continue
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if any(note in line for note in NOTES):
                offenders.append(f"reference/{rel}:{n}: {line.strip()[:100]}")
    assert not offenders, "\n".join(offenders)
