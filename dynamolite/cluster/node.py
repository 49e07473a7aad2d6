"""A storage node: the versions of each key it holds (Dynamo, sections 4.4 and 5).

A node keeps, per key, the *siblings*: versions whose vector clocks no other
stored version descends from. Storing a version drops the siblings it
descends from and is ignored if the node already holds it or something newer.

>>> from dynamolite.vclock import VectorClock
>>> node = StorageNode("A")
>>> v1 = VectorClock().increment("A")
>>> node.put("cart", v1, ["milk"])
True
>>> node.put("cart", v1.increment("B"), ["milk", "eggs"])
True
>>> node.put("cart", v1, ["milk"])          # older than what the node holds: ignored
False
>>> node.get("cart")
[(VectorClock({'A': 1, 'B': 1}), ['milk', 'eggs'])]

Cost: ``put`` is O(s) clock comparisons for s siblings (usually 1).
"""


class StorageNode:
    """An in-memory replica: ``key -> [(clock, value), ...]`` siblings, and a write counter."""

    __slots__ = ("name", "data", "counter", "writes")

    def __init__(self, name):
        self.name = name
        self.data = {}
        self.counter = 0       # the node's own vector-clock counter when it coordinates a write
        self.writes = 0        # versions stored (for load plots)

    def __repr__(self):
        return f"StorageNode({self.name!r}, keys={len(self.data)})"

    def next_counter(self, context_clock):
        """The counter for a write this node coordinates: above anything it issued or saw."""
        self.counter = max(self.counter, context_clock[self.name]) + 1
        return self.counter

    def put(self, key, clock, value):
        """Store a version; return True if it is new to this node."""
        siblings = self.data.get(key)
        if siblings is None:
            self.data[key] = [(clock, value)]
            self.writes += 1
            return True
        for old, _ in siblings:
            if old.descends(clock):
                return False
        kept = [(c, v) for c, v in siblings if not clock.descends(c)]
        kept.append((clock, value))
        self.data[key] = kept
        self.writes += 1
        return True

    def get(self, key):
        """The node's siblings for ``key`` (a new list; empty if it has none)."""
        return list(self.data.get(key, ()))

    def check(self):
        """Assert that no stored sibling descends from another of the same key."""
        for key, siblings in self.data.items():
            assert siblings, f"{key!r} has an empty sibling list"
            for i, (a, _) in enumerate(siblings):
                for j, (b, _) in enumerate(siblings):
                    assert i == j or not a.descends(b), f"{key!r}: sibling {a} descends from {b}"
