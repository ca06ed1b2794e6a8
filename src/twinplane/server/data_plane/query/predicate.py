"""Checked constructors of AST nodes: the rules that make a predicate valid.

Both parsers build nodes only through these functions, so the typed language and BTQL
accept the same things: an operator must suit the field's type (``LIKE`` on text,
``INCLUDES`` on ``tags``, ``<`` not on booleans), and values are coerced by ``fields``.
Failures raise ``FieldError``; the parser adds where it happened.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

import re2

from .ast import (
    And,
    Arith,
    Compare,
    CompareOp,
    Const,
    Field,
    In,
    Includes,
    IsNull,
    Like,
    Match,
    Node,
    Not,
    Operand,
    Or,
    Regex,
    Value,
)
from .fields import (
    MAX_STRING_CHARS,
    FieldError,
    check_string,
    coerce_value,
    dotted,
    is_number,
    kind_of,
    spec_of,
)

MAX_IN_VALUES = 1000
MAX_PATTERN_CHARS = 1000
MAX_MATCH_WORDS = 32
MAX_DEPTH = 32  # nesting of AND / OR / NOT
MAX_NODES = 500

_WORD = re.compile(r"\w+")
_RE2_OPTIONS = re2.Options()
_RE2_OPTIONS.log_errors = False  # a user's bad pattern is a 400, not a line on stderr
_TEXTUAL = ("json", "text")


def compare(op: CompareOp, left: Field | Arith, raw: Any) -> Node:
    if isinstance(left, Arith):
        if not _is_plain_number(raw):
            raise FieldError("expected a number to compare with an arithmetic expression")
        return Compare(op, left, Value(raw))
    kind = kind_of(left)
    if kind == "tags":
        raise FieldError(f"use {dotted(left)} INCLUDES 'x' to test for a tag")
    if raw is None:
        if op == "=":
            return IsNull(left)
        if op == "!=":
            return IsNull(left, negate=True)
        raise FieldError("null compares only with = and != (or use IS NULL)")
    value = coerce_value(left, raw, allow_composite=op in ("=", "!="))
    if op not in ("=", "!=") and (isinstance(value.value, (bool, list, dict))):
        raise FieldError(f"{op} does not apply to {_type_name(value.value)} values; use = or !=")
    return Compare(op, left, value)


def arith(op: str, left: Operand, right: Operand) -> Arith:
    if op not in ("+", "-"):
        raise FieldError(f"unsupported arithmetic operator {op!r}; use + or -")
    for side in (left, right):
        if isinstance(side, Field) and kind_of(side) not in ("number", "json"):
            raise FieldError(f"{dotted(side)} is not numeric; arithmetic applies to scores, metrics and JSON numbers")
        if isinstance(side, Value) and not _is_plain_number(side.value):
            raise FieldError("arithmetic applies to numbers only")
    return Arith(op, left, right)  # type: ignore[arg-type]


def in_(field: Field, raws: Iterable[Any], negate: bool = False) -> Node:
    if kind_of(field) == "tags":
        raise FieldError(f"use {dotted(field)} INCLUDES 'x' (or 'x' IN tags) to test for a tag")
    values: list[Value] = []
    classes: set[str] = set()
    for raw in raws:
        if raw is None:
            raise FieldError("null is not allowed in an IN list; use IS NULL")
        v = coerce_value(field, raw)
        classes.add("number" if _is_plain_number(v.value) else type(v.value).__name__)
        values.append(v)
        if len(values) > MAX_IN_VALUES:
            raise FieldError(f"an IN list may have at most {MAX_IN_VALUES} values")
    if len(classes) > 1:
        raise FieldError("the values of an IN list must all have the same type")
    return In(field, tuple(values), negate)


def is_null(field: Field, negate: bool = False) -> Node:
    return IsNull(field, negate)


def like(field: Field, raw: Any, case_insensitive: bool = False, negate: bool = False) -> Node:
    _need_textual(field, "LIKE")
    return Like(field, Value(_pattern(raw, "LIKE")), case_insensitive, negate)


def regex(field: Field, raw: Any, negate: bool = False) -> Node:
    _need_textual(field, "a regular expression match")
    pattern = _pattern(raw, "a regular expression")
    try:
        re.compile(pattern)
    except re.error as err:
        raise FieldError(f"invalid regular expression: {err}") from None
    try:
        # SQLite runs patterns with RE2 (linear time); refuse what it cannot run rather than
        # match nothing there (lookaround, backreferences)
        re2.compile(pattern, _RE2_OPTIONS)
    except re2.error as err:
        detail = err.args[0].decode("utf-8", "replace") if err.args and isinstance(err.args[0], bytes) else str(err)
        raise FieldError(f"unsupported regular expression: {detail} (lookaround and backreferences "
                         "are not available)") from None
    return Regex(field, Value(pattern), negate)


def match(field: Field | None, raw: Any) -> Node:
    if field is not None and not spec_of(field).full_text:
        raise FieldError(f"MATCH does not apply to {dotted(field)}; use it on input, output, expected, "
                         "error or metadata")
    if not isinstance(raw, str):
        raise FieldError("expected a string of words after MATCH")
    words = _WORD.findall(raw[:MAX_STRING_CHARS].lower())
    if not words:
        raise FieldError("expected at least one word (letters or digits) after MATCH")
    if len(words) > MAX_MATCH_WORDS:
        raise FieldError(f"MATCH takes at most {MAX_MATCH_WORDS} words")
    return Match(field, Value(" ".join(words)))


def includes(field: Field, raw: Any) -> Node:
    if kind_of(field) != "tags":
        raise FieldError(f"INCLUDES applies to tags, not {dotted(field)}")
    if not isinstance(raw, str):
        raise FieldError("expected a string tag")
    return Includes(field, coerce_value(field, raw))


def and_(children: Iterable[Node]) -> Node:
    out: list[Node] = []
    for c in children:
        if isinstance(c, And):
            out.extend(c.children)
        elif isinstance(c, Const):
            if not c.value:
                return c
        else:
            out.append(c)
    if not out:
        return Const(True)
    return out[0] if len(out) == 1 else And(tuple(out))


def or_(children: Iterable[Node]) -> Node:
    out: list[Node] = []
    for c in children:
        if isinstance(c, Or):
            out.extend(c.children)
        elif isinstance(c, Const):
            if c.value:
                return c
        else:
            out.append(c)
    if not out:
        return Const(False)
    return out[0] if len(out) == 1 else Or(tuple(out))


def not_(child: Node) -> Node:
    # logic is two-valued (see ast), so double negation cancels
    if isinstance(child, Not):
        return child.child
    if isinstance(child, Const):
        return Const(not child.value)
    return Not(child)


def check_size(node: Node) -> None:
    """Refuse trees too deep or too large to compile cheaply (iterative, no recursion)."""
    stack: list[tuple[Node, int]] = [(node, 1)]
    count = 0
    while stack:
        n, depth = stack.pop()
        count += 1
        if depth > MAX_DEPTH:
            raise FieldError(f"the filter is nested too deeply (at most {MAX_DEPTH} levels)")
        if count > MAX_NODES:
            raise FieldError(f"the filter has too many conditions (at most {MAX_NODES})")
        if isinstance(n, (And, Or)):
            stack.extend((c, depth + 1) for c in n.children)
        elif isinstance(n, Not):
            stack.append((n.child, depth + 1))


def _need_textual(field: Field, what: str) -> None:
    if kind_of(field) not in _TEXTUAL:
        raise FieldError(f"{what} applies to text and JSON fields, not {dotted(field)}")


def _pattern(raw: Any, what: str) -> str:
    if not isinstance(raw, str):
        raise FieldError(f"expected a string pattern for {what}")
    if len(raw) > MAX_PATTERN_CHARS:
        raise FieldError(f"a pattern may have at most {MAX_PATTERN_CHARS} characters")
    check_string(raw)
    return raw


def _is_plain_number(x: Any) -> bool:
    return is_number(x)


def _type_name(x: Any) -> str:
    return {bool: "boolean", list: "array", dict: "object"}.get(type(x), type(x).__name__)
