"""Batches: BatchGetItem, BatchWriteItem, and ``table.batch_writer()`` on top of them.

A batch saves round trips, not work: each item is still one read or write
with its own capacity units, and a batch is not a transaction (see
:mod:`.transactions`). DynamoDB refuses a batch naming one key twice ("Provided
list of item keys contains duplicates"), takes at most 25 writes or 100 reads,
and answers with the requests it could not serve yet (``UnprocessedItems``,
``UnprocessedKeys``: always empty here, as nothing is throttled).
``batch_writer()`` buffers puts and deletes and sends them 25 at a time, as
boto3's does; ``overwrite_by_pkeys`` drops an earlier buffered request for
the same key, so a batch never names one key twice.

>>> from dynamolite.table import resource
>>> t = resource().create_table(TableName="T",
...     KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
...     AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}])
>>> with t.batch_writer() as batch:
...     for name in ("a", "b", "c"):
...         batch.put_item(Item={"pk": name})
>>> t.item_count
3

Cost: the sum of the single-item operations.
"""

from . import errors, items
from .errors import invalid
from .tables import ok

WRITE_LIMIT, GET_LIMIT = 25, 100


def _once(seen, table, hash_value, sort):
    """Refuse a key already named in this batch."""
    mark = (table.name, hash_value, sort)
    if mark in seen:
        raise invalid(errors.BATCH_DUPLICATES)
    seen.add(mark)


def _batch_wording(refused):
    """BatchWriteItem words a put's missing or mistyped key as a key that does not match
    the schema, where PutItem names the attribute."""
    if "Missing the key" in refused.message or "Type mismatch for key" in refused.message:
        return invalid(errors.key_mismatch())
    return refused


def batch_write_item(client, params):
    """Check every request first (nothing is written if one is invalid), then write each."""
    requests = params["RequestItems"]
    count = sum(len(r) for r in requests.values())
    if count > WRITE_LIMIT:
        raise invalid(errors.BATCH_WRITE_TOO_MANY)
    planned, seen = [], set()
    for name, entries in requests.items():
        table = client.table(name)
        for entry in entries:
            if "PutRequest" in entry:
                try:
                    write = items.plan_put(table, entry["PutRequest"])
                except errors.Refused as refused:
                    raise _batch_wording(refused) from None
            else:
                write = items.plan_delete(table, entry["DeleteRequest"])
            _once(seen, table, write.hash_value, write.sort)
            planned.append(write)
    consumed = {}
    for write in planned:
        write.apply()
        consumed[write.table.name] = consumed.get(write.table.name, 0) + write.units
    response = {"UnprocessedItems": {}}
    if params.get("ReturnConsumedCapacity", "NONE") != "NONE":
        response["ConsumedCapacity"] = [{"TableName": n, "CapacityUnits": float(u)}
                                        for n, u in consumed.items()]
    response["ResponseMetadata"] = ok()
    return response


def batch_get_item(client, params):
    """Read every key; the items of each table come back in no particular order."""
    requests = params["RequestItems"]
    if sum(len(r.get("Keys", ())) for r in requests.values()) > GET_LIMIT:
        raise invalid(errors.BATCH_GET_TOO_MANY)
    answers, consumed = {}, []
    for name, request in requests.items():
        table = client.table(name)
        seen, found, spent = set(), [], 0.0
        options = {k: v for k, v in request.items() if k != "Keys"}
        for key in request["Keys"]:
            _once(seen, table, *table.key(key))
        for key in request["Keys"]:
            got = items.get(table, dict(options, Key=key))
            spent += got["Dynamolite"]["read_units"]
            if "Item" in got:
                found.append(got["Item"])
        answers[name] = found
        consumed.append({"TableName": name, "CapacityUnits": spent})
    response = {"Responses": answers, "UnprocessedKeys": {}}
    if params.get("ReturnConsumedCapacity", "NONE") != "NONE":
        response["ConsumedCapacity"] = consumed
    response["ResponseMetadata"] = ok()
    return response


class BatchWriter:
    """Buffer puts and deletes; send them with BatchWriteItem every 25 and on leaving
    the ``with`` block, sending again whatever comes back unprocessed (as boto3's)."""

    def __init__(self, table, overwrite_by_pkeys=None, flush_amount=WRITE_LIMIT):
        self.table = table
        self.flush_amount = flush_amount
        self.overwrite_by_pkeys = overwrite_by_pkeys
        self.buffer = []

    def _add(self, request, key):
        if self.overwrite_by_pkeys:
            wanted = [key.get(k) for k in self.overwrite_by_pkeys]
            self.buffer = [r for r in self.buffer
                           if [_key_of(r).get(k) for k in self.overwrite_by_pkeys] != wanted]
        self.buffer.append(request)
        if len(self.buffer) >= self.flush_amount:
            self._flush()

    def put_item(self, Item):
        self._add({"PutRequest": {"Item": Item}}, Item)

    def delete_item(self, Key):
        self._add({"DeleteRequest": {"Key": Key}}, Key)

    def _flush(self):
        while self.buffer:
            sending, self.buffer = self.buffer[:self.flush_amount], self.buffer[self.flush_amount:]
            response = self.table.meta.client._call(
                "BatchWriteItem", {"RequestItems": {self.table.name: sending}})
            self.buffer.extend(response["UnprocessedItems"].get(self.table.name, ()))

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self._flush()
        return False


def _key_of(request):
    return request["PutRequest"]["Item"] if "PutRequest" in request else request["DeleteRequest"]["Key"]
