"""Consistent hashing: the ring of Dynamo, section 4.1-4.3.

Dynamo places every node at several points ("tokens") of a circle of 2**128
positions: the 128-bit MD5 hash of the node's virtual-node names. A key is
hashed onto the same circle and belongs to the first token *strictly greater*
than the key's position, walking clockwise and wrapping past the top back to 0.
Replicas go to the next distinct physical nodes clockwise: the key's
*preference list* (section 4.3).

>>> ring = Ring(["A", "B", "C"], vnodes=8)
>>> ring.lookup("alice")
'B'
>>> ring.preference_list("alice", 3)
['B', 'A', 'C']
>>> round(sum(ring.ownership().values()), 12)
1.0

Beside the ring live the two partitioners it is compared with in the lesson,
:class:`RangePartitioner` (split by the key's first letter) and
:class:`ModNPartitioner` (``hash(key) mod N``); all three share ``lookup``,
``preference_list``, ``add_node``, ``remove_node`` and ``nodes``.
"""

from bisect import bisect_right
from collections import Counter
from fractions import Fraction

try:                      # CPython's built-in MD5 is about twice as fast as OpenSSL's
    from _md5 import md5  # for short keys; the digests are identical
except ImportError:       # pragma: no cover
    from hashlib import md5

import numpy as np

from .errors import (ConfigError, DuplicateNodeError, EmptyRingError, KeyTypeError,
                     NodeNameError, TooFewNodesError, UnknownNodeError)

RING_SIZE = 2 ** 128
"""Number of positions on the ring: MD5 gives 128-bit tokens."""


def _key_bytes(key):
    if isinstance(key, str):
        return key.encode()
    if isinstance(key, (bytes, bytearray)):
        return bytes(key)
    raise KeyTypeError(f"keys must be str or bytes, got {type(key).__name__} {key!r}: "
                       f"convert it first, e.g. str({key!r})")


def token(key):
    """The key's position on the ring: its MD5 digest read as a big-endian integer.

    >>> token("alice")
    132283552702735894323332391932430538300
    >>> 0 <= token(b"alice") < RING_SIZE
    True
    """
    return int.from_bytes(md5(_key_bytes(key)).digest(), "big")


def vnode_name(node, i):
    """The name hashed to place virtual node ``i`` of ``node``: ``"node#i"``."""
    return f"{node}#{i}"


class Ring:
    """A consistent-hashing ring with virtual nodes and per-node weights.

    ``nodes`` are physical node names (strings). Each gets ``vnodes * weight``
    tokens, where ``weights`` maps a node to a positive integer (default 1): a
    node twice as big takes twice the tokens, so about twice the keys.

    Costs: ``lookup`` is one MD5 and one binary search, O(log T) for T tokens;
    ``add_node`` and ``remove_node`` rebuild the sorted token list, O(T log T).
    """

    def __init__(self, nodes=(), vnodes=8, weights=None):
        if not isinstance(vnodes, int) or vnodes < 1:
            raise ConfigError(f"vnodes must be a positive integer, got {vnodes!r}")
        self.vnodes = vnodes
        self._weights = {}
        self._tokens = []        # sorted tokens
        self._owners = []        # _owners[i] owns _tokens[i]; one extra entry wraps to 0
        weights = weights or {}
        for node in nodes:
            self._add(node, weights.get(node, 1))
        self._rebuild()

    # -- membership -------------------------------------------------------
    @property
    def nodes(self):
        """The physical nodes, in the order they were added."""
        return list(self._weights)

    def __len__(self):
        return len(self._weights)

    def __contains__(self, node):
        return node in self._weights

    def __repr__(self):
        return f"Ring({self.nodes!r}, vnodes={self.vnodes})"

    def weight(self, node):
        """The node's weight: it holds ``vnodes * weight`` tokens."""
        self._known(node)
        return self._weights[node]

    def _known(self, node):
        if node not in self._weights:
            raise UnknownNodeError(f"node {node!r} is not on the ring; its nodes are {self.nodes}")

    def _add(self, node, weight):
        if not isinstance(node, str) or not node:
            raise NodeNameError(f"node names must be non-empty strings, got {node!r}")
        if node in self._weights:
            raise DuplicateNodeError(f"node {node!r} is already on the ring; remove it first "
                                     f"or give the new node another name")
        if not isinstance(weight, int) or weight < 1:
            raise ConfigError(f"weight of {node!r} must be a positive integer, got {weight!r}")
        self._weights[node] = weight

    def _rebuild(self):
        pairs = sorted((token(vnode_name(node, i)), node)
                       for node, weight in self._weights.items()
                       for i in range(self.vnodes * weight))
        self._tokens = [t for t, _ in pairs]
        self._owners = [n for _, n in pairs]
        if pairs:
            self._owners.append(self._owners[0])   # a key past the last token wraps to the first
        self._tokens_hi = None                      # lazily built for lookup_many

    def add_node(self, node, weight=1):
        """Add a physical node with ``vnodes * weight`` tokens; return the ring."""
        self._add(node, weight)
        self._rebuild()
        return self

    def remove_node(self, node):
        """Remove a physical node and all its tokens; return the ring."""
        self._known(node)
        del self._weights[node]
        self._rebuild()
        return self

    def copy(self):
        """An independent ring with the same nodes, weights and vnodes."""
        return Ring(self.nodes, self.vnodes, dict(self._weights))

    # -- lookups ----------------------------------------------------------
    def tokens(self):
        """All ``(token, node)`` pairs in clockwise order."""
        return list(zip(self._tokens, self._owners))

    def lookup(self, key):
        """The node that owns ``key``: the first token strictly greater than the key's, wrapping.

        >>> Ring(["A", "B"]).lookup("bob") in ("A", "B")
        True
        """
        # token(key), inlined: this is the hot path of every table and cluster request
        if key.__class__ is str:
            key = key.encode()
        elif not isinstance(key, bytes):
            key = _key_bytes(key)
        try:
            return self._owners[bisect_right(self._tokens, int.from_bytes(md5(key).digest(), "big"))]
        except IndexError:
            raise EmptyRingError("the ring has no nodes: add one with ring.add_node(name)") from None

    def preference_list(self, key, n):
        """The first ``n`` distinct physical nodes clockwise from ``key`` (section 4.3).

        The first is ``lookup(key)``; the walk skips further tokens of a node
        already chosen, so replicas land on ``n`` different machines.
        Cost: O(log T) plus the tokens walked, at most T.
        """
        return [node for node, _ in self.walk(key, n)]

    def walk(self, key, n):
        """``[(node, token)]``: the preference list, each node with the token where the
        clockwise walk from ``key`` first met it (what a drawing of the walk marks).

        >>> ring = Ring(["A", "B", "C"], vnodes=4)
        >>> [node for node, _ in ring.walk("alice", 3)] == ring.preference_list("alice", 3)
        True
        """
        if not self._tokens:
            raise EmptyRingError("the ring has no nodes: add one with ring.add_node(name)")
        if not 1 <= n <= len(self._weights):
            raise TooFewNodesError(f"a preference list of {n} distinct nodes needs n between 1 "
                                   f"and the {len(self._weights)} physical nodes on the ring")
        return self._walk(bisect_right(self._tokens, token(key)), n)

    def _walk(self, start, n):
        """``[(node, token)]``: the first ``n`` distinct nodes clockwise from token index ``start``."""
        count = len(self._tokens)
        walk, chosen = [], set()
        for step in range(count):
            i = (start + step) % count
            node = self._owners[i]
            if node not in chosen:
                chosen.add(node)
                walk.append((node, self._tokens[i]))
                if len(walk) == n:
                    break
        return walk

    def lookup_many(self, keys):
        """Owners of many keys at once, as a NumPy array of node names.

        The MD5 hashing is still one call per key, but the binary searches run
        in NumPy on the tokens' top 64 bits; the rare key whose top 64 bits
        equal a token's is settled exactly on all 128 bits.
        """
        if not self._tokens:
            raise EmptyRingError("the ring has no nodes: add one with ring.add_node(name)")
        keys = keys if isinstance(keys, list) else list(keys)
        digests = np.frombuffer(b"".join([md5(k.encode() if k.__class__ is str else _key_bytes(k)).digest()
                                          for k in keys]), dtype=">u8")
        key_hi = digests[0::2].astype(np.uint64)
        if self._tokens_hi is None:
            self._tokens_hi = np.array([t >> 64 for t in self._tokens], dtype=np.uint64)
            self._owner_array = np.array(self._owners, dtype=object)
        idx = np.searchsorted(self._tokens_hi, key_hi, side="right")
        tie = self._tokens_hi[idx - 1] == key_hi          # idx - 1 == -1 wraps harmlessly
        for i in np.flatnonzero(tie):                     # exact 128-bit comparison
            idx[i] = bisect_right(self._tokens, token(keys[i]))
        return self._owner_array[idx]

    def ranges(self, n):
        """The key ranges between consecutive tokens, each with its ``n`` replicas:
        ``[(lo, hi, nodes), ...]``, a key belonging to the range with ``lo <= token(key) < hi``
        (the first range wraps: ``hi <= lo``). Replicas of one range share its keys: what
        anti-entropy compares (section 4.7).

        >>> ring = Ring(["A", "B", "C"], vnodes=2)
        >>> len(ring.ranges(2))                     # one range per token
        6
        >>> lo, hi, nodes = ring.ranges(2)[ring.range_index("alice")]
        >>> list(nodes) == ring.preference_list("alice", 2)
        True
        """
        if not 1 <= n <= len(self._weights):
            raise TooFewNodesError(f"ranges with {n} replicas need n between 1 and the "
                                   f"{len(self._weights)} physical nodes on the ring")
        return [(self._tokens[i - 1], self._tokens[i], tuple(node for node, _ in self._walk(i, n)))
                for i in range(len(self._tokens))]

    def range_index(self, key):
        """Index in :meth:`ranges` of the range holding ``key``."""
        if not self._tokens:
            raise EmptyRingError("the ring has no nodes: add one with ring.add_node(name)")
        return bisect_right(self._tokens, token(key)) % len(self._tokens)

    # -- balance ----------------------------------------------------------
    def arcs(self):
        """Each node's total arc length in ring positions (ints summing to ``RING_SIZE``)."""
        owned = Counter()
        previous = self._tokens[-1] - RING_SIZE if self._tokens else 0
        for t, node in zip(self._tokens, self._owners):
            owned[node] += t - previous      # node owns [previous, t)
            previous = t
        return {node: owned[node] for node in self._weights}

    def ownership(self, exact=False):
        """Each node's share of the key space, computed from the tokens.

        Floats by default; ``exact=True`` gives ``Fraction`` values summing to exactly 1.
        """
        arcs = self.arcs()
        if exact:
            return {node: Fraction(a, RING_SIZE) for node, a in arcs.items()}
        return {node: a / RING_SIZE for node, a in arcs.items()}

    def check(self):
        """Assert the ring's invariants (used by the property tests)."""
        assert len(self._owners) == len(self._tokens) + (1 if self._tokens else 0)
        assert all(a < b for a, b in zip(self._tokens, self._tokens[1:])), "tokens not strictly sorted"
        if self._tokens:
            assert self._owners[-1] == self._owners[0]
        counts = Counter(self._owners[:len(self._tokens)])
        assert counts == Counter({n: self.vnodes * w for n, w in self._weights.items()}), counts
        assert sum(self.arcs().values()) == (RING_SIZE if self._tokens else 0)


class _ListPartitioner:
    """What both comparison partitioners share: an ordered list of nodes, where
    ``_index(key)`` picks the key's node and replicas go to the next ones in order."""

    def __init__(self, nodes):
        self._nodes = list(nodes)
        if len(set(self._nodes)) != len(self._nodes):
            raise DuplicateNodeError(f"node names must be distinct, got {self._nodes}")

    @property
    def nodes(self):
        return list(self._nodes)

    def lookup(self, key):
        if not self._nodes:
            raise EmptyRingError("no nodes: add one with add_node(name)")
        return self._nodes[self._index(key)]

    def preference_list(self, key, n):
        if not 1 <= n <= len(self._nodes):
            raise TooFewNodesError(f"n must be between 1 and the {len(self._nodes)} nodes")
        first = self._index(key)
        return [self._nodes[(first + i) % len(self._nodes)] for i in range(n)]

    def add_node(self, node):
        if node in self._nodes:
            raise DuplicateNodeError(f"node {node!r} is already there")
        return self._set_nodes(self._nodes + [node])

    def remove_node(self, node):
        if node not in self._nodes:
            raise UnknownNodeError(f"node {node!r} is not there; nodes are {self._nodes}")
        return self._set_nodes([n for n in self._nodes if n != node])


class ModNPartitioner(_ListPartitioner):
    """``hash(key) mod N``: simple and even, but adding a node moves almost every key.

    >>> p = ModNPartitioner(["A", "B", "C"])
    >>> p.lookup("alice") == ["A", "B", "C"][token("alice") % 3]
    True
    """

    def _index(self, key):
        return token(key) % len(self._nodes)

    def _set_nodes(self, nodes):
        self._nodes = nodes
        return self

    def copy(self):
        return ModNPartitioner(self._nodes)


class RangePartitioner(_ListPartitioner):
    """Range partitioning by the key's first letter: the classic A-H / I-Q / R-Z split.

    The alphabet is cut into ``len(nodes)`` contiguous ranges of letters as
    even as possible (or at the given ``splits``: the first letter of each
    range after the first). Keys not starting with a letter go to the first node.
    Adding or removing a node re-cuts the alphabet evenly (which moves many keys).

    >>> p = RangePartitioner(["n1", "n2", "n3"], splits="IR")
    >>> [p.lookup(name) for name in ("Garcia", "Ito", "Smith")]
    ['n1', 'n2', 'n3']
    >>> p.ranges()
    {'n1': 'A-H', 'n2': 'I-Q', 'n3': 'R-Z'}
    """

    LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"

    def __init__(self, nodes, splits=None):
        super().__init__(nodes)
        if splits is None:
            n = max(len(self._nodes), 1)
            splits = [self.LETTERS[(26 * i) // n] for i in range(1, n)]
        splits = [s.upper() for s in splits]
        if len(splits) != max(len(self._nodes) - 1, 0) or splits != sorted(set(splits)) \
                or any(s not in self.LETTERS[1:] for s in splits):
            raise ConfigError(f"splits must be {len(self._nodes) - 1} increasing letters B-Z, got {splits}")
        self._splits = splits

    def _index(self, key):
        first = _key_bytes(key)[:1].decode(errors="ignore").upper()
        return bisect_right(self._splits, first) if first.isalpha() else 0

    def _set_nodes(self, nodes):
        self.__init__(nodes)
        return self

    def ranges(self):
        """Each node's range of first letters, like ``'A-H'``."""
        starts = ["A"] + self._splits
        ends = [chr(ord(s) - 1) for s in self._splits] + ["Z"]
        return {node: f"{a}-{b}" for node, a, b in zip(self._nodes, starts, ends)}

    def copy(self):
        return RangePartitioner(self._nodes, self._splits)


def moved_keys(before, after, keys):
    """The keys whose owner differs between two partitioners, as ``{key: (old, new)}``.

    >>> before = Ring(["A", "B", "C"])
    >>> after = before.copy().add_node("D")
    >>> {new for old, new in moved_keys(before, after, [f"k{i}" for i in range(100)]).values()}
    {'D'}
    """
    moved = {}
    for key in keys:
        old, new = before.lookup(key), after.lookup(key)
        if old != new:
            moved[key] = (old, new)
    return moved
