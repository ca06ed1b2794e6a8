"""AST → SQL text through a ``SqlDialect``: the only place query nodes become SQL.

The compiler writes operators, parentheses and constants; every field is spelled by
``dialect.field`` and every value goes through ``dialect.param``, so no user text reaches
the SQL string. It runs per request: one list of fragments joined once, no tree copies.

NULL semantics (see ``ast``): a comparison with a missing field is not true. SQL's
three-valued logic already gives that for ``AND``/``OR`` in a ``WHERE``; only ``NOT`` needs
care, so ``NOT p`` is written ``NOT COALESCE(p, FALSE)`` and rows lacking the field match.
"""

from __future__ import annotations

from collections.abc import Callable

from .ast import (
    And,
    Arith,
    Compare,
    Const,
    Field,
    In,
    Includes,
    IsNull,
    Like,
    Match,
    Node,
    Not,
    Or,
    Regex,
    Sort,
    SortDir,
    SqlDialect,
    SqlType,
    Value,
)
from .fields import is_number, kind_of, natural_type

_SQL_OP = {"=": "=", "!=": "<>", "<": "<", "<=": "<=", ">": ">", ">=": ">="}
_TRUE = "(1 = 1)"
_FALSE = "(1 = 0)"


def compile_filter(node: Node, dialect: SqlDialect) -> str:
    """A boolean SQL expression for ``node``; its values are registered with ``dialect.param``."""
    out: list[str] = []
    _emit(node, dialect, out)
    return "".join(out)


def compile_sort(sorts: list[Sort] | tuple[Sort, ...], dialect: SqlDialect) -> list[tuple[str, SortDir]]:
    """``[(sql_expression, "asc" | "desc"), ...]``; the store adds its stable tie-breaker and cursor."""
    return [(dialect.field(s.field, natural_type(s.field)), s.dir) for s in sorts]


def value_type(field: Field, value: object) -> SqlType:
    """How a field is read when compared with ``value`` (JSON fields: by the value's type)."""
    if kind_of(field) != "json":
        return natural_type(field)
    if isinstance(value, str):
        return "text"
    if isinstance(value, bool):
        return "bool"
    if is_number(value):
        return "number"
    return "json"


def _emit(node: Node, d: SqlDialect, out: list[str]) -> None:
    _EMITTERS[type(node)](node, d, out)


def _compare(n: Compare, d: SqlDialect, out: list[str]) -> None:
    v = n.value.value
    if isinstance(n.field, Arith):
        _arith(n.field, d, out)
    elif v is None:  # parsers turn this into IsNull; stay correct for hand-built nodes
        _is_null(IsNull(n.field, n.op != "="), d, out)
        return
    else:
        out.append(d.field(n.field, value_type(n.field, v)))
    out.append(" ")
    out.append(_SQL_OP[n.op])
    out.append(" ")
    out.append(d.param(v))


def _arith(a: Arith, d: SqlDialect, out: list[str]) -> None:
    out.append("(")
    for i, side in enumerate((a.left, a.right)):
        if i:
            out.append(" + " if a.op == "+" else " - ")
        if isinstance(side, Field):
            out.append(d.field(side, "number"))
        elif isinstance(side, Value):
            out.append(d.param(side.value))
        else:
            _arith(side, d, out)
    out.append(")")


def _in(n: In, d: SqlDialect, out: list[str]) -> None:
    if not n.values:
        out.append(_TRUE if n.negate else _FALSE)
        return
    out.append(d.field(n.field, value_type(n.field, n.values[0].value)))
    out.append(" NOT IN (" if n.negate else " IN (")
    out.append(", ".join([d.param(v.value) for v in n.values]))
    out.append(")")


def _is_null(n: IsNull, d: SqlDialect, out: list[str]) -> None:
    out.append(d.field(n.field, natural_type(n.field)))
    out.append(" IS NOT NULL" if n.negate else " IS NULL")


def _like(n: Like, d: SqlDialect, out: list[str]) -> None:
    sql = d.like(d.field(n.field, "text"), d.param(n.pattern.value), n.case_insensitive)
    out.append(f"NOT ({sql})" if n.negate else f"({sql})")


def _regex(n: Regex, d: SqlDialect, out: list[str]) -> None:
    sql = d.regex(d.field(n.field, "text"), d.param(n.pattern.value))
    out.append(f"NOT ({sql})" if n.negate else f"({sql})")


def _match(n: Match, d: SqlDialect, out: list[str]) -> None:
    out.append("(")
    out.append(d.full_text(n.field, d.param(n.text.value)))
    out.append(")")


def _includes(n: Includes, d: SqlDialect, out: list[str]) -> None:
    out.append("(")
    out.append(d.includes(n.field, d.param(n.value.value)))
    out.append(")")


def _const(n: Const, d: SqlDialect, out: list[str]) -> None:
    out.append(_TRUE if n.value else _FALSE)


def _junction(word: str) -> Callable[[And | Or, SqlDialect, list[str]], None]:
    def emit(n: And | Or, d: SqlDialect, out: list[str]) -> None:
        out.append("(")
        for i, child in enumerate(n.children):
            if i:
                out.append(word)
            _emit(child, d, out)
        out.append(")")

    return emit


def _not(n: Not, d: SqlDialect, out: list[str]) -> None:
    if isinstance(n.child, (IsNull, Const)):  # never NULL, no COALESCE needed
        out.append("NOT (")
        _emit(n.child, d, out)
        out.append(")")
        return
    out.append("NOT COALESCE(")
    _emit(n.child, d, out)
    out.append(", FALSE)")


_EMITTERS: dict[type, Callable[..., None]] = {
    Compare: _compare,
    In: _in,
    IsNull: _is_null,
    Like: _like,
    Regex: _regex,
    Match: _match,
    Includes: _includes,
    Const: _const,
    And: _junction(" AND "),
    Or: _junction(" OR "),
    Not: _not,
}
