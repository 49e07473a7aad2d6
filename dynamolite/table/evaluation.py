"""Evaluating parsed expressions over an item: conditions, filters, key conditions.

A parsed condition (:mod:`.expressions`) is a tree of tuples; :func:`evaluate` walks it
over one item, as DynamoDB does: a comparison between values of different types is
false, never an error (``n < "3"``); a missing attribute makes every comparison false
but ``<>``; ``size`` counts characters' bytes, a set's or list's elements, a map's
entries. :class:`Placeholders` resolves a request's ``#names`` and ``:values``.

>>> from dynamolite.table.expressions import parse_condition
>>> tree = parse_condition("size(tags) > :n AND begins_with(#n, :p)")
>>> item = {"name": "alice", "tags": {"a", "b"}}
>>> evaluate(tree, item, {"#n": "name"}, {":n": 1, ":p": "al"})
True

Cost: linear in the tree's size (and in the size of the values ``contains`` and ``size``
look at).
"""

from decimal import Decimal

from . import errors
from .errors import invalid
from .values import MISSING, ordered, raw, same, type_of


class Placeholders:
    """The ExpressionAttributeNames and Values of one request."""

    __slots__ = ("names", "values", "what")

    def __init__(self, names, values, what="ConditionExpression"):
        self.names, self.values, self.what = names or {}, values or {}, what

    def name(self, part):
        if isinstance(part, tuple):
            try:
                return self.names[part[1]]
            except KeyError:
                raise invalid(errors.undefined_name(self.what, part[1])) from None
        return part

    def value(self, placeholder):
        try:
            return self.values[placeholder]
        except KeyError:
            raise invalid(errors.undefined_value(self.what, placeholder)) from None

    def path(self, parts):
        return tuple(self.name(p) for p in parts)


def resolve(item, path):
    """The value at ``path`` (a tuple of names and list indexes) or MISSING."""
    value = item
    for part in path:
        if isinstance(part, int):
            if not isinstance(value, list) or part >= len(value):
                return MISSING
        elif not isinstance(value, dict) or part not in value:
            return MISSING
        value = value[part]
    return value


def operand_value(node, item, ph):
    kind = node[0]
    if kind == "value":
        return ph.value(node[1])
    if kind == "path":
        return resolve(item, ph.path(node[1]))
    if kind == "size":
        value = resolve(item, ph.path(node[1][1]))
        if value is MISSING:
            return MISSING
        if isinstance(value, str):
            return Decimal(len(value.encode()))
        if isinstance(value, (bool, Decimal, int)) or value is None:
            return MISSING
        return Decimal(len(raw(value)))
    raise invalid(errors.unexpected(ph.what, node))


def _compare(op, a, b):
    if a is MISSING or b is MISSING:
        return op == "<>"
    if op == "=":
        return same(a, b)
    if op == "<>":
        return not same(a, b)
    if not ordered(a, b):
        return False
    a, b = raw(a), raw(b)
    return {"<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b}[op]


def check_between(low, high, ph):
    """DynamoDB refuses BETWEEN whose lower bound exceeds its upper bound."""
    if ordered(low, high) and raw(low) > raw(high):
        raise invalid(errors.between_bounds(ph.what, low, type_of(low), high, type_of(high)))


def evaluate(tree, item, names=None, values=None, what="ConditionExpression"):
    """True when ``item`` (a dict, or {} for no item) satisfies the parsed condition."""
    ph = names if isinstance(names, Placeholders) else Placeholders(names, values, what)
    return _eval(tree, item, ph)


def _eval(tree, item, ph):
    kind = tree[0]
    if kind == "and":
        left = _eval(tree[1], item, ph)
        right = _eval(tree[2], item, ph)   # evaluate both: errors surface either way
        return left and right
    if kind == "or":
        left = _eval(tree[1], item, ph)
        right = _eval(tree[2], item, ph)
        return left or right
    if kind == "not":
        return not _eval(tree[1], item, ph)
    if kind == "cmp":
        return _compare(tree[1], operand_value(tree[2], item, ph), operand_value(tree[3], item, ph))
    if kind == "between":
        x, low, high = (operand_value(n, item, ph) for n in tree[1:])
        if low is not MISSING and high is not MISSING:
            check_between(low, high, ph)
        return (x is not MISSING and ordered(x, low) and ordered(x, high)
                and raw(low) <= raw(x) <= raw(high))
    if kind == "in":
        x = operand_value(tree[1], item, ph)
        return x is not MISSING and any(_compare("=", x, operand_value(o, item, ph)) for o in tree[2])
    if kind == "attribute_exists":
        return operand_value(tree[1], item, ph) is not MISSING
    if kind == "attribute_not_exists":
        return operand_value(tree[1], item, ph) is MISSING
    if kind == "attribute_type":
        x, t = operand_value(tree[1], item, ph), operand_value(tree[2], item, ph)
        valid = ("S", "SS", "N", "NS", "B", "BS", "BOOL", "NULL", "L", "M")
        if t not in valid:
            raise invalid(errors.attribute_type_name(ph.what, t, valid))
        return x is not MISSING and type_of(x) == t
    if kind == "begins_with":
        x, prefix = operand_value(tree[1], item, ph), operand_value(tree[2], item, ph)
        if prefix is not MISSING and type_of(prefix) not in ("S", "B"):
            raise invalid(errors.operand_type(ph.what, "begins_with", type_of(prefix)))
        return (x is not MISSING and prefix is not MISSING and type_of(x) == type_of(prefix)
                and raw(x).startswith(raw(prefix)))
    if kind == "contains":
        x, part = operand_value(tree[1], item, ph), operand_value(tree[2], item, ph)
        if x is MISSING or part is MISSING:
            return False
        tx = type_of(x)
        if tx in ("S", "B"):
            return type_of(part) == tx and raw(part) in raw(x)
        if tx in ("SS", "NS", "BS"):
            return type_of(part) + "S" == tx and raw(part) in {raw(e) for e in x}
        if tx == "L":
            return any(same(e, part) for e in x)
        return False
    raise invalid(errors.unexpected(ph.what, kind))
