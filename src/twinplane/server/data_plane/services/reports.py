"""Experiment summary (``/summarize``), side-by-side comparison (``/compare``), dataset summary."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from twinplane.server.common.errors import NotFound
from twinplane.server.data_plane.auth.principal import Principal
from twinplane.server.data_plane.services.objects import ObjectResolver
from twinplane.server.data_plane.services.summary import aggregate, summary_items
from twinplane.server.data_plane.store.base import ObjectMeta, ObjectRef, RowQuery, Store

MAX_COMPARE_ROOTS = 5000


class Reports:
    def __init__(self, store: Store, objects: ObjectResolver, app_url: str) -> None:
        self._store = store
        self._objects = objects
        self._app_url = app_url.rstrip("/")

    async def _base_experiment(self, principal: Principal, exp: ObjectMeta, requested: str | None) -> ObjectMeta | None:
        if requested:
            return await self._objects.meta(principal, "experiment", requested)
        stored = exp.data.get("base_exp_id")
        if isinstance(stored, str) and stored:
            try:
                return await self._objects.meta(principal, "experiment", stored)
            except NotFound:
                pass
        # Fall back to the most recent experiment of the project created before this one.
        for m in await self._store.list_objects(principal.org_id, "experiment", project_id=exp.project_id, limit=200):
            if m.id != exp.id and not m.deleted and m.created <= exp.created:
                return m
        return None

    async def experiment_summary(self, principal: Principal, experiment_id: str, *, summarize_scores: bool,
                                 comparison_experiment_id: str | None) -> dict[str, Any]:
        exp = await self._objects.meta(principal, "experiment", experiment_id)
        project = await self._objects.meta(principal, "project", exp.project_id)
        project_url = f"{self._app_url}/app/{quote(principal.org_name, safe='')}/p/{quote(project.name, safe='')}"
        out: dict[str, Any] = {
            "project_name": project.name, "experiment_name": exp.name,
            "project_url": project_url,
            "experiment_url": f"{project_url}/experiments/{quote(exp.name, safe='')}",
            "comparison_experiment_name": None, "scores": None, "metrics": None,
        }
        if not summarize_scores:
            return out
        base = await self._base_experiment(principal, exp, comparison_experiment_id)
        if base is not None:
            out["comparison_experiment_name"] = base.name
        stats = await self._store.summary_stats(principal.org_id, ObjectRef("experiment", exp.id),
                                                ObjectRef("experiment", base.id) if base is not None else None)
        out["scores"], out["metrics"] = summary_items(stats)
        return out

    async def dataset_summary(self, principal: Principal, dataset_id: str, *, summarize_data: bool) -> dict[str, Any]:
        ds = await self._objects.meta(principal, "dataset", dataset_id)
        project = await self._objects.meta(principal, "project", ds.project_id)
        project_url = f"{self._app_url}/app/{quote(principal.org_name, safe='')}/p/{quote(project.name, safe='')}"
        out: dict[str, Any] = {
            "project_name": project.name, "dataset_name": ds.name, "project_url": project_url,
            "dataset_url": f"{project_url}/datasets/{quote(ds.name, safe='')}", "data_summary": None,
        }
        if summarize_data:
            # Exactly this key: the SDK adds new_records itself and refuses any other.
            out["data_summary"] = {"total_records": int(await self._store.count_rows(principal.org_id,
                                                                                    ObjectRef("dataset", ds.id)))}
        return out

    async def _roots(self, org_id: str, experiment_id: str) -> dict[str, dict[str, Any]]:
        rows: dict[str, dict[str, Any]] = {}
        cursor = None
        while len(rows) < MAX_COMPARE_ROOTS:
            page = await self._store.fetch_rows(RowQuery(org_id=org_id, ref=ObjectRef("experiment", experiment_id),
                                                         limit=1000, cursor=cursor, roots_only=True))
            for r in page.rows:
                rows[str(r.get("id"))] = r
            cursor = page.cursor
            if not cursor:
                break
        return rows

    async def compare(self, principal: Principal, experiment_id: str, others: list[str]) -> dict[str, Any]:
        """Cases matched by root input across experiments, with per-case score deltas against the first other."""
        exp = await self._objects.meta(principal, "experiment", experiment_id)
        metas = [exp] + [await self._objects.meta(principal, "experiment", o) for o in others if o != exp.id]
        cases: dict[str, dict[str, Any]] = {}
        score_names: set[str] = set()
        per_exp_cases: dict[str, dict[str, dict[str, float]]] = {}
        for m in metas:
            traces = await self._store.trace_scores(principal.org_id, ObjectRef("experiment", m.id))
            roots = await self._roots(principal.org_id, m.id)
            agg = aggregate(traces)
            per_exp_cases[m.id] = agg.cases_scores
            score_names.update(agg.scores)
            for t in traces:
                key = t.case_key or ("trace:" + t.root_span_id)
                root = roots.get(t.root_row_id or "") or {}
                case = cases.setdefault(key, {"key": key, "input": root.get("input"), "rows": {}, "diffs": {}})
                if case["input"] is None and root:
                    case["input"] = root.get("input")
                case["rows"].setdefault(m.id, {
                    "id": t.root_row_id, "root_span_id": t.root_span_id, "output": root.get("output"),
                    "expected": root.get("expected"), "scores": t.scores, "metrics": t.metrics,
                })
        if len(metas) > 1:
            mine, theirs = per_exp_cases[exp.id], per_exp_cases[metas[1].id]
            for key, case in cases.items():
                a, b = mine.get(key, {}), theirs.get(key, {})
                case["diffs"] = {n: a[n] - b[n] for n in a if n in b}
        return {"cases": list(cases.values()), "scores": sorted(score_names)}
