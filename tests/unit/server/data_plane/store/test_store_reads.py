"""Traces, trace scores, cursors, sorting, object records, aggregates and purge."""

from __future__ import annotations

import asyncio

import pytest
from bench.summary_naive import summarize

from twinplane.server.common.errors import BadRequest
from twinplane.server.data_plane.query.ast import Compare, Field, Value
from twinplane.server.data_plane.services.summary import summary_items
from twinplane.server.data_plane.store.base import ObjectMeta, ObjectRef, RowQuery
from twinplane.server.data_plane.store.row_shape import case_key_of

from .conftest import ORG, PROJECT, all_rows, w

EXP = ObjectRef("experiment", "exp-1")
LOGS = ObjectRef("project_logs", PROJECT)


def span(row_id: str, root: str, parent: str | None, start: float, **kw) -> dict:
    return {"root_span_id": root, "span_id": row_id, "span_parents": [parent] if parent else None,
            "metrics": {"start": start, **kw.pop("metrics", {})}, **kw}


async def test_trace_is_ordered_by_start_and_pages(store) -> None:
    rows = [w(EXP, "root", **span("root", "T", None, 100.0, input="q"))]
    rows += [w(EXP, f"s{i}", **span(f"s{i}", "T", "root", 100.0 + (7 * i % 13))) for i in range(12)]
    rows.append(w(EXP, "other", **span("other", "U", None, 50.0)))
    await store.write_rows(rows)
    got, cursor = [], None
    while True:
        page = await store.trace(ORG, EXP, "T", limit=5, cursor=cursor)
        got += page.rows
        cursor = page.cursor
        if not cursor:
            break
    assert len(got) == 13 and {r["root_span_id"] for r in got} == {"T"}
    starts = [(r["metrics"]["start"], r["id"]) for r in got]
    assert starts == sorted(starts)
    with pytest.raises(BadRequest):
        await store.trace(ORG, EXP, "T", cursor="not-a-cursor")


async def test_trace_scores_gather_child_scores_and_average(store) -> None:
    await store.write_rows([
        w(EXP, "r1", **span("r1", "T1", None, 10.0, input={"b": 1, "a": [1, 2]}, origin={"id": "ds-row-7"},
                            metrics={"end": 12.5})),
        w(EXP, "llm1", **span("llm1", "T1", "r1", 10.5, metrics={"end": 11, "prompt_tokens": 10,
                                                                  "completion_tokens": 5, "tokens": 15})),
        w(EXP, "llm2", **span("llm2", "T1", "r1", 11.0, metrics={"prompt_tokens": 20, "completion_tokens": 1,
                                                                  "tokens": 21})),
        w(EXP, "sc1", **span("sc1", "T1", "r1", 12.0, scores={"acc": 1.0, "f1": 0.5})),
        w(EXP, "sc2", **span("sc2", "T1", "r1", 12.1, scores={"acc": 0.0})),
        w(EXP, "r2", **span("r2", "T2", None, 20.0, input="plain")),
        w(EXP, "sc3", **span("sc3", "T2", "r2", 20.5, scores={"acc": 0.25, "none": None})),
    ])
    # a later merge updates a child's score
    await store.write_rows([w(EXP, "sc2", _is_merge=True, scores={"acc": 0.5})])
    ts = {t.root_span_id: t for t in await store.trace_scores(ORG, EXP)}
    t1, t2 = ts["T1"], ts["T2"]
    assert t1.root_row_id == "r1"
    assert t1.case_key == case_key_of({"input": {"a": [1, 2], "b": 1}}) == case_key_of({"input": {"b": 1, "a": [1, 2]}})
    assert t1.scores == {"acc": pytest.approx(0.75), "f1": 0.5}
    assert t1.metrics["duration"] == pytest.approx(2.5)
    assert t1.metrics["prompt_tokens"] == 30 and t1.metrics["completion_tokens"] == 6 and t1.metrics["tokens"] == 36
    assert t2.scores == {"acc": 0.25} and t2.case_key == case_key_of({"input": "plain"}) != t1.case_key
    assert "duration" not in t2.metrics
    assert await store.trace_scores("org-2", EXP) == []


BASE = ObjectRef("experiment", "exp-0")


def _r(summary: tuple) -> list:
    """Floats rounded, so two ways of summing compare equal."""
    return [{n: {k: round(v, 9) if isinstance(v, float) else v for k, v in item.items()} for n, item in part.items()}
            for part in summary]


def _trace(ref: ObjectRef, tid: str, root: dict, children: list[dict]) -> list:
    rows = [w(ref, f"{tid}-r", **span(f"{tid}-r", tid, None, 10.0, **root))]
    rows += [w(ref, f"{tid}-c{i}", **span(f"{tid}-c{i}", tid, f"{tid}-r", 11.0 + i, **kw))
             for i, kw in enumerate(children)]
    return rows


async def test_summary_stats_in_sql_match_the_reference_maths(store) -> None:
    """The store's one-statement summary equals ``summarize`` over the per-trace facts."""
    base = (_trace(BASE, "b1", {"input": {"q": 1, "lang": "en"}, "metrics": {"end": 12}},
                   [{"scores": {"acc": 0.5}}, {"metrics": {"prompt_tokens": 10, "tokens": 12, "X_TOKENS": 3}}])
            + _trace(BASE, "b2", {"input": "two", "metrics": {"end": 11}}, [{"scores": {"acc": 1.0, "old": 1}}])
            + _trace(BASE, "b3", {"origin": {"id": "ds-9"}}, [{"scores": {"acc": 0.2}}])
            + _trace(BASE, "b4", {"input": "only in base"}, [{"scores": {"acc": 0.0}}]))
    mine = (_trace(EXP, "m1", {"input": {"lang": "en", "q": 1}, "metrics": {"end": 11}},  # same case, keys reordered
                   [{"scores": {"acc": 1.0}}, {"scores": {"acc": 0.0}},
                    {"metrics": {"prompt_tokens": 4, "tokens": 5}}, {"metrics": {"tokens": 1, "cost": 0.5}}])
            + _trace(EXP, "m2", {"input": "two", "metrics": {"end": 14}}, [{"scores": {"acc": 0.25}}])
            + _trace(EXP, "m2b", {"input": "two", "metrics": {"end": 10.5}}, [{"scores": {"acc": 0.75}}])
            + _trace(EXP, "m3", {"origin": {"id": "ds-9"}}, [{"scores": {"acc": 0.2}}])  # tie
            + _trace(EXP, "m5", {"input": "new"}, [{"scores": {"acc": 0.9, "f1": 0.1}}]))
    await store.write_rows(base)
    await store.write_rows(mine)
    # a merge moves m5 onto b4's case; a deleted scorer span drops out
    await store.write_rows([w(EXP, "m5-r", _is_merge=True, input="only in base"),
                            w(EXP, "m1-c1", _object_delete=True)])
    want = summarize(await store.trace_scores(ORG, EXP), await store.trace_scores(ORG, BASE))
    got = summary_items(await store.summary_stats(ORG, EXP, BASE))
    assert _r(got) == _r(want)
    assert got[0]["acc"]["improvements"] == 2 and got[0]["acc"]["regressions"] == 1  # m1, m5 up; m2 down
    assert "old" not in got[0] and "X_TOKENS" not in got[1] and got[1]["tokens"]["metric"] == 6
    assert got[1]["duration"]["improvements"] == 1 and got[1]["duration"]["regressions"] == 1
    alone = summary_items(await store.summary_stats(ORG, EXP, None))
    assert _r(alone) == _r(summarize(await store.trace_scores(ORG, EXP), None))
    assert all("diff" not in item for part in alone for item in part.values())
    empty_base = summary_items(await store.summary_stats(ORG, EXP, ObjectRef("experiment", "nothing")))
    assert empty_base == alone
    assert await store.summary_stats("org-2", EXP, BASE) == []


async def test_cursor_pagination_is_stable_under_concurrent_inserts(store) -> None:
    await store.write_rows([w(EXP, f"a{i:03d}", created=f"2026-01-01T00:{i // 60:02d}:{i % 60:02d}+00:00")
                            for i in range(120)])
    seen: list[str] = []
    cursor = None
    n = 0
    while True:
        page = await store.fetch_rows(RowQuery(ORG, EXP, limit=10, cursor=cursor))
        seen += [r["id"] for r in page.rows]
        # inserts newer and older than the page being read, and a merge of a seen row
        await store.write_rows([w(EXP, f"new{n}", created="2026-02-01T00:00:00+00:00"),
                                w(EXP, f"old{n}", created="2025-01-01T00:00:00+00:00"),
                                w(EXP, page.rows[0]["id"], _is_merge=True, output=n)])
        n += 1
        cursor = page.cursor
        if not cursor:
            break
    originals = [s for s in seen if s.startswith("a")]
    assert originals == [f"a{i:03d}" for i in range(119, -1, -1)]
    assert len(seen) == len(set(seen))


@pytest.mark.parametrize("ref", [EXP, LOGS], ids=["experiment", "logs"])
async def test_a_trace_list_sorts_by_the_traces_scores_and_tokens(store, ref) -> None:
    """An experiment reads each trace's values from its roll-up, other objects from the spans:
    the same answers (a trace's mean score over the spans carrying it, its summed tokens)."""
    rows = []
    for i, vals in enumerate([(0.2, 0.4), (0.9, None), (None, None), (0.5, 0.6)]):
        root = f"r{i}"
        rows.append(w(ref, root, **span(root, f"T{i}", None, 100.0 - i, metrics={"tokens": 10 * i})))
        for j, val in enumerate(vals):
            if val is not None:
                rows.append(w(ref, f"s{i}{j}", **span(f"s{i}{j}", f"T{i}", root, 100.0, scores={"acc": val},
                                                      metrics={"tokens": 1})))
    await store.write_rows(rows)
    page = await store.fetch_rows(RowQuery(ORG, ref, roots_only=True, sort=[("scores.acc", "desc")]))
    assert [r["id"] for r in page.rows] == ["r1", "r3", "r0", "r2"]  # means 0.9, 0.55, 0.3, none
    by_tokens = await store.fetch_rows(RowQuery(ORG, ref, roots_only=True, sort=[("metrics.tokens", "desc")]))
    assert [r["id"] for r in by_tokens.rows] == ["r3", "r2", "r1", "r0"]  # 32, 20, 11, 2
    above = await store.fetch_rows(RowQuery(ORG, ref, roots_only=True,
                                            filter=Compare(">", Field(("scores", "acc")), Value(0.5))))
    assert {r["id"] for r in above.rows} == {"r1", "r3"}


async def test_sort_by_score_roots_only_and_start(store) -> None:
    rows = []
    for i, val in enumerate([0.2, 0.9, None, 0.5]):
        root = f"r{i}"
        rows.append(w(EXP, root, **span(root, f"T{i}", None, 100.0 - i)))
        if val is not None:
            rows.append(w(EXP, f"s{i}", **span(f"s{i}", f"T{i}", root, 100.0, scores={"acc": val})))
    await store.write_rows(rows)
    page = await store.fetch_rows(RowQuery(ORG, EXP, roots_only=True, sort=[("scores.acc", "desc")]))
    assert [r["id"] for r in page.rows] == ["r1", "r3", "r0", "r2"]
    assert [r["span_count"] for r in page.rows] == [2, 2, 2, 1]
    asc = await all_rows(store, EXP, roots_only=True, sort=[("scores.acc", "asc")], limit=1)
    assert [r["id"] for r in asc] == ["r0", "r3", "r1", "r2"]
    by_start = await all_rows(store, EXP, roots_only=True, sort=[("start", "asc")], limit=3)
    assert [r["id"] for r in by_start] == ["r3", "r2", "r1", "r0"]
    spans = await all_rows(store, EXP, sort=[("scores.acc", "desc")], limit=2)
    assert [r["id"] for r in spans][:3] == ["s1", "s3", "s0"]
    with pytest.raises(BadRequest):
        await store.fetch_rows(RowQuery(ORG, EXP, sort=[("tags", "desc")]))
    with pytest.raises(BadRequest):
        await store.fetch_rows(RowQuery(ORG, EXP, limit=0))
    with pytest.raises(BadRequest):  # a cursor made for another sort
        await store.fetch_rows(RowQuery(ORG, EXP, cursor=(await store.fetch_rows(
            RowQuery(ORG, EXP, limit=1, sort=[("start", "asc")]))).cursor))


def _acc(row: dict) -> float | None:
    return (row.get("scores") or {}).get("acc")


@pytest.mark.parametrize("ref", [EXP, LOGS], ids=["experiment", "logs"])
@pytest.mark.parametrize("direction", ["desc", "asc"])
async def test_a_sort_by_a_score_pages_through_ties_then_the_rows_without_it(store, ref, direction) -> None:
    """Read from the values' side: ties (scores take few values) in ingest order, rows without
    the score last in either direction, no row twice or missed while rows are inserted."""
    calls = [[w(ref, f"c{c}r{i}", scores={"acc": [0.0, 0.5, 1.0][(c + i) % 3]} if i % 4 else None,
                metadata={"odd": i % 2}) for i in range(11)] for c in range(5)]
    for rows in calls:
        await store.write_rows(rows)
    written = {r.row_id: n for n, r in enumerate(x for rows in calls for x in rows)}
    seen, cursor, n = [], None, 0
    while True:
        page = await store.fetch_rows(RowQuery(ORG, ref, sort=[("scores.acc", direction)], limit=4, cursor=cursor))
        seen += page.rows
        # new rows with the highest, the lowest and no value while the client pages
        await store.write_rows([w(ref, f"new{n}a", scores={"acc": 2.0}), w(ref, f"new{n}b", scores={"acc": -1.0}),
                                w(ref, f"new{n}c")])
        n += 1
        cursor = page.cursor
        if not cursor:
            break
    ids = [r["id"] for r in seen]
    assert len(ids) == len(set(ids))
    old = [r for r in seen if r["id"] in written]
    assert len(old) == 55
    valued = [r for r in old if _acc(r) is not None]
    assert [r["id"] for r in old[:len(valued)]] == [r["id"] for r in valued]  # no value: last
    sign = -1 if direction == "desc" else 1
    want = sorted(valued, key=lambda r: (sign * _acc(r), sign * written[r["id"]]))
    assert [r["id"] for r in valued] == [r["id"] for r in want]  # by value, ties in ingest order
    tail = [written[r["id"]] for r in old[len(valued):]]
    assert len(tail) == 15 and (tail == sorted(tail) or tail == sorted(tail, reverse=True))
    # a filter applies to both parts
    odd = await all_rows(store, ref, sort=[("scores.acc", direction)], limit=3,
                         filter=Compare("=", Field(("metadata", "odd")), Value(1)))
    assert {r["id"] for r in odd} == {i for i in written if int(i.split("r")[-1]) % 2}
    with pytest.raises(BadRequest):  # another sort's cursor
        await store.fetch_rows(RowQuery(ORG, ref, sort=[("scores.other", direction)], cursor=page_cursor_of(
            await store.fetch_rows(RowQuery(ORG, ref, sort=[("scores.acc", direction)], limit=2)))))


def page_cursor_of(page) -> str:
    assert page.cursor
    return page.cursor


async def test_a_forged_value_cursor_is_refused(store) -> None:
    from twinplane.server.data_plane.store.cursor import encode_cursor

    await store.write_rows([w(EXP, f"r{i}", scores={"acc": i / 10}) for i in range(5)])
    for values in (["x", 1, ""], [0.5, "1", ""], [0.5, 1, 2], [1e300, "a", "b"]):
        with pytest.raises(BadRequest):
            await store.fetch_rows(RowQuery(ORG, EXP, sort=[("scores.acc", "desc")],
                                            cursor=encode_cursor("value:scores.acc:desc", values)))


@pytest.mark.parametrize("ref", [EXP, LOGS], ids=["experiment", "logs"])
async def test_a_trace_list_by_score_pages_one_trace_at_a_time(store, ref) -> None:
    rows = []
    means = {}
    for i in range(9):
        root = f"r{i}"
        rows.append(w(ref, root, **span(root, f"T{i}", None, 100.0 + i, metrics={"tokens": i})))
        vals = [] if i % 3 == 0 else [i / 10, (i % 2) / 2]
        for j, val in enumerate(vals):
            rows.append(w(ref, f"s{i}{j}", **span(f"s{i}{j}", f"T{i}", root, 100.0, scores={"acc": val})))
        means[root] = sum(vals) / len(vals) if vals else None
    await store.write_rows(rows)
    got = await all_rows(store, ref, roots_only=True, sort=[("scores.acc", "desc")], limit=1)
    valued = sorted((r for r in means if means[r] is not None), key=lambda r: -means[r])
    assert [r["id"] for r in got][:len(valued)] == valued
    assert sorted(r["id"] for r in got[len(valued):]) == ["r0", "r3", "r6"]
    assert [r["span_count"] for r in got][:2] == [3, 3]
    tokens = await all_rows(store, ref, roots_only=True, sort=[("metrics.tokens", "asc")], limit=2)
    assert [r["id"] for r in tokens] == [f"r{i}" for i in range(9)]


async def test_objects_put_get_list(store) -> None:
    a = ObjectMeta("e-a", ORG, PROJECT, "experiment", "first", "2026-01-01T00:00:00+00:00", {"description": "d"})
    b = ObjectMeta("e-b", ORG, PROJECT, "experiment", "second", "2026-01-02T00:00:00+00:00", {"base_exp_id": "e-a"})
    other = ObjectMeta("e-c", "org-2", PROJECT, "experiment", "theirs", "2026-01-03T00:00:00+00:00")
    for m in (a, b, other):
        await store.put_object(m)
    assert (await store.get_object(ORG, "e-a")).data == {"description": "d"}
    assert await store.get_object(ORG, "e-c") is None
    assert [m.id for m in await store.list_objects(ORG, "experiment")] == ["e-b", "e-a"]
    assert [m.id for m in await store.list_objects(ORG, "experiment", name="first")] == ["e-a"]
    assert await store.list_objects(ORG, "dataset") == []
    b.data = {"description": "changed"}
    b.deleted = True
    await store.put_object(b)
    assert (await store.get_object(ORG, "e-b")).deleted is True
    assert [m.id for m in await store.list_objects(ORG, "experiment", project_id=PROJECT)] == ["e-a"]
    # another org cannot overwrite a record by reusing its id
    await store.put_object(ObjectMeta("e-a", "org-2", PROJECT, "experiment", "stolen", a.created))
    assert (await store.get_object(ORG, "e-a")).name == "first"


def agg(group_by: list, measures: list) -> tuple[list, list]:
    """group_by and measures as the route hands them to the store: parsed by the one aggregate spec."""
    from twinplane.server.data_plane.query.aggregate import parse_aggregate

    spec = parse_aggregate({"object_type": "experiment", "object_id": "x", "group_by": group_by, "measures": measures})
    return list(spec.group_by), list(spec.measures)


async def test_aggregate_by_object_and_time_bucket(store) -> None:
    e2 = ObjectRef("experiment", "exp-2")
    await store.write_rows([w(EXP, f"a{i}", created=f"2026-01-01T0{i % 2}:30:00+00:00", scores={"acc": v},
                              metrics={"tokens": 10 * i}) for i, v in enumerate([0.0, 0.5, 1.0, 1.0, 0.25])])
    await store.write_rows([w(e2, "b", created="2026-01-01T00:10:00+00:00", scores={"acc": 0.5}), w(e2, "c")])
    measures = [{"fn": "count"}, {"fn": "mean", "field": "scores.acc"}, {"fn": "min", "field": "scores.acc"},
                {"fn": "max", "field": "scores.acc"}, {"fn": "p50", "field": "scores.acc"},
                {"fn": "p95", "field": "scores.acc"}, {"fn": "sum", "field": "metrics.tokens", "alias": "tok"}]
    res = await store.aggregate(ORG, [EXP, e2], *agg(["object_id"], measures))
    by = {r["object_id"]: r for r in res}
    a = by["exp-1"]
    assert a["count"] == 5 and a["mean(scores.acc)"] == pytest.approx(0.55)
    assert a["min(scores.acc)"] == 0.0 and a["max(scores.acc)"] == 1.0
    assert a["p50(scores.acc)"] == pytest.approx(0.5) and a["p95(scores.acc)"] == pytest.approx(1.0)
    assert a["tok"] == 100
    assert by["exp-2"]["count"] == 2 and by["exp-2"]["mean(scores.acc)"] == 0.5 and by["exp-2"]["tok"] is None
    buckets = await store.aggregate(ORG, [EXP], *agg([{"bucket": "created", "interval": "1h"}],
                                                     [{"fn": "count"}, {"fn": "p50", "field": "scores.acc"}]))
    assert [(b["created_bucket"][:13], b["count"]) for b in buckets] == [("2026-01-01T00", 3), ("2026-01-01T01", 2)]
    assert buckets[0]["p50(scores.acc)"] == pytest.approx(0.25)
    assert await store.aggregate("org-2", [EXP], *agg(["object_id"], [{"fn": "count"}])) == []
    with pytest.raises(BadRequest):  # one spec: only what query.aggregate.parse_aggregate built
        await store.aggregate(ORG, [EXP], [], [{"fn": "count"}])


async def test_count_of_a_field_counts_rows_that_have_it(store) -> None:
    await store.write_rows([w(EXP, "e1", error="boom"), w(EXP, "e2", error={"message": "timeout"}),
                            w(EXP, "ok1"), w(EXP, "ok2", error=None), w(EXP, "m", metadata={"model": "x"})])
    res = await store.aggregate(ORG, [EXP], *agg(["object_id"], [{"fn": "count"}, {"fn": "count", "field": "error"},
                                                                  {"fn": "count", "field": "metadata.model"}]))
    assert res[0]["count"] == 5 and res[0]["count(error)"] == 2 and res[0]["count(metadata.model)"] == 1


async def test_purge_removes_rows_versions_and_search_entries(store) -> None:
    other = ObjectRef("experiment", "exp-keep")
    await store.write_rows([w(EXP, f"r{i}", input=f"zebra {i}", scores={"a": 1}) for i in range(5)])
    await store.write_rows([w(EXP, "r0", _is_merge=True, output="more zebra"), w(other, "k", input="zebra")])
    await store.write_rows([w(EXP, "r1", _object_delete=True)])
    await store.wait_indexed()
    assert await store.purge_object(ORG, EXP) == 4
    assert await store.count_rows(ORG, EXP) == 0
    assert await all_rows(store, EXP) == []
    assert await store.row_versions(ORG, EXP, "r0") == []
    assert await store.object_versions(ORG, EXP) == []
    assert await store.trace_scores(ORG, EXP) == []
    assert (await store.fetch_rows(RowQuery(ORG, EXP, search="zebra"))).rows == []
    await store.write_rows([w(EXP, "again", input="zebra again")])
    await store.wait_indexed()
    assert [r["id"] for r in (await store.fetch_rows(RowQuery(ORG, EXP, search="zebra"))).rows] == ["again"]
    assert [r["id"] for r in (await store.fetch_rows(RowQuery(ORG, other, search="zebra"))).rows] == ["k"]
    assert await store.purge_object(ORG, ObjectRef("experiment", "never")) == 0


async def test_reads_run_while_writes_queue(store) -> None:
    await store.write_rows([w(EXP, f"x{i}", input=i) for i in range(50)])

    async def reader() -> int:
        return len(await all_rows(store, EXP, limit=20))

    counts = await asyncio.gather(*(reader() for _ in range(5)),
                                  *(store.write_rows([w(EXP, f"y{i}", input=i)]) for i in range(20)))
    assert all(50 <= c <= 70 for c in counts[:5])
    await store.ping()


async def test_a_row_whose_score_goes_between_a_pages_two_statements_shows_once(store, monkeypatch) -> None:
    """A page that ends the rows with the value reads the rows without it in a second statement:
    a row that lost its score in between is in both answers, and is returned once."""
    await store.write_rows([w(EXP, "a", scores={"acc": 0.9}), w(EXP, "b", scores={"acc": 0.5}), w(EXP, "c")])
    query = type(store)._query

    async def between(self, sql, params=()):  # the score of "b" goes before the second statement
        if "IS NULL" in sql:
            await self.write_rows([w(EXP, "b", scores={"acc": None})])
        return await query(self, sql, params)

    monkeypatch.setattr(type(store), "_query", between)
    page = await store.fetch_rows(RowQuery(ORG, EXP, sort=[("scores.acc", "desc")], limit=10))
    assert [r["id"] for r in page.rows] == ["a", "b", "c"]


@pytest.mark.parametrize("direction", ["asc", "desc"])
async def test_any_field_sorts_with_mixed_types_grouped_and_missing_last(store, direction) -> None:
    """A JSON field may hold numbers in one row and strings in another: numbers and booleans
    first, then strings, then objects and arrays, then rows without it; the direction orders the
    values within each type; pages keep that order."""
    values = {"n1": 3, "n2": -1.5, "n3": 10, "b": True, "s1": "beta", "s2": "Alpha", "s3": "gamma",
              "o": {"k": 1}, "nul": None, "gone": ...}
    await store.write_rows([w(EXP, rid, input=f"in {rid}", **({} if v is ... else {"metadata": {"x": v}}),
                              span_attributes={"name": rid.upper() if rid != "gone" else None})
                            for rid, v in values.items()])
    got = [r["id"] for r in await all_rows(store, EXP, sort=[(Field(("metadata", "x")), direction)], limit=3)]
    rev = direction == "desc"
    numbers = sorted(["n1", "n2", "n3", "b"], key=lambda r: float(values[r]), reverse=rev)
    strings = sorted(["s1", "s2", "s3"], key=lambda r: values[r], reverse=rev)  # byte order: "Alpha" < "beta"
    assert got[:8] == numbers + strings + ["o"]
    assert sorted(got[8:]) == ["gone", "nul"]
    names = [r["id"] for r in await all_rows(store, EXP, sort=[("span_attributes.name", direction)], limit=4)]
    assert names[:-1] == sorted(values.keys() - {"gone"}, key=str.upper, reverse=rev) and names[-1] == "gone"
    inputs = [r["id"] for r in await all_rows(store, EXP, sort=[(Field(("input",)), direction)], limit=5)]
    assert inputs == sorted(values, reverse=rev)


async def test_sort_by_duration_reads_end_minus_start_unless_logged(store) -> None:
    await store.write_rows([w(EXP, "short", metrics={"start": 10.0, "end": 11.0}),
                            w(EXP, "long", metrics={"start": 10.0, "end": 15.0}),
                            w(EXP, "logged", metrics={"start": 10.0, "end": 11.0, "duration": 3.0}),
                            w(EXP, "open", metrics={"start": 10.0})])
    got = await all_rows(store, EXP, sort=[("metrics.duration", "desc")], limit=2)
    assert [r["id"] for r in got] == ["long", "logged", "short", "open"]
