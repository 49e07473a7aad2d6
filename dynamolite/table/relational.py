"""The relational side of "relational versus key-value": one shop, two designs.

Amazon's engineers measured their own database traffic: about 70 percent of
operations read or wrote one row by its primary key, about 20 percent returned
a set of rows from one table, and only the rest needed a JOIN (Vogels; the
Dynamo paper, section 1 and 2). This module builds, from a seed, the same
small shop twice:

* **normalized** in SQLite (the standard library's ``sqlite3``, a real
  database): ``customers``, ``products``, ``orders``, ``order_lines``, with
  primary keys, foreign keys and an index on ``orders(customer_id, date)``;
* **single-table** in a DynamoDB-style table (:mod:`dynamolite.table`): a
  customer's profile and orders share the partition key ``CUSTOMER#<id>``;
  each order item carries its lines and the product names and the customer's
  name *copied into it*, so the order page is one read, and a global index
  ``by_order`` finds an order by its id.

The three access patterns exist both ways (``sql_*`` and ``kv_*``), and each
returns its answer and what it cost: SQLite's query plan and the number of
virtual-machine steps it ran (its work), or the table's items examined and
capacity units.

>>> shop = make_shop(seed=1, customers=5, products=4, orders_per_customer=2)
>>> conn = shop.sqlite()
>>> rows, cost = sql_customer(conn, "c0001")
>>> kv = kv_customer(shop.table(), "c0001")[0]
>>> rows[0]["name"] == kv["name"]
True
"""

import random
import sqlite3
import time
from dataclasses import dataclass, field
from decimal import Decimal  # noqa: F401 (the doctests use it)
from functools import partial

from boto3.dynamodb.conditions import Key

from .table import resource as _resource

FIRST = ["Ada", "Alan", "Barbara", "Edsger", "Grace", "Ken", "Leslie", "Radia", "Tony", "Werner"]
LAST = ["Liskov", "Lamport", "Hopper", "Dijkstra", "Turing", "Perlman", "Hoare", "Vogels",
        "Thompson", "Lovelace"]
CITIES = ["Seattle", "Dublin", "Tokyo", "Sydney", "Lagos", "Lima"]
GOODS = ["kettle", "lamp", "chair", "desk", "mug", "pen", "notebook", "cable", "plant", "clock"]

SCHEMA = """
CREATE TABLE customers (id TEXT PRIMARY KEY, name TEXT NOT NULL, email TEXT NOT NULL,
                        city TEXT NOT NULL);
CREATE TABLE products  (id TEXT PRIMARY KEY, name TEXT NOT NULL, price_cents INTEGER NOT NULL);
CREATE TABLE orders    (id TEXT PRIMARY KEY, customer_id TEXT NOT NULL REFERENCES customers(id),
                        date TEXT NOT NULL);
CREATE TABLE order_lines (order_id TEXT NOT NULL REFERENCES orders(id),
                          line INTEGER NOT NULL,
                          product_id TEXT NOT NULL REFERENCES products(id),
                          quantity INTEGER NOT NULL,
                          PRIMARY KEY (order_id, line));
CREATE INDEX orders_by_customer ON orders(customer_id, date);
"""
"""The normalized schema: every fact stored once."""


@dataclass
class Shop:
    """The shop's records as plain rows (lists of dicts), ready for either design."""

    customers: list = field(default_factory=list)
    products: list = field(default_factory=list)
    orders: list = field(default_factory=list)
    order_lines: list = field(default_factory=list)

    def sqlite(self, path=":memory:"):
        """A SQLite connection holding the normalized schema and these rows."""
        conn = sqlite3.connect(path)
        conn.row_factory = sqlite3.Row
        conn.execute("PRAGMA foreign_keys = ON")
        conn.executescript(SCHEMA)
        conn.executemany("INSERT INTO customers VALUES (:id, :name, :email, :city)", self.customers)
        conn.executemany("INSERT INTO products VALUES (:id, :name, :price_cents)", self.products)
        conn.executemany("INSERT INTO orders VALUES (:id, :customer_id, :date)", self.orders)
        conn.executemany("INSERT INTO order_lines VALUES (:order_id, :line, :product_id, :quantity)",
                         self.order_lines)
        conn.commit()
        conn.execute("ANALYZE")
        return conn

    def items(self):
        """The same shop as single-table items (see :func:`to_items`)."""
        return to_items(self)

    def table(self, db=None, name="Shop"):
        """A DynamoDB-style table (dynamolite unless ``db`` is a boto3 resource) with the items."""
        db = db or _resource()
        table = create_shop_table(db, name)
        with table.batch_writer() as batch:
            for item in self.items():
                batch.put_item(Item=item)
        return table


def make_shop(seed=0, customers=100, products=50, orders_per_customer=5, lines_per_order=3):
    """A seeded shop: the same arguments give the same rows.

    Cost: O(customers * orders_per_customer * lines_per_order).
    """
    rng = random.Random(seed)
    shop = Shop()
    for i in range(products):
        shop.products.append({"id": f"p{i:04d}", "name": f"{rng.choice(GOODS)} {i}",
                              "price_cents": rng.randrange(100, 10000)})
    order_number = 0
    for i in range(customers):
        cid = f"c{i:04d}"
        first, last = rng.choice(FIRST), rng.choice(LAST)
        shop.customers.append({"id": cid, "name": f"{first} {last}",
                               "email": f"{first.lower()}.{i}@example.com",
                               "city": rng.choice(CITIES)})
        for _ in range(orders_per_customer):
            oid = f"o{order_number:06d}"
            order_number += 1
            date = f"2024-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
            shop.orders.append({"id": oid, "customer_id": cid, "date": date})
            for line in range(1, rng.randint(1, lines_per_order) + 1):
                shop.order_lines.append({"order_id": oid, "line": line,
                                         "product_id": rng.choice(shop.products)["id"],
                                         "quantity": rng.randint(1, 4)})
    return shop


# ---------------------------------------------------------------------------
# The single-table design
# ---------------------------------------------------------------------------
def create_shop_table(db, name="Shop"):
    """Create the single table: string keys ``pk``/``sk`` and a sparse index ``by_order``."""
    return db.create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"},
                   {"AttributeName": "sk", "KeyType": "RANGE"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                              {"AttributeName": "sk", "AttributeType": "S"},
                              {"AttributeName": "order_id", "AttributeType": "S"}],
        GlobalSecondaryIndexes=[{"IndexName": "by_order",
                                 "KeySchema": [{"AttributeName": "order_id", "KeyType": "HASH"}],
                                 "Projection": {"ProjectionType": "ALL"}}],
        BillingMode="PAY_PER_REQUEST")


def to_items(shop):
    """Denormalize the shop into items.

    * ``CUSTOMER#<id>`` / ``PROFILE``: name, email, city;
    * ``CUSTOMER#<id>`` / ``ORDER#<date>#<order id>``: the order with its lines,
      product names and prices and the customer's name copied in;
    * ``PRODUCT#<id>`` / ``PRODUCT``: name and price.
    """
    products = {p["id"]: p for p in shop.products}
    customers = {c["id"]: c for c in shop.customers}
    lines = {}
    for line in shop.order_lines:
        lines.setdefault(line["order_id"], []).append(line)
    items = [{"pk": f"CUSTOMER#{c['id']}", "sk": "PROFILE", "name": c["name"],
              "email": c["email"], "city": c["city"]} for c in shop.customers]
    items += [{"pk": f"PRODUCT#{p['id']}", "sk": "PRODUCT", "name": p["name"],
               "price_cents": p["price_cents"]} for p in shop.products]
    for order in shop.orders:
        order_lines = [{"product_id": ln["product_id"], "product_name": products[ln["product_id"]]["name"],
                        "price_cents": products[ln["product_id"]]["price_cents"],
                        "quantity": ln["quantity"]} for ln in lines.get(order["id"], [])]
        items.append({"pk": f"CUSTOMER#{order['customer_id']}",
                      "sk": f"ORDER#{order['date']}#{order['id']}",
                      "order_id": order["id"], "date": order["date"],
                      "customer_name": customers[order["customer_id"]]["name"],
                      "lines": order_lines,
                      "total_cents": sum(ln["price_cents"] * ln["quantity"] for ln in order_lines)})
    return items


# ---------------------------------------------------------------------------
# Measuring SQLite
# ---------------------------------------------------------------------------
def sql_run(conn, sql, params=()):
    """Run one statement; return (rows as dicts, cost).

    ``cost`` holds ``plan`` (the lines of ``EXPLAIN QUERY PLAN``: SCAN means
    every row of a table, SEARCH means an index or key lookup), ``steps``
    (virtual-machine instructions SQLite executed: its work, roughly
    proportional to rows examined) and ``seconds``.
    """
    plan = [row[3] for row in conn.execute("EXPLAIN QUERY PLAN " + sql, params)]
    steps = [0]

    def count():
        steps[0] += 1
        return 0
    conn.set_progress_handler(count, 1)
    start = time.perf_counter()
    try:
        rows = [dict(r) for r in conn.execute(sql, params)]
    finally:
        seconds = time.perf_counter() - start
        conn.set_progress_handler(None, 1)
    return rows, {"plan": plan, "steps": steps[0], "seconds": seconds}


def sql_customer(conn, customer_id):
    """Pattern 1 (key-value): one customer by primary key."""
    return sql_run(conn, "SELECT * FROM customers WHERE id = ?", (customer_id,))


def sql_orders_between(conn, customer_id, first_date, last_date):
    """Pattern 2 (a set of rows of one table): a customer's orders in a date range."""
    return sql_run(conn, "SELECT * FROM orders WHERE customer_id = ? AND date BETWEEN ? AND ? "
                         "ORDER BY date", (customer_id, first_date, last_date))


ORDER_PAGE_SQL = """
SELECT o.id AS order_id, o.date, c.name AS customer_name, l.line, p.name AS product_name,
       p.price_cents, l.quantity
FROM orders o
JOIN customers c ON c.id = o.customer_id
JOIN order_lines l ON l.order_id = o.id
JOIN products p ON p.id = l.product_id
WHERE o.id = ?
ORDER BY l.line
"""


def sql_order_page(conn, order_id):
    """Pattern 3 (a JOIN): an order with its lines, product names and customer name."""
    return sql_run(conn, ORDER_PAGE_SQL, (order_id,))


def sql_rename_customer(conn, customer_id, new_name):
    """Change a customer's name: one row, because the name is stored once."""
    cur = conn.execute("UPDATE customers SET name = ? WHERE id = ?", (new_name, customer_id))
    conn.commit()
    return cur.rowcount


# ---------------------------------------------------------------------------
# The same patterns against the table
# ---------------------------------------------------------------------------
def _cost(response):
    details = response.get("Dynamolite", {})
    return {"items_examined": details.get("items_examined"),
            "partitions_touched": details.get("partitions_touched"),
            "read_units": details.get("read_units")}


def kv_customer(table, customer_id):
    """Pattern 1: ``get_item`` on the profile item. Returns (item or None, cost)."""
    r = table.get_item(Key={"pk": f"CUSTOMER#{customer_id}", "sk": "PROFILE"})
    return r.get("Item"), _cost(r)


def kv_orders_between(table, customer_id, first_date, last_date):
    """Pattern 2: one Query on the customer's partition, a sort-key range."""
    r = table.query(KeyConditionExpression=Key("pk").eq(f"CUSTOMER#{customer_id}")
                    & Key("sk").between(f"ORDER#{first_date}", f"ORDER#{last_date}~"))
    return r["Items"], _cost(r)


def kv_order_page(table, order_id):
    """Pattern 3: no JOIN: one Query on the ``by_order`` index returns the whole page."""
    r = table.query(IndexName="by_order", KeyConditionExpression=Key("order_id").eq(order_id))
    return (r["Items"][0] if r["Items"] else None), _cost(r)


def sql_customers_in_city(conn, city):
    """An unplanned question: customers in a city. No index serves it: a SCAN."""
    return sql_run(conn, "SELECT * FROM customers WHERE city = ?", (city,))


def kv_customers_in_city(table, city):
    """The same question on the table: a Scan of every page, filtered. Returns (items, cost).

    The Scan reads at most 1 MB a page, so it follows ``LastEvaluatedKey`` to
    the end; ``cost`` adds up the items examined over all pages.
    """
    items, examined, pages, kwargs = [], 0, 0, {}
    while True:
        r = table.scan(FilterExpression="city = :c", ExpressionAttributeValues={":c": city}, **kwargs)
        items += r["Items"]
        examined += r["Dynamolite"]["items_examined"]
        pages += 1
        if "LastEvaluatedKey" not in r:
            return items, {"items_examined": examined, "pages": pages}
        kwargs = {"ExclusiveStartKey": r["LastEvaluatedKey"]}


def kv_rename_customer(table, customer_id, new_name):
    """Change a customer's name: the profile AND every order that copied it.

    Returns the number of items written. Nothing makes these writes atomic
    here: a crash halfway leaves some orders with the old name (the integrity
    the normalized design gave for free).
    """
    pk = f"CUSTOMER#{customer_id}"
    written = 0
    start = None
    while True:
        args = {"KeyConditionExpression": Key("pk").eq(pk)}
        if start:
            args["ExclusiveStartKey"] = start
        page = table.query(**args)
        for item in page["Items"]:
            field_name = "name" if item["sk"] == "PROFILE" else "customer_name"
            table.update_item(Key={"pk": pk, "sk": item["sk"]},
                              UpdateExpression="SET #f = :n",
                              ExpressionAttributeNames={"#f": field_name},
                              ExpressionAttributeValues={":n": new_name})
            written += 1
        start = page.get("LastEvaluatedKey")
        if not start:
            return written


# ---------------------------------------------------------------------------
# The operation mix
# ---------------------------------------------------------------------------
MIX = {"key-value": 0.70, "range": 0.20, "join": 0.10}
"""The shares Amazon reported: 70% by primary key, 20% a set of rows, 10% the rest."""


def operation_mix(shop, n, seed=0, mix=MIX):
    """``n`` seeded operations drawn with the shares of ``mix``: tuples
    ("key-value", customer id) | ("range", customer id, first date, last date) |
    ("join", order id)."""
    rng = random.Random(seed)
    kinds, weights = list(mix), list(mix.values())
    out = []
    for _ in range(n):
        kind = rng.choices(kinds, weights)[0]
        if kind == "key-value":
            out.append((kind, rng.choice(shop.customers)["id"]))
        elif kind == "range":
            month = rng.randint(1, 10)
            out.append((kind, rng.choice(shop.customers)["id"], f"2024-{month:02d}-01",
                        f"2024-{month + 2:02d}-28"))
        else:
            out.append((kind, rng.choice(shop.orders)["id"]))
    return out


def _run_mix(operations, patterns, measure):
    """Total ``cost[measure]`` per kind of operation, running each with ``patterns[kind]``."""
    totals = {k: 0 for k in MIX}
    for kind, *args in operations:
        _, cost = patterns[kind](*args)
        totals[kind] += cost[measure]
    return totals


def run_mix_sql(conn, operations):
    """Run the mix on SQLite; return total VM steps per kind of operation."""
    return _run_mix(operations, {"key-value": partial(sql_customer, conn),
                                 "range": partial(sql_orders_between, conn),
                                 "join": partial(sql_order_page, conn)}, "steps")


def run_mix_kv(table, operations):
    """Run the mix on the table; return total items examined per kind of operation."""
    return _run_mix(operations, {"key-value": partial(kv_customer, table),
                                 "range": partial(kv_orders_between, table),
                                 "join": partial(kv_order_page, table)}, "items_examined")


def cents(value):
    """Format integer cents (or a Decimal) as a price string.

    >>> cents(Decimal(1250))
    '12.50'
    """
    return f"{int(value) // 100}.{int(value) % 100:02d}"
