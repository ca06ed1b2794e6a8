"""The allow-list of queryable fields: which roots exist, their types, and path rules.

A field is a root (``input``, ``metadata``, ``scores``, ``created``, ...) followed by
path segments. Segments are arbitrary names (the typed language writes them as
identifiers or ``"double-quoted"``), but bounded and free of the characters that a
dialect could not address safely: control characters, ``"`` and ``\\``. Dialects still
bind every segment as a parameter; these rules keep paths addressable on every engine.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from .ast import Field, SqlType, Value

Kind = Literal["json", "text", "number", "time", "bool", "tags", "xact"]

MAX_SEGMENTS = 8  # after the root
MAX_SEGMENT_CHARS = 128
MAX_STRING_CHARS = 10_000
MAX_XACT = 2**63 - 1

_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_FORBIDDEN = re.compile(r'[\x00-\x1f\x7f"\\\ud800-\udfff]')
_SURROGATE = re.compile("[\ud800-\udfff]")


class FieldError(ValueError):
    """A field or value that the allow-list refuses; parsers add where it happened."""


@dataclass(frozen=True, slots=True)
class RootSpec:
    kind: Kind
    min_segments: int = 0
    max_segments: int = 0
    full_text: bool = False  # may be the field of MATCH


_JSON = RootSpec("json", 0, MAX_SEGMENTS, full_text=True)

ROOTS: dict[str, RootSpec] = {
    "input": _JSON,
    "output": _JSON,
    "expected": _JSON,
    "error": _JSON,
    "metadata": _JSON,
    "span_attributes": RootSpec("json", 0, MAX_SEGMENTS),  # not full-text indexed
    "span_parents": RootSpec("json"),
    "scores": RootSpec("number", 1, 1),
    "metrics": RootSpec("number", 1, 1),
    "tags": RootSpec("tags"),
    "created": RootSpec("time"),
    "id": RootSpec("text"),
    "span_id": RootSpec("text"),
    "root_span_id": RootSpec("text"),
    "_xact_id": RootSpec("xact"),
    "is_root": RootSpec("bool"),
}

# the SQL type a field is read as when the value does not decide it (IS NULL, sorting)
_NATURAL: dict[Kind, SqlType] = {
    "json": "json", "text": "text", "number": "number", "time": "time",
    "bool": "bool", "tags": "json", "xact": "number",
}


def make_field(segments: list[str] | tuple[str, ...]) -> Field:
    """Check a root and its path against the allow-list and return the ``Field``."""
    if not segments:
        raise FieldError("expected a field name")
    root = segments[0]
    spec = ROOTS.get(root) if isinstance(root, str) else None
    if spec is None:
        raise FieldError(f"unknown field {_show(root)}; known fields: {', '.join(sorted(ROOTS))}")
    rest = len(segments) - 1
    if rest < spec.min_segments or rest > spec.max_segments:
        raise FieldError(_arity_message(root, spec))
    for seg in segments[1:]:
        check_segment(seg)
    return Field(tuple(segments))


def check_segment(seg: Any) -> None:
    if not isinstance(seg, str) or not seg:
        raise FieldError("a field path segment must be a non-empty string")
    if len(seg) > MAX_SEGMENT_CHARS:
        raise FieldError(f"a field path segment may have at most {MAX_SEGMENT_CHARS} characters")
    if _FORBIDDEN.search(seg):
        raise FieldError('a field path segment may not contain control characters, surrogates, \'"\' or \'\\\'')


def _arity_message(root: str, spec: RootSpec) -> str:
    if spec.min_segments == spec.max_segments == 0:
        return f"field '{root}' has no sub-fields"
    if spec.min_segments == spec.max_segments == 1:
        return f"expected one name after '{root}.', as in '{root}.Factuality' or '{root}.\"my name\"'"
    return f"field '{root}' takes at most {spec.max_segments} path segments"


def spec_of(field: Field) -> RootSpec:
    return ROOTS[field.root]


def kind_of(field: Field) -> Kind:
    return ROOTS[field.root].kind


def natural_type(field: Field) -> SqlType:
    return _NATURAL[ROOTS[field.root].kind]


def dotted(field: Field) -> str:
    """The typed-language spelling of a field: ``metadata.model``, ``scores."my score"``."""
    return ".".join(s if i == 0 or _IDENT.match(s) else f'"{s}"' for i, s in enumerate(field.path))


def coerce_value(field: Field, raw: Any, *, allow_composite: bool = False) -> Value:
    """Check ``raw`` against the field's type and return it as a bound-ready ``Value``.

    ``None`` passes (callers turn ``= null`` into ``IS NULL``). Strings name times for
    ``created`` and transaction ids for ``_xact_id``; nothing else is converted.
    """
    if raw is None:
        return Value(None)
    kind = ROOTS[field.root].kind
    name = dotted(field)
    if isinstance(raw, str):
        check_string(raw)
    if isinstance(raw, int) and not isinstance(raw, bool) and not -MAX_XACT - 1 <= raw <= MAX_XACT:
        raise FieldError("an integer value must fit in 64 bits")
    if kind == "text" or kind == "tags":
        if isinstance(raw, str):
            return Value(raw)
        raise FieldError(f"expected a string for {name}")
    if kind == "number":
        if is_number(raw):
            return Value(raw)
        raise FieldError(f"expected a number for {name}")
    if kind == "bool":
        if isinstance(raw, bool):
            return Value(raw)
        raise FieldError(f"expected true or false for {name}")
    if kind == "time":
        return Value(to_time(raw, name))
    if kind == "xact":
        return Value(_to_xact(raw, name))
    # json
    if isinstance(raw, (str, bool)) or is_number(raw):
        return Value(raw)
    if isinstance(raw, datetime):
        raise FieldError(f"times compare only with 'created', not {name}")
    if allow_composite and isinstance(raw, (list, dict)):
        return Value(raw)
    raise FieldError(f"expected a string, number or boolean for {name}")


def check_string(raw: str) -> None:
    if len(raw) > MAX_STRING_CHARS:
        raise FieldError(f"a string value may have at most {MAX_STRING_CHARS} characters")
    if "\x00" in raw:
        raise FieldError("a string value may not contain NUL characters")
    if _SURROGATE.search(raw):
        raise FieldError("a string value may not contain unpaired UTF-16 surrogates")


def to_time(raw: Any, name: str = "created") -> datetime:
    if isinstance(raw, datetime):
        return raw if raw.tzinfo else raw.replace(tzinfo=UTC)
    if isinstance(raw, str):
        try:
            dt = datetime.fromisoformat(raw.strip())
        except ValueError:
            raise FieldError(f"expected an ISO-8601 time for {name}, like '2024-05-01T12:00:00Z'") from None
        return dt if dt.tzinfo else dt.replace(tzinfo=UTC)
    raise FieldError(f"expected a time for {name}: an ISO-8601 string or now() - interval N unit")


def _to_xact(raw: Any, name: str) -> int:
    if isinstance(raw, str) and raw.isascii() and raw.isdigit() and len(raw) <= 19:
        raw = int(raw)
    if isinstance(raw, int) and not isinstance(raw, bool) and 0 <= raw <= MAX_XACT:
        return raw
    raise FieldError(f"expected a transaction id (digits) for {name}")


def is_number(raw: Any) -> bool:
    if isinstance(raw, bool):
        return False
    if isinstance(raw, int):
        return -MAX_XACT - 1 <= raw <= MAX_XACT  # SQLite and PostgreSQL bind 64-bit integers
    return isinstance(raw, float) and math.isfinite(raw)


def _show(x: Any) -> str:
    s = x if isinstance(x, str) else repr(x)
    s = s[:40] + ("..." if len(s) > 40 else "")
    return "'" + s.encode("unicode_escape").decode("ascii").replace("'", "\\'") + "'"
