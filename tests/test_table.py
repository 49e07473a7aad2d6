"""Unit and property tests of dynamolite.table (the DynamoDB-style table)."""

from decimal import Decimal

import pytest
from boto3.dynamodb.conditions import Attr, Key
from boto3.dynamodb.types import Binary
from botocore.exceptions import ClientError
from hypothesis import given, settings
from hypothesis import strategies as st

from dynamolite.table import resource
from dynamolite.table.values import ITEM_LIMIT, PAGE_LIMIT, item_size


def make(db=None, gsi=True, lsi=False, name="T", sk_type="N"):
    db = db or resource()
    args = dict(
        TableName=name,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"},
                   {"AttributeName": "sk", "KeyType": "RANGE"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                              {"AttributeName": "sk", "AttributeType": sk_type}],
        BillingMode="PAY_PER_REQUEST")
    if gsi:
        args["AttributeDefinitions"].append({"AttributeName": "email", "AttributeType": "S"})
        args["GlobalSecondaryIndexes"] = [{
            "IndexName": "by_email",
            "KeySchema": [{"AttributeName": "email", "KeyType": "HASH"}],
            "Projection": {"ProjectionType": "KEYS_ONLY"}}]
    if lsi:
        args["AttributeDefinitions"].append({"AttributeName": "age", "AttributeType": "N"})
        args["LocalSecondaryIndexes"] = [{
            "IndexName": "by_age",
            "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"},
                          {"AttributeName": "age", "KeyType": "RANGE"}],
            "Projection": {"ProjectionType": "ALL"}}]
    return db.create_table(**args)


def code(excinfo):
    return excinfo.value.response["Error"]["Code"]


def message(excinfo):
    return excinfo.value.response["Error"]["Message"]


@pytest.fixture
def table():
    t = make()
    for i in range(10):
        t.put_item(Item={"pk": "u", "sk": i, "n": i * 10})
    return t


# -- items and types ---------------------------------------------------------
def test_numbers_come_back_as_decimal_and_values_round_trip():
    t = make()
    item = {"pk": "a", "sk": 1, "i": 7, "d": Decimal("1.25"), "s": "x", "b": b"\x00\x01",
            "t": True, "z": None, "ss": {"a", "b"}, "ns": {1, 2}, "l": [1, "x", [2]],
            "m": {"k": {"n": 3}}}
    t.put_item(Item=item)
    got = t.get_item(Key={"pk": "a", "sk": 1})["Item"]
    assert got["i"] == Decimal(7) and isinstance(got["i"], Decimal)
    assert got["b"] == Binary(b"\x00\x01")
    assert got["ns"] == {Decimal(1), Decimal(2)}
    assert got["m"] == {"k": {"n": Decimal(3)}}
    assert got["l"] == [Decimal(1), "x", [Decimal(2)]]
    t.check()


def test_float_refused_with_boto3_message():
    t = make()
    with pytest.raises(TypeError, match="Float types are not supported. Use Decimal types instead."):
        t.put_item(Item={"pk": "a", "sk": 1, "x": 1.5})
    assert t.item_count == 0


def test_returned_items_are_copies():
    t = make()
    t.put_item(Item={"pk": "a", "sk": 1, "l": [1]})
    t.get_item(Key={"pk": "a", "sk": 1})["Item"]["l"].append(2)
    assert t.get_item(Key={"pk": "a", "sk": 1})["Item"]["l"] == [1]


def test_missing_item_has_no_item_key(table):
    response = table.get_item(Key={"pk": "nobody", "sk": 1})
    assert "Item" not in response and response["ResponseMetadata"]["HTTPStatusCode"] == 200


def test_put_replaces_and_returns_old(table):
    r = table.put_item(Item={"pk": "u", "sk": 1, "new": True}, ReturnValues="ALL_OLD")
    assert r["Attributes"]["n"] == 10
    assert table.get_item(Key={"pk": "u", "sk": 1})["Item"] == {"pk": "u", "sk": 1, "new": True}


def test_delete(table):
    r = table.delete_item(Key={"pk": "u", "sk": 3}, ReturnValues="ALL_OLD")
    assert r["Attributes"]["n"] == 30
    assert "Item" not in table.get_item(Key={"pk": "u", "sk": 3})
    table.delete_item(Key={"pk": "u", "sk": 3})          # deleting nothing is fine
    table.check()


# -- errors shaped as boto3 raises them ---------------------------------------
def test_conditional_check_failed_is_a_client_error(table):
    with pytest.raises(table.meta.client.exceptions.ConditionalCheckFailedException) as e:
        table.put_item(Item={"pk": "u", "sk": 1}, ConditionExpression=Attr("pk").not_exists())
    assert isinstance(e.value, ClientError)
    assert code(e) == "ConditionalCheckFailedException"
    assert message(e) == "The conditional request failed"
    assert table.get_item(Key={"pk": "u", "sk": 1})["Item"]["n"] == 10   # unchanged


def test_condition_strings_and_objects_agree(table):
    table.put_item(Item={"pk": "u", "sk": 99}, ConditionExpression="attribute_not_exists(pk)")
    with pytest.raises(ClientError):
        table.put_item(Item={"pk": "u", "sk": 99}, ConditionExpression="attribute_not_exists(pk)")
    table.update_item(Key={"pk": "u", "sk": 2}, UpdateExpression="SET n = :v",
                      ConditionExpression="n = :old AND #k = :u",
                      ExpressionAttributeNames={"#k": "pk"},
                      ExpressionAttributeValues={":v": 5, ":old": 20, ":u": "u"})
    assert table.get_item(Key={"pk": "u", "sk": 2})["Item"]["n"] == 5


def test_missing_table_raises_resource_not_found():
    db = resource()
    with pytest.raises(ClientError) as e:
        db.Table("Nope").get_item(Key={"pk": "a"})
    assert code(e) == "ResourceNotFoundException"
    assert isinstance(e.value, db.meta.client.exceptions.ResourceNotFoundException)


def test_key_errors_are_validation_exceptions(table):
    with pytest.raises(ClientError) as e:
        table.put_item(Item={"pk": "u"})
    assert code(e) == "ValidationException" and "Missing the key sk" in message(e)
    with pytest.raises(ClientError) as e:
        table.put_item(Item={"pk": "u", "sk": "not a number"})
    assert "Type mismatch for key sk expected: N actual: S" in message(e)
    with pytest.raises(ClientError) as e:
        table.get_item(Key={"pk": "u"})
    assert message(e) == "The provided key element does not match the schema"


def test_item_and_key_limits_write_nothing():
    t = make()
    with pytest.raises(ClientError) as e:
        t.put_item(Item={"pk": "a", "sk": 1, "blob": "x" * ITEM_LIMIT})
    assert message(e) == "Item size has exceeded the maximum allowed size"
    with pytest.raises(ClientError) as e:
        t.put_item(Item={"pk": "p" * 2049, "sk": 1})
    assert "Size of hashkey has exceeded" in message(e)
    t2 = make(name="S", sk_type="S")
    with pytest.raises(ClientError) as e:
        t2.put_item(Item={"pk": "a", "sk": "s" * 1025})
    assert "range keys has exceeded the size limit of 1024 bytes" in message(e)
    t.put_item(Item={"pk": "a", "sk": 1, "blob": "x" * 1000})
    with pytest.raises(ClientError):
        t.update_item(Key={"pk": "a", "sk": 1}, UpdateExpression="SET big = :b",
                      ExpressionAttributeValues={":b": "y" * ITEM_LIMIT})
    assert "big" not in t.get_item(Key={"pk": "a", "sk": 1})["Item"]
    assert t.item_count == 1
    t.check()


def test_unused_expression_value_refused(table):
    with pytest.raises(ClientError) as e:
        table.query(KeyConditionExpression="pk = :p",
                    ExpressionAttributeValues={":p": "u", ":unused": 1})
    assert "unused in expressions" in message(e)


def test_undefined_placeholder_refused(table):
    with pytest.raises(ClientError) as e:
        table.query(KeyConditionExpression="pk = :p")
    assert "attribute value used in expression is not defined" in message(e)


def test_syntax_error(table):
    with pytest.raises(ClientError) as e:
        table.query(KeyConditionExpression="pk = = :p", ExpressionAttributeValues={":p": "u"})
    assert code(e) == "ValidationException" and "Syntax error" in message(e)


# -- query ---------------------------------------------------------------------
@pytest.mark.parametrize("cond, expected", [
    (Key("sk").eq(3), [3]),
    (Key("sk").lt(3), [0, 1, 2]),
    (Key("sk").lte(3), [0, 1, 2, 3]),
    (Key("sk").gt(7), [8, 9]),
    (Key("sk").gte(7), [7, 8, 9]),
    (Key("sk").between(2, 4), [2, 3, 4]),
])
def test_query_sort_key_operators(table, cond, expected):
    r = table.query(KeyConditionExpression=Key("pk").eq("u") & cond)
    assert [i["sk"] for i in r["Items"]] == expected
    r = table.query(KeyConditionExpression=Key("pk").eq("u") & cond, ScanIndexForward=False)
    assert [i["sk"] for i in r["Items"]] == expected[::-1]


def test_query_begins_with_on_strings():
    t = make(sk_type="S", gsi=False)
    for s in ["2024-01-05", "2024-02-01", "2024-02-17", "2025-02-01", "2024-02"]:
        t.put_item(Item={"pk": "c", "sk": s})
    r = t.query(KeyConditionExpression=Key("pk").eq("c") & Key("sk").begins_with("2024-02"))
    assert [i["sk"] for i in r["Items"]] == ["2024-02", "2024-02-01", "2024-02-17"]
    r = t.query(KeyConditionExpression="pk = :p AND begins_with(sk, :x)", ScanIndexForward=False,
                ExpressionAttributeValues={":p": "c", ":x": "2024-02"})
    assert [i["sk"] for i in r["Items"]] == ["2024-02-17", "2024-02-01", "2024-02"]


def test_query_pagination_and_count(table):
    seen, start = [], None
    while True:
        args = {"KeyConditionExpression": Key("pk").eq("u"), "Limit": 3}
        if start:
            args["ExclusiveStartKey"] = start
        r = table.query(**args)
        seen += [i["sk"] for i in r["Items"]]
        start = r.get("LastEvaluatedKey")
        if not start:
            break
    assert seen == list(range(10))
    r = table.query(KeyConditionExpression=Key("pk").eq("u"), Select="COUNT")
    assert r["Count"] == 10 and "Items" not in r


def test_filter_applies_after_limit(table):
    r = table.query(KeyConditionExpression=Key("pk").eq("u"), Limit=4,
                    FilterExpression=Attr("n").gte(20))
    assert r["ScannedCount"] == 4 and r["Count"] == 2
    assert r["Dynamolite"]["items_examined"] == 4


def test_projection(table):
    table.put_item(Item={"pk": "p", "sk": 1, "a": {"b": 1, "c": 2}, "l": [5, 6, 7], "z": 0})
    item = table.get_item(Key={"pk": "p", "sk": 1}, ProjectionExpression="a.b, l[1], #z",
                          ExpressionAttributeNames={"#z": "z"})["Item"]
    assert item == {"a": {"b": 1}, "l": [6], "z": 0}


def test_query_needs_partition_key_equality(table):
    with pytest.raises(ClientError) as e:
        table.query(KeyConditionExpression="sk > :s", ExpressionAttributeValues={":s": 1})
    assert message(e) == "Query condition missed key schema element: pk"
    with pytest.raises(ClientError) as e:
        table.query(KeyConditionExpression=Key("pk").gt("a"))
    assert message(e) == "Query key condition not supported"
    with pytest.raises(ClientError) as e:
        table.query(KeyConditionExpression=Key("pk").eq(5))
    assert "Condition parameter type does not match schema type" in message(e)
    with pytest.raises(ClientError) as e:
        table.query(KeyConditionExpression="pk = :p AND n = :n",
                    ExpressionAttributeValues={":p": "u", ":n": 1})
    assert message(e) == "Query condition missed key schema element: sk"
    with pytest.raises(ClientError) as e:
        table.query(KeyConditionExpression="n = :n", ExpressionAttributeValues={":n": 1})
    assert message(e) == "Query condition missed key schema element: pk"


def test_query_cost_is_proportional_to_result_not_table():
    t = make(gsi=False)
    for i in range(2000):
        t.put_item(Item={"pk": f"user{i % 50}", "sk": i})
    r = t.query(KeyConditionExpression=Key("pk").eq("user7") & Key("sk").between(0, 500))
    assert r["Dynamolite"]["items_examined"] == r["Count"] == 10     # 7, 57, ..., 457
    assert r["Dynamolite"]["partitions_touched"] == 1
    s = t.scan(Select="COUNT")
    assert s["Dynamolite"]["items_examined"] == 2000
    assert s["Dynamolite"]["partitions_touched"] > 1


def test_page_stops_at_one_megabyte():
    t = make(gsi=False)
    for i in range(30):
        t.put_item(Item={"pk": "big", "sk": i, "blob": "x" * 100_000})
    r = t.query(KeyConditionExpression=Key("pk").eq("big"))
    assert 0 < r["Count"] < 30 and "LastEvaluatedKey" in r
    assert sum(item_size(i) for i in r["Items"]) >= PAGE_LIMIT - 100_500


# -- capacity ----------------------------------------------------------------
def test_consumed_capacity_follows_dynamodb_rules():
    t = make(gsi=False)
    r = t.put_item(Item={"pk": "a", "sk": 1, "x": "y" * 1500}, ReturnConsumedCapacity="TOTAL")
    assert r["ConsumedCapacity"]["CapacityUnits"] == 2                # 1 KB per write unit
    r = t.get_item(Key={"pk": "a", "sk": 1}, ReturnConsumedCapacity="TOTAL")
    assert r["ConsumedCapacity"]["CapacityUnits"] == 0.5             # eventually consistent
    r = t.get_item(Key={"pk": "a", "sk": 1}, ConsistentRead=True, ReturnConsumedCapacity="TOTAL")
    assert r["ConsumedCapacity"]["CapacityUnits"] == 1.0
    t.put_item(Item={"pk": "a", "sk": 2, "x": "y" * 9000})
    r = t.get_item(Key={"pk": "a", "sk": 2}, ConsistentRead=True, ReturnConsumedCapacity="TOTAL")
    assert r["ConsumedCapacity"]["CapacityUnits"] == 3.0             # 4 KB per read unit


# -- update ------------------------------------------------------------------
def test_update_set_remove_add_delete(table):
    r = table.update_item(
        Key={"pk": "u", "sk": 1},
        UpdateExpression="SET n = n + :one, #l = list_append(if_not_exists(#l, :empty), :x) "
                         "REMOVE gone ADD cnt :one, tags :t DELETE extra :o",
        ExpressionAttributeNames={"#l": "log"},
        ExpressionAttributeValues={":one": 1, ":empty": [], ":x": ["hi"], ":t": {"a", "b"},
                                   ":o": {"z"}},
        ReturnValues="ALL_NEW")
    assert r["Attributes"] == {"pk": "u", "sk": 1, "n": 11, "log": ["hi"], "cnt": 1,
                               "tags": {"a", "b"}}


def test_update_creates_item_and_refuses_key_change(table):
    table.update_item(Key={"pk": "new", "sk": 1}, UpdateExpression="SET a = :a",
                      ExpressionAttributeValues={":a": "x"})
    assert table.get_item(Key={"pk": "new", "sk": 1})["Item"] == {"pk": "new", "sk": 1, "a": "x"}
    with pytest.raises(ClientError) as e:
        table.update_item(Key={"pk": "new", "sk": 1}, UpdateExpression="SET pk = :a",
                          ExpressionAttributeValues={":a": "y"})
    assert "This attribute is part of the key" in message(e)


def test_update_values_come_from_the_old_item(table):
    table.update_item(Key={"pk": "u", "sk": 1}, UpdateExpression="SET a = :x, b = :y",
                      ExpressionAttributeValues={":x": 1, ":y": 2})
    table.update_item(Key={"pk": "u", "sk": 1}, UpdateExpression="SET a = b, b = a")
    item = table.get_item(Key={"pk": "u", "sk": 1})["Item"]
    assert (item["a"], item["b"]) == (2, 1)


def test_update_wrong_type_writes_nothing(table):
    with pytest.raises(ClientError):
        table.update_item(Key={"pk": "u", "sk": 1}, UpdateExpression="SET a = :a ADD n :s",
                          ExpressionAttributeValues={":a": 1, ":s": "text"})
    assert "a" not in table.get_item(Key={"pk": "u", "sk": 1})["Item"]


# -- indexes -----------------------------------------------------------------
def test_gsi_is_sparse_and_refuses_consistent_reads():
    t = make()
    t.put_item(Item={"pk": "a", "sk": 1, "email": "a@x"})
    t.put_item(Item={"pk": "b", "sk": 1})                              # no email: not indexed
    assert t.scan(IndexName="by_email")["Count"] == 1
    r = t.query(IndexName="by_email", KeyConditionExpression=Key("email").eq("a@x"))
    assert r["Items"] == [{"pk": "a", "sk": 1, "email": "a@x"}]        # KEYS_ONLY projection
    with pytest.raises(ClientError) as e:
        t.query(IndexName="by_email", KeyConditionExpression=Key("email").eq("a@x"),
                ConsistentRead=True)
    assert message(e) == "Consistent reads are not supported on global secondary indexes"
    t.update_item(Key={"pk": "a", "sk": 1}, UpdateExpression="REMOVE email")
    assert t.scan(IndexName="by_email")["Count"] == 0
    with pytest.raises(ClientError) as e:
        t.query(IndexName="nope", KeyConditionExpression=Key("email").eq("a@x"))
    assert code(e) == "ValidationException"
    t.check()


def test_index_key_of_wrong_type_refused():
    t = make()
    with pytest.raises(ClientError) as e:
        t.put_item(Item={"pk": "a", "sk": 1, "email": 5})
    assert "Type mismatch for Index Key email" in message(e)
    assert t.item_count == 0


def test_lsi_query_by_other_sort_key():
    t = make(lsi=True, gsi=False)
    for i, age in enumerate([40, 20, 30]):
        t.put_item(Item={"pk": "fam", "sk": i, "age": age})
    r = t.query(IndexName="by_age", KeyConditionExpression=Key("pk").eq("fam") & Key("age").gt(25),
                ConsistentRead=True)
    assert [i["age"] for i in r["Items"]] == [30, 40]


# -- scan --------------------------------------------------------------------
def test_scan_segments_partition_the_table():
    t = make(gsi=False)
    for i in range(200):
        t.put_item(Item={"pk": f"k{i}", "sk": 0})
    seen = []
    for segment in range(4):
        seen += [i["pk"] for i in t.scan(Segment=segment, TotalSegments=4)["Items"]]
    assert sorted(seen) == sorted(f"k{i}" for i in range(200))


def test_scan_pagination_covers_everything_once():
    t = make(gsi=False)
    for i in range(57):
        t.put_item(Item={"pk": f"k{i % 13}", "sk": i})
    got, start = [], None
    while True:
        args = {"Limit": 5, "FilterExpression": Attr("sk").gte(0)}
        if start:
            args["ExclusiveStartKey"] = start
        r = t.scan(**args)
        got += [(i["pk"], i["sk"]) for i in r["Items"]]
        start = r.get("LastEvaluatedKey")
        if not start:
            break
    assert sorted(got) == sorted((f"k{i % 13}", i) for i in range(57))


def test_batch_writer():
    t = make()
    with t.batch_writer() as batch:
        for i in range(60):
            batch.put_item(Item={"pk": "b", "sk": i})
        batch.delete_item(Key={"pk": "b", "sk": 0})
    assert t.query(KeyConditionExpression=Key("pk").eq("b"), Select="COUNT")["Count"] == 59


def test_create_table_errors():
    db = resource()
    make(db)
    with pytest.raises(ClientError) as e:
        make(db)
    assert code(e) == "ResourceInUseException"
    with pytest.raises(ClientError) as e:
        db.create_table(TableName="X", KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                        AttributeDefinitions=[], BillingMode="PAY_PER_REQUEST")
    assert code(e) == "ValidationException"


# -- property: random operations keep every invariant and agree with a dict --
ops = st.lists(st.tuples(st.sampled_from(["put", "delete", "update"]),
                         st.sampled_from("abc"), st.integers(0, 5),
                         st.one_of(st.none(), st.sampled_from(["x", "y"]))),
               max_size=40)


@settings(max_examples=150, deadline=None)
@given(ops)
def test_random_operations_match_a_model(sequence):
    t = make()
    model = {}
    for op, pk, sk, email in sequence:
        key = {"pk": pk, "sk": sk}
        if op == "put":
            item = dict(key, **({"email": email} if email else {}))
            t.put_item(Item=item)
            model[(pk, sk)] = item
        elif op == "delete":
            t.delete_item(Key=key)
            model.pop((pk, sk), None)
        else:
            t.update_item(Key=key, UpdateExpression="ADD hits :one",
                          ExpressionAttributeValues={":one": 1})
            item = model.setdefault((pk, sk), dict(key))
            item["hits"] = item.get("hits", 0) + 1
        t.check()
    for pk in "abc":
        got = t.query(KeyConditionExpression=Key("pk").eq(pk))["Items"]
        assert got == [model[k] for k in sorted(model) if k[0] == pk]
    indexed = sorted(k for k, v in model.items() if "email" in v)
    assert sorted((i["pk"], i["sk"]) for i in t.scan(IndexName="by_email")["Items"]) == indexed
