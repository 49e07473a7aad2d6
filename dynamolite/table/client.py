"""``client()``: the low-level DynamoDB client, as ``boto3.client("dynamodb")``, and the
one engine under the resource.

The client speaks DynamoDB's own API: every value typed (``{"S": "alice"}``,
``{"N": "42"}``), every call naming its table. It checks a request's
parameters with botocore's own validator and DynamoDB's service model,
decodes the typed values with boto3's ``TypeDeserializer``, runs the
operation on plain Python values, and encodes the answer with
``TypeSerializer``. The resource (:mod:`.table`) is built on the same client,
as boto3's is: its client, ``db.meta.client``, is a ``Client(typed=False)``,
which takes and returns plain Python values and boto3's condition objects, as
the client under ``boto3.resource("dynamodb")`` does. One engine, two front doors.

>>> db = client()
>>> _ = db.create_table(TableName="Movies",
...     KeySchema=[{"AttributeName": "year", "KeyType": "HASH"},
...                {"AttributeName": "title", "KeyType": "RANGE"}],
...     AttributeDefinitions=[{"AttributeName": "year", "AttributeType": "N"},
...                           {"AttributeName": "title", "AttributeType": "S"}],
...     BillingMode="PAY_PER_REQUEST")
>>> _ = db.put_item(TableName="Movies", Item={"year": {"N": "2013"}, "title": {"S": "Rush"}})
>>> db.get_item(TableName="Movies", Key={"year": {"N": "2013"}, "title": {"S": "Rush"}})["Item"]
{'year': {'N': '2013'}, 'title': {'S': 'Rush'}}

Every refusal of the table, whichever front door it came through, becomes
botocore's ``ClientError`` here, in :meth:`Client._call`, and nowhere else.
"""

import functools
import time

import botocore.session
from botocore.exceptions import ParamValidationError
from botocore.paginate import Paginator
from botocore.validate import ParamValidator

from boto3.dynamodb.conditions import ConditionBase, ConditionExpressionBuilder

from . import batch, errors, items, legacy, reads, tables, transactions
from .errors import Refused, client_error, exceptions, invalid
from .expressions import from_boto3
from .typed import decode, encode
from ..ring import Ring

NODES = ("node-A", "node-B", "node-C", "node-D")


@functools.lru_cache(maxsize=1)
def _session():
    return botocore.session.get_session()


@functools.lru_cache(maxsize=None)
def _shape(operation):
    """The operation's input shape in DynamoDB's service model."""
    return _session().get_service_model("dynamodb").operation_model(operation).input_shape


def _on_table(handler):
    """A data-plane handler, given the table the request names."""
    return lambda client, params: handler(client.table(params["TableName"]), params)


HANDLERS = {
    "PutItem": _on_table(items.put), "GetItem": _on_table(items.get),
    "UpdateItem": _on_table(items.update), "DeleteItem": _on_table(items.delete),
    "Query": _on_table(reads.query), "Scan": _on_table(reads.scan),
    "BatchGetItem": batch.batch_get_item, "BatchWriteItem": batch.batch_write_item,
    "TransactGetItems": transactions.transact_get_items,
    "TransactWriteItems": transactions.transact_write_items,
    "CreateTable": tables.create_table, "DeleteTable": tables.delete_table,
    "DescribeTable": tables.describe_table, "UpdateTable": tables.update_table,
    "ListTables": tables.list_tables,
}
"""Each operation's handler: ``handler(client, params)`` returns the response."""

_CAPACITY = ("INDEXES", "TOTAL", "NONE")
_VALIDATOR = ParamValidator()
_CONDITIONS = ("KeyConditionExpression", "FilterExpression", "ConditionExpression")


class _PlainValidator(ParamValidator):
    """botocore's checks on a resource's request after boto3 has typed its values: the same
    walk and words, with a plain Python value accepted wherever an AttributeValue goes."""

    def _validate(self, params, shape, errors, name):
        if shape.name != "AttributeValue":
            super()._validate(params, shape, errors, name)


_PLAIN_VALIDATOR = _PlainValidator()


@functools.lru_cache(maxsize=None)
def _fast_check(operation):
    """A function ``params -> bool``, True if :class:`_PlainValidator` would find nothing
    wrong: the fast path of a valid request, built once per operation from its shape.
    When it says False, botocore's own walk finds and words the errors."""
    made = {}                       # shape name -> its check

    def check(shape):
        if shape.name in made:
            return made[shape.name]
        made[shape.name] = lambda value: made[shape.name](value)    # until built (recursion)
        kind, low = shape.type_name, shape.metadata.get("min", 0)
        if shape.name == "AttributeValue":
            ok = _anything
        elif kind == "string":
            def ok(value):
                return isinstance(value, str) and len(value) >= low
        elif kind in ("integer", "long"):
            def ok(value):
                return isinstance(value, int) and value >= low
        elif kind == "boolean":
            def ok(value):
                return isinstance(value, bool)
        elif kind == "structure":
            members = {name: check(member) for name, member in shape.members.items()}
            required = tuple(shape.required_members)

            def ok(value):
                return (isinstance(value, dict) and all(name in value for name in required)
                        and all(name in members and members[name](v) for name, v in value.items()))
        elif kind == "list":
            item = check(shape.member)

            def ok(value):
                return isinstance(value, (list, tuple)) and len(value) >= low and all(map(item, value))
        elif kind == "map":
            key, item = check(shape.key), check(shape.value)

            def ok(value):
                return isinstance(value, dict) and all(key(k) and item(v) for k, v in value.items())
        else:                       # double, blob, timestamp: botocore's walk decides
            ok = _nothing
        made[shape.name] = ok
        return ok

    return check(_shape(operation))


def _anything(value):
    return True


def _nothing(value):
    return False


def with_conditions(params):
    """A copy of ``params`` with boto3's condition objects (``Key``, ``Attr``) turned into
    expression strings with #n/:v placeholders, as boto3's resource layer does before
    it calls the client (at the top level only, as boto3: not in a transaction's actions)."""
    if not any(isinstance(params.get(field), ConditionBase) for field in _CONDITIONS):
        return params
    names = params.get("ExpressionAttributeNames") or {}
    values = params.get("ExpressionAttributeValues") or {}
    if not (isinstance(names, dict) and isinstance(values, dict)):
        return params               # the check that follows says what is wrong
    params, builder, names, values = dict(params), ConditionExpressionBuilder(), dict(names), dict(values)
    for field in _CONDITIONS:
        if isinstance(params.get(field), ConditionBase):
            params[field] = from_boto3(params[field], builder, names, values,
                                       field == "KeyConditionExpression")
    if names:
        params["ExpressionAttributeNames"] = names
    if values:
        params["ExpressionAttributeValues"] = values
    return params


class _Meta:
    """``client.meta``: what boto3's has that code reads."""

    def __init__(self, client):
        self.client = client
        self.region_name = tables.REGION
        self.service_model = _session().get_service_model("dynamodb")
        self.endpoint_url = "dynamolite://local"


class Client:
    """A local stand-in for ``boto3.client("dynamodb")``: the tables of one account.

    ``nodes`` and ``vnodes`` shape the ring the tables' partitions live on.
    ``typed=False`` makes the resource's client: plain Python values in and out.
    ``clock`` (seconds, ``time.monotonic`` unless set) times how long a transaction's
    idempotency token is remembered; the table's only use of time.
    """

    def __init__(self, nodes=NODES, vnodes=8, typed=True):
        self.typed = typed
        self.ring = Ring(list(nodes), vnodes=vnodes)
        self.tables = {}
        self.tokens = {}            # idempotency token of TransactWriteItems -> (actions, time)
        self.clock = time.monotonic
        self.exceptions = exceptions
        self.meta = _Meta(self)

    def table(self, name):
        """The stored table ``name``, or ResourceNotFoundException."""
        found = self.tables.get(name)
        if found is None:
            raise Refused(errors.NOT_FOUND, "ResourceNotFoundException")
        return found

    def _call(self, operation, params):
        """Run one operation: check the parameters, decode, run, encode. The one place
        where the table's refusals become botocore's ClientError."""
        typed, shape = self.typed, _shape(operation)
        if not typed:               # the resource's values are plain Python, its conditions objects
            params = with_conditions(params)
        if typed or not _fast_check(operation)(params):
            report = (_VALIDATOR if typed else _PLAIN_VALIDATOR).validate(params, shape)
            if report.has_errors():
                raise ParamValidationError(report=report.generate_report())
        try:
            if params.get("ReturnConsumedCapacity", "NONE") not in _CAPACITY:
                raise invalid(errors.bad_enum(params["ReturnConsumedCapacity"],
                                              "returnConsumedCapacity", _CAPACITY))
            params = legacy.translate(operation, decode(params) if typed else params)
            response = HANDLERS[operation](self, params)
        except Refused as error:
            extra = encode(error.extra) if typed else error.extra
            raise client_error(error.code, error.message, operation, **extra) from None
        return encode(response) if typed else response

    # -- the data plane ---------------------------------------------------
    def put_item(self, **params):
        """Store an item, replacing any item with the same key (conditionally)."""
        return self._call("PutItem", params)

    def get_item(self, **params):
        """The item with primary key ``Key`` (no "Item" in the response if absent)."""
        return self._call("GetItem", params)

    def update_item(self, **params):
        """Edit (or create) one item: UpdateExpression's SET, REMOVE, ADD, DELETE."""
        return self._call("UpdateItem", params)

    def delete_item(self, **params):
        """Delete the item with primary key ``Key`` (conditionally); no error if absent."""
        return self._call("DeleteItem", params)

    def query(self, **params):
        """Items of one partition key, in sort-key order, filtered, projected, paginated."""
        return self._call("Query", params)

    def scan(self, **params):
        """Every item of a table or index, partition by partition, filtered after reading."""
        return self._call("Scan", params)

    def batch_get_item(self, **params):
        """Up to 100 items from one or more tables by key; UnprocessedKeys for the rest."""
        return self._call("BatchGetItem", params)

    def batch_write_item(self, **params):
        """Up to 25 puts and deletes over one or more tables; UnprocessedItems for the rest."""
        return self._call("BatchWriteItem", params)

    def transact_get_items(self, **params):
        """Up to 100 gets read as of one moment, all or nothing."""
        return self._call("TransactGetItems", params)

    def transact_write_items(self, **params):
        """Up to 100 writes and condition checks that succeed or fail together."""
        return self._call("TransactWriteItems", params)

    # -- the control plane --------------------------------------------------
    def create_table(self, **params):
        """Create a table: key schema, attribute types, indexes, billing mode."""
        return self._call("CreateTable", params)

    def delete_table(self, **params):
        """Delete a table and its items."""
        return self._call("DeleteTable", params)

    def describe_table(self, **params):
        """What a table is: schema, status, billing, throughput, item count, size, indexes."""
        return self._call("DescribeTable", params)

    def update_table(self, **params):
        """Change billing mode or throughput, add or delete a global secondary index."""
        return self._call("UpdateTable", params)

    def list_tables(self, **params):
        """The account's table names, in order, at most ``Limit`` a page."""
        return self._call("ListTables", params)

    # -- paginators, as botocore's ---------------------------------------------
    def can_paginate(self, operation_name):
        return _pascal(operation_name) in _session().get_paginator_model("dynamodb")._paginator_config

    def get_paginator(self, operation_name):
        """botocore's own Paginator (``query``, ``scan``, ``list_tables``) over this client."""
        name = _pascal(operation_name)
        config = _session().get_paginator_model("dynamodb").get_paginator(name)
        return Paginator(getattr(self, operation_name), config,
                         self.meta.service_model.operation_model(name))


def _pascal(snake):
    return "".join(word.capitalize() for word in snake.split("_"))


def client(nodes=NODES, vnodes=8, **ignored):
    """A fresh local DynamoDB: ``client()`` where boto3 has ``boto3.client("dynamodb")``.

    Keyword arguments boto3 takes (``region_name``, ``endpoint_url``...) are
    accepted and ignored, so the one line is all that changes.
    """
    return Client(nodes, vnodes)
