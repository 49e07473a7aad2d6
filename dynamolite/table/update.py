"""Update expressions: SET, REMOVE, ADD and DELETE applied to one item, all or nothing.

``UpdateItem`` edits an item in place on the server: ``SET n = n + :one``
needs no read-modify-write round trip from the client, so two clients
incrementing a counter cannot lose an update. Every right-hand side is
computed from the item as it was before the update, as DynamoDB does, and
nothing is written if any action fails.

>>> from dynamolite.table.evaluation import Placeholders
>>> from dynamolite.table.expressions import parse_update
>>> actions = parse_update("SET n = n + :one, tags = :t REMOVE stale")
>>> ph = Placeholders({}, {":one": Decimal(1), ":t": {"a"}}, "UpdateExpression")
>>> check_update(actions, ph, {"pk"})
[('n',), ('tags',), ('stale',)]
>>> apply_update(actions, {"pk": "k", "n": Decimal(1), "stale": "x"}, ph)
{'pk': 'k', 'n': Decimal('2'), 'tags': {'a'}}

Cost: linear in the item's size (the item is copied once).
"""

import copy
from decimal import Decimal  # noqa: F401  (used by the doctest)

from . import errors
from .errors import invalid, invalid_for_item
from .evaluation import resolve
from .values import MISSING, normalize, type_of

# the operands a function of SET takes, and the type they must have
_FUNCTIONS = {"list_append": (slice(1, 3), "L"), "arith": (slice(2, 4), "N")}


def _set_value(node, item, ph):
    """The value of a SET right-hand side on ``item``. The request's own :values were
    checked by :func:`check_update`; what fails here fails because of the stored item."""
    kind = node[0]
    if kind == "value":
        return ph.value(node[1])
    if kind == "path":
        value = resolve(item, ph.path(node[1]))
        if value is MISSING:
            raise invalid_for_item(errors.MISSING_ATTRIBUTE)
        return value
    if kind == "if_not_exists":
        value = resolve(item, ph.path(node[1][1]))
        return _set_value(node[2], item, ph) if value is MISSING else value
    if kind in _FUNCTIONS:
        operands, wanted = _FUNCTIONS[kind]
        a, b = (_set_value(operand, item, ph) for operand in node[operands])
        if type_of(a) != wanted or type_of(b) != wanted:
            raise invalid_for_item(errors.WRONG_OPERAND_TYPE)
        if kind == "list_append":
            return list(a) + list(b)
        return normalize(a + b if node[1] == "+" else a - b)
    raise invalid(errors.unexpected("UpdateExpression", kind))


def _check_operands(node, ph):
    """Raise if a :value of the request is of the wrong type for its function (a string
    added with +, a number given to list_append): wrong whatever the item holds."""
    if node[0] == "if_not_exists":
        _check_operands(node[2], ph)
    elif node[0] in _FUNCTIONS:
        operands, wanted = _FUNCTIONS[node[0]]
        for operand in node[operands]:
            if operand[0] != "value":
                _check_operands(operand, ph)
                continue
            kind = type_of(ph.value(operand[1]))
            if kind != wanted:
                operator = node[1] if node[0] == "arith" else "list_append"
                raise invalid(errors.operand_type("UpdateExpression", operator, kind))


def _assign(item, path, value):
    parent = resolve(item, path[:-1]) if len(path) > 1 else item
    last = path[-1]
    if isinstance(last, int):
        if not isinstance(parent, list):
            raise invalid_for_item(errors.INVALID_PATH_FOR_UPDATE)
        if last >= len(parent):
            parent.append(value)
        else:
            parent[last] = value
    else:
        if not isinstance(parent, dict):
            raise invalid_for_item(errors.INVALID_PATH_FOR_UPDATE)
        parent[last] = value


_TYPE_NAMES = {"S": "STRING", "N": "NUMBER", "B": "BINARY", "NULL": "NULL", "BOOL": "BOOLEAN",
               "L": "LIST", "M": "MAP"}


def check_update(actions, ph, key_names):
    """Validate an update before anything is read, as DynamoDB does (so a request that
    is invalid fails as invalid even when its condition would fail): no key attribute,
    no two overlapping paths, ADD a number or a set, DELETE a set, numbers for + and -
    and lists for list_append among the request's :values. Return the top-level names
    the update touches."""
    touched, paths = [], []
    for clause, entries in actions.items():
        for path_node, value_node in entries:
            path = ph.path(path_node[1])
            if path[0] in key_names:
                raise invalid(errors.key_attribute_update(path[0]))
            for other in paths:
                shorter = min(len(other), len(path))
                if other[:shorter] == path[:shorter]:
                    raise invalid(errors.paths_overlap(other, path))
            paths.append(path)
            if clause in ("ADD", "DELETE"):
                kind = type_of(ph.value(value_node[1]))
                if kind in _TYPE_NAMES and not (clause == "ADD" and kind == "N"):
                    raise invalid(errors.update_operand_type(clause, _TYPE_NAMES[kind]))
            elif clause == "SET":
                _check_operands(value_node, ph)
    return paths


def _add_or_delete(clause, current, operand):
    """The new value of an ADD or DELETE action (None: remove the attribute; MISSING: no-op).
    The operand's type was checked by :func:`check_update`."""
    t = type_of(operand)
    if clause == "ADD":
        if current is not MISSING and type_of(current) != t:
            raise invalid_for_item(errors.WRONG_OPERAND_TYPE)
        if t == "N":
            return normalize(operand + (current if current is not MISSING else 0))
        return set(current if current is not MISSING else ()) | operand
    if current is MISSING:
        return MISSING
    if type_of(current) != t:
        raise invalid_for_item(errors.WRONG_OPERAND_TYPE)
    return set(current) - operand or None


def _container_ok(item, path):
    """Does the parent of ``path`` exist, as a map (for a name) or a list (for an index)?"""
    if len(path) == 1:
        return True
    parent = resolve(item, path[:-1])
    return isinstance(parent, list if isinstance(path[-1], int) else dict)


def apply_update(actions, item, ph):
    """The item after the update (checked first by :func:`check_update`); ``item`` is
    left unchanged."""
    # compute every value from the old item first
    planned = [(ph.path(p[1]), normalize(_set_value(v, item, ph))) for p, v in actions["SET"]]
    removals = [ph.path(p[1]) for p, _ in actions["REMOVE"]]
    for path in removals:
        if not _container_ok(item, path):
            raise invalid_for_item(errors.INVALID_PATH_FOR_UPDATE)
    for clause in ("ADD", "DELETE"):
        for path_node, value_node in actions[clause]:
            path = ph.path(path_node[1])
            if not _container_ok(item, path):
                raise invalid_for_item(errors.INVALID_PATH_FOR_UPDATE)
            result = _add_or_delete(clause, resolve(item, path), ph.value(value_node[1]))
            if result is None:
                removals.append(path)
            elif result is not MISSING:
                planned.append((path, result))
    new = copy.deepcopy(item)
    for path, value in planned:
        _assign(new, path, value)
    # remove list elements from the highest index down so indexes stay valid
    for path in sorted(removals, key=lambda p: [(0, x) if isinstance(x, str) else (1, -x) for x in p]):
        parent = resolve(new, path[:-1]) if len(path) > 1 else new
        last = path[-1]
        if isinstance(last, int):
            if isinstance(parent, list) and last < len(parent):
                del parent[last]
        elif isinstance(parent, dict):
            parent.pop(last, None)
    return new
