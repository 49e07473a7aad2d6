"""Unit and property tests of dynamolite.ring (Dynamo sections 4.1-4.3)."""

from bisect import bisect_right
from fractions import Fraction
from hashlib import md5

import pytest
from hypothesis import assume, given, settings, strategies as st

from dynamolite.errors import (ConfigError, DuplicateNodeError, EmptyRingError, KeyTypeError, NodeNameError,
                               TooFewNodesError, UnknownNodeError)
from dynamolite.ring import (RING_SIZE, ModNPartitioner, RangePartitioner, Ring, moved_keys,
                             token, vnode_name)

KEYS = [f"key-{i}" for i in range(3000)]


def brute_owner(ring, key):
    """The owner by definition: smallest token strictly greater than the key's, else the smallest."""
    t = token(key)
    greater = [(tok, node) for tok, node in ring.tokens() if tok > t]
    return min(greater)[1] if greater else min(ring.tokens())[1]


def test_token_is_md5_big_endian():
    assert token("alice") == int.from_bytes(md5(b"alice").digest(), "big")
    assert token(b"alice") == token("alice")
    assert 0 <= token("x") < RING_SIZE


def test_tokens_are_md5_of_vnode_names():
    ring = Ring(["a", "b"], vnodes=3)
    assert sorted(ring.tokens()) == sorted((token(vnode_name(n, i)), n) for n in "ab" for i in range(3))


def test_lookup_matches_the_definition_and_wraps():
    ring = Ring(["a", "b", "c"], vnodes=5)
    for key in KEYS[:500]:
        assert ring.lookup(key) == brute_owner(ring, key)
    last_token, last_owner = ring.tokens()[-1]
    first_owner = ring.tokens()[0][1]
    # a key past the last token wraps to the first
    past = next(k for k in KEYS if token(k) > last_token)
    assert ring.lookup(past) == first_owner


def test_a_key_exactly_on_a_token_goes_to_the_next_token():
    ring = Ring(["a", "b", "c"], vnodes=4)
    name = vnode_name("b", 2)          # the key hashes exactly onto b's token
    tokens = ring.tokens()
    i = [t for t, _ in tokens].index(token(name))
    assert ring.lookup(name) == tokens[(i + 1) % len(tokens)][1]


def test_lookup_many_agrees_with_lookup():
    ring = Ring([f"n{i}" for i in range(7)], vnodes=16)
    owners = ring.lookup_many(KEYS + [b"raw-bytes"])
    assert list(owners) == [ring.lookup(k) for k in KEYS + [b"raw-bytes"]]


def test_lookup_many_settles_ties_on_all_128_bits():
    ring = Ring(["a", "b"], vnodes=4)
    name = vnode_name("a", 1)          # shares its top 64 bits (all of them) with a token
    assert ring.lookup_many([name])[0] == ring.lookup(name)


def test_preference_list_walks_distinct_nodes_clockwise():
    ring = Ring(["a", "b", "c", "d"], vnodes=8)
    for key in KEYS[:300]:
        pref = ring.preference_list(key, 3)
        assert pref[0] == ring.lookup(key)
        assert len(set(pref)) == 3
        # the walk order: the first occurrence of each node clockwise from the key
        tokens = ring.tokens()
        start = bisect_right([t for t, _ in tokens], token(key))
        walk = []
        for step in range(len(tokens)):
            node = tokens[(start + step) % len(tokens)][1]
            if node not in walk:
                walk.append(node)
        assert pref == walk[:3]


def test_weights_give_proportional_tokens_and_share():
    ring = Ring(["small", "big"], vnodes=64, weights={"big": 3})
    owners = [node for _, node in ring.tokens()]
    assert owners.count("big") == 3 * owners.count("small") == 192
    assert 0.6 < ring.ownership()["big"] < 0.9


def test_ownership_is_exact():
    ring = Ring(["a", "b", "c"], vnodes=5)
    exact = ring.ownership(exact=True)
    assert sum(exact.values()) == 1 and all(isinstance(v, Fraction) for v in exact.values())
    # agrees with counting: each node's keys among many are close to its share
    owners = list(ring.lookup_many(KEYS))
    for node, share in ring.ownership().items():
        assert abs(owners.count(node) / len(KEYS) - share) < 0.05


@pytest.mark.parametrize("bad, error", [
    (lambda: Ring([]).lookup("k"), EmptyRingError),
    (lambda: Ring([]).preference_list("k", 1), EmptyRingError),
    (lambda: Ring(["a", "b"]).preference_list("k", 3), TooFewNodesError),
    (lambda: Ring(["a", "b"]).preference_list("k", 0), TooFewNodesError),
    (lambda: Ring(["a", "a"]), DuplicateNodeError),
    (lambda: Ring(["a"]).add_node("a"), DuplicateNodeError),
    (lambda: Ring(["a"]).remove_node("z"), UnknownNodeError),
    (lambda: Ring(["a"]).lookup(42), KeyTypeError),
    (lambda: Ring(["a"]).lookup_many([3.5]), KeyTypeError),
    (lambda: Ring(["a"]).preference_list(None, 1), KeyTypeError),
    (lambda: Ring(["a"], vnodes=0), ConfigError),
    (lambda: Ring(["a"]).add_node("b", weight=0), ConfigError),
    (lambda: Ring(["a", 7]), NodeNameError),
    (lambda: Ring(["a", ""]), NodeNameError),
    (lambda: RangePartitioner(["n1", "n2"], splits="ZA"), ConfigError),
])
def test_bad_input_raises_a_clear_error(bad, error):
    with pytest.raises(error) as info:
        bad()
    assert len(str(info.value)) > 20     # the message explains the rule


def test_nothing_is_half_applied_on_error():
    ring = Ring(["a", "b"], vnodes=4)
    before = ring.tokens()
    with pytest.raises(DuplicateNodeError):
        ring.add_node("a")
    with pytest.raises(ConfigError):
        ring.add_node("c", weight=0)
    assert ring.tokens() == before and ring.nodes == ["a", "b"]
    ring.check()


def test_mod_n_moves_most_keys_and_ring_moves_about_one_over_n_plus_one():
    mod = ModNPartitioner(["a", "b", "c"])
    assert len(moved_keys(mod, mod.copy().add_node("d"), KEYS)) / len(KEYS) > 0.7
    ring = Ring(["a", "b", "c"], vnodes=128)
    moved = moved_keys(ring, ring.copy().add_node("d"), KEYS)
    assert abs(len(moved) / len(KEYS) - 0.25) < 0.05
    assert {new for _, new in moved.values()} == {"d"}


def test_range_partitioner_splits_by_first_letter():
    p = RangePartitioner(["n1", "n2", "n3"], splits="IR")
    assert [p.lookup(k) for k in ["adams", "Hill", "Ito", "quinn", "Ross", "zhu", "42"]] == \
        ["n1", "n1", "n2", "n2", "n3", "n3", "n1"]
    assert p.preference_list("Ross", 2) == ["n3", "n1"]
    assert RangePartitioner(["a", "b", "c", "d"]).add_node("e").nodes == ["a", "b", "c", "d", "e"]


# -- properties -------------------------------------------------------------
names = st.lists(st.text("abcdefgh", min_size=1, max_size=4), min_size=1, max_size=8, unique=True)
keys = st.lists(st.text(min_size=0, max_size=12), min_size=1, max_size=40)


@settings(max_examples=60, deadline=None)
@given(nodes=names, vnodes=st.integers(1, 12), key_list=keys, data=st.data())
def test_preference_list_never_repeats_a_physical_node(nodes, vnodes, key_list, data):
    ring = Ring(nodes, vnodes=vnodes)
    ring.check()
    n = data.draw(st.integers(1, len(nodes)))
    for key in key_list:
        pref = ring.preference_list(key, n)
        assert len(pref) == len(set(pref)) == n and pref[0] == ring.lookup(key)


@settings(max_examples=60, deadline=None)
@given(nodes=names, vnodes=st.integers(1, 12))
def test_ownership_sums_to_one(nodes, vnodes):
    ring = Ring(nodes, vnodes=vnodes)
    assert sum(ring.ownership(exact=True).values()) == 1
    assert abs(sum(ring.ownership().values()) - 1) < 1e-9


@settings(max_examples=60, deadline=None)
@given(nodes=names, vnodes=st.integers(1, 12), key_list=keys, newcomer=st.text("xyz", min_size=1, max_size=3))
def test_adding_a_node_moves_keys_only_to_it(nodes, vnodes, key_list, newcomer):
    before = Ring(nodes, vnodes=vnodes)
    after = before.copy().add_node(newcomer)
    after.check()
    assert all(new == newcomer for _, new in moved_keys(before, after, key_list).values())


@settings(max_examples=60, deadline=None)
@given(nodes=names, vnodes=st.integers(1, 12), key_list=keys, data=st.data())
def test_removing_a_node_moves_only_its_keys(nodes, vnodes, key_list, data):
    assume(len(nodes) >= 2)
    leaving = data.draw(st.sampled_from(nodes))
    before = Ring(nodes, vnodes=vnodes)
    after = before.copy().remove_node(leaving)
    after.check()
    assert all(old == leaving for old, _ in moved_keys(before, after, key_list).values())


@settings(max_examples=40, deadline=None)
@given(steps=st.lists(st.tuples(st.booleans(), st.text("abcd", min_size=1, max_size=2)), max_size=25))
def test_random_add_remove_keeps_invariants(steps):
    ring = Ring([], vnodes=3)
    for add, name in steps:
        if add and name not in ring:
            ring.add_node(name, weight=1 + len(name) % 2)
        elif not add and name in ring:
            ring.remove_node(name)
        ring.check()
