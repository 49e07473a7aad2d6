"""A simulated Dynamo cluster in one line: the learner's front door (sections 4.1-4.5).

``Cluster`` wires a :class:`~dynamolite.ring.Ring`, one
:class:`~dynamolite.cluster.node.StorageNode` per node, a
:class:`~dynamolite.cluster.network.Network` and a :class:`~dynamolite.cluster.sim.Simulator`.
``put`` and ``get`` run the simulation until the request completes and return
its :class:`~dynamolite.cluster.coordinator.Operation`: latency, which replicas
answered, and for a get whether it was stale.

>>> c = Cluster(["A", "B", "C", "D"], n=3, r=2, w=2, latency="LNKD-SSD", seed=7)
>>> w = c.put("cart", ["milk"])
>>> values, context = c.get("cart")
>>> values
[['milk']]
>>> w2 = c.put("cart", ["milk", "eggs"], context)     # descends from what we read
>>> c.get("cart").values
[['milk', 'eggs']]
>>> len(c.history), c.history[-1].stale
(4, False)

For concurrent workloads, ``put_at``/``get_at`` schedule requests at chosen
simulated times (with an optional callback on completion) and ``run()``
plays them out; the same seed replays the identical history.
"""

from .coordinator import Context, Coordinator, Operation
from ..errors import ConfigError, UnknownNodeError
from .network import Network
from .node import StorageNode
from ..ring import Ring
from .sim import Simulator
from ..vclock import VectorClock

DEFAULT_TIMEOUT = 1000.0
"""ms a request waits for its quorum before failing (only when messages can be lost)."""


class Cluster:
    """``Cluster(nodes, n=3, r=2, w=2, latency="LNKD-SSD", seed=0)``.

    ``nodes``: a list of node names, or a count (names ``n0``, ``n1``...).
    ``latency``: a WARS model name from :data:`dynamolite.cluster.network.MODELS`, a
    :class:`~dynamolite.cluster.network.WARSModel`, one
    :class:`~dynamolite.cluster.network.Latency` (or number of ms) for every message,
    or a :class:`~dynamolite.cluster.network.Regions` placing nodes in datacenters.
    ``loss`` and ``partitions`` are network faults; with either, requests
    fail after ``timeout`` ms without a quorum. ``trace=True`` records every
    message (for :func:`dynamolite.viz.flow.plot_flow`). ``read_repair=True``
    makes a get, once all N replicas have answered, send the newest versions to
    the replicas that lacked them (section 5); it is off by default so that
    measured staleness matches the PBS model, which has no repair.
    """

    def __init__(self, nodes, n=3, r=2, w=2, latency="LNKD-SSD", seed=0, vnodes=8,
                 loss=0.0, partitions=(), timeout=DEFAULT_TIMEOUT, trace=False, read_repair=False):
        if isinstance(nodes, int) and not isinstance(nodes, bool):
            if nodes < 1:
                raise ConfigError(f"a cluster needs at least one node, got {nodes}")
            nodes = [f"n{i}" for i in range(nodes)]
        nodes = list(nodes)
        for name, value in (("N", n), ("R", r), ("W", w)):
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise ConfigError(f"{name} must be a positive integer, got {value!r}")
        if n > len(nodes):
            raise ConfigError(f"N={n} replicas need at least {n} nodes, the cluster has {len(nodes)}")
        if r > n:
            raise ConfigError(f"R={r} is greater than N={n}: a read cannot wait for more "
                              f"replicas than hold the key; choose R <= N")
        if w > n:
            raise ConfigError(f"W={w} is greater than N={n}: a write cannot wait for more "
                              f"acknowledgements than there are replicas; choose W <= N")
        if not timeout > 0:
            raise ConfigError(f"timeout must be positive, got {timeout!r}")
        self.n, self.r, self.w = n, r, w
        self.ring = Ring(nodes, vnodes=vnodes)
        self.network = Network(latency, loss=loss, partitions=partitions)
        self.regions = self.network.regions
        if self.regions is not None:
            for name in nodes:
                self.regions.region_of(name)          # every node must have a datacenter
        self.sim = Simulator(seed)
        self.nodes = {name: StorageNode(name) for name in nodes}
        self.timeout = float(timeout)
        self.history = []
        self.messages = [] if trace else None
        self.coordinator = Coordinator(self.sim, self.network, self.nodes, n, r, w,
                                       self._completed, self.messages, read_repair)
        self._prefs = {}
        self._frontier = {}       # key -> clocks of completed writes no other completed write descends from
        self._waiting = None

    def __repr__(self):
        return (f"Cluster({list(self.nodes)}, n={self.n}, r={self.r}, w={self.w}, "
                f"now={self.sim.now:.3f} ms, ops={len(self.history)})")

    @property
    def now(self):
        """The simulated time in ms."""
        return self.sim.now

    @property
    def strict(self):
        """True if every read quorum meets every write quorum: R + W > N."""
        return self.r + self.w > self.n

    def preference_list(self, key):
        """The N nodes that hold ``key`` (cached; the ring does not change here)."""
        prefs = self._prefs.get(key)
        if prefs is None:
            prefs = self._prefs[key] = self.ring.preference_list(key, self.n)
        return prefs

    # -- scheduling requests -------------------------------------------------
    def put_at(self, time, key, value, context=None, region=None, callback=None, coordinator=None):
        """Schedule a put at simulated ``time``; return its (not yet run) Operation.

        ``coordinator`` picks which node of the key's preference list coordinates
        (by default one at random, or the nearest with regions).
        """
        op = self._new_op("put", key, time, region, callback, coordinator)
        if context is not None and not isinstance(context, Context):
            raise ConfigError(f"context must be the Context a get returned, got {context!r}")
        op.context_in = context or Context()
        op.value = value
        self.sim.at(time, self._start, op)
        return op

    def get_at(self, time, key, consistent=False, region=None, callback=None, coordinator=None):
        """Schedule a get at ``time``; ``consistent=True`` waits for N - W + 1 responses if R is fewer.

        ``coordinator`` as for :meth:`put_at`.
        """
        op = self._new_op("get", key, time, region, callback, coordinator)
        op.consistent = bool(consistent)
        self.sim.at(time, self._start, op)
        return op

    def _new_op(self, kind, key, time, region, callback, coordinator):
        if region is not None and self.regions is None:
            raise ConfigError("region= needs a cluster built with latency=Regions(...)")
        if region is not None and region not in self.regions.graph:
            raise UnknownNodeError(f"unknown datacenter {region!r}; the regions are "
                                   f"{sorted(self.regions.graph.nodes)}")
        if self.regions is not None and region is None:
            raise ConfigError("with regions, say where the client is: region='<datacenter>'")
        if time < self.sim.now:
            raise ConfigError(f"time {time!r} is in the past: the simulator is at {self.sim.now!r}")
        if coordinator is not None and coordinator not in self.nodes:
            raise UnknownNodeError(f"unknown node {coordinator!r}; the nodes are {list(self.nodes)}")
        if coordinator is not None and coordinator not in self.preference_list(key):
            raise ConfigError(f"{coordinator!r} cannot coordinate {key!r}: only a node of its "
                              f"preference list can, {self.preference_list(key)}")
        op = Operation(len(self.history), kind, key, time, None if region is None else ("client", region))
        op.callback = callback
        op.coordinator = coordinator
        self.history.append(op)
        return op

    def _choose_coordinator(self, op, prefs):
        if self.regions is None:
            return self.sim.rng.choice(prefs)
        here = op.client[1]
        base = self.regions.base_delay
        return min(prefs, key=lambda name: base(here, self.regions.region_of(name)))

    def _start(self, op):
        prefs = self.preference_list(op.key)
        if op.coordinator is None:
            op.coordinator = self._choose_coordinator(op, prefs)
        coord = self.coordinator
        if op.kind == "put":
            op.needed = self.w
            handler = coord.coordinate_put
        else:
            op.needed = max(self.r, self.n - self.w + 1) if op.consistent else self.r
            op.must_see = tuple(self._frontier.get(op.key, ()))
            handler = coord.coordinate_get
        if self.network.lossy:
            self.sim.schedule(self.timeout, coord.timeout, op)
        if op.client is None:
            handler((op, prefs))
        else:
            coord.send(op, op.client, op.coordinator, "C", handler, (op, prefs))

    def _completed(self, op):
        if op.ok:
            if op.kind == "put":
                self._add_to_frontier(op.key, op.clock)
            else:
                op.stale = _misses(op.clocks, op.must_see)
        if op.callback is not None:
            op.callback(op)
        if op is self._waiting:
            self.sim.stop()

    def _add_to_frontier(self, key, clock):
        front = self._frontier.get(key)
        if not front:
            self._frontier[key] = [clock]
            return
        for c in front:
            if c.descends(clock):
                return
        self._frontier[key] = [c for c in front if not clock.descends(c)] + [clock]

    # -- one request at a time -------------------------------------------------
    def put(self, key, value, context=None, region=None, coordinator=None):
        """Write ``value`` as a new version descended from ``context``; run until W acks.

        Returns the Operation. ``coordinator`` as for :meth:`put_at`.
        """
        return self._wait(self.put_at(self.sim.now, key, value, context, region, coordinator=coordinator))

    def get(self, key, consistent=False, region=None, coordinator=None):
        """Read ``key``; run until R responses. The Operation unpacks as ``values, context``.

        ``coordinator`` as for :meth:`put_at`.
        """
        return self._wait(self.get_at(self.sim.now, key, consistent, region, coordinator=coordinator))

    def _wait(self, op):
        self._waiting = op
        try:
            while not op.done:
                if self.sim.run() == 0 and not op.done:
                    raise RuntimeError(f"the simulation ran out of events before {op!r} completed")
        finally:
            self._waiting = None
        return op

    def sleep(self, ms):
        """Let ``ms`` of simulated time pass (messages in flight keep moving)."""
        if ms < 0:
            raise ConfigError(f"cannot sleep a negative time: {ms!r}")
        self.sim.run(until=self.sim.now + ms)

    def run(self, until=None):
        """Play out scheduled requests and messages (all of them, or up to ``until`` ms)."""
        return self.sim.run(until=until)

    # -- looking inside --------------------------------------------------------
    def replicas_of(self, key):
        """What each of the key's N replicas holds now: ``{node: [(clock, value), ...]}``."""
        return {name: self.nodes[name].get(key) for name in self.preference_list(key)}

    def trace_of(self, op):
        """The messages of one operation: ``(kind, src, dst, send_ms, recv_ms or None)`` (needs ``trace=True``)."""
        if self.messages is None:
            raise ConfigError("build the cluster with trace=True to record messages")
        op_id = op.id if isinstance(op, Operation) else op
        return [m[1:] for m in self.messages if m[0] == op_id]

    def stale_rate(self):
        """Fraction of completed gets that were stale."""
        gets = [op for op in self.history if op.kind == "get" and op.ok]
        return sum(op.stale for op in gets) / len(gets) if gets else 0.0

    def check(self):
        """Assert the invariants of the nodes and the simulator."""
        self.ring.check()
        self.sim.check()
        for node in self.nodes.values():
            node.check()
        for key, front in self._frontier.items():
            for a in front:
                for b in front:
                    assert a is b or not a.descends(b), f"frontier of {key!r} holds {a} >= {b}"


def _misses(clocks, writes):
    """True if some clock in ``writes`` is not covered by any of ``clocks``."""
    for w in writes:
        for c in clocks:
            if c is w or c.descends(w):
                break
        else:
            return True
    return False


__all__ = ["Cluster", "Context", "Operation", "VectorClock"]
