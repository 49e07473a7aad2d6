"""Workloads: clients that drive a cluster, the first of a scenario's three parts.

A scenario is a workload, a fault schedule (:mod:`dynamolite.cluster.faults`)
and a checker (:mod:`dynamolite.cluster.checkers`), kept apart as in Jepsen.
Clients here are *closed loops*: each waits for its answer, thinks for an
exponential time (mean ``think_ms``), then sends its next request.

- :func:`cart_clients`: the shopping cart of section 4.4. Each client reads
  a cart, merges its siblings (the union of their items, the paper's
  reconciliation), adds one item of its own and writes the cart back with the
  read's context. Every item is unique, so a checker can tell exactly which
  acknowledged additions survived.
- :func:`blind_writers`: each client writes a new value without reading
  first (no context), the pattern that server-ID clocks get wrong.

>>> from dynamolite.cluster import Cluster
>>> for clocks in ("server", "dvv"):
...     c = Cluster(3, n=3, r=2, w=2, seed=1, clocks=clocks)
...     puts = cart_clients(c, clients=2, ops=3)
...     _ = c.run()
...     print(clocks, sorted(c.get("cart").values[0]))
server ['c0-1', 'c0-2', 'c1-0', 'c1-1', 'c1-2']
dvv ['c0-0', 'c0-1', 'c0-2', 'c1-0', 'c1-1', 'c1-2']

With server-ID clocks, two clients whose writes went through one coordinator
without either seeing the other lost ``c0-0``: the second write's clock
looked newer. Dotted version vectors kept both as siblings.
"""

import random


def _closed_loop(cluster, clients, ops, keys, seed, think_ms, region, step):
    """Run ``clients`` closed loops of ``ops`` steps: ``step(client, i, key, at, where, then)``
    sends step ``i`` at time ``at`` and calls ``then()`` when it is done."""
    rng = random.Random(seed)
    where = {} if region is None else {"region": region}

    def next_op(client, done):
        if done < ops:
            key = keys[rng.randrange(len(keys))]
            at = cluster.now + rng.expovariate(1.0 / think_ms)
            step(client, done, key, at, where, lambda *_: next_op(client, done + 1))

    for client in range(clients):
        next_op(client, 0)


def cart_clients(cluster, clients=4, ops=50, keys=("cart",), seed=0, think_ms=1.0, region=None):
    """Start ``clients`` read-modify-write cart clients of ``ops`` additions each; they run
    with the cluster. Returns the list their puts are appended to (as they are issued)."""
    puts = []

    def step(client, i, key, at, where, then):
        def write(get):
            if not get.ok:               # no answer: go on (this addition is not made)
                then()
                return
            items = frozenset().union(*get.values) | {f"c{client}-{i}"}
            puts.append(cluster.put_at(cluster.now, key, items, get.context, callback=then, **where))
        cluster.get_at(at, key, callback=write, **where)

    _closed_loop(cluster, clients, ops, keys, seed, think_ms, region, step)
    return puts


def blind_writers(cluster, clients=2, ops=10, keys=("cart",), seed=0, think_ms=1.0, region=None):
    """Start ``clients`` clients that each write ``ops`` new values without reading first."""
    puts = []

    def step(client, i, key, at, where, then):
        puts.append(cluster.put_at(at, key, frozenset({f"c{client}-{i}"}), callback=then, **where))

    _closed_loop(cluster, clients, ops, keys, seed, think_ms, region, step)
    return puts


def items_lost(history, final_values):
    """The cart items of acknowledged puts that no final version holds (an independent
    check of :func:`~dynamolite.cluster.checkers.lost_writes` for cart workloads)."""
    final = set()
    for versions in final_values.values():
        for _, value in versions:
            final |= set(value)
    added = set()
    for op in history:
        if op.kind == "put" and op.ok:
            added |= set(op.value)
    return sorted(added - final)
