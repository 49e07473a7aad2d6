"""A new user's first DynamoDB program, from AWS's getting-started guide (the Movies table,
"Getting started with DynamoDB and the AWS SDKs", Python), written once against boto3's
resource and once against its client, and run unchanged on dynamolite and on moto.

Only the line that makes the resource (or client) differs between the runs; each script
returns a transcript of what it saw. The resource script also runs on dynalite; where
moto and dynalite disagree, oracle_differences.py says which one dynamolite must match.
"""

import json
import os
from decimal import Decimal
from unittest import mock

import boto3
import moto
import pytest
from boto3.dynamodb.conditions import Key
from botocore.exceptions import ClientError

import dynamolite
from dynalite_server import FAKE_CREDENTIALS, running_dynalite
from oracle_differences import DIFFERENCES

pytestmark = pytest.mark.xdist_group("oracles")     # dynalite is installed and run there

MOVIES = json.loads("""[
 {"year": 2013, "title": "Rush", "info": {"directors": ["Ron Howard"], "rating": 8.3,
  "genres": ["Action", "Biography", "Drama", "Sport"],
  "actors": ["Daniel Bruhl", "Chris Hemsworth", "Olivia Wilde"], "rank": 2}},
 {"year": 2013, "title": "Prisoners", "info": {"directors": ["Denis Villeneuve"], "rating": 8.2,
  "genres": ["Crime", "Drama", "Thriller"],
  "actors": ["Hugh Jackman", "Jake Gyllenhaal", "Viola Davis"], "rank": 3}},
 {"year": 1985, "title": "Back to the Future", "info": {"rating": 8.5, "rank": 10,
  "actors": ["Michael J. Fox", "Christopher Lloyd"]}},
 {"year": 1985, "title": "Brazil", "info": {"rating": 8.0, "rank": 90}},
 {"year": 1985, "title": "The Breakfast Club", "info": {"rating": 7.9, "rank": 120}},
 {"year": 1957, "title": "12 Angry Men", "info": {"rating": 8.9, "rank": 50}},
 {"year": 1954, "title": "Rear Window", "info": {"rating": 8.5, "rank": 60}},
 {"year": 1939, "title": "Gone with the Wind", "info": {"rating": 8.2, "rank": 400}}
]""", parse_float=Decimal)


def resource_script(dynamodb):
    """The guide's steps with boto3.resource("dynamodb"); returns what it printed."""
    seen = []
    table = dynamodb.create_table(
        TableName="Movies",
        KeySchema=[{"AttributeName": "year", "KeyType": "HASH"},
                   {"AttributeName": "title", "KeyType": "RANGE"}],
        AttributeDefinitions=[{"AttributeName": "year", "AttributeType": "N"},
                              {"AttributeName": "title", "AttributeType": "S"}],
        ProvisionedThroughput={"ReadCapacityUnits": 10, "WriteCapacityUnits": 10})
    table.wait_until_exists()
    seen.append(table.table_status)
    with table.batch_writer() as writer:                      # load the data
        for movie in MOVIES:
            writer.put_item(Item=movie)
    table.put_item(Item={"year": 2015, "title": "The Big New Movie",
                         "info": {"plot": "Nothing happens at all.", "rating": Decimal("0")}})
    response = table.get_item(Key={"year": 2015, "title": "The Big New Movie"})
    seen.append(response["Item"]["info"]["plot"])
    response = table.update_item(                              # update an item
        Key={"year": 2015, "title": "The Big New Movie"},
        UpdateExpression="set info.rating=:r, info.plot=:p, info.actors=:a",
        ExpressionAttributeValues={":r": Decimal("5.5"), ":p": "Everything happens all at once.",
                                   ":a": ["Larry", "Moe", "Curly"]},
        ReturnValues="UPDATED_NEW")
    seen.append(response["Attributes"])
    response = table.update_item(                              # an atomic counter
        Key={"year": 2015, "title": "The Big New Movie"},
        UpdateExpression="set info.rating = info.rating + :val",
        ExpressionAttributeValues={":val": Decimal("1")}, ReturnValues="UPDATED_NEW")
    seen.append(response["Attributes"])
    try:                                                       # a conditional update that fails
        table.update_item(
            Key={"year": 2015, "title": "The Big New Movie"},
            UpdateExpression="remove info.actors[0]",
            ConditionExpression="size(info.actors) > :num",
            ExpressionAttributeValues={":num": 3}, ReturnValues="UPDATED_NEW")
    except ClientError as e:
        seen.append(e.response["Error"]["Code"])
    response = table.update_item(                              # ... and one that succeeds
        Key={"year": 2015, "title": "The Big New Movie"},
        UpdateExpression="remove info.actors[0]",
        ConditionExpression="size(info.actors) >= :num",
        ExpressionAttributeValues={":num": 3}, ReturnValues="UPDATED_NEW")
    seen.append(response["Attributes"])
    try:                                                       # a conditional delete
        table.delete_item(Key={"year": 2015, "title": "The Big New Movie"},
                          ConditionExpression="info.rating <= :val",
                          ExpressionAttributeValues={":val": Decimal(5)})
    except ClientError as e:
        seen.append(e.response["Error"]["Message"])
    response = table.query(KeyConditionExpression=Key("year").eq(1985))
    seen.append([movie["title"] for movie in response["Items"]])
    response = table.query(
        ProjectionExpression="#yr, title, info.genres, info.actors[0]",
        ExpressionAttributeNames={"#yr": "year"},
        KeyConditionExpression=Key("year").eq(2013) & Key("title").between("A", "L"))
    seen.append(response["Items"])
    scan_kwargs = {"FilterExpression": Key("year").between(1950, 1959),
                   "ProjectionExpression": "#yr, title, info.rating",
                   "ExpressionAttributeNames": {"#yr": "year"}}
    found, done, start_key = [], False, None
    while not done:                                            # scan, page by page
        if start_key:
            scan_kwargs["ExclusiveStartKey"] = start_key
        response = table.scan(**scan_kwargs)
        found.extend(response.get("Items", []))
        start_key = response.get("LastEvaluatedKey", None)
        done = start_key is None
    seen.append(sorted(found, key=lambda m: m["title"]))
    table.delete()
    seen.append(sorted(t.name for t in dynamodb.tables.all()))
    return seen


def client_script(dynamodb):
    """The same steps with boto3.client("dynamodb"): typed values, expressions as strings."""
    seen = []
    dynamodb.create_table(
        TableName="Movies",
        KeySchema=[{"AttributeName": "year", "KeyType": "HASH"},
                   {"AttributeName": "title", "KeyType": "RANGE"}],
        AttributeDefinitions=[{"AttributeName": "year", "AttributeType": "N"},
                              {"AttributeName": "title", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST")
    seen.append(dynamodb.describe_table(TableName="Movies")["Table"]["TableStatus"])
    serializer = boto3.dynamodb.types.TypeSerializer()
    for i in range(0, len(MOVIES), 25):                        # load, 25 a batch
        dynamodb.batch_write_item(RequestItems={"Movies": [
            {"PutRequest": {"Item": {k: serializer.serialize(v) for k, v in movie.items()}}}
            for movie in MOVIES[i:i + 25]]})
    key = {"year": {"N": "2015"}, "title": {"S": "The Big New Movie"}}
    dynamodb.put_item(TableName="Movies", Item=dict(key, info={"M": {
        "plot": {"S": "Nothing happens at all."}, "rating": {"N": "0"}}}))
    seen.append(dynamodb.get_item(TableName="Movies", Key=key)["Item"]["info"]["M"]["plot"])
    response = dynamodb.update_item(
        TableName="Movies", Key=key,
        UpdateExpression="set info.rating = info.rating + :val",
        ExpressionAttributeValues={":val": {"N": "1"}}, ReturnValues="UPDATED_NEW")
    seen.append(response["Attributes"])
    try:
        dynamodb.update_item(TableName="Movies", Key=key, UpdateExpression="set info.rating = :r",
                             ConditionExpression="info.rating > :r",
                             ExpressionAttributeValues={":r": {"N": "5"}})
    except dynamodb.exceptions.ConditionalCheckFailedException as e:
        seen.append(e.response["Error"]["Code"])
    response = dynamodb.query(TableName="Movies", KeyConditionExpression="#yr = :y",
                              ExpressionAttributeNames={"#yr": "year"},
                              ExpressionAttributeValues={":y": {"N": "1985"}})
    seen.append([movie["title"]["S"] for movie in response["Items"]])
    pages = dynamodb.get_paginator("scan").paginate(
        TableName="Movies", FilterExpression="#yr between :a and :b",
        ProjectionExpression="#yr, title, info.rating",
        ExpressionAttributeNames={"#yr": "year"},
        ExpressionAttributeValues={":a": {"N": "1950"}, ":b": {"N": "1959"}})
    seen.append(sorted((item for page in pages for item in page["Items"]),
                       key=lambda m: m["title"]["S"]))
    dynamodb.delete_item(TableName="Movies", Key=key)
    seen.append("Item" in dynamodb.get_item(TableName="Movies", Key=key))
    dynamodb.delete_table(TableName="Movies")
    seen.append(dynamodb.list_tables()["TableNames"])
    return seen


@pytest.fixture(scope="module")
def moto_aws():
    with mock.patch.dict(os.environ, FAKE_CREDENTIALS), moto.mock_aws():
        yield


def test_the_resource_script_runs_unchanged_on_dynamolite(moto_aws):
    ours = resource_script(dynamolite.resource(region_name="us-east-1"))
    on_moto = resource_script(boto3.resource("dynamodb", region_name="us-east-1"))
    with running_dynalite() as url:
        on_dynalite = resource_script(boto3.resource("dynamodb", endpoint_url=url,
                                                     region_name="us-east-1"))
    for step, (mine, moto_saw, dynalite_saw) in enumerate(zip(ours, on_moto, on_dynalite)):
        if moto_saw == dynalite_saw:
            assert mine == moto_saw, f"step {step}"
        else:                         # the oracles differ: follow oracle_differences.py
            entry = next((e for e in DIFFERENCES if e.get("movies") == step), None)
            assert entry, (f"step {step}: moto saw {moto_saw!r}, dynalite {dynalite_saw!r}, and no "
                           f"row of oracle_differences.py says which one is right")
            follows = entry.get("dynamolite", entry["right"])
            assert mine == (moto_saw if follows == "moto" else dynalite_saw), f"step {step}"
    assert ours[0] == "ACTIVE" and ours[-1] == []
    assert ours[5] == {"info": {"actors": ["Moe"]}}
    assert ours[7] == ["Back to the Future", "Brazil", "The Breakfast Club"]
    assert [m["title"] for m in ours[9]] == ["12 Angry Men", "Rear Window"]


def test_the_client_script_runs_unchanged_on_dynamolite(moto_aws):
    ours = client_script(dynamolite.client(region_name="us-east-1"))
    assert ours == client_script(boto3.client("dynamodb", region_name="us-east-1"))
    assert ours[2] == {"info": {"M": {"rating": {"N": "1"}}}}
    assert ours[3] == "ConditionalCheckFailedException"
    assert [m["title"]["S"] for m in ours[5]] == ["12 Angry Men", "Rear Window"]
