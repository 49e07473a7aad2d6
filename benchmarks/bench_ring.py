"""Speed and memory of dynamolite.ring, side by side with its peers in one run.

    python benchmarks/bench_ring.py            # about a minute

Targets (issue: the kit's foundation):
  * single-key lookup: median at most 1.15x a bare bisect over sorted MD5 tokens
    (the pure-Python limit), and faster than uhashring 2.5 on the same keys/nodes;
  * batch lookup of 1,000,000 keys: faster than the bare bisect loop;
  * a ring of 1,000 nodes x 256 virtual nodes builds in under 2 s, holds under 64 MB;
  * ring widget redraw after a control change: under 100 ms for 20 nodes x 256 vnodes.
The machine is noisy: figures are medians over repeats, compared as ratios.
"""

import gc
import statistics
import sys
import time
import tracemalloc
from bisect import bisect_right
from dynamolite.ring import md5     # the same MD5 implementation for every contender

from dynamolite.ring import Ring, token, vnode_name
from dynamolite.viz import RingWidget

REPEATS = 7


def median_time(fn, repeats=REPEATS):
    times = []
    for _ in range(repeats):
        gc.collect()
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def bare_bisect_lookup(nodes, vnodes):
    pairs = sorted((token(vnode_name(n, i)), n) for n in nodes for i in range(vnodes))
    tokens = [t for t, _ in pairs]
    owners = [n for _, n in pairs]
    count = len(tokens)

    def lookup(key):
        return owners[bisect_right(tokens, int.from_bytes(md5(key.encode()).digest(), "big")) % count]
    return lookup


def single_lookups(nodes=10, vnodes=160, n_keys=100_000):
    names = [f"node-{i}" for i in range(nodes)]
    keys = [f"user-{i}" for i in range(n_keys)]
    ring = Ring(names, vnodes=vnodes)
    bare = bare_bisect_lookup(names, vnodes)
    assert all(ring.lookup(k) == bare(k) for k in keys[:1000])
    lookup = ring.lookup
    rows = {"bare bisect, same MD5 (the limit)": median_time(lambda: [bare(k) for k in keys]),
            "dynamolite Ring.lookup": median_time(lambda: [lookup(k) for k in keys])}
    try:
        from uhashring import HashRing
        peer = HashRing(nodes=names)       # ketama: MD5, 160 points per node
        get = peer.get_node
        rows["uhashring 2.5 get_node"] = median_time(lambda: [get(k) for k in keys])
    except ImportError:
        print("uhashring not installed: pip install uhashring==2.5")
    print(f"\nSingle-key lookup, {nodes} nodes x {vnodes} vnodes, {n_keys:,} keys, median of {REPEATS}:")
    base = rows["dynamolite Ring.lookup"]
    for name, t in rows.items():
        print(f"  {name:34s} {t / n_keys * 1e9:7.0f} ns/lookup   dynamolite/this = {base / t:5.2f}")


def batch_lookups(n_keys=1_000_000, nodes=10, vnodes=160):
    names = [f"node-{i}" for i in range(nodes)]
    keys = [f"user-{i}" for i in range(n_keys)]
    ring = Ring(names, vnodes=vnodes)
    bare = bare_bisect_lookup(names, vnodes)
    t_bare = median_time(lambda: [bare(k) for k in keys], repeats=3)
    t_batch = median_time(lambda: ring.lookup_many(keys), repeats=3)
    assert list(ring.lookup_many(keys[:10000])) == [bare(k) for k in keys[:10000]]
    print(f"\nBatch lookup of {n_keys:,} keys, median of 3:")
    print(f"  bare bisect loop              {t_bare:6.2f} s")
    print(f"  dynamolite Ring.lookup_many   {t_batch:6.2f} s   speed-up {t_bare / t_batch:4.2f}x")


def big_ring(nodes=1000, vnodes=256):
    names = [f"node-{i}" for i in range(nodes)]
    elapsed = median_time(lambda: Ring(names, vnodes=vnodes), repeats=3)
    gc.collect()
    tracemalloc.start()                  # memory measured on a separate build: tracing slows it
    ring = Ring(names, vnodes=vnodes)
    current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"\nRing of {nodes:,} nodes x {vnodes} vnodes ({nodes * vnodes:,} tokens):")
    print(f"  build {elapsed:5.2f} s, median of 3 (target < 2 s); holds {current / 2**20:5.1f} MB "
          f"(peak while building {peak / 2**20:5.1f} MB; target < 64 MB)")
    return ring


def widget_redraw(nodes=20, vnodes=256):
    widget = RingWidget(nodes=nodes, vnodes=vnodes, keys=1000)
    widget.widget()                      # the ipywidgets are built; no front end is needed
    sliders = widget.controls.nodes
    times = []
    for i in range(20):
        start = time.perf_counter()
        sliders.value = nodes + 1 if i % 2 == 0 else nodes   # what moving the slider does
        times.append(time.perf_counter() - start)
    print(f"\nRing widget redraw after a node-count change, {nodes} nodes x {vnodes} vnodes:")
    print(f"  median {statistics.median(times) * 1000:5.1f} ms, max {max(times) * 1000:5.1f} ms "
          f"over {len(times)} changes (target < 100 ms)")


if __name__ == "__main__":
    print(f"Python {sys.version.split()[0]}")
    single_lookups()
    batch_lookups()
    big_ring()
    widget_redraw()
