"""Hinted handoff: a stand-in gives back the writes it kept for an unreachable replica (Dynamo 4.6).

With a sloppy quorum, a write meant for replica A, which the coordinator
believes down, goes to the next healthy node D of the key's extended
preference list. D keeps it apart from its own data, as a *hint* naming A
(in ``node.hints``, a store keyed by ``(A, key)``), and answers reads for A
from it meanwhile. Every ``interval`` ms D asks its failure detector about
each node it holds hints for; once it believes A up it sends A the hinted
versions, and when A acknowledges, D deletes the hints it sent (unless newer
versions arrived for them in between).

Hand-off messages are background work: they travel the network like any
other (a partition stops them), but do not keep ``Cluster.run()`` going.
"""

def held(node):
    """What ``node`` holds for others: ``{intended node: {key: [(clock, value), ...]}}``."""
    out = {}
    for (intended, key), versions in node.hints.versions():
        out.setdefault(intended, {})[key] = list(versions)
    return out


class Handoff:
    """The periodic hand-off of every node's hints, through the network."""

    def __init__(self, sim, network, nodes, down, view, interval=100.0):
        self.sim, self.network, self.nodes, self.down = sim, network, nodes, down
        self.view, self.interval = view, float(interval)
        self.delivered = 0          # hinted versions handed back and acknowledged

    def start(self):
        self.sim.background(self.sim.now + self.interval, self._round)

    def _round(self, _):
        for name, node in self.nodes.items():
            if name in self.down:
                continue
            for intended, keys in held(node).items():
                if self.view(name, intended):
                    batch = list(keys.items())
                    self.network.send(self.sim, name, intended, "H", self._deliver,
                                      (name, intended, batch), "handoff", background=True)
        self.sim.background(self.sim.now + self.interval, self._round)

    def _deliver(self, message):
        """At the intended replica: store what the stand-in kept, then acknowledge."""
        standin, name, batch = message
        if name in self.down:
            return
        node = self.nodes[name]
        for key, versions in batch:
            node.merge(key, versions)
        self.network.send(self.sim, name, standin, "H", self._acknowledged, message, "handoff",
                          background=True)

    def _acknowledged(self, message):
        """At the stand-in: drop the hints the replica now has (unchanged since they were sent)."""
        standin, name, batch = message
        if standin in self.down:
            return
        hints = self.nodes[standin].hints
        for key, versions in batch:
            now = hints.get((name, key))
            if [c for c, _ in now] == [c for c, _ in versions]:
                hints.delete((name, key))
                self.delivered += len(versions)

