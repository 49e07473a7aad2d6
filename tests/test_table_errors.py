"""Every public call of the table, given invalid input, raises botocore's ClientError:
never a private exception of the table's own (one error path)."""

from decimal import Decimal

import pytest
from boto3.dynamodb.conditions import Attr, Key
from botocore.exceptions import ClientError

from dynamolite.table import resource

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
    "query: bad limit": lambda t: t.query(KeyConditionExpression=Key("pk").eq("a"), Limit=0),
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
    from dynamolite.table import client
    c = client()
    c.create_table(TableName="T", **SCHEMA)
    c.put_item(TableName="T", Item=_key("x", 1))
    with pytest.raises(ClientError) as e:
        CLIENT_INVALID[case](c)
    assert e.value.response["Error"]["Code"].endswith(("Exception", "Exceeded"))
    assert c.scan(TableName="T")["Count"] == 1
