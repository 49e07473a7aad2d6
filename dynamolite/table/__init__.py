"""The table room: a DynamoDB-style table that speaks boto3 (DynamoDB, 2012; Dynamo 4.1-4.3).

``resource()`` stands in for ``boto3.resource("dynamodb")``: tables whose
partitions are placed on the shared consistent-hashing ring
(:mod:`dynamolite.ring`), Query and Scan, secondary indexes, conditions and
updates in DynamoDB's expression language, and errors as botocore's
``ClientError``. ``relational`` holds the SQLite side of lesson 01.

>>> from dynamolite.table import resource
>>> db = resource()
>>> db.meta.client.list_tables()["TableNames"]
[]
"""

from .table import Resource, Table, resource

__all__ = ["Resource", "Table", "resource"]
