"""Typed attribute values: what ``boto3.client("dynamodb")`` sends and receives.

On the wire DynamoDB writes every value with its type: ``{"S": "alice"}``,
``{"N": "42"}`` (numbers travel as strings, so no precision is lost),
``{"SS": ["a", "b"]}``, ``{"M": {...}}``. boto3's resource layer converts
with :class:`~boto3.dynamodb.types.TypeSerializer` and
:class:`~boto3.dynamodb.types.TypeDeserializer`; the client here converts
with the same two classes, once on the way in and once on the way out, and
the table works on plain Python values in between.

>>> decode({"Item": {"pk": {"S": "a"}, "n": {"N": "1.50"}}})
{'Item': {'pk': 'a', 'n': Decimal('1.50')}}
>>> encode({"Attributes": {"n": Decimal("1.50"), "big": Decimal("1E+2")}})
{'Attributes': {'n': {'N': '1.5'}, 'big': {'N': '100'}}}

Cost: linear in the size of the request or response.
"""

from decimal import Decimal, DecimalException

from boto3.dynamodb.types import DYNAMODB_CONTEXT, TypeDeserializer, TypeSerializer

from . import errors
from .errors import invalid

MAPS = frozenset({"Item", "Key", "Attributes", "ExclusiveStartKey", "LastEvaluatedKey",
                  "ExpressionAttributeValues"})
"""Parameters and response fields holding a map of attribute values."""
LISTS_OF_MAPS = frozenset({"Items", "Keys"})
VALUES = frozenset({"Value"})                     # Expected, AttributeUpdates (legacy)
LISTS_OF_VALUES = frozenset({"AttributeValueList"})
NESTED = frozenset({"RequestItems", "UnprocessedItems", "UnprocessedKeys", "TransactItems",
                    "Responses", "CancellationReasons", "Put", "Update", "Delete",
                    "ConditionCheck", "Get", "PutRequest", "DeleteRequest", "Expected",
                    "AttributeUpdates", "KeyConditions", "QueryFilter", "ScanFilter"})
"""Fields that hold typed values further down; every other field is passed as it is."""

_serializer, _deserializer = TypeSerializer(), TypeDeserializer()
_TYPES = ("S", "N", "B", "SS", "NS", "BS", "M", "L", "NULL", "BOOL")


def number_text(number):
    """DynamoDB's text of a number: no exponent, no trailing zeros.

    >>> number_text(Decimal("1.50")), number_text(Decimal("1E+2")), number_text(Decimal("-0.0"))
    ('1.5', '100', '0')
    """
    text = format(number.normalize(), "f")
    return "0" if text in ("-0", "0") else text


def _to_wire(value):
    if isinstance(value, Decimal):
        return {"N": number_text(value)}
    if isinstance(value, (set, frozenset)) and value and isinstance(next(iter(value)), Decimal):
        return {"NS": [number_text(v) for v in value]}
    if isinstance(value, dict):
        return {"M": {k: _to_wire(v) for k, v in value.items()}}
    if isinstance(value, list):
        return {"L": [_to_wire(v) for v in value]}
    return _serializer.serialize(value)


def _from_wire(value):
    if not isinstance(value, dict) or not value:
        raise invalid(errors.EMPTY_ATTRIBUTE_VALUE)
    if len(value) > 1:
        raise invalid(errors.MANY_DATATYPES)
    kind, body = next(iter(value.items()))
    if kind == "S":                         # the common cases first, without the deserializer
        return body
    if kind == "N":
        return _number(body)
    if kind not in _TYPES:
        raise invalid(errors.EMPTY_ATTRIBUTE_VALUE)
    if kind == "M":
        return {k: _from_wire(v) for k, v in body.items()}
    if kind == "L":
        return [_from_wire(v) for v in body]
    if kind in ("SS", "NS", "BS"):
        if not body:
            raise invalid(errors.empty_set(kind))
        if len(set(body)) != len(body):
            raise invalid(errors.set_duplicates(body))
    if kind == "NULL" and body is not True:
        raise invalid(errors.NULL_FALSE)
    try:
        result = _deserializer.deserialize(value)
    except (DecimalException, ValueError, TypeError):
        raise invalid(errors.NOT_A_NUMBER) from None
    if kind in ("N", "NS") and not all(n.is_finite() for n in ([result] if kind == "N" else result)):
        raise invalid(errors.NOT_A_NUMBER)
    return result


def _number(text):
    try:
        number = DYNAMODB_CONTEXT.create_decimal(text)
    except (DecimalException, ValueError, TypeError):
        raise invalid(errors.NOT_A_NUMBER) from None
    if not number.is_finite():
        raise invalid(errors.NOT_A_NUMBER)
    return number


def _walk(obj, convert, parent_nested=False):
    """``obj`` with the typed values it holds converted: the values of the maps named in
    MAPS, LISTS_OF_MAPS, VALUES and LISTS_OF_VALUES, looked for inside NESTED fields
    (whose own keys, table names or attribute names, may be anything)."""
    if isinstance(obj, dict):
        out = {}
        for k, v in obj.items():
            if k in MAPS and isinstance(v, dict):
                out[k] = {name: convert(x) for name, x in v.items()}
            elif k in LISTS_OF_MAPS and isinstance(v, list):
                out[k] = [{name: convert(x) for name, x in m.items()} if isinstance(m, dict)
                          else _walk(m, convert) for m in v]
            elif k in VALUES:
                out[k] = convert(v)
            elif k in LISTS_OF_VALUES and isinstance(v, list):
                out[k] = [convert(x) for x in v]
            elif k == "Responses" and isinstance(v, dict):     # BatchGetItem: table -> items
                out[k] = {t: [{name: convert(x) for name, x in m.items()} for m in items]
                          for t, items in v.items()}
            elif k in NESTED or parent_nested:
                out[k] = _walk(v, convert, k in NESTED)
            else:
                out[k] = v
        return out
    if isinstance(obj, list):
        return [_walk(v, convert, parent_nested) for v in obj]
    return obj


def decode(params):
    """A request with typed values turned into plain Python values."""
    return _walk(params, _from_wire)


def encode(response):
    """A response with plain Python values turned into typed ones."""
    return _walk(response, _to_wire)
