"""Speed of the simulator, side by side with SimPy, and of the PBS Monte Carlo.

Run:  python benchmarks/bench_sim.py            (about a minute on a laptop)
      python benchmarks/bench_sim.py --quick    (fewer repeats)
      python benchmarks/bench_sim.py --cpu      (process CPU time instead of wall-clock:
                                                 steadier when other jobs share the machine)

1. Event loop: the same workload in dynamolite.cluster.sim and in SimPy: MESSAGES
   messages with exponential delays among NODES nodes, IN_FLIGHT in flight at
   once (each delivery sends the next message to a random node). All loops
   draw the same random numbers in the same order, so all must reach the same
   simulated end time; the script checks it. Target: >= 2x SimPy's throughput.
   SimPy is timed two ways: as its documentation models things, one process
   per in-flight message (a generator that yields a timeout, delivers, and
   sends the next), and through its bare event API, a callback on each
   Timeout with no process at all, which is SimPy's fastest way to run this.
2. wars(3, 1, 1, "LNKD-DISK", trials=1_000_000): target under 2 s.
3. 100,000 get/put operations on a 10-node cluster (N=3, R=2, W=2,
   LNKD-SSD, 100 closed-loop clients over 1,000 keys): target under 10 s.

Each seed runs the loops back to back (in a rotating order), so they share the
machine's state at that moment; the script reports the median of those paired ratios beside
the medians and the best of each (on a shared machine the best is the steadier
estimate of a loop's own cost, as the timeit documentation advises).
Wall-clock time is only ever measured here, never in tests.
"""

import random
import statistics
import sys
import time

import simpy

from dynamolite.cluster import Cluster
from dynamolite.cluster.pbs import wars
from dynamolite.cluster.sim import Simulator

MESSAGES, NODES, IN_FLIGHT, RATE = 200_000, 100, 1_000, 1.0


def workload(seed):
    """The messages' delays and destinations, drawn in advance from one seeded generator."""
    rng = random.Random(seed)
    return ([rng.expovariate(RATE) for _ in range(MESSAGES)],
            [rng.randrange(NODES) for _ in range(MESSAGES)])


def loop_dynamolite(delays, dests):
    sim = Simulator()
    received = [0] * NODES
    it = iter(range(IN_FLIGHT, MESSAGES))

    def deliver(dst):
        received[dst] += 1
        i = next(it, None)
        if i is not None:
            sim.schedule(delays[i], deliver, dests[i])

    for i in range(IN_FLIGHT):
        sim.schedule(delays[i], deliver, dests[i])
    sim.run()
    assert sum(received) == MESSAGES
    return sim.now


def loop_simpy(delays, dests):
    env = simpy.Environment()
    received = [0] * NODES
    it = iter(range(IN_FLIGHT, MESSAGES))

    def chain(env, delay, dst):
        # the SimPy idiom: one process per in-flight message; it waits, delivers, sends the next
        while True:
            yield env.timeout(delay)
            received[dst] += 1
            i = next(it, None)
            if i is None:
                return
            delay, dst = delays[i], dests[i]

    for i in range(IN_FLIGHT):
        env.process(chain(env, delays[i], dests[i]))
    env.run()
    assert sum(received) == MESSAGES
    return env.now


def loop_simpy_callbacks(delays, dests):
    env = simpy.Environment()
    received = [0] * NODES
    it = iter(range(IN_FLIGHT, MESSAGES))

    def deliver(event):
        # no process: the delivery is a callback on the Timeout, which carries the destination
        received[event.value] += 1
        i = next(it, None)
        if i is not None:
            env.timeout(delays[i], dests[i]).callbacks.append(deliver)

    for i in range(IN_FLIGHT):
        env.timeout(delays[i], dests[i]).callbacks.append(deliver)
    env.run()
    assert sum(received) == MESSAGES
    return env.now


def loop_dynamolite_drawing(seed):
    """Variant: each handler draws its next delay and destination (the generator's cost included)."""
    sim = Simulator(seed)
    rng = sim.rng
    left = [MESSAGES - IN_FLIGHT]

    def deliver(dst):
        if left[0] > 0:
            left[0] -= 1
            sim.schedule(rng.expovariate(RATE), deliver, rng.randrange(NODES))

    for _ in range(IN_FLIGHT):
        sim.schedule(rng.expovariate(RATE), deliver, rng.randrange(NODES))
    sim.run()
    return sim.now


def loop_simpy_drawing(seed):
    env = simpy.Environment()
    rng = random.Random(seed)
    left = [MESSAGES - IN_FLIGHT]

    def chain(env, delay, dst):
        while True:
            yield env.timeout(delay)
            if left[0] <= 0:
                return
            left[0] -= 1
            delay, dst = rng.expovariate(RATE), rng.randrange(NODES)

    for _ in range(IN_FLIGHT):
        delay = rng.expovariate(RATE)
        env.process(chain(env, delay, rng.randrange(NODES)))
    env.run()
    return env.now


def cluster_ops(seed, ops=100_000, clients=100, keys=1_000, blind=False):
    """Closed-loop clients on a 10-node cluster; half the operations are gets, half puts.

    By default each client does what the paper's interface is made for: get a
    key, then put a new value with the context it read (read-modify-write).
    ``blind=True`` instead puts without a context, so writes through different
    coordinators become siblings that every later read must reconcile.
    """
    cluster = Cluster(10, n=3, r=2, w=2, latency="LNKD-SSD", seed=seed)
    rng = random.Random(seed)
    issued = [0]

    def next_op(op=None):
        if issued[0] >= ops:
            return
        issued[0] += 1
        now = cluster.now
        if op is not None and op.kind == "get":          # write back what was read
            context = None if blind else op.context
            cluster.put_at(now, op.key, issued[0], context, callback=next_op)
        else:
            cluster.get_at(now, f"key{rng.randrange(keys)}", callback=next_op)

    for _ in range(clients):
        next_op()
    cluster.run()
    done = sum(1 for op in cluster.history if op.done)
    assert done == ops, done
    return cluster


CLOCK = time.perf_counter


def timed(func, *args):
    t0 = CLOCK()
    out = func(*args)
    return CLOCK() - t0, out


def main():
    global CLOCK
    repeats = 3 if "--quick" in sys.argv else 7
    if "--cpu" in sys.argv:        # CPU time of this process: steadier on a shared machine
        CLOCK = time.process_time
    print(f"timing with time.{CLOCK.__name__}")
    print(f"1. event loop: {MESSAGES:,} messages, {NODES} nodes, {IN_FLIGHT:,} in flight, Exp({RATE}) delays")
    for title, loops, args_of in [
            ("a) delays and destinations drawn in advance: the loops alone",
             [("dynamolite.cluster.sim", loop_dynamolite), ("SimPy processes", loop_simpy),
              ("SimPy callbacks", loop_simpy_callbacks)], workload),
            ("b) each handler draws its own (random.Random cost included in both)",
             [("dynamolite.cluster.sim", loop_dynamolite_drawing), ("SimPy processes", loop_simpy_drawing)],
             lambda seed: (seed,))]:
        times = {name: [] for name, _ in loops}
        for seed in range(2 * repeats - 1):        # each seed runs every loop back to back,
            args = args_of(seed)                   # in an order that rotates from seed to seed
            ends = set()
            for name, loop in loops[seed % len(loops):] + loops[:seed % len(loops)]:
                t, end = timed(loop, *args)
                times[name].append(t)
                ends.add(end)
            assert len(ends) == 1, ends                # the same simulated end time in all
        ours = times["dynamolite.cluster.sim"]
        print(f"   {title}   (SimPy {simpy.__version__}, {len(ours)} seeds)")
        print(f"   {'':18}{'median (s)':>12}{'best (s)':>10}{'msg/s (median)':>16}"
              f"{'ratio of medians':>18}{'of bests':>10}{'paired (median)':>17}")
        for name, t in times.items():
            paired = statistics.median(s / o for o, s in zip(ours, t))
            print(f"   {name:18}{statistics.median(t):12.3f}{min(t):10.3f}{MESSAGES / statistics.median(t):16,.0f}"
                  f"{statistics.median(t) / statistics.median(ours):17.2f}x{min(t) / min(ours):9.2f}x"
                  f"{paired:16.2f}x")
        print(f"   same simulated end time in all: {ends.pop():.6f} ms")
    print("   target: >= 2x on (a); a ratio is SimPy's time over dynamolite's, so above 1 is faster")

    print("2. wars(3, 1, 1, 'LNKD-DISK', trials=1,000,000)")
    times = [timed(wars, 3, 1, 1, "LNKD-DISK", 1_000_000, seed)[0] for seed in range(repeats)]
    print(f"   median {statistics.median(times):.3f} s (target < 2 s)")

    for blind in (False, True):
        how = "blind puts (siblings)" if blind else "get then put with its context"
        print(f"3. 100,000 get/put operations, 10-node cluster, N=3 R=2 W=2, LNKD-SSD, 100 clients, {how}")
        times, cluster = [], None
        for seed in range(max(1, repeats // 2)):
            t, cluster = timed(cluster_ops, seed, 100_000, 100, 1_000, blind)
            times.append(t)
        siblings = sum(len(op.values) > 1 for op in cluster.history if op.kind == "get") / 50_000
        print(f"   median {statistics.median(times):.3f} s (target < 10 s); {cluster.sim.events:,} events; "
              f"simulated {cluster.now:.1f} ms; stale reads {cluster.stale_rate():.4f}; "
              f"reads with siblings {siblings:.1%}")


if __name__ == "__main__":
    main()
