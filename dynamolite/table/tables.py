"""Tables as the server keeps them, and the control plane: create, describe, update,
delete and list tables.

A :class:`StoredTable` holds a table's schema (key names and types), its
partitions on the ring, its secondary indexes and what ``DescribeTable``
reports (status, billing mode, throughput, item count, size). Every
data-plane call goes through it to validate keys and items and to write, so
the table and its indexes never disagree.

>>> from dynamolite.ring import Ring
>>> t = StoredTable("T", Ring(["A", "B"]), {
...     "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
...     "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
...     "BillingMode": "PAY_PER_REQUEST"})
>>> t.key({"pk": "alice"})
('alice', ())
>>> t.description()["BillingModeSummary"]
{'BillingMode': 'PAY_PER_REQUEST'}

Cost: validating an item is linear in its size; ``describe`` is O(1) (sizes
are kept up to date on every write).
"""

import datetime
import uuid

from . import errors
from .errors import Refused, invalid, invalid_for_item
from .storage import Index, Partitions, key_names
from ..ring import token
from .values import (HASH_KEY_LIMIT, ITEM_LIMIT, RANGE_KEY_LIMIT, WRITE_UNIT, hash_bytes,
                     item_size, normalize, raw, type_of, units, value_size)

DETAILS = "Dynamolite"
"""Response key holding the lesson-only details (DynamoDB never uses it)."""
ACCOUNT, REGION = "123456789012", "us-east-1"


def ok():
    """The ResponseMetadata of a successful call."""
    return {"HTTPStatusCode": 200, "RetryAttempts": 0}


def _check_indexes(params):
    """Refuse empty index lists, duplicate names, and mismatched billing, as DynamoDB does."""
    seen = set()
    for field in ("LocalSecondaryIndexes", "GlobalSecondaryIndexes"):
        specs = params.get(field)
        if specs is None:
            continue
        if not specs:
            raise invalid(errors.empty_index_list(field))
        if field == "LocalSecondaryIndexes" and len(params["KeySchema"]) != 2:
            raise invalid(errors.LSI_NEEDS_RANGE)
        for spec in specs:
            projection = spec.get("Projection", {})
            kind = projection.get("ProjectionType")
            if kind is None:
                raise invalid(errors.UNKNOWN_PROJECTION)
            if projection.get("NonKeyAttributes") and kind != "INCLUDE":
                raise invalid(errors.non_key_attributes(kind))
            if spec["IndexName"] in seen:
                raise invalid(errors.duplicate_index(spec["IndexName"]))
            seen.add(spec["IndexName"])


def _check_billing(params):
    mode, throughput = params.get("BillingMode", "PROVISIONED"), params.get("ProvisionedThroughput")
    if mode == "PAY_PER_REQUEST" and throughput:
        raise invalid(errors.THROUGHPUT_ON_DEMAND)


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


class StoredTable:
    """One table on the server: schema, partitions, indexes, metadata."""

    def __init__(self, name, ring, params):
        self.name = name
        self.ring = ring
        self.key_schema = list(params["KeySchema"])
        self.attribute_definitions = list(params["AttributeDefinitions"])
        self.types = {a["AttributeName"]: a["AttributeType"] for a in self.attribute_definitions}
        self.hash_name, self.range_name = key_names(self.key_schema)
        if self.hash_name is None:
            raise invalid(errors.NO_HASH_KEY)
        _check_billing(params)
        _check_indexes(params)
        specs = ([(s, "GSI") for s in params.get("GlobalSecondaryIndexes") or ()]
                 + [(s, "LSI") for s in params.get("LocalSecondaryIndexes") or ()])
        _check_schema(self.types, self.key_schema, self.attribute_definitions, specs)
        self.store = Partitions(ring)
        self.indexes = {}
        for spec, kind in specs:
            self.add_index(spec, kind)
        self.billing_mode = params.get("BillingMode", "PROVISIONED")
        self.throughput = dict(params.get("ProvisionedThroughput")
                               or {"ReadCapacityUnits": 0, "WriteCapacityUnits": 0})
        self.deletion_protection = bool(params.get("DeletionProtectionEnabled", False))
        self.created = datetime.datetime.now(datetime.timezone.utc)
        self.status = "ACTIVE"
        self.size = 0               # bytes of all items, kept up to date by write()

    def add_index(self, spec, kind):
        index = Index(spec, kind, self)
        if kind == "LSI" and index.hash_name != self.hash_name:
            raise invalid(errors.lsi_hash_key(index.name, index.hash_name, self.hash_name))
        self.indexes[index.name] = index
        for part in self.store.by_value.values():    # a new index is filled from the table
            for item, size in part.items.values():
                index.add(item, size)
        return index

    # -- what DescribeTable says -------------------------------------------
    @property
    def arn(self):
        return f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/{self.name}"

    def _index_description(self, index):
        out = {"IndexName": index.name, "KeySchema": index.key_schema,
               "Projection": index.spec.get("Projection", {"ProjectionType": "ALL"}),
               "IndexSizeBytes": sum(item_size(index.projected(item)) for part in
                                     index.store.by_value.values() for item, _ in part.items.values()),
               "ItemCount": len(index.store), "IndexArn": f"{self.arn}/index/{index.name}"}
        if index.kind == "GSI":
            out["IndexStatus"] = "ACTIVE"
            out["ProvisionedThroughput"] = dict(
                index.spec.get("ProvisionedThroughput") or {"ReadCapacityUnits": 0, "WriteCapacityUnits": 0},
                NumberOfDecreasesToday=0)
        return out

    def description(self):
        """The ``Table`` of a DescribeTable response."""
        out = {"AttributeDefinitions": self.attribute_definitions, "TableName": self.name,
               "KeySchema": self.key_schema, "TableStatus": self.status,
               "CreationDateTime": self.created,
               "ProvisionedThroughput": dict(self.throughput, NumberOfDecreasesToday=0),
               "TableSizeBytes": self.size, "ItemCount": len(self.store), "TableArn": self.arn,
               "TableId": str(uuid.UUID(int=token(self.name))),
               "DeletionProtectionEnabled": self.deletion_protection}
        if self.billing_mode == "PAY_PER_REQUEST":
            out["BillingModeSummary"] = {"BillingMode": "PAY_PER_REQUEST"}
        for kind, field in (("GSI", "GlobalSecondaryIndexes"), ("LSI", "LocalSecondaryIndexes")):
            found = [self._index_description(i) for i in self.indexes.values() if i.kind == kind]
            if found:
                out[field] = found
        return out

    # -- the end of every data-plane response ----------------------------------
    def respond(self, response, params, parts, examined, spent, index_units=0, write=False,
                index=None):
        """Finish a data-plane response: ConsumedCapacity when asked for, the
        metadata, and the lesson's details (partitions, nodes, items, units)."""
        mode = params.get("ReturnConsumedCapacity", "NONE")
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
        response["ResponseMetadata"] = ok()
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

    def check_item(self, item, updated=False):
        """Validate a whole item before it is stored (keys, types, limits); return its size.
        ``updated``: the item is an update's result, so an index key of the wrong type or
        a size over the limit comes from the stored item (and DynamoDB says so)."""
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
                    if updated:
                        raise invalid_for_item(errors.UPDATE_INDEX_KEY_TYPE)
                    raise invalid(errors.index_key_type_mismatch(
                        name, self.types[name], type_of(item[name]), index.name))
        h = item[self.hash_name]
        if len(h.encode() if isinstance(h, str) else hash_bytes(h)) > HASH_KEY_LIMIT:
            raise invalid(errors.hash_key_too_big(HASH_KEY_LIMIT))
        if self.range_name is not None and value_size(item[self.range_name]) > RANGE_KEY_LIMIT:
            raise invalid(errors.range_key_too_big(RANGE_KEY_LIMIT))
        size = item_size(item)
        if size > ITEM_LIMIT:
            raise invalid_for_item(errors.UPDATE_ITEM_TOO_BIG) if updated else invalid(errors.ITEM_TOO_BIG)
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
        part = self.store.partition(hash_value, create=new is not None)
        if old is not None:
            self.size -= part.items[sort][1]
        if new is None:
            part.remove(sort)
            self.store.drop_if_empty(part)
        else:
            part.put(sort, new, new_size)
            self.size += new_size
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
        assert self.size == sum(item_size(item) for item in stored), "stale table size"
        for index in self.indexes.values():
            expected = {}
            for item in stored:
                k = index.key_of(item)
                if k is not None:
                    expected[(raw(k[0]), k[1])] = item
            got = {(h, key): item for h, part in index.store.by_value.items()
                   for key, (item, _) in part.items.items()}
            assert got.keys() == expected.keys(), f"index {index.name} differs from the table"



# ---------------------------------------------------------------------------
# The control plane: handler(client, params) -> response
# ---------------------------------------------------------------------------
def create_table(client, params):
    name = params["TableName"]
    if name in client.tables:
        raise Refused(errors.table_exists(name), "ResourceInUseException")
    table = client.tables[name] = StoredTable(name, client.ring, params)
    return {"TableDescription": table.description(), "ResponseMetadata": ok()}


def describe_table(client, params):
    return {"Table": client.table(params["TableName"]).description(), "ResponseMetadata": ok()}


def delete_table(client, params):
    table = client.table(params["TableName"])
    if table.deletion_protection:
        raise invalid(errors.DELETION_PROTECTED)
    del client.tables[table.name]
    table.status = "DELETING"
    return {"TableDescription": table.description(), "ResponseMetadata": ok()}


def list_tables(client, params):
    limit = params.get("Limit", 100)
    if not 1 <= limit <= 100:
        raise invalid(errors.list_tables_limit(limit))
    names = sorted(client.tables)
    start = params.get("ExclusiveStartTableName")
    if start is not None:
        names = [n for n in names if n > start]
    response = {"TableNames": names[:limit]}
    if len(names) > limit:
        response["LastEvaluatedTableName"] = names[limit - 1]
    response["ResponseMetadata"] = ok()
    return response


def update_table(client, params):
    """Billing mode, throughput, deletion protection, and adding or deleting a global index
    (filled from the table at once: no backfilling phase here). Everything is checked
    before anything changes."""
    table = client.table(params["TableName"])
    if not set(params) - {"TableName", "AttributeDefinitions"}:
        raise invalid(errors.NOTHING_TO_UPDATE)
    mode = params.get("BillingMode", table.billing_mode)
    if mode == "PAY_PER_REQUEST" and params.get("ProvisionedThroughput"):
        raise invalid(errors.THROUGHPUT_ON_DEMAND)
    types = dict(table.types)
    types.update((d["AttributeName"], d["AttributeType"]) for d in params.get("AttributeDefinitions", ()))
    updates = params.get("GlobalSecondaryIndexUpdates", ())
    for update in updates:
        action, = update                    # exactly one of Create, Update, Delete
        name = update[action]["IndexName"]
        if action == "Create":
            if name in table.indexes:
                raise invalid(errors.INDEX_EXISTS)
            for element in update[action]["KeySchema"]:
                if types.get(element["AttributeName"]) not in ("S", "N", "B"):
                    raise invalid(errors.undefined_key_attribute(element["AttributeName"], types))
        elif table.indexes.get(name) is None or table.indexes[name].kind != "GSI":
            raise Refused(errors.index_not_found(name), "ResourceNotFoundException")
    for definition in params.get("AttributeDefinitions", ()):
        if definition["AttributeName"] not in table.types:
            table.attribute_definitions.append(definition)
    table.types = types
    for update in updates:
        action, = update
        spec = update[action]
        if action == "Create":
            table.add_index(spec, "GSI")
        elif action == "Delete":
            del table.indexes[spec["IndexName"]]
        else:
            table.indexes[spec["IndexName"]].spec["ProvisionedThroughput"] = spec["ProvisionedThroughput"]
    table.billing_mode = mode
    if "ProvisionedThroughput" in params:
        table.throughput = dict(params["ProvisionedThroughput"])
    elif mode == "PAY_PER_REQUEST":
        table.throughput = {"ReadCapacityUnits": 0, "WriteCapacityUnits": 0}
    if "DeletionProtectionEnabled" in params:
        table.deletion_protection = params["DeletionProtectionEnabled"]
    return {"TableDescription": table.description(), "ResponseMetadata": ok()}
