"""A storage node: its versions of each key, the writes it holds for others, up or down
(Dynamo, sections 4.4, 4.6 and 5).

A node keeps, per key, the *siblings*: versions whose clocks no other stored
version descends from. Merging versions into it drops the siblings they
descend from and ignores what it already holds or has seen superseded. Its
storage is a :class:`~dynamolite.cluster.storage.Store`; so are its *hints*,
the writes it keeps as a stand-in for an unreachable replica (hinted handoff).

>>> from dynamolite.vclock import VectorClock
>>> from dynamolite.cluster.storage import MemoryStore
>>> node = Node("A", MemoryStore(), MemoryStore())
>>> v1 = VectorClock().increment("A")
>>> node.merge("cart", [(v1, ["milk"])])
True
>>> node.merge("cart", [(v1.increment("B"), ["milk", "eggs"])])
True
>>> node.merge("cart", [(v1, ["milk"])])          # older than what the node holds: ignored
False
>>> node.get("cart")
[(VectorClock({'A': 1, 'B': 1}), ['milk', 'eggs'])]

Cost: a merge is O(s^2) clock comparisons for s siblings (usually 1).
"""

from ..vclock import latest


def merge_into(store, key, versions):
    """Store ``versions`` of ``key`` in ``store``, keeping the siblings nothing descends
    from; return True if the store changed (never for no versions)."""
    if not versions:
        return False
    held = store.get(key)
    if not held:
        store.put(key, list(versions))
        return True
    if len(held) == 1 and len(versions) == 1:           # the common case, kept fast
        old, new = held[0][0], versions[0][0]
        if old.descends(new):
            return False
        store.put(key, list(versions) if new.descends(old) else held + list(versions))
        return True
    kept = latest(held + list(versions))
    seen = {clock for clock, _ in held}
    if all(clock in seen for clock, _ in kept) and len(kept) == len(held):
        return False
    store.put(key, kept)
    return True


class Node:
    """One replica: ``store`` (key -> siblings), ``hints`` ((intended node, key) -> siblings),
    whether it is ``up``, and the counter it stamps the writes it coordinates with.

    A crash loses what the stores lose and the counter; when the node comes back
    it writes under a new *actor* name (``"n1~1"``, ``"n1~2"``...), as Riak's
    vnodes do, so a counter is never issued twice under one name.
    """

    __slots__ = ("name", "store", "hints", "up", "epoch", "counter", "writes")

    def __init__(self, name, store, hints):
        self.name = name
        self.store, self.hints = store, hints
        self.up = True
        self.epoch = 0
        self.counter = 0       # the node's own clock counter when it coordinates a write
        self.writes = 0        # merges that changed the store (for load plots)

    def __repr__(self):
        state = "up" if self.up else "down"
        return f"Node({self.name!r}, {state}, {self.store!r})"

    @property
    def actor(self):
        """The name this node writes into clocks: its name, then ``name~epoch`` after a crash."""
        return self.name if not self.epoch else f"{self.name}~{self.epoch}"

    def next_counter(self, context):
        """The counter for a write this node coordinates: above anything it issued or saw."""
        self.counter = max(self.counter, context[self.actor]) + 1
        return self.counter

    def merge(self, key, versions):
        """Store ``versions`` (``(clock, value)`` pairs); return True if they were new here."""
        if merge_into(self.store, key, versions):
            self.writes += 1
            return True
        return False

    def get(self, key):
        """The node's siblings for ``key`` (a new list; empty if it has none)."""
        return list(self.store.get(key))

    def crash(self):
        self.up = False
        self.store.crash()
        self.hints.crash()
        self.counter = 0

    def recover(self):
        self.up = True
        self.epoch += 1

    def check(self):
        """Assert that no stored sibling descends from another of the same key."""
        for key, siblings in self.store.versions():
            assert siblings, f"{key!r} has an empty sibling list"
            for i, (a, _) in enumerate(siblings):
                for j, (b, _) in enumerate(siblings):
                    assert i == j or not a.descends(b), f"{key!r}: sibling {a} descends from {b}"
