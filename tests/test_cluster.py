"""The quorum cluster: configuration errors, the get/put interface, siblings, and quorum properties."""

import gc
import re
import random

import networkx as nx
import pytest
from hypothesis import given, settings, strategies as st

from dynamolite.cluster.checkers import check_stale_reads
from dynamolite.cluster import Cluster
from dynamolite.errors import ConfigError, UnknownNodeError
from dynamolite.cluster.network import Constant, Exponential, Partition, Regions


def run_workload(cluster, ops, keys=5, clients=8, seed=0, think=1.0):
    """Closed-loop clients doing random gets, blind puts and read-modify-writes."""
    rng = random.Random(seed)
    issued = [0]
    contexts = {}

    def next_op(client, last=None):
        if last is not None and last.kind == "get" and last.ok:
            contexts[client, last.key] = last.context
        if issued[0] >= ops:
            return
        issued[0] += 1
        key = f"k{rng.randrange(keys)}"
        at = cluster.now + rng.expovariate(1.0 / think)
        done = lambda op, c=client: next_op(c, op)
        if rng.random() < 0.5:
            cluster.get_at(at, key, callback=done)
        else:
            context = contexts.get((client, key)) if rng.random() < 0.5 else None
            cluster.put_at(at, key, (client, issued[0]), context, callback=done)

    for c in range(clients):
        next_op(c)
    cluster.run()
    return cluster.history


# -- configuration ---------------------------------------------------------
@pytest.mark.parametrize("kwargs, rule", [
    (dict(n=3, r=4, w=1), "R=4 is greater than N=3"),
    (dict(n=3, r=1, w=5), "W=5 is greater than N=3"),
    (dict(n=6, r=1, w=1), "N=6 replicas need at least 6 nodes"),
    (dict(n=0, r=1, w=1), "positive integer"),
    (dict(latency="LNKD-NVME"), "unknown latency model"),
    (dict(latency=-2.0), "negative"),
    (dict(timeout=0), "timeout"),
    (dict(timeout="1000"), "timeout must be a positive number of ms, got '1000'"),
])
def test_bad_configurations_fail_loudly(kwargs, rule):
    with pytest.raises(ConfigError, match=rule):
        Cluster(["a", "b", "c", "d"], **kwargs)


@pytest.mark.parametrize("nodes", ["abc", 3.0, None])
def test_nodes_are_a_list_of_names_or_a_count(nodes):
    with pytest.raises(ConfigError, match="nodes are a list of node names or a count"):
        Cluster(nodes)


@pytest.mark.parametrize("call, rule", [
    (lambda c: c.sleep("10"), "cannot sleep '10': give a number of ms"),
    (lambda c: c.put_at("5", "k", 1), "time '5' is not a number of ms"),
    (lambda c: c.get_at(None, "k"), "time None is not a number of ms"),
])
def test_simulated_times_must_be_numbers(call, rule):
    with pytest.raises(ConfigError, match=re.escape(rule)):
        call(Cluster(3))


def test_region_needs_a_regions_cluster():
    with pytest.raises(ConfigError, match="Regions"):
        Cluster(3).get("k", region="Virginia")


# -- the interface ------------------------------------------------------------
def test_put_then_get_returns_the_value_with_latency_and_replicas():
    c = Cluster(5, n=3, r=2, w=2, latency=Constant(1.0), seed=1)
    put = c.put("cart", ["milk"])
    assert put.ok and put.latency == 2.0 and len(put.replicas) == 2
    assert set(put.replicas) <= set(c.preference_list("cart"))
    values, context = c.get("cart")
    assert values == [["milk"]] and context.clock == put.clock
    assert c.history[-1].stale is False and c.history[-1].latency == 2.0


def test_concurrent_blind_writes_become_siblings_and_a_put_with_the_context_reconciles_them():
    c = Cluster(3, n=3, r=3, w=3, latency=Exponential(1.0), seed=0)
    c.put_at(0.0, "cart", ["milk"])
    c.put_at(0.0, "cart", ["eggs"])
    c.run()
    first, second = c.history
    assert first.coordinator != second.coordinator    # (one coordinator would order them itself)
    assert first.clock.concurrent(second.clock)
    get = c.get("cart")
    assert sorted(map(tuple, get.values)) == [("eggs",), ("milk",)]
    c.put("cart", ["eggs", "milk"], get.context)
    assert c.get("cart").values == [["eggs", "milk"]]
    c.run()
    c.check()


@pytest.mark.parametrize("seed", range(6))
def test_a_chosen_coordinator_decides_between_siblings_and_an_overwrite(seed):
    c = Cluster(["A", "B", "C", "D", "E"], n=3, r=3, w=3, latency=Exponential(1.0), seed=seed)
    first, second, third = c.preference_list("cart")
    c.put_at(0.0, "cart", ["milk"], coordinator=first)
    c.put_at(0.0, "cart", ["eggs"], coordinator=second)
    c.run()
    assert [op.coordinator for op in c.history] == [first, second]
    assert sorted(map(tuple, c.get("cart").values)) == [("eggs",), ("milk",)]
    c.put("cart", ["tea"], coordinator=third)      # blind: its clock is concurrent with milk's and eggs'
    c.put("cart", ["jam"], coordinator=third)      # the same coordinator: jam's clock descends from tea's
    assert sorted(map(tuple, c.get("cart").values)) == [("eggs",), ("jam",), ("milk",)]
    outsider = next(name for name in c.nodes if name not in (first, second, third))
    with pytest.raises(ConfigError, match="preference list"):
        c.put("cart", ["x"], coordinator=outsider)
    with pytest.raises(UnknownNodeError, match="unknown node 'Z'"):
        c.get("cart", coordinator="Z")


def test_consistent_read_waits_for_a_read_quorum_that_meets_every_write_quorum():
    c = Cluster(3, n=3, r=1, w=1, latency="LNKD-DISK", seed=2)
    context = None
    for i in range(300):
        c.put("k", i, context)                 # each write descends from the last read
        op = c.get("k", consistent=True)
        assert op.values == [i] and len(op.replicas) == 3 and not op.stale
        context = op.context


def test_timeouts_fail_requests_when_messages_are_lost():
    c = Cluster(3, n=3, r=3, w=3, latency=Constant(1), loss=0.3, timeout=50, seed=3)
    ops = [c.put("k", i) for i in range(30)] + [c.get("k") for _ in range(30)]
    assert any(not op.ok for op in ops) and any(op.ok for op in ops)
    assert all(op.latency == 50 for op in ops if not op.ok)


def test_a_partitioned_replica_does_not_block_a_majority_quorum():
    nodes = ["a", "b", "c"]
    c = Cluster(nodes, n=3, r=2, w=2, latency=Constant(1), partitions=[Partition(0, 1e9, {"a"})], seed=5)
    ops = [c.put(f"k{i}", i) for i in range(12)]
    for op in ops:
        if op.coordinator == "a":          # the minority side cannot gather W=2 (no sloppy quorum here)
            assert not op.ok
        else:
            assert op.ok and "a" not in op.replicas
    assert {op.coordinator for op in ops} == {"a", "b", "c"}


def virginia_singapore(*nodes):
    """Datacenters 110 ms apart, 0.5 ms within one; nodes named va... or sg... by where they are."""
    g = nx.Graph()
    g.add_edge("Virginia", "Singapore", delay=110.0)
    placement = {name: "Virginia" if name.startswith("va") else "Singapore" for name in nodes}
    return dict(nodes=list(nodes), latency=Regions(g, placement, local=Constant(0.5)))


def test_regions_put_the_coordinator_near_the_client():
    c = Cluster(n=3, r=1, w=1, seed=0, **virginia_singapore("va1", "va2", "sg1"))
    put = c.put("photo", "bob.jpg", region="Virginia")
    assert put.coordinator.startswith("va") and put.latency == 2.0     # 4 local hops of 0.5 ms
    early = c.get("photo", region="Singapore")
    assert early.coordinator == "sg1" and early.stale and early.values == []
    c.sleep(200)
    late = c.get("photo", region="Singapore")
    assert late.values == ["bob.jpg"] and not late.stale
    with pytest.raises(UnknownNodeError):
        c.get("photo", region="Mars")


@pytest.mark.parametrize("kwargs", [dict(), dict(read_repair=True), dict(loss=0.2, timeout=20),
                                    dict(trace=True, partitions=[Partition(0, 30, {"n1"})]),
                                    dict(virginia_singapore("va1", "va2", "sg1", "sg2"), loss=0.1, timeout=300)])
def test_operations_leave_no_reference_cycles(kwargs):
    # run() pauses the cyclic garbage collector, so what a run creates must be freed by
    # reference counting: a collection right after the run finds nothing
    c = Cluster(n=3, r=2, w=2, seed=2, **(dict(nodes=5, latency=Exponential(1.0)) | kwargs))
    region = {"region": "Virginia"} if c.regions is not None else {}
    gc.collect()
    rng = random.Random(0)
    for i in range(400):
        key = f"k{rng.randrange(5)}"
        if i % 2:
            c.get_at(i * 0.5, key, consistent=i % 3 == 0, **region)
        else:
            c.put_at(i * 0.5, key, i, **region)
    c.run()
    assert gc.collect() == 0
    values, context = c.get("k1", **region)     # one request at a time: run() called per request
    c.put("k1", "reconciled", context, **region)
    assert gc.collect() == 0 and len(c.history) == 402


def test_trace_records_each_message_of_an_operation():
    c = Cluster(4, n=3, r=2, w=2, latency=Constant(1), seed=0, trace=True)
    op = c.put("k", 1)
    c.run()
    kinds = sorted(kind for kind, *_ in c.trace_of(op))
    assert kinds == ["A"] * 3 + ["W"] * 3
    with pytest.raises(ConfigError, match="trace=True"):
        Cluster(3).trace_of(0)


# -- properties ------------------------------------------------------------
def history_fingerprint(history):
    return [(op.id, op.kind, op.key, op.start, op.end, op.coordinator, tuple(op.replicas),
             repr(op.value), repr(op.values), str(op.clock)) for op in history]


@settings(max_examples=10, deadline=None)
@given(st.integers(0, 2 ** 32))
def test_identical_seeds_give_identical_histories(seed):
    def play():
        return history_fingerprint(run_workload(Cluster(6, n=3, r=1, w=2, seed=seed), 150, seed=seed))
    assert play() == play()


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2 ** 32),
       nrw=st.sampled_from([(3, 2, 2), (3, 1, 3), (3, 3, 1), (5, 3, 3), (5, 2, 4), (4, 2, 3)]),
       model=st.sampled_from(["LNKD-SSD", "LNKD-DISK", "YMMR"]))
def test_strict_quorums_without_faults_never_return_stale_reads(seed, nrw, model):
    n, r, w = nrw
    cluster = Cluster(7, n=n, r=r, w=w, latency=model, seed=seed)
    history = run_workload(cluster, 250, keys=4, seed=seed)
    verdict = check_stale_reads(history)
    assert verdict.valid, verdict
    assert verdict.reads > 50
    assert not any(op.stale for op in history if op.kind == "get")
    cluster.check()


@settings(max_examples=10, deadline=None)
@given(st.integers(0, 2 ** 32))
def test_partial_quorums_can_be_stale_and_the_checker_agrees_with_the_cluster(seed):
    cluster = Cluster(5, n=3, r=1, w=1, latency="LNKD-DISK", seed=seed)
    history = run_workload(cluster, 300, keys=2, seed=seed, think=2.0)
    verdict = check_stale_reads(history)
    flagged = {op.id for op in history if op.kind == "get" and op.stale}
    assert {s.read.id for s in verdict.stale} == flagged
    cluster.check()


@pytest.mark.parametrize("repair", [False, True])
def test_read_repair_brings_a_replica_that_missed_a_write_up_to_date(repair):
    c = Cluster(["a", "b", "c"], n=3, r=1, w=1, latency=Constant(1), seed=0,
                partitions=[Partition(0, 10, {"c"})], read_repair=repair)
    c.put_at(0.0, "k", "v1")                      # c is cut off: it never receives the write
    c.run()
    missing = [name for name, versions in c.replicas_of("k").items() if not versions]
    if "c" not in missing:                        # c coordinated it: pick the replica cut off from it
        pytest.skip("the coordinator was on the cut side")
    c.sleep(20)                                   # the partition heals; nothing repairs by itself
    assert c.nodes["c"].get("k") == []
    c.get("k")
    c.run()
    held = [value for _, value in c.nodes["c"].get("k")]
    assert held == (["v1"] if repair else [])
    c.check()
