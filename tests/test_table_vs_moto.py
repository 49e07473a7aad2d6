"""Differential test: the same random operations against dynamolite and against
boto3 on moto's DynamoDB emulation must give the same results.

Hypothesis draws sequences of puts, updates, deletes, conditional writes,
queries (every key-condition operator, forward and backward, paginated,
filtered, on the table and on a sparse global index) and scans. Pages are
concatenated before comparing (moto and AWS may cut pages differently when a
Limit lands on the last item); results that DynamoDB does not order (a Scan,
ties inside a global index) are compared as sorted lists.
"""

import itertools
import os

import pytest

boto3 = pytest.importorskip("boto3")
moto = pytest.importorskip("moto")

from boto3.dynamodb.conditions import Attr, Key  # noqa: E402
from botocore.exceptions import ClientError  # noqa: E402
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from dynamolite.table import resource  # noqa: E402

# four times the profile's examples: 400 sequences under the default "ci" profile,
# 40 under "quick" (HYPOTHESIS_PROFILE=quick, which also skips shrinking)
EXAMPLES = 4 * settings.default.max_examples

SCHEMA = dict(
    KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"},
               {"AttributeName": "sk", "KeyType": "RANGE"}],
    AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                          {"AttributeName": "sk", "AttributeType": "N"},
                          {"AttributeName": "g", "AttributeType": "S"},
                          {"AttributeName": "gs", "AttributeType": "N"}],
    GlobalSecondaryIndexes=[{"IndexName": "by_g",
                             "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"},
                                           {"AttributeName": "gs", "KeyType": "RANGE"}],
                             "Projection": {"ProjectionType": "ALL"}}],
    BillingMode="PAY_PER_REQUEST",
)

pks = st.sampled_from(["a", "b", "c"])
sks = st.integers(0, 7)
small = st.integers(-2, 5)
words = st.sampled_from(["x", "xy", "y", "yz", "z"])


@st.composite
def items(draw):
    item = {"pk": draw(pks), "sk": draw(sks)}
    if draw(st.booleans()):
        item["v"] = draw(small)
    if draw(st.booleans()):
        item["s"] = draw(words)
    if draw(st.integers(0, 2)):             # the index is sparse: some items lack g
        item["g"] = draw(st.sampled_from(["x", "y"]))
        item["gs"] = draw(st.integers(0, 3))
    if draw(st.integers(0, 3)) == 0:
        item["tags"] = set(draw(st.lists(words, min_size=1, max_size=3)))
    return item


# conditions as boto3 condition objects (the table turns them into expressions, as boto3 does)
@st.composite
def conditions(draw, present=("v", "s", "pk", "g")):
    kind = draw(st.sampled_from(["exists", "not_exists", "eq", "ne", "lt", "gte", "between",
                                 "begins", "contains", "in", "and", "or", "not"]))
    n = draw(small)
    w = draw(words)
    if kind == "exists":
        return Attr(draw(st.sampled_from(present))).exists()
    if kind == "not_exists":
        return Attr(draw(st.sampled_from(present))).not_exists()
    if kind == "eq":
        return Attr("v").eq(n)
    if kind == "ne":
        return Attr("v").ne(n)
    if kind == "lt":
        return Attr("v").lt(n)
    if kind == "gte":
        return Attr("s").gte(w)
    if kind == "between":
        return Attr("v").between(min(n, 1), max(n, 1))
    if kind == "begins":
        return Attr("s").begins_with(w[0])
    if kind == "contains":
        return Attr(draw(st.sampled_from(["s", "tags"]))).contains(w)
    if kind == "in":
        return Attr("v").is_in([n, 0, 3])
    if kind == "not":
        return ~Attr("v").lt(n)
    left = Attr("v").gte(0)
    right = Attr("s").begins_with("x")
    return (left & right) if kind == "and" else (left | right)


@st.composite
def key_conditions(draw):
    cond = Key("pk").eq(draw(pks))
    op = draw(st.sampled_from(["none", "eq", "lt", "lte", "gt", "gte", "between"]))
    a, b = sorted([draw(sks), draw(sks)])
    extra = {"eq": Key("sk").eq(a), "lt": Key("sk").lt(a), "lte": Key("sk").lte(a),
             "gt": Key("sk").gt(a), "gte": Key("sk").gte(a),
             "between": Key("sk").between(a, b)}.get(op)
    return cond if extra is None else cond & extra


@st.composite
def gsi_key_conditions(draw):
    cond = Key("g").eq(draw(st.sampled_from(["x", "y"])))
    op = draw(st.sampled_from(["none", "eq", "lt", "gte", "between"]))
    a, b = sorted([draw(st.integers(0, 3)), draw(st.integers(0, 3))])
    extra = {"eq": Key("gs").eq(a), "lt": Key("gs").lt(a), "gte": Key("gs").gte(a),
             "between": Key("gs").between(a, b)}.get(op)
    return cond if extra is None else cond & extra


updates = st.sampled_from([
    ("SET v = :n", {":n": 1}),
    ("SET v = if_not_exists(v, :n) + :n", {":n": 2}),
    ("SET s = :w REMOVE v", {":w": "xy"}),
    ("ADD v :n", {":n": 3}),
    ("ADD tags :t", {":t": {"x", "q"}}),
    ("DELETE tags :t", {":t": {"x"}}),
    ("REMOVE s, tags", None),
    ("SET g = :g, gs = :n", {":g": "y", ":n": 2}),
    ("REMOVE g", None),
    ("SET v = v - :n", {":n": 1}),      # fails when v is missing: both must refuse
])

operations = st.one_of(
    st.tuples(st.just("put"), items(), st.one_of(st.none(), conditions()),
              st.sampled_from(["NONE", "ALL_OLD"])),
    st.tuples(st.just("update"), pks, sks, updates, st.one_of(st.none(), conditions()),
              st.sampled_from(["NONE", "ALL_NEW", "ALL_OLD"])),
    st.tuples(st.just("delete"), pks, sks, st.one_of(st.none(), conditions())),
    st.tuples(st.just("get"), pks, sks),
    st.tuples(st.just("query"), key_conditions(), st.booleans(),
              st.one_of(st.none(), st.integers(1, 4)),
              st.one_of(st.none(), conditions(("v", "s", "g"))),
              st.booleans()),
    st.tuples(st.just("gsi"), gsi_key_conditions(), st.booleans(),
              st.one_of(st.none(), st.integers(1, 3)),
              st.one_of(st.none(), conditions(("v", "s", "pk")))),
    st.tuples(st.just("scan"), st.one_of(st.none(), st.integers(1, 5)),
              st.one_of(st.none(), conditions())),
)


def _outcome(call):
    """(\"ok\", response without metadata) or (\"error\", code)."""
    try:
        response = call()
    except ClientError as error:
        return ("error", error.response["Error"]["Code"])
    return ("ok", {k: v for k, v in response.items()
                   if k in ("Item", "Attributes")})


def _pages(table, **kwargs):
    """All items of a paginated query/scan, pages concatenated."""
    got, start = [], None
    for _ in range(100):
        args = dict(kwargs)
        if start is not None:
            args["ExclusiveStartKey"] = start
        response = (table.query if "KeyConditionExpression" in args else table.scan)(**args)
        got.extend(response["Items"])
        start = response.get("LastEvaluatedKey")
        if start is None:
            return got
    raise AssertionError("pagination did not end")


def _sort_key(item):
    return (item["pk"], item["sk"])


def run(table, op):
    kind = op[0]
    if kind == "put":
        _, item, cond, returns = op
        args = {"Item": item, "ReturnValues": returns}
        if cond is not None:
            args["ConditionExpression"] = cond
        return _outcome(lambda: table.put_item(**args))
    if kind == "update":
        _, pk, sk, (expression, values), cond, returns = op
        args = {"Key": {"pk": pk, "sk": sk}, "UpdateExpression": expression,
                "ReturnValues": returns}
        if values:
            args["ExpressionAttributeValues"] = dict(values)
        if cond is not None:
            args["ConditionExpression"] = cond
        return _outcome(lambda: table.update_item(**args))
    if kind == "delete":
        _, pk, sk, cond = op
        args = {"Key": {"pk": pk, "sk": sk}, "ReturnValues": "ALL_OLD"}
        if cond is not None:
            args["ConditionExpression"] = cond
        return _outcome(lambda: table.delete_item(**args))
    if kind == "get":
        _, pk, sk = op
        return _outcome(lambda: table.get_item(Key={"pk": pk, "sk": sk}, ConsistentRead=True))
    if kind == "query":
        _, cond, forward, limit, flt, project = op
        args = {"KeyConditionExpression": cond, "ScanIndexForward": forward}
        if limit:
            args["Limit"] = limit
        if flt is not None:
            args["FilterExpression"] = flt
        if project:
            args["ProjectionExpression"] = "pk, sk, v"
        return _pages(table, **args)
    if kind == "gsi":
        _, cond, forward, limit, flt = op
        args = {"IndexName": "by_g", "KeyConditionExpression": cond, "ScanIndexForward": forward}
        if limit:
            args["Limit"] = limit
        if flt is not None:
            args["FilterExpression"] = flt
        got = _pages(table, **args)
        # ties inside the index are unordered: compare index order, then the set
        order = [item["gs"] for item in got]
        return (order, sorted(got, key=_sort_key))
    if kind == "scan":
        _, limit, flt = op
        args = {}
        if limit:
            args["Limit"] = limit
        if flt is not None:
            args["FilterExpression"] = flt
        return sorted(_pages(table, **args), key=_sort_key)
    raise AssertionError(kind)


@pytest.fixture(scope="module")
def aws():
    saved = {k: os.environ.get(k) for k in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY",
                                             "AWS_DEFAULT_REGION", "AWS_SESSION_TOKEN")}
    os.environ.update(AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing",
                      AWS_DEFAULT_REGION="us-east-1", AWS_SESSION_TOKEN="testing")
    with moto.mock_aws():
        yield boto3.resource("dynamodb", region_name="us-east-1")
    for k, v in saved.items():
        if v is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = v


_names = itertools.count()


@settings(max_examples=EXAMPLES, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(ops=st.lists(operations, min_size=1, max_size=14))
def test_same_results_as_boto3_on_moto(aws, ops):
    name = f"t{next(_names)}"
    theirs = aws.create_table(TableName=name, **SCHEMA)
    ours = resource().create_table(TableName=name, **SCHEMA)
    try:
        for step, op in enumerate(ops):
            expected = run(theirs, op)
            got = run(ours, op)
            assert got == expected, f"step {step}: {op!r}\n moto: {expected!r}\n ours: {got!r}"
            ours.check()
        assert sorted(_pages(ours), key=_sort_key) == sorted(_pages(theirs), key=_sort_key)
    finally:
        theirs.delete()


@pytest.mark.parametrize("indexes", [False, True])
@pytest.mark.parametrize("extra", ["temp", "pk"])          # an unused attribute, or one declared twice
def test_an_attribute_definition_no_key_uses_is_refused_as_by_dynamodb(aws, indexes, extra):
    spec = {"KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
            "AttributeDefinitions": [{"AttributeName": n, "AttributeType": "S"} for n in ("pk", "g", extra)],
            "BillingMode": "PAY_PER_REQUEST"}
    if indexes:
        spec["GlobalSecondaryIndexes"] = [{"IndexName": "by_g", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                                           "Projection": {"ProjectionType": "ALL"}}]
    else:
        spec["AttributeDefinitions"].pop(1)
    errors = []
    for db in (aws, resource()):
        with pytest.raises(ClientError) as e:
            db.create_table(TableName=f"unused{next(_names)}", **spec)
        errors.append((e.value.response["Error"]["Code"], e.value.response["Error"]["Message"]))
    assert errors[0] == errors[1]
    assert errors[1][0] == "ValidationException"
