"""Anti-entropy: replicas of a key range compare Merkle trees and copy what differs (Dynamo 4.7).

Read repair fixes a key only when someone reads it, and hinted handoff only
what a stand-in held. Anti-entropy repairs everything else in the
background: two nodes that replicate the same key range (see
:meth:`dynamolite.ring.Ring.ranges`) each build a
:class:`~dynamolite.cluster.merkle.MerkleTree` of their keys in the range,
compare them from the root down, and exchange the sibling sets of the keys
that differ; each keeps what nothing else descends from.

Two ways to run it: :meth:`AntiEntropy.run_now` compares every pair of live,
connected replicas of every range at once (``cluster.anti_entropy()``), and
with an ``interval`` each live node, every ``interval`` ms, picks one range
it holds and one other replica of it and exchanges three messages with it
through the network: the request carries the sender's tree as it was when
sent; the peer compares it with its own and answers with its versions of the
keys that differ; the sender keeps what is new to it and sends back its
versions of those keys, which the peer keeps. A node learns another's data
only from a message, so a crash or a partition stops the exchange where it is.
"""

from ..vclock import latest
from .merkle import MerkleTree, digest


class AntiEntropy:
    """Merkle-tree exchanges between the replicas of each ring range."""

    def __init__(self, sim, network, nodes, down, ring, n, interval=None, depth=6):
        self.sim, self.network, self.nodes, self.down = sim, network, nodes, down
        self.ring, self.depth = ring, depth
        self.ranges = ring.ranges(n)                 # [(lo, hi, replicas)]
        self.held = {name: [i for i, (_, _, reps) in enumerate(self.ranges) if name in reps]
                     for name in nodes}
        self.interval = interval
        self._range_of = {}                          # key -> range index, cached
        self.exchanges = self.keys_repaired = self.hashes_compared = 0

    def range_of(self, key):
        index = self._range_of.get(key)
        if index is None:
            index = self._range_of[key] = self.ring.range_index(key)
        return index

    def tree(self, name, index):
        """The Merkle tree of node ``name``'s keys in range ``index``."""
        lo, hi, _ = self.ranges[index]
        store = self.nodes[name].store
        digests = {key: digest(versions) for key, versions in store.versions()
                   if self.range_of(key) == index}
        return MerkleTree(digests, self.depth, lo, hi)

    def _reconcile(self, a, b, keys):
        """Give both nodes the latest versions of ``keys``."""
        node_a, node_b = self.nodes[a], self.nodes[b]
        for key in keys:
            merged = latest(node_a.store.get(key) + node_b.store.get(key))
            node_b.merge(key, merged)
            node_a.merge(key, merged)

    # -- on demand ------------------------------------------------------------
    def run_now(self):
        """Compare every pair of live, connected replicas of every range; return
        ``(exchanges, keys repaired, hashes compared)`` of this run."""
        before = (self.exchanges, self.keys_repaired, self.hashes_compared)
        now = self.sim.now
        for index, (_, _, replicas) in enumerate(self.ranges):
            live = [r for r in replicas if r not in self.down]
            for i, a in enumerate(live):
                for b in live[i + 1:]:
                    if self.network.cut(now, a, b):
                        continue
                    keys, compared = self.tree(a, index).diff(self.tree(b, index))
                    self._reconcile(a, b, keys)
                    self._count(keys, compared)
        return tuple(x - y for x, y in zip((self.exchanges, self.keys_repaired,
                                            self.hashes_compared), before))

    def _count(self, keys, compared):
        self.exchanges += 1
        self.keys_repaired += len(keys)
        self.hashes_compared += compared

    # -- in the background ------------------------------------------------------
    def start(self):
        if self.interval is not None:
            self.sim.background(self.sim.now + self.interval, self._round)

    def _round(self, _):
        rng = self.sim.rng
        for name in self.nodes:
            if name in self.down or not self.held[name]:
                continue
            index = self.held[name][rng.randrange(len(self.held[name]))]
            others = [r for r in self.ranges[index][2] if r != name]
            if others:
                peer = others[rng.randrange(len(others))]
                self._send(name, peer, self._compare, (name, peer, index, self.tree(name, index)))
        self.sim.background(self.sim.now + self.interval, self._round)

    def _send(self, src, dst, handler, message):
        self.network.send(self.sim, src, dst, "E", handler, message, "anti-entropy", background=True)

    def _compare(self, message):
        """At the peer: diff the sender's tree with its own; answer with its versions of the keys that differ."""
        sender, peer, index, tree = message
        if peer in self.down:
            return
        keys, compared = tree.diff(self.tree(peer, index))
        self._count(keys, compared)
        if keys:
            store = self.nodes[peer].store
            self._send(peer, sender, self._take_and_return,
                       (sender, peer, [(key, store.get(key)) for key in keys]))

    def _take_and_return(self, message):
        """At the sender: keep what is new in the peer's versions, send back its own of those keys."""
        sender, peer, theirs = message
        if sender in self.down:
            return
        node = self.nodes[sender]
        mine = []
        for key, versions in theirs:
            node.merge(key, versions)
            mine.append((key, node.store.get(key)))
        self._send(sender, peer, self._take, (peer, mine))

    def _take(self, message):
        """At the peer: keep what is new in the sender's versions."""
        peer, versions = message
        if peer not in self.down:
            for key, merged in versions:
                self.nodes[peer].merge(key, merged)
