from datetime import date

import pytest

from qa_checks.legal_tests import all_tests, recovery_period_days
from qa_checks.legal_tests import test_in_force as legal_test_on


def test_recovery_period_is_45_days_until_29_january_2023_and_30_days_from_the_30th():
    assert recovery_period_days(date(2015, 6, 1)) == 45
    assert recovery_period_days(date(2023, 1, 29)) == 45
    assert recovery_period_days(date(2023, 1, 30)) == 30
    assert recovery_period_days(date(2025, 1, 1)) == 30


def test_conclusive_grounds_is_the_balance_of_probabilities_throughout():
    for on in (date(2009, 4, 1), date(2014, 11, 12), date(2023, 3, 1), date(2025, 5, 5)):
        assert legal_test_on("cg", on).standard == "balance of probabilities"


def test_reasonable_grounds_required_objective_factors_only_between_january_and_june_2023():
    assert "objective" not in legal_test_on("rg", date(2022, 12, 31)).standard
    assert "objective factors" in legal_test_on("rg", date(2023, 3, 1)).standard
    assert "objective" not in legal_test_on("rg", date(2023, 7, 1)).standard


def test_every_period_names_its_source_and_provenance_and_periods_do_not_overlap_or_leave_gaps():
    for stage in ("rg", "cg"):
        tests = all_tests(stage)
        for t in tests:
            assert t.source and t.provenance and t.wording_plain and t.stated_by
        for earlier, later in zip(tests, tests[1:]):
            assert (later.effective_from - earlier.effective_to).days == 1
        assert tests[-1].effective_to is None


def test_a_date_before_the_nrm_began_is_refused_not_guessed():
    with pytest.raises(LookupError, match="2009-04-01"):
        legal_test_on("rg", date(2008, 12, 1))
    with pytest.raises(ValueError):
        all_tests("appeal")
