"""Vector clocks: descent is a partial order, merge is the least upper bound, reconcile keeps the maximal ones."""

import pytest
from hypothesis import given, settings, strategies as st

from dynamolite.errors import ConfigError
from dynamolite.vclock import VectorClock, concurrent, descends, merge, reconcile

clocks = st.dictionaries(st.sampled_from("ABCD"), st.integers(1, 4), max_size=4).map(VectorClock)


def test_paper_example_d1_to_d5():
    # Dynamo figure 3: D1 and D2 written by Sx, then Sy and Sz fork, Sx reconciles
    d1 = VectorClock().increment("Sx")
    d2 = d1.increment("Sx")
    d3 = d2.increment("Sy")
    d4 = d2.increment("Sz")
    assert d2.descends(d1) and not d1.descends(d2)
    assert d3.concurrent(d4) and concurrent(d4, d3)
    d5 = merge(d3, d4).increment("Sx")
    assert d5.as_dict() == {"Sx": 3, "Sy": 1, "Sz": 1}
    assert all(descends(d5, d) for d in (d1, d2, d3, d4))
    assert reconcile([d1, d2, d3, d4]) == sorted([d3, d4], key=str)
    assert reconcile([d3, d5, d4]) == [d5]


def test_compare_names_the_relation():
    a = VectorClock({"A": 1})
    b = a.increment("B")
    assert (a.compare(a), b.compare(a), a.compare(b)) == ("equal", "after", "before")
    assert b.compare(a.increment("C")) == "concurrent"


def test_counters_only_grow_and_must_be_positive():
    with pytest.raises(ConfigError, match="only grows"):
        VectorClock({"A": 3}).increment("A", counter=2)
    with pytest.raises(ConfigError, match="positive"):
        VectorClock({"A": 0})
    assert VectorClock({"A": 3}).increment("A", counter=7)["A"] == 7


def test_truncate_drops_the_oldest_entries():
    c = VectorClock()
    for t, node in enumerate("ABCDE"):
        c = c.increment(node, time=t)
    assert c.truncate(3).as_dict() == {"C": 1, "D": 1, "E": 1}
    assert c.truncate(10) is c
    with pytest.raises(ConfigError):
        c.truncate(0)


@settings(max_examples=200, deadline=None)
@given(clocks, clocks, clocks)
def test_descends_is_a_partial_order_and_merge_the_least_upper_bound(a, b, c):
    assert a.descends(a)
    if a.descends(b) and b.descends(a):
        assert a == b and hash(a) == hash(b)
    if a.descends(b) and b.descends(c):
        assert a.descends(c)
    m = merge(a, b)
    assert m.descends(a) and m.descends(b)
    if c.descends(a) and c.descends(b):
        assert c.descends(m)
    assert a.concurrent(b) == (not a.descends(b) and not b.descends(a))


@settings(max_examples=200, deadline=None)
@given(st.lists(clocks, max_size=6))
def test_reconcile_keeps_exactly_the_maximal_clocks(cs):
    kept = reconcile(cs)
    for k in kept:
        assert k in cs
        assert not any(o.descends(k) and o != k for o in cs)
    for c in cs:
        assert any(k.descends(c) for k in kept)
    assert len(set(kept)) == len(kept)
