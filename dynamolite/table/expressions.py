"""DynamoDB expressions: parse and evaluate them over Python items.

DynamoDB's API takes small expression languages as strings: key conditions
(``pk = :p AND sk BETWEEN :a AND :b``), conditions and filters
(``attribute_not_exists(pk) OR #n < :v``), projections (``a, b.c, d[0]``) and
update expressions (``SET n = n + :one REMOVE old ADD tags :t``). Names are
written as ``#placeholders`` (from ``ExpressionAttributeNames``) and values as
``:placeholders`` (from ``ExpressionAttributeValues``).

This module is a small recursive-descent parser for those languages, turning an
expression into a tree of tuples that :mod:`.evaluation` walks over an item. It
refuses DynamoDB's reserved words used as names, checks a request's names and values
(:func:`prepare`), and turns boto3's own condition objects
(``boto3.dynamodb.conditions.Key``/``Attr``) into expressions through boto3's
``ConditionExpressionBuilder``, as boto3's resource layer does.

>>> parse_condition("size(tags) > :n AND begins_with(#n, :p)")[1]
('cmp', '>', ('size', ('path', ('tags',))), ('value', ':n'))

Cost: parsing is linear in the expression's length (parsed trees are cached).
"""

import re
from decimal import Decimal  # noqa: F401  (used by the doctests)
from functools import lru_cache
from pathlib import Path

from . import errors
from .errors import invalid
from .evaluation import Placeholders
from .values import normalize

# ---------------------------------------------------------------------------
# Tokenizer
# ---------------------------------------------------------------------------
_TOKEN = re.compile(r"""\s*(?:
    (?P<value>:[A-Za-z0-9_]+) |
    (?P<name>\#[A-Za-z0-9_]+) |
    (?P<index>\[\s*\d+\s*\]) |
    (?P<op><>|<=|>=|[=<>(),.+\-]) |
    (?P<word>[A-Za-z_][A-Za-z0-9_]*)
)""", re.X)

KEYWORDS = {"AND", "OR", "NOT", "BETWEEN", "IN", "SET", "REMOVE", "ADD", "DELETE"}

RESERVED_WORDS = frozenset(
    line.strip() for line in
    (Path(__file__).parent / "reserved_words.txt").read_text().splitlines()
    if line.strip() and not line.startswith("#"))
"""DynamoDB's reserved words: an expression must name such an attribute through a #name."""


def tokenize(text, what):
    """Split an expression into (kind, text) tokens, and their (start, end) in ``text``.

    >>> tokenize("a.b <= :v", "ConditionExpression")[0]
    [('word', 'a'), ('op', '.'), ('word', 'b'), ('op', '<='), ('value', ':v'), ('end', '')]
    """
    tokens, spans, pos = [], [], 0
    text = text.rstrip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m or m.end() == pos:
            bad = len(text[pos:]) - len(text[pos:].lstrip()) + pos
            start = spans[-1][0] if spans else bad
            raise invalid(errors.syntax_error(what, text[bad], text[start:bad + 1]))
        kind = m.lastgroup
        tok = m.group(kind)
        if kind == "word" and tok.upper() in KEYWORDS:
            kind, tok = "kw", tok.upper()
        tokens.append((kind, tok))
        spans.append((m.start(m.lastgroup), m.end()))
        pos = m.end()
    tokens.append(("end", ""))
    spans.append((len(text), len(text)))
    return tokens, spans


class _Parser:
    def __init__(self, text, what):
        self.text, self.what = text, what
        self.tokens, self.spans = tokenize(text, what)
        self.i = 0
        self.reserved = None            # the first reserved word used as a name

    def name(self, kind, text):
        if kind == "name":
            return ("#", text)
        if self.reserved is None and text.upper() in RESERVED_WORDS:
            self.reserved = text
        return text

    def peek(self, ahead=0):
        return self.tokens[self.i + ahead]

    def next(self):
        tok = self.tokens[self.i]
        self.i += 1
        return tok

    def error(self, tok=None):
        """A syntax error at ``tok`` (the token just read) or at the next token. DynamoDB
        says "near" the token and the one before it (at the end: the last two tokens)."""
        j = self.i - 1 if tok else self.i
        kind, text = self.tokens[j]
        if kind == "end":
            near = self.text[self.spans[max(j - 2, 0)][0]:self.spans[j - 1][1]] if j else ""
            return invalid(errors.syntax_error(self.what, "<EOF>", near))
        near = self.text[self.spans[max(j - 1, 0)][0]:self.spans[j][1]]
        return invalid(errors.syntax_error(self.what, text, near))

    def expect(self, kind, text=None):
        tok = self.next()
        if tok[0] != kind or (text is not None and tok[1] != text):
            raise self.error(tok)
        return tok

    def accept(self, kind, text=None):
        tok = self.peek()
        if tok[0] == kind and (text is None or tok[1] == text):
            self.i += 1
            return True
        return False

    # paths: name ('.' name | [n])*
    def path(self):
        kind, text = self.next()
        if kind not in ("name", "word"):
            raise self.error((kind, text))
        parts = [self.name(kind, text)]
        while True:
            if self.accept("op", "."):
                kind, text = self.next()
                if kind not in ("name", "word"):
                    raise self.error((kind, text))
                parts.append(self.name(kind, text))
            elif self.peek()[0] == "index":
                parts.append(int(self.next()[1].strip("[] ")))
            else:
                return ("path", tuple(parts))

    # operands of conditions: path | :value | size(path)
    def operand(self):
        kind, text = self.peek()
        if kind == "value":
            self.i += 1
            return ("value", text)
        if kind == "word" and text == "size" and self.peek(1) == ("op", "("):
            self.i += 2
            p = self.path()
            self.expect("op", ")")
            return ("size", p)
        return self.path()

    # conditions
    def condition(self):
        left = self.conjunction()
        while self.accept("kw", "OR"):
            left = ("or", left, self.conjunction())
        return left

    def conjunction(self):
        left = self.negation()
        while self.accept("kw", "AND"):
            left = ("and", left, self.negation())
        return left

    def negation(self):
        if self.accept("kw", "NOT"):
            return ("not", self.negation())
        return self.primary()

    FUNCTIONS = {"attribute_exists": 1, "attribute_not_exists": 1, "attribute_type": 2,
                 "begins_with": 2, "contains": 2}

    def primary(self):
        kind, text = self.peek()
        if (kind, text) == ("op", "("):
            self.i += 1
            inner = self.condition()
            self.expect("op", ")")
            return inner
        if kind == "word" and text in self.FUNCTIONS and self.peek(1) == ("op", "("):
            self.i += 2
            args = [self.operand()]
            while self.accept("op", ","):
                args.append(self.operand())
            self.expect("op", ")")
            if len(args) != self.FUNCTIONS[text]:
                raise invalid(errors.operand_count(self.what, text, len(args)))
            if args[0][0] != "path":
                raise invalid(errors.needs_path(self.what, text))
            return (text, *args)
        left = self.operand()
        kind, op = self.next()
        if kind == "op" and op in ("=", "<>", "<", "<=", ">", ">="):
            return ("cmp", op, left, self.operand())
        if (kind, op) == ("kw", "BETWEEN"):
            low = self.operand()
            self.expect("kw", "AND")
            return ("between", left, low, self.operand())
        if (kind, op) == ("kw", "IN"):
            self.expect("op", "(")
            options = [self.operand()]
            while self.accept("op", ","):
                options.append(self.operand())
            self.expect("op", ")")
            return ("in", left, tuple(options))
        raise self.error((kind, op))

    # update expressions
    def update(self):
        actions = {"SET": [], "REMOVE": [], "ADD": [], "DELETE": []}
        seen = set()
        while self.peek()[0] != "end":
            kind, clause = self.next()
            if kind != "kw" or clause not in actions:
                raise self.error((kind, clause))
            if clause in seen:
                raise invalid(errors.section_twice(self.what, clause))
            seen.add(clause)
            while True:
                p = self.path()
                if clause == "SET":
                    self.expect("op", "=")
                    actions[clause].append((p, self.set_value()))
                elif clause == "REMOVE":
                    actions[clause].append((p, None))
                else:
                    kind, text = self.next()
                    if kind != "value":
                        raise self.error((kind, text))
                    actions[clause].append((p, ("value", text)))
                if not self.accept("op", ","):
                    break
        if not seen:
            raise self.error()
        return actions

    def set_value(self):
        left = self.set_operand()
        if self.peek() in (("op", "+"), ("op", "-")):
            op = self.next()[1]
            return ("arith", op, left, self.set_operand())
        return left

    def set_operand(self):
        kind, text = self.peek()
        if kind == "word" and text in ("if_not_exists", "list_append") and self.peek(1) == ("op", "("):
            self.i += 2
            first = self.path() if text == "if_not_exists" else self.set_operand()
            self.expect("op", ",")
            second = self.set_value() if text == "if_not_exists" else self.set_operand()
            self.expect("op", ")")
            return (text, first, second)
        if kind == "value":
            self.i += 1
            return ("value", text)
        return self.path()

    def done(self):
        if self.peek()[0] != "end":
            raise self.error()
        if self.reserved is not None:
            raise invalid(errors.reserved_word(self.what, self.reserved))


@lru_cache(maxsize=512)
def parse_condition(text, what="ConditionExpression"):
    """Parse a condition, filter or key condition into a tree of tuples.

    >>> parse_condition("a = :v")
    ('cmp', '=', ('path', ('a',)), ('value', ':v'))
    """
    if not text or not text.strip():
        raise invalid(errors.empty_expression(what))
    p = _Parser(text, what)
    tree = p.condition()
    p.done()
    return tree


@lru_cache(maxsize=512)
def parse_update(text):
    """Parse an update expression into {"SET": [...], "REMOVE": [...], "ADD": [...], "DELETE": [...]}."""
    if not text or not text.strip():
        raise invalid(errors.empty_expression("UpdateExpression"))
    p = _Parser(text, "UpdateExpression")
    actions = p.update()
    p.done()
    return actions


@lru_cache(maxsize=512)
def parse_projection(text):
    """Parse a projection expression into a tuple of path trees.

    >>> parse_projection("a, b.c")
    (('path', ('a',)), ('path', ('b', 'c')))
    """
    if not text or not text.strip():
        raise invalid(errors.empty_expression("ProjectionExpression"))
    p = _Parser(text, "ProjectionExpression")
    paths = [p.path()]
    while p.accept("op", ","):
        paths.append(p.path())
    p.done()
    return tuple(paths)


# ---------------------------------------------------------------------------
# Names and values
# ---------------------------------------------------------------------------
def nodes(tree):
    """Every node of a parsed tree (a tuple whose first element names its kind)."""
    if isinstance(tree, dict):
        for entries in tree.values():
            yield from nodes(entries)
    elif isinstance(tree, (list, tuple)) and tree:
        if isinstance(tree[0], str):
            yield tree
            if tree[0] in ("path", "value"):
                return
            tree = tree[1:]
        for part in tree:
            if isinstance(part, (list, tuple, dict)):
                yield from nodes(part)


def used_placeholders(tree, names, values):
    """Collect the #names and :values a parsed tree uses (into two sets).

    >>> names, values = set(), set()
    >>> used_placeholders(parse_condition("#a.b = :v AND size(c) > :n"), names, values)
    >>> sorted(names), sorted(values)
    (['#a'], [':n', ':v'])
    """
    for node in nodes(tree):
        if node[0] == "value":
            values.add(node[1])
        elif node[0] == "path":
            names.update(part[1] for part in node[1] if isinstance(part, tuple))


# ---------------------------------------------------------------------------
# boto3 condition objects
# ---------------------------------------------------------------------------
def from_boto3(condition, builder, names, values, is_key_condition=False):
    """Turn a boto3 ``Key``/``Attr`` condition into an expression string, adding its
    placeholders to ``names`` and ``values`` exactly as boto3's resource layer does."""
    built = builder.build_expression(condition, is_key_condition=is_key_condition)
    names.update(built.attribute_name_placeholders)
    values.update(built.attribute_value_placeholders)
    return built.condition_expression


# ---------------------------------------------------------------------------
# One request's expressions
# ---------------------------------------------------------------------------
def _parse(field, text):
    if field == "ProjectionExpression":
        return parse_projection(text)
    if field == "UpdateExpression":
        return parse_update(text)
    return parse_condition(text, field)


def prepare(params, fields):
    """Parse the expressions ``fields`` of a request; check, in DynamoDB's order, that
    names and values come with expressions, are not empty, and are all used and
    defined. Return (parsed trees by field, names, values).

    >>> parsed, names, values = prepare({"FilterExpression": "#n > :v",
    ...     "ExpressionAttributeNames": {"#n": "n"}, "ExpressionAttributeValues": {":v": 1}},
    ...     ("FilterExpression",))
    >>> parsed["FilterExpression"], values
    (('cmp', '>', ('path', (('#', '#n'),)), ('value', ':v')), {':v': Decimal('1')})
    """
    present = [f for f in fields if params.get(f) is not None]
    names, values = params.get("ExpressionAttributeNames"), params.get("ExpressionAttributeValues")
    if not present and names is None and values is None:
        return {}, {}, {}                    # the common case: no expressions at all
    if names is not None and not present:
        raise invalid(errors.NAMES_WITHOUT_EXPRESSIONS)
    with_values = [f for f in fields if f != "ProjectionExpression"]
    if values is not None and with_values and not any(params.get(f) is not None for f in with_values):
        raise invalid(errors.values_without_expressions(with_values))
    if names is not None and not names:
        raise invalid(errors.EMPTY_NAMES)
    if values is not None and not values:
        raise invalid(errors.EMPTY_VALUES)
    names, values = names or {}, {k: normalize(v) for k, v in (values or {}).items()}
    parsed = {field: _parse(field, params[field]) for field in present}
    used_names, used_values = set(), set()
    for tree in parsed.values():
        used_placeholders(tree, used_names, used_values)
    if set(names) - used_names:
        raise invalid(errors.unused_names(set(names) - used_names))
    if set(values) - used_values:
        raise invalid(errors.unused_values(set(values) - used_values))
    for field, tree in parsed.items():
        n, v = set(), set()
        used_placeholders(tree, n, v)
        for placeholder in sorted(v - set(values)):
            raise invalid(errors.undefined_value(field, placeholder))
        for placeholder in sorted(n - set(names)):
            raise invalid(errors.undefined_name(field, placeholder))
    if "ProjectionExpression" in parsed:        # one path may not be named twice, or inside another
        ph, seen = Placeholders(names, values), []
        for node in parsed["ProjectionExpression"]:
            path = ph.path(node[1])
            for other in seen:
                if other[:len(path)] == path[:len(other)]:
                    raise invalid(errors.projection_overlap(other, path))
            seen.append(path)
    return parsed, names, values
