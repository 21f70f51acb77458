"""The demo generator's reference files (demo_profiles.yaml, demo_names.yaml, demo/*.yaml) load through their
schemas (workbench/demo/schemas.py); a broken copy is reported with file, entry and field, every problem in
every file at once, as one ReferenceDataError; and `workbench demo` turns that into one line and exit 2."""
from __future__ import annotations

import random
import shutil
from datetime import date
from pathlib import Path
from types import SimpleNamespace
from typing import get_args

import pytest
import yaml

from qa_checks.reference_data import REFERENCE_DIR, ReferenceDataError
from workbench.cli.main import main
from workbench.demo import banks, schemas
from workbench.demo.casework import Casework
from workbench.demo.wording import (
    EVIDENCE_FIELDS,
    LETTER_FIELDS,
    NARRATIVE_FIELDS,
    SOURCE_LABEL,
    TYPE_LABEL,
    letter_values,
)

NAMES = [name for name, _ in schemas.FILES.values()]


def _copy(tmp_path: Path) -> Path:
    root = tmp_path / "reference"
    for name in NAMES:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(REFERENCE_DIR / name, root / name)
    return root


def _edit(root: Path, name: str, fn) -> None:
    path = root / name
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    fn(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")


def _problems(root: Path) -> list[tuple[str, str, str]]:
    with pytest.raises(ReferenceDataError) as err:
        schemas.load_demo_reference(root)
    return [(Path(f).name, e, p) for f, e, p in err.value.problems]


def _has(problems, file: str, entry: str, start: str) -> bool:
    return any(f == file and (e == entry or e.startswith(entry + " (")) and p.startswith(start)
               for f, e, p in problems)


def test_every_shipped_demo_file_loads():
    ref = schemas.load_demo_reference()
    assert set(ref.profiles["profiles"]) == {"2013", "2024"}
    assert ref.narratives["episodes"] and ref.evidence["police"] and ref.letters["flaws"] and ref.casework


def test_every_demo_file_has_a_schema():
    shipped = {"demo_profiles.yaml", "demo_names.yaml"} | {f"demo/{p.name}" for p in
                                                          (REFERENCE_DIR / "demo").glob("*.yaml")}
    assert shipped == set(NAMES)


def test_the_loader_reads_what_yaml_reads():
    """The generator gets the parsed YAML itself (same values, types and order: same seed, same data)."""
    ref = schemas.load_demo_reference()
    for key, (name, _) in schemas.FILES.items():
        assert getattr(ref, key) == yaml.safe_load((REFERENCE_DIR / name).read_text(encoding="utf-8")), name


def _break_profiles(d):
    d["profiles"]["2013"]["open_share"] = "eight percent"                 # wrong type
    d["profiles"]["2013"]["as_of"] = "2013-12-31"                         # a string, not a date
    d["profiles"]["2024"]["colour"] = "red"                               # unknown key
    del d["profiles"]["2024"]["female_share"]                             # missing field
    d["panels"][2]["name"] = d["panels"][1]["name"]                       # duplicate where names are unique
    d["profiles"]["2013"]["referrer_mix"]["church"] = 0.01                 # cross: no such organisation type


def _break_names(d):
    d["staff"]["first"] = "Sarah"                                          # wrong type
    d["organisations"]["home_office"]["visas"] = ["UKVI"]                  # unknown key
    del d["towns"]["Wales"]                                                # cross: a panel's region has no towns


def _break_narratives(d):
    eps = d["episodes"]["labour"]
    eps[0]["ages"] = "adult"                                               # wrong type
    eps[1]["mood"] = "grim"                                                # unknown key
    del eps[2]["element"]                                                  # missing field
    eps[4]["id"] = eps[3]["id"]                                            # duplicate id
    d["episodes"]["sexual"][0]["id"] = eps[5]["id"]                        # duplicate across types
    eps[6]["text"] = "{They} met {boss} in {town}."                        # cross: a placeholder nobody fills
    d["thin_narratives"][0] = "Possible {type_label"                       # a malformed template


def _break_evidence(d):
    d["police"]["summaries"] = []                                          # empty
    d["pharmacy"] = {"descriptions": ["x"], "summaries": ["y"]}            # unknown source
    del d["lead"]                                                          # missing source
    d["placeholders"].append("weather")                                    # cross: the generator fills no such thing


def _break_letters(d):
    d["good_reasoning"]["positive"] = d["good_reasoning"]["positive"][:1]   # too few to sample two
    d["flaws"]["made-up"] = ["You made it up."]                            # cross: not a flaw category
    d["decision"]["rg_positive"]["adult"][0] += " Signed {chair}."         # cross: unknown placeholder


def _break_casework(d):
    d["months"] = ["January", 3]                                           # wrong type in a list
    del d["review_reasons"]                                                # missing field


BREAKS = {"demo_profiles.yaml": _break_profiles, "demo_names.yaml": _break_names,
          "demo/narratives.yaml": _break_narratives, "demo/evidence.yaml": _break_evidence,
          "demo/letters.yaml": _break_letters, "demo/casework.yaml": _break_casework}

EXPECTED = [
    ("demo_profiles.yaml", "profiles.2013", "open_share: Input should be a valid number"),
    ("demo_profiles.yaml", "profiles.2013", "as_of: Input should be a valid date"),
    ("demo_profiles.yaml", "profiles.2024", "colour: unknown field"),
    ("demo_profiles.yaml", "profiles.2024", "female_share: missing required field"),
    ("demo_profiles.yaml", "panels #3", "name: duplicate id 'South East' (also panels #2)"),
    ("demo_profiles.yaml", "profiles.2013", "referrer_mix.church: no organisations of type 'church'"),
    ("demo_names.yaml", "header", "staff.first: Input should be a valid list"),
    ("demo_names.yaml", "organisations.home_office", "visas: unknown field"),
    ("demo_names.yaml", "header", "towns.Wales: missing"),
    ("narratives.yaml", "episodes.labour #1 (lab-001)", "ages: Input should be a valid list"),
    ("narratives.yaml", "episodes.labour #2 (lab-002)", "mood: unknown field"),
    ("narratives.yaml", "episodes.labour #3 (lab-003)", "element: missing required field"),
    ("narratives.yaml", "episodes.labour #5 (lab-004)", "id: duplicate id 'lab-004' (also episodes.labour #4"),
    ("narratives.yaml", "episodes.sexual #1 (lab-006)", "id: duplicate id 'lab-006' (also episodes.labour #6"),
    ("narratives.yaml", "episodes.labour #7 (lab-007)", "text: unknown placeholder(s) boss"),
    ("narratives.yaml", "thin_narratives #1", "(whole entry): 'Possible {type_label' is not a valid template"),
    ("evidence.yaml", "header", "police.summaries: List should have at least 1 item"),
    ("evidence.yaml", "header", "pharmacy: unknown field"),
    ("evidence.yaml", "header", "lead: missing required field"),
    ("evidence.yaml", "header", "placeholders: the generator does not fill 'weather'"),
    ("letters.yaml", "header", "good_reasoning.positive: List should have at least 2 items"),
    ("letters.yaml", "flaws.made-up", "(whole entry): not listed under flaw_categories"),
    ("letters.yaml", "decision.rg_positive.adult #1", "(whole entry): unknown placeholder(s) chair"),
    ("casework.yaml", "months #2", "(whole entry): Input should be a valid string"),
    ("casework.yaml", "header", "review_reasons: missing required field"),
]


def test_a_broken_copy_reports_every_problem_in_every_file_at_once(tmp_path):
    root = _copy(tmp_path)
    for name, fn in BREAKS.items():
        _edit(root, name, fn)
    problems = _problems(root)
    missing = [want for want in EXPECTED if not _has(problems, *want)]
    assert not missing, (missing, problems)


def test_cross_checks_between_profiles_names_and_the_generator(tmp_path):
    root = _copy(tmp_path)

    def profiles(d):
        d["panels"][0]["name"] = "Londinium"                               # no slug for its users
        d["profiles"]["2024"]["child_nationality"]["martian"] = 0.01
        d["profiles"]["2024"]["mean_days_to_cg"] = 10                      # shorter than the time to RG
        d["profiles"]["2013"]["exploitation"]["child"] = {"sexual": 0.0, "labour": 0}  # nothing to draw

    _edit(root, "demo_profiles.yaml", profiles)
    _edit(root, "demo_names.yaml", lambda d: d["organisations"]["police"].pop("London"))
    _edit(root, "demo/letters.yaml", lambda d: d["flaw_categories"].remove("trauma-dismissal"))
    problems = _problems(root)
    for want in [("demo_profiles.yaml", "panels #1", "name: 'Londinium' is not a panel the demo knows"),
                 ("demo_profiles.yaml", "profiles.2024", "child_nationality.martian: unknown nationality group"),
                 ("demo_profiles.yaml", "profiles.2024", "mean_days_to_cg: must be more than mean_days_to_rg"),
                 ("demo_profiles.yaml", "profiles.2013", "exploitation.child: every share is zero"),
                 ("demo_names.yaml", "header", "organisations.police.London: missing"),
                 ("letters.yaml", "flaws.trauma-dismissal", "(whole entry): not listed under flaw_categories"),
                 ("letters.yaml", "header", "flaw_categories: 'trauma-dismissal' is missing")]:
        assert _has(problems, *want), (want, problems)


def test_unreadable_yaml_is_reported_with_the_others(tmp_path):
    root = _copy(tmp_path)
    (root / "demo/casework.yaml").write_text("months: [January\n", encoding="utf-8")
    _edit(root, "demo_names.yaml", lambda d: d.pop("staff"))
    problems = _problems(root)
    assert any(f == "casework.yaml" and p.startswith("is not valid YAML") for f, _, p in problems), problems
    assert _has(problems, "demo_names.yaml", "header", "staff: missing required field")


def test_the_fields_the_generator_fills_are_the_ones_the_checks_allow():
    c = SimpleNamespace(ref={"person_name": "Ana Popa", "reference": "NRM-1", "encounter_location": None})
    assert set(letter_values(c, date(2014, 1, 2), "", "")) == LETTER_FIELDS
    gen = SimpleNamespace(rand=random.Random(1))
    place = Casework._place(gen, {"region": "London"}, {"nationality": "Romania", "nationality_group": "eea"},
                          date(2014, 1, 2))
    assert set(place) == NARRATIVE_FIELDS and NARRATIVE_FIELDS | {"date"} == EVIDENCE_FIELDS
    sources = set(schemas.EvidenceFile.model_fields) - {"version", "source", "placeholders"}
    assert sources == set(SOURCE_LABEL)
    assert set(get_args(schemas.Exploitation)) == set(TYPE_LABEL)


def test_workbench_demo_given_a_bad_file_exits_2_with_one_line_naming_it(tmp_path, monkeypatch, capsys):
    root = _copy(tmp_path)
    _edit(root, "demo/casework.yaml", lambda d: d.update(months="May"))
    _edit(root, "demo_profiles.yaml", lambda d: d["profiles"]["2013"].pop("window_days"))
    monkeypatch.setattr(schemas, "REFERENCE_DIR", root)
    banks.clear_cache()
    try:
        code = main(["demo", "--db", str(tmp_path / "demo.db"), "--cases", "5", "--quiet"])
    finally:
        banks.clear_cache()
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1 and err.startswith("workbench demo: "), err
    assert str(root / "demo/casework.yaml") in err and "months" in err
    assert str(root / "demo_profiles.yaml") in err and "window_days: missing required field" in err
    assert not (tmp_path / "demo.db").exists()
