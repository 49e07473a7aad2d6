"""Realistic wrong answers to the data-modelling exercise: each must lose its part's points."""

WRONG_ANSWERS = {
    "part_a": {
        "alerts_index_keyed_by_site": '''
def readings_table():
    def keys(h, r):
        return [{"AttributeName": h, "KeyType": "HASH"}, {"AttributeName": r, "KeyType": "RANGE"}]
    return {"TableName": "Readings", "KeySchema": keys("device_id", "ts"),
            "AttributeDefinitions": [{"AttributeName": n, "AttributeType": "S"}
                                     for n in ("device_id", "ts", "site", "alert")],
            "GlobalSecondaryIndexes": [
                {"IndexName": "by_site", "KeySchema": keys("site", "ts"), "Projection": {"ProjectionType": "ALL"}},
                {"IndexName": "alerts", "KeySchema": keys("site", "alert"), "Projection": {"ProjectionType": "ALL"}}],
            "BillingMode": "PAY_PER_REQUEST"}
''',
        "timestamp_as_partition_key": '''
def readings_table():
    def keys(h, r):
        return [{"AttributeName": h, "KeyType": "HASH"}, {"AttributeName": r, "KeyType": "RANGE"}]
    return {"TableName": "Readings", "KeySchema": keys("ts", "device_id"),
            "AttributeDefinitions": [{"AttributeName": n, "AttributeType": "S"}
                                     for n in ("device_id", "ts", "site", "alert")],
            "GlobalSecondaryIndexes": [
                {"IndexName": "by_site", "KeySchema": keys("site", "ts"), "Projection": {"ProjectionType": "ALL"}},
                {"IndexName": "alerts", "KeySchema": keys("alert", "ts"), "Projection": {"ProjectionType": "ALL"}}],
            "BillingMode": "PAY_PER_REQUEST"}
''',
        "site_index_sorted_by_device": '''
def readings_table():
    def keys(h, r):
        return [{"AttributeName": h, "KeyType": "HASH"}, {"AttributeName": r, "KeyType": "RANGE"}]
    return {"TableName": "Readings", "KeySchema": keys("device_id", "ts"),
            "AttributeDefinitions": [{"AttributeName": n, "AttributeType": "S"}
                                     for n in ("device_id", "ts", "site", "alert")],
            "GlobalSecondaryIndexes": [
                {"IndexName": "by_site", "KeySchema": keys("site", "device_id"), "Projection": {"ProjectionType": "ALL"}},
                {"IndexName": "alerts", "KeySchema": keys("alert", "ts"), "Projection": {"ProjectionType": "ALL"}}],
            "BillingMode": "PAY_PER_REQUEST"}
''',
    },
    "part_b": {
        "not_sparse_flag_none": '''
def forum_items(users, threads, posts):
    names = {u["user_id"]: u["display_name"] for u in users}
    items = [{"pk": f"THREAD#{t['thread_id']}", "sk": "THREAD", "title": t["title"],
              "created": t["created"]} for t in threads]
    for p in posts:
        items.append({"pk": f"THREAD#{p['thread_id']}", "sk": f"POST#{p['created']}#{p['post_id']}",
                      "post_id": p["post_id"], "author": names[p["user_id"]], "created": p["created"],
                      "body": p["body"], "likes": p["likes"],
                      "flag_day": p["created"][:10] if p["flagged"] else None})
    return items
''',
        "author_id_instead_of_name": '''
def forum_items(users, threads, posts):
    items = [{"pk": f"THREAD#{t['thread_id']}", "sk": "THREAD", "title": t["title"],
              "created": t["created"]} for t in threads]
    for p in posts:
        item = {"pk": f"THREAD#{p['thread_id']}", "sk": f"POST#{p['created']}#{p['post_id']}",
                "post_id": p["post_id"], "author": p["user_id"], "created": p["created"],
                "body": p["body"], "likes": p["likes"]}
        if p["flagged"]:
            item["flag_day"] = p["created"][:10]
        items.append(item)
    return items
''',
        "threads_only_when_they_have_posts": '''
def forum_items(users, threads, posts):
    names = {u["user_id"]: u["display_name"] for u in users}
    titles = {t["thread_id"]: t for t in threads}
    items, seen = [], set()
    for p in posts:
        if p["thread_id"] not in seen:
            seen.add(p["thread_id"])
            t = titles[p["thread_id"]]
            items.append({"pk": f"THREAD#{t['thread_id']}", "sk": "THREAD", "title": t["title"],
                          "created": t["created"]})
        item = {"pk": f"THREAD#{p['thread_id']}", "sk": f"POST#{p['created']}#{p['post_id']}",
                "post_id": p["post_id"], "author": names[p["user_id"]], "created": p["created"],
                "body": p["body"], "likes": p["likes"]}
        if p["flagged"]:
            item["flag_day"] = p["created"][:10]
        items.append(item)
    return items
''',
    },
    "part_c": {
        "one_page_only": '''
def thread_posts(table, thread_id, since=None):
    condition = Key("pk").eq(f"THREAD#{thread_id}")
    if since is None:
        condition = condition & Key("sk").begins_with("POST#")
    else:
        condition = condition & Key("sk").between(f"POST#{since}", "POST$")
    return table.query(KeyConditionExpression=condition)["Items"]
''',
        "filter_out_thread_item": '''
def thread_posts(table, thread_id, since=None):
    condition = Key("pk").eq(f"THREAD#{thread_id}")
    if since is not None:
        condition = condition & Key("sk").gte(f"POST#{since}")
    items, start = [], None
    while True:
        args = {"KeyConditionExpression": condition, "FilterExpression": Attr("post_id").exists()}
        if start:
            args["ExclusiveStartKey"] = start
        page = table.query(**args)
        items += page["Items"]
        start = page.get("LastEvaluatedKey")
        if not start:
            return items
''',
        "scan_with_filter": '''
def thread_posts(table, thread_id, since=None):
    flt = Attr("pk").eq(f"THREAD#{thread_id}") & Attr("sk").begins_with("POST#")
    if since is not None:
        flt = flt & Attr("created").gte(since)
    items, start = [], None
    while True:
        args = {"FilterExpression": flt}
        if start:
            args["ExclusiveStartKey"] = start
        page = table.scan(**args)
        items += page["Items"]
        start = page.get("LastEvaluatedKey")
        if not start:
            return sorted(items, key=lambda i: i["sk"])
''',
    },
    "part_d": {
        "consistent_read_on_gsi": '''
def flagged_on(table, day):
    ids, start = [], None
    while True:
        args = {"IndexName": "flagged", "KeyConditionExpression": Key("flag_day").eq(day),
                "ConsistentRead": True}
        if start:
            args["ExclusiveStartKey"] = start
        page = table.query(**args)
        ids += [i["post_id"] for i in page["Items"]]
        start = page.get("LastEvaluatedKey")
        if not start:
            return ids
''',
        "one_page_only": '''
def flagged_on(table, day):
    page = table.query(IndexName="flagged", KeyConditionExpression=Key("flag_day").eq(day))
    return [i["post_id"] for i in page["Items"]]
''',
        "scan_the_table": '''
def flagged_on(table, day):
    items, start = [], None
    while True:
        args = {"FilterExpression": Attr("flag_day").eq(day)}
        if start:
            args["ExclusiveStartKey"] = start
        page = table.scan(**args)
        items += page["Items"]
        start = page.get("LastEvaluatedKey")
        if not start:
            return [i["post_id"] for i in sorted(items, key=lambda i: i["created"])]
''',
    },
}

_USERS_TABLE = '''
import hashlib

AGE_SHARDS = 8

def users_table():
    return {"TableName": "Users", "KeySchema": [{"AttributeName": "user_id", "KeyType": "HASH"}],
            "AttributeDefinitions": [{"AttributeName": "user_id", "AttributeType": "S"},
                                     {"AttributeName": "age_shard", "AttributeType": "S"},
                                     {"AttributeName": "age", "AttributeType": "N"}],
            "GlobalSecondaryIndexes": [{"IndexName": "by_age",
                                        "KeySchema": [{"AttributeName": "age_shard", "KeyType": "HASH"},
                                                      {"AttributeName": "age", "KeyType": "RANGE"}],
                                        "Projection": {"ProjectionType": "KEYS_ONLY"}}],
            "BillingMode": "PAY_PER_REQUEST"}

def user_item(user):
    shard = int(hashlib.md5(user["user_id"].encode()).hexdigest(), 16) % AGE_SHARDS
    return {**user, "age_shard": f"AGE#{shard}"}

def user_by_id(table, user_id):
    return table.get_item(Key={"user_id": user_id}).get("Item")
'''

_ALL_PAGES = '''
    ids = []
    for shard in range(AGE_SHARDS):
        start = None
        while True:
            args = {"IndexName": "by_age", "KeyConditionExpression": CONDITION}
            if start:
                args["ExclusiveStartKey"] = start
            page = table.query(**args)
            ids += [item["user_id"] for item in page["Items"]]
            start = page.get("LastEvaluatedKey")
            if not start:
                break
    return ids
'''

WRONG_ANSWERS["part_e"] = {
    "scan_with_a_filter": _USERS_TABLE + '''
def adults(table):
    ids, start = [], None
    while True:
        args = {"FilterExpression": Attr("age").gt(18)}
        if start:
            args["ExclusiveStartKey"] = start
        page = table.scan(**args)
        ids += [item["user_id"] for item in page["Items"]]
        start = page.get("LastEvaluatedKey")
        if not start:
            return ids
''',
    "one_constant_index_key": '''
def users_table():
    return {"TableName": "Users", "KeySchema": [{"AttributeName": "user_id", "KeyType": "HASH"}],
            "AttributeDefinitions": [{"AttributeName": "user_id", "AttributeType": "S"},
                                     {"AttributeName": "kind", "AttributeType": "S"},
                                     {"AttributeName": "age", "AttributeType": "N"}],
            "GlobalSecondaryIndexes": [{"IndexName": "by_age",
                                        "KeySchema": [{"AttributeName": "kind", "KeyType": "HASH"},
                                                      {"AttributeName": "age", "KeyType": "RANGE"}],
                                        "Projection": {"ProjectionType": "KEYS_ONLY"}}],
            "BillingMode": "PAY_PER_REQUEST"}

def user_item(user):
    return {**user, "kind": "USER"}

def user_by_id(table, user_id):
    return table.get_item(Key={"user_id": user_id}).get("Item")

def adults(table):
    ids, start = [], None
    while True:
        args = {"IndexName": "by_age", "KeyConditionExpression": Key("kind").eq("USER") & Key("age").gt(18)}
        if start:
            args["ExclusiveStartKey"] = start
        page = table.query(**args)
        ids += [item["user_id"] for item in page["Items"]]
        start = page.get("LastEvaluatedKey")
        if not start:
            return ids
''',
    "shard_index_without_age_sort_key": _USERS_TABLE.replace(
        """,
                                                      {"AttributeName": "age", "KeyType": "RANGE"}],
                                        "Projection": {"ProjectionType": "KEYS_ONLY"}}],""",
        """],
                                        "Projection": {"ProjectionType": "ALL"}}],""").replace(
        """,
                                     {"AttributeName": "age", "AttributeType": "N"}]""", "]") + \
        "\ndef adults(table):" + _ALL_PAGES.replace(
            "CONDITION", 'Key("age_shard").eq(f"AGE#{shard}"), "FilterExpression": Attr("age").gt(18)'),
    "one_query_per_age": '''
def users_table():
    return {"TableName": "Users", "KeySchema": [{"AttributeName": "user_id", "KeyType": "HASH"}],
            "AttributeDefinitions": [{"AttributeName": "user_id", "AttributeType": "S"},
                                     {"AttributeName": "age", "AttributeType": "N"}],
            "GlobalSecondaryIndexes": [{"IndexName": "by_age",
                                        "KeySchema": [{"AttributeName": "age", "KeyType": "HASH"}],
                                        "Projection": {"ProjectionType": "KEYS_ONLY"}}],
            "BillingMode": "PAY_PER_REQUEST"}

def user_item(user):
    return dict(user)

def user_by_id(table, user_id):
    return table.get_item(Key={"user_id": user_id}).get("Item")

def adults(table):
    ids = []
    for age in range(19, 130):
        page = table.query(IndexName="by_age", KeyConditionExpression=Key("age").eq(age))
        ids += [item["user_id"] for item in page["Items"]]
    return ids
''',
    "eighteen_counts_as_older": _USERS_TABLE + "\ndef adults(table):" + _ALL_PAGES.replace(
        "CONDITION", 'Key("age_shard").eq(f"AGE#{shard}") & Key("age").gte(18)'),
}

_ALERTS = '''
ALERT_SHARDS = 4

def sharded_alerts_index():
    return {"IndexName": "alerts_sharded",
            "KeySchema": [{"AttributeName": "alert_shard", "KeyType": "HASH"},
                          {"AttributeName": "ts", "KeyType": "RANGE"}],
            "Projection": {"ProjectionType": "ALL"}}
'''

_SHARD_BY_HASH = '''
def alert_shard(reading):
    if "alert" not in reading:
        return None
    digest = hashlib.md5(f"{reading['device_id']}|{reading['ts']}".encode()).digest()
    return f"{reading['alert']}#{digest[0] % ALERT_SHARDS}"
'''

_READ_ALL_SHARDS = '''
def alerts_in_order(table, level):
    found = []
    for shard in range(ALERT_SHARDS):
        start = None
        while True:
            args = {"IndexName": "alerts_sharded", "KeyConditionExpression": Key("alert_shard").eq(f"{level}#{shard}")}
            if start:
                args["ExclusiveStartKey"] = start
            page = table.query(**args)
            found += page["Items"]
            start = page.get("LastEvaluatedKey")
            if not start:
                break
    return SORTED
'''

WRONG_ANSWERS["part_f"] = {
    "the_level_is_the_shard": _ALERTS + '''
def alert_shard(reading):
    return reading.get("alert")

def alerts_in_order(table, level):
    found, start = [], None
    while True:
        args = {"IndexName": "alerts_sharded", "KeyConditionExpression": Key("alert_shard").eq(level)}
        if start:
            args["ExclusiveStartKey"] = start
        page = table.query(**args)
        found += page["Items"]
        start = page.get("LastEvaluatedKey")
        if not start:
            return found
''',
    "shards_not_merged_by_time": _ALERTS + _SHARD_BY_HASH + _READ_ALL_SHARDS.replace("SORTED", "found"),
    "every_reading_gets_a_shard": _ALERTS + '''
def alert_shard(reading):
    digest = hashlib.md5(f"{reading['device_id']}|{reading['ts']}".encode()).digest()
    return f"{reading.get('alert', 'NONE')}#{digest[0] % ALERT_SHARDS}"
''' + _READ_ALL_SHARDS.replace("SORTED", 'sorted(found, key=lambda i: (i["ts"], i["device_id"]))'),
}
