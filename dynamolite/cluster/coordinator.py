"""The request coordinator: N replicas, R responses, W acknowledgements (Dynamo, section 4.5).

A ``put`` or ``get`` for a key goes to a *coordinator* taken from the key's
preference list. For a put it makes the new version's vector clock (the
context's clock, advanced at the coordinator), sends it to all N replicas,
and answers the client after W acknowledgements. For a get it asks all N
replicas and answers after R responses with every version none of the others
descends from (the siblings) and their merged clock as the context.
Late acknowledgements and responses are still delivered, just not waited for:
the write keeps spreading after the client has its answer.

Each operation is an :class:`Operation`, recorded in the cluster's history
with its invocation and completion times.
"""

from heapq import heappush

from ..vclock import VectorClock, merge

EMPTY = VectorClock()


class Context:
    """The opaque context a get returns and a put passes back (section 4.4): a vector clock."""

    __slots__ = ("clock",)

    def __init__(self, clock=None):
        self.clock = clock if clock is not None else EMPTY

    def __repr__(self):
        return f"Context({self.clock})"

    def __eq__(self, other):
        return isinstance(other, Context) and self.clock == other.clock

    def __hash__(self):
        return hash(self.clock)


class Operation:
    """One get or put as the history records it.

    ``start``/``end`` are the simulated invocation and completion times (ms);
    ``ok`` is False if the request timed out. A put has ``value`` and ``clock``
    (the version it wrote); a get has ``values`` and ``clocks`` (the siblings
    it returned), ``context``, and ``stale``: True if it missed a write that
    had completed before it began. ``replicas`` are the nodes whose answers
    completed the request, in arrival order.

    A get unpacks like the paper's interface: ``values, context = cluster.get(key)``.
    """

    __slots__ = ("id", "kind", "key", "value", "clock", "values", "clocks", "start", "end",
                 "ok", "client", "coordinator", "replicas", "stale", "must_see", "needed",
                 "context_in", "callback", "_responses", "_heard", "done", "consistent", "_late")

    def __init__(self, op_id, kind, key, start, client):
        self.id, self.kind, self.key, self.start, self.client = op_id, kind, key, start, client
        self.value = self.clock = None
        self.values = self.clocks = None
        self.end = None
        self.ok = None
        self.done = False
        self.coordinator = None
        self.replicas = []
        self.stale = None
        self.must_see = ()
        self.needed = 0
        self.context_in = None
        self.callback = None
        self._responses = []
        self._heard = 0
        self._late = None         # every (replica, versions) answer, for read repair
        self.consistent = False

    @property
    def latency(self):
        """Completion minus invocation time in ms (None while running)."""
        return None if self.end is None else self.end - self.start

    @property
    def context(self):
        """For a get: the context to pass to the next put (the merged clock of the siblings)."""
        if self.kind == "get":
            return Context(merge(*self.clocks) if self.clocks else VectorClock())
        return Context(self.clock)

    def __iter__(self):
        if self.kind != "get":
            raise TypeError("only a get unpacks into (values, context)")
        return iter((self.values, self.context))

    def __repr__(self):
        state = "running" if not self.done else ("ok" if self.ok else "failed")
        what = f"value={self.value!r}" if self.kind == "put" else f"values={self.values!r}"
        lat = "" if self.end is None else f", latency={self.latency:.3f}"
        stale = f", stale={self.stale}" if self.kind == "get" and self.done else ""
        return (f"Operation(#{self.id} {self.kind} {self.key!r} {what}, {state}{lat}"
                f", replicas={self.replicas}{stale})")


class Coordinator:
    """The message handlers of put and get, wired to a simulator, a network and the nodes.

    One object serves every node. Each handler receives one message, a
    tuple: the :class:`Operation` (which names its coordinator) and, for a
    message to or from a replica, the replica's name; so the state of a
    request lives in its Operation, not in the coordinator.
    """

    def __init__(self, sim, network, nodes, n, r, w, on_complete, trace=None, read_repair=False):
        self.sim, self.network, self.nodes = sim, network, nodes
        self.n, self.r, self.w = n, r, w
        self.read_repair = read_repair
        self.on_complete = on_complete
        self.trace = trace                  # a list to record messages in, or None
        # no loss, partitions, regions or remote hops: draw delays straight from the model
        self._draw = network._samplers if network.plain else None

    # -- sending -------------------------------------------------------------
    def send(self, op, src, dst, kind, handler, message):
        """Send ``message`` (a tuple) through the network to ``handler``; record it if tracing."""
        sim = self.sim
        now = sim.now
        if self._draw is not None:
            delay = self._draw[kind](sim.rng)
        else:
            delay = self.network.delay(sim.rng, now, src, dst, kind)
        if self.trace is not None:
            self.trace.append((op.id, kind, src, dst, now, None if delay is None else now + delay))
        if delay is not None:          # sim.schedule, inlined: delays are never negative here
            heappush(sim._queue, (now + delay, next(sim._seq), handler, message))

    # -- put -----------------------------------------------------------------
    def coordinate_put(self, message):
        """At the coordinator: make the new version of ``op.value`` and send it to the N replicas."""
        op, replicas = message
        coord = self.nodes[op.coordinator]
        context = op.context_in.clock
        op.clock = context.increment(coord.name, coord.next_counter(context), time=self.sim.now)
        for name in replicas:
            self.send(op, coord.name, name, "W", self.replica_put, (op, name))

    def replica_put(self, message):
        """At a replica: store the version, acknowledge."""
        op, name = message
        self.nodes[name].put(op.key, op.clock, op.value)
        self.send(op, name, op.coordinator, "A", self.ack, message)

    def ack(self, message):
        """At the coordinator: count acknowledgements; answer after W."""
        op, name = message
        op._heard += 1
        if op.done or op._heard > op.needed:
            return
        op.replicas.append(name)
        if op._heard == op.needed:
            self.reply(op)

    # -- get -----------------------------------------------------------------
    def coordinate_get(self, message):
        """At the coordinator: ask the N replicas."""
        op, replicas = message
        for name in replicas:
            self.send(op, op.coordinator, name, "R", self.replica_get, (op, name))

    def replica_get(self, message):
        """At a replica: answer with its siblings for the key."""
        op, name = message
        versions = self.nodes[name].data.get(op.key, ())
        self.send(op, name, op.coordinator, "S", self.response, (op, name, versions))

    def response(self, message):
        """At the coordinator: gather responses; after R, answer with the siblings."""
        op, name, versions = message
        op._heard += 1
        if self.read_repair:
            if op._late is None:
                op._late = []
            op._late.append((name, versions))
            if op._heard == self.n:
                self.repair(op)
        if op.done or op._heard > op.needed:
            return
        op.replicas.append(name)
        op._responses.append(versions)
        if op._heard == op.needed:
            self.finish_get(op)
            self.reply(op)

    def finish_get(self, op):
        responses = op._responses
        first = responses[0]
        if len(first) == 1 and all(len(r) == 1 and r[0][0] is first[0][0] for r in responses):
            versions = list(first)          # every replica holds the same single version
        else:                               # merge the answers, keep the versions nothing descends from
            by_clock = {}
            for answer in responses:
                for clock, value in answer:
                    by_clock.setdefault(clock, value)
            clocks = list(by_clock)
            if len(clocks) > 1:
                clocks = [c for c in clocks if not any(o is not c and o.descends(c) for o in clocks)]
            versions = [(c, by_clock[c]) for c in clocks]      # in order of first arrival
        op.clocks = [c for c, _ in versions]
        op.values = [v for _, v in versions]

    # -- read repair (section 5) ------------------------------------------------
    def repair(self, op):
        """Once all N replicas answered a get, send each one the newest versions it lacked."""
        newest = {}
        for _, versions in op._late:
            for clock, value in versions:
                newest.setdefault(clock, value)
        clocks = [c for c in newest if not any(o is not c and o.descends(c) for o in newest)]
        for name, versions in op._late:
            held = [c for c, _ in versions]
            for clock in clocks:
                if not any(h.descends(clock) for h in held):
                    self.send(op, op.coordinator, name, "W", self.replica_repair,
                              (op.key, name, clock, newest[clock]))

    def replica_repair(self, message):
        """At a stale replica: store the version read repair brought (no acknowledgement)."""
        key, name, clock, value = message
        self.nodes[name].put(key, clock, value)

    # -- answering -------------------------------------------------------------
    def reply(self, op):
        """Send the answer back to the client (no time unless regions are modelled)."""
        if op.client is None:
            self.complete((op, True))
        else:
            self.send(op, op.coordinator, op.client, "C", self.complete, (op, True))

    def complete(self, message):
        """At the client: the answer, or a failure (``ok`` False) after a timeout."""
        op, ok = message
        if op.done:
            return
        op.done, op.ok, op.end = True, ok, self.sim.now
        self.on_complete(op)

    def timeout(self, op):
        """No quorum in time (messages were lost): the request fails."""
        if not op.done:
            if op.kind == "get":
                op.values, op.clocks = [], []
            self.complete((op, False))
