"""Storage: partitions placed on the ring, each an item collection sorted by sort key,
and secondary indexes kept beside them (DynamoDB; Dynamo 4.1-4.3).

A partition key value is hashed onto the same ring as the cluster's keys
(:func:`dynamolite.ring.token` of its typed bytes); the first token past it
names the virtual node and so the physical node that stores the partition.
Inside a partition, items are kept sorted by their sort key, so a Query walks
only the slice it returns.

>>> from dynamolite.ring import Ring
>>> parts = Partitions(Ring(["A", "B"], vnodes=4))
>>> p = parts.partition("alice", create=True)
>>> p.put((Decimal(2),), {"pk": "alice"}, 8); p.put((Decimal(1),), {"pk": "alice"}, 8)
>>> p.keys, p.node in ("A", "B")
([(Decimal('1'),), (Decimal('2'),)], True)

Costs: finding a partition is a dict lookup (a hash and a binary search on
the ring when it is created); adding an item to a partition is O(log n) to
find its place (plus the list insertion); a Scan sorts the partitions by
token once, then walks them.
"""

from bisect import bisect_left, bisect_right, insort
from decimal import Decimal  # noqa: F401  (used by the doctest)

from ..ring import token
from .values import MISSING, hash_bytes, raw


class Partition:
    """The items of one partition key value, kept sorted by their sort key
    (an *item collection*), plus where it lives on the ring.

    ``keys`` is the sorted list of sort keys (tuples), ``items`` maps each
    sort key to ``(item, size)``.
    """

    __slots__ = ("hash_value", "keys", "items", "token", "node", "vnode")

    def __init__(self, hash_value, token, node, vnode):
        self.hash_value = hash_value
        self.keys, self.items = [], {}
        self.token, self.node, self.vnode = token, node, vnode

    def put(self, key, item, size):
        if key not in self.items:
            insort(self.keys, key)
        self.items[key] = (item, size)

    def remove(self, key):
        if self.items.pop(key, None) is not None:
            del self.keys[bisect_left(self.keys, key)]

    def check(self):
        assert self.keys == sorted(self.keys), "sort keys out of order"
        assert set(self.keys) == set(self.items), "keys and items disagree"
        assert len(set(self.keys)) == len(self.keys), "duplicate sort key"


class Partitions:
    """The partitions of a table or of one index, placed on the ring."""

    def __init__(self, ring):
        pairs = ring.tokens()
        self.tokens = [t for t, _ in pairs]
        self.owners = [n for _, n in pairs]
        self.by_value = {}
        self._order = None          # partitions sorted by token, built for Scan

    def place(self, hash_value):
        """(token, virtual node index, node) of a partition key value."""
        tok = token(hash_bytes(hash_value))
        vnode = bisect_right(self.tokens, tok) % len(self.tokens)
        return tok, vnode, self.owners[vnode]

    def partition(self, hash_value, create=False):
        """The partition of ``hash_value`` (None if it holds nothing, unless ``create``)."""
        h = raw(hash_value)
        part = self.by_value.get(h)
        if part is None and create:
            tok, vnode, node = self.place(hash_value)
            part = self.by_value[h] = Partition(hash_value, tok, node, vnode)
            self._order = None
        return part

    def drop_if_empty(self, part):
        if not part.items:
            del self.by_value[raw(part.hash_value)]
            self._order = None

    def in_token_order(self):
        """Every partition, clockwise round the ring (ties broken by the hashed bytes)."""
        if self._order is None:
            self._order = sorted(self.by_value.values(),
                                 key=lambda p: (p.token, hash_bytes(p.hash_value)))
        return self._order

    def __len__(self):
        return sum(len(p.items) for p in self.by_value.values())


def key_names(key_schema):
    """(partition key name, sort key name or None) of a KeySchema."""
    hash_name = range_name = None
    for element in key_schema:
        if element["KeyType"] == "HASH":
            hash_name = element["AttributeName"]
        elif element["KeyType"] == "RANGE":
            range_name = element["AttributeName"]
    return hash_name, range_name


class Index:
    """A secondary index: its own partitions, keyed by the index's keys.

    Its sort keys are ``(index sort key, table hash key, table sort key)`` so
    items with equal index keys stay in a stable order. An item lacking an
    index key attribute is absent (the index is *sparse*).
    """

    def __init__(self, spec, kind, table):
        self.name = spec["IndexName"]
        self.kind = kind                        # "GSI" or "LSI"
        self.spec = spec
        self.key_schema = spec["KeySchema"]
        self.hash_name, self.range_name = key_names(spec["KeySchema"])
        projection = spec.get("Projection", {"ProjectionType": "ALL"})
        self.projection_type = projection.get("ProjectionType", "ALL")
        self.non_key = list(projection.get("NonKeyAttributes", []))
        self.table = table
        self.store = Partitions(table.ring)

    def key_of(self, item):
        """(hash value, sort tuple) of an item in this index, or None if absent."""
        h = item.get(self.hash_name, MISSING)
        if h is MISSING:
            return None
        base = self.table.sort_tuple(item)
        hv = raw(item[self.table.hash_name])
        if self.range_name is None:
            return h, (hv, *base)
        r = item.get(self.range_name, MISSING)
        if r is MISSING:
            return None
        return h, (raw(r), hv, *base)

    def projected(self, item):
        """The part of ``item`` the index stores (its projection)."""
        if self.projection_type == "ALL":
            return item
        keep = {self.table.hash_name, self.table.range_name, self.hash_name, self.range_name}
        if self.projection_type == "INCLUDE":
            keep.update(self.non_key)
        return {k: v for k, v in item.items() if k in keep}

    def add(self, item, size):
        key = self.key_of(item)
        if key is not None:
            self.store.partition(key[0], create=True).put(key[1], item, size)
        return key

    def remove(self, item):
        key = self.key_of(item)
        if key is not None:
            part = self.store.partition(key[0])
            part.remove(key[1])
            self.store.drop_if_empty(part)
        return key
