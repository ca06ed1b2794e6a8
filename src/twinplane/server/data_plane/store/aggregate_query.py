"""The SQL of ``Store.aggregate``, shared by both engines (they differ in how they floor
a time bucket and whether percentiles are computed in SQL; see the dialects).

Measures whose values live in one side table (``scores.<name>``, ``metrics.<name>``) are
computed together from that table; the current rows are joined only when a group key or
the filter needs them, and the JSON versions only when an expression reads JSON.
"""

# SQL here is assembled from fixed fragments and placeholders; every value is bound.
# ruff: noqa: S608

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from twinplane.server.data_plane.store.aggregate_spec import GroupKey, Measure, percentile
from twinplane.server.data_plane.store.row_dialect import RowDialect
from twinplane.server.data_plane.store.row_shape import iso_from_epoch

Execute = Callable[[str, dict[str, Any]], Awaitable[list[tuple[Any, ...]]]]


def _value(m: Measure, d: RowDialect) -> str | None:
    if m.field is None:
        return None
    if m.side is not None:
        return "s.value"
    return d.field(m.field, m.as_type)


def _agg(m: Measure, x: str | None, d: RowDialect, sql_percentiles: bool) -> str | None:
    if m.fn == "count":
        return "count(*)" if x is None else f"count({x})"
    if m.fn == "percentile":
        return d.percentile(str(x), float(m.percentile or 0)) if sql_percentiles else None
    return {"sum": "sum", "mean": "avg", "min": "min", "max": "max"}[m.fn] + f"({x})"


async def run_aggregate(groups: list[GroupKey], measures: list[Measure], oks: list[int], object_ids: dict[int, str],
                        make_dialect: Callable[[], RowDialect], execute: Execute,
                        filter_sql: Callable[[RowDialect], str] | None, sql_percentiles: bool) -> list[dict[str, Any]]:
    sources: dict[Any, list[Measure]] = {}
    for m in measures:
        sources.setdefault(m.side or "rows", []).append(m)
    results: dict[tuple[Any, ...], dict[str, Any]] = {}
    for source, ms in sources.items():
        d = make_dialect()
        side = source if source != "rows" else None
        needs_rows = side is None or filter_sql is not None or any(k.kind != "object" for k in groups)
        okcol = "r.ok" if needs_rows else "s.ok"
        gexprs = []
        for key in groups:
            if key.kind == "object":
                gexprs.append(okcol)
            elif key.kind == "bucket":
                gexprs.append(d.bucket("r.created", key.seconds))
            else:
                assert key.field is not None
                gexprs.append(d.field(key.field, key.as_type))
        values = [_value(m, d) for m in ms]
        conds = [f"{okcol} IN ({', '.join(d.param(ok) for ok in oks)})"]
        if side is not None:
            conds.append(f"s.name = {d.param(side[1])}")
        if filter_sql is not None:
            conds.append(filter_sql(d))
        cols = [_agg(m, x, d, sql_percentiles) for m, x in zip(ms, values, strict=True)]
        text = " ".join(gexprs + [x or "" for x in values] + conds)
        if side is not None:
            src = f"{'dp_scores' if side[0] == 'scores' else 'dp_metrics'} s"
            if needs_rows:
                src += " JOIN dp_rows r ON r.seq = s.row_seq"
        else:
            src = "dp_rows r"
        if "v.data" in text:
            src += " JOIN dp_versions v ON v.seq = r.version_seq AND v.ok = r.ok"
        gsel = "".join(f"{g} AS g{i}, " for i, g in enumerate(gexprs))
        gby = f" GROUP BY {', '.join(f'g{i}' for i in range(len(gexprs)))}" if gexprs else ""
        where = " AND ".join(conds)
        sql = f"SELECT {gsel}{', '.join(c or 'NULL' for c in cols)} FROM {src} WHERE {where}{gby}"
        n = len(gexprs)
        for row in await execute(sql, d.params):
            out = results.setdefault(tuple(row[:n]), _group_keys(groups, row[:n], object_ids))
            for m, v in zip(ms, row[n:], strict=True):
                out[m.key] = _out(m, v)
        if not sql_percentiles:
            for m, x in zip(ms, values, strict=True):
                if m.fn != "percentile":
                    continue
                vsql = (f"SELECT {gsel}{x} FROM {src} WHERE {where} AND {x} IS NOT NULL "
                        f"ORDER BY {', '.join([f'g{i}' for i in range(n)] + [str(x)])}")
                per: dict[tuple[Any, ...], list[float]] = {}
                for row in await execute(vsql, d.params):
                    per.setdefault(tuple(row[:n]), []).append(row[n])
                for g, vals in per.items():
                    out = results.setdefault(g, _group_keys(groups, g, object_ids))
                    out[m.key] = _out(m, percentile(vals, float(m.percentile or 0)))
    rows = list(results.values())
    for r in rows:
        for m in measures:
            r.setdefault(m.key, 0 if m.fn == "count" else None)
    rows.sort(key=lambda r: tuple(str(r.get(g.name)) for g in groups))
    return rows


def _out(m: Measure, v: Any) -> Any:
    if v is None:
        return None
    if m.fn == "count":
        return int(v)
    if m.as_type == "time" and m.fn in ("min", "max"):
        return iso_from_epoch(float(v))
    return float(v)


def _group_keys(groups: list[GroupKey], g: tuple[Any, ...], object_ids: dict[int, str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, v in zip(groups, g, strict=True):
        if key.kind == "object":
            out[key.name] = object_ids.get(v)
        elif key.kind == "bucket":
            out[key.name] = None if v is None else iso_from_epoch(float(v) * key.seconds)
        else:
            out[key.name] = bool(v) if key.as_type == "bool" and v is not None else v
    return out
