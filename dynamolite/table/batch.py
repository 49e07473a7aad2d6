"""``table.batch_writer()``: puts and deletes buffered and sent 25 at a time, as boto3's.

A batch saves round trips, not work: each item is still one write with its
own capacity units. ``overwrite_by_pkeys`` drops an earlier buffered request
for the same key, as boto3's does, so a batch never names one key twice.

>>> from dynamolite.table import resource
>>> t = resource().create_table(TableName="T",
...     KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
...     AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}])
>>> with t.batch_writer() as batch:
...     for name in ("a", "b", "c"):
...         batch.put_item(Item={"pk": name})
>>> t.item_count
3
"""

from .values import normalize


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
        # refuse a float or an empty set now, as boto3's serializer and DynamoDB do
        self.table._run("BatchWriteItem", normalize, Item)
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
