"""Message delays, losses and partitions: the network of the simulator.

Each message's delay is drawn from a latency model (:mod:`dynamolite.cluster.latency`,
re-exported here: ``Constant``, ``Exponential``, ``Pareto``, ``Mixture``,
``Empirical``, ``Shifted``, ``WARSModel``, ``MODELS``). :class:`Regions`
places nodes in datacenters joined by a ``networkx`` graph of one-way delays
(Virginia to Singapore...). :class:`Network` applies a latency to each
message, and drops messages lost at random or cut by a :class:`Partition`
or a partition made at run time (faults as data).

>>> net = Network(Constant(2.0))
>>> import random
>>> net.delay(random.Random(0), 0.0, "a", "b", "W")
2.0
>>> net.partition([["a"], ["b"]]); net.delay(random.Random(0), 0.0, "a", "b", "W") is None
True
"""

import math

import networkx as nx

from ..errors import ConfigError
from .latency import (MODELS, Constant, Empirical, Exponential, Latency, Mixture, Pareto,  # noqa: F401
                      Shifted, WARSModel, as_latency, get_model)

KINDS = ("W", "A", "R", "S")
"""Message kinds: write request, write ack, read request, read response."""

CONTROL = ("G", "H", "E")
"""Background message kinds, drawn from the law of W: gossip, hand-off, anti-entropy."""


# --------------------------------------------------------------------------
# Regions: datacenters joined by one-way delays
# --------------------------------------------------------------------------
class Regions:
    """Datacenters as a ``networkx`` graph whose edges carry a one-way ``delay`` in ms.

    ``placement`` maps each node to its datacenter. A message between two
    datacenters takes the shortest-path delay plus a draw of ``local`` (the
    delay inside a datacenter, also used alone when both ends share one).

    >>> g = nx.Graph()
    >>> g.add_edge("Virginia", "Singapore", delay=110.0)
    >>> regions = Regions(g, {"va1": "Virginia", "sg1": "Singapore"}, local=0.5)
    >>> regions.base_delay("Virginia", "Singapore")
    110.0
    """

    def __init__(self, graph, placement, local=0.5):
        self.graph = graph
        self.placement = dict(placement)
        self.local = as_latency(local)
        for u, v, data in graph.edges(data=True):
            if "delay" not in data or not data["delay"] >= 0:
                raise ConfigError(f"edge {u!r}-{v!r} needs a non-negative 'delay' attribute (ms)")
        unknown = {dc for dc in self.placement.values() if dc not in graph}
        if unknown:
            raise ConfigError(f"nodes placed in datacenters missing from the graph: {sorted(unknown)}")
        self._dist = dict(nx.all_pairs_dijkstra_path_length(graph, weight="delay"))

    def region_of(self, node):
        try:
            return self.placement[node]
        except KeyError:
            raise ConfigError(f"node {node!r} has no datacenter in the placement") from None

    def base_delay(self, a, b):
        """Shortest one-way delay between datacenters ``a`` and ``b`` (no local part)."""
        try:
            return float(self._dist[a][b])
        except KeyError:
            raise ConfigError(f"no path between datacenters {a!r} and {b!r}") from None

    def __repr__(self):
        return f"Regions({sorted(self.graph.nodes)}, local={self.local!r})"


# --------------------------------------------------------------------------
# Faults as data
# --------------------------------------------------------------------------
class Partition:
    """Between ``start`` and ``end`` (simulated ms), messages between ``side`` and the rest are lost."""

    def __init__(self, start, end, side):
        if not 0 <= start <= end:
            raise ConfigError(f"a partition needs 0 <= start <= end, got {start!r}, {end!r}")
        self.start, self.end, self.side = float(start), float(end), frozenset(side)

    def cuts(self, time, src, dst):
        return self.start <= time < self.end and ((src in self.side) != (dst in self.side))

    def __repr__(self):
        return f"Partition({self.start}, {self.end}, {sorted(self.side)})"


class Network:
    """Decides each message's fate: a delay in ms, or ``None`` if it is lost.

    ``latency`` is a WARS model (or its name, or one latency for every kind),
    or a :class:`Regions`. Endpoints are node names; a client is written
    ``("client", datacenter)``. Without regions a client sits beside its
    coordinator, so its messages take no time (Dynamo's client-driven
    coordination, section 6.4) and only replica messages are drawn. Messages
    of kinds other than W, A, R and S (gossip, hand-off, anti-entropy) follow
    the law of W, a request to a replica.

    Faults it applies: random ``loss``, scheduled :class:`Partition` objects,
    and at run time :meth:`partition` into groups, :meth:`heal` and
    :meth:`slow` (crashes belong to the nodes, see :mod:`dynamolite.cluster.faults`).
    """

    def __init__(self, latency="LNKD-SSD", loss=0.0, partitions=()):
        if isinstance(latency, Regions):
            self.regions, self.model = latency, None
        else:
            self.regions, self.model = None, get_model(latency)
        if not 0 <= loss < 1:
            raise ConfigError(f"message loss is a probability in [0, 1), got {loss!r}")
        self.loss = float(loss)
        self.partitions = list(partitions)
        for p in self.partitions:
            if not isinstance(p, Partition):
                raise ConfigError(f"partitions must be Partition objects, got {p!r}")
        self.trace = None           # a list recording every message sent, or None
        self.groups = None          # site -> group number while partitioned at run time
        self.factors = {}           # node -> slow-down factor
        self._remote = 0.0
        if self.model is not None:  # bound samplers per kind: the fast path
            self._samplers = {k: self.model.kind(k).sample for k in KINDS}
            self._samplers.update({k: self._samplers["W"] for k in CONTROL})
            self._remote = self.model.remote
        self._update()

    def _update(self):
        self.lossy = self.loss > 0 or bool(self.partitions) or self.groups is not None
        # plain: a delay is one draw of the kind's law (no loss, cut, slow node, region, remote hop)
        self.plain = (self.model is not None and not self.lossy and not self._remote
                      and not self.factors)

    def sampler(self, kind):
        """The function ``rng -> delay`` of messages of ``kind`` (without regions)."""
        return self._samplers[kind]

    def send(self, sim, src, dst, kind, callback, message, tag=None, background=False):
        """Call ``callback(message)`` after this message's delay; return the delay, or None if lost.

        Every module sends through here, so one place applies delays and faults
        and records the trace: ``(tag, kind, src, dst, sent, received or None)``.
        ``background`` messages (gossip, hand-off, anti-entropy) do not keep an
        unbounded :meth:`Simulator.run` going.
        """
        now = sim.now
        if self.plain:                 # no faults, no regions: one draw of the kind's law
            delay = self._samplers[kind](sim.rng)
        else:
            delay = self.delay(sim.rng, now, src, dst, kind)
        if self.trace is not None:
            self.trace.append((tag, kind, src, dst, now, None if delay is None else now + delay))
        if delay is not None:
            if background:
                sim.background(now + delay, callback, message)
            else:
                sim.push(now + delay, callback, message)
        return delay

    # -- faults at run time -------------------------------------------------
    def partition(self, groups):
        """Cut the network into ``groups`` (lists of node or datacenter names); messages
        between different groups are lost until :meth:`heal`. Whatever is named in no group
        forms one more group. A client is in the group of its datacenter."""
        placed = {}
        for number, group in enumerate(groups):
            for site in group:
                if site in placed:
                    raise ConfigError(f"{site!r} is in two groups of the partition: a node is on "
                                      f"one side of a cut, name it in one group only")
                placed[site] = number
        self.groups = placed
        self._update()

    def heal(self):
        """End the run-time partition (scheduled :class:`Partition` objects keep their times)."""
        self.groups = None
        self._update()

    def slow(self, node, factor):
        """Multiply the delay of every message to or from ``node`` by ``factor`` (1 restores it)."""
        check_factor(factor)
        if factor == 1:
            self.factors.pop(node, None)
        else:
            self.factors[node] = float(factor)
        self._update()

    def _group(self, endpoint):
        groups = self.groups
        if endpoint.__class__ is tuple:                 # a client: its datacenter's group
            return groups.get(endpoint[1], groups.get(self._client_side(endpoint[1]), -1))
        group = groups.get(endpoint)
        if group is None and self.regions is not None:
            group = groups.get(self.regions.placement.get(endpoint))
        return -1 if group is None else group

    def _client_side(self, datacenter):
        if self.regions is None:
            return None
        return next((n for n, dc in self.regions.placement.items() if dc == datacenter), None)

    def cut(self, time, src, dst):
        """True if a partition (scheduled or at run time) separates ``src`` and ``dst`` at ``time``."""
        if self.groups is not None and self._group(src) != self._group(dst):
            return True
        return any(p.cuts(time, _site(src), _site(dst)) for p in self.partitions)

    # -- delays -----------------------------------------------------------------
    def delay(self, rng, time, src, dst, kind):
        """The delay of one message sent at ``time``, or ``None`` if it is dropped."""
        if self.lossy:
            if self.loss and rng.random() < self.loss:
                return None
            if self.cut(time, src, dst):
                return None
        if self.regions is not None:
            a, b = self._region(src), self._region(dst)
            d = self.regions.base_delay(a, b) + self.regions.local.sample(rng)
        elif src.__class__ is tuple or dst.__class__ is tuple:          # client <-> coordinator
            return 0.0
        else:
            d = self._samplers[kind](rng)
            if self._remote and src != dst:
                d += self._remote
        if self.factors:
            d *= max(self.factors.get(src, 1.0), self.factors.get(dst, 1.0))
        return d

    def _region(self, endpoint):
        if endpoint.__class__ is tuple:
            return endpoint[1]
        return self.regions.region_of(endpoint)


def check_factor(factor):
    """Raise a ConfigError unless ``factor`` is a slow-down factor: a finite number >= 1."""
    if not (isinstance(factor, (int, float)) and factor >= 1 and math.isfinite(factor)):
        raise ConfigError(f"a slow-down factor is a finite number >= 1, got {factor!r}")


def _site(endpoint):
    return endpoint[1] if endpoint.__class__ is tuple else endpoint
