"""The one safe AST every query goes through.

Parsers (the typed language, BTQL JSON) build these nodes; ``Field.path`` is validated
against an allow-list before a node exists, and every value stays a Python value until
the dialect binds it as a parameter. Nothing here ever becomes SQL text by interpolation.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal, Protocol

CompareOp = Literal["=", "!=", "<", "<=", ">", ">="]


@dataclass(frozen=True, slots=True)
class Field:
    """An allow-listed field: ``("input",)``, ``("metadata", "model")``, ``("scores", "Factuality")``, ..."""

    path: tuple[str, ...]

    @property
    def root(self) -> str:
        return self.path[0]


@dataclass(frozen=True, slots=True)
class Value:
    value: Any  # str | int | float | bool | None | datetime (timezone-aware)


@dataclass(frozen=True, slots=True)
class Compare:
    op: CompareOp
    field: Field
    value: Value


@dataclass(frozen=True, slots=True)
class In:
    field: Field
    values: tuple[Value, ...]
    negate: bool = False


@dataclass(frozen=True, slots=True)
class IsNull:
    field: Field
    negate: bool = False


@dataclass(frozen=True, slots=True)
class Like:
    field: Field
    pattern: Value
    case_insensitive: bool = False
    negate: bool = False


@dataclass(frozen=True, slots=True)
class Regex:
    field: Field
    pattern: Value
    negate: bool = False


@dataclass(frozen=True, slots=True)
class Match:
    """Full-text match; ``field`` None means any text field."""

    field: Field | None
    text: Value


@dataclass(frozen=True, slots=True)
class And:
    children: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Or:
    children: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Not:
    child: Node


Node = Compare | In | IsNull | Like | Regex | Match | And | Or | Not


@dataclass(frozen=True, slots=True)
class Sort:
    field: Field
    dir: Literal["asc", "desc"] = "desc"


class SqlDialect(Protocol):
    """What a store engine gives the compiler: how to spell fields and operators in its SQL.

    ``param`` registers a bound value and returns its placeholder; no other method may
    place a value into SQL text.
    """

    name: str

    def param(self, value: Any) -> str: ...

    def field(self, field: Field, as_type: Literal["text", "number", "bool", "time", "json"]) -> str: ...

    def full_text(self, field: Field | None, text_param: str) -> str: ...

    def regex(self, expr: str, pattern_param: str) -> str: ...

    def like(self, expr: str, pattern_param: str, case_insensitive: bool) -> str: ...
