"""Tests of dynamolite.table.expressions: the parser and the evaluator on their own."""

from decimal import Decimal

import pytest
from boto3.dynamodb.conditions import Attr, ConditionExpressionBuilder, Key
from boto3.dynamodb.types import Binary
from hypothesis import given
from hypothesis import strategies as st

from dynamolite.table.errors import Refused
from dynamolite.table.evaluation import Placeholders, evaluate, resolve
from dynamolite.table.expressions import (from_boto3, parse_condition, parse_projection,
                                          parse_update, used_placeholders)
from dynamolite.table.values import MISSING


def message(excinfo):
    return excinfo.value.message


# -- parsing -------------------------------------------------------------------
def test_precedence_not_over_and_over_or():
    assert parse_condition("a = :x OR b = :y AND NOT c = :z") == (
        "or", ("cmp", "=", ("path", ("a",)), ("value", ":x")),
        ("and", ("cmp", "=", ("path", ("b",)), ("value", ":y")),
         ("not", ("cmp", "=", ("path", ("c",)), ("value", ":z")))))


def test_parentheses_group():
    tree = parse_condition("(a = :x OR b = :y) AND c = :z")
    assert tree[0] == "and" and tree[1][0] == "or"


def test_paths_with_maps_lists_and_names():
    assert parse_projection("a.b[2].c, #n, d [ 0 ]") == (
        ("path", ("a", "b", 2, "c")), ("path", (("#", "#n"),)), ("path", ("d", 0)))


def test_keywords_are_case_insensitive():
    assert parse_condition("a between :x and :y") == parse_condition("a BETWEEN :x AND :y")


def test_functions_and_in_and_size():
    tree = parse_condition("attribute_exists(a) AND size(b) > :n AND c IN (:x, :y)")
    assert tree[1][1] == ("attribute_exists", ("path", ("a",)))
    assert tree[1][2] == ("cmp", ">", ("size", ("path", ("b",))), ("value", ":n"))
    assert tree[2] == ("in", ("path", ("c",)), (("value", ":x"), ("value", ":y")))


def test_update_clauses_and_values():
    actions = parse_update("SET a = a + :one, b = if_not_exists(b, :z) REMOVE c ADD d :s DELETE e :t")
    assert actions["SET"][0] == (("path", ("a",)), ("arith", "+", ("path", ("a",)), ("value", ":one")))
    assert actions["SET"][1][1] == ("if_not_exists", ("path", ("b",)), ("value", ":z"))
    assert actions["REMOVE"] == [(("path", ("c",)), None)]
    assert actions["ADD"] == [(("path", ("d",)), ("value", ":s"))]
    assert actions["DELETE"] == [(("path", ("e",)), ("value", ":t"))]


@pytest.mark.parametrize("text, expected", [
    ("a = ", 'Invalid ConditionExpression: Syntax error; token: "<EOF>", near: "a ="'),
    ("a = :v AND", 'Invalid ConditionExpression: Syntax error; token: "<EOF>", near: ":v AND"'),
    ("a ! :v", 'Invalid ConditionExpression: Syntax error; token: "!", near: "a !"'),
    ("", "Invalid ConditionExpression: The expression can not be empty;"),
    ("begins_with(a)", "Invalid ConditionExpression: Incorrect number of operands for operator or "
                       "function; operator or function: begins_with, number of operands: 1"),
    ("contains(:v, a)", "Invalid ConditionExpression: Operator or function requires a document "
                        "path; operator or function: contains"),
])
def test_condition_syntax_errors_name_the_rule(text, expected):
    with pytest.raises(Refused) as e:
        parse_condition(text)
    assert message(e) == expected
    assert e.value.code == "ValidationException"


def test_an_update_clause_used_twice_is_refused():
    with pytest.raises(Refused) as e:
        parse_update("SET a = :x SET b = :y")
    assert 'The "SET" section can only be used once' in message(e)


# -- placeholders ------------------------------------------------------------
def test_used_placeholders_collects_names_and_values():
    names, values = set(), set()
    used_placeholders(parse_condition("#a.b = :x AND size(#c) > :y"), names, values)
    assert names == {"#a", "#c"} and values == {":x", ":y"}


def test_undefined_placeholders_name_the_expression():
    ph = Placeholders({}, {}, "FilterExpression")
    with pytest.raises(Refused, match="Invalid FilterExpression: An expression attribute name"):
        ph.name(("#", "#n"))
    with pytest.raises(Refused, match="attribute value: :v"):
        ph.value(":v")


# -- evaluation --------------------------------------------------------------
ITEM = {"pk": "a", "n": Decimal(3), "s": "hello", "b": Binary(b"\x01\x02"), "t": True,
        "z": None, "ss": {"x", "y"}, "l": [Decimal(1), "two"], "m": {"k": {"n": Decimal(5)}}}


@pytest.mark.parametrize("text, values, expected", [
    ("n = :v", {":v": Decimal(3)}, True),
    ("n = :v", {":v": "3"}, False),                       # types differ: never equal
    ("n <> :v", {":v": "3"}, True),
    ("n < :v", {":v": "4"}, False),                       # no order across types
    ("s > :v", {":v": "help"}, False),
    ("n BETWEEN :a AND :b", {":a": Decimal(3), ":b": Decimal(3)}, True),
    ("begins_with(s, :p)", {":p": "he"}, True),
    ("begins_with(b, :p)", {":p": Binary(b"\x01")}, True),
    ("contains(ss, :v)", {":v": "x"}, True),
    ("contains(l, :v)", {":v": "two"}, True),
    ("contains(s, :v)", {":v": "ell"}, True),
    ("size(s) = :v", {":v": Decimal(5)}, True),
    ("size(n) = :v", {":v": Decimal(1)}, False),          # a number has no size
    ("m.k.n = :v", {":v": Decimal(5)}, True),
    ("l[1] = :v", {":v": "two"}, True),
    ("l[5] = :v", {":v": "two"}, False),
    ("attribute_type(t, :v)", {":v": "BOOL"}, True),
    ("attribute_type(z, :v)", {":v": "NULL"}, True),
    ("attribute_not_exists(nope) AND attribute_exists(z)", {}, True),
    ("nope <> :v", {":v": "x"}, True),                    # a missing attribute differs
    ("NOT (n IN (:a, :b))", {":a": Decimal(1), ":b": Decimal(2)}, True),
])
def test_evaluate_follows_dynamodb_comparison_rules(text, values, expected):
    assert evaluate(parse_condition(text), ITEM, {}, values) is expected


def test_between_with_bounds_reversed_is_refused():
    with pytest.raises(Refused, match="BETWEEN operator requires upper bound"):
        evaluate(parse_condition("n BETWEEN :a AND :b"), ITEM, {}, {":a": Decimal(5), ":b": Decimal(1)})


def test_unknown_attribute_type_is_refused():
    with pytest.raises(Refused, match="Invalid attribute type name found; type: STRING"):
        evaluate(parse_condition("attribute_type(s, :t)"), ITEM, {}, {":t": "STRING"})


def test_resolve_walks_maps_and_lists():
    assert resolve(ITEM, ("m", "k", "n")) == Decimal(5)
    assert resolve(ITEM, ("l", 0)) == Decimal(1)
    assert resolve(ITEM, ("s", 0)) is MISSING and resolve(ITEM, ("m", "x")) is MISSING


# -- boto3's condition objects mean the same as the strings --------------------
conditions = st.sampled_from([
    (Attr("n").gt(2), "n > :v", {":v": Decimal(2)}),
    (Attr("s").begins_with("he") & Attr("n").lte(3), "begins_with(s, :p) AND n <= :v",
     {":p": "he", ":v": Decimal(3)}),
    (Attr("ss").contains("q") | ~Attr("z").exists(), "contains(ss, :q) OR NOT attribute_exists(z)",
     {":q": "q"}),
    (Attr("n").is_in([1, 3]), "n IN (:a, :b)", {":a": Decimal(1), ":b": Decimal(3)}),
    (Attr("m.k.n").between(4, 6), "m.k.n BETWEEN :a AND :b", {":a": Decimal(4), ":b": Decimal(6)}),
    (Key("pk").eq("a"), "pk = :v", {":v": "a"}),
])


@given(conditions, st.fixed_dictionaries({"n": st.integers(0, 5).map(Decimal),
                                          "s": st.sampled_from(["hello", "help", "x"])}))
def test_boto3_objects_evaluate_as_their_expression_strings(case, changes):
    condition, text, values = case
    item = dict(ITEM, **changes)
    names, built_values = {}, {}
    expression = from_boto3(condition, ConditionExpressionBuilder(), names, built_values)
    from dynamolite.table.values import normalize
    got = evaluate(parse_condition(expression), item, names, normalize(built_values))
    assert got == evaluate(parse_condition(text), item, {}, values)
