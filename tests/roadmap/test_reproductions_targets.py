from datetime import date
from decimal import Decimal as D

import pytest

from roadmap.targets import Direction, Measured, Target, best_result, verdict


def at_least(value, tolerance="0"):
    return Target("BLEU", D(value), Direction.AT_LEAST, D(tolerance))


def at_most(value, tolerance="0"):
    return Target("test error %", D(value), Direction.AT_MOST, D(tolerance))


def within(value, tolerance):
    return Target("accuracy", D(value), Direction.WITHIN, D(tolerance))


def results(*values):
    return [Measured(D(v), date(2026, 1, 1 + i), pk=i + 1) for i, v in enumerate(values)]


@pytest.mark.parametrize(
    ("target", "value", "hit", "missed_by"),
    [
        (at_least("29.5"), "30.4", True, None),
        (at_least("29.5"), "29.5", True, None),
        (at_least("29.5"), "28.9", False, "0.6"),
        (at_least("29.5", "0.5"), "29.0", True, None),
        (at_least("29.5", "0.5"), "28.9", False, "0.1"),
        (at_most("1.3"), "1.1", True, None),
        (at_most("1.3"), "1.3", True, None),
        (at_most("1.3"), "1.45", False, "0.15"),
        (at_most("1.3", "0.1"), "1.4", True, None),
        (at_most("1.3", "0.1"), "1.45", False, "0.05"),
        (within("95.1", "1"), "94.1", True, None),
        (within("95.1", "1"), "96.1", True, None),
        (within("95.1", "1"), "95.1", True, None),
        (within("95.1", "1"), "93.5", False, "0.6"),
        (within("95.1", "1"), "96.7", False, "0.6"),
        (within("0", "0"), "-0.2", False, "0.2"),
    ],
)
def test_verdict_in_each_direction_with_its_tolerance(target, value, hit, missed_by):
    v = verdict(target, results(value))
    assert v.hit is hit
    assert v.missed_by == (D(missed_by) if missed_by else None)


def test_verdict_reads_as_the_learner_would_say_it():
    assert str(verdict(at_least("29.5"), results("30.4"))) == "hit: 30.4 against at least 29.5"
    assert (
        str(verdict(at_least("29.5"), results("28.9")))
        == "missed by 0.6: 28.9 against at least 29.5"
    )
    assert (
        str(verdict(within("95.1", "1.5"), results("93.0")))
        == "missed by 0.6: 93 against within 1.5 of 95.1"
    )
    assert (
        str(verdict(at_most("2.2", "0.05"), results("2.1")))
        == "hit: 2.1 against at most 2.2 (tolerance 0.05)"
    )
    assert str(verdict(at_least("29.5"), [])) == "no result yet"
    assert str(verdict(None, results("3"))) == "best 3, no target set"


def test_verdict_word_is_there_for_every_state():
    assert verdict(at_least("1"), results("2")).word == "hit"
    assert verdict(at_least("1"), results("0")).word == "missed"
    assert verdict(at_least("1"), []).word == "no result"
    assert verdict(None, results("1")).word == "no target"


def test_target_describes_itself_with_its_metric():
    assert str(at_least("29.5", "0.5")) == "at least 29.5 BLEU (tolerance 0.5)"
    assert str(within("89.8", "1.5")) == "within 1.5 of 89.8 accuracy"
    assert str(Target("", D("2.2000"), Direction.AT_MOST, D(0))) == "at most 2.2"


@pytest.mark.parametrize(
    ("target", "values", "best"),
    [
        (at_least("29.5"), ["28.1", "30.4", "29.9"], "30.4"),
        (at_most("1.3"), ["1.6", "1.25", "1.4"], "1.25"),
        # Within: the closest to the value, above or below.
        (within("95.1", "1"), ["93.0", "95.9", "94.5"], "94.5"),
        (within("95.1", "1"), ["96.0", "94.2"], "96.0"),
    ],
)
def test_best_result_is_the_one_closest_to_the_target(target, values, best):
    assert best_result(target, results(*values)).value == D(best)


def test_best_of_equal_results_is_the_earliest():
    found = best_result(at_least("1"), results("2", "2", "1"))
    assert found.pk == 1


def test_best_result_without_a_target_is_the_latest():
    assert best_result(None, results("5", "1", "3")).value == D(3)
    assert best_result(at_least("1"), []) is None
