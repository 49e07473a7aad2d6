"""Every public call of the table, given invalid input, raises botocore's ClientError:
never a private exception of the table's own (one error path). In a transaction, which
mistakes refuse the request and which cancel the transaction."""

import os
import re
from decimal import Decimal
from unittest import mock

import boto3
import moto
import pytest
from boto3.dynamodb.conditions import Attr, Key
from botocore.exceptions import ClientError, ParamValidationError

from dynamolite.table import client, resource
from dynalite_server import FAKE_CREDENTIALS
from oracle_differences import MOTO_ALONE

SCHEMA = dict(
    KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"},
               {"AttributeName": "sk", "KeyType": "RANGE"}],
    AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                          {"AttributeName": "sk", "AttributeType": "N"}],
    BillingMode="PAY_PER_REQUEST")


def _batch_put(table, item):
    with table.batch_writer() as batch:
        batch.put_item(Item=item)


def _batch_delete(table, key):
    with table.batch_writer() as batch:
        batch.delete_item(Key=key)


INVALID = {
    "put_item: empty set": lambda t: t.put_item(Item={"pk": "a", "sk": 1, "s": set()}),
    "put_item: missing key": lambda t: t.put_item(Item={"pk": "a"}),
    "put_item: bad condition": lambda t: t.put_item(Item={"pk": "a", "sk": 1},
                                                    ConditionExpression="a = "),
    "put_item: condition fails": lambda t: t.put_item(Item={"pk": "x", "sk": 1},
                                                      ConditionExpression=Attr("pk").not_exists()),
    "get_item: wrong key type": lambda t: t.get_item(Key={"pk": "a", "sk": "1"}),
    "get_item: undefined name": lambda t: t.get_item(Key={"pk": "a", "sk": 1},
                                                     ProjectionExpression="#n"),
    "update_item: bad expression": lambda t: t.update_item(Key={"pk": "a", "sk": 1},
                                                           UpdateExpression="SET"),
    "update_item: key attribute": lambda t: t.update_item(
        Key={"pk": "a", "sk": 1}, UpdateExpression="SET pk = :v",
        ExpressionAttributeValues={":v": "b"}),
    "update_item: empty set value": lambda t: t.update_item(
        Key={"pk": "a", "sk": 1}, UpdateExpression="SET s = :v",
        ExpressionAttributeValues={":v": set()}),
    "delete_item: extra key": lambda t: t.delete_item(Key={"pk": "a", "sk": 1, "x": 2}),
    "query: no key condition": lambda t: t.query(FilterExpression=Attr("v").eq(1)),
    "query: sort key only": lambda t: t.query(KeyConditionExpression=Key("sk").eq(1)),
    "scan: unknown index": lambda t: t.scan(IndexName="nope"),
    "scan: segment alone": lambda t: t.scan(Segment=0),
    "scan: bad start key": lambda t: t.scan(ExclusiveStartKey={"sk": Decimal(1)}),
    "batch_writer put: empty set": lambda t: _batch_put(t, {"pk": "a", "sk": 1, "s": set()}),
    "batch_writer put: missing key": lambda t: _batch_put(t, {"pk": "a"}),
    "batch_writer delete: wrong key": lambda t: _batch_delete(t, {"pk": "a"}),
    "missing table": lambda t: t.meta.client and resource().Table("nope").get_item(
        Key={"pk": "a", "sk": 1}),
}


@pytest.mark.parametrize("case", list(INVALID))
def test_invalid_input_raises_a_client_error(case):
    table = resource().create_table(TableName="T", **SCHEMA)
    table.put_item(Item={"pk": "x", "sk": 1})
    with pytest.raises(ClientError) as e:
        INVALID[case](table)
    assert e.value.response["Error"]["Code"].endswith("Exception")
    assert e.value.response["Error"]["Message"]
    assert table.item_count == 1              # nothing half-applied
    table.check()


A_CONDITION = Attr("v").eq(1)
REFUSED_BEFORE_SENDING = {     # botocore checks a parameter's type and bounds before sending
    "query: Limit 0": lambda t: t.query(KeyConditionExpression=Key("pk").eq("a"), Limit=0),
    "put_item: Item a string": lambda t: t.put_item(Item="x"),
    "put_item: Item None": lambda t: t.put_item(Item=None),
    "get_item: Key a string": lambda t: t.get_item(Key="pk"),
    "query: Limit a string": lambda t: t.query(KeyConditionExpression=Key("pk").eq("a"), Limit="10"),
    "scan: a number for a filter": lambda t: t.scan(FilterExpression=5),
    "update_item: a list for an expression": lambda t: t.update_item(
        Key={"pk": "x", "sk": 1}, UpdateExpression=["SET v = :v"], ExpressionAttributeValues={":v": 1}),
    "delete_item: unknown and missing": lambda t: t.delete_item(Keys={"pk": "x", "sk": 1}),
    "batch_writer put: Item a list": lambda t: _batch_put(t, [("pk", "a"), ("sk", 1)]),
    # a condition object goes where a condition goes: elsewhere it is a value of the wrong type
    "get_item: a condition for a projection": lambda t: t.get_item(
        Key={"pk": "x", "sk": 1}, ProjectionExpression=A_CONDITION),
    "update_item: a condition for the update": lambda t: t.update_item(
        Key={"pk": "x", "sk": 1}, UpdateExpression=A_CONDITION),
    "get_item: a condition among attributes": lambda t: t.get_item(
        Key={"pk": "x", "sk": 1}, AttributesToGet=[A_CONDITION]),
    "batch_get_item: a condition for a projection": lambda t: t.meta.client.batch_get_item(
        RequestItems={"T": {"Keys": [{"pk": "x", "sk": 1}], "ProjectionExpression": A_CONDITION}}),
}


@pytest.mark.parametrize("case", list(REFUSED_BEFORE_SENDING))
def test_a_parameter_botocore_refuses_is_refused_word_for_word(case):
    """boto3's resource types the values and botocore validates the request before sending:
    the same ParamValidationError, word for word, and nothing written."""
    said = {}
    with mock.patch.dict(os.environ, FAKE_CREDENTIALS), moto.mock_aws():
        for name, db in (("boto3", boto3.resource("dynamodb", region_name="us-east-1")),
                         ("ours", resource())):
            table = db.create_table(TableName="T", **SCHEMA)
            table.put_item(Item={"pk": "x", "sk": 1})
            with pytest.raises(Exception) as e:
                REFUSED_BEFORE_SENDING[case](table)
            said[name] = (type(e.value), re.sub(r" at 0x[0-9a-f]+", "", str(e.value)))  # an address
            assert table.item_count == 1
    assert said["ours"] == said["boto3"]
    assert said["ours"][0] is ParamValidationError


def test_a_condition_object_inside_a_transaction_is_refused_before_sending():
    """boto3 turns condition objects into expressions at the top level of a request only, so
    one inside a transaction's action fails its validation; here the error names where."""
    put = {"Put": {"TableName": "T", "Item": {"pk": "a", "sk": 1}, "ConditionExpression": Attr("pk").not_exists()}}
    with mock.patch.dict(os.environ, FAKE_CREDENTIALS), moto.mock_aws():
        theirs = boto3.resource("dynamodb", region_name="us-east-1")
        theirs.create_table(TableName="T", **SCHEMA)
        with pytest.raises(ParamValidationError):
            theirs.meta.client.transact_write_items(TransactItems=[put])
    db = resource()
    table = db.create_table(TableName="T", **SCHEMA)
    with pytest.raises(ParamValidationError, match=r"TransactItems\[0\]\.Put\.ConditionExpression, value: "):
        db.meta.client.transact_write_items(TransactItems=[put])
    assert table.item_count == 0


def test_create_table_with_invalid_schema_raises_a_client_error():
    with pytest.raises(ClientError) as e:
        resource().create_table(TableName="T", KeySchema=SCHEMA["KeySchema"],
                                AttributeDefinitions=SCHEMA["AttributeDefinitions"][:1])
    assert e.value.response["Error"]["Code"] == "ValidationException"


def _key(pk, sk):
    return {"pk": {"S": pk}, "sk": {"N": str(sk)}}


CLIENT_INVALID = {
    "put_item: empty set": lambda c: c.put_item(TableName="T", Item={**_key("a", 1), "s": {"SS": []}}),
    "put_item: not a number": lambda c: c.put_item(TableName="T", Item={**_key("a", 1), "n": {"N": "x"}}),
    "get_item: missing table": lambda c: c.get_item(TableName="Nope", Key=_key("a", 1)),
    "update_item: key attribute": lambda c: c.update_item(
        TableName="T", Key=_key("a", 1), UpdateExpression="SET pk = :v",
        ExpressionAttributeValues={":v": {"S": "b"}}),
    "delete_item: condition fails": lambda c: c.delete_item(
        TableName="T", Key=_key("x", 1), ConditionExpression="attribute_not_exists(pk)"),
    "query: reserved word": lambda c: c.query(TableName="T", KeyConditionExpression="pk = :p",
                                              FilterExpression="size > :p",
                                              ExpressionAttributeValues={":p": {"S": "a"}}),
    "scan: bad segment": lambda c: c.scan(TableName="T", Segment=3, TotalSegments=2),
    "batch_get_item: duplicates": lambda c: c.batch_get_item(
        RequestItems={"T": {"Keys": [_key("a", 1), _key("a", 1)]}}),
    "batch_write_item: bad key": lambda c: c.batch_write_item(
        RequestItems={"T": [{"DeleteRequest": {"Key": {"pk": {"S": "a"}}}}]}),
    "transact_write_items: condition fails": lambda c: c.transact_write_items(TransactItems=[
        {"Put": {"TableName": "T", "Item": _key("y", 1)}},
        {"ConditionCheck": {"TableName": "T", "Key": _key("x", 1),
                            "ConditionExpression": "attribute_not_exists(pk)"}}]),
    "transact_write_items: undefined value": lambda c: c.transact_write_items(TransactItems=[
        {"Update": {"TableName": "T", "Key": _key("x", 1), "UpdateExpression": "SET v = :v"}}]),
    "transact_get_items: missing table": lambda c: c.transact_get_items(TransactItems=[
        {"Get": {"TableName": "Nope", "Key": _key("a", 1)}}]),
    "create_table: exists": lambda c: c.create_table(TableName="T", **SCHEMA),
    "update_table: nothing": lambda c: c.update_table(TableName="T"),
    "describe_table: missing": lambda c: c.describe_table(TableName="Nope"),
    "delete_table: missing": lambda c: c.delete_table(TableName="Nope"),
    "list_tables: limit over 100": lambda c: c.list_tables(Limit=101),
}


@pytest.mark.parametrize("case", list(CLIENT_INVALID))
def test_invalid_input_to_the_client_raises_a_client_error(case):
    c = client()
    c.create_table(TableName="T", **SCHEMA)
    c.put_item(TableName="T", Item=_key("x", 1))
    with pytest.raises(ClientError) as e:
        CLIENT_INVALID[case](c)
    assert e.value.response["Error"]["Code"].endswith(("Exception", "Exceeded"))
    assert c.scan(TableName="T")["Count"] == 1


# -- transactions: the stored item cancels them, the request's own mistakes refuse them --
def _v(value):
    """A typed attribute value: {"S": ...} for a string, {"N": ...} for a number."""
    return {"S": value} if isinstance(value, str) else {"N": str(value)}


# A stored item the updates below stumble on: what fails depends on what it holds.
STORED = {"pk": _v("a"), "sk": _v(9), "s": _v("word"), "n": _v(1), "pad": _v("p" * 10_000)}
WRONG_TYPE = "An operand in the update expression has an incorrect data type"
ON_THE_ITEM = {             # update expression, its values -> the reason's message
    "ADD to a string": ("ADD s :one", {":one": _v(1)}, WRONG_TYPE),
    "+ on a string": ("SET s = s + :one", {":one": _v(1)}, WRONG_TYPE),
    "list_append on a number": ("SET n = list_append(n, :l)", {":l": {"L": [_v(1)]}}, WRONG_TYPE),
    "DELETE from a string": ("DELETE s :ns", {":ns": {"NS": ["1"]}}, WRONG_TYPE),
    "a path into a missing map": ("SET nowhere.x = :one", {":one": _v(1)},
                                  "The document path provided in the update expression is "
                                  "invalid for update"),
    "a missing attribute read": ("SET n = nowhere + :one", {":one": _v(1)},
                                 "The provided expression refers to an attribute that does "
                                 "not exist in the item"),
    "the item grows past 400 KB": ("SET big = :big", {":big": _v("x" * 400_000)},
                                   "Item size to update has exceeded the maximum allowed size"),
}
ORDER = {"Put": {"TableName": "T", "Item": {"pk": _v("order"), "sk": _v(1)}}}


def _update(expression, values, sk=9):
    return {"Update": {"TableName": "T", "Key": {"pk": _v("a"), "sk": _v(sk)},
                       "UpdateExpression": expression, "ExpressionAttributeValues": values}}


def _with_stored(low):
    """``low`` with table T holding STORED and a small item (sort key 0)."""
    low.create_table(TableName="T", **SCHEMA)
    low.put_item(TableName="T", Item=STORED)
    low.put_item(TableName="T", Item={"pk": _v("a"), "sk": _v(0)})
    return low


def _nothing_written(low):
    assert "Item" not in low.get_item(TableName="T", Key={"pk": _v("order"), "sk": _v(1)})
    assert low.get_item(TableName="T", Key={"pk": _v("a"), "sk": _v(9)})["Item"] == STORED


def _transact(low, actions):
    """(error code, message, CancellationReasons) of a transaction that must fail."""
    with pytest.raises(ClientError) as e:
        low.transact_write_items(TransactItems=actions)
    return (e.value.response["Error"]["Code"], e.value.response["Error"]["Message"],
            e.value.response.get("CancellationReasons"))


@pytest.mark.parametrize("case", list(ON_THE_ITEM))
def test_an_update_failing_on_the_stored_item_cancels_the_transaction(case):
    expression, values, message = ON_THE_ITEM[case]
    low = _with_stored(client())
    got = _transact(low, [ORDER, _update(expression, values)])
    assert got == ("TransactionCanceledException", "Transaction cancelled, please refer "
                   "cancellation reasons for specific reasons [None, ValidationError]",
                   [{"Code": "None"}, {"Code": "ValidationError", "Message": message}])
    _nothing_written(low)
    with pytest.raises(low.exceptions.ValidationException, match=re.escape(message)):
        low.update_item(**_update(expression, values)["Update"])        # alone: refused
    _nothing_written(low)


ON_THE_REQUEST = {          # actions -> what the ValidationException's message says
    "a syntax error": ([_update("SET = :one", {":one": _v(1)})], "Syntax error"),
    "an undefined value": ([_update("SET n = :nope + :one", {":one": _v(1)})],
                           "attribute value used in expression is not defined"),
    "a :value of the wrong type for +": ([_update("SET n = n + :s", {":s": _v("x")})],
                                         "operator or function: +, operand type: S"),
    "a key without its sort key": ([{"Update": {"TableName": "T", "Key": {"pk": _v("a")},
                                                "UpdateExpression": "SET n = :one",
                                                "ExpressionAttributeValues": {":one": _v(1)}}}],
                                   "The provided key element does not match the schema"),
    "a put over 400 KB": ([{"Put": {"TableName": "T", "Item": {"pk": _v("b"), "sk": _v(1),
                                                               "x": _v("x" * 410_000)}}}],
                          "Item size has exceeded the maximum allowed size"),
    "after an action the stored item fails": ([_update("ADD s :one", {":one": _v(1)}),
                                               _update("SET = :one", {":one": _v(1)}, sk=0)],
                                              "Syntax error"),
}


@pytest.mark.parametrize("case", list(ON_THE_REQUEST))
def test_a_mistake_in_the_request_itself_refuses_the_whole_transaction(case):
    actions, says = ON_THE_REQUEST[case]
    low = _with_stored(client())
    code, message, reasons = _transact(low, [ORDER, *actions])
    assert (code, reasons) == ("ValidationException", None) and says in message, message
    _nothing_written(low)


@pytest.mark.parametrize("action", [{}, {"Put": {"TableName": "T", "Item": {"pk": _v("b"), "sk": _v(1)}},
                                     "Delete": {"TableName": "T", "Key": {"pk": _v("a"), "sk": _v(0)}}}])
def test_an_action_of_no_kind_or_of_two_kinds_refuses_the_transaction(action):
    """botocore lets both through (each kind is optional); DynamoDB refuses them (moto
    writes the actions before the faulty one, so it is no oracle here)."""
    low = _with_stored(client())
    assert _transact(low, [ORDER, action]) == (
        "ValidationException", "TransactItems can only contain one of Check, Put, Update or Delete", None)
    _nothing_written(low)
    assert "Item" not in low.get_item(TableName="T", Key={"pk": _v("b"), "sk": _v(1)})


def test_a_cancelled_transaction_through_the_resource_writes_nothing():
    db = resource()
    table = db.create_table(TableName="T", **SCHEMA)
    table.put_item(Item={"pk": "a", "sk": 9, "s": "word", "n": 1, "pad": "p" * 10_000})
    table.put_item(Item={"pk": "a", "sk": 1, "v": 0})
    low = db.meta.client                # the resource's client: plain values, as boto3's
    code, message, reasons = _transact(low, [
        {"Put": {"TableName": "T", "Item": {"pk": "order", "sk": 1}}},
        {"ConditionCheck": {"TableName": "T", "Key": {"pk": "a", "sk": 1},
                            "ConditionExpression": "v > :zero", "ExpressionAttributeValues": {":zero": 0}}},
        {"Update": {"TableName": "T", "Key": {"pk": "a", "sk": 9}, "UpdateExpression": "SET s = list_append(s, :l)",
                    "ExpressionAttributeValues": {":l": ["x"]}}}])
    assert code == "TransactionCanceledException"
    assert message.endswith("[None, ConditionalCheckFailed, ValidationError]")
    assert reasons[2] == {"Code": "ValidationError", "Message": WRONG_TYPE}
    assert table.item_count == 2 and "Item" not in table.get_item(Key={"pk": "order", "sk": 1})
    assert table.get_item(Key={"pk": "a", "sk": 9})["Item"]["s"] == "word"


@pytest.mark.parametrize("case", list(ON_THE_ITEM) + list(ON_THE_REQUEST))
def test_transaction_errors_as_moto_gives_them_or_as_documented(case):
    """moto is the one oracle with transactions (dynalite 4.0 has none): the same code and
    reasons, unless an entry of MOTO_ALONE says where DynamoDB's documentation differs."""
    actions = ([_update(*ON_THE_ITEM[case][:2])] if case in ON_THE_ITEM
               else ON_THE_REQUEST[case][0])
    answers = {}
    with mock.patch.dict(os.environ, FAKE_CREDENTIALS), moto.mock_aws():
        for name, low in (("moto", boto3.client("dynamodb", region_name="us-east-1")),
                          ("ours", client())):
            code, _, reasons = _transact(_with_stored(low), [ORDER, *actions])
            answers[name] = (code, [r["Code"] for r in reasons or ()])
            _nothing_written(low)
    if answers["moto"] != answers["ours"]:
        entry = next((e for e in MOTO_ALONE if e["when"](answers["moto"], answers["ours"])), None)
        assert entry is not None, f"moto and dynamolite disagree, undocumented: {answers!r}"
