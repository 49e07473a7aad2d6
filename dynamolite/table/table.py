"""A DynamoDB-style table that speaks boto3: keys, items, Query, Scan, indexes.

DynamoDB (2012) kept Dynamo's partitioned, replicated storage and put a
table on top: every item has a *partition key* (hashed onto the ring, section
4.1-4.3 of the Dynamo paper) and optionally a *sort key* (items with the same
partition key are stored together, sorted by it). A Query names one partition
key and walks a slice of its sorted items; a Scan walks every partition.

``resource()`` mirrors ``boto3.resource("dynamodb")`` for what the lessons
use, so code written against it runs unchanged against DynamoDB::

    >>> from boto3.dynamodb.conditions import Key
    >>> db = resource()
    >>> music = db.create_table(TableName="Music",
    ...     KeySchema=[{"AttributeName": "artist", "KeyType": "HASH"},
    ...                {"AttributeName": "song", "KeyType": "RANGE"}],
    ...     AttributeDefinitions=[{"AttributeName": "artist", "AttributeType": "S"},
    ...                           {"AttributeName": "song", "AttributeType": "S"}],
    ...     BillingMode="PAY_PER_REQUEST")
    >>> _ = music.put_item(Item={"artist": "Nina", "song": "Sinnerman", "year": 1965})
    >>> music.get_item(Key={"artist": "Nina", "song": "Sinnerman"})["Item"]["year"]
    Decimal('1965')
    >>> r = music.query(KeyConditionExpression=Key("artist").eq("Nina"))
    >>> r["Count"], r["Dynamolite"]["partitions_touched"]
    (1, 1)

Errors are botocore's ``ClientError`` with DynamoDB's codes and messages
(``ConditionalCheckFailedException``, ``ValidationException``,
``ResourceNotFoundException``), also reachable as
``table.meta.client.exceptions.<Code>``. Each response may carry, under the key
``"Dynamolite"`` (which DynamoDB never uses), what a lesson needs to show:
partitions and nodes touched, items examined, capacity units consumed.

Costs: ``get_item``/``put_item`` are a hash, a ring lookup and a dict access,
plus O(log n) to keep the partition's items sorted; a Query is O(log n + k)
for k items examined; a Scan is O(table size).
"""

import copy
import math
from bisect import bisect_left, bisect_right, insort
from decimal import Decimal, Inexact, Rounded
from hashlib import md5

from boto3.dynamodb.conditions import ConditionBase, ConditionExpressionBuilder
from boto3.dynamodb.types import DYNAMODB_CONTEXT, Binary
from botocore.exceptions import ClientError

from . import expressions as ex
from .expressions import MISSING, ExpressionError
from ..ring import Ring

ITEM_LIMIT = 400 * 1024
"""Largest item, in bytes (names plus values), DynamoDB stores."""
HASH_KEY_LIMIT = 2048
RANGE_KEY_LIMIT = 1024
PAGE_LIMIT = 1024 * 1024
"""A Query or Scan page stops after examining 1 MB of items."""
READ_UNIT = 4096
WRITE_UNIT = 1024
DETAILS = "Dynamolite"
"""Response key holding the lesson-only details (DynamoDB never uses it)."""


# ---------------------------------------------------------------------------
# Errors: botocore ClientError subclasses, like client.exceptions.<Code>
# ---------------------------------------------------------------------------
def _error_class(code):
    return type(code, (ClientError,), {"__module__": __name__, "__doc__":
                f"DynamoDB's {code}, a botocore ``ClientError``."})


class _Exceptions:
    """``client.exceptions``: one ClientError subclass per DynamoDB error code."""

    ClientError = ClientError
    ConditionalCheckFailedException = _error_class("ConditionalCheckFailedException")
    ValidationException = _error_class("ValidationException")
    ResourceNotFoundException = _error_class("ResourceNotFoundException")
    ResourceInUseException = _error_class("ResourceInUseException")


exceptions = _Exceptions()


def client_error(code, message, operation, item=None):
    """A ClientError shaped as botocore builds it from DynamoDB's reply."""
    response = {"Error": {"Message": message, "Code": code},
                "ResponseMetadata": {"HTTPStatusCode": 400, "RetryAttempts": 0}}
    if item is not None:
        response["Item"] = item
    return getattr(exceptions, code)(response, operation)


class _Invalid(Exception):
    """Internal: a ValidationException whose operation name is added on the way out."""


def _invalid(message):
    return _Invalid(message)


# ---------------------------------------------------------------------------
# Values: validate like boto3's serializer, size like DynamoDB
# ---------------------------------------------------------------------------
def normalize(value):
    """Check a value as boto3's TypeSerializer does and return the stored form
    (ints become Decimal, bytes become Binary); a float is refused.

    >>> normalize({"n": 3, "tags": {"a"}})
    {'n': Decimal('3'), 'tags': {'a'}}
    >>> normalize(1.5)
    Traceback (most recent call last):
    ...
    TypeError: Float types are not supported. Use Decimal types instead.
    """
    if isinstance(value, str) or value is None:
        return value
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, Decimal)):
        try:
            number = DYNAMODB_CONTEXT.create_decimal(value)
        except (Inexact, Rounded) as error:
            raise type(error)(*error.args) from None
        if number.is_nan() or number.is_infinite():
            raise TypeError("Infinity and NaN not supported")
        return number
    if isinstance(value, float):
        raise TypeError("Float types are not supported. Use Decimal types instead.")
    if isinstance(value, Binary):
        return value
    if isinstance(value, (bytes, bytearray)):
        return Binary(bytes(value))
    if isinstance(value, dict):
        return {k: normalize(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [normalize(v) for v in value]
    if isinstance(value, (set, frozenset)):
        elements = {normalize(v) for v in value}
        kinds = {ex.type_of(v) for v in elements}
        if len(kinds) > 1 or kinds - {"N", "S", "B"}:
            raise TypeError(f'Unsupported type "{type(value)}" for value "{value}"')
        if not elements:
            raise _invalid("One or more parameter values were invalid: An number set  may not be empty")
        return elements
    raise TypeError(f'Unsupported type "{type(value)}" for value "{value}"')


def value_size(value):
    """Bytes DynamoDB counts for a value (section "Item sizes" of its guide).

    >>> value_size("abc"), value_size(Decimal("12345")), value_size([Decimal(1)])
    (3, 4, 6)
    """
    if isinstance(value, str):
        return len(value.encode())
    if isinstance(value, bool) or value is None:
        return 1
    if isinstance(value, Decimal):
        digits = value.normalize().as_tuple().digits
        return (len(digits) + 1) // 2 + 1
    if isinstance(value, Binary):
        return len(value.value)
    if isinstance(value, (set, frozenset)):
        return sum(value_size(v) for v in value)
    if isinstance(value, list):
        return 3 + sum(1 + value_size(v) for v in value)
    if isinstance(value, dict):
        return 3 + sum(1 + len(k.encode()) + value_size(v) for k, v in value.items())
    return len(str(value))


def item_size(item):
    """Bytes of an item: attribute names plus values."""
    return sum(len(k.encode()) + value_size(v) for k, v in item.items())


def _units(size, unit):
    return max(1, math.ceil(size / unit))


# ---------------------------------------------------------------------------
# Sorted storage
# ---------------------------------------------------------------------------
class Partition:
    """The items of one partition key value, kept sorted by their sort key
    (an *item collection*), plus where it lives on the ring.

    ``keys`` is the sorted list of sort keys (tuples), ``items`` maps each
    sort key to ``(item, size)``.
    """

    __slots__ = ("hash_value", "keys", "items", "token", "node", "vnode")

    def __init__(self, hash_value, token, node, vnode):
        self.hash_value = hash_value
        self.keys, self.items = [], {}
        self.token, self.node, self.vnode = token, node, vnode

    def put(self, key, item, size):
        if key not in self.items:
            insort(self.keys, key)
        self.items[key] = (item, size)

    def remove(self, key):
        if self.items.pop(key, None) is not None:
            del self.keys[bisect_left(self.keys, key)]

    def check(self):
        assert self.keys == sorted(self.keys), "sort keys out of order"
        assert set(self.keys) == set(self.items), "keys and items disagree"
        assert len(set(self.keys)) == len(self.keys), "duplicate sort key"


def _hash_bytes(value):
    if isinstance(value, str):
        return b"S" + value.encode()
    if isinstance(value, Binary):
        return b"B" + value.value
    return b"N" + str(value.normalize()).encode()


def _comparable(value):
    return value.value if isinstance(value, Binary) else value


class _Store:
    """Partitions of a table or of one index, placed on the ring."""

    def __init__(self, ring):
        self.ring = ring
        self.tokens = [t for t, _ in ring.tokens()]
        self.partitions = {}
        self._order = None          # partitions sorted by token, built for Scan

    def partition(self, hash_value, create=False):
        h = _comparable(hash_value)
        part = self.partitions.get(h)
        if part is None and create:
            raw_key = _hash_bytes(hash_value)
            tok = int.from_bytes(md5(raw_key).digest(), "big")
            vnode = bisect_right(self.tokens, tok) % len(self.tokens)
            part = self.partitions[h] = Partition(hash_value, tok, self.ring.lookup(raw_key), vnode)
            self._order = None
        return part

    def drop_if_empty(self, part):
        if not part.items:
            del self.partitions[_comparable(part.hash_value)]
            self._order = None

    def in_token_order(self):
        if self._order is None:
            self._order = sorted(self.partitions.values(),
                                 key=lambda p: (p.token, _hash_bytes(p.hash_value)))
        return self._order

    def __len__(self):
        return sum(len(p.items) for p in self.partitions.values())


class Index:
    """A secondary index: its own partitions, keyed by the index's keys.

    Its sort keys are ``(index sort key, table hash key, table sort key)`` so
    items with equal index keys stay in a stable order. An item lacking an
    index key attribute is absent (the index is *sparse*).
    """

    def __init__(self, spec, kind, table):
        self.name = spec["IndexName"]
        self.kind = kind                        # "GSI" or "LSI"
        self.key_schema = spec["KeySchema"]
        self.hash_name, self.range_name = _key_names(spec["KeySchema"])
        projection = spec.get("Projection", {"ProjectionType": "ALL"})
        self.projection_type = projection.get("ProjectionType", "ALL")
        self.non_key = list(projection.get("NonKeyAttributes", []))
        self.table = table
        self.store = _Store(table.ring)

    def key_of(self, item):
        """(hash value, sort tuple) of an item in this index, or None if absent."""
        h = item.get(self.hash_name, MISSING)
        if h is MISSING:
            return None
        base = self.table.sort_tuple(item)
        hv = _comparable(item[self.table.hash_name])
        if self.range_name is None:
            return h, (hv, *base)
        r = item.get(self.range_name, MISSING)
        if r is MISSING:
            return None
        return h, (_comparable(r), hv, *base)

    def projected(self, item):
        if self.projection_type == "ALL":
            return item
        keep = {self.table.hash_name, self.table.range_name, self.hash_name, self.range_name}
        if self.projection_type == "INCLUDE":
            keep.update(self.non_key)
        return {k: v for k, v in item.items() if k in keep}

    def add(self, item, size):
        key = self.key_of(item)
        if key is not None:
            self.store.partition(key[0], create=True).put(key[1], item, size)
        return key

    def remove(self, item):
        key = self.key_of(item)
        if key is not None:
            part = self.store.partition(key[0])
            part.remove(key[1])
            self.store.drop_if_empty(part)
        return key


def _key_names(key_schema):
    hash_name = range_name = None
    for element in key_schema:
        if element["KeyType"] == "HASH":
            hash_name = element["AttributeName"]
        elif element["KeyType"] == "RANGE":
            range_name = element["AttributeName"]
    return hash_name, range_name


# ---------------------------------------------------------------------------
# The resource and the table
# ---------------------------------------------------------------------------
class _Meta:
    def __init__(self, client, data=None):
        self.client = client
        self.data = data


class Client:
    """The bit of ``boto3.client("dynamodb")`` lessons touch: ``exceptions``,
    ``list_tables``, ``describe_table``."""

    def __init__(self, resource):
        self._resource = resource
        self.exceptions = exceptions

    def list_tables(self):
        return {"TableNames": sorted(self._resource._tables), "ResponseMetadata": _ok()}

    def describe_table(self, TableName):
        return {"Table": self._resource._get(TableName, "DescribeTable").description(),
                "ResponseMetadata": _ok()}


def _ok():
    return {"HTTPStatusCode": 200, "RetryAttempts": 0}


class _TableCollection:
    def __init__(self, resource):
        self._resource = resource

    def all(self):
        return iter([self._resource._tables[n] for n in sorted(self._resource._tables)])


class Resource:
    """A local stand-in for ``boto3.resource("dynamodb")``: the tables of one account.

    ``nodes`` and ``vnodes`` shape the ring the tables' partitions live on.
    """

    def __init__(self, nodes=("node-A", "node-B", "node-C", "node-D"), vnodes=8):
        self.ring = Ring(list(nodes), vnodes=vnodes)
        self._tables = {}
        self.meta = _Meta(Client(self))
        self.tables = _TableCollection(self)

    def create_table(self, TableName, KeySchema, AttributeDefinitions,
                     GlobalSecondaryIndexes=(), LocalSecondaryIndexes=(), **options):
        """Create a table; arguments as ``boto3.resource("dynamodb").create_table``."""
        try:
            if TableName in self._tables:
                raise client_error("ResourceInUseException",
                                   f"Table already exists: {TableName}", "CreateTable")
            table = Table(TableName, self, KeySchema, AttributeDefinitions,
                          GlobalSecondaryIndexes or (), LocalSecondaryIndexes or (), options)
        except _Invalid as error:
            raise client_error("ValidationException", str(error), "CreateTable") from None
        self._tables[TableName] = table
        return table

    def Table(self, name):
        """A handle on table ``name`` (like boto3, no check until it is used)."""
        if name in self._tables:
            return self._tables[name]
        return _MissingTable(name, self)

    def _get(self, name, operation):
        table = self._tables.get(name)
        if table is None:
            raise client_error("ResourceNotFoundException", "Requested resource not found", operation)
        return table


def resource(nodes=("node-A", "node-B", "node-C", "node-D"), vnodes=8, **ignored):
    """A fresh local DynamoDB: ``resource()`` where boto3 has ``boto3.resource("dynamodb")``.

    Keyword arguments boto3 takes (``region_name``, ``endpoint_url``...) are
    accepted and ignored, so the one line is all that changes.
    """
    return Resource(nodes, vnodes)


class _MissingTable:
    """What ``Table(name)`` returns for a table that does not exist (yet)."""

    def __init__(self, name, resource):
        self.name, self._resource = name, resource
        self.meta = _Meta(resource.meta.client)

    def __getattr__(self, attr):
        table = self._resource._tables.get(self.name)
        if table is not None:
            return getattr(table, attr)
        if attr.startswith("_"):
            raise AttributeError(attr)

        def missing(*args, **kwargs):
            raise client_error("ResourceNotFoundException", "Requested resource not found",
                               "".join(w.capitalize() for w in attr.split("_")))
        return missing


_BUILDER = ConditionExpressionBuilder()


class Table:
    """A DynamoDB table: ``put_item``, ``get_item``, ``update_item``, ``delete_item``,
    ``query``, ``scan``, ``batch_writer``, as boto3's Table resource has them."""

    def __init__(self, name, resource, key_schema, attribute_definitions, gsis, lsis, options):
        self.name = self.table_name = name
        self._resource = resource
        self.ring = resource.ring
        self.meta = _Meta(resource.meta.client)
        self.key_schema = list(key_schema)
        self.attribute_definitions = list(attribute_definitions)
        self.types = {a["AttributeName"]: a["AttributeType"] for a in attribute_definitions}
        self.hash_name, self.range_name = _key_names(key_schema)
        if self.hash_name is None:
            raise _invalid("1 validation error detected: Invalid KeySchema: Some index key "
                           "attribute have no definition")
        specs = [(s, "GSI") for s in gsis] + [(s, "LSI") for s in lsis]
        for schema in [key_schema] + [s["KeySchema"] for s, _ in specs]:
            for element in schema:
                if self.types.get(element["AttributeName"]) not in ("S", "N", "B"):
                    raise _invalid("One or more parameter values were invalid: Some index key "
                                   "attributes are not defined in AttributeDefinitions. Keys: "
                                   f"[{element['AttributeName']}], AttributeDefinitions: "
                                   f"[{', '.join(self.types)}]")
        used = sorted({e["AttributeName"] for schema in [key_schema] + [s["KeySchema"] for s, _ in specs]
                       for e in schema})
        defined = sorted(a["AttributeName"] for a in attribute_definitions)
        if len(defined) > len(used):           # key attributes only, each declared once
            raise _invalid("One or more parameter values were invalid: " + (
                f"Some AttributeDefinitions are not used. AttributeDefinitions: "
                f"[{', '.join(defined)}], keys used: [{', '.join(used)}]" if specs else
                "Number of attributes in KeySchema does not exactly match number of attributes "
                "defined in AttributeDefinitions"))
        self.options = options
        self.store = _Store(self.ring)
        self.indexes = {}
        for spec, kind in specs:
            index = Index(spec, kind, self)
            if kind == "LSI" and index.hash_name != self.hash_name:
                raise _invalid("One or more parameter values were invalid: Index KeySchema does "
                               "not have the same leading hash key as table KeySchema for index: "
                               f"{index.name}. index hash key: {index.hash_name}, table hash key: "
                               f"{self.hash_name}")
            self.indexes[index.name] = index
        self.table_status = "ACTIVE"

    # -- boto3 Table attributes ------------------------------------------
    def __repr__(self):
        return f"dynamodb.Table(name={self.name!r})"

    @property
    def item_count(self):
        return len(self.store)

    @property
    def global_secondary_indexes(self):
        return [{"IndexName": i.name, "KeySchema": i.key_schema} for i in self.indexes.values()
                if i.kind == "GSI"] or None

    def description(self):
        return {"TableName": self.name, "KeySchema": self.key_schema, "TableStatus": "ACTIVE",
                "AttributeDefinitions": self.attribute_definitions, "ItemCount": self.item_count}

    def load(self):
        return None

    reload = load

    def wait_until_exists(self):
        return None

    def wait_until_not_exists(self):
        return None

    def delete(self):
        self._resource._tables.pop(self.name, None)
        self.table_status = "DELETING"
        return {"TableDescription": self.description(), "ResponseMetadata": _ok()}

    # -- keys -------------------------------------------------------------
    def sort_tuple(self, item):
        if self.range_name is None:
            return ()
        return (_comparable(item[self.range_name]),)

    def _check_key_value(self, name, value, where):
        expected = self.types[name]
        actual = ex.type_of(value)
        if actual != expected:
            raise _invalid(f"One or more parameter values were invalid: Type mismatch for key "
                           f"{name} expected: {expected} actual: {actual}")
        if expected == "S" and value == "" or expected == "B" and raw_len(value) == 0:
            raise _invalid("One or more parameter values are not valid. The AttributeValue for a "
                           f"key attribute cannot contain an empty {'string' if expected == 'S' else 'binary'} value. Key: {name}")

    def _key(self, key, where="Key"):
        """Validate a Key argument; return (hash value, sort tuple)."""
        if not isinstance(key, dict):
            raise _invalid("The provided key element does not match the schema")
        names = {self.hash_name} if self.range_name is None else {self.hash_name, self.range_name}
        if set(key) != names:
            raise _invalid("The provided key element does not match the schema")
        key = normalize(key)
        for name in names:
            if ex.type_of(key[name]) != self.types[name]:
                raise _invalid("The provided key element does not match the schema")
        return key[self.hash_name], self.sort_tuple(key)

    def _check_item(self, item):
        """Validate a whole item before it is stored: keys, types, limits."""
        for name in (self.hash_name, self.range_name):
            if name is not None:
                if name not in item:
                    raise _invalid(f"One or more parameter values were invalid: Missing the key "
                                   f"{name} in the item")
                self._check_key_value(name, item[name], "item")
        for index in self.indexes.values():
            for name in (index.hash_name, index.range_name):
                if name is not None and name in item:
                    if ex.type_of(item[name]) != self.types[name]:
                        raise _invalid(
                            "One or more parameter values were invalid: Type mismatch for Index "
                            f"Key {name} Expected: {self.types[name]} Actual: "
                            f"{ex.type_of(item[name])} IndexName: {index.name}")
        h = item[self.hash_name]
        if len(_comparable(h).encode() if isinstance(h, str) else _hash_bytes(h)) > HASH_KEY_LIMIT:
            raise _invalid("One or more parameter values were invalid: Size of hashkey has "
                           f"exceeded the maximum size limit of{HASH_KEY_LIMIT} bytes")
        if self.range_name is not None:
            r = item[self.range_name]
            if value_size(r) > RANGE_KEY_LIMIT:
                raise _invalid("One or more parameter values were invalid: Aggregated size of all "
                               f"range keys has exceeded the size limit of {RANGE_KEY_LIMIT} bytes")
        size = item_size(item)
        if size > ITEM_LIMIT:
            raise _invalid("Item size has exceeded the maximum allowed size")
        return size

    def _find(self, hash_value, sort):
        part = self.store.partition(hash_value)
        if part is None:
            return None, None, 0
        found = part.items.get(sort)
        if found is None:
            return part, None, 0
        return part, found[0], found[1]

    # -- writing (one place, so indexes and partitions never disagree) ----
    def _write(self, hash_value, sort, old, new, new_size):
        """Replace ``old`` (or nothing) by ``new`` (or nothing); return index write units."""
        units = 0
        for index in self.indexes.values():
            before = index.remove(old) if old is not None else None
            after = index.add(new, new_size) if new is not None else None
            if before is not None and after is not None and before == after:
                units += _units(item_size(index.projected(new)), WRITE_UNIT)
            else:
                if before is not None:
                    units += _units(item_size(index.projected(old)), WRITE_UNIT)
                if after is not None:
                    units += _units(item_size(index.projected(new)), WRITE_UNIT)
        if new is None:
            part = self.store.partition(hash_value)
            part.remove(sort)
            self.store.drop_if_empty(part)
        else:
            self.store.partition(hash_value, create=True).put(sort, new, new_size)
        return units

    # -- requests ---------------------------------------------------------
    def _request(self, operation, kwargs, allowed):
        unknown = set(kwargs) - allowed
        if unknown:
            from botocore.exceptions import ParamValidationError
            raise ParamValidationError(report="Unknown parameter in input: "
                                       f"\"{sorted(unknown)[0]}\", must be one of: {', '.join(sorted(allowed))}")
        if "TableName" in kwargs:
            raise TypeError(f"{operation}() got an unexpected keyword argument 'TableName'")

    def _expressions(self, kwargs, fields, key_field=None):
        """Turn boto3 condition objects into strings (as boto3 does); collect names/values."""
        names = dict(kwargs.get("ExpressionAttributeNames") or {})
        values = dict(kwargs.get("ExpressionAttributeValues") or {})
        parsed = {}
        builder = None
        for field in fields:
            expression = kwargs.get(field)
            if expression is None:
                continue
            if isinstance(expression, ConditionBase):
                builder = builder or ConditionExpressionBuilder()
                expression = ex.from_boto3(expression, builder, names, values,
                                           is_key_condition=(field == key_field))
            elif not isinstance(expression, str):
                raise TypeError(f"{field} must be a string or a boto3 condition, got {expression!r}")
            if field == "ProjectionExpression":
                parsed[field] = ex.parse_projection(expression)
            elif field == "UpdateExpression":
                parsed[field] = ex.parse_update(expression)
            else:
                parsed[field] = ex.parse_condition(expression, field)
        values = {k: normalize(v) for k, v in values.items()}
        used_names, used_values = set(), set()
        for tree in parsed.values():
            ex.placeholders(tree, used_names, used_values)
        if set(names) - used_names:
            raise _invalid("Value provided in ExpressionAttributeNames unused in expressions: "
                           f"keys: {{{', '.join(sorted(set(names) - used_names))}}}")
        if set(values) - used_values:
            raise _invalid("Value provided in ExpressionAttributeValues unused in expressions: "
                           f"keys: {{{', '.join(sorted(set(values) - used_values))}}}")
        if "ExpressionAttributeValues" in kwargs and not kwargs["ExpressionAttributeValues"]:
            raise _invalid("ExpressionAttributeValues must not be empty")
        for placeholder in used_values - set(values):
            raise _invalid(f"Invalid {self._field_of(parsed, placeholder)}: An expression attribute "
                           f"value used in expression is not defined; attribute value: {placeholder}")
        for placeholder in used_names - set(names):
            raise _invalid(f"Invalid {self._field_of(parsed, placeholder)}: An expression attribute "
                           f"name used in the document path is not defined; attribute name: {placeholder}")
        return parsed, names, values

    @staticmethod
    def _field_of(parsed, placeholder):
        for field, tree in parsed.items():
            n, v = set(), set()
            ex.placeholders(tree, n, v)
            if placeholder in n | v:
                return field
        return "Expression"

    def _run(self, operation, method, kwargs):
        try:
            return method(**kwargs)
        except _Invalid as error:
            raise client_error("ValidationException", str(error), operation) from None
        except ExpressionError as error:
            raise client_error("ValidationException", str(error), operation) from None

    def _consumed(self, kwargs, units, index_units=None, index_name=None, index_kind="GSI"):
        mode = kwargs.get("ReturnConsumedCapacity", "NONE")
        if mode not in ("INDEXES", "TOTAL"):
            return None
        total = units + (index_units or 0)
        out = {"TableName": self.name, "CapacityUnits": total}
        if mode == "INDEXES":
            if index_name:
                out["Table"] = {"CapacityUnits": 0.0}
                key = "GlobalSecondaryIndexes" if index_kind == "GSI" else "LocalSecondaryIndexes"
                out[key] = {index_name: {"CapacityUnits": units}}
            else:
                out["Table"] = {"CapacityUnits": units}
        return out

    def _details(self, parts, examined, read_units=0.0, write_units=0.0):
        parts = list(parts)
        return {"partitions_touched": len({(p.vnode) for p in parts}) if parts else 0,
                "nodes_touched": sorted({p.node for p in parts}),
                "items_examined": examined,
                "read_units": read_units, "write_units": write_units}

    # -- put / get / delete -----------------------------------------------
    _PUT = {"Item", "ConditionExpression", "ExpressionAttributeNames", "ExpressionAttributeValues",
            "ReturnValues", "ReturnConsumedCapacity", "ReturnItemCollectionMetrics",
            "ReturnValuesOnConditionCheckFailure", "Expected", "ConditionalOperator"}

    def put_item(self, **kwargs):
        """Store ``Item``, replacing any item with the same key (conditionally)."""
        self._request("put_item", kwargs, self._PUT)
        return self._run("PutItem", self._put, kwargs)

    def _put(self, Item, **kwargs):
        item = normalize(Item)
        if not isinstance(item, dict):
            raise TypeError("Item must be a dict")
        size = self._check_item(item)
        returns = kwargs.get("ReturnValues", "NONE")
        if returns not in ("NONE", "ALL_OLD"):
            raise _invalid("ReturnValues can only be ALL_OLD or NONE")
        hash_value, sort = item[self.hash_name], self.sort_tuple(item)
        part, old, old_size = self._find(hash_value, sort)
        units = _units(max(size, old_size), WRITE_UNIT)
        self._condition(kwargs, old, units, "PutItem")
        index_units = self._write(hash_value, sort, old, item, size)
        response = {}
        if returns == "ALL_OLD" and old is not None:
            response["Attributes"] = copy.deepcopy(old)
        consumed = self._consumed(kwargs, units, index_units)
        if consumed:
            response["ConsumedCapacity"] = consumed
        part = part or self.store.partition(hash_value)
        response["ResponseMetadata"] = _ok()
        response[DETAILS] = self._details([part], 1, write_units=units + index_units)
        return response

    def _condition(self, kwargs, old, units, operation):
        """Check ConditionExpression against the current item; raise if it fails."""
        if kwargs.get("ConditionExpression") is None:
            self._expressions(kwargs, ())
            return
        parsed, names, values = self._expressions(kwargs, ("ConditionExpression",))
        self._check_condition(parsed, names, values, old, kwargs, operation)

    @staticmethod
    def _check_condition(parsed, names, values, old, kwargs, operation):
        """Raise ConditionalCheckFailedException unless the parsed condition holds on ``old``."""
        if ex.evaluate(parsed["ConditionExpression"], old or {}, names, values, "ConditionExpression"):
            return
        item = None
        if kwargs.get("ReturnValuesOnConditionCheckFailure") == "ALL_OLD" and old is not None:
            item = copy.deepcopy(old)
        raise client_error("ConditionalCheckFailedException", "The conditional request failed",
                           operation, item)

    _GET = {"Key", "ConsistentRead", "ProjectionExpression", "ExpressionAttributeNames",
            "ReturnConsumedCapacity", "AttributesToGet"}

    def get_item(self, **kwargs):
        """The item with primary key ``Key`` (no "Item" in the response if absent)."""
        self._request("get_item", kwargs, self._GET)
        return self._run("GetItem", self._get, kwargs)

    def _get(self, Key, ConsistentRead=False, **kwargs):
        hash_value, sort = self._key(Key)
        parsed, names, _ = self._expressions(kwargs, ("ProjectionExpression",))
        part, item, size = self._find(hash_value, sort)
        units = _units(size, READ_UNIT) * (1.0 if ConsistentRead else 0.5)
        response = {}
        if item is not None:
            response["Item"] = self._project(item, parsed.get("ProjectionExpression"), names)
        consumed = self._consumed(kwargs, units)
        if consumed:
            response["ConsumedCapacity"] = consumed
        response["ResponseMetadata"] = _ok()
        response[DETAILS] = self._details([part] if part else [], 1 if item else 0, read_units=units)
        return response

    def _project(self, item, paths, names):
        if paths is None:
            return copy.deepcopy(item)
        ctx = ex.Context(names, None, "ProjectionExpression")
        out = {}
        for node in paths:
            path = ctx.path(node[1])
            value = ex.resolve(item, path)
            if value is MISSING:
                continue
            _place(out, item, path)
        return out

    _DELETE = {"Key", "ConditionExpression", "ExpressionAttributeNames",
               "ExpressionAttributeValues", "ReturnValues", "ReturnConsumedCapacity",
               "ReturnItemCollectionMetrics", "ReturnValuesOnConditionCheckFailure",
               "Expected", "ConditionalOperator"}

    def delete_item(self, **kwargs):
        """Delete the item with primary key ``Key`` (conditionally); no error if absent."""
        self._request("delete_item", kwargs, self._DELETE)
        return self._run("DeleteItem", self._delete, kwargs)

    def _delete(self, Key, **kwargs):
        hash_value, sort = self._key(Key)
        returns = kwargs.get("ReturnValues", "NONE")
        if returns not in ("NONE", "ALL_OLD"):
            raise _invalid("Return values set to invalid value")
        part, old, old_size = self._find(hash_value, sort)
        units = _units(old_size, WRITE_UNIT)
        self._condition(kwargs, old, units, "DeleteItem")
        index_units = 0
        if old is not None:
            index_units = self._write(hash_value, sort, old, None, 0)
        response = {}
        if returns == "ALL_OLD" and old is not None:
            response["Attributes"] = old
        consumed = self._consumed(kwargs, units, index_units)
        if consumed:
            response["ConsumedCapacity"] = consumed
        response["ResponseMetadata"] = _ok()
        response[DETAILS] = self._details([part] if part else [], 1 if old else 0,
                                          write_units=units + index_units)
        return response

    # -- update -----------------------------------------------------------
    _UPDATE = {"Key", "UpdateExpression", "ConditionExpression", "ExpressionAttributeNames",
               "ExpressionAttributeValues", "ReturnValues", "ReturnConsumedCapacity",
               "ReturnItemCollectionMetrics", "ReturnValuesOnConditionCheckFailure",
               "AttributeUpdates", "Expected", "ConditionalOperator"}

    def update_item(self, **kwargs):
        """Edit (or create) one item with an UpdateExpression: SET, REMOVE, ADD, DELETE."""
        self._request("update_item", kwargs, self._UPDATE)
        return self._run("UpdateItem", self._update, kwargs)

    def _update(self, Key, UpdateExpression=None, **kwargs):
        hash_value, sort = self._key(Key)
        returns = kwargs.get("ReturnValues", "NONE")
        if returns not in ("NONE", "ALL_OLD", "UPDATED_OLD", "ALL_NEW", "UPDATED_NEW"):
            raise _invalid("Return values set to invalid value")
        if UpdateExpression is None:
            raise _invalid("UpdateExpression is required by dynamolite")
        kwargs = dict(kwargs, UpdateExpression=UpdateExpression)
        fields = ("UpdateExpression", "ConditionExpression")
        parsed, names, values = self._expressions(kwargs, fields)
        actions = parsed["UpdateExpression"]
        part, old, old_size = self._find(hash_value, sort)
        base = old if old is not None else normalize(dict(Key))
        if "ConditionExpression" in parsed:   # the condition is checked before the update runs
            self._check_condition(parsed, names, values, old, kwargs, "UpdateItem")
        new, touched = apply_update(actions, base, ex.Context(names, values, "UpdateExpression"),
                                    {self.hash_name, self.range_name} - {None})
        new_size = self._check_item(new)
        units = _units(max(new_size, old_size), WRITE_UNIT)
        index_units = self._write(hash_value, sort, old, new, new_size)
        response = {}
        if returns == "ALL_OLD" and old is not None:
            response["Attributes"] = copy.deepcopy(old)
        elif returns == "ALL_NEW":
            response["Attributes"] = copy.deepcopy(new)
        elif returns == "UPDATED_OLD" and old is not None:
            got = {k: copy.deepcopy(old[k]) for k in touched if k in old}
            if got:
                response["Attributes"] = got
        elif returns == "UPDATED_NEW":
            got = {k: copy.deepcopy(new[k]) for k in touched if k in new}
            if got:
                response["Attributes"] = got
        consumed = self._consumed(kwargs, units, index_units)
        if consumed:
            response["ConsumedCapacity"] = consumed
        response["ResponseMetadata"] = _ok()
        response[DETAILS] = self._details([self.store.partition(hash_value) or part] if (part or new) else [],
                                          1, write_units=units + index_units)
        return response

    # -- query ------------------------------------------------------------
    _QUERY = {"KeyConditionExpression", "FilterExpression", "IndexName", "ScanIndexForward",
              "Limit", "ExclusiveStartKey", "Select", "ProjectionExpression",
              "ExpressionAttributeNames", "ExpressionAttributeValues", "ConsistentRead",
              "ReturnConsumedCapacity", "AttributesToGet", "KeyConditions", "QueryFilter",
              "ConditionalOperator"}

    def query(self, **kwargs):
        """Items of ONE partition key, in sort-key order, optionally a slice of
        them (KeyConditionExpression), filtered, projected, paginated."""
        self._request("query", kwargs, self._QUERY)
        return self._run("Query", self._query, kwargs)

    def _source(self, kwargs):
        """(store, hash name, range name, index or None) that a read walks."""
        name = kwargs.get("IndexName")
        if name is None:
            return self.store, self.hash_name, self.range_name, None
        index = self.indexes.get(name)
        if index is None:
            raise _invalid(f"The table does not have the specified index: {name}")
        if index.kind == "GSI" and kwargs.get("ConsistentRead"):
            raise _invalid("Consistent reads are not supported on global secondary indexes")
        return index.store, index.hash_name, index.range_name, index

    def _common_read_checks(self, kwargs):
        limit = kwargs.get("Limit")
        if limit is not None and (not isinstance(limit, int) or limit < 1):
            raise _invalid(f"1 validation error detected: Value '{limit}' at 'limit' failed to "
                           "satisfy constraint: Member must have value greater than or equal to 1")
        select = kwargs.get("Select")
        if select not in (None, "ALL_ATTRIBUTES", "ALL_PROJECTED_ATTRIBUTES", "COUNT",
                          "SPECIFIC_ATTRIBUTES"):
            raise _invalid(f"1 validation error detected: Value '{select}' at 'select' failed to "
                           "satisfy constraint: Member must satisfy enum value set: "
                           "[SPECIFIC_ATTRIBUTES, COUNT, ALL_ATTRIBUTES, ALL_PROJECTED_ATTRIBUTES]")
        if select == "SPECIFIC_ATTRIBUTES" and not kwargs.get("ProjectionExpression"):
            raise _invalid("1 validation error detected: SPECIFIC_ATTRIBUTES requires "
                           "a ProjectionExpression")
        if select in ("ALL_ATTRIBUTES", "COUNT") and kwargs.get("ProjectionExpression"):
            raise _invalid("Cannot specify the ProjectionExpression when choosing to get "
                           f"{select}")

    def _query(self, KeyConditionExpression=None, **kwargs):
        if KeyConditionExpression is None:
            raise _invalid("Either the KeyConditions or KeyConditionExpression parameter must "
                           "be specified in the request.")
        self._common_read_checks(kwargs)
        store, hash_name, range_name, index = self._source(kwargs)
        kwargs = dict(kwargs, KeyConditionExpression=KeyConditionExpression)
        parsed, names, values = self._expressions(
            kwargs, ("KeyConditionExpression", "FilterExpression", "ProjectionExpression"),
            key_field="KeyConditionExpression")
        ctx = ex.Context(names, values, "KeyConditionExpression")
        hash_value, lo, hi, lo_open, hi_open, prefix = self._key_condition(
            parsed["KeyConditionExpression"], ctx, hash_name, range_name)
        if "FilterExpression" in parsed:       # a filter may not use the key attributes
            for path in _paths(parsed["FilterExpression"]):
                first = ex.Context(names, values).name(path[0])
                if first in (hash_name, range_name):
                    raise _invalid("Filter Expression can only contain non-primary key "
                                   f"attributes: Primary key attribute: {first}")
        forward = kwargs.get("ScanIndexForward", True)
        part = store.partition(hash_value)
        keys = part.keys if part is not None else []
        # the slice of sort keys that the key condition selects: two binary searches
        if lo is None:
            start = 0
        elif lo_open:
            start = bisect_right(keys, lo, key=_first)
        else:
            start = bisect_left(keys, lo, key=_first)
        if hi is None:
            stop = len(keys)
        elif hi_open:
            stop = bisect_left(keys, hi, key=_first)
        else:
            stop = bisect_right(keys, hi, key=_first)
        if prefix is not None:                 # begins_with: [prefix, next string after it)
            start = bisect_left(keys, prefix, key=_first)
            end = _prefix_end(prefix)
            stop = len(keys) if end is None else bisect_left(keys, end, key=_first)
        esk = kwargs.get("ExclusiveStartKey")
        if esk is not None:
            position = self._start_position(esk, index, hash_name, hash_value)
            if forward:
                start = max(start, bisect_right(keys, position))
            else:
                stop = min(stop, bisect_left(keys, position))
        order = range(start, stop) if forward else range(stop - 1, start - 1, -1)
        return self._page(kwargs, parsed, names, values, index, [part] if part else [],
                          ((part, keys[i]) for i in order))

    def _key_condition(self, tree, ctx, hash_name, range_name):
        """Split a key condition into the partition key value and a sort-key range."""
        parts = []

        def flatten(node):
            if node[0] == "and":
                flatten(node[1])
                flatten(node[2])
            elif node[0] in ("cmp", "between", "begins_with"):
                parts.append(node)
            else:
                raise _invalid("Invalid operator used in KeyConditionExpression: "
                               f"{node[0].upper()}")
        flatten(tree)
        named = []
        for node in parts:
            path = node[2] if node[0] == "cmp" else node[1]
            if path[0] != "path" or len(path[1]) != 1:
                raise _invalid("Invalid KeyConditionExpression: key conditions must name a key "
                               "attribute")
            named.append(ctx.name(path[1][0]))
        # checked in DynamoDB's order: the partition key first, then unknown attributes
        if hash_name not in named:
            raise _invalid(f"Query condition missed key schema element: {hash_name}")
        if set(named) - {hash_name, range_name}:
            if range_name is not None and range_name not in named:
                raise _invalid(f"Query condition missed key schema element: {range_name}")
            raise _invalid("Query key condition not supported")
        hash_value = MISSING
        lo = hi = prefix = None
        lo_open = hi_open = False
        seen_range = False
        for node in parts:
            path = node[2] if node[0] == "cmp" else node[1]
            if path[0] != "path" or len(path[1]) != 1:
                raise _invalid("Invalid KeyConditionExpression: key conditions must name a key "
                               "attribute")
            name = ctx.name(path[1][0])
            if node[0] == "cmp" and node[3][0] != "value":
                raise _invalid("Invalid KeyConditionExpression: the right side of a key "
                               "condition must be an :value")
            if name == hash_name:
                if node[0] != "cmp" or node[1] != "=":
                    raise _invalid("Query key condition not supported")
                if hash_value is not MISSING:
                    raise _invalid("KeyConditionExpressions must only contain one condition per key")
                hash_value = ctx.value(node[3][1])
                self._key_type(hash_name, hash_value)
                continue
            if name != range_name:
                raise _invalid("Query condition missed key schema element" if range_name is None
                               else f"Query condition missed key schema element: {range_name}")
            if seen_range:
                raise _invalid("KeyConditionExpressions must only contain one condition per key")
            seen_range = True
            if node[0] == "cmp":
                op, v = node[1], ctx.value(node[3][1])
                self._key_type(name, v)
                v = _comparable(v)
                if op == "<>":
                    raise _invalid("Unsupported operator on KeyConditionExpression: operator: <>")
                if op in ("=", ">", ">="):
                    lo, lo_open = v, op == ">"
                if op in ("=", "<", "<="):
                    hi, hi_open = v, op == "<"
            elif node[0] == "between":
                a, b = ctx.value(node[2][1]), ctx.value(node[3][1])
                self._key_type(name, a)
                self._key_type(name, b)
                ex.check_between(a, b, ctx)
                lo, hi = _comparable(a), _comparable(b)
            else:
                v = ctx.value(node[2][1])
                if self.types[name] == "N":
                    raise _invalid("Invalid KeyConditionExpression: Incorrect operand type for "
                                   "operator or function; operator or function: begins_with, "
                                   "operand type: N")
                self._key_type(name, v)
                prefix = _comparable(v)
        if hash_value is MISSING:
            raise _invalid(f"Query condition missed key schema element: {hash_name}")
        return hash_value, lo, hi, lo_open, hi_open, prefix

    def _key_type(self, name, value):
        if ex.type_of(value) != self.types[name]:
            raise _invalid("One or more parameter values were invalid: Condition parameter type "
                           "does not match schema type")

    def _start_position(self, esk, index, hash_name, hash_value):
        esk = normalize(esk)
        try:
            if index is None:
                if esk[self.hash_name] != hash_value and hash_value is not None:
                    raise _invalid("The provided starting key is invalid: The provided key element "
                                   "does not match the schema")
                return self.sort_tuple(esk)
            key = index.key_of(esk)
        except KeyError:
            key = None
        if key is None:
            raise _invalid("The provided starting key is invalid: The provided key element does "
                           "not match the schema")
        return key[1]

    def _page(self, kwargs, parsed, names, values, index, parts, candidates):
        """Walk candidate (partition, sort key) pairs into one page of results."""
        limit = kwargs.get("Limit")
        select = kwargs.get("Select")
        flt = parsed.get("FilterExpression")
        fctx = ex.Context(names, values, "FilterExpression")
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
            if flt is None or ex._eval(flt, view, fctx):
                count += 1
                if select != "COUNT":
                    items.append(self._project(view, projection, names))
            last = item
            if limit is not None and examined >= limit:
                break
        else:
            last = None
        if last is not None and size_read < PAGE_LIMIT and limit is not None and examined < limit:
            last = None
        consistent = kwargs.get("ConsistentRead", False)
        units = math.ceil(size_read / READ_UNIT) if size_read else 1
        units = units * (1.0 if consistent else 0.5)
        response = {}
        if select != "COUNT":
            response["Items"] = items
        response["Count"] = count
        response["ScannedCount"] = examined
        if last is not None:
            response["LastEvaluatedKey"] = self._key_of(last, index)
        consumed = self._consumed(kwargs, units, None, index.name if index else None,
                                  index.kind if index else "GSI")
        if consumed:
            response["ConsumedCapacity"] = consumed
        response["ResponseMetadata"] = _ok()
        response[DETAILS] = self._details(touched, examined, read_units=units)
        return response

    def _key_of(self, item, index=None):
        names = [self.hash_name, self.range_name]
        if index is not None:
            names += [index.hash_name, index.range_name]
        return {n: copy.deepcopy(item[n]) for n in names if n is not None}

    # -- scan -------------------------------------------------------------
    _SCAN = {"FilterExpression", "IndexName", "Limit", "ExclusiveStartKey", "Select",
             "ProjectionExpression", "ExpressionAttributeNames", "ExpressionAttributeValues",
             "ConsistentRead", "ReturnConsumedCapacity", "Segment", "TotalSegments",
             "AttributesToGet", "ScanFilter", "ConditionalOperator"}

    def scan(self, **kwargs):
        """Every item of the table (or index), partition by partition, filtered
        after reading: the cost is the table's size, whatever the filter keeps."""
        self._request("scan", kwargs, self._SCAN)
        return self._run("Scan", self._scan, kwargs)

    def _scan(self, **kwargs):
        self._common_read_checks(kwargs)
        store, hash_name, range_name, index = self._source(kwargs)
        parsed, names, values = self._expressions(kwargs, ("FilterExpression", "ProjectionExpression"))
        segment, total = kwargs.get("Segment"), kwargs.get("TotalSegments")
        if (segment is None) != (total is None):
            raise _invalid("The TotalSegments parameter is required but was not present in the "
                           "request when Segment parameter is present" if total is None else
                           "The Segment parameter is required but was not present in the request "
                           "when parameter TotalSegments is present")
        if total is not None and not (1 <= total <= 1000000 and 0 <= segment < total):
            raise _invalid(f"The Segment parameter is zero-based and must be less than parameter "
                           f"TotalSegments: Segment: {segment} is not less than TotalSegments: {total}")
        order = store.in_token_order()
        if total is not None:
            from ..ring import RING_SIZE
            order = [p for p in order if p.token * total // RING_SIZE == segment]
        esk = kwargs.get("ExclusiveStartKey")
        start_part, start_key = 0, None
        if esk is not None:
            esk = normalize(esk)
            owner = esk.get(hash_name, MISSING)
            if owner is MISSING:
                raise _invalid("The provided starting key is invalid: The provided key element "
                               "does not match the schema")
            tok = int.from_bytes(md5(_hash_bytes(owner)).digest(), "big")
            order_keys = [(p.token, _hash_bytes(p.hash_value)) for p in order]
            start_part = bisect_left(order_keys, (tok, _hash_bytes(owner)))
            start_key = self._start_position(esk, index, hash_name, None) if index else self.sort_tuple(esk)
            if start_part < len(order) and _comparable(order[start_part].hash_value) != _comparable(owner):
                start_key = None

        def candidates():
            for i in range(start_part, len(order)):
                part = order[i]
                keys = part.keys
                first = bisect_right(keys, start_key) if (i == start_part and start_key is not None) else 0
                for j in range(first, len(keys)):
                    yield part, keys[j]
        return self._page(kwargs, parsed, names, values, index, [], candidates())

    # -- batches ----------------------------------------------------------
    def batch_writer(self, overwrite_by_pkeys=None):
        """A context manager buffering puts and deletes, sent 25 at a time (like boto3's)."""
        return BatchWriter(self, overwrite_by_pkeys)

    def check(self):
        """Assert the table's invariants: sorted partitions, indexes equal to a rebuild."""
        items = []
        for h, part in self.store.partitions.items():
            part.check()
            assert part.items, "empty partition kept"
            for key, (item, size) in part.items.items():
                assert _comparable(item[self.hash_name]) == h
                assert self.sort_tuple(item) == key
                assert size == item_size(item), "stale size"
                items.append(item)
        for index in self.indexes.values():
            expected = {}
            for item in items:
                k = index.key_of(item)
                if k is not None:
                    expected[(_comparable(k[0]), k[1])] = item
            got = {}
            for h, part in index.store.partitions.items():
                part.check()
                for key, (item, _) in part.items.items():
                    got[(h, key)] = item
            assert got.keys() == expected.keys(), f"index {index.name} differs from the table"


def raw_len(value):
    return len(_comparable(value))


def _prefix_end(prefix):
    """The smallest string (or bytes) greater than every value starting with ``prefix``.

    >>> _prefix_end("ab"), _prefix_end(bytes([97, 255]))
    ('ac', b'b')
    """
    if isinstance(prefix, str):
        while prefix and ord(prefix[-1]) == 0x10FFFF:
            prefix = prefix[:-1]
        return prefix[:-1] + chr(ord(prefix[-1]) + 1) if prefix else None
    prefix = bytes(prefix).rstrip(b"\xff")
    return prefix[:-1] + bytes([prefix[-1] + 1]) if prefix else None


def _first(key):
    return key[0]


def _paths(tree):
    """Every document path a condition tree reads."""
    if isinstance(tree, tuple) and tree:
        if tree[0] == "path":
            yield tree[1]
            return
        for part in tree[1:]:
            if isinstance(part, tuple):
                yield from _paths(part)


def _place(out, item, path):
    """Copy the value at ``path`` of ``item`` into ``out`` (projection)."""
    src, dst = item, out
    for i, part in enumerate(path):
        last = i == len(path) - 1
        if isinstance(part, int):
            src = src[part]
            if last:
                dst.append(copy.deepcopy(src))
            else:
                nxt = {} if isinstance(src, dict) else []
                dst.append(nxt)
                dst = nxt
        else:
            src = src[part]
            if last:
                dst[part] = copy.deepcopy(src)
            else:
                if part not in dst:
                    dst[part] = {} if isinstance(src, dict) else []
                dst = dst[part]


# ---------------------------------------------------------------------------
# Update expressions
# ---------------------------------------------------------------------------
def _incorrect(operator, value):
    return ExpressionError("Invalid UpdateExpression: Incorrect operand type for operator or "
                           f"function; operator or function: {operator}, operand type: "
                           f"{ex.type_of(value)}")


def _set_value(node, item, ctx):
    kind = node[0]
    if kind == "value":
        return ctx.value(node[1])
    if kind == "path":
        value = ex.resolve(item, ctx.path(node[1]))
        if value is MISSING:
            raise ExpressionError("The provided expression refers to an attribute that does not "
                                  "exist in the item")
        return value
    if kind == "if_not_exists":
        value = ex.resolve(item, ctx.path(node[1][1]))
        return _set_value(node[2], item, ctx) if value is MISSING else value
    if kind == "list_append":
        a, b = _set_value(node[1], item, ctx), _set_value(node[2], item, ctx)
        for v in (a, b):
            if not isinstance(v, list):
                raise _incorrect("list_append", v)
        return list(a) + list(b)
    if kind == "arith":
        a, b = _set_value(node[2], item, ctx), _set_value(node[3], item, ctx)
        for v in (a, b):
            if ex.type_of(v) != "N":
                raise _incorrect(node[1], v)
        return normalize(a + b if node[1] == "+" else a - b)
    raise ExpressionError(f"Invalid UpdateExpression: unexpected {kind}")


def _assign(item, path, value):
    parent = ex.resolve(item, path[:-1]) if len(path) > 1 else item
    last = path[-1]
    if isinstance(last, int):
        if not isinstance(parent, list):
            raise ExpressionError("The document path provided in the update expression is invalid "
                                  "for update")
        if last >= len(parent):
            parent.append(value)
        else:
            parent[last] = value
    else:
        if not isinstance(parent, dict):
            raise ExpressionError("The document path provided in the update expression is invalid "
                                  "for update")
        parent[last] = value


def apply_update(actions, item, ctx, key_names):
    """Return (new item, top-level names touched); ``item`` is left unchanged.

    Every right-hand side is computed from the item as it was before the
    update, as DynamoDB does; nothing is written if any action fails.
    """
    new = copy.deepcopy(item)
    touched, paths = [], []
    for clause, entries in actions.items():
        for path_node, _ in entries:
            path = ctx.path(path_node[1])
            if path[0] in key_names:
                raise ExpressionError("One or more parameter values were invalid: Cannot update "
                                      f"attribute {path[0]}. This attribute is part of the key")
            for other in paths:
                shorter = min(len(other), len(path))
                if other[:shorter] == path[:shorter]:
                    raise ExpressionError(
                        "Invalid UpdateExpression: Two document paths overlap with each other; "
                        "must remove or rewrite one of these paths; path one: "
                        f"[{', '.join(map(str, other))}], path two: [{', '.join(map(str, path))}]")
            paths.append(path)
            if path[0] not in touched:
                touched.append(path[0])
    # compute every value from the old item first
    planned = []
    for path_node, value_node in actions["SET"]:
        planned.append(("SET", ctx.path(path_node[1]), normalize(_set_value(value_node, item, ctx))))
    for clause in ("ADD", "DELETE"):
        for path_node, value_node in actions[clause]:
            path = ctx.path(path_node[1])
            operand = ctx.value(value_node[1])
            current = ex.resolve(item, path)
            t = ex.type_of(operand)
            if clause == "ADD":
                if t == "N":
                    if current is not MISSING and ex.type_of(current) != "N":
                        raise ExpressionError("An operand in the update expression has an "
                                              "incorrect data type")
                    result = normalize(operand + (current if current is not MISSING else 0))
                elif t in ("SS", "NS", "BS"):
                    if current is not MISSING and ex.type_of(current) != t:
                        raise ExpressionError("An operand in the update expression has an "
                                              "incorrect data type")
                    result = set(current if current is not MISSING else ()) | operand
                else:
                    raise _incorrect("ADD", operand)
            else:
                if t not in ("SS", "NS", "BS"):
                    raise _incorrect("DELETE", operand)
                if current is MISSING:
                    continue
                if ex.type_of(current) != t:
                    raise ExpressionError("An operand in the update expression has an "
                                          "incorrect data type")
                result = set(current) - operand
                if not result:
                    planned.append(("REMOVE", path, None))
                    continue
            planned.append(("SET", path, result))
    removals = [ctx.path(p[1]) for p, _ in actions["REMOVE"]]
    for clause, path, value in planned:
        if clause == "SET":
            _assign(new, path, value)
        else:
            removals.append(path)
    # remove list elements from the highest index down so indexes stay valid
    for path in sorted(removals, key=lambda p: [(0, x) if isinstance(x, str) else (1, -x) for x in p]):
        parent = ex.resolve(new, path[:-1]) if len(path) > 1 else new
        last = path[-1]
        if isinstance(last, int):
            if isinstance(parent, list) and last < len(parent):
                del parent[last]
        elif isinstance(parent, dict):
            parent.pop(last, None)
    return new, touched


# ---------------------------------------------------------------------------
# batch_writer
# ---------------------------------------------------------------------------
class BatchWriter:
    """Buffer puts and deletes; flush every 25 and on leaving the ``with`` block."""

    def __init__(self, table, overwrite_by_pkeys=None, flush_amount=25):
        self.table = table
        self.flush_amount = flush_amount
        self.overwrite_by_pkeys = overwrite_by_pkeys
        self.buffer = []

    def _dedupe(self, key):
        if self.overwrite_by_pkeys:
            key_values = [key.get(k) for k in self.overwrite_by_pkeys]
            self.buffer = [(op, arg) for op, arg in self.buffer
                           if [arg.get(k) for k in self.overwrite_by_pkeys] != key_values]

    def put_item(self, Item):
        normalize(Item)            # refuse floats now, as boto3's serializer does
        self._dedupe(Item)
        self.buffer.append(("put", Item))
        if len(self.buffer) >= self.flush_amount:
            self._flush()

    def delete_item(self, Key):
        self._dedupe(Key)
        self.buffer.append(("delete", Key))
        if len(self.buffer) >= self.flush_amount:
            self._flush()

    def _flush(self):
        batch, self.buffer = self.buffer, []
        for op, arg in batch:
            if op == "put":
                self.table.put_item(Item=arg)
            else:
                self.table.delete_item(Key=arg)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self._flush()
        return False
