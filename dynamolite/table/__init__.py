"""The table room: a DynamoDB-style table that speaks boto3 (DynamoDB, 2012; Dynamo 4.1-4.3).

``resource()`` stands in for ``boto3.resource("dynamodb")`` and ``client()`` for
``boto3.client("dynamodb")`` (the resource is built on the client): tables whose
partitions are placed on the shared consistent-hashing ring
(:mod:`dynamolite.ring`), Query and Scan, secondary indexes, conditions and
updates in DynamoDB's expression language, and errors as botocore's
``ClientError``. ``relational`` holds the SQLite side of lesson 01.

>>> from dynamolite.table import resource
>>> db = resource()
>>> db.meta.client.list_tables()["TableNames"]
[]
"""

from .client import Client, client
from .table import Resource, Table, resource

__all__ = ["Client", "Resource", "Table", "client", "resource"]
