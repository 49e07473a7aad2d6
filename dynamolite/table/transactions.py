"""Transactions: up to 100 writes or reads that happen all together or not at all.

``TransactWriteItems`` takes puts, updates, deletes and condition checks,
possibly on several tables. Every condition is checked against the items as
they are before any write; if one fails, nothing is written and the call
raises ``TransactionCanceledException`` with one ``CancellationReasons``
entry per action, in order (``{"Code": "None"}`` for those that were fine).
That is how an order and its stock count change together (DynamoDB, 2018;
the Dynamo paper's store had no multi-item transactions at all). A
``ClientRequestToken`` makes a retry safe: the same token with the same
request does nothing again and succeeds; with another request it is refused.
A token is remembered for 10 minutes after its request (``TOKEN_LIFETIME_S``);
after that, the same token starts a new transaction, as in DynamoDB.

Two kinds of mistakes, two answers (DynamoDB API Reference, TransactWriteItems
and TransactionCanceledException):

* wrong whatever is stored (a syntax error, an undefined placeholder, a key
  that does not match the schema, two actions on one item, over 100 actions):
  ``ValidationException``, the request is refused as a whole;
* wrong because of what is stored (ADD to a string attribute, list_append on
  a number, a path into a map that is not there, an item growing past 400 KB):
  the transaction is cancelled, and that action's reason is ``ValidationError``
  with the message UpdateItem would give.

>>> from dynamolite.table import client
>>> db = client()
>>> _ = db.create_table(TableName="Stock", BillingMode="PAY_PER_REQUEST",
...     KeySchema=[{"AttributeName": "sku", "KeyType": "HASH"}],
...     AttributeDefinitions=[{"AttributeName": "sku", "AttributeType": "S"}])
>>> _ = db.put_item(TableName="Stock", Item={"sku": {"S": "pen"}, "left": {"N": "0"}})
>>> try:
...     db.transact_write_items(TransactItems=[
...         {"Put": {"TableName": "Stock", "Item": {"sku": {"S": "order-1"}}}},
...         {"Update": {"TableName": "Stock", "Key": {"sku": {"S": "pen"}},
...                     "UpdateExpression": "SET #l = #l - :one",
...                     "ConditionExpression": "#l >= :one",
...                     "ExpressionAttributeNames": {"#l": "left"},
...                     "ExpressionAttributeValues": {":one": {"N": "1"}}}}])
... except db.exceptions.TransactionCanceledException as e:
...     print([r["Code"] for r in e.response["CancellationReasons"]])
['None', 'ConditionalCheckFailed']
>>> "Item" in db.get_item(TableName="Stock", Key={"sku": {"S": "order-1"}})
False
>>> try:                                # "left" holds a number, not a list
...     db.transact_write_items(TransactItems=[
...         {"Put": {"TableName": "Stock", "Item": {"sku": {"S": "order-1"}}}},
...         {"Update": {"TableName": "Stock", "Key": {"sku": {"S": "pen"}},
...                     "UpdateExpression": "SET #l = list_append(#l, :more)",
...                     "ExpressionAttributeNames": {"#l": "left"},
...                     "ExpressionAttributeValues": {":more": {"L": [{"N": "1"}]}}}}])
... except db.exceptions.TransactionCanceledException as e:
...     print(e.response["CancellationReasons"][1])
{'Code': 'ValidationError', 'Message': 'An operand in the update expression has an incorrect data type'}

Cost: the sum of the actions, twice (DynamoDB charges two units per
transactional item: one to prepare, one to commit).
"""

from . import errors, items
from .errors import Refused, invalid
from .tables import ok
from .values import normalize

LIMIT = 100
TOKEN_LIFETIME_S = 600
"""How long a ClientRequestToken is remembered after its request (DynamoDB API Reference,
TransactWriteItems: "valid for 10 minutes after the first request that uses it completes")."""


def _plan(client, kind, request):
    table = client.table(request["TableName"])
    if kind == "Put":
        return items.plan_put(table, request)
    if kind == "Delete":
        return items.plan_delete(table, request)
    if kind == "Update":
        return items.plan_update(table, request)[0]
    write = items.Write(table, *table.key(request["Key"]))      # ConditionCheck: no write
    items.condition(request, write.old)
    write.new, write.old = None, None
    return write


def _key(table, request):
    """(table name, hash value, sort tuple) of the item an action names."""
    if "Key" in request:
        return (table.name, *table.key(request["Key"]))
    item = normalize(request["Item"])
    table.check_item(item)
    return table.name, item[table.hash_name], table.sort_tuple(item)


def _check_size(actions):
    if not actions:
        raise invalid(errors.too_few("transactItems"))
    if len(actions) > LIMIT:
        raise invalid(errors.TRANSACTION_TOO_MANY)


def transact_write_items(client, params):
    actions = params["TransactItems"]
    _check_size(actions)
    token = params.get("ClientRequestToken")
    earlier, at = client.tokens.get(token, (None, None))
    if earlier is not None and client.clock() - at < TOKEN_LIFETIME_S:
        if earlier != actions:
            raise Refused(errors.IDEMPOTENT_MISMATCH, "IdempotentParameterMismatchException")
        return {"ResponseMetadata": ok()}
    planned, reasons, seen = [], [], set()
    for action in actions:
        if len(action) != 1:                # {} or two kinds: botocore lets both through
            raise invalid(errors.TRANSACTION_ONE_KIND)
        (kind, request), = action.items()
        key = _key(client.table(request["TableName"]), request)
        if key in seen:
            raise invalid(errors.TRANSACTION_SAME_ITEM)
        seen.add(key)
        try:
            planned.append(_plan(client, kind, request))
            reasons.append({"Code": "None"})
        except Refused as refused:
            if refused.reason is None:          # the request itself is wrong: refuse it
                raise
            reasons.append({"Code": refused.reason, "Message": refused.message, **refused.extra})
    if len(planned) < len(actions):
        codes = ", ".join(r["Code"] for r in reasons)
        raise Refused(f"{errors.TRANSACTION_CANCELED} [{codes}]", "TransactionCanceledException",
                      CancellationReasons=reasons)
    for write in planned:
        write.apply()
    if token is not None:
        client.tokens[token] = (actions, client.clock())
    return {"ResponseMetadata": ok()}


def transact_get_items(client, params):
    actions = params["TransactItems"]
    _check_size(actions)
    responses = []
    for action in actions:
        request = action["Get"]
        got = items.get(client.table(request["TableName"]), request)
        responses.append({"Item": got["Item"]} if "Item" in got else {})
    return {"Responses": responses, "ResponseMetadata": ok()}
