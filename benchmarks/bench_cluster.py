"""Speed of the failure machinery: a nemesis run, Merkle diffs, the SQLite store.

Run:  python benchmarks/bench_cluster.py            (about two minutes)
      python benchmarks/bench_cluster.py --quick    (fewer repeats, smaller Merkle trees)

1. 100,000 operations (read-modify-write cart clients: 100 clients over 1,000
   keys) on 10 nodes, N=3 R=2 W=2, dotted version vectors, with a random
   nemesis (crashes and partitions), sloppy quorum with gossip and hinted
   handoff, and periodic anti-entropy: target under 15 s. Beside it, the same
   workload on the plain cluster (strict quorum, no faults, no background work).
2. Merkle diff of two 1,000,000-key replicas differing in 10 keys: target
   under 1 s once the trees are built, and hashes compared within 2x of
   10 x log2(leaves). Beside it, the full comparison of every key's digest.
3. The SQLite store: acknowledged puts a second on one node (each put a
   committed transaction), WAL with synchronous=NORMAL (the kit's default) and
   FULL, beside the in-memory store: target at least 5,000 a second.

Medians of interleaved repeats; wall-clock time is measured only here, never in tests.
"""

import gc
import math
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

from dynamolite.cluster import Cluster
from dynamolite.cluster.checkers import lost_writes
from dynamolite.cluster.faults import random_schedule
from dynamolite.cluster.merkle import MerkleTree
from dynamolite.cluster.node import Node
from dynamolite.cluster.storage import MemoryStore, SQLiteStore
from dynamolite.cluster.workloads import cart_clients
from dynamolite.vclock import VectorClock

QUICK = "--quick" in sys.argv


def nemesis_run(seed, faults=True, ops=100_000, clients=100, keys=1_000):
    nodes = [f"n{i}" for i in range(10)]
    options = dict(sloppy=True, clocks="dvv", anti_entropy_ms=100.0, timeout=300.0,
                   faults=random_schedule(nodes, 2500, seed, max_down=2)) if faults else {}
    cluster = Cluster(nodes, n=3, r=2, w=2, latency="LNKD-SSD", seed=seed, **options)
    cart_clients(cluster, clients=clients, ops=ops // (2 * clients),
                 keys=[f"key{i}" for i in range(keys)], seed=seed, think_ms=1.0)
    cluster.run()
    cluster.sleep(1000)                         # after the last fault: hand-off, anti-entropy
    return cluster


def part1(repeats):
    print("1. 100,000 operations on 10 nodes: cart clients (get, merge, put with the context;"
          " a get that fails is not followed by its put)")
    rows = {"nemesis, sloppy, hand-off, anti-entropy, dvv": True, "no faults, strict (the plain cluster)": False}
    times = {name: [] for name in rows}
    for seed in range(repeats):
        for name, faults in (list(rows.items()) if seed % 2 == 0 else list(rows.items())[::-1]):
            started = time.perf_counter()
            cluster = nemesis_run(seed, faults)
            times[name].append(time.perf_counter() - started)
            if faults and seed == 0:
                ok = sum(op.ok for op in cluster.history) / len(cluster.history)
                verdict = lost_writes(cluster.history, cluster.final_values())
                report = (f"{len(cluster.history):,} ops, {cluster.sim.events:,} events, "
                          f"{ok:.1%} succeeded, {len(cluster.faults)} faults, hand-offs "
                          f"{cluster.handoff.delivered}, anti-entropy exchanges {cluster.entropy.exchanges:,}, "
                          f"lost writes: {'none' if verdict.valid else verdict.count}")
    for name, t in times.items():
        print(f"   {name:44} median {statistics.median(t):6.2f} s  best {min(t):6.2f} s")
    nemesis, plain = (statistics.median(t) for t in times.values())
    print(f"   the nemesis run costs {nemesis / plain:.2f}x the plain run; target under 15 s")
    print(f"   seed 0: {report}")


def part2(repeats):
    size = 100_000 if QUICK else 1_000_000
    depth = round(math.log2(size / 16))                 # about 16 keys a leaf
    print(f"2. Merkle diff: two {size:,}-key replicas differing in 10 keys, depth {depth} "
          f"({2 ** depth:,} leaves)")
    rng = random.Random(1)
    mine = {f"key{i}": b"v1" for i in range(size)}
    theirs = dict(mine)
    changed = sorted(rng.sample(sorted(mine), 10))
    for key in changed:
        theirs[key] = b"v2"
    started = time.perf_counter()
    a, b = MerkleTree(mine, depth), MerkleTree(theirs, depth)
    build = (time.perf_counter() - started) / 2
    diffs, fulls = [], []
    for _ in range(repeats):
        started = time.perf_counter()
        keys, compared = a.diff(b)
        diffs.append(time.perf_counter() - started)
        started = time.perf_counter()
        full = [k for k in mine if mine[k] != theirs[k]]
        fulls.append(time.perf_counter() - started)
    assert keys == changed == sorted(full, key=str)
    bound = 10 * depth
    print(f"   building one tree: {build:.2f} s (not part of the target)")
    print(f"   Merkle diff       median {statistics.median(diffs) * 1000:8.3f} ms, {compared:,} hashes compared "
          f"= {compared / bound:.2f} x 10 log2(leaves) ({bound}); target < 1 s and within 2x")
    print(f"   every key compared median {statistics.median(fulls) * 1000:8.3f} ms, {size:,} digests compared")


def puts_per_second(store, count):
    node = Node("n0", store, MemoryStore())
    clock = VectorClock()
    started = time.perf_counter()
    for i in range(count):
        clock = clock.increment("n0")
        node.merge(f"key{i % 1000}", [(clock, i)])
    return count / (time.perf_counter() - started)


def part3(repeats):
    count = 5_000 if QUICK else 20_000
    print(f"3. the store: {count:,} puts on one node, each acknowledged after it is stored")
    with tempfile.TemporaryDirectory() as folder:
        kinds = {"SQLite, WAL, synchronous=NORMAL": lambda i: SQLiteStore(Path(folder) / f"n{i}.sqlite"),
                 "SQLite, WAL, synchronous=FULL": lambda i: SQLiteStore(Path(folder) / f"f{i}.sqlite", "FULL"),
                 "in memory (lost on a crash)": lambda i: MemoryStore()}
        rates = {name: [] for name in kinds}
        for i in range(repeats):
            for name, make in kinds.items():
                rates[name].append(puts_per_second(make(i), count))
    for name, r in rates.items():
        print(f"   {name:34} median {statistics.median(r):10,.0f} puts/s")
    print("   target: >= 5,000 puts/s with NORMAL. NORMAL syncs the write-ahead log only at "
          "checkpoints: a crashed process loses nothing committed; a power cut may lose the last commits.")


def main():
    repeats = 3 if QUICK else 5
    for part in (lambda: part1(max(1, repeats // 2 + 1)), lambda: part2(repeats), lambda: part3(repeats)):
        gc.collect()             # a cluster and its coordinator form a cycle: free the last part's now
        part()


if __name__ == "__main__":
    main()
