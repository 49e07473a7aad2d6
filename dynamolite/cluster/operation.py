"""What a client holds: the context of a read, and the record of each get or put (Dynamo 4.4-4.5).

A get returns its values and an opaque *context*, the merged clock of the
versions it read; a put passes it back so its new version descends from
what the client saw. Each request is an :class:`Operation`, recorded in the
cluster's history with its invocation and completion times: the input of
the checkers.
"""

from ..errors import UsageError
from ..vclock import VectorClock, merge

EMPTY = VectorClock()


class Context:
    """The opaque context a get returns and a put passes back (section 4.4).

    ``clock`` is the merged vector clock of the versions read; ``seen`` the
    clocks of those versions themselves (what the checkers use to tell that a
    later write read an earlier one).
    """

    __slots__ = ("clock", "seen")

    def __init__(self, clock=None, seen=()):
        self.clock = clock if clock is not None else EMPTY
        self.seen = tuple(seen)

    def __repr__(self):
        return f"Context({self.clock})"

    def __eq__(self, other):
        return isinstance(other, Context) and self.clock == other.clock

    def __hash__(self):
        return hash(self.clock)


class Operation:
    """One get or put as the history records it.

    ``start``/``end`` are the simulated invocation and completion times (ms);
    ``ok`` is False if the request failed, and ``error`` then says why. A put
    has ``value`` and ``clock`` (the version it wrote); a get has ``values`` and
    ``clocks`` (the siblings it returned), ``context``, and ``stale``: True if
    it missed a write that had completed before it began. ``replicas`` are the
    nodes whose answers completed the request, in arrival order;
    ``standins`` maps each node that stood in for an unreachable replica
    (sloppy quorum) to the replica it stood in for.

    A get unpacks like the paper's interface: ``values, context = cluster.get(key)``.
    """

    __slots__ = ("id", "kind", "key", "value", "clock", "values", "clocks", "start", "end",
                 "ok", "error", "client", "coordinator", "replicas", "standins", "targets",
                 "stale", "must_see", "needed", "context_in", "callback", "responses", "heard",
                 "done", "consistent", "answers", "epoch")

    def __init__(self, op_id, kind, key, start, client):
        self.id, self.kind, self.key, self.start, self.client = op_id, kind, key, start, client
        self.value = self.clock = None
        self.values = self.clocks = None
        self.end = None
        self.ok = None
        self.error = None
        self.done = False
        self.coordinator = None
        self.replicas = []
        self.standins = {}
        self.targets = ()          # (node, intended node or None) the request was sent to
        self.stale = None
        self.must_see = ()
        self.needed = 0
        self.context_in = None
        self.callback = None
        self.responses = []        # the versions of the answers that counted
        self.heard = 0             # answers or acknowledgements received
        self.answers = None        # every (replica, versions) answer, for read repair
        self.consistent = False
        self.epoch = 0             # the coordinator's epoch when it took the request

    @property
    def latency(self):
        """Completion minus invocation time in ms (None while running)."""
        return None if self.end is None else self.end - self.start

    @property
    def context(self):
        """For a get: the context to pass to the next put (the merged clock of the siblings)."""
        if self.kind == "get":
            clocks = self.clocks or ()
            return Context(merge(*clocks) if clocks else EMPTY, clocks)
        return Context(self.clock.vector, (self.clock,))

    def __iter__(self):
        if self.kind != "get":
            raise UsageError("only a get unpacks into (values, context): a put has .value and .clock")
        return iter((self.values, self.context))

    def __repr__(self):
        state = "running" if not self.done else ("ok" if self.ok else f"failed: {self.error}")
        what = f"value={self.value!r}" if self.kind == "put" else f"values={self.values!r}"
        lat = "" if self.end is None else f", latency={self.latency:.3f}"
        stale = f", stale={self.stale}" if self.kind == "get" and self.done and self.ok else ""
        stand = f", standins={self.standins}" if self.standins else ""
        return (f"Operation(#{self.id} {self.kind} {self.key!r} {what}, {state}{lat}"
                f", replicas={self.replicas}{stand}{stale})")
