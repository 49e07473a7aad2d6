"""Query and Scan: walking sorted partitions into pages of results.

A Query reads ONE partition (of the table or of an index): the slice of its
sorted items that the key condition selects (:mod:`.keys`), forward or
backward. A Scan reads every partition, clockwise round the ring. Both then
filter what they read (a filter saves bandwidth, never capacity), project,
and stop after ``Limit`` items examined or 1 MB read, returning a
``LastEvaluatedKey`` to continue from.

>>> from boto3.dynamodb.conditions import Key
>>> from dynamolite.table import resource
>>> t = resource().create_table(TableName="T",
...     KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"},
...                {"AttributeName": "sk", "KeyType": "RANGE"}],
...     AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
...                           {"AttributeName": "sk", "AttributeType": "N"}])
>>> for i in range(5):
...     _ = t.put_item(Item={"pk": "a", "sk": i})
>>> r = t.query(KeyConditionExpression=Key("pk").eq("a") & Key("sk").gte(3))
>>> [item["sk"] for item in r["Items"]], r["Dynamolite"]["items_examined"]
([Decimal('3'), Decimal('4')], 2)

Costs: a Query is O(log n + k) for k items examined; a Scan O(table size).
"""

import copy
import math
from bisect import bisect_left, bisect_right

from . import errors
from .errors import invalid
from .evaluation import Placeholders, _eval
from .expressions import prepare
from .items import project
from .keys import key_range
from .values import MISSING, PAGE_LIMIT, READ_UNIT, hash_bytes, item_size, normalize, raw
from ..ring import RING_SIZE, token

_SELECTS = (None, "ALL_ATTRIBUTES", "ALL_PROJECTED_ATTRIBUTES", "COUNT", "SPECIFIC_ATTRIBUTES")


def _source(table, kwargs):
    """(partitions, hash name, range name, index or None) that a read walks."""
    name = kwargs.get("IndexName")
    if name is None:
        return table.store, table.hash_name, table.range_name, None
    index = table.indexes.get(name)
    if index is None:
        raise invalid(errors.no_such_index(name))
    if index.kind == "GSI" and kwargs.get("ConsistentRead"):
        raise invalid(errors.GSI_CONSISTENT_READ)
    if kwargs.get("Select") == "ALL_ATTRIBUTES" and index.kind == "GSI" \
            and index.projection_type != "ALL":
        raise invalid(errors.select_not_projected(index.name))
    return index.store, index.hash_name, index.range_name, index


def _common_checks(kwargs):
    limit = kwargs.get("Limit")
    if limit is not None and (not isinstance(limit, int) or limit < 1):
        raise invalid(errors.bad_limit(limit))
    select = kwargs.get("Select")
    if select not in _SELECTS:
        raise invalid(errors.bad_select(select))
    if select == "SPECIFIC_ATTRIBUTES" and not kwargs.get("ProjectionExpression"):
        raise invalid(errors.SPECIFIC_NEEDS_PROJECTION)
    if select in ("ALL_ATTRIBUTES", "COUNT") and kwargs.get("ProjectionExpression"):
        raise invalid(errors.projection_with_select(select))


def _paths(tree):
    """Every document path a condition tree reads."""
    if isinstance(tree, tuple) and tree:
        if tree[0] == "path":
            yield tree[1]
            return
        for part in tree[1:]:
            if isinstance(part, tuple):
                yield from _paths(part)


def query(table, kwargs):
    if kwargs.get("KeyConditionExpression") is None:
        raise invalid(errors.NO_KEY_CONDITION)
    _common_checks(kwargs)
    store, hash_name, range_name, index = _source(table, kwargs)
    parsed, names, values = prepare(
        kwargs, ("KeyConditionExpression", "FilterExpression", "ProjectionExpression"))
    ph = Placeholders(names, values, "KeyConditionExpression")
    wanted = key_range(parsed["KeyConditionExpression"], ph, hash_name, range_name, table.types)
    if "FilterExpression" in parsed:       # a filter may not use the key attributes
        for path in _paths(parsed["FilterExpression"]):
            first = ph.name(path[0])
            if first in (hash_name, range_name):
                raise invalid(errors.filter_on_key(first))
    forward = kwargs.get("ScanIndexForward", True)
    part = store.partition(wanted.hash_value)
    keys = part.keys if part is not None else []
    start, stop = wanted.slice(keys)
    esk = kwargs.get("ExclusiveStartKey")
    if esk is not None:
        position = _start_position(table, esk, index, wanted.hash_value)
        if forward:
            start = max(start, bisect_right(keys, position))
        else:
            stop = min(stop, bisect_left(keys, position))
    order = range(start, stop) if forward else range(stop - 1, start - 1, -1)
    return _page(table, kwargs, parsed, names, values, index, [part] if part else [],
                 ((part, keys[i]) for i in order))


def _start_position(table, esk, index, hash_value):
    """The sort tuple an ExclusiveStartKey names, to continue after it."""
    esk = normalize(esk)
    try:
        if index is None:
            if esk[table.hash_name] != hash_value and hash_value is not None:
                raise invalid(errors.BAD_START_KEY)
            return table.sort_tuple(esk)
        key = index.key_of(esk)
    except KeyError:
        key = None
    if key is None:
        raise invalid(errors.BAD_START_KEY)
    return key[1]


def scan(table, kwargs):
    _common_checks(kwargs)
    store, hash_name, _, index = _source(table, kwargs)
    parsed, names, values = prepare(kwargs, ("FilterExpression", "ProjectionExpression"))
    segment, total = kwargs.get("Segment"), kwargs.get("TotalSegments")
    if (segment is None) != (total is None):
        raise invalid(errors.SEGMENT_WITHOUT_TOTAL if total is None else errors.TOTAL_WITHOUT_SEGMENT)
    if total is not None and not (1 <= total <= 1000000 and 0 <= segment < total):
        raise invalid(errors.bad_segment(segment, total))
    order = store.in_token_order()
    if total is not None:
        order = [p for p in order if p.token * total // RING_SIZE == segment]
    esk = kwargs.get("ExclusiveStartKey")
    start_part, start_key = 0, None
    if esk is not None:
        esk = normalize(esk)
        owner = esk.get(hash_name, MISSING)
        if owner is MISSING:
            raise invalid(errors.BAD_START_KEY)
        order_keys = [(p.token, hash_bytes(p.hash_value)) for p in order]
        start_part = bisect_left(order_keys, (token(hash_bytes(owner)), hash_bytes(owner)))
        start_key = _start_position(table, esk, index, None) if index else table.sort_tuple(esk)
        if start_part < len(order) and raw(order[start_part].hash_value) != raw(owner):
            start_key = None

    def candidates():
        for i in range(start_part, len(order)):
            part = order[i]
            keys = part.keys
            first = bisect_right(keys, start_key) if (i == start_part and start_key is not None) else 0
            for j in range(first, len(keys)):
                yield part, keys[j]
    return _page(table, kwargs, parsed, names, values, index, [], candidates())


def _page(table, kwargs, parsed, names, values, index, parts, candidates):
    """Walk candidate (partition, sort key) pairs into one page of results."""
    limit = kwargs.get("Limit")
    select = kwargs.get("Select")
    flt = parsed.get("FilterExpression")
    fph = Placeholders(names, values, "FilterExpression")
    projection = parsed.get("ProjectionExpression")
    items, count, examined, size_read = [], 0, 0, 0
    last = None
    touched = set(parts)
    for part, key in candidates:
        item, size = part.items[key]
        if size_read >= PAGE_LIMIT:
            break
        touched.add(part)
        examined += 1
        view = index.projected(item) if index is not None else item
        size_read += item_size(view) if index is not None and view is not item else size
        if flt is None or _eval(flt, view, fph):
            count += 1
            if select != "COUNT":
                items.append(project(view, projection, names))
        last = item
        if limit is not None and examined >= limit:
            break
    else:
        last = None
    if last is not None and size_read < PAGE_LIMIT and limit is not None and examined < limit:
        last = None
    read_units = math.ceil(size_read / READ_UNIT) if size_read else 1
    read_units = read_units * (1.0 if kwargs.get("ConsistentRead", False) else 0.5)
    response = {}
    if select != "COUNT":
        response["Items"] = items
    response["Count"] = count
    response["ScannedCount"] = examined
    if last is not None:
        response["LastEvaluatedKey"] = _key_of(table, last, index)
    return table.respond(response, kwargs, touched, examined, read_units, index=index)


def _key_of(table, item, index=None):
    names = [table.hash_name, table.range_name]
    if index is not None:
        names += [index.hash_name, index.range_name]
    return {n: copy.deepcopy(item[n]) for n in names if n is not None}
