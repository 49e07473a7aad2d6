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


def descends(a, b):
    """True if clock ``a`` descends from (has seen) clock ``b``."""
    return a.descends(b)


def concurrent(a, b):
    """True if neither of ``a`` and ``b`` descends from the other."""
    return a.concurrent(b)


def merge(*clocks):
    """The entry-wise maximum of the clocks: the context of a reconciled write."""
    result = VectorClock()
    for clock in clocks:
        result = result.merge(clock)
    return result


def reconcile(clocks):
    """The clocks no other clock descends from (duplicates removed), sorted by text.

    This is syntactic reconciliation: what a replica keeps, and what a read returns.
    Cost: O(k^2) comparisons for k clocks.
    """
    unique = list(dict.fromkeys(clocks))
    kept = [c for c in unique
            if not any(o is not c and o.descends(c) for o in unique)]
    return sorted(kept, key=str)
