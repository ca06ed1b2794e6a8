"""Project logs through the real HTTP path: spans, traced, nesting, feedback, pre-merge."""

from __future__ import annotations

import asyncio

import pytest

import twinplane
from twinplane.sdk.span import NoopSpan


def _by_name(rows):
    return {r["span_attributes"]["name"]: r for r in rows if "span_attributes" in r}


def test_traced_nested_spans_reach_the_server_as_one_trace(server, sdk) -> None:
    logger = twinplane.init_logger("proj")

    @twinplane.traced
    def inner(x):
        twinplane.current_span().log(metadata={"k": "v"}, tags=["t1"])
        return x * 2

    @twinplane.traced(name="outer_fn")
    def outer(x, y=1):
        return inner(x) + y

    assert outer(3, y=1) == 7
    result = twinplane.flush(5)
    assert result.ok and result.pending == 0
    project = next(iter(server.projects.values()))
    rows = _by_name(server.rows("project_logs", project["id"]))
    o, i = rows["outer_fn"], rows["inner"]
    assert o["input"] == {"x": 3, "y": 1} and o["output"] == 7
    assert i["input"] == {"x": 3} and i["output"] == 6 and i["metadata"] == {"k": "v"} and i["tags"] == ["t1"]
    assert i["root_span_id"] == o["root_span_id"] and i["span_parents"] == [o["span_id"]]
    assert o["span_parents"] is None and len(o["span_id"]) == 16 and len(o["root_span_id"]) == 32
    assert o["metrics"]["end"] >= o["metrics"]["start"]
    assert o["span_attributes"]["type"] == "function"
    assert isinstance(o["created"], str) and o["created"].endswith("+00:00")
    # rows of one span sent in one flush are folded into one replace row
    sent = [r for r in server.logs3_rows() if r["id"] == o["id"]]
    assert len(sent) == 1 and "_is_merge" not in sent[0]
    assert sent[0]["project_id"] == project["id"] and sent[0]["log_id"] == "g"
    assert logger.id == project["id"]


def test_start_span_logger_log_and_feedback(server, sdk) -> None:
    logger = twinplane.init_logger("fb")
    with logger.start_span("manual") as span:
        span.log(input="q", output="a", scores={"acc": 1}, metrics={"tokens": 5})
        with twinplane.start_span("child", type="llm") as child:
            child.log(output="c")
    row_id = logger.log(input="direct", output="row", metadata={"a": 1})
    logger.log_feedback(span.id, scores={"human": 0.5}, comment="nice", metadata={"who": "me"})
    twinplane.log_feedback(row_id, tags=["good"])
    assert twinplane.flush(5).ok
    pid = logger.id
    rows = {r["id"]: r for r in server.rows("project_logs", pid)}
    m = rows[span.id]
    assert m["scores"] == {"acc": 1, "human": 0.5} and m["metrics"]["tokens"] == 5
    assert m["_audit_source"] == "external" and m["_audit_metadata"] == {"who": "me"}
    c = rows[child.id]
    assert c["span_parents"] == [span.span_id] and c["span_attributes"]["type"] == "llm"
    d = rows[row_id]
    assert d["input"] == "direct" and d["tags"] == ["good"] and "end" in d["metrics"]
    assert d["span_attributes"] == {"name": "root", "type": "task", "exec_counter": d["span_attributes"]["exec_counter"]}
    comments = [r for r in rows.values() if r.get("comment")]
    assert comments[0]["comment"] == {"text": "nice"} and comments[0]["origin"] == {"id": span.id}


def test_async_and_generator_functions_are_traced(server, sdk) -> None:
    twinplane.init_logger("aio")

    @twinplane.traced
    async def leaf(n):
        await asyncio.sleep(0)
        return twinplane.current_span().span_id

    @twinplane.traced
    async def fan_out():
        ids = await asyncio.gather(leaf(1), leaf(2))
        return ids

    @twinplane.traced(capture_input=False)
    def numbers(k):
        yield from range(k)

    @twinplane.traced
    async def agen():
        for i in range(2):
            yield i

    async def consume():
        return [x async for x in agen()]

    ids = asyncio.run(fan_out())
    assert list(numbers(3)) == [0, 1, 2]
    assert asyncio.run(consume()) == [0, 1]
    assert twinplane.flush(5).ok
    pid = next(iter(sdk._projects.values()))["id"]
    rows = server.rows("project_logs", pid)
    by_span = {r["span_id"]: r for r in rows}
    root = next(r for r in rows if r["span_attributes"]["name"] == "fan_out")
    assert set(ids) <= set(by_span) and all(by_span[i]["span_parents"] == [root["span_id"]] for i in ids)
    assert by_span[ids[0]]["input"] in ({"n": 1}, {"n": 2})
    gen_row = next(r for r in rows if r["span_attributes"]["name"] == "numbers")
    assert gen_row["output"] == [0, 1, 2] and "input" not in gen_row
    assert next(r for r in rows if r["span_attributes"]["name"] == "agen")["output"] == [0, 1]


def test_errors_are_recorded_and_reraised(server, sdk) -> None:
    twinplane.init_logger("err")

    @twinplane.traced
    def boom():
        raise KeyError("nope")

    try:
        boom()
    except KeyError:
        pass
    else:
        raise AssertionError("the exception must propagate")
    assert twinplane.flush(5).ok
    pid = next(iter(sdk._projects.values()))["id"]
    (row,) = server.rows("project_logs", pid)
    assert "KeyError" in row["error"] and "end" in row["metrics"]


def test_without_a_logger_spans_are_noops(sdk) -> None:
    sdk.current_object = None
    span = twinplane.start_span("x")
    assert isinstance(span, NoopSpan) and not span
    span.log(input=1)
    span.end()

    @twinplane.traced
    def f():
        return 1

    assert f() == 1
    assert isinstance(twinplane.current_span(), NoopSpan)


def test_unknown_fields_are_dropped_not_raised(server, sdk) -> None:
    logger = twinplane.init_logger("bad")
    with logger.start_span("s") as span:
        span.log(bogus=1, output={1, 2}, metadata={"obj": object(), 3: "int key"})
    assert twinplane.flush(5).ok
    (row,) = server.rows("project_logs", logger.id)
    assert "bogus" not in row and sorted(row["output"]) == [1, 2]
    assert row["metadata"]["3"] == "int key" and row["metadata"]["obj"].startswith("<object")


def test_many_threads_log_concurrently(server, sdk) -> None:
    import threading

    logger = twinplane.init_logger("threads")

    def worker(n):
        for i in range(200):
            with logger.start_span(f"t{n}", input=i) as span:
                with span.start_span("child"):
                    pass

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert twinplane.flush(20).ok
    rows = server.rows("project_logs", logger.id)
    assert len(rows) == 8 * 200 * 2
    parents = {r["span_id"] for r in rows if r["span_parents"] is None}
    assert all(r["span_parents"][0] in parents for r in rows if r["span_parents"])


def test_login_arguments_override_the_environment(server, monkeypatch) -> None:
    from twinplane.sdk import state as state_mod
    from twinplane.sdk.config import Config

    from .wire_server import API_KEY

    monkeypatch.setenv("TWINPLANE_API_KEY", "tpk_from_env_wrong")
    monkeypatch.setenv("TWINPLANE_APP_URL", "http://127.0.0.1:9")  # nothing there
    monkeypatch.setenv("TWINPLANE_ORG_NAME", "test-org")
    try:
        org = twinplane.login(api_key=API_KEY, app_url=server.url, atexit_flush=False)
        assert org.name == "test-org" and org.api_url == server.url
        st = state_mod.get_state()
        assert st.config.api_key == API_KEY and st.config.org_name == "test-org"
        with pytest.raises(twinplane.LoginError, match="not found"):
            twinplane.login(api_key=API_KEY, app_url=server.url, org_name="other-org", atexit_flush=False)
    finally:
        state_mod.set_state(state_mod.State(Config(api_key=None, atexit_flush=False)))
