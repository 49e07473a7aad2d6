"""The legacy (pre-2014) parameters, rewritten as the expressions that replaced them.

Before expressions, DynamoDB took conditions and updates as nested
structures: ``Expected`` (a write's condition), ``AttributeUpdates`` (an
update), ``KeyConditions`` (a Query's key condition), ``QueryFilter`` and
``ScanFilter`` (filters), ``AttributesToGet`` (a projection) and
``ConditionalOperator`` (AND or OR between the conditions). DynamoDB still
accepts them, so old tutorials and much existing code still run; it refuses a
request that mixes them with expressions. Each is rewritten here into the
expression it means, with its own ``#l``/``:l`` placeholders, and the table
then runs the expression.

>>> params = {"Expected": {"n": {"ComparisonOperator": "GT", "AttributeValueList": [1]},
...                        "s": {"Exists": False}}}
>>> params = translate("PutItem", params)
>>> params["ConditionExpression"], params["ExpressionAttributeValues"]
('#l0 > :l0 AND attribute_not_exists(#l1)', {':l0': 1})

Cost: linear in the size of the legacy parameters.
"""

from . import errors
from .errors import invalid
from .values import type_of

# For each operation: (expression parameters, legacy parameters), in DynamoDB's order.
PARAMETERS = {
    "PutItem": (("ConditionExpression",), ("Expected",)),
    "DeleteItem": (("ConditionExpression",), ("Expected",)),
    "UpdateItem": (("UpdateExpression", "ConditionExpression"), ("AttributeUpdates", "Expected")),
    "GetItem": (("ProjectionExpression",), ("AttributesToGet",)),
    "Query": (("ProjectionExpression", "FilterExpression", "KeyConditionExpression"),
              ("AttributesToGet", "QueryFilter", "ConditionalOperator", "KeyConditions")),
    "Scan": (("ProjectionExpression", "FilterExpression"),
             ("AttributesToGet", "ScanFilter", "ConditionalOperator")),
}

_COMPARE = {"EQ": "=", "NE": "<>", "LE": "<=", "LT": "<", "GE": ">=", "GT": ">"}
_ARGUMENTS = {"NULL": 0, "NOT_NULL": 0, "BETWEEN": 2, "IN": None}     # None: one or more
_SCALARS = ("S", "N", "B")
_TYPES = {"EQ": _SCALARS + ("SS", "NS", "BS"), "NE": _SCALARS + ("SS", "NS", "BS"),
          "BEGINS_WITH": ("S", "B")}                 # every other operator: S, N or B


class _Builder:
    """Collects the placeholders of the expressions being written."""

    def __init__(self):
        self.names, self.values = {}, {}

    def name(self, attribute):
        key = f"#l{len(self.names)}"
        self.names[key] = attribute
        return key

    def value(self, value):
        key = f":l{len(self.values)}"
        self.values[key] = value
        return key


def _check_operator(operator, arguments):
    expected = _ARGUMENTS.get(operator, 1)
    if (len(arguments) != expected) if expected is not None else not arguments:
        raise invalid(errors.argument_count(operator))
    kinds = {type_of(a) for a in arguments}
    if len(kinds) > 1:
        raise invalid(errors.LEGACY_MIXED_TYPES)
    for kind in kinds:
        if kind not in _TYPES.get(operator, _SCALARS):
            raise invalid(errors.legacy_operator_type(operator, kind))


def _comparison(b, attribute, operator, arguments):
    """One legacy condition as an expression."""
    _check_operator(operator, arguments)
    name = b.name(attribute)
    values = [b.value(a) for a in arguments]
    if operator in _COMPARE:
        return f"{name} {_COMPARE[operator]} {values[0]}"
    if operator == "NULL":
        return f"attribute_not_exists({name})"
    if operator == "NOT_NULL":
        return f"attribute_exists({name})"
    if operator == "CONTAINS":
        return f"contains({name}, {values[0]})"
    if operator == "NOT_CONTAINS":
        return f"NOT contains({name}, {values[0]})"
    if operator == "BEGINS_WITH":
        return f"begins_with({name}, {values[0]})"
    if operator == "IN":
        return f"{name} IN ({', '.join(values)})"
    if operator == "BETWEEN":
        return f"{name} BETWEEN {values[0]} AND {values[1]}"
    raise invalid(errors.bad_enum(operator, "comparisonOperator",
                                  list(_COMPARE) + ["NULL", "NOT_NULL", "CONTAINS", "NOT_CONTAINS",
                                                    "BEGINS_WITH", "IN", "BETWEEN"]))


def _expected(b, attribute, condition):
    """One entry of ``Expected`` as an expression."""
    if "AttributeValueList" in condition and "Value" in condition:
        raise invalid(errors.value_and_list(attribute))
    if "ComparisonOperator" in condition:
        if "Exists" in condition:
            raise invalid(errors.exists_and_operator(attribute))
        arguments = condition.get("AttributeValueList")
        if arguments is None:
            arguments = [condition["Value"]] if "Value" in condition else []
        return _comparison(b, attribute, condition["ComparisonOperator"], arguments)
    exists = condition.get("Exists", True)
    if exists and "Value" not in condition:
        raise invalid(errors.value_needed("null" if "Exists" not in condition else "true", attribute))
    if not exists:
        if "Value" in condition:
            raise invalid(errors.value_with_exists_false(attribute))
        return f"attribute_not_exists({b.name(attribute)})"
    return f"{b.name(attribute)} = {b.value(condition['Value'])}"


def _joined(b, conditions, operator, legacy):
    parts = [legacy(b, attribute, c) for attribute, c in conditions.items()]
    return f" {operator or 'AND'} ".join(parts)


def _filter(b, attribute, condition):
    return _comparison(b, attribute, condition.get("ComparisonOperator"),
                       condition.get("AttributeValueList", []))


def _updates(b, updates):
    clauses = {"SET": [], "REMOVE": [], "ADD": [], "DELETE": []}
    for attribute, update in updates.items():
        action, name = update.get("Action", "PUT"), b.name(attribute)
        if action == "PUT":
            clauses["SET"].append(f"{name} = {b.value(update['Value'])}")
        elif action == "DELETE" and "Value" not in update:
            clauses["REMOVE"].append(name)
        elif action == "ADD" and isinstance(update["Value"], list):     # ADD to a list appends
            clauses["SET"].append(f"{name} = list_append(if_not_exists({name}, "
                                  f"{b.value([])}), {b.value(update['Value'])})")
        else:
            clauses[action].append(f"{name} {b.value(update['Value'])}")
    return " ".join(f"{clause} {', '.join(parts)}" for clause, parts in clauses.items() if parts)


def translate(operation, params):
    """The request with its legacy parameters rewritten as expressions (a new dict; the
    same one when it has none); refuses a request that mixes the two kinds, as DynamoDB does."""
    expressions, legacy = PARAMETERS.get(operation, ((), ()))
    used = [p for p in legacy if params.get(p) is not None]
    if not used:
        return params
    params = dict(params)
    given = [p for p in expressions if params.get(p) is not None]
    if given:
        if "KeyConditions" in used and params.get("KeyConditionExpression") is None:
            used.remove("KeyConditions")
        if used:
            raise invalid(errors.mixed_parameters(used, given))
    operator = params.pop("ConditionalOperator", None)
    b = _Builder()
    if "AttributesToGet" in used:
        attributes = params.pop("AttributesToGet")
        if len(set(attributes)) != len(attributes):
            duplicate = next(a for a in attributes if attributes.count(a) > 1)
            raise invalid(errors.duplicate_attribute_name(duplicate))
        params["ProjectionExpression"] = ", ".join(b.name(a) for a in attributes)
    if "KeyConditions" in used:
        params["KeyConditionExpression"] = _joined(b, params.pop("KeyConditions"), "AND", _filter)
    for field in ("QueryFilter", "ScanFilter"):
        if field in used:
            params["FilterExpression"] = _joined(b, params.pop(field), operator, _filter)
    if "Expected" in used:
        params["ConditionExpression"] = _joined(b, params.pop("Expected"), operator, _expected)
    if "AttributeUpdates" in used:
        params["UpdateExpression"] = _updates(b, params.pop("AttributeUpdates")) or None
    if b.names:
        params["ExpressionAttributeNames"] = b.names
    if b.values:
        params["ExpressionAttributeValues"] = b.values
    return params
