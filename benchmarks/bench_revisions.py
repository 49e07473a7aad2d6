"""The kit's hot paths at two git revisions, side by side: did a change slow anything down?

Run:  python benchmarks/bench_revisions.py BEFORE [AFTER]
      (AFTER defaults to the working tree; e.g. BEFORE=029c74c)

Each revision is checked out in a temporary git worktree; every workload runs
in a fresh Python process per revision and repeat, the revisions alternating,
and the script prints the median time of each and the ratio after/before
(below 1 is faster). The workloads use only calls both layouts have:

- ring lookup: 200,000 keys on 100 nodes x 128 virtual nodes;
- event loop: 200,000 events, 1,000 in flight, Exp(1) delays (Simulator.schedule);
- cluster: 20,000 get/put requests on 10 nodes, N=3 R=2 W=2, LNKD-SSD;
- table: 20,000 put_item then 20,000 get_item on resource().
"""

import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

DRIVER = r'''
import random, sys, time
sys.path.insert(0, sys.argv[1])
which = sys.argv[2]

def imports(new, old):
    try:
        return __import__(new, fromlist=["x"])
    except ImportError:
        return __import__(old, fromlist=["x"])

if which == "ring lookup":
    from dynamolite.ring import Ring
    ring = Ring([f"node{i}" for i in range(100)], vnodes=128)
    keys = [f"user{i}" for i in range(200_000)]
    start = time.perf_counter()
    for key in keys:
        ring.lookup(key)
elif which == "event loop":
    Simulator = imports("dynamolite.cluster.sim", "dynamolite.sim").Simulator
    rng = random.Random(1)
    delays = [rng.expovariate(1.0) for _ in range(200_000)]
    sim = Simulator()
    it = iter(range(1000, 200_000))
    def deliver(arg):
        i = next(it, None)
        if i is not None:
            sim.schedule(delays[i], deliver, None)
    for i in range(1000):
        sim.schedule(delays[i], deliver, None)
    start = time.perf_counter()
    sim.run()
elif which == "cluster":
    Cluster = imports("dynamolite.cluster", "dynamolite.cluster").Cluster
    cluster = Cluster(10, n=3, r=2, w=2, latency="LNKD-SSD", seed=1)
    rng = random.Random(1)
    issued = [0]
    def next_op(op=None):
        if issued[0] >= 20_000:
            return
        issued[0] += 1
        if op is not None and op.kind == "get":
            cluster.put_at(cluster.now, op.key, issued[0], op.context, callback=next_op)
        else:
            cluster.get_at(cluster.now, f"key{rng.randrange(1000)}", callback=next_op)
    start = time.perf_counter()
    for _ in range(50):
        next_op()
    cluster.run()
elif which == "table":
    from dynamolite.table import resource
    table = resource().create_table(TableName="bench",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST")
    start = time.perf_counter()
    for i in range(20_000):
        table.put_item(Item={"pk": f"k{i}", "n": i, "s": "x" * 20})
    for i in range(20_000):
        table.get_item(Key={"pk": f"k{i}"})
print(time.perf_counter() - start)
'''

WORKLOADS = ("ring lookup", "event loop", "cluster", "table")


def checkout(revision, folder):
    subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", str(folder), revision],
                   check=True, capture_output=True)
    return folder


def timed(tree, workload):
    out = subprocess.run([sys.executable, "-c", DRIVER, str(tree), workload],
                         check=True, capture_output=True, text=True)
    return float(out.stdout.split()[-1])


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    repeats = 7
    with tempfile.TemporaryDirectory() as scratch:
        trees = {"before": checkout(sys.argv[1], Path(scratch) / "before")}
        trees["after"] = checkout(sys.argv[2], Path(scratch) / "after") if len(sys.argv) > 2 else ROOT
        try:
            print(f"before = {sys.argv[1]}, after = {sys.argv[2] if len(sys.argv) > 2 else 'working tree'}; "
                  f"median of {repeats} fresh processes each")
            print(f"   {'workload':14}{'before (s)':>12}{'after (s)':>12}{'after/before':>14}")
            for workload in WORKLOADS:
                times = {"before": [], "after": []}
                for i in range(repeats):
                    for name in (("before", "after") if i % 2 == 0 else ("after", "before")):
                        times[name].append(timed(trees[name], workload))
                b, a = statistics.median(times["before"]), statistics.median(times["after"])
                print(f"   {workload:14}{b:12.3f}{a:12.3f}{a / b:13.2f}x")
        finally:
            for name, tree in trees.items():
                if tree != ROOT:
                    subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(tree)],
                                   capture_output=True)


if __name__ == "__main__":
    main()
