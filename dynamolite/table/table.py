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

The work is done elsewhere, one concern a module: :mod:`.values` (types,
sizes), :mod:`.expressions` (parse, evaluate), :mod:`.keys` (key conditions),
:mod:`.update`, :mod:`.storage` (partitions on the ring, indexes),
:mod:`.items` (put, get, update, delete), :mod:`.reads` (Query, Scan),
:mod:`.batch`; this module holds the resource, the table and the request
plumbing, and :mod:`.errors` every message.

Costs: ``get_item``/``put_item`` are a hash, a ring lookup and a dict access,
plus O(log n) to keep the partition's items sorted; a Query is O(log n + k)
for k items examined; a Scan is O(table size).
"""

from boto3.dynamodb.conditions import ConditionBase, ConditionExpressionBuilder
from botocore.exceptions import ParamValidationError

from . import errors, expressions as ex, items, reads
from .batch import BatchWriter
from .errors import Refused, client_error, exceptions, invalid
from .storage import Index, Partitions, key_names
from .values import (HASH_KEY_LIMIT, ITEM_LIMIT, RANGE_KEY_LIMIT, WRITE_UNIT, hash_bytes,
                     item_size, normalize, raw, type_of, units, value_size)
from ..ring import Ring

DETAILS = "Dynamolite"
"""Response key holding the lesson-only details (DynamoDB never uses it)."""


def _ok():
    return {"HTTPStatusCode": 200, "RetryAttempts": 0}


def run(operation, function, *args):
    """Call ``function(*args)``; a refusal becomes botocore's ClientError. The one place
    where the table's internal :class:`~.errors.Refused` is converted."""
    try:
        return function(*args)
    except Refused as error:
        raise client_error(error.code, error.message, operation, **error.extra) from None


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
        if TableName in self._tables:
            raise client_error("ResourceInUseException", errors.table_exists(TableName), "CreateTable")
        table = run("CreateTable", Table, TableName, self, KeySchema, AttributeDefinitions,
                    GlobalSecondaryIndexes or (), LocalSecondaryIndexes or (), options)
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
            raise client_error("ResourceNotFoundException", errors.NOT_FOUND, operation)
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
            raise client_error("ResourceNotFoundException", errors.NOT_FOUND,
                               "".join(w.capitalize() for w in attr.split("_")))
        return missing


def _check_schema(types, key_schema, attribute_definitions, specs):
    """Refuse a KeySchema naming undefined attributes, or definitions no key uses."""
    schemas = [key_schema] + [s["KeySchema"] for s, _ in specs]
    for schema in schemas:
        for element in schema:
            if types.get(element["AttributeName"]) not in ("S", "N", "B"):
                raise invalid(errors.undefined_key_attribute(element["AttributeName"], types))
    used = sorted({e["AttributeName"] for schema in schemas for e in schema})
    defined = sorted(a["AttributeName"] for a in attribute_definitions)
    if len(defined) > len(used):           # key attributes only, each declared once
        raise invalid(errors.unused_definitions(defined, used, bool(specs)))


_READS = {"ProjectionExpression", "ExpressionAttributeNames", "ConsistentRead",
          "ReturnConsumedCapacity", "AttributesToGet"}
_WRITES = {"ConditionExpression", "ExpressionAttributeNames", "ExpressionAttributeValues",
           "ReturnValues", "ReturnConsumedCapacity", "ReturnItemCollectionMetrics",
           "ReturnValuesOnConditionCheckFailure", "Expected", "ConditionalOperator"}
_PAGES = _READS | {"FilterExpression", "IndexName", "Limit", "ExclusiveStartKey", "Select",
                   "ExpressionAttributeValues", "ConditionalOperator"}


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
        self.hash_name, self.range_name = key_names(key_schema)
        if self.hash_name is None:
            raise invalid(errors.NO_HASH_KEY)
        specs = [(s, "GSI") for s in gsis] + [(s, "LSI") for s in lsis]
        _check_schema(self.types, key_schema, attribute_definitions, specs)
        self.options = options
        self.store = Partitions(self.ring)
        self.indexes = {}
        for spec, kind in specs:
            index = Index(spec, kind, self)
            if kind == "LSI" and index.hash_name != self.hash_name:
                raise invalid(errors.lsi_hash_key(index.name, index.hash_name, self.hash_name))
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

    # -- the data-plane calls, as boto3's Table has them -------------------
    def put_item(self, **kwargs):
        """Store ``Item``, replacing any item with the same key (conditionally)."""
        return self._call("PutItem", items.put, kwargs, _WRITES, ("Item",))

    def get_item(self, **kwargs):
        """The item with primary key ``Key`` (no "Item" in the response if absent)."""
        return self._call("GetItem", items.get, kwargs, _READS, ("Key",))

    def delete_item(self, **kwargs):
        """Delete the item with primary key ``Key`` (conditionally); no error if absent."""
        return self._call("DeleteItem", items.delete, kwargs, _WRITES, ("Key",))

    def update_item(self, **kwargs):
        """Edit (or create) one item with an UpdateExpression: SET, REMOVE, ADD, DELETE."""
        return self._call("UpdateItem", items.update, kwargs,
                          {"UpdateExpression", "AttributeUpdates"} | _WRITES, ("Key",))

    def query(self, **kwargs):
        """Items of ONE partition key, in sort-key order, optionally a slice of
        them (KeyConditionExpression), filtered, projected, paginated."""
        return self._call("Query", reads.query, kwargs,
                          {"KeyConditionExpression", "ScanIndexForward", "KeyConditions",
                           "QueryFilter"} | _PAGES)

    def scan(self, **kwargs):
        """Every item of the table (or index), partition by partition, filtered
        after reading: the cost is the table's size, whatever the filter keeps."""
        return self._call("Scan", reads.scan, kwargs,
                          {"Segment", "TotalSegments", "ScanFilter"} | _PAGES)

    def batch_writer(self, overwrite_by_pkeys=None):
        """A context manager buffering puts and deletes, sent 25 at a time (like boto3's)."""
        return BatchWriter(self, overwrite_by_pkeys)

    # -- request plumbing -------------------------------------------------
    _run = staticmethod(run)

    def _call(self, operation, handler, kwargs, allowed, required=()):
        """Check the parameters as botocore does, then run ``handler(self, kwargs)``."""
        unknown = set(kwargs) - allowed - set(required)
        if unknown:
            raise ParamValidationError(report="Unknown parameter in input: \"{}\", must be one "
                                       "of: {}".format(sorted(unknown)[0], ", ".join(sorted(allowed | set(required)))))
        for name in required:
            if name not in kwargs:
                raise ParamValidationError(report=f'Missing required parameter in input: "{name}"')
        return run(operation, handler, self, kwargs)

    def expressions(self, kwargs, fields, key_field=None):
        """Parse the request's expressions (boto3 condition objects become strings, as
        boto3 does); check its names and values are all used and all defined."""
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
            ex.used_placeholders(tree, used_names, used_values)
        if set(names) - used_names:
            raise invalid(errors.unused_names(set(names) - used_names))
        if set(values) - used_values:
            raise invalid(errors.unused_values(set(values) - used_values))
        if "ExpressionAttributeValues" in kwargs and not kwargs["ExpressionAttributeValues"]:
            raise invalid(errors.EMPTY_VALUES)
        for placeholder in used_values - set(values):
            raise invalid(errors.undefined_value(_field_of(parsed, placeholder), placeholder))
        for placeholder in used_names - set(names):
            raise invalid(errors.undefined_name(_field_of(parsed, placeholder), placeholder))
        return parsed, names, values

    def respond(self, response, kwargs, parts, examined, spent, index_units=0, write=False,
                index=None):
        """Finish a data-plane response: ConsumedCapacity when asked for, the
        metadata, and the lesson's details (partitions, nodes, items, units)."""
        mode = kwargs.get("ReturnConsumedCapacity", "NONE")
        if mode in ("INDEXES", "TOTAL"):
            consumed = {"TableName": self.name, "CapacityUnits": spent + index_units}
            if mode == "INDEXES":
                if index is not None:
                    consumed["Table"] = {"CapacityUnits": 0.0}
                    key = "GlobalSecondaryIndexes" if index.kind == "GSI" else "LocalSecondaryIndexes"
                    consumed[key] = {index.name: {"CapacityUnits": spent}}
                else:
                    consumed["Table"] = {"CapacityUnits": spent}
            response["ConsumedCapacity"] = consumed
        response["ResponseMetadata"] = _ok()
        response[DETAILS] = {"partitions_touched": len({p.vnode for p in parts}),
                             "nodes_touched": sorted({p.node for p in parts}),
                             "items_examined": examined,
                             "read_units": 0.0 if write else spent,
                             "write_units": spent + index_units if write else 0.0}
        return response

    # -- keys and items ---------------------------------------------------
    def sort_tuple(self, item):
        if self.range_name is None:
            return ()
        return (raw(item[self.range_name]),)

    def key(self, key):
        """Validate a Key argument; return (hash value, sort tuple)."""
        names = {self.hash_name} if self.range_name is None else {self.hash_name, self.range_name}
        if not isinstance(key, dict) or set(key) != names:
            raise invalid(errors.key_mismatch())
        key = normalize(key)
        for name in names:
            if type_of(key[name]) != self.types[name]:
                raise invalid(errors.key_mismatch())
        return key[self.hash_name], self.sort_tuple(key)

    def check_item(self, item):
        """Validate a whole item before it is stored (keys, types, limits); return its size."""
        for name in (self.hash_name, self.range_name):
            if name is not None:
                if name not in item:
                    raise invalid(errors.missing_key_in_item(name))
                expected, value = self.types[name], item[name]
                if type_of(value) != expected:
                    raise invalid(errors.key_type_mismatch(name, expected, type_of(value)))
                if expected in ("S", "B") and len(raw(value)) == 0:
                    raise invalid(errors.empty_key_value(name, expected))
        for index in self.indexes.values():
            for name in (index.hash_name, index.range_name):
                if name is not None and name in item and type_of(item[name]) != self.types[name]:
                    raise invalid(errors.index_key_type_mismatch(
                        name, self.types[name], type_of(item[name]), index.name))
        h = item[self.hash_name]
        if len(h.encode() if isinstance(h, str) else hash_bytes(h)) > HASH_KEY_LIMIT:
            raise invalid(errors.hash_key_too_big(HASH_KEY_LIMIT))
        if self.range_name is not None and value_size(item[self.range_name]) > RANGE_KEY_LIMIT:
            raise invalid(errors.range_key_too_big(RANGE_KEY_LIMIT))
        size = item_size(item)
        if size > ITEM_LIMIT:
            raise invalid(errors.ITEM_TOO_BIG)
        return size

    def find(self, hash_value, sort):
        """(partition or None, item or None, item size) of a primary key."""
        part = self.store.partition(hash_value)
        if part is None:
            return None, None, 0
        found = part.items.get(sort)
        if found is None:
            return part, None, 0
        return part, found[0], found[1]

    def write(self, hash_value, sort, old, new, new_size):
        """Replace ``old`` (or nothing) by ``new`` (or nothing) in the table and its
        indexes, in one place so they never disagree; return the index write units."""
        spent = 0
        for index in self.indexes.values():
            before = index.remove(old) if old is not None else None
            after = index.add(new, new_size) if new is not None else None
            if before is not None and after is not None and before == after:
                spent += units(item_size(index.projected(new)), WRITE_UNIT)
            else:
                if before is not None:
                    spent += units(item_size(index.projected(old)), WRITE_UNIT)
                if after is not None:
                    spent += units(item_size(index.projected(new)), WRITE_UNIT)
        if new is None:
            part = self.store.partition(hash_value)
            part.remove(sort)
            self.store.drop_if_empty(part)
        else:
            self.store.partition(hash_value, create=True).put(sort, new, new_size)
        return spent

    def check(self):
        """Assert the table's invariants: sorted partitions, indexes equal to a rebuild."""
        stored = []
        for h, part in self.store.by_value.items():
            part.check()
            assert part.items, "empty partition kept"
            for key, (item, size) in part.items.items():
                assert raw(item[self.hash_name]) == h
                assert self.sort_tuple(item) == key
                assert size == item_size(item), "stale size"
                stored.append(item)
        for index in self.indexes.values():
            expected = {}
            for item in stored:
                k = index.key_of(item)
                if k is not None:
                    expected[(raw(k[0]), k[1])] = item
            got = {(h, key): item for h, part in index.store.by_value.items()
                   for key, (item, _) in part.items.items()}
            assert got.keys() == expected.keys(), f"index {index.name} differs from the table"


def _field_of(parsed, placeholder):
    """The request field whose expression uses ``placeholder`` (for the message)."""
    for field, tree in parsed.items():
        n, v = set(), set()
        ex.used_placeholders(tree, n, v)
        if placeholder in n | v:
            return field
    return "Expression"
