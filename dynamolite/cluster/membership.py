"""Gossip membership and failure detection: who is up, as each node sees it (Dynamo 4.8).

Dynamo has no central registry: every second each node picks a random peer
and they reconcile what they know. Here each node keeps a table of
*heartbeats*, ``node -> (generation, count)``. Every ``interval`` ms each
live node increments its own count and sends its table to one random peer;
a node receiving a table keeps, entry by entry, the larger heartbeat and
notes when it last saw each entry grow. Its failure detector is a timeout
(van Renesse, Minsky and Hayden, "A Gossip-Style Failure Detection Service",
1998): a node whose heartbeat has not grown for ``fail_after`` ms is
believed down, and up again as soon as it grows. A recovered node starts a
new *generation*, so its heartbeats win over the old ones.

The detector can be wrong both ways: a crashed node is believed up until its
timeout passes, and a slow or cut-off node is believed down though it runs
(a *false positive*, recorded in :attr:`Membership.suspicions`). A shorter
timeout notices crashes sooner and suspects more live nodes.

How fast does news spread? One push a round to a random peer reaches every
node of n in about log2(n) + ln(n) rounds (Pittel, 1987); :func:`spread_rounds`
measures it:

>>> rounds = [spread_rounds(64, seed) for seed in range(20)]
>>> 6 <= sum(rounds) / len(rounds) <= 14       # log2(64) + ln(64) = 10.2
True
"""

import random
from collections import namedtuple

from ..errors import ConfigError

Suspicion = namedtuple("Suspicion", "time observer suspect really_down")
"""``observer`` began to believe ``suspect`` down at ``time``; ``really_down`` says if it was."""


class Membership:
    """Every node's heartbeat table and its timeout failure detector, gossiped through the network."""

    def __init__(self, sim, network, names, down, interval=50.0, fail_after=500.0):
        if not interval > 0 or not fail_after > 0:
            raise ConfigError(f"gossip interval and fail_after are positive ms, got "
                              f"{interval!r} and {fail_after!r}")
        self.sim, self.network, self.down = sim, network, down
        self.names = list(names)
        self.interval, self.fail_after = float(interval), float(fail_after)
        self.generation = {name: 0 for name in self.names}
        self.table = {a: {b: (0, 0) for b in self.names} for a in self.names}
        self.heard = {a: {b: 0.0 for b in self.names} for a in self.names}
        self.believed_down = {a: set() for a in self.names}
        self.suspicions = []      # Suspicion(time, observer, suspect, really_down)
        self.rounds = 0

    def start(self):
        self.sim.background(self.sim.now + self.interval, self._round)

    # -- the failure detector ------------------------------------------------------
    def is_up(self, observer, node):
        """Does ``observer`` believe ``node`` up? (A node always believes itself up.)"""
        return node == observer or self.sim.now - self.heard[observer][node] <= self.fail_after

    def view(self, observer):
        """``{node: "up" or "down"}`` as ``observer`` sees the cluster now."""
        return {node: "up" if self.is_up(observer, node) else "down" for node in self.names}

    # -- gossip ----------------------------------------------------------------------
    def _round(self, _):
        now, rng = self.sim.now, self.sim.rng
        self.rounds += 1
        for name in self.names:
            if name in self.down:
                continue
            generation, count = self.table[name][name]
            self.table[name][name] = (self.generation[name], count + 1 if generation ==
                                      self.generation[name] else 1)
            self.heard[name][name] = now
            peer = self.names[rng.randrange(len(self.names) - 1)]
            if peer == name:
                peer = self.names[-1]
            self.network.send(self.sim, name, peer, "G", self._receive,
                              (peer, dict(self.table[name])), "gossip", background=True)
            self._note_suspicions(name, now)
        self.sim.background(now + self.interval, self._round)

    def _receive(self, message):
        peer, table = message
        if peer in self.down:
            return
        mine, heard, now = self.table[peer], self.heard[peer], self.sim.now
        for node, beat in table.items():
            if beat > mine[node]:
                mine[node] = beat
                heard[node] = now

    def _note_suspicions(self, observer, now):
        before = self.believed_down[observer]
        after = {node for node in self.names if not self.is_up(observer, node)}
        for suspect in sorted(after - before):
            self.suspicions.append(Suspicion(now, observer, suspect, suspect in self.down))
        self.believed_down[observer] = after

    def false_positives(self):
        """Suspicions of a node that was in fact up when it was suspected."""
        return [s for s in self.suspicions if not s.really_down]

    # -- crashes -------------------------------------------------------------------
    def crashed(self, name):
        """A crashed node forgets its table (it is rebuilt by gossip when it comes back)."""
        self.table[name] = {b: (0, 0) for b in self.names}

    def recovered(self, name):
        self.generation[name] += 1
        now = self.sim.now
        self.heard[name] = {b: now for b in self.names}    # give everyone the benefit of the doubt
        self.table[name][name] = (self.generation[name], 0)


def spread_rounds(n, seed=0):
    """Rounds of push gossip (each informed node tells one random other node) until all
    ``n`` nodes know a piece of news that one node had; a pure function, no network."""
    if not isinstance(n, int) or n < 2:
        raise ConfigError(f"gossip needs at least 2 nodes, got {n!r}")
    rng = random.Random(seed)
    informed, rounds = {0}, 0
    while len(informed) < n:
        rounds += 1
        for node in list(informed):
            peer = rng.randrange(n - 1)
            informed.add(peer if peer < node else peer + 1)
    return rounds
