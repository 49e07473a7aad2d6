"""Errors of the table: every message DynamoDB gives, named in one place.

Inside the table a refused request raises :class:`Refused`, the one internal
exception type, carrying DynamoDB's error code and message. The client turns
it into botocore's ``ClientError`` in one place (``Client._call``), naming the
operation, exactly as botocore builds it from DynamoDB's reply; no other
exception of the table's own reaches a caller.

>>> try:
...     raise invalid(key_mismatch())
... except Refused as error:
...     e = client_error(error.code, error.message, "GetItem")
>>> e.response["Error"]["Code"], str(e)
('ValidationException', 'An error occurred (ValidationException) when calling the GetItem operation: The provided key element does not match the schema')
>>> isinstance(e, exceptions.ValidationException)
True
"""

from botocore.exceptions import ClientError

CODES = ("ConditionalCheckFailedException", "ValidationException", "ResourceNotFoundException",
         "ResourceInUseException", "TransactionCanceledException",
         "TransactionInProgressException", "TransactionConflictException",
         "IdempotentParameterMismatchException", "ProvisionedThroughputExceededException",
         "ItemCollectionSizeLimitExceededException", "LimitExceededException",
         "RequestLimitExceeded", "InternalServerError")
"""The error codes of DynamoDB's data and control plane the table can give."""


class Refused(Exception):
    """Internal: DynamoDB refuses the request. ``code`` is DynamoDB's error code,
    ``extra`` what the reply carries besides (an ``Item``, ``CancellationReasons``).
    ``reason`` is set when the refusal depends on the stored item rather than on the
    request alone: inside a transaction it does not refuse the request but cancels the
    transaction, and ``reason`` is the code of its ``CancellationReasons`` entry."""

    def __init__(self, message, code="ValidationException", reason=None, **extra):
        super().__init__(message)
        self.message, self.code, self.reason, self.extra = message, code, reason, extra


def invalid(message):
    """A ValidationException to raise: the request itself is wrong, whatever is stored."""
    return Refused(message)


def invalid_for_item(message):
    """A ValidationException that the stored item causes (an update adding to a string,
    an item growing past 400 KB): a transaction is cancelled with a ``ValidationError``
    reason for it.

    >>> invalid_for_item(WRONG_OPERAND_TYPE).reason
    'ValidationError'
    """
    return Refused(message, reason="ValidationError")


def _error_class(code):
    return type(code, (ClientError,), {"__module__": __name__, "__doc__":
                f"DynamoDB's {code}, a botocore ``ClientError``."})


class _Exceptions:
    """``client.exceptions``: one ClientError subclass per DynamoDB error code."""

    ClientError = ClientError

    def from_code(self, code):
        return getattr(self, code, ClientError)


for _code in CODES:
    setattr(_Exceptions, _code, _error_class(_code))
exceptions = _Exceptions()


def client_error(code, message, operation, **extra):
    """A ClientError shaped as botocore builds it from DynamoDB's reply."""
    response = {"Error": {"Message": message, "Code": code},
                "ResponseMetadata": {"HTTPStatusCode": 400, "RetryAttempts": 0}}
    response.update(extra)
    return exceptions.from_code(code)(response, operation)


# ---------------------------------------------------------------------------
# Messages. Each is DynamoDB's own wording, as its service returns it.
# ---------------------------------------------------------------------------
PREFIX = "One or more parameter values were invalid: "
EMPTY_SET = PREFIX + "An number set  may not be empty"
CONDITION_FAILED = "The conditional request failed"
NOT_FOUND = "Requested resource not found"
ITEM_TOO_BIG = "Item size has exceeded the maximum allowed size"
NO_KEY_CONDITION = ("Either the KeyConditions or KeyConditionExpression parameter must be "
                    "specified in the request.")
GSI_CONSISTENT_READ = "Consistent reads are not supported on global secondary indexes"
EMPTY_VALUES = "ExpressionAttributeValues must not be empty"
EMPTY_NAMES = "ExpressionAttributeNames must not be empty"
BAD_START_KEY = "The provided starting key is invalid: The provided key element does not match the schema"
ONE_CONDITION_PER_KEY = "KeyConditionExpressions must only contain one condition per key"
KEY_CONDITION_NOT_SUPPORTED = "Query key condition not supported"
KEY_TYPE_MISMATCH = PREFIX + "Condition parameter type does not match schema type"
KEY_CONDITION_PATH = "Invalid KeyConditionExpression: key conditions must name a key attribute"
KEY_CONDITION_VALUE = "Invalid KeyConditionExpression: the right side of a key condition must be an :value"
KEY_CONDITION_NE = "Unsupported operator on KeyConditionExpression: operator: <>"
KEY_BEGINS_WITH_NUMBER = ("Invalid KeyConditionExpression: Incorrect operand type for operator "
                          "or function; operator or function: begins_with, operand type: N")
INVALID_PATH_FOR_UPDATE = "The document path provided in the update expression is invalid for update"
MISSING_ATTRIBUTE = "The provided expression refers to an attribute that does not exist in the item"
WRONG_OPERAND_TYPE = "An operand in the update expression has an incorrect data type"
UPDATE_ITEM_TOO_BIG = "Item size to update has exceeded the maximum allowed size"
UPDATE_INDEX_KEY_TYPE = ("The update expression attempted to update the secondary index key to "
                         "unsupported type")
PUT_RETURN_VALUES = "ReturnValues can only be ALL_OLD or NONE"
RETURN_VALUES = "Return values set to invalid value"
UPDATE_EXPRESSION_REQUIRED = "UpdateExpression is required by dynamolite"
SPECIFIC_NEEDS_PROJECTION = "1 validation error detected: SPECIFIC_ATTRIBUTES requires a ProjectionExpression"
NO_HASH_KEY = "1 validation error detected: Invalid KeySchema: Some index key attribute have no definition"
SEGMENT_WITHOUT_TOTAL = ("The TotalSegments parameter is required but was not present in the "
                         "request when Segment parameter is present")
TOTAL_WITHOUT_SEGMENT = ("The Segment parameter is required but was not present in the request "
                         "when parameter TotalSegments is present")


def key_mismatch():
    return "The provided key element does not match the schema"


def table_exists(name):
    return f"Table already exists: {name}"


def missing_key_in_item(name):
    return f"{PREFIX}Missing the key {name} in the item"


def key_type_mismatch(name, expected, actual):
    return f"{PREFIX}Type mismatch for key {name} expected: {expected} actual: {actual}"


def empty_key_value(name, kind):
    return ("One or more parameter values are not valid. The AttributeValue for a key attribute "
            f"cannot contain an empty {'string' if kind == 'S' else 'binary'} value. Key: {name}")


def index_key_type_mismatch(name, expected, actual, index):
    return (f"{PREFIX}Type mismatch for Index Key {name} Expected: {expected} Actual: {actual} "
            f"IndexName: {index}")


def hash_key_too_big(limit):
    return f"{PREFIX}Size of hashkey has exceeded the maximum size limit of{limit} bytes"


def range_key_too_big(limit):
    return f"{PREFIX}Aggregated size of all range keys has exceeded the size limit of {limit} bytes"


def undefined_key_attribute(name, defined):
    return (f"{PREFIX}Some index key attributes are not defined in AttributeDefinitions. Keys: "
            f"[{name}], AttributeDefinitions: [{', '.join(defined)}]")


def unused_definitions(defined, used, has_indexes):
    if has_indexes:
        return (f"{PREFIX}Some AttributeDefinitions are not used. AttributeDefinitions: "
                f"[{', '.join(defined)}], keys used: [{', '.join(used)}]")
    return (f"{PREFIX}Number of attributes in KeySchema does not exactly match number of "
            "attributes defined in AttributeDefinitions")


def lsi_hash_key(index, index_hash, table_hash):
    return (f"{PREFIX}Index KeySchema does not have the same leading hash key as table KeySchema "
            f"for index: {index}. index hash key: {index_hash}, table hash key: {table_hash}")


def no_such_index(name):
    return f"The table does not have the specified index: {name}"


def unused_names(names):
    return ("Value provided in ExpressionAttributeNames unused in expressions: "
            f"keys: {{{', '.join(sorted(names))}}}")


def unused_values(values):
    return ("Value provided in ExpressionAttributeValues unused in expressions: "
            f"keys: {{{', '.join(sorted(values))}}}")


def undefined_value(what, placeholder):
    return (f"Invalid {what}: An expression attribute value used in expression is not defined; "
            f"attribute value: {placeholder}")


def undefined_name(what, placeholder):
    return (f"Invalid {what}: An expression attribute name used in the document path is not "
            f"defined; attribute name: {placeholder}")


def bad_limit(limit):
    return (f"1 validation error detected: Value '{limit}' at 'limit' failed to satisfy "
            "constraint: Member must have value greater than or equal to 1")


def bad_select(select):
    return (f"1 validation error detected: Value '{select}' at 'select' failed to satisfy "
            "constraint: Member must satisfy enum value set: "
            "[SPECIFIC_ATTRIBUTES, COUNT, ALL_ATTRIBUTES, ALL_PROJECTED_ATTRIBUTES]")


def projection_with_select(select):
    return f"Cannot specify the ProjectionExpression when choosing to get {select}"


def filter_on_key(name):
    return f"Filter Expression can only contain non-primary key attributes: Primary key attribute: {name}"


def key_condition_operator(operator):
    return f"Invalid operator used in KeyConditionExpression: {operator.upper()}"


def missed_key(name):
    return "Query condition missed key schema element" + (f": {name}" if name else "")


def bad_segment(segment, total):
    return (f"The Segment parameter is zero-based and must be less than parameter "
            f"TotalSegments: Segment: {segment} is not less than TotalSegments: {total}")


# messages of the expression languages (parse, then evaluate)
def syntax_error(what, token, near):
    return f'Invalid {what}: Syntax error; token: "{token}", near: "{near}"'


def empty_expression(what):
    return f"Invalid {what}: The expression can not be empty;"


def operand_count(what, function, count):
    return (f"Invalid {what}: Incorrect number of operands for operator or function; "
            f"operator or function: {function}, number of operands: {count}")


def needs_path(what, function):
    return f"Invalid {what}: Operator or function requires a document path; operator or function: {function}"


def section_twice(what, clause):
    return f'Invalid {what}: The "{clause}" section can only be used once in an update expression;'


def operand_type(what, function, kind):
    return (f"Invalid {what}: Incorrect operand type for operator or function; "
            f"operator or function: {function}, operand type: {kind}")


def unexpected(what, node):
    return f"Invalid {what}: unexpected {node!r}"


def between_bounds(what, low, low_type, high, high_type):
    return (f"Invalid {what}: The BETWEEN operator requires upper bound to be greater than or "
            f"equal to lower bound; lower bound operand: AttributeValue: {{{low_type}:{low}}}, "
            f"upper bound operand: AttributeValue: {{{high_type}:{high}}}")


def attribute_type_name(what, name, valid):
    return (f"Invalid {what}: Invalid attribute type name found; type: {name}, "
            f"valid types: {{{','.join(valid)}}}")


def key_attribute_update(name):
    return f"{PREFIX}Cannot update attribute {name}. This attribute is part of the key"


def paths_overlap(one, two):
    return ("Invalid UpdateExpression: Two document paths overlap with each other; must remove "
            f"or rewrite one of these paths; path one: [{', '.join(map(str, one))}], "
            f"path two: [{', '.join(map(str, two))}]")


# typed attribute values (the client's wire format)
EMPTY_ATTRIBUTE_VALUE = ("Supplied AttributeValue is empty, must contain exactly one of the "
                         "supported datatypes")
MANY_DATATYPES = ("Supplied AttributeValue has more than one datatypes set, must contain exactly "
                  "one of the supported datatypes")
NOT_A_NUMBER = "A value provided cannot be converted into a number"
NULL_FALSE = PREFIX + "Null attribute value types must have the value of true"


def empty_set(kind):
    return PREFIX + {"SS": "An string set  may not be empty", "NS": "An number set  may not be empty",
                     "BS": "Binary sets should not be empty"}[kind]


def set_duplicates(values):
    return f"{PREFIX}Input collection [{', '.join(map(str, values))}] contains duplicates."


# tables: create, update, describe
LSI_NEEDS_RANGE = (PREFIX + "Table KeySchema does not have a range key, which is required when "
                   "specifying a LocalSecondaryIndex")
UNKNOWN_PROJECTION = PREFIX + "Unknown ProjectionType: null"
THROUGHPUT_ON_DEMAND = (PREFIX + "Neither ReadCapacityUnits nor WriteCapacityUnits can be "
                        "specified when BillingMode is PAY_PER_REQUEST")
NOTHING_TO_UPDATE = ("At least one of ProvisionedThroughput, BillingMode, UpdateStreamEnabled, "
                     "GlobalSecondaryIndexUpdates or SSESpecification or ReplicaUpdates is required")
DELETION_PROTECTED = "Resource cannot be deleted as it is currently protected against deletion."


def empty_index_list(field):
    return f"{PREFIX}List of {field} is empty"


def non_key_attributes(kind):
    return f"{PREFIX}ProjectionType is {kind}, but NonKeyAttributes is specified"


def duplicate_index(name):
    return f"{PREFIX}Duplicate index name: {name}"


def table_not_found(name):
    return f"Requested resource not found: Table: {name} not found"


def index_not_found(name):
    return f"Requested resource not found: Index: {name} not found"


def list_tables_limit(limit):
    return (f"1 validation error detected: Value '{limit}' at 'limit' failed to satisfy "
            "constraint: Member must have value less than or equal to 100" if limit > 100 else
            bad_limit(limit))


INDEX_EXISTS = PREFIX + "Attempting to create an index which already exists"


# reads
def select_not_projected(index):
    return ("One or more parameter values were invalid: Select type ALL_ATTRIBUTES is not "
            f"supported for global secondary index {index} because its projection type is not ALL")


def projection_overlap(one, two):
    return ("Invalid ProjectionExpression: Two document paths overlap with each other; must "
            f"remove or rewrite one of these paths; path one: [{', '.join(map(str, one))}], "
            f"path two: [{', '.join(map(str, two))}]")


def bad_enum(value, field, allowed):
    return (f"1 validation error detected: Value '{value}' at '{field}' failed to satisfy "
            f"constraint: Member must satisfy enum value set: [{', '.join(allowed)}]")


def reserved_word(what, word):
    return (f"Invalid {what}: Attribute name is a reserved keyword; reserved keyword: {word}")


# batches and transactions
BATCH_DUPLICATES = "Provided list of item keys contains duplicates"
BATCH_GET_TOO_MANY = "Too many items requested for the BatchGetItem call"
BATCH_WRITE_TOO_MANY = "Too many items requested for the BatchWriteItem call"
TRANSACTION_TOO_MANY = ("1 validation error detected at 'transactItems' failed to satisfy constraint: "
                        "Member must have length less than or equal to 100.")
TRANSACTION_SAME_ITEM = "Transaction request cannot include multiple operations on one item"
TRANSACTION_ONE_KIND = "TransactItems can only contain one of Check, Put, Update or Delete"
TRANSACTION_CANCELED = "Transaction cancelled, please refer cancellation reasons for specific reasons"
IDEMPOTENT_MISMATCH = ("Request with the same client token was already processed with different "
                       "parameters")
BATCH_WRITE_EMPTY_REQUEST = ("1 validation error detected: Value null at 'requestItems' failed to "
                             "satisfy constraint: Member must not be null")


def too_many(field, limit, count):
    return (f"1 validation error detected: Value '{count} items' at '{field}' failed to satisfy "
            f"constraint: Member must have length less than or equal to {limit}")


def too_few(field):
    return (f"1 validation error detected: Value at '{field}' failed to satisfy constraint: "
            "Member must have length greater than or equal to 1")


# legacy (non-expression) parameters
def mixed_parameters(legacy, expressions):
    return ("Can not use both expression and non-expression parameters in the same request: "
            f"Non-expression parameters: {{{', '.join(legacy)}}} "
            f"Expression parameters: {{{', '.join(expressions)}}}")


NAMES_WITHOUT_EXPRESSIONS = "ExpressionAttributeNames can only be specified when using expressions"


def values_without_expressions(fields):
    return ("ExpressionAttributeValues can only be specified when using expressions: "
            f"{' and '.join(fields)} {'are' if len(fields) > 1 else 'is'} null")


LEGACY_MIXED_TYPES = PREFIX + "AttributeValues inside AttributeValueList must be of same type"


def duplicate_attribute_name(name):
    return f"{PREFIX}Duplicate value in attribute name: {name}"


def argument_count(operator):
    return f"{PREFIX}Invalid number of argument(s) for the {operator} ComparisonOperator"


def legacy_operator_type(operator, kind):
    return f"{PREFIX}ComparisonOperator {operator} is not valid for {kind} AttributeValue type"


def value_and_list(name):
    return f"{PREFIX}Value and AttributeValueList cannot be used together for Attribute: {name}"


def exists_and_operator(name):
    return f"{PREFIX}Exists and ComparisonOperator cannot be used together for Attribute: {name}"


def value_needed(exists, name):
    return f"{PREFIX}Value must be provided when Exists is {exists} for Attribute: {name}"


def value_with_exists_false(name):
    return f"{PREFIX}Value cannot be used when Exists is false for Attribute: {name}"


def conditional_operator_alone():
    return f"{PREFIX}ConditionalOperator can only be used when Filter or Expected has two or more elements"


# update expressions validated before the condition
def update_operand_type(operator, kind):
    return ("Invalid UpdateExpression: Incorrect operand type for operator or function; "
            f"operator: {operator}, operand type: {kind}")
