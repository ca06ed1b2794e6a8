"""The SQL of ``Store.aggregate``, shared by both engines (they differ only in how they
floor a time bucket and compute percentiles; see ``RowDialect``).

One grouped query per distinct measured field over the side table (or over the rows for
a plain count), joined to the current rows only when a filter or a time bucket needs them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from twinplane.server.data_plane.store.aggregate_spec import PERCENTILES, Grouping, Measure, percentile
from twinplane.server.data_plane.store.row_dialect import RowDialect
from twinplane.server.data_plane.store.row_shape import iso_from_epoch

Execute = Callable[[str, dict[str, Any]], Awaitable[list[tuple[Any, ...]]]]
MakeDialect = Callable[[], RowDialect]


async def run_aggregate(grouping: Grouping, measures: list[Measure], oks: list[int], object_ids: dict[int, str],
                  make_dialect: MakeDialect, execute: Execute, filter_sql: Callable[[RowDialect], str] | None,
                  sql_percentiles: bool) -> list[dict[str, Any]]:
    fields: dict[tuple[str | None, str | None], list[Measure]] = {}
    for m in measures:
        fields.setdefault((m.kind, m.name), []).append(m)
    groups: dict[tuple[Any, ...], dict[str, Any]] = {}
    for (kind, name), ms in fields.items():
        d = make_dialect()
        gcols: list[str] = []
        okcol = "r.ok" if kind is None else "s.ok"
        if grouping.by_object:
            gcols.append(okcol)
        if grouping.bucket_seconds:
            gcols.append(d.bucket("r.created", grouping.bucket_seconds))
        conds = [f"{okcol} IN ({', '.join(d.param(ok) for ok in oks)})"]
        if kind is None:
            x = "1"
            src = "dp_rows r"
            needs_rows = True
        else:
            x = "s.value"
            src = f"{'dp_scores' if kind == 'scores' else 'dp_metrics'} s"
            conds.append(f"s.name = {d.param(name)}")
            needs_rows = bool(grouping.bucket_seconds) or filter_sql is not None
            if needs_rows:
                src += " JOIN dp_rows r ON r.seq = s.row_seq"
        if filter_sql is not None:
            src += " JOIN dp_versions v ON v.seq = r.version_seq"
            conds.append(filter_sql(d))
        gsel = "".join(f"{g} AS g{i}, " for i, g in enumerate(gcols))
        gby = f" GROUP BY {', '.join(f'g{i}' for i in range(len(gcols)))}" if gcols else ""
        pcts = [m for m in ms if m.fn in PERCENTILES]
        extra = ""
        if pcts and sql_percentiles:
            extra = "".join(f", {d.percentile(x, PERCENTILES[m.fn])}" for m in pcts)
        sql = (f"SELECT {gsel}count(*), avg({x}), min({x}), max({x}), sum({x}){extra} "
               f"FROM {src} WHERE {' AND '.join(conds)}{gby}")
        per_group_pct: dict[tuple[Any, ...], dict[str, float | None]] = {}
        if pcts and not sql_percentiles:
            vsql = (f"SELECT {gsel}{x} FROM {src} WHERE {' AND '.join(conds)} "
                    f"ORDER BY {', '.join([f'g{i}' for i in range(len(gcols))] + [x])}")
            values: dict[tuple[Any, ...], list[float]] = {}
            for row in await execute(vsql, d.params):
                values.setdefault(tuple(row[:len(gcols)]), []).append(row[len(gcols)])
            per_group_pct = {g: {m.key: percentile(v, PERCENTILES[m.fn]) for m in pcts} for g, v in values.items()}
        for row in await execute(sql, d.params):
            g = tuple(row[:len(gcols)])
            out = groups.get(g)
            if out is None:
                out = groups[g] = _group_keys(grouping, g, object_ids)
            count, avg, mn, mx, total = row[len(gcols):len(gcols) + 5]
            tail = row[len(gcols) + 5:]
            pi = 0
            for m in ms:
                if m.fn == "count":
                    out[m.key] = int(count)
                elif m.fn == "mean":
                    out[m.key] = None if avg is None else float(avg)
                elif m.fn == "min":
                    out[m.key] = mn
                elif m.fn == "max":
                    out[m.key] = mx
                elif m.fn == "sum":
                    out[m.key] = total
                elif sql_percentiles:
                    out[m.key] = None if tail[pi] is None else float(tail[pi])
                    pi += 1
                else:
                    out[m.key] = per_group_pct.get(g, {}).get(m.key)
    rows = list(groups.values())
    for r in rows:
        for m in measures:
            r.setdefault(m.key, 0 if m.fn == "count" else None)
    rows.sort(key=lambda r: (r.get("object_id") or "", r.get("created") or ""))
    return rows


def _group_keys(grouping: Grouping, g: tuple[Any, ...], object_ids: dict[int, str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    i = 0
    if grouping.by_object:
        out["object_id"] = object_ids.get(g[i])
        i += 1
    if grouping.bucket_seconds:
        out["created"] = iso_from_epoch(float(g[i]) * grouping.bucket_seconds)
    return out
