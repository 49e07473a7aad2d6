"""Tests of dynamolite.table.relational: the same shop, normalized in SQLite and as single-table items."""

from collections import Counter

import pytest

from dynamolite.table.relational import (MIX, kv_customer, kv_order_page, kv_orders_between,
                                   kv_rename_customer, make_shop, operation_mix, run_mix_kv,
                                   run_mix_sql, sql_customer, sql_order_page,
                                   sql_orders_between, sql_rename_customer, sql_run)


@pytest.fixture(scope="module")
def shop():
    return make_shop(seed=3, customers=30, products=12, orders_per_customer=4)


def test_seeded(shop):
    assert make_shop(seed=3, customers=30, products=12, orders_per_customer=4) == shop
    assert make_shop(seed=4, customers=30, products=12, orders_per_customer=4) != shop


def test_foreign_keys_hold(shop):
    conn = shop.sqlite()
    assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    assert conn.execute("SELECT COUNT(*) FROM order_lines").fetchone()[0] == len(shop.order_lines)


def test_both_designs_answer_the_same(shop):
    conn, table = shop.sqlite(), shop.table()
    for customer in shop.customers[:10]:
        rows, _ = sql_customer(conn, customer["id"])
        item, _ = kv_customer(table, customer["id"])
        assert rows[0]["name"] == item["name"] and rows[0]["email"] == item["email"]
        rows, _ = sql_orders_between(conn, customer["id"], "2024-03-01", "2024-09-28")
        items, cost = kv_orders_between(table, customer["id"], "2024-03-01", "2024-09-28")
        assert [r["id"] for r in rows] == [i["order_id"] for i in items]
        assert cost["items_examined"] == len(items) and cost["partitions_touched"] == 1
    for order in shop.orders[:20]:
        rows, cost = sql_order_page(conn, order["id"])
        item, kv_cost = kv_order_page(table, order["id"])
        assert [(r["product_name"], r["quantity"]) for r in rows] == \
            [(ln["product_name"], ln["quantity"]) for ln in item["lines"]]
        assert all(line.startswith("SEARCH") for line in cost["plan"])
        assert kv_cost["items_examined"] == 1


def test_plan_shows_a_scan_without_an_index(shop):
    conn = shop.sqlite()
    _, cost = sql_run(conn, "SELECT * FROM customers WHERE city = ?", ("Lima",))
    assert any(line.startswith("SCAN") for line in cost["plan"])
    assert cost["steps"] > 0


def test_rename_touches_every_copy(shop):
    conn, table = shop.sqlite(), shop.table()
    cid = shop.customers[0]["id"]
    assert sql_rename_customer(conn, cid, "New Name") == 1
    written = kv_rename_customer(table, cid, "New Name")
    orders = sum(1 for o in shop.orders if o["customer_id"] == cid)
    assert written == 1 + orders
    items, _ = kv_orders_between(table, cid, "2024-01-01", "2024-12-31")
    assert {i["customer_name"] for i in items} == {"New Name"}
    page, _ = sql_order_page(conn, next(o["id"] for o in shop.orders if o["customer_id"] == cid))
    assert page[0]["customer_name"] == "New Name"


def test_operation_mix_shares(shop):
    ops = operation_mix(shop, 2000, seed=1)
    counts = Counter(op[0] for op in ops)
    for kind, share in MIX.items():
        assert abs(counts[kind] / 2000 - share) < 0.04
    assert operation_mix(shop, 50, seed=2) == operation_mix(shop, 50, seed=2)
    sql = run_mix_sql(shop.sqlite(), ops[:100])
    kv = run_mix_kv(shop.table(), ops[:100])
    assert set(sql) == set(kv) == set(MIX)
    # the table examines exactly what each pattern needs: one item per key-value read and
    # per order page, and per range read the customer's orders in that range
    expected = Counter()
    for kind, *args in ops[:100]:
        if kind == "range":
            cid, first, last = args
            expected[kind] += sum(1 for o in shop.orders
                                  if o["customer_id"] == cid and first <= o["date"] <= last)
        else:
            expected[kind] += 1
    assert kv == dict(expected)
    assert all(sql[kind] > kv[kind] for kind in MIX)     # SQLite's VM steps outnumber them


def test_city_question_scans_every_page_of_both_designs():
    from dynamolite.table.relational import kv_customers_in_city, sql_customers_in_city
    big = make_shop(seed=5, customers=900, products=20, orders_per_customer=5)
    conn, table = big.sqlite(), big.table()
    city = big.customers[0]["city"]
    rows, sql_cost = sql_customers_in_city(conn, city)
    items, kv_cost = kv_customers_in_city(table, city)
    assert sorted(r["id"] for r in rows) == sorted(i["pk"].split("#")[1] for i in items)
    assert any("SCAN" in line for line in sql_cost["plan"])
    assert kv_cost["pages"] > 1                          # more than 1 MB: several pages
    assert kv_cost["items_examined"] == len(big.items())  # every item, on every page
