"""Differential test: the same random operations against dynamolite and against two
oracles, boto3 on moto (in-process) and boto3 over HTTP on dynalite (a DynamoDB-protocol
server), through the resource API and through the low-level client API.

Hypothesis draws sequences of puts, updates (valid and invalid ones), deletes,
conditional writes, gets with projections, queries (every key-condition operator,
forward and backward, paginated, filtered, on the table and on a sparse global index)
and scans. Each sequence runs through one API (drawn) on the two oracles and through
both APIs on dynamolite. Pages are concatenated before comparing (moto and AWS may cut
pages differently when a Limit lands on the last item); results that DynamoDB does not
order (a Scan, ties inside a global index) are compared as sorted lists; an error is
compared by its code.

Where moto and dynalite disagree, :data:`DIFFERENCES` says which one DynamoDB's
documentation agrees with, and why; dynamolite must agree with that one, and an
undocumented disagreement fails the test.

Cost: about a minute on two cores for the 400 sequences of the default profile.
"""

import itertools
import os
import time
from unittest import mock

import pytest

boto3 = pytest.importorskip("boto3")
moto = pytest.importorskip("moto")

from boto3.dynamodb.conditions import Attr, ConditionBase, ConditionExpressionBuilder, Key  # noqa: E402
from boto3.dynamodb.types import TypeDeserializer, TypeSerializer  # noqa: E402
from botocore.exceptions import ClientError  # noqa: E402
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from dynamolite.table import client, resource  # noqa: E402
from dynalite_server import FAKE_CREDENTIALS, running_dynalite  # noqa: E402
from oracle_differences import DIFFERENCES  # noqa: E402

pytestmark = pytest.mark.xdist_group("oracles")     # one dynalite, on one worker

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
    ("SET m.x = :n", {":n": 1}),        # fails unless m is a map
    ("SET m = :m", {":m": {"x": 1}}),
    ("REMOVE m.y", None),               # an invalid document path when m is absent
    ("DELETE tags :n", {":n": 1}),      # DELETE needs a set: invalid, whatever the condition
    ("SET pk = :w", {":w": "x"}),       # a key attribute: invalid, whatever the condition
    ("SET v = :n ADD v :n", {":n": 1}),  # two overlapping paths
])

operations = st.one_of(
    st.tuples(st.just("put"), items(), st.one_of(st.none(), conditions()),
              st.sampled_from(["NONE", "ALL_OLD"])),
    st.tuples(st.just("update"), pks, sks, updates, st.one_of(st.none(), conditions()),
              st.sampled_from(["NONE", "ALL_NEW", "ALL_OLD"])),
    st.tuples(st.just("delete"), pks, sks, st.one_of(st.none(), conditions())),
    st.tuples(st.just("get"), pks, sks, st.sampled_from([None, "pk, v", "m.x, tags", "v, v"])),
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
    """("ok", the response's Item and Attributes) or ("error", code)."""
    try:
        response = call()
    except ClientError as error:
        return ("error", error.response["Error"]["Code"])
    return ("ok", {k: v for k, v in response.items() if k in ("Item", "Attributes")})


def _pages(table, **kwargs):
    """All items of a paginated query/scan, pages concatenated (or ("error", code))."""
    got, start = [], None
    for _ in range(100):
        args = dict(kwargs)
        if start is not None:
            args["ExclusiveStartKey"] = start
        try:
            response = (table.query if "KeyConditionExpression" in args else table.scan)(**args)
        except ClientError as error:
            return ("error", error.response["Error"]["Code"])
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
        _, pk, sk, projection = op
        args = {"Key": {"pk": pk, "sk": sk}, "ConsistentRead": True}
        if projection:
            args["ProjectionExpression"] = projection
        return _outcome(lambda: table.get_item(**args))
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
        if isinstance(got, tuple):
            return got
        # ties inside the index are unordered: compare index order, then the set
        return ([item["gs"] for item in got], sorted(got, key=_sort_key))
    if kind == "scan":
        _, limit, flt = op
        args = {}
        if limit:
            args["Limit"] = limit
        if flt is not None:
            args["FilterExpression"] = flt
        got = _pages(table, **args)
        return got if isinstance(got, tuple) else sorted(got, key=_sort_key)
    raise AssertionError(kind)


# ---------------------------------------------------------------------------
# The client API: the same calls, typed, with expressions as strings
# ---------------------------------------------------------------------------
_SERIALIZER, _DESERIALIZER = TypeSerializer(), TypeDeserializer()
_CONDITIONS = ("KeyConditionExpression", "FilterExpression", "ConditionExpression")


def _typed(values):
    return {k: _SERIALIZER.serialize(v) for k, v in values.items()}


def _plain(values):
    return {k: _DESERIALIZER.deserialize(v) for k, v in values.items()}


class ClientTable:
    """A table's calls made through a low-level client, as code written for
    ``boto3.client("dynamodb")`` makes them; answers turned back into plain values."""

    def __init__(self, low_level, name):
        self.client, self.name = low_level, name

    def _call(self, method, kwargs):
        args, names, values = {"TableName": self.name}, {}, {}
        builder = ConditionExpressionBuilder()
        for field, value in kwargs.items():
            if field in _CONDITIONS and isinstance(value, ConditionBase):
                built = builder.build_expression(value, field == "KeyConditionExpression")
                args[field] = built.condition_expression
                names.update(built.attribute_name_placeholders)
                values.update(built.attribute_value_placeholders)
            elif field in ("Item", "Key", "ExclusiveStartKey"):
                args[field] = _typed(value)
            elif field == "ExpressionAttributeValues":
                values.update(value)
            else:
                args[field] = value
        if names:
            args["ExpressionAttributeNames"] = names
        if values:
            args["ExpressionAttributeValues"] = _typed(values)
        response = getattr(self.client, method)(**args)
        for field in ("Item", "Attributes", "LastEvaluatedKey"):
            if field in response:
                response[field] = _plain(response[field])
        if "Items" in response:
            response["Items"] = [_plain(item) for item in response["Items"]]
        return response

    def put_item(self, **kwargs):
        return self._call("put_item", kwargs)

    def get_item(self, **kwargs):
        return self._call("get_item", kwargs)

    def update_item(self, **kwargs):
        return self._call("update_item", kwargs)

    def delete_item(self, **kwargs):
        return self._call("delete_item", kwargs)

    def query(self, **kwargs):
        return self._call("query", kwargs)

    def scan(self, **kwargs):
        return self._call("scan", kwargs)


# ---------------------------------------------------------------------------
# Where the two oracles disagree: what DynamoDB's documentation says (oracle_differences.py)
# ---------------------------------------------------------------------------
def decide(op, results):
    """The result dynamolite must give for ``op``: the oracles' common answer or, where
    they disagree, the one :data:`DIFFERENCES` names (None: undocumented)."""
    if len(set(map(repr, results.values()))) == 1:
        return next(iter(results.values())), None
    for entry in DIFFERENCES:
        if entry["when"] and entry["when"](op, results["moto"], results["dynalite"]):
            return results[entry["right"]], entry
    return None, None


def test_every_documented_difference_names_the_right_oracle_and_its_source():
    for entry in DIFFERENCES:
        assert entry["right"] in ("moto", "dynalite") and entry["source"] and entry["name"]


@pytest.fixture(scope="module")
def oracles():
    with mock.patch.dict(os.environ, FAKE_CREDENTIALS), running_dynalite() as url, moto.mock_aws():
        http = dict(endpoint_url=url, region_name="us-east-1")
        yield {"moto": (boto3.resource("dynamodb", region_name="us-east-1"),
                        boto3.client("dynamodb", region_name="us-east-1")),
               "dynalite": (boto3.resource("dynamodb", **http),
                            boto3.client("dynamodb", **http))}


_names = itertools.count()


def _until_active(low_level, name):
    """Wait (a few milliseconds) until a new table and its indexes are ACTIVE: dynalite
    makes a table CREATING first, as DynamoDB does."""
    for _ in range(1000):
        table = low_level.describe_table(TableName=name)["Table"]
        statuses = [table["TableStatus"]] + [i.get("IndexStatus", "ACTIVE")
                                             for i in table.get("GlobalSecondaryIndexes", ())]
        if set(statuses) == {"ACTIVE"}:
            return
        time.sleep(0.002)
    raise AssertionError(f"table {name} never became ACTIVE")


@pytest.mark.slow                                   # about a minute: in the whole suite
@settings(max_examples=EXAMPLES, suppress_health_check=[HealthCheck.too_slow,
                                                        HealthCheck.function_scoped_fixture])
@given(api=st.sampled_from(["resource", "client"]),
       ops=st.lists(operations, min_size=1, max_size=14))
def test_same_results_as_moto_and_dynalite(oracles, api, ops):
    name = f"table{next(_names)}"
    ours = resource().create_table(TableName=name, **SCHEMA)       # two separate accounts:
    ours_client = ClientTable(client(), name)                      # one a front door
    ours_client.client.create_table(TableName=name, **SCHEMA)
    theirs = {}
    for oracle, (res, low_level) in oracles.items():
        created = res.create_table(TableName=name, **SCHEMA)
        _until_active(low_level, name)
        theirs[oracle] = created if api == "resource" else ClientTable(low_level, name)
    try:
        for step, op in enumerate(ops):
            results = {oracle: run(table, op) for oracle, table in theirs.items()}
            expected, entry = decide(op, results)
            assert expected is not None, (
                f"step {step}: {op!r}: the oracles disagree and no entry of DIFFERENCES "
                f"decides it\n moto:     {results['moto']!r}\n dynalite: {results['dynalite']!r}")
            got = run(ours, op)
            assert got == expected, (f"step {step}: {op!r}\n expected: {expected!r}"
                                     f" ({entry['name'] if entry else 'both oracles'})\n ours: {got!r}")
            assert run(ours_client, op) == got, f"step {step}: the client API differs: {op!r}"
            ours_client.client.table(name).check()
            ours.check()
            if entry is None:         # same answers, but one oracle's table may now be wrong
                entry = next((e for e in DIFFERENCES if e.get("state") and e["state"](op)), None)
            if entry is not None and op[0] in ("put", "update", "delete"):
                # the wrong oracle's table may now hold something else: follow the right one
                theirs = {entry["right"]: theirs[entry["right"]]}
        finals = {oracle: sorted(_pages(table), key=_sort_key) for oracle, table in theirs.items()}
        assert len(set(map(repr, finals.values()))) == 1, f"the oracles' tables differ: {finals!r}"
        assert sorted(_pages(ours), key=_sort_key) == next(iter(finals.values()))
    finally:
        for oracle, (res, _) in oracles.items():
            res.Table(name).delete()


@pytest.mark.parametrize("indexes", [False, True])
@pytest.mark.parametrize("extra", ["temp", "pk"])          # an unused attribute, or one declared twice
def test_an_attribute_definition_no_key_uses_is_refused_as_by_dynamodb(oracles, indexes, extra):
    spec = {"KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
            "AttributeDefinitions": [{"AttributeName": n, "AttributeType": "S"} for n in ("pk", "g", extra)],
            "BillingMode": "PAY_PER_REQUEST"}
    if indexes:
        spec["GlobalSecondaryIndexes"] = [{"IndexName": "by_g", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                                           "Projection": {"ProjectionType": "ALL"}}]
    else:
        spec["AttributeDefinitions"].pop(1)
    trusted = {e["right"] for e in DIFFERENCES if e["name"].startswith("CreateTable refuses")}
    right = [db for oracle, (db, _) in oracles.items() if oracle in trusted]
    errors = []
    for db in (right[0], resource()):
        with pytest.raises(ClientError) as e:
            db.create_table(TableName=f"unused{next(_names)}", **spec)
        errors.append((e.value.response["Error"]["Code"], e.value.response["Error"]["Message"]))
    assert errors[0] == errors[1]
    assert errors[1][0] == "ValidationException"


@pytest.mark.parametrize("ci, outcome", [("true", pytest.fail.Exception),
                                         ("", pytest.skip.Exception)])
def test_without_node_the_oracle_test_skips_but_fails_under_ci(monkeypatch, tmp_path, ci, outcome):
    import dynalite_server
    monkeypatch.setattr(dynalite_server, "BINARY", tmp_path / "missing")
    monkeypatch.setattr(dynalite_server.shutil, "which", lambda name: None)
    monkeypatch.setenv("CI", ci)
    with pytest.raises(outcome, match="node and npm are not installed"):
        with dynalite_server.running_dynalite():
            pass
