"""Convergence: Merkle trees, anti-entropy, gossip failure detection, and the nemesis property (Dynamo 4.7-4.8)."""

import math
from types import SimpleNamespace

import pytest
from hypothesis import given, settings, strategies as st

from dynamolite.cluster import Cluster, Context
from dynamolite.cluster.checkers import convergence_time, divergence, lost_writes
from dynamolite.cluster.faults import random_schedule
from dynamolite.cluster.membership import spread_rounds
from dynamolite.cluster.merkle import MerkleTree
from dynamolite.cluster.network import Constant, Exponential
from dynamolite.cluster.sim import Simulator
from dynamolite.cluster.workloads import blind_writers, cart_clients, items_lost
from dynamolite.errors import ConfigError
from dynamolite.ring import RING_SIZE, token
from dynamolite.vclock import VectorClock

# -- Merkle trees ---------------------------------------------------------------------
replica = st.dictionaries(st.sampled_from([f"k{i}" for i in range(60)]), st.sampled_from([b"x", b"y", b"z"]),
                          max_size=60)


@settings(max_examples=150)
@given(a=replica, b=replica, depth=st.integers(0, 8))
def test_merkle_diff_finds_exactly_the_differing_keys_with_few_hashes(a, b, depth):
    keys, compared = MerkleTree(a, depth).diff(MerkleTree(b, depth))
    assert set(keys) == {k for k in a.keys() | b.keys() if a.get(k) != b.get(k)}
    assert compared <= 1 + 2 * depth * len(keys)
    assert (compared == 1) == (not keys or depth == 0)       # equal roots: one hash and done
    assert MerkleTree(b, depth).diff(MerkleTree(a, depth))[0] == keys


def test_merkle_trees_of_a_range_and_of_different_shapes():
    lo = RING_SIZE - 10 ** 37                              # a range that wraps past the top
    hi = 2 * 10 ** 37
    inside = [k for k in (f"key{i}" for i in range(400)) if (token(k) - lo) % RING_SIZE < (hi - lo) % RING_SIZE]
    tree = MerkleTree({k: b"v" for k in inside}, 5, lo, hi)
    assert len(tree) == len(inside) > 0 and len(tree.levels) == 6 and len(tree.levels[5]) == 32
    outside = next(f"key{i}" for i in range(400) if f"key{i}" not in inside)
    with pytest.raises(ConfigError, match="outside the tree's range"):
        MerkleTree({outside: b"v"}, 5, lo, hi)
    with pytest.raises(ConfigError, match="same range and depth"):
        tree.diff(MerkleTree({}, 4, lo, hi))


def test_a_million_leaves_worth_of_diff_costs_about_two_hashes_per_level_per_key():
    a = {f"k{i}": b"v" for i in range(20000)}
    b = dict(a, k7=b"w", k99=b"w", k1234=b"w")
    keys, compared = MerkleTree(a, 12).diff(MerkleTree(b, 12))
    assert keys == ["k1234", "k7", "k99"]
    assert compared <= 1 + 2 * 12 * 3 and compared >= 2 * 12


# -- anti-entropy ------------------------------------------------------------------------
def test_anti_entropy_repairs_what_a_partition_left_divergent_and_counts_its_work():
    c = Cluster(["a", "b", "c", "d"], n=3, r=1, w=1, latency=Constant(1), seed=1, timeout=50)
    c.partition(["a"], ["b", "c", "d"])
    for i in range(40):
        c.put(f"k{i}", i)
    c.heal()
    c.run()
    before = divergence(c)
    assert not before.valid and before.count > 0
    exchanges, repaired, hashes = c.anti_entropy()
    assert c.converged() and repaired >= before.count
    assert exchanges == 3 * len(c.ring.ranges(3))        # every pair of the 3 replicas of every range
    again = c.anti_entropy()
    assert again[1] == 0 and again[2] == again[0]         # one root hash per exchange, nothing to do


def test_periodic_anti_entropy_converges_in_the_background():
    c = Cluster(["a", "b", "c", "d"], n=3, r=1, w=1, latency=Constant(1), seed=2, timeout=50,
                anti_entropy_ms=5)
    c.partition(["a"], ["b", "c", "d"])
    for i in range(30):
        c.put(f"k{i}", i)
    c.heal()
    waited = convergence_time(c, step_ms=5, limit_ms=5000)
    assert waited is not None and waited > 0 and c.converged()
    assert c.entropy.exchanges > 0 and c.entropy.keys_repaired > 0


def test_background_anti_entropy_learns_another_node_s_data_only_from_its_messages():
    # The peer used to read the sender's store when the request arrived, not the tree the
    # request carried: a write made after the sender's request left crossed a partition.
    c = Cluster(["a", "b", "c"], n=3, r=1, w=1, latency=Constant(5.0), seed=1, clocks="dvv",
                anti_entropy_ms=10)                       # requests leave at 10 ms, arrive at 15
    c.sim.at(11.0, lambda _: c.partition(["a"], ["b", "c"]))
    keys = [f"k{i}" for i in range(60)]                   # some in every range a may pick
    writes = [c.put_at(12.0, key, "new", coordinator="a") for key in keys]   # a stores them at once
    c.sleep(40)
    assert all(w.ok for w in writes) and all(c.nodes["a"].get(key) for key in keys)
    assert not any(c.nodes[n].get(key) for n in "bc" for key in keys)      # nothing crossed the cut
    c.heal()
    assert convergence_time(c, step_ms=10, limit_ms=5000) is not None


# -- gossip and failure detection ---------------------------------------------------------
def test_the_failure_detector_notices_a_crash_and_a_recovery():
    c = Cluster(5, n=3, r=1, w=1, latency=Constant(1), seed=3, gossip=True, gossip_ms=5, fail_after_ms=40)
    c.sleep(100)
    assert all(state == "up" for state in c.view("n0").values())
    c.crash("n3")
    c.sleep(10)
    assert c.view("n0")["n3"] == "up"                      # not yet: the detector needs its timeout
    c.sleep(100)
    assert all(c.view(n)["n3"] == "down" for n in c.nodes if n != "n3")
    c.recover("n3")
    c.sleep(100)
    assert all(c.view(n)["n3"] == "up" for n in c.nodes)
    assert all(not wrong for *_, wrong in c.membership.false_positives())


def test_a_short_timeout_suspects_live_nodes_that_are_merely_slow():
    def false_positives(fail_after):
        c = Cluster(6, n=3, r=1, w=1, latency=Exponential(1.0), seed=4, gossip=True, gossip_ms=5,
                    fail_after_ms=fail_after)
        c.slow("n2", 8)
        c.sleep(2000)
        return len(c.membership.false_positives())
    assert false_positives(12) > false_positives(200) == 0


def test_push_gossip_reaches_everyone_in_about_log2_n_rounds():
    for n in (16, 256, 1024):
        mean = sum(spread_rounds(n, seed) for seed in range(30)) / 30
        assert math.log2(n) <= mean <= math.log2(n) + math.log(n) + 2


def test_background_work_does_not_keep_run_going_but_sleep_lets_it_happen():
    sim = Simulator()
    ticks = []

    def tick(_):
        ticks.append(sim.now)
        sim.background(sim.now + 10, tick)
    sim.background(10, tick)
    sim.schedule(25, ticks.append, "work")
    assert sim.run() == 3 and ticks == [10, 20, "work"] and sim.now == 25
    sim.run(until=60)
    assert ticks[-1] == 60


# -- checkers ---------------------------------------------------------------------------
def put(op_id, key, clock, end, seen=(), ok=True, value=None):
    return SimpleNamespace(id=op_id, kind="put", key=key, clock=clock, value=value, start=end - 1, end=end,
                           ok=ok, context_in=Context(None, seen))


def test_a_write_is_kept_if_present_or_read_by_a_kept_write():
    a = VectorClock({"A": 1})
    b = a.increment("B")
    c = VectorClock({"C": 1})
    history = [put(0, "k", a, 1), put(1, "k", b, 2, seen=[a]), put(2, "k", c, 3)]
    assert lost_writes(history, {"k": [(b, None), (c, None)]}).valid
    verdict = lost_writes(history, {"k": [(b, None)]})
    assert not verdict.valid and verdict.count == 1 and verdict.example.id == 2
    lost_both = lost_writes(history, {"k": [(c, None)]})
    assert [p.id for p in lost_both.found] == [0, 1]          # a survives only through b
    unacked = lost_writes([put(0, "k", a, 1, ok=False)], {"k": []})
    assert unacked.valid and unacked.checked == 0


def test_a_final_version_with_the_write_s_clock_but_another_value_does_not_keep_it():
    # A write whose clock an older version already had (nodes that counted from 1 again over
    # old files) was dropped as seen; comparing clocks alone called it kept.
    a = VectorClock({"A": 1})
    history = [put(0, "k", a, 1, value="second run")]
    verdict = lost_writes(history, {"k": [(a, "first run")]})
    assert not verdict.valid and verdict.example.id == 0
    assert lost_writes(history, {"k": [(a, "second run")]}).valid


# -- the nemesis property --------------------------------------------------------------------
def nemesis_run(seed, clocks, tmp_path):
    nodes = [f"n{i}" for i in range(5)]
    c = Cluster(nodes, n=3, r=2, w=2, sloppy=True, clocks=clocks, seed=seed, read_repair=True,
                faults=random_schedule(nodes, 2000, seed, max_down=2), store="sqlite",
                data_dir=tmp_path / f"{clocks}-{seed}", anti_entropy_ms=200, timeout=300)
    cart_clients(c, clients=4, ops=40, keys=("a", "b", "c"), seed=seed, think_ms=20)
    c.run()
    c.sleep(1000)                       # after heal and recovery: hand-off and anti-entropy
    c.anti_entropy()
    return c


@settings(max_examples=12)
@given(seed=st.integers(0, 10 ** 6))
def test_under_a_random_nemesis_dotted_version_vectors_lose_no_acknowledged_write(seed, tmp_path_factory):
    c = nemesis_run(seed, "dvv", tmp_path_factory.mktemp("nemesis"))
    final = c.final_values()
    verdict = lost_writes(c.history, final)
    assert verdict.valid, verdict
    assert items_lost(c.history, final) == []
    assert c.converged(), divergence(c)
    assert sum(op.ok for op in c.history) > len(c.history) / 2


def test_the_same_nemesis_with_server_clocks_loses_writes_and_the_checker_says_so(tmp_path):
    caught = 0
    for seed in range(6):
        c = nemesis_run(seed, "server", tmp_path)
        final = c.final_values()
        verdict, items = lost_writes(c.history, final), items_lost(c.history, final)
        assert verdict.valid or verdict.example.ok
        if items:                       # an item an acknowledged cart held is gone: the checker must see it
            assert not verdict.valid
            caught += 1
    assert caught >= 3


def test_blind_writers_show_the_loss_without_any_fault():
    for clocks, valid in (("server", False), ("dvv", True)):
        c = Cluster(3, n=3, r=2, w=2, clocks=clocks, seed=5, latency=Exponential(1.0))
        blind_writers(c, clients=3, ops=5)
        c.run()
        assert lost_writes(c.history, c.final_values()).valid is valid


def test_dotted_version_vectors_never_claim_a_dot_a_replica_does_not_hold():
    # A replica may receive a coordinator's second blind write before its first: it must then
    # hold the first too, or a read there would return a context claiming a write it never saw.
    c = Cluster(4, n=3, r=1, w=1, clocks="dvv", seed=6, latency=Exponential(0.5))
    blind_writers(c, clients=4, ops=25, keys=("k",), think_ms=0.3)
    cart_clients(c, clients=2, ops=25, keys=("k",), seed=1, think_ms=0.3)
    while c.sim.pending():
        c.run(until=c.now + 0.5)
        c.check()
    assert lost_writes(c.history, c.final_values()).valid
