"""The SELECT behind ``fetch_rows`` and ``trace``, built once for both engines.

Keyset pagination: rows are ordered by the requested sort keys then the row id (unique
within an object), and a cursor holds the last row's key values, so rows inserted while a
client pages never shift a later page (no skips, no repeats). Sort keys are NULL-free
(missing values become a sentinel that sorts last), which keeps the keyset comparison exact.

With full-text search and no explicit sort the order is "most recently ingested first"
(the row's sequence number): the one order an inverted index can walk newest-first and
stop after a page, instead of scoring and sorting every hit.
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
from twinplane.server.data_plane.store.row_dialect import RowDialect

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


def sort_key(path: tuple[str, ...], direction: SortDir, d: RowDialect) -> SortKey:
    if direction not in ("asc", "desc"):
        raise BadRequest("sort direction must be 'asc' or 'desc'")
    sentinel = repr(_LOW if direction == "desc" else _HIGH)
    if path == ("created",):
        return SortKey("r.created", direction)
    if path in (("start",), ("metrics", "start")):
        return SortKey("COALESCE(r.start_ts, r.created)", direction)
    if path in (("end",), ("metrics", "end")):
        return SortKey(f"COALESCE(r.end_ts, {sentinel})", direction)
    if path == ("_xact_id",):
        return SortKey("r.xact_id", direction)
    if path == ("id",):
        return SortKey("r.row_id", direction)
    if len(path) == 2 and path[0] in ("scores", "metrics") and path[1]:
        return SortKey(f"COALESCE({d.side_value(path[0], path[1])}, {sentinel})", direction)
    raise BadRequest("sort by created, start, end, id, _xact_id, scores.<name> or metrics.<name>")


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
        keys = [sort_key(_sort_field(f), direction, d) for f, direction in sort] or [SortKey("r.created", "desc")]
        keys.append(SortKey("r.row_id", keys[-1].dir))  # unique tiebreak
        shape = "sort:" + ";".join(f"{'.'.join(_sort_field(f))}:{di}" for f, di in sort)
    if q.cursor:
        conds.append(_keyset(keys, decode_cursor(q.cursor, shape, len(keys)), d))
    cols = ", ".join(f"{k.expr} AS k{i}" for i, k in enumerate(keys))
    if q.roots_only:
        cols += ", r.ok AS ok_, r.root_span_id AS rs_"
    order = ", ".join(f"k{i} {k.dir.upper()}" for i, k in enumerate(keys))
    where_sql = " AND ".join(conds)
    extra = _SPAN_COUNT if q.roots_only else ""
    knames = ", ".join(f"p.k{i}" for i in range(len(keys)))
    if "v.data" in where_sql:
        inner = (f"SELECT r.xact_id, {d.data_text} AS data, {cols} FROM {source} "
                 # v.ok = r.ok: a JSON filter the planner deems selective then scans one object's versions, not all
                 f"JOIN dp_versions v ON v.seq = r.version_seq AND v.ok = r.ok WHERE {where_sql} ORDER BY {order} "
                 f"LIMIT {limit + 1}")
        sql = f"SELECT p.xact_id, p.data, {knames}{extra} FROM ({inner}) p ORDER BY {order}"
    else:
        # Page first on the narrow typed columns, then read the JSON of the page's rows only
        # (a sort the index cannot give, say by score, would otherwise read every row's JSON).
        inner = (f"SELECT r.xact_id, r.version_seq, {cols} FROM {source} WHERE {where_sql} "
                 f"ORDER BY {order} LIMIT {limit + 1}")
        sql = (f"SELECT p.xact_id, {d.data_text}, {knames}{extra} FROM ({inner}) p "
               f"JOIN dp_versions v ON v.seq = p.version_seq ORDER BY {order}")
    return Select(sql, d.params, shape, len(keys), limit)


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


def page_cursor(sel: Select, rows: list[Any]) -> str | None:
    """Cursor after the last returned row when the query found one more row than the page."""
    if len(rows) <= sel.limit:
        return None
    last = rows[sel.limit - 1]
    return encode_cursor(sel.shape, [last[2 + i] for i in range(sel.nkeys)])
