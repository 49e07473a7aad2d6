"""Merkle trees: find the keys two replicas disagree on by comparing few hashes (Dynamo 4.7).

A replica puts every key it holds in a key range of the ring into one of
``2**depth`` *leaves*, equal slices of the range by the key's token (its
position on the ring). A leaf's hash covers the keys in it and a digest of
their versions; a parent's hash is the hash of its two children's. Two
replicas of the range build trees of the same shape and compare roots: equal
roots mean the whole range agrees, at the cost of one hash. Otherwise they
compare the two children of each node that differs, and descend only into
children that differ. For k differing keys among L leaves that is about
2 k log2(L) hashes, not one per key.

>>> a = MerkleTree({"k1": b"v1", "k2": b"v2"}, depth=4)
>>> b = MerkleTree({"k1": b"v1", "k2": b"changed"}, depth=4)
>>> a.diff(b)                   # the root, then two children at each of 4 levels
(['k2'], 9)
>>> a.diff(a)
([], 1)

Cost: building is O(keys + leaves) hashes; :meth:`MerkleTree.diff` is
O(differing leaves x depth) hash comparisons plus the keys of those leaves.
"""

from hashlib import md5

from ..errors import ConfigError
from ..ring import RING_SIZE, token

_EMPTY = md5(b"").digest()


def digest(versions):
    """A short hash of a sibling set: equal exactly when the clocks are equal."""
    return md5("|".join(sorted(str(clock) for clock, _ in versions)).encode()).digest()


def _key_bytes(key):
    return key if isinstance(key, bytes) else str(key).encode()


def _sorted(keys):
    return sorted(keys, key=lambda k: (isinstance(k, bytes), k))


class MerkleTree:
    """A hash tree over ``digests`` (``{key: bytes}``) of the keys of one ring range.

    ``lo`` and ``hi`` bound the range's tokens (``lo <= token < hi``, wrapping
    past the top of the ring when ``hi <= lo``); ``depth`` gives ``2**depth``
    leaves. ``levels[d]`` holds the ``2**d`` hashes of depth ``d``: ``levels[0]``
    is the root.
    """

    def __init__(self, digests, depth=10, lo=0, hi=RING_SIZE):
        if not isinstance(depth, int) or not 0 <= depth <= 24:
            raise ConfigError(f"a Merkle tree's depth is an integer from 0 to 24, got {depth!r}")
        self.depth, self.lo = depth, lo
        self.span = (hi - lo) % RING_SIZE or RING_SIZE
        leaves = 1 << depth
        self.buckets = [{} for _ in range(leaves)]
        for key, value in (digests.items() if isinstance(digests, dict) else digests):
            offset = (token(key) - lo) % RING_SIZE
            if offset >= self.span:
                raise ConfigError(f"key {key!r} is outside the tree's range")
            self.buckets[offset * leaves // self.span][key] = value
        level = [self._leaf_hash(bucket) for bucket in self.buckets]
        self.levels = [level]
        while len(level) > 1:
            level = [md5(level[i] + level[i + 1]).digest() for i in range(0, len(level), 2)]
            self.levels.append(level)
        self.levels.reverse()

    @staticmethod
    def _leaf_hash(bucket):
        if not bucket:
            return _EMPTY
        h = md5()
        for key in _sorted(bucket):
            h.update(_key_bytes(key) + b"\0" + bucket[key])
        return h.digest()

    @property
    def root(self):
        return self.levels[0][0]

    def __len__(self):
        return sum(len(b) for b in self.buckets)

    def diff(self, other):
        """``(keys, hashes compared)``: the keys whose digests differ or that only one
        tree holds, found by descending only into subtrees whose hashes differ."""
        if (self.depth, self.lo, self.span) != (other.depth, other.lo, other.span):
            raise ConfigError("only trees of the same range and depth can be compared")
        compared = 1
        if self.root == other.root:
            return [], compared
        frontier = [0]
        for d in range(1, self.depth + 1):
            mine, theirs = self.levels[d], other.levels[d]
            below = []
            for i in frontier:
                for child in (2 * i, 2 * i + 1):
                    compared += 1
                    if mine[child] != theirs[child]:
                        below.append(child)
            frontier = below
        keys = set()
        for leaf in frontier:
            a, b = self.buckets[leaf], other.buckets[leaf]
            keys.update(k for k in a.keys() | b.keys() if a.get(k) != b.get(k))
        return _sorted(keys), compared
