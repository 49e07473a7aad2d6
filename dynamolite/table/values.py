"""Values as DynamoDB sees them: types, the stored form, sizes and capacity units.

boto3's resource layer shows an item as plain Python values: ``str``,
``Decimal`` (every number), ``Binary``, ``bool``, ``None``, ``set``,
``list`` and ``dict``. DynamoDB names their types with one or two letters
(``S``, ``N``, ``B``, ``BOOL``, ``NULL``, ``SS``, ``NS``, ``BS``, ``L``,
``M``) and charges for them by size: a write unit per started KB written, a
read unit per started 4 KB read (half of one for an eventually consistent
read).

>>> item = normalize({"pk": "alice", "n": 3, "tags": {"a", "b"}})
>>> item["n"], type_of(item["tags"]), item_size(item)
(Decimal('3'), 'SS', 16)
>>> units(item_size(item), WRITE_UNIT)
1

Cost: every function here is linear in the size of the value it is given.
"""

import math
from decimal import Decimal, Inexact, Rounded

from boto3.dynamodb.types import DYNAMODB_CONTEXT, Binary

from . import errors

ITEM_LIMIT = 400 * 1024
"""Largest item, in bytes (names plus values), DynamoDB stores."""
HASH_KEY_LIMIT = 2048
"""Largest partition key value, in bytes."""
RANGE_KEY_LIMIT = 1024
"""Largest sort key value, in bytes."""
PAGE_LIMIT = 1024 * 1024
"""A Query or Scan page stops after examining 1 MB of items."""
READ_UNIT = 4096
"""Bytes one strongly consistent read unit reads (eventually consistent: half a unit)."""
WRITE_UNIT = 1024
"""Bytes one write unit writes."""

MISSING = object()
"""What a document path resolves to when the item has no such attribute."""


def type_of(value):
    """DynamoDB's type descriptor of a Python value: 'S', 'N', 'B', 'BOOL', 'NULL',
    'SS', 'NS', 'BS', 'L' or 'M'.

    >>> type_of(Decimal(3)), type_of("x"), type_of({Decimal(1)}), type_of(None)
    ('N', 'S', 'NS', 'NULL')
    """
    if isinstance(value, str):
        return "S"
    if isinstance(value, bool):
        return "BOOL"
    if isinstance(value, (Decimal, int)):
        return "N"
    if isinstance(value, (Binary, bytes, bytearray)):
        return "B"
    if value is None:
        return "NULL"
    if isinstance(value, (set, frozenset)):
        for element in value:
            return type_of(element) + "S"
        return "NS"
    if isinstance(value, dict):
        return "M"
    if isinstance(value, (list, tuple)):
        return "L"
    raise TypeError(f"unsupported value {value!r}")


def raw(value):
    """The comparable Python value: bytes for binary, the value itself otherwise.

    >>> raw(Binary(b"ab")), raw("ab")
    (b'ab', 'ab')
    """
    return value.value if isinstance(value, Binary) else value


def same(a, b):
    """DynamoDB equality: same type and same value (``True`` is not ``1``).

    >>> same(Decimal(1), Decimal("1.0")), same(True, Decimal(1))
    (True, False)
    """
    ta, tb = type_of(a), type_of(b)
    if ta != tb:
        return False
    if ta == "L":
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if ta == "M":
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if ta == "BS":
        return {raw(x) for x in a} == {raw(x) for x in b}
    return raw(a) == raw(b)


def ordered(a, b):
    """Both values comparable with < (the same scalar type: N, S or B)."""
    ta = type_of(a)
    return ta in ("N", "S", "B") and ta == type_of(b)


def normalize(value):
    """Check a value as boto3's TypeSerializer does and return the stored form
    (ints become Decimal, bytes become Binary); a float is refused.

    >>> normalize({"n": 3, "tags": {"a"}})
    {'n': Decimal('3'), 'tags': {'a'}}
    >>> normalize(1.5)
    Traceback (most recent call last):
    ...
    TypeError: Float types are not supported. Use Decimal types instead.
    """
    if isinstance(value, str) or value is None or isinstance(value, bool):
        return value
    if isinstance(value, (int, Decimal)):
        try:
            number = DYNAMODB_CONTEXT.create_decimal(value)
        except (Inexact, Rounded) as error:
            raise type(error)(*error.args) from None
        if number.is_nan() or number.is_infinite():
            raise TypeError("Infinity and NaN not supported")
        return number
    if isinstance(value, float):
        raise TypeError("Float types are not supported. Use Decimal types instead.")
    if isinstance(value, Binary):
        return value
    if isinstance(value, (bytes, bytearray)):
        return Binary(bytes(value))
    if isinstance(value, dict):
        return {k: normalize(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [normalize(v) for v in value]
    if isinstance(value, (set, frozenset)):
        elements = {normalize(v) for v in value}
        kinds = {type_of(v) for v in elements}
        if len(kinds) > 1 or kinds - {"N", "S", "B"}:
            raise TypeError(f'Unsupported type "{type(value)}" for value "{value}"')
        if not elements:
            raise errors.invalid(errors.EMPTY_SET)
        return elements
    raise TypeError(f'Unsupported type "{type(value)}" for value "{value}"')


def value_size(value):
    """Bytes DynamoDB counts for a value (section "Item sizes" of its guide).

    >>> value_size("abc"), value_size(Decimal("12345")), value_size([Decimal(1)])
    (3, 4, 6)
    """
    if isinstance(value, str):
        return len(value.encode())
    if isinstance(value, bool) or value is None:
        return 1
    if isinstance(value, Decimal):
        digits = value.normalize().as_tuple().digits
        return (len(digits) + 1) // 2 + 1
    if isinstance(value, Binary):
        return len(value.value)
    if isinstance(value, (set, frozenset)):
        return sum(value_size(v) for v in value)
    if isinstance(value, list):
        return 3 + sum(1 + value_size(v) for v in value)
    if isinstance(value, dict):
        return 3 + sum(1 + len(k.encode()) + value_size(v) for k, v in value.items())
    return len(str(value))


def item_size(item):
    """Bytes of an item: attribute names plus values."""
    return sum(len(k.encode()) + value_size(v) for k, v in item.items())


def units(size, unit):
    """Capacity units for ``size`` bytes: one per started ``unit``, at least one.

    >>> units(1, WRITE_UNIT), units(1025, WRITE_UNIT), units(4096, READ_UNIT)
    (1, 2, 1)
    """
    return max(1, math.ceil(size / unit))


def hash_bytes(value):
    """The bytes a partition key value is hashed from: its type letter, then its value,
    so the string "1" and the number 1 land in different places.

    >>> hash_bytes("ab"), hash_bytes(Decimal("1.50"))
    (b'Sab', b'N1.5')
    """
    if isinstance(value, str):
        return b"S" + value.encode()
    if isinstance(value, Binary):
        return b"B" + value.value
    return b"N" + str(value.normalize()).encode()
