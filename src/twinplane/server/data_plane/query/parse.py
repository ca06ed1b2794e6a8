"""The typed filter and sort language, parsed with lark (LALR) into the safe AST.

``parse_filter("metadata.model = 'gpt-4o' AND scores.Factuality < 0.5")`` returns a node;
``parse_sort("created desc, scores.Factuality")`` a list of ``Sort``. The grammar is LALR
with the tree built during parsing (an inline transformer), so deeply nested input cannot
exhaust Python's stack. Every error is a ``BadRequest`` naming the 1-based character
position and what was expected there. ``docs/query-language.md`` is the user reference.
"""

from __future__ import annotations

import functools
import logging
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from lark import Lark, Token, Transformer
from lark.exceptions import UnexpectedInput

from twinplane.server.common.errors import BadRequest

from . import predicate as P
from .ast import Arith, Field, Node, Sort, Value
from .fields import FieldError, make_field
from .parse_error import located_error, syntax_error

logger = logging.getLogger(__name__)

MAX_FILTER_CHARS = 10_000
MAX_SORT_KEYS = 5
_MAX_INTERVAL_DAYS = 36_600

_GRAMMAR = r"""
filter: or_expr
?or_expr: and_expr
        | or_expr OR and_expr                -> or_
?and_expr: not_expr
         | and_expr AND not_expr             -> and_
?not_expr: atom
         | NOT not_expr                      -> not_
?atom: LPAR or_expr RPAR                     -> group
     | predicate
predicate: operand COMPOP value              -> compare
         | field [NOT] IN LPAR values RPAR   -> in_list
         | value IN field                    -> value_in
         | field IS [NOT] NULL               -> is_null
         | field [NOT] LIKE value            -> like
         | field [NOT] ILIKE value           -> ilike
         | field [NOT] REGEXP value          -> regexp
         | field REGEX_OP value              -> regex_op
         | field MATCH value                 -> match
         | MATCH value                       -> match_any
         | field INCLUDES value              -> includes
         | field                             -> bare
?operand: field
        | operand (PLUS | MINUS) term        -> arith
?term: field
     | NUMBER                                -> number
values: value (COMMA value)*
?value: STRING                               -> string
      | NUMBER                               -> number
      | TRUE                                 -> true
      | FALSE                                -> false
      | NULL                                 -> null
      | NOW LPAR RPAR                        -> now
      | NOW LPAR RPAR (PLUS | MINUS) INTERVAL NUMBER UNIT -> now

sort: sort_item (COMMA sort_item)*
sort_item: field [ASC | DESC]
field_only: field
field: FIELD

OR.2: /or\b/i
AND.2: /and\b/i
NOT.2: /not\b/i
IN.2: /in\b/i
IS.2: /is\b/i
NULL.2: /null\b/i
LIKE.2: /like\b/i
ILIKE.2: /ilike\b/i
REGEXP.2: /regexp\b/i
MATCH.2: /match\b/i
INCLUDES.2: /includes\b/i
TRUE.2: /true\b/i
FALSE.2: /false\b/i
NOW.2: /now\b/i
INTERVAL.2: /interval\b/i
ASC.2: /asc\b/i
DESC.2: /desc\b/i
UNIT.2: /(?:second|minute|hour|day|week)s?\b/i
FIELD: /[A-Za-z_][A-Za-z0-9_]*(?:\.(?:[A-Za-z_][A-Za-z0-9_]*|"[^"]*"))*/
STRING: /'(?:[^'\\]|\\.|'')*'/s
NUMBER: /-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?/
COMPOP: /==|!=|<>|<=|>=|=|<|>/
REGEX_OP: /!~|~/
LPAR: "("
RPAR: ")"
COMMA: ","
PLUS: "+"
MINUS: "-"
%ignore /\s+/
"""

_UNIT_SECONDS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400, "week": 604800}
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "'": "'", '"': '"', "\\": "\\", "0": "\0"}
_ESCAPE_RE = re.compile(r"\\(u[0-9a-fA-F]{4}|.)|''", re.S)
_SEGMENT_RE = re.compile(r'[A-Za-z_][A-Za-z0-9_]*|"[^"]*"')


class _Located(Exception):
    """A semantic error with the character offset it concerns (turned into BadRequest)."""

    def __init__(self, message: str, pos: int) -> None:
        super().__init__(message)
        self.message = message
        self.pos = pos


@dataclass(frozen=True, slots=True)
class _Lit:
    value: Any
    pos: int


@dataclass(frozen=True, slots=True)
class _F:
    field: Field
    pos: int


def _at(tok: Token) -> int:
    return tok.start_pos or 0


def _opt(tok: Token | None) -> bool:
    return tok is not None


class _Build(Transformer):
    """Callbacks run as LALR reductions happen; they build AST nodes through ``predicate``."""

    # -- leaves --------------------------------------------------------------
    def field(self, c: list[Token]) -> _F:
        tok = c[0]
        segs = [s[1:-1] if s.startswith('"') else s for s in _SEGMENT_RE.findall(str(tok))]
        try:
            return _F(make_field(segs), _at(tok))
        except FieldError as e:
            raise _Located(str(e), _at(tok)) from None

    def string(self, c: list[Token]) -> _Lit:
        return _Lit(_unescape(str(c[0])[1:-1]), _at(c[0]))

    def number(self, c: list[Token]) -> _Lit:
        text = str(c[0])
        try:
            v: Any = int(text) if re.fullmatch(r"-?\d+", text) else float(text)
        except (ValueError, OverflowError):
            raise _Located("invalid number", _at(c[0])) from None
        if isinstance(v, float) and v in (float("inf"), float("-inf")):
            raise _Located("number out of range", _at(c[0]))
        return _Lit(v, _at(c[0]))

    def true(self, c: list[Token]) -> _Lit:
        return _Lit(True, _at(c[0]))

    def false(self, c: list[Token]) -> _Lit:
        return _Lit(False, _at(c[0]))

    def null(self, c: list[Token]) -> _Lit:
        return _Lit(None, _at(c[0]))

    def now(self, c: list[Token]) -> _Lit:
        at = datetime.now(UTC)
        if len(c) > 3:
            sign, amount, unit = c[3], c[5], c[6]
            if not re.fullmatch(r"\d+", str(amount)):
                raise _Located("expected a whole number of units after INTERVAL", _at(amount))
            u = str(unit).lower().rstrip("s")
            seconds = int(str(amount)) * _UNIT_SECONDS[u]
            if seconds > _MAX_INTERVAL_DAYS * 86400:
                raise _Located("interval too long", _at(amount))
            delta = timedelta(seconds=seconds)
            at = at + delta if sign.type == "PLUS" else at - delta
        return _Lit(at, _at(c[0]))

    def values(self, c: list[Any]) -> list[_Lit]:
        return [x for x in c if isinstance(x, _Lit)]

    # -- operands ------------------------------------------------------------
    def arith(self, c: list[Any]) -> _Expr:
        left, op, right = c
        try:
            node = P.arith(str(op), _operand(left), _operand(right))
        except FieldError as e:
            raise _Located(str(e), _at(op)) from None
        return _Expr(node, _pos(left))

    # -- predicates ----------------------------------------------------------
    def compare(self, c: list[Any]) -> Node:
        left, op, val = c
        opname = {"==": "=", "<>": "!="}.get(str(op), str(op))
        target = left.node if isinstance(left, _Expr) else left.field
        return _build(lambda: P.compare(opname, target, val.value), val.pos)  # type: ignore[arg-type]

    def in_list(self, c: list[Any]) -> Node:
        f, neg, _in, _l, vals, _r = c
        return _build(lambda: P.in_(f.field, [v.value for v in vals], _opt(neg)), vals[0].pos if vals else f.pos)

    def value_in(self, c: list[Any]) -> Node:
        val, _in, f = c
        return _build(lambda: P.includes(f.field, val.value), val.pos)

    def is_null(self, c: list[Any]) -> Node:
        f, _is, neg, _null = c
        return P.is_null(f.field, _opt(neg))

    def like(self, c: list[Any]) -> Node:
        f, neg, _kw, val = c
        return _build(lambda: P.like(f.field, val.value, False, _opt(neg)), val.pos)

    def ilike(self, c: list[Any]) -> Node:
        f, neg, _kw, val = c
        return _build(lambda: P.like(f.field, val.value, True, _opt(neg)), val.pos)

    def regexp(self, c: list[Any]) -> Node:
        f, neg, _kw, val = c
        return _build(lambda: P.regex(f.field, val.value, _opt(neg)), val.pos)

    def regex_op(self, c: list[Any]) -> Node:
        f, op, val = c
        return _build(lambda: P.regex(f.field, val.value, str(op) == "!~"), val.pos)

    def match(self, c: list[Any]) -> Node:
        f, _kw, val = c
        return _build(lambda: P.match(f.field, val.value), val.pos)

    def match_any(self, c: list[Any]) -> Node:
        _kw, val = c
        return _build(lambda: P.match(None, val.value), val.pos)

    def includes(self, c: list[Any]) -> Node:
        f, _kw, val = c
        return _build(lambda: P.includes(f.field, val.value), val.pos)

    def bare(self, c: list[Any]) -> Node:
        f = c[0]
        return _build(lambda: P.compare("=", f.field, True), f.pos, hint=" (a bare field must be a boolean, like is_root)")

    # -- logic ---------------------------------------------------------------
    def or_(self, c: list[Any]) -> Node:
        return P.or_((c[0], c[2]))

    def and_(self, c: list[Any]) -> Node:
        return P.and_((c[0], c[2]))

    def not_(self, c: list[Any]) -> Node:
        return P.not_(c[1])

    def group(self, c: list[Any]) -> Any:
        return c[1]

    def filter(self, c: list[Any]) -> Node:
        return c[0]

    # -- sort ----------------------------------------------------------------
    def sort_item(self, c: list[Any]) -> Sort:
        f, d = c
        return Sort(f.field, "desc" if d is not None and d.type == "DESC" else "asc")

    def sort(self, c: list[Any]) -> list[Sort]:
        return [x for x in c if isinstance(x, Sort)]

    def field_only(self, c: list[Any]) -> Field:
        return c[0].field


@dataclass(frozen=True, slots=True)
class _Expr:
    node: Arith
    pos: int


def _operand(x: Any) -> Any:
    if isinstance(x, _F):
        return x.field
    if isinstance(x, _Expr):
        return x.node
    return Value(x.value)


def _pos(x: Any) -> int:
    return x.pos


def _build(make: Any, pos: int, hint: str = "") -> Node:
    try:
        return make()
    except FieldError as e:
        raise _Located(str(e) + hint, pos) from None


def _unescape(body: str) -> str:
    if "\\" not in body and "''" not in body:
        return body

    def sub(m: re.Match[str]) -> str:
        if m.group(0) == "''":
            return "'"
        esc = m.group(1)
        if esc[0] == "u" and len(esc) == 5:
            return chr(int(esc[1:], 16))
        # unknown escapes stay as written, so regexes like '\d+' read naturally
        return _ESCAPES.get(esc, "\\" + esc)

    return _ESCAPE_RE.sub(sub, body)


@functools.cache
def _parser(start: str) -> Lark:
    # one parser per start symbol: shared LALR states would mix their lookaheads into
    # the "expected ..." of error messages (a filter error offering ASC/DESC)
    return Lark(_GRAMMAR, parser="lalr", lexer="contextual", start=start,
                transformer=_Build(), maybe_placeholders=True)


def parse_filter(text: str | None, *, what: str = "filter") -> Node | None:
    """Parse the typed filter language; empty or blank text means no filter."""
    if text is None:
        return None
    if not isinstance(text, str):
        raise BadRequest(f"{what}: expected a string")
    if not text.strip():
        return None
    if len(text) > MAX_FILTER_CHARS:
        raise BadRequest(f"{what}: at most {MAX_FILTER_CHARS} characters")
    node: Node = _run(text, "filter", what)
    try:
        P.check_size(node)
    except FieldError as e:
        raise BadRequest(f"{what}: {e}") from None
    return node


def parse_sort(spec: str | list[Any] | None, *, what: str = "sort") -> list[Sort]:
    """Parse ``"created desc, scores.Factuality"`` or ``[{"field", "dir"}, "created desc", ...]``.

    A key without a direction sorts ascending, as in SQL.
    """
    if spec is None:
        return []
    if isinstance(spec, str):
        if not spec.strip():
            return []
        if len(spec) > 2000:
            raise BadRequest(f"{what}: too long")
        sorts: list[Sort] = _run(spec, "sort", what)
    elif isinstance(spec, list):
        sorts = []
        for i, item in enumerate(spec):
            sorts.extend(_sort_item(item, f"{what}[{i}]"))
    else:
        raise BadRequest(f"{what}: expected a string or a list of {{\"field\", \"dir\"}} objects")
    if len(sorts) > MAX_SORT_KEYS:
        raise BadRequest(f"{what}: at most {MAX_SORT_KEYS} sort keys")
    for s in sorts:
        if s.field.root == "tags":
            raise BadRequest(f"{what}: cannot sort by tags")
    return sorts


def parse_field(text: str, *, what: str = "field") -> Field:
    """Parse one field name such as ``metadata.model`` or ``scores."my score"``."""
    if not isinstance(text, str) or not text.strip():
        raise BadRequest(f"{what}: expected a field name")
    if len(text) > 2000:
        raise BadRequest(f"{what}: too long")
    return _run(text, "field_only", what)


def _sort_item(item: Any, what: str) -> list[Sort]:
    if isinstance(item, str):
        return parse_sort(item, what=what)
    if not isinstance(item, dict) or not isinstance(item.get("field"), str):
        raise BadRequest(f'{what}: expected {{"field": "<name>", "dir": "asc" | "desc"}}')
    extra = set(item) - {"field", "dir"}
    if extra:
        raise BadRequest(f"{what}: unknown key {sorted(extra)[0]!r}")
    d = item.get("dir", "asc")
    if d not in ("asc", "desc"):
        raise BadRequest(f"{what}.dir: expected 'asc' or 'desc'")
    return [Sort(parse_field(item["field"], what=f"{what}.field"), d)]


def _run(text: str, start: str, what: str) -> Any:
    try:
        return _parser(start).parse(text)
    except _Located as e:
        raise located_error(what, text, e.pos, e.message) from None
    except UnexpectedInput as e:
        raise syntax_error(what, text, e) from None
