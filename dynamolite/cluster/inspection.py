"""What a learner looks at inside a :class:`~dynamolite.cluster.cluster.Cluster`.

The replicas of a key and the hints a node holds, a node's view of the others, the
keys written, each key's final versions (what the checkers read), whether the
replicas have converged, one request's messages, the stale-read rate, and
``check()``, the invariants the tests assert after every step. :class:`Inspection`
is a part of ``Cluster`` (as :class:`~dynamolite.cluster.faults.FaultControls` is),
kept apart so the class reads as building, requests and time.
"""

from ..errors import ConfigError, UnknownNodeError
from ..vclock import latest, merge
from .checkers import divergence
from .handoff import held
from .operation import Operation


class Inspection:
    """The looking-inside calls of a Cluster (reads only: nothing here changes the cluster)."""

    def replicas_of(self, key):
        """What each of the key's N home replicas holds now: ``{node: [(clock, value), ...]}``."""
        return {name: self.nodes[name].get(key) for name in self.preference_list(key)}

    def hints(self, node):
        """What ``node`` holds for others: ``{intended node: {key: [(clock, value), ...]}}``."""
        if node not in self.nodes:
            raise UnknownNodeError(f"unknown node {node!r}; the nodes are {list(self.nodes)}")
        return held(self.nodes[node])

    def view(self, node):
        """``{node: "up" or "down"}`` as ``node``'s failure detector sees the cluster."""
        if self.membership is None:
            raise ConfigError("build the cluster with gossip=True (or sloppy=True) to have views")
        return self.membership.view(node)

    def keys(self):
        """Every key written so far, in the order first written."""
        return list(dict.fromkeys(op.key for op in self.history if op.kind == "put"))

    def final_values(self):
        """Each key's latest versions across every node and hint: the state a checker reads."""
        found = {}
        for node in self.nodes.values():
            for key, versions in _held(node):
                found.setdefault(key, []).extend(versions)
        return {key: latest(versions) for key, versions in found.items()}

    def converged(self):
        """True if all home replicas of every key hold the same versions and no hint is left."""
        return divergence(self).valid

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
        """Assert the invariants of the nodes and the simulator; with dotted version
        vectors, that no node's versions of a key claim a dot they neither hold nor cover
        (what makes a context derived from them safe)."""
        self.ring.check()
        self.sim.check()
        for node in self.nodes.values():
            node.check()
        for key, front in self._frontier.items():
            for a, _ in front:
                for b, _ in front:
                    assert a is b or not a.descends(b), f"frontier of {key!r} holds {a} >= {b}"
        if self.config.clocks == "dvv":
            written = {}
            for op in self.history:
                if op.kind == "put" and op.clock is not None:
                    written.setdefault(op.key, []).append(op.clock)
            for node in self.nodes.values():
                for key, versions in _held(node):
                    top = merge(*(c for c, _ in versions))
                    for clock in written.get(key, ()):
                        actor, counter = clock.dot
                        assert top[actor] < counter or any(c.descends(clock) for c, _ in versions), \
                            f"{node.name}'s versions of {key!r} claim {clock.dot} without holding it"


def _held(node):
    """Every ``(key, versions)`` a node holds: its own, then its hints' (for other nodes)."""
    yield from node.store.versions()
    for (_, key), versions in node.hints.versions():
        yield key, versions
