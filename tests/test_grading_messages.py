"""The messages a learner reads when a check fails: they say what was expected."""

from fractions import Fraction

import pytest

from dynamolite.grading import GradingFailure, check_close, check_equal


def failure(check, *args):
    with pytest.raises(GradingFailure) as info:
        check(*args)
    return str(info.value)


def test_a_non_plain_answer_is_refused_with_the_expected_value_shown():
    text = failure(check_equal, Fraction(1, 2), (1, 2), "stale_probability(3, 1, 1)")
    assert text.startswith("stale_probability(3, 1, 1): expected a tuple (1, 2), got a Fraction; ")
    text = failure(check_equal, [Fraction(1, 2)], None, "f()")
    assert text.startswith("f(): expected None, got a value holding a Fraction; ")


def test_a_wrong_type_and_a_wrong_element_are_named():
    assert failure(check_equal, [1, 2], (1, 2), "f()") == "f(): expected a tuple (1, 2), got a list [1, 2]"
    assert failure(check_equal, "3", 3, "f()") == "f(): expected an int 3, got a str '3'"
    text = failure(check_equal, {"a": [1, 2, 4]}, {"a": [1, 2, 3]}, "g()")
    assert "at ['a'][2]: expected 3, got 4" in text


def test_numbers_of_other_types_compare_and_close_means_within_tol():
    check_equal(2, 2.0, "h()")
    check_close(0.1 + 0.2, 0.3, "k()")
    assert "within 1e-09" in failure(check_close, 0.31, 0.3, "k()")


def test_missing_and_extra_keys_are_listed_once_each():
    text = failure(check_equal, [{"a": 1, "x": 2, "y": 3}], [{"a": 1}], "h()")
    assert "[0] has extra keys 'x', 'y'" in text and "lacks" not in text
    text = failure(check_equal, {"b": 1}, {"a": 1, "b": 1}, "h()")
    assert "the result lacks key 'a'" in text and "extra" not in text


class _Spy:
    """Stands in for an object a test passes to the learner's function."""


def test_a_call_is_described_without_addresses_or_words_cut_in_half():
    from dynamolite.grading import call, describe_call

    def thread_posts(table, thread_id, since=None):
        raise KeyError("pk")

    with pytest.raises(GradingFailure) as info:
        call(thread_posts, _Spy(), "t0", since=None)
    assert str(info.value) == "thread_posts(a _Spy, 't0', since=None) raised KeyError: 'pk'"
    assert "0x" not in failure(check_equal, _Spy(), [1], "f()")
    tokens = list(range(10 ** 17, 10 ** 17 + 40))
    described = describe_call(thread_posts, (tokens, ["node-1"] * 40, "x" * 500), {"n": 3})
    assert len(described) <= 300 and described.endswith(")")
    assert "... (40 items)]" in described and "(500 characters)" in described
    shown_numbers = described.split("[", 1)[1].split(", ...")[0].split(", ")
    assert all(int(n) in tokens for n in shown_numbers)          # whole numbers, none cut
    many = describe_call(thread_posts, tuple(tokens), {})
    assert len(many) <= 300 and many.endswith(", ...)")
    assert all(int(n) in tokens for n in many[len("thread_posts("):-len(", ...)")].split(", "))
