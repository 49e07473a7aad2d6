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
