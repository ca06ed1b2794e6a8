"""The one safe AST every query goes through.

Parsers (the typed language in ``parse``, BTQL JSON in ``btql``) build these nodes through
``predicate``, which checks every ``Field`` against the allow-list in ``fields`` and every
value against the field's type before a node exists. Values stay Python values until the
dialect binds them as parameters; nothing here ever becomes SQL text by interpolation.

Logic is two-valued: a predicate on a missing field is false, so ``Not`` is the plain
complement (rows lacking the field satisfy ``NOT (scores.x = 1)``), while the negated
operators (``!=``, ``NOT IN``, ``NOT LIKE``, ``!~``) hold only for rows that have the field.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal, Protocol

CompareOp = Literal["=", "!=", "<", "<=", ">", ">="]
ArithOp = Literal["+", "-"]
SqlType = Literal["text", "number", "bool", "time", "json"]
SortDir = Literal["asc", "desc"]


@dataclass(frozen=True, slots=True)
class Field:
    """An allow-listed field: ``("input",)``, ``("metadata", "model")``, ``("scores", "Factuality")``, ..."""

    path: tuple[str, ...]

    @property
    def root(self) -> str:
        return self.path[0]


@dataclass(frozen=True, slots=True)
class Value:
    # str | int | float | bool | None | datetime (timezone-aware) | list | dict (JSON equality only)
    value: Any


@dataclass(frozen=True, slots=True)
class Arith:
    """Numeric ``left op right`` (e.g. ``metrics.end - metrics.start``); operands are numbers."""

    op: ArithOp
    left: Operand
    right: Operand


Operand = Field | Value | Arith


@dataclass(frozen=True, slots=True)
class Compare:
    op: CompareOp
    field: Field | Arith
    value: Value


@dataclass(frozen=True, slots=True)
class In:
    field: Field
    values: tuple[Value, ...]  # may be empty: never true (``NOT IN ()`` is always true)
    negate: bool = False


@dataclass(frozen=True, slots=True)
class IsNull:
    field: Field
    negate: bool = False


@dataclass(frozen=True, slots=True)
class Like:
    field: Field
    pattern: Value  # ``%`` and ``_`` wildcards, ``\\`` escapes
    case_insensitive: bool = False
    negate: bool = False


@dataclass(frozen=True, slots=True)
class Regex:
    field: Field
    pattern: Value  # checked to compile with Python ``re``; the common subset of POSIX ERE
    negate: bool = False


@dataclass(frozen=True, slots=True)
class Match:
    """Full-text match; ``field`` None means any text field.

    ``text`` holds lowercase words (letters, digits, underscore) joined by one space, so
    the bound value is safe to hand to FTS5 ``MATCH`` or ``plainto_tsquery`` as it is.
    """

    field: Field | None
    text: Value


@dataclass(frozen=True, slots=True)
class Includes:
    """Array membership: ``tags INCLUDES 'x'``."""

    field: Field
    value: Value


@dataclass(frozen=True, slots=True)
class Const:
    """A constant truth value (BTQL ``{"op": "literal", "value": false}``)."""

    value: bool


@dataclass(frozen=True, slots=True)
class And:
    children: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Or:
    children: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Not:
    child: Node


Node = Compare | In | IsNull | Like | Regex | Match | Includes | Const | And | Or | Not


@dataclass(frozen=True, slots=True)
class Sort:
    field: Field
    dir: SortDir = "desc"


class SqlDialect(Protocol):
    """What a store engine gives the compiler: how to spell fields and operators in its SQL.

    ``param`` registers a bound value and returns its placeholder; no other method may
    place a value, or a path segment of a field, into SQL text. A dialect instance is
    per query: it collects the parameters of the one statement being built.

    ``field(f, as_type)`` returns an expression that never raises on odd data:

    * ``"text"``: the value when it is a string (a JSON string for JSON fields), else NULL;
    * ``"number"``: the value when it is a number, else NULL (``scores.*``, ``metrics.*``
      read the typed side values; a JSON path holding ``"3"`` gives NULL, not 3);
    * ``"bool"``: the value when it is a boolean, else NULL;
    * ``"time"``: ``created`` as a value comparable with ``param(datetime)``;
    * ``"json"``: the JSON value, NULL when missing or JSON ``null``; comparable for
      equality with ``param(list | dict)`` and orderable (used by ``IS NULL`` and sorts).

    For ``_xact_id`` ``"number"`` is the integer transaction id; for ``is_root`` ``"bool"``
    is true for root spans. JSON paths address object keys (segments never contain ``"``,
    ``\\`` or control characters; see ``fields``).
    """

    name: str

    def param(self, value: Any) -> str: ...

    def field(self, field: Field, as_type: SqlType) -> str: ...

    def full_text(self, field: Field | None, text_param: str) -> str:
        """True when every word bound at ``text_param`` occurs in ``field`` (any text field if None)."""
        ...

    def regex(self, expr: str, pattern_param: str) -> str: ...

    def like(self, expr: str, pattern_param: str, case_insensitive: bool) -> str:
        """``expr LIKE pattern ESCAPE '\\'``, case-sensitive unless asked otherwise."""
        ...

    def includes(self, field: Field, value_param: str) -> str:
        """True when the JSON array at ``field`` (``tags``) contains the value bound at ``value_param``."""
        ...
