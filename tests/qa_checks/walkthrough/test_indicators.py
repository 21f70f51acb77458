"""Indicator sets in reference/indicators/: they load, they say what domain.md says, the ILO combination
rule behaves as §1.2 describes, and a bad file is reported by file, entry and problem."""
from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path

import pytest
import yaml

from qa_checks.reference_data import ReferenceDataError
from qa_checks.walkthrough.indicators import (
    EXPLOITATION_TYPES,
    INDICATORS_DIR,
    clear_cache,
    cue_pattern,
    ilo_assessment,
    ilo_dimension_positive,
    indicator,
    indicators_for,
    load_combination_rules,
    load_indicator_sets,
)

FILES = sorted(INDICATORS_DIR.glob("*.yaml"))


# ------------------------------------------------------------------------------------ the shipped data


def test_every_file_loads_and_has_the_required_header():
    sets = load_indicator_sets()
    rules = load_combination_rules()
    assert len(FILES) == len(sets) + len(rules)
    for path in FILES:
        head = yaml.safe_load(path.read_text(encoding="utf-8"))
        for key in ("id", "version", "title", "sources", "status"):
            assert head.get(key), f"{path.name} lacks {key}"


def test_expected_sets_are_present():
    sets = load_indicator_sets()
    for sid in ["kts", "uk.general", "uk.physical", "uk.psychological", "uk.sexual", "uk.labour",
                "uk.domestic", "uk.criminal", "uk.organ", "uk.child", "ilo.al", "ilo.cl", "ilo.as", "ilo.cs"]:
        assert sid in sets, sid
    assert "ilo.2009.combination" in load_combination_rules()


def test_indicator_ids_are_unique_across_all_files():
    ids = []
    for path in FILES:
        ids += [e["id"] for e in yaml.safe_load(path.read_text(encoding="utf-8")).get("entries") or []]
    dupes = [i for i, n in Counter(ids).items() if n > 1]
    assert not dupes
    assert len(ids) == sum(len(s.indicators) for s in load_indicator_sets().values())


@pytest.mark.parametrize("list_id, counts, strengths", [
    ("ilo.al", {1: 10, 2: 10, 3: 16, 4: 9, 5: 15, 6: 7}, {"strong": 7, "medium": 53, "weak": 7}),
    ("ilo.cl", {1: 10, 2: 10, 3: 15, 4: 8, 5: 15, 6: 7}, {"strong": 15, "medium": 50}),
])
def test_ilo_counts_per_dimension_match_the_research(list_id, counts, strengths):
    s = load_indicator_sets()[list_id]
    assert dict(Counter(i.dimension for i in s.indicators)) == counts
    assert dict(Counter(i.strength for i in s.indicators)) == strengths
    assert sum(counts.values()) == len(s.indicators)


def test_grades_are_list_specific():
    # Deceived about education: weak for adults, strong for children (domain.md §1.3).
    assert indicator("ilo.al.1.10").strength == "weak"
    assert indicator("ilo.cl.1.10").strength == "strong"
    # "No social protection" is not in the children's list.
    with pytest.raises(KeyError):
        indicator("ilo.cl.4.6")


def test_sexual_exploitation_lists_are_recorded_as_not_found_without_invented_grades():
    sets = load_indicator_sets()
    for sid in ("ilo.as", "ilo.cs"):
        assert sets[sid].status == "not_found"
        assert sets[sid].indicators == ()
        assert "not transcribed" in sets[sid].notes.lower()
    with pytest.raises(ValueError, match="not_found"):
        ilo_assessment([], "ilo.as", is_child=False)


def test_provenance_status_is_kept_in_the_data():
    assert indicator("kts.working-against-will").status == "V"
    assert indicator("uk.general.movement-restricted").status == "S"
    assert indicator("uk.psychological.hostile-or-aggressive").status == "V"
    assert indicator("uk.psychological.depression").status == "B"
    assert all(i.status == "B" for i in load_indicator_sets()["uk.organ"].indicators)
    assert indicator("ilo.al.1.1").status == "S"
    # The disputed adult grades carry a note.
    assert "disputed" in indicator("ilo.al.3.13").note.lower()
    rule = load_combination_rules()["ilo.2009.combination"]
    assert rule.dimension_rule["status"] == "S"
    assert rule.classifications["adult"]["status"] == "B"


def test_every_indicator_names_source_status_cues_and_who_it_applies_to():
    for s in load_indicator_sets().values():
        for i in s.indicators:
            assert i.sources and all(src.strip() for src in i.sources), i.id
            assert i.status in ("V", "S", "B"), i.id
            assert i.cues, i.id
            assert set(i.ages) <= {"adult", "child"} and i.ages, i.id
            assert set(i.exploitation) <= set(EXPLOITATION_TYPES) and i.exploitation, i.id
            assert (i.strength is not None) == s.graded, i.id


def test_know_the_signs_reproduces_the_fourteen_signs_of_the_review():
    kts = load_indicator_sets()["kts"]
    assert len(kts.indicators) == 14
    assert Counter(i.group for i in kts.indicators) == {"is_someone": 7, "do_they_appear_to": 7}
    assert "4.2.6" in kts.sources["review"]


def test_loads_are_cached():
    a, b = load_indicator_sets(), load_indicator_sets()
    assert a["kts"] is b["kts"]


def test_unknown_id_suggests_the_nearest():
    with pytest.raises(KeyError, match="uk.general.movement-restricted"):
        indicator("uk.general.movment-restricted")


# ------------------------------------------------------------------------------------- the checklist


def ids(indicators):
    return {i.id for i in indicators}


def test_checklist_for_an_adult_sexual_exploitation_case():
    got = ids(indicators_for(["sexual"], is_child=False))
    assert "uk.sexual.moved-between-locations" in got
    assert "uk.general.movement-restricted" in got and "kts.working-against-will" in got
    assert "uk.physical.untreated-injuries" in got
    assert not any(i.startswith(("uk.labour.", "uk.domestic.", "uk.child.", "ilo.al.", "ilo.cl.")) for i in got)


def test_checklist_for_a_child_in_labour_exploitation():
    got = ids(indicators_for(["labour"], is_child=True))
    assert "uk.child.not-registered-school-or-gp" in got
    assert "ilo.cl.4.1" in got and "uk.labour.no-protective-equipment" in got
    assert not any(i.startswith("ilo.al.") for i in got)
    # A child-only psychological sign does not appear on an adult's checklist.
    assert "uk.psychological.misinformed-about-authorities" in got
    assert "uk.psychological.misinformed-about-authorities" not in ids(indicators_for(["labour"], False))


def test_unknown_type_gives_every_types_indicators():
    got = ids(indicators_for(["unknown"], is_child=False))
    for prefix in ("uk.sexual.", "uk.labour.", "uk.domestic.", "uk.criminal.", "uk.organ.", "ilo.al."):
        assert any(i.startswith(prefix) for i in got), prefix
    assert got == ids(indicators_for([], is_child=False))


def test_checklist_can_be_limited_to_sets_and_keeps_checklist_order():
    got = indicators_for(["domestic_servitude"], False, sets=["uk.domestic", "kts"])
    assert {i.set_id for i in got} == {"uk.domestic", "kts"}
    assert got[0].set_id == "kts"  # the review's short list comes first
    with pytest.raises(ValueError, match="unknown exploitation type"):
        indicators_for(["forced_labour"], False)


def test_cues_match_whole_words_and_wildcards():
    assert cue_pattern("told * would work").search("she was told she would work in a cafe")
    assert cue_pattern("deceiv*").search("he was deceived by an agent")
    assert not cue_pattern("hit").search("a white van")
    assert indicator("uk.general.documents-held").explained_by("The boss kept her PASSPORT in a drawer.")
    assert not indicator("uk.general.documents-held").explained_by("She worked in a kitchen.")


# ------------------------------------------------------------------------------- ILO combination rule
# Adult labour list: dimension 1 has 1.1 strong, 1.2-1.9 medium, 1.10 weak; dimension 3 has 3.1-3.14 medium
# and 3.15, 3.16 weak; dimension 5 has 5.1-5.4 strong and 5.15 weak.


@pytest.mark.parametrize("present, dimension, positive", [
    (["ilo.al.5.1"], 5, False),                               # 1 strong alone is not enough
    (["ilo.al.5.1", "ilo.al.5.2"], 5, True),                  # 2 strong
    (["ilo.al.5.1", "ilo.al.5.15"], 5, True),                 # 1 strong + 1 weak
    (["ilo.al.1.1", "ilo.al.1.2"], 1, True),                  # 1 strong + 1 medium
    (["ilo.al.3.1", "ilo.al.3.15", "ilo.al.3.16"], 3, False),  # 1 medium + 2 weak is not enough
    (["ilo.al.3.1", "ilo.al.3.2"], 3, False),                 # 2 medium alone is not enough
    (["ilo.al.3.1", "ilo.al.3.2", "ilo.al.3.3"], 3, True),    # 3 medium
    (["ilo.al.3.1", "ilo.al.3.2", "ilo.al.3.15"], 3, True),   # 2 medium + 1 weak
    (["ilo.al.3.15", "ilo.al.3.16"], 3, False),               # weak indicators only help when paired
    (["ilo.al.1.1", "ilo.al.4.1"], 1, False),                 # indicators of other dimensions do not count
])
def test_dimension_rule_cases_from_domain_md(present, dimension, positive):
    assert ilo_dimension_positive(present, "ilo.al", dimension) is positive


def test_ids_of_other_lists_are_ignored_and_unknown_ids_refused():
    assert ilo_dimension_positive(["ilo.al.5.1", "ilo.cl.5.2", "kts.dependence"], "ilo.al", 5) is False
    with pytest.raises(ValueError, match="ilo.al.5.99"):
        ilo_dimension_positive(["ilo.al.5.99"], "ilo.al", 5)


ADULT_FULL = ["ilo.al.1.1", "ilo.al.1.8",   # deceptive recruitment: 1 strong + 1 medium
              "ilo.al.4.1", "ilo.al.4.4",   # exploitation: 1 strong + 1 medium
              "ilo.al.5.1", "ilo.al.5.3"]   # coercion at destination: 2 strong


def test_adult_needs_recruitment_exploitation_and_destination():
    res = ilo_assessment(ADULT_FULL, "ilo.al", is_child=False)
    assert res["meets_ilo_combination"] is True
    assert res["guidance_only"] is True and "not a decision" in res["explanation"]
    assert [d for d, r in res["dimensions"].items() if r["positive"]] == [1, 4, 5]
    assert res["status"] == {"grades": "S", "dimension_rule": "S", "classification": "B"}

    no_destination = [i for i in ADULT_FULL if not i.startswith("ilo.al.5.")]
    res = ilo_assessment(no_destination, "ilo.al", is_child=False)
    assert res["meets_ilo_combination"] is False
    assert "not met: destination" in res["explanation"]
    assert "says nothing about whether the person is a victim" in res["explanation"]


def test_destination_can_be_abuse_of_vulnerability_but_not_in_the_survey_variant():
    present = ["ilo.al.1.1", "ilo.al.1.8", "ilo.al.4.1", "ilo.al.4.4", "ilo.al.6.1", "ilo.al.6.2", "ilo.al.6.3"]
    assert ilo_assessment(present, "ilo.al", False)["meets_ilo_combination"] is True
    survey = ilo_assessment(present, "ilo.al", False, classification="adult_survey")
    assert survey["meets_ilo_combination"] is False
    assert survey["classification"] == "adult_survey"


def test_child_needs_the_act_and_exploitation_but_not_the_means():
    exploitation = ["ilo.cl.4.1", "ilo.cl.4.2"]  # 1 strong + 1 medium
    res = ilo_assessment(exploitation, "ilo.cl", is_child=True)
    assert res["meets_ilo_combination"] is False
    assert "act_established" in res["explanation"]
    # The panel records the act: met, with no coercion or destination dimension at all.
    res = ilo_assessment(exploitation, "ilo.cl", is_child=True, act_established=True)
    assert res["meets_ilo_combination"] is True
    assert not res["dimensions"][5]["positive"] and not res["dimensions"][2]["positive"]
    # A single recruitment indicator shows an act happened, even though dimension 1 is not positive.
    res = ilo_assessment(exploitation + ["ilo.cl.1.2"], "ilo.cl", is_child=True)
    assert res["meets_ilo_combination"] is True and not res["dimensions"][1]["positive"]
    # ... unless the panel recorded that the act is not established.
    res = ilo_assessment(exploitation + ["ilo.cl.1.2"], "ilo.cl", is_child=True, act_established=False)
    assert res["meets_ilo_combination"] is False


def test_child_exploitation_alone_with_one_strong_is_not_enough():
    res = ilo_assessment(["ilo.cl.4.1"], "ilo.cl", is_child=True, act_established=True)
    assert res["meets_ilo_combination"] is False
    assert "not met: exploitation" in res["explanation"]


def test_the_adult_list_is_refused_for_a_child():
    with pytest.raises(ValueError, match="ilo.cl"):
        ilo_assessment(ADULT_FULL, "ilo.al", is_child=True)


# ----------------------------------------------------------------------------------- broken reference data


@pytest.fixture()
def data_dir(tmp_path: Path) -> Path:
    d = tmp_path / "indicators"
    shutil.copytree(INDICATORS_DIR, d)
    yield d
    clear_cache()


def edit(path: Path, fn) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    fn(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")


def test_a_copy_of_the_shipped_data_loads_from_a_directory_argument(data_dir):
    assert set(load_indicator_sets(data_dir)) == set(load_indicator_sets())


def test_invalid_yaml_names_file_and_line(data_dir):
    (data_dir / "kts_2014.yaml").write_text("id: kts\nentries:\n  - id: kts.x\n    text: [unclosed\n",
                                            encoding="utf-8")
    with pytest.raises(ReferenceDataError) as err:
        load_indicator_sets(data_dir)
    (file, where, problem), = err.value.problems
    assert file.endswith("kts_2014.yaml") and where.startswith("line ")
    assert "not valid YAML" in problem


def test_every_bad_entry_is_reported_at_once_with_file_entry_and_problem(data_dir):
    def break_ilo(d):
        d["entries"][0]["strength"] = "stong"          # unknown strength
        del d["entries"][1]["text"]                      # missing field
        d["entries"][2]["exploitation"] = ["slavery"]    # unknown exploitation type
        d["entries"][3]["strenght"] = "weak"             # typo in a field name

    def break_kts(d):
        d["entries"][0]["id"] = "kts.dependence"       # duplicate within the file
        d["entries"].append(dict(d["entries"][1], id="kts.x", related=["uk.nowhere"]))

    def steal_id(d):
        d["entries"][0]["id"] = "uk.labour.no-contract"  # wrong prefix and duplicate across files

    edit(data_dir / "ilo_2009_adults_labour.yaml", break_ilo)
    edit(data_dir / "kts_2014.yaml", break_kts)
    edit(data_dir / "uk_sexual.yaml", steal_id)
    with pytest.raises(ReferenceDataError) as err:
        load_indicator_sets(data_dir)
    problems = err.value.problems
    text = str(err.value)

    def has(file, entry, words):
        return any(f.endswith(file) and entry in e and words in p for f, e, p in problems)

    assert has("ilo_2009_adults_labour.yaml", "ilo.al.1.1", "strength: unknown value 'stong'")
    assert has("ilo_2009_adults_labour.yaml", "ilo.al.1.2", "text: missing required field")
    assert has("ilo_2009_adults_labour.yaml", "ilo.al.1.3", "exploitation[0]: unknown value 'slavery'")
    assert has("ilo_2009_adults_labour.yaml", "ilo.al.1.4", "strenght: unknown field")
    assert has("kts_2014.yaml", "kts.dependence", "duplicate id")
    assert has("kts_2014.yaml", "kts.x", "related id 'uk.nowhere'")
    assert has("uk_sexual.yaml", "uk.labour.no-contract", "must start with the set id")
    assert len(problems) >= 7
    assert "kts_2014.yaml" in text and "ilo_2009_adults_labour.yaml" in text


def test_duplicate_id_across_files_names_both_files(data_dir):
    def copy_entry(d):
        d["entries"].append({"id": "uk.general.isolated", "group": "accommodation", "text": "Again",
                             "cues": ["again"]})
    # Put an entry with uk.general's id into a second file whose set id makes the prefix legal.
    extra = data_dir / "uk_general_extra.yaml"
    head = yaml.safe_load((data_dir / "uk_general.yaml").read_text(encoding="utf-8"))
    head["id"] = "uk.general"
    head["entries"] = []
    extra.write_text(yaml.safe_dump(head, sort_keys=False), encoding="utf-8")
    edit(extra, copy_entry)
    with pytest.raises(ReferenceDataError) as err:
        load_indicator_sets(data_dir)
    msgs = [(f, e, p) for f, e, p in err.value.problems if "duplicate id" in p]
    assert msgs and "uk_general.yaml" in msgs[0][2]
    assert any("set id 'uk.general' is also used" in p for _, _, p in err.value.problems)


def test_counts_disagreeing_with_expected_counts_are_reported(data_dir):
    edit(data_dir / "ilo_2009_children_labour.yaml", lambda d: d["entries"].pop())
    with pytest.raises(ReferenceDataError, match="dimension 6 has 6 entries but expected_counts says 7"):
        load_indicator_sets(data_dir)


def test_a_not_found_set_may_not_hold_entries_and_an_empty_set_must_say_not_found(data_dir):
    def add(d):
        d["entries"] = [{"id": "ilo.as.4.1", "dimension": 4, "strength": "strong", "text": "Invented",
                         "cues": ["x"]}]
    edit(data_dir / "ilo_2009_adults_sexual.yaml", add)
    edit(data_dir / "uk_organ_harvesting.yaml", lambda d: d.update(entries=[]))
    with pytest.raises(ReferenceDataError) as err:
        load_indicator_sets(data_dir)
    problems = err.value.problems
    assert any(f.endswith("ilo_2009_adults_sexual.yaml") and "must have no entries" in p for f, _, p in problems)
    assert any(f.endswith("uk_organ_harvesting.yaml") and "status: not_found" in p for f, _, p in problems)


def test_missing_header_fields_and_an_entry_that_is_not_a_mapping(data_dir):
    def strip(d):
        del d["version"], d["sources"]
        d["entries"].insert(0, "just a string")
    edit(data_dir / "uk_labour.yaml", strip)
    with pytest.raises(ReferenceDataError) as err:
        load_indicator_sets(data_dir)
    problems = [(Path(f).name, e, p) for f, e, p in err.value.problems]
    assert ("uk_labour.yaml", "header", "version: missing required field") in problems
    assert ("uk_labour.yaml", "header", "sources: missing required field") in problems
    assert any(e == "entries #1" and "must be a mapping" in p for _, e, p in problems)
    assert isinstance(err.value, ValueError)


def test_a_broken_combination_rule_is_reported(data_dir):
    def bad_rule(d):
        d["dimension_rule"]["combinations"][0]["strongg"] = 2
        d["classifications"]["adult"]["requires"][0]["any_of_dimensions"] = [1, 9]
    edit(data_dir / "ilo_2009_combination_rule.yaml", bad_rule)
    with pytest.raises(ReferenceDataError) as err:
        load_combination_rules(data_dir)
    problems = [(e, p) for _, e, p in err.value.problems]
    assert ("dimension_rule.combinations #1 (a)", "strongg: unknown field (a typo, or a field this file does not "
            "have)") in problems
    assert ("classifications.adult", "requires[0].any_of_dimensions[1]: Input should be less than or equal to 6 "
            "(got 9)") in problems


def test_a_missing_directory_is_reported():
    with pytest.raises(ReferenceDataError, match="does not exist"):
        load_indicator_sets("/nonexistent/indicators")
