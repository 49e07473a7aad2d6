"""A simulated Dynamo cluster in one line: the learner's front door (sections 4.1-4.8).

``Cluster`` wires a :class:`~dynamolite.ring.Ring`, one
:class:`~dynamolite.cluster.node.Node` per node (each with a
:class:`~dynamolite.cluster.storage.Store`), a
:class:`~dynamolite.cluster.network.Network` and a
:class:`~dynamolite.cluster.sim.Simulator`. ``put`` and ``get`` run the
simulation until the request completes and return its
:class:`~dynamolite.cluster.operation.Operation`: latency, which replicas
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

Failures are data too: ``crash``, ``recover``, ``partition``, ``heal`` and
``slow`` act now, ``faults=[(t_ms, "crash", "n1"), ...]`` at chosen times.
With ``sloppy=True`` writes go to stand-ins that hand them back later
(section 4.6), ``anti_entropy()`` compares Merkle trees (4.7), and every node
gossips heartbeats (4.8):

>>> c = Cluster(["A", "B", "C", "D"], n=3, r=1, w=1, sloppy=True, seed=7)
>>> c.preference_list("cart")
['D', 'B', 'A']
>>> c.crash("A"); c.sleep(600)              # time for the failure detectors to notice
>>> c.put("cart", ["milk"]).standins        # C keeps A's copy of the write, as a hint
{'C': 'A'}
>>> c.recover("A"); c.sleep(500); c.converged()
True

For concurrent workloads, ``put_at``/``get_at`` schedule requests at chosen
simulated times (with an optional callback on completion) and ``run()``
plays them out; the same seed replays the identical history.
"""

from numbers import Real

from ..errors import ConfigError, SimulationError, UnknownNodeError
from ..ring import Ring
from ..vclock import VectorClock, latest
from . import faults as _faults
from .faults import FaultControls
from .inspection import Inspection
from .antientropy import AntiEntropy
from .coordinator import Coordinator, QuorumConfig
from .handoff import Handoff
from .membership import Membership
from .network import Network
from .node import Node
from .operation import Context, Operation
from .sim import Simulator
from .storage import store_factory

DEFAULT_TIMEOUT = 1000.0
"""ms a request waits for its quorum before failing (only when something can fail)."""


class Cluster(FaultControls, Inspection):
    """``Cluster(nodes, n=3, r=2, w=2, latency="LNKD-SSD", seed=0)``.

    ``nodes``: a list of node names, or a count (names ``n0``, ``n1``...).
    ``latency``: a WARS model name from :data:`dynamolite.cluster.network.MODELS`, a
    :class:`~dynamolite.cluster.network.WARSModel`, one
    :class:`~dynamolite.cluster.network.Latency` (or number of ms) for every message,
    or a :class:`~dynamolite.cluster.network.Regions` placing nodes in datacenters.
    ``loss`` and ``partitions`` are network faults, ``faults`` a schedule of
    crashes, recoveries, partitions and slow nodes (:mod:`~dynamolite.cluster.faults`);
    when something can fail, requests fail after ``timeout`` ms without a quorum.
    ``trace=True`` records every message (for :func:`dynamolite.viz.flow.plot_flow`).

    The quorum (one :class:`~dynamolite.cluster.coordinator.QuorumConfig`):
    ``read_repair=True`` makes a get, once all replicas asked have answered,
    send the newest versions to those that lacked them (section 5; off by
    default so that measured staleness matches the PBS model, which has no
    repair). ``sloppy=True`` writes to the first N healthy nodes, with hinted
    handoff (4.6). ``clocks="dvv"`` uses dotted version vectors instead of the
    paper's server-ID clocks; ``prune=k`` truncates clocks to k entries.

    Storage: ``store="memory"`` (lost on a crash) or ``"sqlite"`` with ``data_dir``, an
    empty folder (kept across crashes), or a function ``name -> Store``. Background work:
    gossip every ``gossip_ms`` with a failure detector that gives up after
    ``fail_after_ms`` (on with ``sloppy``, or ``gossip=True``; with ``sloppy=True,
    gossip=False`` the coordinators know at once who is down, a perfect detector),
    hand-off every ``handoff_ms``, anti-entropy every ``anti_entropy_ms`` (off unless
    given; each round, every node compares one random range with one other replica, so
    repairing everything takes many rounds: ``anti_entropy()`` compares all of them at
    once). The default ``fail_after_ms`` is about two gossip spread times on ten nodes:
    shorter ones suspect live nodes (see lesson 08).

    What to look at: ``history`` (every Operation), ``down`` (the crashed nodes),
    ``network.groups`` (the current partition: site -> group number, or None),
    ``membership``, ``handoff`` and ``entropy`` (their counters), and the methods below.
    """

    def __init__(self, nodes, n=3, r=2, w=2, latency="LNKD-SSD", seed=0, vnodes=8,
                 loss=0.0, partitions=(), timeout=DEFAULT_TIMEOUT, trace=False, read_repair=False,
                 sloppy=False, clocks="server", prune=None, store="memory", data_dir=None,
                 faults=(), gossip=None, gossip_ms=50.0, fail_after_ms=500.0, handoff_ms=100.0,
                 anti_entropy_ms=None):
        nodes = _node_names(nodes)
        self.config = QuorumConfig(n, r, w, sloppy, read_repair, timeout, clocks, prune)
        if n > len(nodes):
            raise ConfigError(f"N={n} replicas need at least {n} nodes, the cluster has {len(nodes)}")
        self.ring = Ring(nodes, vnodes=vnodes)
        self.network = Network(latency, loss=loss, partitions=partitions)
        self.regions = self.network.regions
        sites = ()
        if self.regions is not None:
            for name in nodes:
                self.regions.region_of(name)          # every node must have a datacenter
            sites = tuple(self.regions.graph.nodes)
        self.faults = _faults.check_schedule(faults, nodes, sites)
        self.sim = Simulator(seed)
        make = store_factory(store, data_dir)
        self.nodes = {name: Node(name, make(name), make(f"{name}.hints")) for name in nodes}
        self.down = set()
        self.history = []
        self.messages = self.network.trace = [] if trace else None
        if gossip is None:
            gossip = sloppy
        self.membership = (Membership(self.sim, self.network, nodes, self.down, gossip_ms,
                                      fail_after_ms) if gossip and len(nodes) > 1 else None)
        view = self.membership.is_up if self.membership is not None else None
        if view is None and sloppy:       # no gossip: stand-ins chosen by who is really down
            view = self._is_up
        self.requests = Coordinator(self.sim, self.network, self.nodes, self.config,
                                    self._placement, self.down, self._completed, view)
        self.handoff = Handoff(self.sim, self.network, self.nodes, self.down,
                               view or self._is_up, handoff_ms)
        self.entropy = AntiEntropy(self.sim, self.network, self.nodes, self.down, self.ring, n,
                                   anti_entropy_ms)
        for part in (self.membership, self.handoff if sloppy else None, self.entropy):
            if part is not None:
                part.start()
        self._prefs = {}
        self._home = {}
        self._frontier = {}       # key -> versions of completed writes no other completed write descends from
        self._waiting = None
        self._may_fail = self.network.lossy or bool(self.faults)
        for time, kind, *args in self.faults:
            self.sim.at(time, self._apply_fault, (kind, args))

    def __repr__(self):
        down = f", down={sorted(self.down)}" if self.down else ""
        return (f"Cluster({list(self.nodes)}, n={self.n}, r={self.r}, w={self.w}, "
                f"now={self.sim.now:.3f} ms, ops={len(self.history)}{down})")

    n = property(lambda self: self.config.n)
    r = property(lambda self: self.config.r)
    w = property(lambda self: self.config.w)

    @property
    def now(self):
        """The simulated time in ms."""
        return self.sim.now

    @property
    def strict(self):
        """True if every read quorum meets every write quorum: R + W > N."""
        return self.config.strict

    def _placement(self, key):
        """The key's extended preference list: every node, its N home replicas first (cached)."""
        prefs = self._prefs.get(key)
        if prefs is None:
            prefs = self._prefs[key] = self.ring.preference_list(key, len(self.nodes))
        return prefs

    def preference_list(self, key):
        """The N home replicas of ``key`` (cached)."""
        home = self._home.get(key)
        if home is None:
            home = self._home[key] = self._placement(key)[:self.n]
        return home

    def _is_up(self, observer, node):
        return node not in self.down

    # -- scheduling requests -------------------------------------------------
    def put_at(self, time, key, value, context=None, region=None, callback=None, coordinator=None):
        """Schedule a put at simulated ``time``; return its (not yet run) Operation.

        ``coordinator`` picks which node of the key's preference list coordinates
        (by default one at random among those up, or the nearest with regions).
        """
        if context is not None and not isinstance(context, Context):
            raise ConfigError(f"context must be the Context a get returned, got {context!r}")
        op = self._new_op("put", key, time, region, callback, coordinator)
        op.context_in = context or Context()
        op.value = value
        self.sim.at(time, self._start, op)
        return op

    def get_at(self, time, key, consistent=False, region=None, callback=None, coordinator=None):
        """Schedule a get at ``time``; ``consistent=True`` waits for N - W + 1 responses if R is fewer
        (a strict-quorum read of Dynamo, not DynamoDB's leader read). ``coordinator`` as for :meth:`put_at`.
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
        if not isinstance(time, Real) or isinstance(time, bool):
            raise ConfigError(f"time {time!r} is not a number of ms: give a simulated time such as "
                              f"cluster.now + 10")
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

    def _choose_coordinator(self, op):
        """A home replica that is up and that the client can reach (its load balancer
        knows); with a sloppy quorum and no such home replica, the first such node of the
        extended list."""
        live = self.preference_list(op.key)
        if self.down or self.network.groups is not None:
            def usable(name):
                return name not in self.down and not (
                    op.client is not None and self.network.cut(self.sim.now, op.client, name))
            live = [name for name in live if usable(name)]
            if not live and self.config.sloppy:
                live = [name for name in self._placement(op.key) if usable(name)][:1]
            if not live:
                return None
        if self.regions is None:
            return self.sim.rng.choice(live)
        here = op.client[1]
        base = self.regions.base_delay
        return min(live, key=lambda name: base(here, self.regions.region_of(name)))

    def _start(self, op):
        if op.coordinator is None:
            op.coordinator = self._choose_coordinator(op)
        handlers = self.requests
        if op.kind == "put":
            op.needed = self.w
            handler = handlers.coordinate_put
        else:
            op.needed = max(self.r, self.n - self.w + 1) if op.consistent else self.r
            op.must_see = tuple(c for c, _ in self._frontier.get(op.key, ()))
            handler = handlers.coordinate_get
        if op.coordinator is None:
            handlers.fail(op, f"no node is up and reachable from the client to stand in for the "
                              f"replicas of {op.key!r}" if self.config.sloppy else
                              f"no replica of {op.key!r} is up and reachable from the client, and "
                              f"a strict quorum has no stand-ins")
            return
        if self._may_fail:
            self.sim.schedule(self.config.timeout, handlers.timeout, op)
        if op.client is None:
            handler(op)
        else:
            self.network.send(self.sim, op.client, op.coordinator, "C", handler, op, op.id)

    def _completed(self, op):
        if op.ok:
            if op.kind == "put":
                front = self._frontier.get(op.key)
                version = [(op.clock, None)]
                self._frontier[op.key] = version if not front else latest(front + version)
            else:
                op.stale = _misses(op.clocks, op.must_see)
        if op.callback is not None:
            op.callback(op)
        if op is self._waiting:
            self.sim.stop()

    # -- one request at a time -------------------------------------------------
    def put(self, key, value, context=None, region=None, coordinator=None):
        """Write ``value`` as a new version descended from ``context``; run until W acks
        (or the request fails). Returns the Operation. ``coordinator`` as for :meth:`put_at`.
        """
        return self._wait(self.put_at(self.sim.now, key, value, context, region, coordinator=coordinator))

    def get(self, key, consistent=False, region=None, coordinator=None):
        """Read ``key``; run until R responses (or failure). The Operation unpacks as
        ``values, context``. ``coordinator`` as for :meth:`put_at`.
        """
        return self._wait(self.get_at(self.sim.now, key, consistent, region, coordinator=coordinator))

    def _wait(self, op):
        self._waiting = op
        try:
            while not op.done:
                if self.sim.run() == 0 and not op.done:
                    raise SimulationError(f"the simulation ran out of events before {op!r} completed")
        finally:
            self._waiting = None
        return op

    def sleep(self, ms):
        """Let ``ms`` of simulated time pass (messages in flight and background work go on)."""
        if not isinstance(ms, Real) or isinstance(ms, bool):
            raise ConfigError(f"cannot sleep {ms!r}: give a number of ms")
        if ms < 0:
            raise ConfigError(f"cannot sleep a negative time: {ms!r}")
        self.sim.run(until=self.sim.now + ms)

    def run(self, until=None):
        """Play out scheduled requests, faults and messages (all of them, or up to ``until`` ms).
        Without ``until`` it stops when only background work (gossip, hand-off, anti-entropy) is left."""
        return self.sim.run(until=until)

    def anti_entropy(self):
        """Compare Merkle trees between every pair of live, connected replicas now and copy
        what differs; return ``(exchanges, keys repaired, hashes compared)``."""
        return self.entropy.run_now()

def _node_names(nodes):
    """The node names ``Cluster(nodes)`` means: the list given, or ``n0``, ``n1``... for a count."""
    if isinstance(nodes, int) and not isinstance(nodes, bool):
        if nodes < 1:
            raise ConfigError(f"a cluster needs at least one node, got {nodes}")
        return [f"n{i}" for i in range(nodes)]
    if isinstance(nodes, (str, bytes)) or not hasattr(nodes, "__iter__"):
        raise ConfigError(f"nodes are a list of node names or a count, e.g. Cluster(['A', 'B', 'C']) "
                          f"or Cluster(3); got {nodes!r}")
    return list(nodes)


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
