"""Where the table's two oracles, moto and dynalite, disagree, and which one DynamoDB's
documentation agrees with. The differential test (test_table_vs_oracles.py) and the
Movies test (test_movies.py) follow this table; dynamolite agrees with the right oracle.

Each entry: ``name`` (the case), ``right`` ("moto" or "dynalite"), ``source`` (the
documentation that decides), ``when(op, moto, dynalite)`` (recognizes the case from the
two answers to one operation, None where another test meets it) and, optionally,
``state(op)`` (the operation leaves the wrong oracle's table different although both
answered alike) or ``movies`` (the step of the Movies script where it shows). Where the kit
departs on purpose from the right oracle, ``dynamolite`` names the oracle it follows and a
comment says why.
"""


def _codes(moto_code, dynalite_code):
    """When moto and dynalite refuse with these two error codes."""
    return lambda op, moto, dynalite: moto == ("error", moto_code) and dynalite == ("error", dynalite_code)


DIFFERENCES = [
    {"name": "an invalid update is refused before its condition is evaluated",
     "when": _codes("ConditionalCheckFailedException", "ValidationException"), "right": "dynalite",
     "source": "DynamoDB API Reference, UpdateItem, Errors: ValidationException is about the "
               "request; Developer Guide, Update expressions"},
    {"name": "a refused UpdateItem leaves the table unchanged (moto stores the key of an "
             "update whose DELETE has a number operand)",
     "when": None, "right": "dynalite",
     "state": lambda op: op[0] == "update" and op[3][0].startswith("DELETE tags :n"),
     "source": "DynamoDB API Reference, Errors: a request that fails with an error has no "
               "effect; UpdateItem with ValidationException writes nothing"},
    {"name": "UPDATED_NEW and UPDATED_OLD return the updated document paths themselves: after "
             "REMOVE info.actors[0], the element now at index 0 (moto: the whole list)",
     "when": None, "right": "dynalite", "movies": 5,     # the Movies script's sixth step
     "source": "DynamoDB API Reference, UpdateItem, ReturnValues: UPDATED_NEW \"Returns only "
               "the updated attributes, as they appear after the UpdateItem operation\""},
    {"name": "CreateTable answers TableStatus CREATING, and boto3's Table keeps that answer "
             "until reload() (moto: ACTIVE at once)",
     "when": None, "right": "dynalite", "movies": 0,
     "dynamolite": "moto",   # the kit's Table reads its attributes afresh: lesson 02 counts items
     "source": "DynamoDB API Reference, CreateTable: \"an asynchronous operation ... DynamoDB "
               "immediately returns a response with a TableStatus of CREATING\"; boto3 "
               "resource attributes are loaded once (Table.load/reload)"},
    {"name": "DeleteTable is asynchronous: right after it, ListTables may still name the table "
             "(DELETING), as dynalite does now and then (moto and the kit: gone at once)",
     "when": None, "right": "dynalite", "movies": 10,
     "dynamolite": "moto",   # the kit deletes at once, so a lesson's next step sees the table gone
     "source": "DynamoDB API Reference, DeleteTable: \"the specified table is in the DELETING "
               "state until DynamoDB completes the deletion\""},
    {"name": "CreateTable refuses an attribute definition no key uses, also with indexes",
     "when": None, "right": "moto",        # test_table_vs_oracles' create_table test
     "source": "DynamoDB API Reference, CreateTable, AttributeDefinitions: \"An array of "
               "attributes that describe the key schema for the table and indexes\""},
]


# Operations only moto has (dynalite 4.0 has no transactions): where moto departs from
# DynamoDB's documentation. Each entry: ``name``, ``source`` (the documentation that
# decides) and ``when(moto, ours)``, which recognizes the case from the two answers
# (error code, cancellation reason codes); dynamolite follows the documentation
# (test_client.py compares the two on transactions).
MOTO_ALONE = [
    {"name": "a TransactWriteItems update that fails because of the stored item (ADD to a "
             "string, a path into a missing map, an item growing past 400 KB...) cancels the "
             "transaction with a ValidationError reason (moto: ValidationException)",
     "when": lambda moto, ours: (moto == ("ValidationException", [])
                                 and ours[0] == "TransactionCanceledException"
                                 and "ValidationError" in ours[1]),
     "source": "DynamoDB API Reference, TransactWriteItems: the request is rejected when "
               "\"An item size becomes too large (bigger than 400 KB) ... or a similar "
               "validation error occurs because of changes made by the transaction\"; "
               "TransactionCanceledException, cancellation reason codes: \"Validation Error: "
               "Code: ValidationError\" with \"An operand in the update expression has an "
               "incorrect data type\", \"Item size to update has exceeded the maximum allowed "
               "size\", \"The document path provided in the update expression is invalid for "
               "update\", \"The provided expression refers to an attribute that does not exist "
               "in the item\""},
]
