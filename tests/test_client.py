"""Tests of dynamolite.client() (boto3.client("dynamodb")'s API) and of what issue 12 asks of
the table: batch get/write, transactions, table updates and descriptions, pagination,
legacy parameters, reserved words and DynamoDB's validation order and messages."""

import os
import re
from decimal import Decimal
from pathlib import Path
from unittest import mock

import boto3
import moto
import pytest
from boto3.dynamodb.conditions import Attr, Key
from botocore.exceptions import ClientError, ParamValidationError

import dynamolite
from dynamolite.table import client, resource
from dynamolite.table.expressions import RESERVED_WORDS

from dynalite_server import FAKE_CREDENTIALS

KEYS = dict(KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"},
                       {"AttributeName": "sk", "KeyType": "RANGE"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                                  {"AttributeName": "sk", "AttributeType": "N"}],
            BillingMode="PAY_PER_REQUEST")


def S(v):
    return {"S": v}


def N(v):
    return {"N": str(v)}


@pytest.fixture
def db():
    c = client()
    c.create_table(TableName="T", **KEYS)
    for i in range(5):
        c.put_item(TableName="T", Item={"pk": S("a"), "sk": N(i), "v": N(i * 10)})
    return c


def error(excinfo):
    return excinfo.value.response["Error"]["Code"], excinfo.value.response["Error"]["Message"]


# -- the client speaks typed values ---------------------------------------------
def test_typed_values_round_trip_and_numbers_come_back_canonical(db):
    item = {"pk": S("b"), "sk": N(1), "n": N("1.50"), "big": N("1E+2"), "b": {"B": b"\x00"},
            "t": {"BOOL": True}, "z": {"NULL": True}, "ss": {"SS": ["x", "y"]},
            "ns": {"NS": ["2", "1"]}, "l": {"L": [N(1), S("x")]}, "m": {"M": {"k": S("v")}}}
    db.put_item(TableName="T", Item=item)
    got = db.get_item(TableName="T", Key={"pk": S("b"), "sk": N(1)})["Item"]
    assert got["n"] == N("1.5") and got["big"] == N("100")
    assert sorted(got["ss"]["SS"]) == ["x", "y"] and sorted(got["ns"]["NS"]) == ["1", "2"]
    assert got["m"] == {"M": {"k": S("v")}} and got["l"] == {"L": [N(1), S("x")]}
    assert got["b"] == {"B": b"\x00"} and got["z"] == {"NULL": True}


@pytest.mark.parametrize("value, message", [
    ({}, "Supplied AttributeValue is empty"),
    ({"S": "x", "N": "1"}, "more than one datatypes"),
    ({"N": "one"}, "cannot be converted into a number"),
    ({"SS": []}, "An string set  may not be empty"),
    ({"SS": ["a", "a"]}, "contains duplicates"),
    ({"NULL": False}, "Null attribute value types must have the value of true"),
])
def test_invalid_typed_values_are_refused(db, value, message):
    with pytest.raises(ClientError) as e:
        db.put_item(TableName="T", Item={"pk": S("a"), "sk": N(9), "x": value})
    assert error(e)[0] == "ValidationException" and message in error(e)[1]


def test_parameters_are_checked_by_botocore_rules(db):
    with pytest.raises(ParamValidationError, match='Unknown parameter in input: "Bogus"'):
        db.get_item(TableName="T", Key={"pk": S("a"), "sk": N(1)}, Bogus=1)
    with pytest.raises(ParamValidationError, match="Invalid type for parameter Key.sk.N"):
        db.get_item(TableName="T", Key={"pk": S("a"), "sk": {"N": 1}})
    with pytest.raises(ParamValidationError, match='Missing required parameter in input: "Key"'):
        db.get_item(TableName="T")


def test_failed_condition_returns_the_item_typed(db):
    with pytest.raises(db.exceptions.ConditionalCheckFailedException) as e:
        db.put_item(TableName="T", Item={"pk": S("a"), "sk": N(1)},
                    ConditionExpression="attribute_not_exists(pk)",
                    ReturnValuesOnConditionCheckFailure="ALL_OLD")
    assert e.value.response["Item"] == {"pk": S("a"), "sk": N(1), "v": N(10)}


def test_package_front_door_exports_client():
    assert dynamolite.client is client
    assert isinstance(dynamolite.client(region_name="eu-west-1"), type(client()))


# -- one engine: the resource is built on the client -------------------------------
def test_resource_and_its_client_share_one_engine():
    db = resource()
    t = db.create_table(TableName="T", **KEYS)
    t.put_item(Item={"pk": "a", "sk": 1, "v": Decimal("2.5")})
    assert db.meta.client.get_item(TableName="T", Key={"pk": "a", "sk": 1})["Item"] == \
        {"pk": "a", "sk": 1, "v": Decimal("2.5")}
    db.meta.client.delete_item(TableName="T", Key={"pk": "a", "sk": 1})
    assert "Item" not in t.get_item(Key={"pk": "a", "sk": 1})


def _through_the_resource_s_client(db):
    """What boto3's documentation does with ``resource.meta.client``: plain values (a
    transaction's too) and condition objects; every answer, or the error's code."""
    low, seen = db.meta.client, []

    def record(call, **params):
        try:
            seen.append(call(**params))
        except ClientError as error:
            seen.append(error.response["Error"]["Code"])

    db.create_table(TableName="T", **KEYS)
    record(low.put_item, TableName="T", Item={"pk": "a", "sk": 1, "tags": {"x"}, "v": 3})
    record(low.transact_write_items, TransactItems=[
        {"Put": {"TableName": "T", "Item": {"pk": "a", "sk": 2, "v": Decimal("0.5")},
                 "ConditionExpression": "attribute_not_exists(pk)"}},
        {"Update": {"TableName": "T", "Key": {"pk": "a", "sk": 1}, "UpdateExpression": "SET v = v - :one",
                    "ConditionExpression": "v >= :one", "ExpressionAttributeValues": {":one": 1}}}])
    record(low.query, TableName="T", KeyConditionExpression=Key("pk").eq("a") & Key("sk").gt(0),
           FilterExpression=Attr("v").exists())
    record(low.transact_get_items, TransactItems=[{"Get": {"TableName": "T", "Key": {"pk": "a", "sk": 1}}}])
    return [{k: v for k, v in answer.items() if k in ("Item", "Items", "Count", "Responses")}
            if isinstance(answer, dict) else answer for answer in seen]


def test_the_resource_s_client_takes_plain_values_as_boto3_s_does():
    """``boto3.resource("dynamodb").meta.client`` serializes plain Python values and
    condition objects itself (boto3 registers that on the resource's client); the kit's
    does the same, so what works on one works on the other."""
    with mock.patch.dict(os.environ, FAKE_CREDENTIALS), moto.mock_aws():
        theirs = _through_the_resource_s_client(boto3.resource("dynamodb", region_name="us-east-1"))
    db = resource()
    ours = _through_the_resource_s_client(db)
    assert ours == theirs
    assert ours[3]["Responses"] == [{"Item": {"pk": "a", "sk": 1, "tags": {"x"}, "v": 2}}]
    # a typed value is a map to it, as to boto3's (moto fails on a map in a key; DynamoDB refuses)
    with pytest.raises(ClientError, match="The provided key element does not match the schema"):
        db.meta.client.get_item(TableName="T", Key={"pk": {"S": "a"}, "sk": {"N": "1"}})


# -- batches -------------------------------------------------------------------
def test_batch_write_and_get(db):
    r = db.batch_write_item(RequestItems={"T": [
        {"PutRequest": {"Item": {"pk": S("b"), "sk": N(1)}}},
        {"DeleteRequest": {"Key": {"pk": S("a"), "sk": N(0)}}}]})
    assert r["UnprocessedItems"] == {}
    r = db.batch_get_item(RequestItems={"T": {"Keys": [{"pk": S("b"), "sk": N(1)},
                                                       {"pk": S("a"), "sk": N(0)},
                                                       {"pk": S("a"), "sk": N(2)}],
                                              "ProjectionExpression": "sk"}})
    assert sorted(i["sk"]["N"] for i in r["Responses"]["T"]) == ["1", "2"]
    assert r["UnprocessedKeys"] == {}


def test_batch_refuses_duplicate_keys_and_writes_nothing(db):
    with pytest.raises(ClientError) as e:
        db.batch_write_item(RequestItems={"T": [
            {"PutRequest": {"Item": {"pk": S("c"), "sk": N(1)}}},
            {"PutRequest": {"Item": {"pk": S("c"), "sk": N(1), "x": S("y")}}}]})
    assert error(e) == ("ValidationException", "Provided list of item keys contains duplicates")
    assert "Item" not in db.get_item(TableName="T", Key={"pk": S("c"), "sk": N(1)})
    with pytest.raises(ClientError, match="contains duplicates"):
        db.batch_get_item(RequestItems={"T": {"Keys": [{"pk": S("a"), "sk": N(1)}] * 2}})


def test_batch_write_words_a_bad_key_as_not_matching_the_schema(db):
    # PutItem names the attribute; BatchWriteItem (as dynalite and DynamoDB answer) does not
    for item in ({"pk": S("e")}, {"pk": S("e"), "sk": S("one")}):
        with pytest.raises(ClientError) as e:
            db.batch_write_item(RequestItems={"T": [{"PutRequest": {"Item": item}}]})
        assert error(e) == ("ValidationException", "The provided key element does not match the schema")
        with pytest.raises(ClientError, match="Missing the key|Type mismatch for key"):
            db.put_item(TableName="T", Item=item)


def test_batch_limits(db):
    puts = [{"PutRequest": {"Item": {"pk": S("d"), "sk": N(i)}}} for i in range(26)]
    with pytest.raises(ClientError, match="Too many items requested for the BatchWriteItem call"):
        db.batch_write_item(RequestItems={"T": puts})
    keys = [{"pk": S("d"), "sk": N(i)} for i in range(101)]
    with pytest.raises(ClientError, match="Too many items requested for the BatchGetItem call"):
        db.batch_get_item(RequestItems={"T": {"Keys": keys}})


def test_resource_batch_calls():
    db = resource()
    db.create_table(TableName="T", **KEYS)
    db.batch_write_item(RequestItems={"T": [{"PutRequest": {"Item": {"pk": "a", "sk": 1}}}]})
    got = db.batch_get_item(RequestItems={"T": {"Keys": [{"pk": "a", "sk": 1}]}})
    assert got["Responses"]["T"] == [{"pk": "a", "sk": Decimal(1)}]


def test_batch_writer_sends_duplicates_as_dynamodb_would():
    t = resource().create_table(TableName="T", **KEYS)
    with pytest.raises(ClientError, match="contains duplicates"):
        with t.batch_writer() as batch:
            batch.put_item(Item={"pk": "a", "sk": 1})
            batch.put_item(Item={"pk": "a", "sk": 1, "v": 2})
    with t.batch_writer(overwrite_by_pkeys=["pk", "sk"]) as batch:
        batch.put_item(Item={"pk": "a", "sk": 1})
        batch.put_item(Item={"pk": "a", "sk": 1, "v": 2})
    assert t.get_item(Key={"pk": "a", "sk": 1})["Item"]["v"] == 2


# -- transactions ------------------------------------------------------------------
def _order(db, stock, token=None):
    """An order and its stock count, in one transaction."""
    args = dict(TransactItems=[
        {"Put": {"TableName": "T", "Item": {"pk": S("order"), "sk": N(1)},
                 "ConditionExpression": "attribute_not_exists(pk)"}},
        {"Update": {"TableName": "T", "Key": {"pk": S("a"), "sk": N(stock)},
                    "UpdateExpression": "SET v = v - :one", "ConditionExpression": "v >= :one",
                    "ExpressionAttributeValues": {":one": N(1)},
                    "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}}])
    if token:
        args["ClientRequestToken"] = token
    return db.transact_write_items(**args)


def test_transaction_fails_all_or_nothing(db):
    with pytest.raises(db.exceptions.TransactionCanceledException) as e:
        _order(db, stock=0)                       # item sk=0 has v=0: no stock left
    reasons = e.value.response["CancellationReasons"]
    assert [r["Code"] for r in reasons] == ["None", "ConditionalCheckFailed"]
    assert reasons[1]["Item"] == {"pk": S("a"), "sk": N(0), "v": N(0)}
    assert "[None, ConditionalCheckFailed]" in error(e)[1]
    assert "Item" not in db.get_item(TableName="T", Key={"pk": S("order"), "sk": N(1)})
    _order(db, stock=1)
    assert db.get_item(TableName="T", Key={"pk": S("a"), "sk": N(1)})["Item"]["v"] == N(9)
    assert "Item" in db.get_item(TableName="T", Key={"pk": S("order"), "sk": N(1)})


def test_transaction_idempotency_token(db):
    _order(db, stock=2, token="t-1")
    _order(db, stock=2, token="t-1")              # a retry: not applied twice
    assert db.get_item(TableName="T", Key={"pk": S("a"), "sk": N(2)})["Item"]["v"] == N(19)
    with pytest.raises(db.exceptions.IdempotentParameterMismatchException):
        _order(db, stock=3, token="t-1")


def test_an_idempotency_token_is_forgotten_after_ten_minutes(db):
    now = [0.0]
    db.clock = lambda: now[0]
    _order(db, stock=2, token="t-1")
    now[0] = 599.0                                # within 10 minutes: a retry, not applied again
    _order(db, stock=2, token="t-1")
    assert db.get_item(TableName="T", Key={"pk": S("a"), "sk": N(2)})["Item"]["v"] == N(19)
    db.delete_item(TableName="T", Key={"pk": S("order"), "sk": N(1)})
    now[0] = 600.0                                # 10 minutes on: a new transaction
    _order(db, stock=3, token="t-1")
    assert db.get_item(TableName="T", Key={"pk": S("a"), "sk": N(3)})["Item"]["v"] == N(29)
    now[0] = 1000.0                               # its own 10 minutes run from then
    with pytest.raises(db.exceptions.IdempotentParameterMismatchException):
        _order(db, stock=2, token="t-1")


def test_transaction_limits_and_one_operation_per_item(db):
    put = {"Put": {"TableName": "T", "Item": {"pk": S("x"), "sk": N(1)}}}
    with pytest.raises(ClientError, match="multiple operations on one item"):
        db.transact_write_items(TransactItems=[put, put])
    many = [{"Put": {"TableName": "T", "Item": {"pk": S("x"), "sk": N(i)}}} for i in range(101)]
    with pytest.raises(ClientError, match="less than or equal to 100"):
        db.transact_write_items(TransactItems=many)
    assert db.scan(TableName="T", Select="COUNT")["Count"] == 5


def test_transact_get_items(db):
    r = db.transact_get_items(TransactItems=[
        {"Get": {"TableName": "T", "Key": {"pk": S("a"), "sk": N(1)}}},
        {"Get": {"TableName": "T", "Key": {"pk": S("zz"), "sk": N(1)}}}])
    assert r["Responses"] == [{"Item": {"pk": S("a"), "sk": N(1), "v": N(10)}}, {}]


def test_condition_check_in_a_transaction(db):
    with pytest.raises(db.exceptions.TransactionCanceledException):
        db.transact_write_items(TransactItems=[
            {"ConditionCheck": {"TableName": "T", "Key": {"pk": S("a"), "sk": N(1)},
                                "ConditionExpression": "v > :n",
                                "ExpressionAttributeValues": {":n": N(100)}}},
            {"Delete": {"TableName": "T", "Key": {"pk": S("a"), "sk": N(2)}}}])
    assert "Item" in db.get_item(TableName="T", Key={"pk": S("a"), "sk": N(2)})


# -- tables: describe, update, list, paginate -------------------------------------
def test_describe_table_attributes_through_the_resource():
    db = resource()
    t = db.create_table(TableName="T", **KEYS)
    t.put_item(Item={"pk": "a", "sk": 1, "v": "xyz"})
    assert t.item_count == 1 and t.table_size_bytes == 2 + 1 + 2 + 2 + 1 + 3
    assert t.billing_mode_summary == {"BillingMode": "PAY_PER_REQUEST"}
    assert t.provisioned_throughput["ReadCapacityUnits"] == 0
    assert t.deletion_protection_enabled is False and t.table_status == "ACTIVE"
    assert t.table_arn.endswith(":table/T") and t.key_schema == KEYS["KeySchema"]


def test_table_update_adds_and_deletes_a_global_index():
    db = resource()
    t = db.create_table(TableName="T", **KEYS)
    t.put_item(Item={"pk": "a", "sk": 1, "email": "x@y"})
    t.update(AttributeDefinitions=[{"AttributeName": "email", "AttributeType": "S"}],
             GlobalSecondaryIndexUpdates=[{"Create": {
                 "IndexName": "by_email", "KeySchema": [{"AttributeName": "email", "KeyType": "HASH"}],
                 "Projection": {"ProjectionType": "ALL"}}}])
    r = t.query(IndexName="by_email", KeyConditionExpression=Key("email").eq("x@y"))
    assert r["Count"] == 1                        # the new index is filled from the table
    t.update(BillingMode="PROVISIONED",
             ProvisionedThroughput={"ReadCapacityUnits": 5, "WriteCapacityUnits": 2})
    assert t.provisioned_throughput["ReadCapacityUnits"] == 5
    assert "BillingModeSummary" not in db.meta.client.describe_table(TableName="T")["Table"]
    t.update(GlobalSecondaryIndexUpdates=[{"Delete": {"IndexName": "by_email"}}])
    with pytest.raises(ClientError, match="does not have the specified index"):
        t.query(IndexName="by_email", KeyConditionExpression=Key("email").eq("x@y"))
    t.check()


def test_list_tables_pages():
    c = client()
    for name in ("Ccc", "Aaa", "Bbb"):
        c.create_table(TableName=name, **KEYS)
    first = c.list_tables(Limit=2)
    assert first["TableNames"] == ["Aaa", "Bbb"] and first["LastEvaluatedTableName"] == "Bbb"
    rest = c.list_tables(Limit=2, ExclusiveStartTableName="Bbb")
    assert rest["TableNames"] == ["Ccc"] and "LastEvaluatedTableName" not in rest
    assert list(c.get_paginator("list_tables").paginate(PaginationConfig={"PageSize": 1})
                .search("TableNames")) == ["Aaa", "Bbb", "Ccc"]


def test_query_and_scan_paginators(db):
    pages = list(db.get_paginator("query").paginate(
        TableName="T", KeyConditionExpression="pk = :p",
        ExpressionAttributeValues={":p": S("a")}, PaginationConfig={"PageSize": 2}))
    assert [len(p["Items"]) for p in pages] == [2, 2, 1]
    full = db.get_paginator("scan").paginate(TableName="T").build_full_result()
    assert full["Count"] == 5 and db.can_paginate("scan")


def test_a_table_used_after_delete_is_not_found():
    db = resource()
    t = db.create_table(TableName="T", **KEYS)
    t.delete()
    with pytest.raises(db.meta.client.exceptions.ResourceNotFoundException):
        t.put_item(Item={"pk": "a", "sk": 1})


def test_table_name_passed_to_a_table_method_is_used_as_boto3_does():
    db = resource()
    db.create_table(TableName="T", **KEYS)
    other = db.create_table(TableName="U", **KEYS)
    other.put_item(Item={"pk": "a", "sk": 1}, TableName="T")
    assert db.Table("T").item_count == 1 and other.item_count == 0


# -- legacy parameters ---------------------------------------------------------------
def test_legacy_expected_and_attribute_updates(db):
    with pytest.raises(db.exceptions.ConditionalCheckFailedException):
        db.put_item(TableName="T", Item={"pk": S("a"), "sk": N(1)},
                    Expected={"v": {"Value": N(99)}})
    db.update_item(TableName="T", Key={"pk": S("a"), "sk": N(1)},
                   AttributeUpdates={"v": {"Action": "ADD", "Value": N(5)},
                                     "w": {"Action": "PUT", "Value": S("x")}},
                   Expected={"v": {"ComparisonOperator": "EQ", "AttributeValueList": [N(10)]},
                             "w": {"Exists": False}})
    item = db.get_item(TableName="T", Key={"pk": S("a"), "sk": N(1)}, AttributesToGet=["v", "w"])
    assert item["Item"] == {"v": N(15), "w": S("x")}


def test_legacy_key_conditions_and_filters(db):
    r = db.query(TableName="T", KeyConditions={
        "pk": {"ComparisonOperator": "EQ", "AttributeValueList": [S("a")]},
        "sk": {"ComparisonOperator": "BETWEEN", "AttributeValueList": [N(1), N(3)]}},
        QueryFilter={"v": {"ComparisonOperator": "GT", "AttributeValueList": [N(15)]},
                     "w": {"ComparisonOperator": "NOT_NULL"}},
        ConditionalOperator="OR")
    assert r["Count"] == 2 and r["ScannedCount"] == 3
    r = db.scan(TableName="T", ScanFilter={"v": {"ComparisonOperator": "IN",
                                                "AttributeValueList": [N(0), N(40)]}})
    assert r["Count"] == 2


def test_legacy_and_expression_parameters_cannot_be_mixed(db):
    with pytest.raises(ClientError) as e:
        db.put_item(TableName="T", Item={"pk": S("a"), "sk": N(7)},
                    Expected={"v": {"Exists": False}}, ConditionExpression="attribute_exists(v)")
    assert error(e)[1] == ("Can not use both expression and non-expression parameters in the "
                           "same request: Non-expression parameters: {Expected} Expression "
                           "parameters: {ConditionExpression}")
    assert "Item" not in db.get_item(TableName="T", Key={"pk": S("a"), "sk": N(7)})
    with pytest.raises(ClientError, match="ExpressionAttributeNames can only be specified"):
        db.get_item(TableName="T", Key={"pk": S("a"), "sk": N(1)},
                    ExpressionAttributeNames={"#v": "v"})


def test_legacy_operator_needs_the_right_number_of_values(db):
    with pytest.raises(ClientError, match="Invalid number of argument"):
        db.scan(TableName="T", ScanFilter={"v": {"ComparisonOperator": "BETWEEN",
                                                 "AttributeValueList": [N(1)]}})


# -- reserved words ------------------------------------------------------------------
def test_reserved_words_file_is_dynamodb_published_list():
    assert len(RESERVED_WORDS) == 573            # the count of DynamoDB's published list
    text = (Path(__file__).parents[1] / "dynamolite/table/reserved_words.txt").read_text()
    words = [w for w in text.splitlines() if w and not w.startswith("#")]
    assert words == sorted(set(words)) and all(w.isupper() for w in words)
    assert {"ABORT", "NAME", "VALUE", "YEAR", "ZONE", "FLATTERN", "INNTER"} <= RESERVED_WORDS
    dynalite = Path(__file__).parents[1] / "node_modules/dynalite/validations/index.js"
    if dynalite.exists():                         # the second oracle's own, independent copy
        theirs = set(re.findall(r"^  ([A-Z_]+): true,", dynalite.read_text(), re.M))
        assert theirs == RESERVED_WORDS


@pytest.mark.parametrize("call", [
    lambda t: t.scan(FilterExpression="name = :v", ExpressionAttributeValues={":v": "x"}),
    lambda t: t.get_item(Key={"pk": "a", "sk": 1}, ProjectionExpression="pk, value"),
    lambda t: t.update_item(Key={"pk": "a", "sk": 1}, UpdateExpression="SET year = :v",
                            ExpressionAttributeValues={":v": 1}),
])
def test_a_reserved_word_used_as_a_name_is_refused(call):
    t = resource().create_table(TableName="T", **KEYS)
    with pytest.raises(ClientError, match="Attribute name is a reserved keyword; reserved keyword: "
                                          "(name|value|year)$"):
        call(t)
    t.put_item(Item={"pk": "a", "sk": 1, "value": 3})
    got = t.get_item(Key={"pk": "a", "sk": 1}, ProjectionExpression="#v",
                     ExpressionAttributeNames={"#v": "value"})
    assert got["Item"] == {"value": 3}


# -- validation comes before the condition ------------------------------------------
@pytest.mark.parametrize("update, values, message", [
    ("SET pk = :v", {":v": "b"}, "Cannot update attribute pk. This attribute is part of the key"),
    ("SET x = :v ADD x :n", {":v": "b", ":n": 1}, "Two document paths overlap"),
    ("DELETE s :n", {":n": 1}, "operator: DELETE, operand type: NUMBER"),
    ("ADD s :v", {":v": "b"}, "operator: ADD, operand type: STRING"),
])
def test_an_invalid_update_is_invalid_even_when_its_condition_fails(update, values, message):
    t = resource().create_table(TableName="T", **KEYS)
    with pytest.raises(ClientError) as e:
        t.update_item(Key={"pk": "a", "sk": 1}, UpdateExpression=update,
                      ConditionExpression="attribute_exists(pk)", ExpressionAttributeValues=values)
    assert error(e)[0] == "ValidationException" and message in error(e)[1]


@pytest.mark.parametrize("update", ["REMOVE m.y", "DELETE m.x :s", "REMOVE n[5]"])
def test_an_invalid_document_path_is_refused(update):
    t = resource().create_table(TableName="T", **KEYS)
    t.put_item(Item={"pk": "a", "sk": 1, "n": 3})
    values = {":s": {"x"}} if ":s" in update else None
    with pytest.raises(ClientError, match="document path provided in the update expression is invalid"):
        t.update_item(Key={"pk": "a", "sk": 1}, UpdateExpression=update,
                      **({"ExpressionAttributeValues": values} if values else {}))
    assert t.get_item(Key={"pk": "a", "sk": 1})["Item"] == {"pk": "a", "sk": 1, "n": 3}


@pytest.mark.parametrize("make, message", [
    (lambda db: db.create_table(TableName="X", GlobalSecondaryIndexes=[], **KEYS),
     "List of GlobalSecondaryIndexes is empty"),
    (lambda db: db.create_table(TableName="X", LocalSecondaryIndexes=[], **KEYS),
     "List of LocalSecondaryIndexes is empty"),
    (lambda db: db.Table("T").get_item(Key={"pk": "a", "sk": 1}, ProjectionExpression="v, v"),
     "Two document paths overlap with each other"),
    (lambda db: db.Table("T").get_item(Key={"pk": "a", "sk": 1}, ReturnConsumedCapacity="Garbage"),
     "Value 'Garbage' at 'returnConsumedCapacity' failed to satisfy constraint"),
    (lambda db: db.Table("T").query(IndexName="by_g", Select="ALL_ATTRIBUTES",
                                    KeyConditionExpression=Key("g").eq("x")),
     "Select type ALL_ATTRIBUTES is not supported for global secondary index by_g"),
])
def test_validations_dynamodb_makes(make, message):
    db = resource()
    db.create_table(TableName="T", **dict(
        KEYS, AttributeDefinitions=KEYS["AttributeDefinitions"] + [
            {"AttributeName": "g", "AttributeType": "S"}],
        GlobalSecondaryIndexes=[{"IndexName": "by_g", "KeySchema": [{"AttributeName": "g",
                                                                      "KeyType": "HASH"}],
                                 "Projection": {"ProjectionType": "KEYS_ONLY"}}]))
    with pytest.raises(ClientError) as e:
        make(db)
    assert error(e)[0] == "ValidationException" and message in error(e)[1]
