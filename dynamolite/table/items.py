"""One item at a time: PutItem, GetItem, UpdateItem, DeleteItem, with their conditions.

Each operation finds the item's partition by hashing its partition key (one
ring lookup), checks the request, then the condition on the item as it is,
then writes: the item and every index that holds it change together, or
nothing changes. A write costs one write unit per started KB of the larger of
the old and the new item, plus the same for each index it changes; a read
costs one read unit per started 4 KB, half of that when eventually
consistent (the default).

>>> from dynamolite.table import resource
>>> t = resource().create_table(TableName="T",
...     KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
...     AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}])
>>> t.put_item(Item={"pk": "a", "n": 1})["Dynamolite"]["write_units"]
1
>>> t.get_item(Key={"pk": "a"}, ConsistentRead=True)["Dynamolite"]["read_units"]
1.0

Cost: O(log n) in the partition's items, plus the item's size.
"""

import copy

from . import errors
from .errors import Refused, invalid
from .evaluation import Placeholders, evaluate, resolve
from .expressions import prepare
from .update import apply_update, check_update
from .values import MISSING, READ_UNIT, WRITE_UNIT, normalize, units


class Write:
    """A write worked out but not yet applied: where, the item before and after, the
    units. Planning checks everything (request, item, condition); applying cannot fail,
    so a transaction plans all its writes, then applies them all."""

    __slots__ = ("table", "hash_value", "sort", "part", "old", "old_size", "new", "size")

    def __init__(self, table, hash_value, sort, new=None, size=0):
        self.table, self.hash_value, self.sort = table, hash_value, sort
        self.part, self.old, self.old_size = table.find(hash_value, sort)
        self.new, self.size = new, size

    @property
    def units(self):
        """Write units: one per started KB of the larger of the old and the new item."""
        return units(max(self.size, self.old_size), WRITE_UNIT)

    def apply(self):
        """Write (or delete) the item; return the index write units."""
        if self.new is None and self.old is None:
            return 0
        return self.table.write(self.hash_value, self.sort, self.old, self.new, self.size)


def condition(params, old):
    """Check ConditionExpression against the current item ``old``; raise if it fails."""
    parsed, names, values = prepare(params, ("ConditionExpression",))
    if "ConditionExpression" in parsed:
        check_condition(parsed, names, values, old, params)


def check_condition(parsed, names, values, old, params):
    """Raise ConditionalCheckFailedException unless the parsed condition holds on ``old``."""
    if evaluate(parsed["ConditionExpression"], old or {}, names, values, "ConditionExpression"):
        return
    extra = {}
    if params.get("ReturnValuesOnConditionCheckFailure") == "ALL_OLD" and old is not None:
        extra["Item"] = copy.deepcopy(old)
    raise Refused(errors.CONDITION_FAILED, "ConditionalCheckFailedException",
                  reason="ConditionalCheckFailed", **extra)


def _returns(params, allowed, message):
    returns = params.get("ReturnValues", "NONE")
    if returns not in allowed:
        raise invalid(message)
    return returns


def plan_put(table, params):
    item = normalize(params["Item"])
    size = table.check_item(item)
    write = Write(table, item[table.hash_name], table.sort_tuple(item), item, size)
    condition(params, write.old)
    return write


def put(table, params):
    returns = _returns(params, ("NONE", "ALL_OLD"), errors.PUT_RETURN_VALUES)
    write = plan_put(table, params)
    index_units = write.apply()
    response = {}
    if returns == "ALL_OLD" and write.old is not None:
        response["Attributes"] = copy.deepcopy(write.old)
    part = write.part or table.store.partition(write.hash_value)
    return table.respond(response, params, [part], 1, write.units, index_units, write=True)


def get(table, params):
    hash_value, sort = table.key(params["Key"])
    parsed, names, _ = prepare(params, ("ProjectionExpression",))
    part, item, size = table.find(hash_value, sort)
    read_units = units(size, READ_UNIT) * (1.0 if params.get("ConsistentRead") else 0.5)
    response = {}
    if item is not None:
        response["Item"] = project(item, parsed.get("ProjectionExpression"), names)
    return table.respond(response, params, [part] if part else [], 1 if item else 0, read_units)


def project(item, paths, names):
    """A copy of ``item`` holding only the document paths of a projection (all if None)."""
    if paths is None:
        return copy.deepcopy(item)
    ph = Placeholders(names, None, "ProjectionExpression")
    return project_paths(item, [ph.path(node[1]) for node in paths])


def project_paths(item, paths):
    """A copy of the parts of ``item`` at ``paths`` (tuples of names and list indexes)."""
    out = {}
    for path in paths:
        if resolve(item, path) is not MISSING:
            _place(out, item, path)
    return out


def _place(out, item, path):
    """Copy the value at ``path`` of ``item`` into ``out``."""
    src, dst = item, out
    for i, part in enumerate(path):
        last = i == len(path) - 1
        src = src[part]
        if isinstance(part, int):
            if last:
                dst.append(copy.deepcopy(src))
            else:
                nxt = {} if isinstance(src, dict) else []
                dst.append(nxt)
                dst = nxt
        elif last:
            dst[part] = copy.deepcopy(src)
        else:
            if part not in dst:
                dst[part] = {} if isinstance(src, dict) else []
            dst = dst[part]


def plan_delete(table, params):
    write = Write(table, *table.key(params["Key"]))
    condition(params, write.old)
    return write


def delete(table, params):
    returns = _returns(params, ("NONE", "ALL_OLD"), errors.RETURN_VALUES)
    write = plan_delete(table, params)
    index_units = write.apply()
    response = {}
    if returns == "ALL_OLD" and write.old is not None:
        response["Attributes"] = write.old
    return table.respond(response, params, [write.part] if write.part else [],
                         1 if write.old else 0, write.units, index_units, write=True)


_UPDATE_RETURNS = ("NONE", "ALL_OLD", "UPDATED_OLD", "ALL_NEW", "UPDATED_NEW")


def plan_update(table, params):
    """Validate the request, then the condition, then compute the new item."""
    hash_value, sort = table.key(params["Key"])
    if params.get("UpdateExpression") is None:
        raise invalid(errors.UPDATE_EXPRESSION_REQUIRED)
    parsed, names, values = prepare(params, ("UpdateExpression", "ConditionExpression"))
    ph = Placeholders(names, values, "UpdateExpression")
    actions = parsed["UpdateExpression"]
    touched = check_update(actions, ph, {table.hash_name, table.range_name} - {None})
    write = Write(table, hash_value, sort)
    if "ConditionExpression" in parsed:   # the condition is checked before the update runs
        check_condition(parsed, names, values, write.old, params)
    base = write.old if write.old is not None else normalize(dict(params["Key"]))
    write.new = apply_update(actions, base, ph)
    write.size = table.check_item(write.new, updated=True)
    return write, touched


def update(table, params):
    returns = _returns(params, _UPDATE_RETURNS, errors.RETURN_VALUES)
    write, touched = plan_update(table, params)
    old, new = write.old, write.new
    index_units = write.apply()
    response = {}
    if returns == "ALL_OLD" and old is not None:
        response["Attributes"] = copy.deepcopy(old)
    elif returns == "ALL_NEW":
        response["Attributes"] = copy.deepcopy(new)
    elif returns in ("UPDATED_OLD", "UPDATED_NEW"):
        got = project_paths((old if returns == "UPDATED_OLD" else new) or {}, touched)
        if got:
            response["Attributes"] = got
    return table.respond(response, params, [table.store.partition(write.hash_value)], 1,
                         write.units, index_units, write=True)
