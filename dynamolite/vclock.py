"""Vector clocks: versions that know what they descend from (Dynamo, section 4.4).

A vector clock is a list of ``(node, counter)`` pairs. The node that
coordinates a write increments its own counter; a clock *descends* from
another when every counter is at least as large. Two clocks where neither
descends from the other are *concurrent*: the writes happened without
knowing of each other, and a read returns both as *siblings* for the
application to reconcile.

>>> a = VectorClock().increment("A")
>>> b = a.increment("B")          # written by B after reading a
>>> c = a.increment("C")          # written by C after reading a, not knowing b
>>> b.descends(a), a.descends(b)
(True, False)
>>> b.concurrent(c)
True
>>> merge(b, c)
VectorClock({'A': 1, 'B': 1, 'C': 1})
>>> [str(v) for v in reconcile([a, b, c])]
['{A:1, B:1}', '{A:1, C:1}']

Clocks are immutable values: every operation returns a new clock. Cost:
comparisons are O(entries); Dynamo keeps entries few by :meth:`VectorClock.truncate`.

The paper's clocks name the *server* that coordinated a write. A server that
coordinates two writes neither of which saw the other gives the second a
higher counter, so it seems to descend from the first, and the first is
silently dropped. A :class:`DottedVersionVector` (Preguica et al., "Dotted
Version Vectors", 2010) separates the write's own event, its *dot*, from
what the writer had seen, its *past*: two blind writes at one server stay
concurrent.

>>> first = DottedVersionVector(("A", 1))            # blind writes at A: nothing seen
>>> second = DottedVersionVector(("A", 2))
>>> VectorClock({"A": 2}).descends(VectorClock({"A": 1})), second.descends(first)
(True, False)
>>> print(DottedVersionVector(("A", 3), merge(first, second)))
{A:2} + (A,3)
"""

from .errors import ConfigError


class VectorClock:
    """An immutable vector clock: node name -> counter, with optional timestamps.

    ``stamps`` remembers, per node, the (simulated) time of its last increment;
    it takes no part in comparisons and exists only for :meth:`truncate`.
    """

    __slots__ = ("_counters", "_stamps", "_hash")

    def __init__(self, counters=None, stamps=None):
        counters = dict(counters or {})
        for node, count in counters.items():
            if not isinstance(count, int) or count < 1:
                raise ConfigError(f"vector clock counters are positive integers, got {node!r}: {count!r}")
        self._counters = counters
        self._stamps = dict(stamps or {})
        self._hash = None

    # -- reading ------------------------------------------------------------
    def __getitem__(self, node):
        """The counter of ``node`` (0 if absent)."""
        return self._counters.get(node, 0)

    def __len__(self):
        return len(self._counters)

    def items(self):
        """``(node, counter)`` pairs, sorted by node name."""
        return sorted(self._counters.items())

    def as_dict(self):
        return dict(self._counters)

    @property
    def vector(self):
        """The clock as a plain vector clock (itself): what a context merges."""
        return self

    def __eq__(self, other):
        return isinstance(other, VectorClock) and self._counters == other._counters

    def __hash__(self):
        if self._hash is None:
            self._hash = hash(frozenset(self._counters.items()))
        return self._hash

    def __repr__(self):
        return f"VectorClock({dict(self.items())!r})"

    def __str__(self):
        return "{" + ", ".join(f"{n}:{c}" for n, c in self.items()) + "}"

    # -- making new clocks --------------------------------------------------
    def increment(self, node, counter=None, time=None):
        """A new clock with ``node``'s counter advanced (to ``counter`` if given).

        ``counter`` must exceed the current one: a coordinator may jump ahead
        (it uses one counter for all keys) but never go back.
        """
        current = self._counters.get(node, 0)
        if counter is None:
            counter = current + 1
        elif counter <= current:
            raise ConfigError(f"a counter only grows: {node!r} is at {current}, asked for {counter}")
        counters = dict(self._counters)
        counters[node] = counter
        clock = VectorClock.__new__(VectorClock)
        clock._counters, clock._hash = counters, None
        clock._stamps = dict(self._stamps)
        if time is not None:
            clock._stamps[node] = time
        return clock

    def merge(self, other):
        """The least clock that descends from both (entry-wise maximum)."""
        counters = dict(self._counters)
        stamps = dict(self._stamps)
        for node, count in other._counters.items():
            if count > counters.get(node, 0):
                counters[node] = count
                if node in other._stamps:
                    stamps[node] = other._stamps[node]
        clock = VectorClock.__new__(VectorClock)
        clock._counters, clock._stamps, clock._hash = counters, stamps, None
        return clock

    def truncate(self, limit):
        """Drop the oldest entries (by timestamp) beyond ``limit``, as Dynamo does (section 4.4).

        Truncation can make a descendant look concurrent with its ancestor:
        the price of bounded clocks, which the paper reports never mattered in production.

        >>> c = VectorClock().increment("A", time=1).increment("B", time=2).increment("C", time=3)
        >>> c.truncate(2)
        VectorClock({'B': 1, 'C': 1})
        """
        if limit < 1:
            raise ConfigError(f"a truncated clock keeps at least one entry, got limit={limit}")
        if len(self._counters) <= limit:
            return self
        order = sorted(self._counters, key=lambda n: (self._stamps.get(n, float("-inf")), n))
        keep = order[len(order) - limit:]
        return VectorClock({n: self._counters[n] for n in keep},
                           {n: self._stamps[n] for n in keep if n in self._stamps})

    # -- comparing ----------------------------------------------------------
    def descends(self, other):
        """True if this clock has seen everything ``other`` has (``self >= other``)."""
        if other is self:
            return True
        mine = self._counters
        for node, count in other._counters.items():
            if mine.get(node, 0) < count:
                return False
        return True

    def concurrent(self, other):
        """True if neither clock descends from the other."""
        return not self.descends(other) and not other.descends(self)

    def compare(self, other):
        """``'equal'``, ``'after'``, ``'before'`` or ``'concurrent'``."""
        after, before = self.descends(other), other.descends(self)
        if after and before:
            return "equal"
        if after:
            return "after"
        if before:
            return "before"
        return "concurrent"


class DottedVersionVector:
    """A version's clock as a dot, the event of the write, and a past, what its writer had seen.

    ``dot`` is ``(node, counter)``, unique to the write; ``past`` is the
    :class:`VectorClock` of the context the write was made from. A version
    *descends* from another when the other's dot is in its past (or is its own
    dot): what the writer saw, not what the server had counted. Its
    :attr:`vector` (past plus dot) is what a read's context merges.

    This is sound when every counter of a node up to the one in a context was
    seen by that context's reader; the cluster keeps it so by sending a key's
    whole sibling set wherever it sends one version (section 4.4's "the
    coordinator writes the new version locally" and replicates what it holds).
    """

    __slots__ = ("dot", "past", "_vector", "_hash")

    def __init__(self, dot, past=None):
        node, counter = dot
        if not isinstance(counter, int) or counter < 1:
            raise ConfigError(f"a dot's counter is a positive integer, got {dot!r}")
        self.dot = (node, counter)
        self.past = past if past is not None else VectorClock()
        self._vector = None
        self._hash = None

    @property
    def vector(self):
        """Past and dot as one :class:`VectorClock` (the entry-wise maximum)."""
        if self._vector is None:
            node, counter = self.dot
            self._vector = (self.past if self.past[node] >= counter
                            else self.past.increment(node, counter))
        return self._vector

    def descends(self, other):
        """True if ``other``'s write was seen by this one's writer (or is this write)."""
        node, counter = other.dot
        return other.dot == self.dot or self.past._counters.get(node, 0) >= counter

    def concurrent(self, other):
        """True if neither version descends from the other."""
        return not self.descends(other) and not other.descends(self)

    def __getitem__(self, node):
        return self.vector[node]

    def __len__(self):
        return len(self.vector)

    def items(self):
        return self.vector.items()

    def truncate(self, limit):
        """The same dot with a past of at most ``limit`` entries (oldest dropped)."""
        past = self.past.truncate(limit)
        return self if past is self.past else DottedVersionVector(self.dot, past)

    def __eq__(self, other):
        return (isinstance(other, DottedVersionVector) and self.dot == other.dot
                and self.past == other.past)

    def __hash__(self):
        if self._hash is None:
            self._hash = hash((self.dot, self.past))
        return self._hash

    def __repr__(self):
        return f"DottedVersionVector({self.dot!r}, {self.past!r})"

    def __str__(self):
        return f"{self.past} + ({self.dot[0]},{self.dot[1]})"


def descends(a, b):
    """True if clock ``a`` descends from (has seen) clock ``b``."""
    return a.descends(b)


def concurrent(a, b):
    """True if neither of ``a`` and ``b`` descends from the other."""
    return a.concurrent(b)


def merge(*clocks):
    """The entry-wise maximum of the clocks (vector clocks or dotted version vectors'
    :attr:`~DottedVersionVector.vector`): the context of a reconciled write."""
    result = VectorClock()
    for clock in clocks:
        result = result.merge(clock.vector)
    return result


def latest(versions):
    """The ``(clock, value)`` versions no other version descends from, each clock once,
    in the order first seen: syntactic reconciliation, what a replica keeps and a read returns.

    >>> a = VectorClock().increment("A")
    >>> [str(c) for c, _ in latest([(a, 1), (a.increment("B"), 2), (a.increment("C"), 3), (a, 1)])]
    ['{A:1, B:1}', '{A:1, C:1}']

    Cost: O(k^2) comparisons for k versions (k is almost always 1 or 2).
    """
    if len(versions) == 2:                     # the common case, kept fast
        (a, _), (b, _) = versions
        if a.descends(b):
            return [versions[0]]
        if b.descends(a):
            return [versions[1]]
        return list(versions)
    if len(versions) < 2:
        return list(versions)
    by_clock = {}
    for clock, value in versions:
        by_clock.setdefault(clock, value)
    clocks = list(by_clock)
    if len(clocks) > 1:
        clocks = [c for c in clocks if not any(o is not c and o.descends(c) for o in clocks)]
    return [(c, by_clock[c]) for c in clocks]


def reconcile(clocks):
    """The clocks no other clock descends from (duplicates removed), sorted by text.

    Cost: O(k^2) comparisons for k clocks.
    """
    return sorted((c for c, _ in latest([(c, None) for c in clocks])), key=str)
