"""Experiment summaries read from the per-trace / per-case values the writes keep up to date
(``store/trace_rollup.py``) equal what the one-statement summary over every span's side
values returned before (``_reference_sql``, kept here as the reference), after every step
of random writes; and on PostgreSQL two transactions touching one trace or one case lose
nothing."""

# ruff: noqa: S608

from __future__ import annotations

import asyncio
import random
from typing import Any

import psycopg

from twinplane.server.data_plane.services.summary import summary_items
from twinplane.server.data_plane.store.base import ObjectRef, RowWrite
from twinplane.server.data_plane.store.postgres_apply import apply_group
from twinplane.server.data_plane.store.row_dialect import SUMMED_METRIC_SQL, RowDialect
from twinplane.server.data_plane.store.trace_summary import summary_stats

from .conftest import ORG, w

EXP, BASE = ObjectRef("experiment", "e1"), ObjectRef("experiment", "e0")
_EPS = "1e-12"


def _reference_sql(d: RowDialect, ok: int, base_ok: int | None) -> str:
    """The summary as one statement over the side tables' per-span values (before the rollup)."""
    oks = [ok] if base_ok is None else [ok, base_ok]
    within = "ok IN (" + ", ".join(d.param(o) for o in oks) + ")"
    roots = (f"SELECT ok, root_span_id, case_key, end_ts - start_ts AS dur FROM dp_rows "
             f"WHERE {within} AND is_root = {d.true}")
    per_trace = (
        f"SELECT 's' AS kind, ok, root_span_id, name, avg(value) AS v FROM dp_scores "
        f"WHERE {within} AND root_span_id IS NOT NULL GROUP BY ok, root_span_id, name "
        f"UNION ALL SELECT 'm', ok, root_span_id, name, sum(value) FROM dp_metrics WHERE {within} "
        f"AND root_span_id IS NOT NULL AND {SUMMED_METRIC_SQL} GROUP BY ok, root_span_id, name "
        "UNION ALL SELECT 'm', ok, root_span_id, 'duration', dur FROM roots WHERE dur IS NOT NULL")
    means = "SELECT kind, name, ok, avg(v) AS mean FROM per_trace GROUP BY kind, name, ok"
    if base_ok is None:
        return (f"WITH roots AS MATERIALIZED ({roots}), per_trace AS ({per_trace}) "
                f"SELECT kind, name, ok, mean, NULL, NULL FROM ({means}) m")
    a, b = d.param(ok), d.param(base_ok)
    cases = ("SELECT t.kind, t.name, t.ok, r.case_key, avg(t.v) AS v FROM per_trace t "
             "JOIN roots r ON r.ok = t.ok AND r.root_span_id = t.root_span_id WHERE r.case_key IS NOT NULL "
             "GROUP BY t.kind, t.name, t.ok, r.case_key")
    compared = (
        f"SELECT x.kind, x.name, sum(CASE WHEN x.v - y.v > {_EPS} THEN 1 ELSE 0 END) AS higher, "
        f"sum(CASE WHEN x.v - y.v < -{_EPS} THEN 1 ELSE 0 END) AS lower FROM cases x JOIN cases y "
        f"ON y.kind = x.kind AND y.name = x.name AND y.case_key = x.case_key AND y.ok = {b} "
        f"WHERE x.ok = {a} GROUP BY x.kind, x.name")
    return (f"WITH roots AS MATERIALIZED ({roots}), per_trace AS MATERIALIZED ({per_trace}), "
            f"cases AS MATERIALIZED ({cases}), compared AS ({compared}) "
            "SELECT m.kind, m.name, m.ok, m.mean, c.higher, c.lower FROM "
            f"({means}) m LEFT JOIN compared c ON c.kind = m.kind AND c.name = m.name")


def _rounded(summary: tuple[dict[str, Any], dict[str, Any]]) -> list[Any]:
    """Floats rounded: the rollup sums in another order."""
    return [{n: {k: round(v, 9) if isinstance(v, float) else v for k, v in item.items()} for n, item in part.items()}
            for part in summary]


async def _reference(store: Any, ref: ObjectRef, base: ObjectRef | None) -> list[Any]:
    ok = await store._ok(ORG, ref)
    if ok is None:
        return _rounded(summary_items([]))
    base_ok = await store._ok(ORG, base) if base is not None else None
    d = store.dialect_class(ok)
    return _rounded(summary_items(summary_stats(await store._query(_reference_sql(d, ok, base_ok), d.params), ok)))


async def _assert_same(store: Any) -> None:
    for ref, base in ((EXP, BASE), (BASE, EXP), (EXP, None), (EXP, EXP)):
        got = _rounded(summary_items(await store.summary_stats(ORG, ref, base)))
        assert got == await _reference(store, ref, base), (ref, base)


class _Writes:
    """Random writes over a few traces of two experiments whose roots share a few inputs."""

    def __init__(self, seed: int) -> None:
        self.rnd = random.Random(seed)
        self.rows: dict[tuple[str, str], dict[str, Any]] = {}  # (experiment, row id) -> last row written

    def _value(self) -> float:
        return self.rnd.choice([0.0, 0.25, 0.5, 1.0, self.rnd.random()])  # ties are common

    def _root(self, tid: str) -> dict[str, Any]:
        row: dict[str, Any] = {"root_span_id": tid, "span_id": f"{tid}-r", "span_parents": None}
        case = self.rnd.randrange(5)
        if case < 3:
            row["input"] = {"q": self.rnd.choice(["a", "b", "c"])}
        elif case == 3:
            row["origin"] = {"id": self.rnd.choice(["ds-1", "ds-2"])}
        start = float(self.rnd.randrange(100))
        row["metrics"] = {"start": start} | ({"end": start + self.rnd.choice([0.5, 1.0, 2.0])}
                                            if self.rnd.random() < 0.8 else {})
        if self.rnd.random() < 0.3:
            row["scores"] = {"acc": self._value()}
        return row

    def _child(self, tid: str, sid: str) -> dict[str, Any]:
        row: dict[str, Any] = {"root_span_id": tid, "span_id": sid, "span_parents": [f"{tid}-r"]}
        if self.rnd.random() < 0.6:
            row["scores"] = {n: self._value() for n in self.rnd.sample(["acc", "f1"], self.rnd.randint(1, 2))}
        if self.rnd.random() < 0.6:
            row["metrics"] = {"tokens": self.rnd.randrange(50), "prompt_tokens": self.rnd.randrange(30),
                              "cost": self.rnd.choice([0.1, 0.2, 0.3]), "other": 7}
        return row

    def step(self) -> list[RowWrite]:
        out: list[RowWrite] = []
        for _ in range(self.rnd.randint(1, 6)):
            exp = self.rnd.choice([EXP, BASE])
            tid = f"{exp.object_id}-t{self.rnd.randrange(6)}"
            op = self.rnd.random()
            mine = [k for k in self.rows if k[0] == exp.object_id]
            if op < 0.25:
                row = self._root(tid)
                rid = f"{tid}-r"
            elif op < 0.55:
                rid = f"{exp.object_id}-s{self.rnd.randrange(20)}"
                known = self.rows.get((exp.object_id, rid))
                # a child written again under another trace moves there
                row = self._child(tid if known is None or self.rnd.random() < 0.5 else known["root_span_id"], rid)
            elif op < 0.8 and mine:
                _, rid = self.rnd.choice(mine)
                patch: dict[str, Any] = {}
                if rid.endswith("-r") and self.rnd.random() < 0.5:
                    patch["input"] = {"q": self.rnd.choice(["a", "b", "c", "d"])}  # its case changes
                if rid.endswith("-r"):
                    patch["metrics"] = {"end": float(self.rnd.randrange(100, 110))}
                else:
                    patch["scores"] = {"acc": self._value()}
                    patch["metrics"] = {"tokens": self.rnd.randrange(50)}
                row = {**patch, "_is_merge": True}
            elif mine:
                _, rid = self.rnd.choice(mine)
                out.append(w(exp, rid, _object_delete=True))
                self.rows.pop((exp.object_id, rid), None)
                continue
            else:
                continue
            out.append(w(exp, rid, **row))
            if "_is_merge" not in row:
                self.rows[(exp.object_id, rid)] = row
        return out


async def test_the_rolled_up_summary_equals_the_summary_over_every_span(store) -> None:
    for seed in range(3):
        writes = _Writes(seed)
        for _ in range(25):
            # several calls at once: one write group on either engine
            await asyncio.gather(*(store.write_rows(writes.step()) for _ in range(writes.rnd.randint(1, 3))))
            await _assert_same(store)
        await store.purge_object(ORG, EXP)
        await _assert_same(store)
        await store.purge_object(ORG, BASE)
        assert await store.summary_stats(ORG, EXP, BASE) == []


async def _objkeys(url: str) -> dict[tuple[str, str, str], int]:
    async with await psycopg.AsyncConnection.connect(url) as conn:
        cur = await conn.execute("SELECT org_id, object_type, object_id, id FROM dp_objkeys")
        return {(o, t, i): int(k) for o, t, i, k in await cur.fetchall()}


async def _interleaved(url: str, first: list[RowWrite], second: list[RowWrite]) -> bool:
    """Apply ``first`` in an open transaction, start ``second`` in another, commit the first:
    whether the second had to wait for it."""
    objkeys = await _objkeys(url)
    async with (await psycopg.AsyncConnection.connect(url) as one,
                await psycopg.AsyncConnection.connect(url) as two):
        assert not isinstance((await apply_group(one, [first], objkeys))[0], Exception)

        async def apply_second() -> None:
            assert not isinstance((await apply_group(two, [second], objkeys))[0], Exception)
            await two.commit()

        task = asyncio.create_task(apply_second())
        await asyncio.sleep(0.5)
        waited = not task.done()
        await one.commit()
        await task
        return waited


async def test_two_postgres_transactions_touching_one_trace_or_one_case_lose_nothing(postgres_url) -> None:
    from twinplane.server.data_plane.store.postgres import PostgresStore

    store = PostgresStore(postgres_url, min_size=1, max_size=2)
    await store.start()
    try:
        def child(tid: str, sid: str, acc: float) -> RowWrite:
            return w(EXP, sid, root_span_id=tid, span_id=sid, span_parents=[f"{tid}-r"], scores={"acc": acc})

        await store.write_rows([w(EXP, f"{t}-r", root_span_id=t, span_id=f"{t}-r", input="same case")
                                for t in ("t1", "t2")] + [child("t1", "a", 1.0), child("t2", "b", 1.0)])
        await store.write_rows([w(BASE, "u-r", root_span_id="u", span_id="u-r", input="same case"),
                                w(BASE, "c", root_span_id="u", span_id="c", span_parents=["u-r"],
                                  scores={"acc": 0.4})])
        # the same trace: the second waits for the first's lock on the experiment, then sees its span
        assert await _interleaved(postgres_url, [child("t1", "x", 0.0)], [child("t1", "y", 0.5)])
        # two traces of one case: the second waits too, then adds to the case the first changed
        assert await _interleaved(postgres_url, [child("t1", "z", 0.0)], [child("t2", "v", 0.0)])
        await _assert_same(store)
        got = summary_items(await store.summary_stats(ORG, EXP, BASE))[0]["acc"]
        # t1: mean of 1, 0, 0.5, 0 = 0.375; t2: mean of 1, 0 = 0.5; the case: 0.4375 > 0.4
        assert got["score"] == 0.4375 and got["improvements"] == 1
    finally:
        await store.close()
