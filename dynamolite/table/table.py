"""``resource()``: DynamoDB's resource API, as ``boto3.resource("dynamodb")``, built on the client.

DynamoDB (2012) kept Dynamo's partitioned, replicated storage and put a
table on top: every item has a *partition key* (hashed onto the ring, section
4.1-4.3 of the Dynamo paper) and optionally a *sort key* (items with the same
partition key are stored together, sorted by it). A Query names one partition
key and walks a slice of its sorted items; a Scan walks every partition.

``resource()`` mirrors ``boto3.resource("dynamodb")``, so code written against
it runs unchanged against DynamoDB::

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

As in boto3, the resource is a thin layer over the low-level client
(:mod:`.client`, ``db.meta.client``): it names the table; the client under a
resource, as boto3's, turns condition objects (``Key``, ``Attr``) into
expressions with placeholders and takes and returns plain Python values
(``Decimal`` numbers, ``set``, ``Binary``) where the client would type them,
its ``transact_write_items`` too. Errors are botocore's ``ClientError`` with
DynamoDB's codes and messages, also reachable as
``db.meta.client.exceptions.<Code>``. Each data-plane response carries, under
the key ``"Dynamolite"`` (which DynamoDB never uses), what a lesson needs to
show: partitions and nodes touched, items examined, capacity units consumed.

Costs: ``get_item``/``put_item`` are a hash, a ring lookup and a dict access,
plus O(log n) to keep the partition's items sorted; a Query is O(log n + k)
for k items examined; a Scan is O(table size).
"""

from .batch import BatchWriter
from .client import NODES, Client

_DESCRIBED = {          # Table attribute -> DescribeTable field, as boto3 names them
    "attribute_definitions": "AttributeDefinitions", "key_schema": "KeySchema",
    "table_status": "TableStatus", "creation_date_time": "CreationDateTime",
    "provisioned_throughput": "ProvisionedThroughput", "table_size_bytes": "TableSizeBytes",
    "item_count": "ItemCount", "table_arn": "TableArn", "table_id": "TableId",
    "billing_mode_summary": "BillingModeSummary",
    "local_secondary_indexes": "LocalSecondaryIndexes",
    "global_secondary_indexes": "GlobalSecondaryIndexes",
    "deletion_protection_enabled": "DeletionProtectionEnabled",
}


class _Meta:
    def __init__(self, client, data=None):
        self.client = client
        self.data = data


class Table:
    """A handle on one table, as boto3's ``Table`` resource: the data-plane calls,
    ``batch_writer``, ``update``, ``delete`` and the description's attributes.

    Like boto3's, a handle is made without a request; a call on a table that does
    not exist (or no longer does) raises ResourceNotFoundException. Unlike boto3's,
    attributes such as ``item_count`` are read afresh at every access, not cached.
    """

    def __init__(self, name, resource):
        self.name = self.table_name = name
        self.meta = _Meta(resource.meta.client)
        self._client = resource.meta.client

    def __repr__(self):
        return f"dynamodb.Table(name={self.name!r})"

    def __eq__(self, other):
        return isinstance(other, Table) and other.name == self.name and other._client is self._client

    def __hash__(self):
        return hash(self.name)

    def _call(self, operation, kwargs):
        return self._client._call(operation, {"TableName": self.name, **kwargs})

    def __getattr__(self, attr):
        if attr in _DESCRIBED:
            return self._call("DescribeTable", {})["Table"].get(_DESCRIBED[attr])
        raise AttributeError(f"'dynamodb.Table' object has no attribute {attr!r}")

    # -- the data plane -------------------------------------------------------
    def put_item(self, **kwargs):
        """Store ``Item``, replacing any item with the same key (conditionally)."""
        return self._call("PutItem", kwargs)

    def get_item(self, **kwargs):
        """The item with primary key ``Key`` (no "Item" in the response if absent)."""
        return self._call("GetItem", kwargs)

    def update_item(self, **kwargs):
        """Edit (or create) one item with an UpdateExpression: SET, REMOVE, ADD, DELETE."""
        return self._call("UpdateItem", kwargs)

    def delete_item(self, **kwargs):
        """Delete the item with primary key ``Key`` (conditionally); no error if absent."""
        return self._call("DeleteItem", kwargs)

    def query(self, **kwargs):
        """Items of ONE partition key, in sort-key order, optionally a slice of
        them (KeyConditionExpression), filtered, projected, paginated."""
        return self._call("Query", kwargs)

    def scan(self, **kwargs):
        """Every item of the table (or index), partition by partition, filtered
        after reading: the cost is the table's size, whatever the filter keeps."""
        return self._call("Scan", kwargs)

    def batch_writer(self, overwrite_by_pkeys=None):
        """A context manager buffering puts and deletes, sent 25 at a time (like boto3's)."""
        return BatchWriter(self, overwrite_by_pkeys)

    # -- the control plane --------------------------------------------------
    def update(self, **kwargs):
        """UpdateTable: billing mode, throughput, global secondary indexes."""
        return self._call("UpdateTable", kwargs)

    def delete(self):
        """DeleteTable: the table and its items are gone; this handle then fails."""
        return self._call("DeleteTable", {})

    def load(self):
        """Read the description (ResourceNotFoundException if the table does not exist)."""
        self.meta.data = self._call("DescribeTable", {})["Table"]

    reload = load
    wait_until_exists = load

    def wait_until_not_exists(self):
        return None

    def check(self):
        """Assert the stored table's invariants (for tests; not in boto3)."""
        self._call("DescribeTable", {})          # ResourceNotFoundException if it is gone
        self._client.table(self.name).check()


class _TableCollection:
    def __init__(self, resource):
        self._resource = resource

    def all(self):
        names = self._resource.meta.client.list_tables()["TableNames"]
        return iter([self._resource.Table(n) for n in names])


class Resource:
    """A local stand-in for ``boto3.resource("dynamodb")``: the tables of one account,
    on one :class:`~.client.Client` (``meta.client``).

    ``nodes`` and ``vnodes`` shape the ring the tables' partitions live on.
    """

    def __init__(self, nodes=NODES, vnodes=8):
        self.meta = _Meta(Client(nodes, vnodes, typed=False))
        self.tables = _TableCollection(self)

    def create_table(self, **kwargs):
        """Create a table; arguments as ``boto3.resource("dynamodb").create_table``."""
        self.meta.client._call("CreateTable", kwargs)
        return self.Table(kwargs["TableName"])

    def Table(self, name):
        """A handle on table ``name`` (like boto3, no check until it is used)."""
        return Table(name, self)

    def batch_get_item(self, **kwargs):
        """BatchGetItem with plain Python values: ``Responses`` maps table -> items."""
        return self.meta.client._call("BatchGetItem", kwargs)

    def batch_write_item(self, **kwargs):
        """BatchWriteItem with plain Python values (at most 25 puts and deletes)."""
        return self.meta.client._call("BatchWriteItem", kwargs)


def resource(nodes=NODES, vnodes=8, **ignored):
    """A fresh local DynamoDB: ``resource()`` where boto3 has ``boto3.resource("dynamodb")``.

    Keyword arguments boto3 takes (``region_name``, ``endpoint_url``...) are
    accepted and ignored, so the one line is all that changes.
    """
    return Resource(nodes, vnodes)
