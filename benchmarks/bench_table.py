"""Benchmark: dynamolite's table against boto3 on moto (in-process), side by side.

    .venv/bin/python benchmarks/bench_table.py            # full run (about a minute)
    .venv/bin/python benchmarks/bench_table.py --quick    # smaller tables

Prints, for the same workload on both, through the resource API
(``resource()`` / ``boto3.resource``) and through the client API (``client()`` /
``boto3.client``, typed values): put_item and get_item throughput (median of 5
rounds) and their ratio (target: dynamolite at least 20 times moto); then the
time of a Query returning 100 items from one partition on a 1,000-item and on a
1,000,000-item table (target: the big one at most 2 times the small one,
because a Query walks only the slice it returns).
"""

import argparse
import os
import statistics
import time

import boto3
from boto3.dynamodb.conditions import Key
from moto import mock_aws

from dynamolite.table import client, resource

SCHEMA = dict(
    KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"},
               {"AttributeName": "sk", "KeyType": "RANGE"}],
    AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                          {"AttributeName": "sk", "AttributeType": "N"}],
    BillingMode="PAY_PER_REQUEST")


def item(i):
    return {"pk": f"user{i % 97}", "sk": i, "name": f"name {i}", "score": i % 1000}


def typed_item(i):
    return {"pk": {"S": f"user{i % 97}"}, "sk": {"N": str(i)}, "name": {"S": f"name {i}"},
            "score": {"N": str(i % 1000)}}


def throughput(table, n, rounds=5, low_level=None):
    """Median operations per second of n put_item, then n get_item, on a resource's
    table, or (``low_level``) on a client's table ``table``, with typed values."""
    if low_level is not None:
        def put(i):
            low_level.put_item(TableName=table, Item=typed_item(i))

        def get(i):
            low_level.get_item(TableName=table, Key={"pk": {"S": f"user{i % 97}"},
                                                     "sk": {"N": str(i)}})
    else:
        def put(i):
            table.put_item(Item=item(i))

        def get(i):
            table.get_item(Key={"pk": f"user{i % 97}", "sk": i})
    puts, gets = [], []
    for r in range(rounds):
        start = time.perf_counter()
        for i in range(n):
            put(i)
        puts.append(n / (time.perf_counter() - start))
        start = time.perf_counter()
        for i in range(n):
            get(i)
        gets.append(n / (time.perf_counter() - start))
    return statistics.median(puts), statistics.median(gets)


def query_time(size, repeats=200):
    """Median seconds of a Query returning 100 items from one partition of a size-item table."""
    table = resource().create_table(TableName="Q", **SCHEMA)
    # partition "hot" holds 1,000 items; the rest of the table is spread over other partitions
    hot = 1000
    with table.batch_writer() as batch:
        for i in range(hot):
            batch.put_item(Item={"pk": "hot", "sk": i, "v": i})
    put = table.put_item
    for i in range(size - hot):
        put(Item={"pk": f"k{i % 50000}", "sk": i})
    assert table.item_count == size
    cond = Key("pk").eq("hot") & Key("sk").between(400, 499)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        r = table.query(KeyConditionExpression=cond)
        times.append(time.perf_counter() - start)
        assert r["Count"] == 100
    return statistics.median(times)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="100,000 items instead of 1,000,000")
    args = parser.parse_args()
    n = 300

    os.environ.update(AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing",
                      AWS_DEFAULT_REGION="us-east-1")
    with mock_aws():
        moto_table = boto3.resource("dynamodb", region_name="us-east-1").create_table(
            TableName="Bench", **SCHEMA)
        moto_put, moto_get = throughput(moto_table, n)
        moto_client = boto3.client("dynamodb", region_name="us-east-1")
        moto_client.create_table(TableName="BenchClient", **SCHEMA)
        moto_cput, moto_cget = throughput("BenchClient", n, low_level=moto_client)
    ours = resource().create_table(TableName="Bench", **SCHEMA)
    our_put, our_get = throughput(ours, n)
    our_client = client()
    our_client.create_table(TableName="BenchClient", **SCHEMA)
    our_cput, our_cget = throughput("BenchClient", n, low_level=our_client)

    print(f"{'operation':<20}{'boto3+moto ops/s':>18}{'dynamolite ops/s':>18}{'ratio':>8}")
    for name, theirs, mine in (("resource put_item", moto_put, our_put),
                               ("resource get_item", moto_get, our_get),
                               ("client put_item", moto_cput, our_cput),
                               ("client get_item", moto_cget, our_cget)):
        print(f"{name:<20}{theirs:>18,.0f}{mine:>18,.0f}{mine / theirs:>7.1f}x")

    big = 100_000 if args.quick else 1_000_000
    small_t, big_t = query_time(1000), query_time(big)
    print(f"\nQuery returning 100 items from one partition (median of 200):")
    print(f"  table of {1000:>9,} items: {small_t * 1e6:8.1f} us")
    print(f"  table of {big:>9,} items: {big_t * 1e6:8.1f} us   ratio {big_t / small_t:.2f}")


if __name__ == "__main__":
    main()
