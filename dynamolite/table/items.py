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
from .expressions import Placeholders, evaluate, resolve
from .update import apply_update
from .values import MISSING, READ_UNIT, WRITE_UNIT, normalize, units


def put(table, kwargs):
    item = normalize(kwargs["Item"])
    if not isinstance(item, dict):
        raise TypeError("Item must be a dict")
    size = table.check_item(item)
    returns = kwargs.get("ReturnValues", "NONE")
    if returns not in ("NONE", "ALL_OLD"):
        raise invalid(errors.PUT_RETURN_VALUES)
    hash_value, sort = item[table.hash_name], table.sort_tuple(item)
    part, old, old_size = table.find(hash_value, sort)
    write_units = units(max(size, old_size), WRITE_UNIT)
    condition(table, kwargs, old)
    index_units = table.write(hash_value, sort, old, item, size)
    response = {}
    if returns == "ALL_OLD" and old is not None:
        response["Attributes"] = copy.deepcopy(old)
    part = part or table.store.partition(hash_value)
    return table.respond(response, kwargs, [part], 1, write_units, index_units, write=True)


def condition(table, kwargs, old):
    """Check ConditionExpression against the current item; raise if it fails."""
    if kwargs.get("ConditionExpression") is None:
        table.expressions(kwargs, ())
        return
    parsed, names, values = table.expressions(kwargs, ("ConditionExpression",))
    check_condition(parsed, names, values, old, kwargs)


def check_condition(parsed, names, values, old, kwargs):
    """Raise ConditionalCheckFailedException unless the parsed condition holds on ``old``."""
    if evaluate(parsed["ConditionExpression"], old or {}, names, values, "ConditionExpression"):
        return
    extra = {}
    if kwargs.get("ReturnValuesOnConditionCheckFailure") == "ALL_OLD" and old is not None:
        extra["Item"] = copy.deepcopy(old)
    raise Refused(errors.CONDITION_FAILED, "ConditionalCheckFailedException", **extra)


def get(table, kwargs):
    hash_value, sort = table.key(kwargs["Key"])
    parsed, names, _ = table.expressions(kwargs, ("ProjectionExpression",))
    part, item, size = table.find(hash_value, sort)
    read_units = units(size, READ_UNIT) * (1.0 if kwargs.get("ConsistentRead") else 0.5)
    response = {}
    if item is not None:
        response["Item"] = project(item, parsed.get("ProjectionExpression"), names)
    return table.respond(response, kwargs, [part] if part else [], 1 if item else 0, read_units)


def project(item, paths, names):
    """A copy of ``item`` holding only the document paths of a projection (all if None)."""
    if paths is None:
        return copy.deepcopy(item)
    ph = Placeholders(names, None, "ProjectionExpression")
    out = {}
    for node in paths:
        path = ph.path(node[1])
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


def delete(table, kwargs):
    hash_value, sort = table.key(kwargs["Key"])
    returns = kwargs.get("ReturnValues", "NONE")
    if returns not in ("NONE", "ALL_OLD"):
        raise invalid(errors.RETURN_VALUES)
    part, old, old_size = table.find(hash_value, sort)
    write_units = units(old_size, WRITE_UNIT)
    condition(table, kwargs, old)
    index_units = 0
    if old is not None:
        index_units = table.write(hash_value, sort, old, None, 0)
    response = {}
    if returns == "ALL_OLD" and old is not None:
        response["Attributes"] = old
    return table.respond(response, kwargs, [part] if part else [], 1 if old else 0,
                         write_units, index_units, write=True)


_UPDATE_RETURNS = ("NONE", "ALL_OLD", "UPDATED_OLD", "ALL_NEW", "UPDATED_NEW")


def update(table, kwargs):
    Key = kwargs["Key"]
    hash_value, sort = table.key(Key)
    returns = kwargs.get("ReturnValues", "NONE")
    if returns not in _UPDATE_RETURNS:
        raise invalid(errors.RETURN_VALUES)
    if kwargs.get("UpdateExpression") is None:
        raise invalid(errors.UPDATE_EXPRESSION_REQUIRED)
    parsed, names, values = table.expressions(kwargs, ("UpdateExpression", "ConditionExpression"))
    part, old, old_size = table.find(hash_value, sort)
    base = old if old is not None else normalize(dict(Key))
    if "ConditionExpression" in parsed:   # the condition is checked before the update runs
        check_condition(parsed, names, values, old, kwargs)
    new, touched = apply_update(parsed["UpdateExpression"], base,
                                Placeholders(names, values, "UpdateExpression"),
                                {table.hash_name, table.range_name} - {None})
    new_size = table.check_item(new)
    write_units = units(max(new_size, old_size), WRITE_UNIT)
    index_units = table.write(hash_value, sort, old, new, new_size)
    response = {}
    if returns == "ALL_OLD" and old is not None:
        response["Attributes"] = copy.deepcopy(old)
    elif returns == "ALL_NEW":
        response["Attributes"] = copy.deepcopy(new)
    elif returns in ("UPDATED_OLD", "UPDATED_NEW"):
        source = old if returns == "UPDATED_OLD" else new
        got = {k: copy.deepcopy(source[k]) for k in touched if source and k in source}
        if got:
            response["Attributes"] = got
    return table.respond(response, kwargs, [table.store.partition(hash_value) or part], 1,
                         write_units, index_units, write=True)
