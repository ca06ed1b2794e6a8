"""The SELECT behind ``fetch_rows`` and ``trace``, built once for both engines.

Keyset pagination: rows are ordered by the requested sort keys then the row id (unique
within an object), and a cursor holds the last row's key values, so rows inserted while a
client pages never shift a later page (no skips, no repeats). Sort keys are NULL-free
(missing values become a sentinel that sorts last), which keeps the keyset comparison exact.

With full-text search and no explicit sort the order is "most recently ingested first"
(the row's sequence number): the one order an inverted index can walk newest-first and
stop after a page, instead of scoring and sorting every hit.

A sort by one score or metric is read from the values' side (``_value_pages``): only the
rows that carry the value, then, once they run out, the rows without it. There is no index
ordered by value (each write would land at a random place in it), so such a page costs a scan
of that one name's values, not a probe of every row of the object.
"""

# SQL here is assembled from fixed fragments and placeholders; every value is bound.
# ruff: noqa: S608

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from twinplane.server.common.errors import BadRequest
from twinplane.server.data_plane.query.ast import Field
from twinplane.server.data_plane.store.base import RowQuery, SortDir
from twinplane.server.data_plane.store.cursor import decode_cursor, encode_cursor
from twinplane.server.data_plane.store.row_dialect import RowDialect, ValueSource

if TYPE_CHECKING:
    from twinplane.server.data_plane.query.ast import SqlDialect

MAX_LIMIT = 10_000
_LOW, _HIGH = -1e300, 1e300  # sentinels: missing values sort last in either direction
# a trace list shows each trace's size: one probe of the trace index per root of the page
_SPAN_COUNT = ", (SELECT count(*) FROM dp_rows c WHERE c.ok = p.ok_ AND c.root_span_id = p.rs_)"


@dataclass(slots=True)
class SortKey:
    expr: str
    dir: SortDir


@dataclass(slots=True)
class Select:
    sql: str
    params: dict[str, Any]
    shape: str
    nkeys: int
    limit: int
    # run when this statement found no more than ``limit`` rows: the rows that follow them
    then: Select | None = None


def check_limit(limit: int) -> int:
    if not isinstance(limit, int) or isinstance(limit, bool) or limit < 1:
        raise BadRequest("limit must be a positive integer")
    return min(limit, MAX_LIMIT)


def _sort_field(spec: Any) -> tuple[str, ...]:
    if isinstance(spec, Field):
        return tuple(spec.path)
    if not isinstance(spec, str) or not spec:
        raise BadRequest("sort field must be a string")
    if spec.startswith(("scores.", "metrics.")):
        root, name = spec.split(".", 1)
        return (root, name)
    return tuple(spec.split("."))


# Rows' own text columns a sort reads instead of their JSON.
_TEXT_COLUMNS = {("span_id",): "r.span_id", ("root_span_id",): "r.root_span_id",
                 ("span_attributes", "name"): "r.span_name", ("span_attributes", "type"): "r.span_type"}
_JSON_ROOTS = frozenset({"input", "output", "expected", "error", "metadata", "span_attributes", "span_parents"})


def sort_keys(path: tuple[str, ...], direction: SortDir, d: RowDialect) -> list[SortKey]:
    """The keys one sort field orders by. A field of the JSON (or a text column) may hold values
    of several types, so it orders by three NULL-free keys: a type rank, always ascending (numbers
    and booleans, then strings, then objects and arrays, then rows without it), then within a
    type the number and the text in the requested direction."""
    if direction not in ("asc", "desc"):
        raise BadRequest("sort direction must be 'asc' or 'desc'")
    sentinel = repr(_LOW if direction == "desc" else _HIGH)
    if path == ("created",):
        return [SortKey("r.created", direction)]
    if path in (("start",), ("metrics", "start")):
        return [SortKey("COALESCE(r.start_ts, r.created)", direction)]
    if path in (("end",), ("metrics", "end")):
        return [SortKey(f"COALESCE(r.end_ts, {sentinel})", direction)]
    if path == ("_xact_id",):
        return [SortKey("r.xact_id", direction)]
    if path == ("id",):
        return [SortKey("r.row_id", direction)]
    if path == ("is_root",):
        return [SortKey("(CASE WHEN r.is_root THEN 1 ELSE 0 END)", direction)]
    if path == ("metrics", "duration"):  # the metric if logged, else end - start, as a filter reads it
        return [SortKey(f"COALESCE({d.field(Field(path), 'number')}, {sentinel})", direction)]
    if len(path) == 2 and path[0] in ("scores", "metrics") and path[1]:
        return [SortKey(f"COALESCE({d.side_value(path[0], path[1])}, {sentinel})", direction)]
    column = _TEXT_COLUMNS.get(path)
    if column is not None:
        rank, number, text = f"(CASE WHEN {column} IS NULL THEN 3 ELSE 1 END)", "0", d.sort_text(f"COALESCE({column}, '')")
    elif path and path[0] in _JSON_ROOTS:
        rank, number, text = d.json_sort_keys(path)
    else:
        raise BadRequest("cannot sort by tags" if path[:1] == ("tags",) else "unknown sort field")
    return [SortKey(rank, "asc"), SortKey(number, direction), SortKey(text, direction)]


def _keyset(keys: list[SortKey], values: list[Any], d: RowDialect) -> str:
    if len({k.dir for k in keys}) == 1:
        op = "<" if keys[0].dir == "desc" else ">"
        lhs = ", ".join(k.expr for k in keys)
        rhs = ", ".join(d.param(v) for v in values)
        return f"(({lhs}) {op} ({rhs}))"
    ors = []
    for i, k in enumerate(keys):
        parts = [f"{keys[j].expr} = {d.param(values[j])}" for j in range(i)]
        parts.append(f"{k.expr} {'<' if k.dir == 'desc' else '>'} {d.param(values[i])}")
        ors.append("(" + " AND ".join(parts) + ")")
    return "(" + " OR ".join(ors) + ")"


def compile_filter_sql(node: Any, d: RowDialect) -> str:
    try:
        from twinplane.server.data_plane.query.compile import compile_filter
    except ImportError as err:  # pragma: no cover - until the query compiler lands
        raise BadRequest("filters are not available") from err
    return compile_filter(node, cast("SqlDialect", d))  # RowDialect implements the protocol


def build_select(q: RowQuery, d: RowDialect, *, where: list[str] | None = None,
                 sort: list[tuple[Any, SortDir]] | None = None) -> Select:
    """SELECT xact_id, data, k0..kn (the cursor keys) for one page of current rows."""
    limit = check_limit(q.limit)
    sort = list(sort if sort is not None else q.sort)
    conds = ["r.ok = " + d.param(d.ok)] + list(where or [])
    if q.roots_only:
        conds.append(f"r.is_root = {d.true}")
    if q.filter is not None:
        conds.append(compile_filter_sql(q.filter, d))
    source = "dp_rows r"
    search = q.search.strip() if isinstance(q.search, str) else ""
    hits = d.search_hits(search) if search and not sort else None
    if hits is not None:
        return _lazy_search(q, d, conds, hits, limit)
    if search and not sort:
        source, cond, key = d.search_plan(search)
        conds.append(cond)
        keys = [SortKey(key, "desc")]
        shape = "search"
    else:
        if search:
            conds.append(d.full_text(None, d.param(search)))
        by_value = _value_sort(sort)
        values = d.value_source(by_value[0], by_value[1]) if by_value is not None else None
        if by_value is not None and values is not None:
            bare = len(conds) == 1 and not search  # the object alone: no row is filtered out
            return _value_pages(q, d, conds, by_value, values, limit, bare=bare)
        keys = [k for f, direction in sort for k in sort_keys(_sort_field(f), direction, d)] or [
            SortKey("r.created", "desc")]
        keys.append(SortKey("r.row_id", keys[-1].dir))  # unique tiebreak
        shape = "sort:" + ";".join(f"{'.'.join(_sort_field(f))}:{di}" for f, di in sort)
    if q.cursor:
        conds.append(_keyset(keys, decode_cursor(q.cursor, shape, len(keys)), d))
    return Select(_page_sql(q, d, source, conds, keys, limit), d.params, shape, len(keys), limit)


def _page_sql(q: RowQuery, d: RowDialect, source: str, conds: list[str], keys: list[SortKey], limit: int,
              order: list[SortKey] | None = None) -> str:
    """xact_id, data, k0..kn (the cursor keys) of one page, ordered by ``order`` (default: the keys)."""
    order = keys if order is None else order
    cols = ", ".join(f"{k.expr} AS k{i}" for i, k in enumerate(keys))
    if q.roots_only:
        cols += ", r.ok AS ok_, r.root_span_id AS rs_"
    pos = {id(k): i for i, k in enumerate(keys)}
    by = ", ".join(f"k{pos[id(k)]} {k.dir.upper()}" for k in order)
    where_sql = " AND ".join(conds)
    extra = _SPAN_COUNT if q.roots_only else ""
    knames = ", ".join(f"p.k{i}" for i in range(len(keys)))
    if "v.data" in where_sql or "v.data" in cols:  # a JSON filter or sort key: every candidate's JSON
        inner = (f"SELECT r.xact_id, {d.data_text} AS data, {cols} FROM {source} "
                 # v.ok = r.ok: a JSON filter the planner deems selective then scans one object's versions, not all
                 f"JOIN dp_versions v ON v.seq = r.version_seq AND v.ok = r.ok WHERE {where_sql} ORDER BY {by} "
                 f"LIMIT {limit + 1}")
        return f"SELECT p.xact_id, p.data, {knames}{extra} FROM ({inner}) p ORDER BY {by}"
    # Page first on the narrow typed columns, then read the JSON of the page's rows only
    # (a sort the index cannot give, say by score, would otherwise read every row's JSON).
    inner = (f"SELECT r.xact_id, r.version_seq, {cols} FROM {source} WHERE {where_sql} "
             f"ORDER BY {by} LIMIT {limit + 1}")
    return (f"SELECT p.xact_id, {d.data_text}, {knames}{extra} FROM ({inner}) p "
            f"JOIN dp_versions v ON v.seq = p.version_seq ORDER BY {by}")


def _value_sort(sort: list[tuple[Any, SortDir]]) -> tuple[str, str, SortDir] | None:
    """(kind, name, direction) when the sort is one score or metric read from the side tables."""
    if len(sort) != 1:
        return None
    path, direction = _sort_field(sort[0][0]), sort[0][1]
    if direction not in ("asc", "desc") or len(path) != 2 or path[0] not in ("scores", "metrics") or not path[1]:
        return None
    if path in (("metrics", "start"), ("metrics", "end"), ("metrics", "duration")):  # read from the row too
        return None
    return path[0], path[1], direction


def _value_pages(q: RowQuery, d: RowDialect, conds: list[str], by: tuple[str, str, SortDir], values: ValueSource,
                 limit: int, *, bare: bool) -> Select:
    """Pages sorted by one score or metric, rows without it last (as ``sort_keys``'s sentinel does).

    First the rows that carry the value, driven from the values (``RowDialect.value_source``):
    keyed (value, row seq), so ties, common among scores, need no other column of the row; when
    no condition filters rows (``bare``) the values are paged before any row is read. Then the
    rows without the value, keyed by the sentinel, created and row id, walked in the created
    index's order. A cursor holds three keys either way, the third the row id (``with_rest``);
    the sentinel in its first tells which part it is in. A page that ends the first part
    continues with the second (``then``).
    """
    kind, name, direction = by
    sentinel = _LOW if direction == "desc" else _HIGH
    shape = f"value:{kind}.{name}:{direction}"
    after = decode_cursor(q.cursor, shape, 3) if q.cursor else None
    if after is not None and not (all(isinstance(v, (int, float)) for v in after[:2]) and isinstance(after[2], str)):
        raise BadRequest("invalid cursor")
    in_rest = after is not None and after[0] == sentinel
    rest_conds = [*conds, f"{d.side_value(kind, name)} IS NULL"]
    rest_keys = [SortKey(d.param(sentinel), direction), SortKey("r.created", direction), SortKey("r.row_id", direction)]
    if in_rest:
        assert after is not None
        rest_conds.append(_keyset(rest_keys[1:], after[1:], d))
    rest = Select(_page_sql(q, d, "dp_rows r", rest_conds, rest_keys, limit, order=rest_keys[1:]),
                  d.params, shape, 3, limit)
    if in_rest:
        return rest
    if bare and values.row_seq is not None:
        vkeys = [SortKey(values.value, direction), SortKey(values.row_seq, direction)]
        vconds = [*values.conds, *([_keyset(vkeys, after[:2], d)] if after is not None else [])]
        dirs = direction.upper()
        # SQLite joins the tables in the order written around CROSS JOIN: the values drive
        source = (f"(SELECT {values.value} AS value, {values.row_seq} AS row_seq FROM {values.table} "
                  f"WHERE {' AND '.join(vconds)} ORDER BY 1 {dirs}, 2 {dirs} LIMIT {limit + 1}) s CROSS JOIN dp_rows r")
        keys = [SortKey("s.value", direction), SortKey("r.seq", direction), SortKey("r.row_id", direction)]
        value_conds = [values.join, *conds]  # the page's values keep the table's alias and columns
    else:
        source = f"{values.table} CROSS JOIN dp_rows r"
        keys = [SortKey(values.value, direction), SortKey("r.seq", direction), SortKey("r.row_id", direction)]
        value_conds = [*values.conds, values.join, *conds]
        if after is not None:
            value_conds.append(_keyset(keys[:2], after[:2], d))
    sql = _page_sql(q, d, source, value_conds, keys, limit, order=keys[:2])
    return Select(sql, d.params, shape, 3, limit, then=rest)


def _lazy_search(q: RowQuery, d: RowDialect, conds: list[str], hits: tuple[str, str, str], limit: int) -> Select:
    """A search page as hits newest first, each hit's row joined and checked one at a time
    (LATERAL ... OFFSET 0 keeps the check per row), so the walk stops once a page has passed
    the row conditions instead of checking every hit's JSON before sorting."""
    source, cond, key = hits
    keys = [SortKey(key, "desc")]
    hit_conds = [cond]
    if q.cursor:
        hit_conds.append(_keyset(keys, decode_cursor(q.cursor, "search", 1), d))
    roots = ", r.ok AS ok_, r.root_span_id AS rs_" if q.roots_only else ""
    row = (f"SELECT r.xact_id, {d.data_text} AS data{roots} FROM dp_rows r "
           f"JOIN dp_versions v ON v.seq = r.version_seq WHERE r.seq = h.k0 AND {' AND '.join(conds)} OFFSET 0")
    inner = (f"SELECT x.xact_id, x.data, h.k0{', x.ok_, x.rs_' if q.roots_only else ''} FROM "
             f"(SELECT {key} AS k0 FROM {source} WHERE {' AND '.join(hit_conds)} ORDER BY k0 DESC) h "
             f"CROSS JOIN LATERAL ({row}) x ORDER BY h.k0 DESC LIMIT {limit + 1}")
    extra = _SPAN_COUNT if q.roots_only else ""
    sql = f"SELECT p.xact_id, p.data, p.k0{extra} FROM ({inner}) p ORDER BY p.k0 DESC"
    return Select(sql, d.params, "search", 1, limit)


def build_version_select(q: RowQuery, d: RowDialect) -> Select:
    """Every row as of ``q.version``: per row id its newest version at or below it, deletes dropped."""
    if q.filter is not None or q.search or q.sort or q.roots_only:
        raise BadRequest("a read at a version takes no filter, search, sort or roots_only")
    limit = check_limit(q.limit)
    ok, ver = d.param(d.ok), d.param(int(q.version))  # type: ignore[arg-type]
    conds = [f"v.seq IN (SELECT max(x.seq) FROM dp_versions x WHERE x.ok = {ok} AND x.xact_id <= {ver} "
             "GROUP BY x.row_id)", "NOT v.deleted"]
    keys = [SortKey("v.created", "desc"), SortKey("v.row_id", "desc")]
    shape = "version"
    if q.cursor:
        conds.append(_keyset(keys, decode_cursor(q.cursor, shape, 2), d))
    sql = (f"SELECT v.xact_id, {d.data_text} AS data, v.created AS k0, v.row_id AS k1 FROM dp_versions v "
           f"WHERE {' AND '.join(conds)} ORDER BY k0 DESC, k1 DESC LIMIT {limit + 1}")
    return Select(sql, d.params, shape, 2, limit)


def with_rest(sel: Select, first: list[Any], rest: list[Any]) -> list[Any]:
    """A value-sorted page: ``first``'s rows, then ``rest``'s (``sel.then``) not among them. Two
    statements read two snapshots: a row whose value went between them would show twice. Both
    parts' third cursor key is the row id."""
    seen = {r[4] for r in first}
    return (first + [r for r in rest if r[4] not in seen])[:sel.limit + 1]


def page_cursor(sel: Select, rows: list[Any]) -> str | None:
    """Cursor after the last returned row when the query found one more row than the page."""
    if len(rows) <= sel.limit:
        return None
    last = rows[sel.limit - 1]
    return encode_cursor(sel.shape, [last[2 + i] for i in range(sel.nkeys)])
