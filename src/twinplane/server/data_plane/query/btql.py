"""The structured BTQL query the SDK posts to ``/btql``, checked and turned into the safe AST.

Accepted (wire reference §7.1 and what braintrust 0.48.1 sends)::

    {"query": {"select": [{"op": "star"}],
               "from": {"op": "function", "name": {"op": "ident", "name": ["experiment"]},
                        "args": [{"op": "literal", "value": "<object id>"}]},
               "filter": <expr>?, "sort": [{"expr": <ident>, "dir": "asc"|"desc"}]?,
               "cursor": str|null, "limit": int?},
     "use_columnstore": bool?, "use_brainstore": bool?, "brainstore_realtime": bool?,
     "query_source": str?, "version": "<xact id>"?, "audit_log": bool?}

Filter expressions: ``and``/``or`` (``children``, or ``left``/``right``), ``not`` (``expr``),
``eq ne lt le gt ge`` and ``in`` (``left``/``right``; either side may be the ident),
``isnull``/``isnotnull`` (``expr``), ``match like ilike includes`` (``left``/``right``),
``add``/``sub`` of numeric operands, and a boolean ``literal``. A ``filter`` given as a
string is read as the typed filter language. Everything else is refused with the JSON
path of the offending part (``query.filter.children[1].op: ...``).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from twinplane.server.common.errors import BadRequest
from twinplane.wire.objects import OBJECT_TYPES

from . import predicate as P
from .ast import Arith, Field, Node, Operand, Sort, Value
from .fields import FieldError, make_field
from .parse import parse_filter

logger = logging.getLogger(__name__)

DEFAULT_LIMIT = 1000
MAX_LIMIT = 1000  # larger requests are served in pages of this size (the SDK follows the cursor)
MAX_EXPR_DEPTH = 32
MAX_CURSOR_CHARS = 2048
MAX_ID_CHARS = 256

_TOP_KEYS = {"query", "use_columnstore", "use_brainstore", "brainstore_realtime", "query_source", "version",
             "audit_log", "fmt"}
_QUERY_KEYS = {"select", "from", "filter", "sort", "cursor", "limit"}
_UNSUPPORTED = {"dimensions", "measures", "pivot", "unpivot", "summary", "preview_length", "inference_budget"}
_COMPARE_OPS = {"eq": "=", "ne": "!=", "lt": "<", "le": "<=", "gt": ">", "ge": ">="}
_FLIP = {"=": "=", "!=": "!=", "<": ">", "<=": ">=", ">": "<", ">=": "<="}
_IGNORED_EXPR_KEYS = {"loc"}  # source positions some clients attach to every node


@dataclass(frozen=True, slots=True)
class BtqlQuery:
    object_type: str
    object_id: str
    filter: Node | None = None
    sort: tuple[Sort, ...] = ()
    limit: int = DEFAULT_LIMIT
    cursor: str | None = None
    version: int | None = None
    audit_log: bool = False
    query_source: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)  # accepted flags we do not act on


class _Bad(Exception):
    def __init__(self, path: str, message: str) -> None:
        super().__init__(message)
        self.path = path
        self.message = message


def parse_btql(body: Any) -> BtqlQuery:
    """Validate a ``/btql`` request body and return the query it asks for."""
    try:
        return _parse_body(body)
    except _Bad as e:
        raise BadRequest(f"btql: {e.path}: {e.message}" if e.path else f"btql: {e.message}") from None


def parse_btql_filter(expr: Any, *, what: str = "filter") -> Node:
    """One BTQL filter expression (or a typed-language string) → AST."""
    try:
        node = _filter(expr, what, 0)
        P.check_size(node)
        return node
    except _Bad as e:
        raise BadRequest(f"btql: {e.path}: {e.message}") from None
    except FieldError as e:
        raise BadRequest(f"btql: {what}: {e}") from None


def _parse_body(body: Any) -> BtqlQuery:
    obj = _object(body, "")
    _only(obj, _TOP_KEYS, "")
    for flag in ("use_columnstore", "use_brainstore", "brainstore_realtime", "audit_log"):
        if flag in obj and not isinstance(obj[flag], bool):
            raise _Bad(flag, "expected true or false")
    source = obj.get("query_source")
    if source is not None and (not isinstance(source, str) or len(source) > 200):
        raise _Bad("query_source", "expected a short string")
    if "fmt" in obj and obj["fmt"] != "json":
        raise _Bad("fmt", "only 'json' is supported")
    q = obj.get("query")
    if isinstance(q, str):
        raise _Bad("query", "BTQL text queries are not supported; send the JSON form")
    q = _object(q, "query")
    unsupported = sorted(set(q) & _UNSUPPORTED)
    if unsupported:
        raise _Bad(f"query.{unsupported[0]}", "not supported; use /v1/aggregate for grouped measures")
    _only(q, _QUERY_KEYS, "query")
    if "select" in q:
        _select(q["select"], "query.select")
    object_type, object_id = _from(q.get("from"), "query.from")
    filt = None
    if q.get("filter") is not None:
        try:
            filt = _filter(q["filter"], "query.filter", 0)
            P.check_size(filt)
        except FieldError as e:
            raise _Bad("query.filter", str(e)) from None
    return BtqlQuery(
        object_type=object_type,
        object_id=object_id,
        filter=filt,
        sort=tuple(_sort(q.get("sort"), "query.sort")),
        limit=_limit(q.get("limit"), "query.limit"),
        cursor=_cursor(q.get("cursor"), "query.cursor"),
        version=_version(obj.get("version"), "version"),
        audit_log=bool(obj.get("audit_log", False)),
        query_source=source,
        extra={k: obj[k] for k in ("use_columnstore", "use_brainstore", "brainstore_realtime") if k in obj},
    )


# -- shape helpers ----------------------------------------------------------------------

def _object(x: Any, path: str) -> dict[str, Any]:
    if not isinstance(x, dict):
        raise _Bad(path, "expected an object")
    return x


def _only(obj: dict[str, Any], allowed: set[str], path: str) -> None:
    for k in obj:
        if k not in allowed:
            where = f"{path}.{k}" if path else str(k)
            raise _Bad(where[:120], f"unknown key; expected one of {', '.join(sorted(allowed))}")


def _op(x: Any, path: str) -> tuple[dict[str, Any], str]:
    obj = _object(x, path)
    op = obj.get("op")
    if not isinstance(op, str):
        raise _Bad(f"{path}.op", "expected an operator name")
    return obj, op


def _keys(obj: dict[str, Any], keys: set[str], path: str) -> None:
    _only(obj, keys | {"op"} | _IGNORED_EXPR_KEYS, path)
    for k in keys:
        if k not in obj:
            raise _Bad(f"{path}.{k}", "missing")


def _select(x: Any, path: str) -> None:
    if not isinstance(x, list) or len(x) != 1:
        raise _Bad(path, 'only [{"op": "star"}] is supported')
    obj, op = _op(x[0], f"{path}[0]")
    if op != "star":
        raise _Bad(f"{path}[0].op", "only 'star' is supported (every column is returned)")
    _keys(obj, set(), f"{path}[0]")


def _from(x: Any, path: str) -> tuple[str, str]:
    obj, op = _op(x, path)
    if op != "function":
        raise _Bad(f"{path}.op", "expected 'function', as in experiment('<id>')")
    _keys(obj, {"name", "args"}, path)
    name = _ident(obj["name"], f"{path}.name")
    if len(name) != 1 or name[0] not in OBJECT_TYPES:
        raise _Bad(f"{path}.name", f"expected one of {', '.join(OBJECT_TYPES)}")
    args = obj["args"]
    if not isinstance(args, list) or len(args) != 1:
        raise _Bad(f"{path}.args", "expected exactly one argument: the object id")
    object_id = _literal(args[0], f"{path}.args[0]")
    if not isinstance(object_id, str) or not object_id or len(object_id) > MAX_ID_CHARS \
            or not object_id.isprintable():
        raise _Bad(f"{path}.args[0].value", "expected an object id string")
    return name[0], object_id


def _ident(x: Any, path: str) -> list[str]:
    obj, op = _op(x, path)
    if op != "ident":
        raise _Bad(f"{path}.op", "expected 'ident'")
    _keys(obj, {"name"}, path)
    name = obj["name"]
    if not isinstance(name, list) or not name or not all(isinstance(s, str) for s in name):
        raise _Bad(f"{path}.name", "expected a non-empty list of strings")
    return name


def _field(x: Any, path: str) -> Field:
    name = _ident(x, path)
    try:
        return make_field(name)
    except FieldError as e:
        raise _Bad(f"{path}.name", str(e)) from None


def _literal(x: Any, path: str) -> Any:
    obj, op = _op(x, path)
    if op != "literal":
        raise _Bad(f"{path}.op", "expected 'literal'")
    _keys(obj, {"value"}, path)
    return obj["value"]


def _is_ident(x: Any) -> bool:
    return isinstance(x, dict) and x.get("op") in ("ident", "add", "sub")


# -- filter -----------------------------------------------------------------------------

def _filter(x: Any, path: str, depth: int) -> Node:
    if isinstance(x, str):
        node = parse_filter(x, what=f"btql: {path}")
        if node is None:
            raise _Bad(path, "empty filter")
        return node
    if depth > MAX_EXPR_DEPTH:
        raise _Bad(path, f"nested too deeply (at most {MAX_EXPR_DEPTH} levels)")
    obj, op = _op(x, path)
    try:
        return _node(obj, op, path, depth)
    except FieldError as e:
        raise _Bad(path, str(e)) from None


def _node(obj: dict[str, Any], op: str, path: str, depth: int) -> Node:
    if op in ("and", "or"):
        if "children" in obj:
            _keys(obj, {"children"}, path)
            kids = obj["children"]
            if not isinstance(kids, list):
                raise _Bad(f"{path}.children", "expected a list")
            nodes = [_filter(k, f"{path}.children[{i}]", depth + 1) for i, k in enumerate(kids)]
        else:
            _keys(obj, {"left", "right"}, path)
            nodes = [_filter(obj["left"], f"{path}.left", depth + 1), _filter(obj["right"], f"{path}.right", depth + 1)]
        return P.and_(nodes) if op == "and" else P.or_(nodes)
    if op == "not":
        _keys(obj, {"expr"}, path)
        return P.not_(_filter(obj["expr"], f"{path}.expr", depth + 1))
    if op in ("isnull", "isnotnull"):
        _keys(obj, {"expr"}, path)
        return P.is_null(_field(obj["expr"], f"{path}.expr"), negate=op == "isnotnull")
    if op == "literal":
        value = _literal(obj, path)
        if not isinstance(value, bool):
            raise _Bad(f"{path}.value", "a literal used as a condition must be true or false")
        return P.and_(()) if value else P.or_(())
    if op in _COMPARE_OPS or op in ("in", "match", "like", "ilike", "includes"):
        _keys(obj, {"left", "right"}, path)
        return _binary(op, obj, path)
    raise _Bad(f"{path}.op", f"unsupported operator {op[:40]!r}")


def _binary(op: str, obj: dict[str, Any], path: str) -> Node:
    left, right, lpath, rpath = obj["left"], obj["right"], f"{path}.left", f"{path}.right"
    cmp = _COMPARE_OPS.get(op)
    if not _is_ident(left) and _is_ident(right):
        # literal on the left: `'x' in tags`, `0.5 < scores.x`
        left, right, lpath, rpath = right, left, rpath, lpath
        if cmp:
            cmp = _FLIP[cmp]
        elif op == "in":
            return P.includes(_field(left, lpath), _literal(right, rpath))
    if cmp:
        target = _operand(left, lpath, 0)
        if isinstance(target, Value):
            raise _Bad(lpath, "expected a field")
        return P.compare(cmp, target, _literal(right, rpath))  # type: ignore[arg-type]
    f = _field(left, lpath)
    if op == "in":
        values = _in_values(right, rpath)
        return P.in_(f, values)
    raw = _literal(right, rpath)
    if op == "match":
        return P.match(f, raw)
    if op == "includes":
        return P.includes(f, raw)
    return P.like(f, raw, case_insensitive=op == "ilike")


def _in_values(x: Any, path: str) -> list[Any]:
    if isinstance(x, list):  # a list of literals
        return [_literal(v, f"{path}[{i}]") for i, v in enumerate(x)]
    values = _literal(x, path)
    if not isinstance(values, list):
        raise _Bad(f"{path}.value", "expected a list of values")
    return values


def _operand(x: Any, path: str, depth: int) -> Operand:
    if depth > 8:
        raise _Bad(path, "arithmetic nested too deeply")
    obj, op = _op(x, path)
    if op == "ident":
        return _field(obj, path)
    if op == "literal":
        return Value(_literal(obj, path))
    if op in ("add", "sub"):
        _keys(obj, {"left", "right"}, path)
        result: Arith = P.arith("+" if op == "add" else "-", _operand(obj["left"], f"{path}.left", depth + 1),
                                _operand(obj["right"], f"{path}.right", depth + 1))
        return result
    raise _Bad(f"{path}.op", "expected 'ident', 'literal', 'add' or 'sub'")


# -- the rest of the query ---------------------------------------------------------------

def _sort(x: Any, path: str) -> list[Sort]:
    if x is None:
        return []
    if not isinstance(x, list) or len(x) > 5:
        raise _Bad(path, "expected a list of at most 5 sort keys")
    out = []
    for i, item in enumerate(x):
        p = f"{path}[{i}]"
        obj = _object(item, p)
        _only(obj, {"expr", "dir"}, p)
        if "expr" not in obj:
            raise _Bad(f"{p}.expr", "missing")
        f = _field(obj["expr"], f"{p}.expr")
        if f.root == "tags":
            raise _Bad(f"{p}.expr", "cannot sort by tags")
        d = obj.get("dir", "asc")
        if d not in ("asc", "desc"):
            raise _Bad(f"{p}.dir", "expected 'asc' or 'desc'")
        out.append(Sort(f, d))
    return out


def _limit(x: Any, path: str) -> int:
    if x is None:
        return DEFAULT_LIMIT
    if not isinstance(x, int) or isinstance(x, bool) or x < 1:
        raise _Bad(path, "expected a positive integer")
    return min(x, MAX_LIMIT)


def _cursor(x: Any, path: str) -> str | None:
    if x is None or x == "":
        return None
    if not isinstance(x, str) or len(x) > MAX_CURSOR_CHARS or not x.isprintable():
        raise _Bad(path, "expected the opaque cursor string of a previous answer")
    return x


def _version(x: Any, path: str) -> int | None:
    if x is None:
        return None
    if isinstance(x, str) and x.isascii() and x.isdigit() and len(x) <= 19:
        return int(x)
    if isinstance(x, int) and not isinstance(x, bool) and 0 <= x < 2**63:
        return x
    raise _Bad(path, "expected a transaction id (a string of digits)")
