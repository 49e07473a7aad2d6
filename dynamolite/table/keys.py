"""Key conditions: what a Query reads, as one partition and a slice of its sort keys.

A Query's ``KeyConditionExpression`` must name the partition key with ``=``
and may add ONE condition on the sort key (``=``, ``<``, ``<=``, ``>``,
``>=``, ``BETWEEN``, ``begins_with``). Together they select one partition
(one ring lookup) and a contiguous slice of its sorted items: a
:class:`KeyRange`, found with two binary searches. That is why a Query costs
what it returns, not what the table holds.

>>> from dynamolite.table.evaluation import Placeholders
>>> from dynamolite.table.expressions import parse_condition
>>> tree = parse_condition("pk = :p AND sk BETWEEN :a AND :b")
>>> ph = Placeholders({}, {":p": "alice", ":a": Decimal(2), ":b": Decimal(4)})
>>> r = key_range(tree, ph, "pk", "sk", {"pk": "S", "sk": "N"})
>>> r.hash_value, r.low, r.high
('alice', Decimal('2'), Decimal('4'))
>>> r.slice([(Decimal(n),) for n in range(6)])
(2, 5)

Cost: building the range is linear in the condition's size; ``slice`` is
two binary searches, O(log n) in the partition's items.
"""

from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from decimal import Decimal  # noqa: F401  (used by the doctest)
from typing import Any

from . import errors
from .errors import invalid
from .evaluation import check_between
from .values import MISSING, raw, type_of


@dataclass
class KeyRange:
    """The partition key value a Query names and the slice of sort keys it reads.

    ``low``/``high`` bound the sort key (None: unbounded), ``low_open``/
    ``high_open`` exclude the bound itself (``>``, ``<``), ``prefix`` is a
    ``begins_with`` prefix.
    """

    hash_value: Any
    low: Any = None
    high: Any = None
    low_open: bool = False
    high_open: bool = False
    prefix: Any = None

    def slice(self, keys):
        """(start, stop) of the sort keys ``keys`` (sorted tuples) inside the range."""
        if self.prefix is not None:          # begins_with: [prefix, next string after it)
            start = bisect_left(keys, self.prefix, key=_first)
            end = prefix_end(self.prefix)
            return start, len(keys) if end is None else bisect_left(keys, end, key=_first)
        if self.low is None:
            start = 0
        elif self.low_open:
            start = bisect_right(keys, self.low, key=_first)
        else:
            start = bisect_left(keys, self.low, key=_first)
        if self.high is None:
            stop = len(keys)
        elif self.high_open:
            stop = bisect_left(keys, self.high, key=_first)
        else:
            stop = bisect_right(keys, self.high, key=_first)
        return start, stop


def _first(key):
    return key[0]


def prefix_end(prefix):
    """The smallest string (or bytes) greater than every value starting with ``prefix``.

    >>> prefix_end("ab"), prefix_end(bytes([97, 255]))
    ('ac', b'b')
    """
    if isinstance(prefix, str):
        while prefix and ord(prefix[-1]) == 0x10FFFF:
            prefix = prefix[:-1]
        return prefix[:-1] + chr(ord(prefix[-1]) + 1) if prefix else None
    prefix = bytes(prefix).rstrip(b"\xff")
    return prefix[:-1] + bytes([prefix[-1] + 1]) if prefix else None


def _conditions(tree):
    """The comparisons a key condition ANDs together."""
    if tree[0] == "and":
        return _conditions(tree[1]) + _conditions(tree[2])
    if tree[0] in ("cmp", "between", "begins_with"):
        return [tree]
    raise invalid(errors.key_condition_operator(tree[0]))


def _attribute(node, ph):
    path = node[2] if node[0] == "cmp" else node[1]
    if path[0] != "path" or len(path[1]) != 1:
        raise invalid(errors.KEY_CONDITION_PATH)
    return ph.name(path[1][0])


def _typed(name, value, types):
    if type_of(value) != types[name]:
        raise invalid(errors.KEY_TYPE_MISMATCH)
    return value


def key_range(tree, ph, hash_name, range_name, types):
    """The :class:`KeyRange` of a parsed key condition, checked in DynamoDB's order."""
    conditions = _conditions(tree)
    named = [_attribute(node, ph) for node in conditions]
    # the partition key first, then unknown attributes
    if hash_name not in named:
        raise invalid(errors.missed_key(hash_name))
    if set(named) - {hash_name, range_name}:
        if range_name is not None and range_name not in named:
            raise invalid(errors.missed_key(range_name))
        raise invalid(errors.KEY_CONDITION_NOT_SUPPORTED)
    found = KeyRange(MISSING)
    seen_range = False
    for node, name in zip(conditions, named):
        if node[0] == "cmp" and node[3][0] != "value":
            raise invalid(errors.KEY_CONDITION_VALUE)
        if name == hash_name:
            if node[0] != "cmp" or node[1] != "=":
                raise invalid(errors.KEY_CONDITION_NOT_SUPPORTED)
            if found.hash_value is not MISSING:
                raise invalid(errors.ONE_CONDITION_PER_KEY)
            found.hash_value = _typed(name, ph.value(node[3][1]), types)
            continue
        if seen_range:
            raise invalid(errors.ONE_CONDITION_PER_KEY)
        seen_range = True
        if node[0] == "cmp":
            op, v = node[1], raw(_typed(name, ph.value(node[3][1]), types))
            if op == "<>":
                raise invalid(errors.KEY_CONDITION_NE)
            if op in ("=", ">", ">="):
                found.low, found.low_open = v, op == ">"
            if op in ("=", "<", "<="):
                found.high, found.high_open = v, op == "<"
        elif node[0] == "between":
            a = _typed(name, ph.value(node[2][1]), types)
            b = _typed(name, ph.value(node[3][1]), types)
            check_between(a, b, ph)
            found.low, found.high = raw(a), raw(b)
        else:
            v = ph.value(node[2][1])
            if types[name] == "N":
                raise invalid(errors.KEY_BEGINS_WITH_NUMBER)
            found.prefix = raw(_typed(name, v, types))
    return found
