"""Eval: data sources, sync/async tasks and scorers, errors, span layout, summary, baseline."""

from __future__ import annotations

import asyncio
import io

from autoevals import Levenshtein as AutoLevenshtein
from rich.console import Console

import twinplane
from twinplane.scorers import ExactMatch, Levenshtein


def _console():
    buf = io.StringIO()
    return Console(file=buf, width=120, force_terminal=False), buf


DATA = [{"input": "foo", "expected": "Hi foo"}, {"input": "bar", "expected": "Hello bar"}]


def test_eval_logs_braintrust_span_layout_and_prints_summary(server, sdk) -> None:
    console, buf = _console()

    def task(input):
        twinplane.current_span().log(metadata={"inside": True})
        return "Hi " + input

    async def async_scorer(input, output, expected):
        await asyncio.sleep(0)
        return {"name": "starts_hi", "score": float(output.startswith("Hi"))}

    res = twinplane.Eval("proj", data=DATA, task=task, scores=[Levenshtein(), AutoLevenshtein(), async_scorer,
                                                               lambda output, expected: output == expected],
                         experiment_name="exp1", console=console, progress=False)
    assert res.experiment_name == "exp1" and len(res.results) == 2 and res.errors == 0
    exp_id = res.experiment_id
    rows = server.rows("experiment", exp_id)
    roots = [r for r in rows if r["span_attributes"]["type"] == "eval"]
    tasks = [r for r in rows if r["span_attributes"]["type"] == "task"]
    score_rows = [r for r in rows if r["span_attributes"]["type"] == "score"]
    assert len(roots) == 2 and len(tasks) == 2 and len(score_rows) == 8
    root = next(r for r in roots if r["input"] == "foo")
    assert root["expected"] == "Hi foo" and root["output"] == "Hi foo" and root["span_parents"] is None
    assert root["span_attributes"]["name"] == "eval"
    task_row = next(r for r in tasks if r["root_span_id"] == root["root_span_id"])
    assert task_row["span_parents"] == [root["span_id"]] and task_row["metadata"] == {"inside": True}
    lev = next(r for r in score_rows if r["root_span_id"] == root["root_span_id"]
               and r["span_attributes"]["name"] == "Levenshtein")
    assert lev["span_attributes"]["purpose"] == "scorer" and lev["scores"] == {"Levenshtein": 1.0}
    assert lev["input"]["output"] == "Hi foo"
    names = {n for r in score_rows for n in r["scores"]}
    assert names == {"Levenshtein", "starts_hi", "<lambda>"}
    out = buf.getvalue()
    assert "Levenshtein" in out and "exp1" in out
    assert res.summary.scores["starts_hi"].score == 1.0


def test_errors_are_recorded_and_the_run_goes_on(server, sdk) -> None:
    console, buf = _console()

    def task(input):
        if input == "bar":
            raise RuntimeError("task exploded")
        return "Hi " + input

    def bad_scorer(output):
        raise ValueError("scorer exploded")

    res = twinplane.Eval("proj", data=lambda: iter(DATA), task=task, scores=[ExactMatch(), bad_scorer],
                         console=console, progress=False)
    assert len(res.results) == 2
    failed = next(r for r in res.results if r.input == "bar")
    ok = next(r for r in res.results if r.input == "foo")
    assert "task exploded" in failed.error and failed.scores == {}
    assert "scorer exploded" in ok.scorer_errors["bad_scorer"] and ok.scores == {"ExactMatch": 1.0}
    rows = server.rows("experiment", res.experiment_id)
    assert any("task exploded" in (r.get("error") or "") and r["span_attributes"]["type"] == "task" for r in rows)
    assert any("scorer exploded" in (r.get("error") or "") and r["span_attributes"]["type"] == "score" for r in rows)
    assert "had task or scorer errors" in buf.getvalue()


def test_baseline_comparison_regressions_and_dataset_origin(server, sdk) -> None:
    console, buf = _console()
    ds = twinplane.init_dataset("proj", "cases")
    for d in DATA:
        ds.insert(**d)
    good = twinplane.Eval("proj", data=ds, task=lambda i: "Hi " + i, scores=[Levenshtein()],
                          experiment_name="good", console=console, progress=False)
    bad = twinplane.Eval("proj", data=ds, task=lambda i: "Yo", scores=[Levenshtein()], experiment_name="bad",
                         base_experiment="good", console=console, progress=False)
    s = bad.summary
    assert s.comparison_experiment_name == "good"
    lev = s.scores["Levenshtein"]
    assert lev.diff < 0 and lev.regressions == 2
    assert [r.name for r in bad.regressions()] == ["Levenshtein"]
    assert bad.regressions({"Levenshtein": 0.99}) == []
    assert "compared to good" in buf.getvalue()
    exp = server.experiments[bad.experiment_id]
    assert exp["base_exp_id"] == good.experiment_id and exp["dataset_id"] == ds.id and exp["dataset_version"]
    roots = [r for r in server.rows("experiment", bad.experiment_id) if r["span_attributes"]["type"] == "eval"]
    assert all(r["origin"]["object_type"] == "dataset" and r["origin"]["object_id"] == ds.id for r in roots)


def test_async_task_trials_concurrency_metadata_and_hooks(server, sdk) -> None:
    console, _ = _console()
    running = 0
    peak = 0

    async def task(input, hooks):
        nonlocal running, peak
        running += 1
        peak = max(peak, running)
        await asyncio.sleep(0.02)
        running -= 1
        hooks.meta(trial=hooks.trial_index)
        return input * 2

    def gen():
        for i in range(6):
            yield {"input": i, "expected": i * 2, "metadata": {"i": i}}

    res = twinplane.Eval("proj", data=gen(), task=task, scores=[ExactMatch()], max_concurrency=3, trial_count=2,
                         metadata={"model": "m"}, console=console, progress=True)
    assert len(res.results) == 12 and peak <= 3 and peak >= 2
    assert all(r.scores == {"ExactMatch": 1.0} for r in res.results)
    assert server.experiments[res.experiment_id]["metadata"] == {"model": "m"}


def test_timeout_stops_waiting(sdk) -> None:
    console, _ = _console()

    async def slow(input):
        await asyncio.sleep(5 if input == 1 else 0)
        return input

    res = twinplane.Eval("proj", data=[0, 1], task=slow, scores=[], timeout=0.5, no_send_logs=True,
                         console=console, progress=False)
    assert [r.input for r in res.results] == [0]


def test_no_send_logs_runs_without_a_server() -> None:
    console, buf = _console()
    res = twinplane.Eval("offline", data=DATA, task=lambda i: "Hi " + i, scores=[Levenshtein()],
                         no_send_logs=True, console=console, progress=False)
    assert res.experiment_id is None and abs(res.summary.scores["Levenshtein"].score - 7 / 9) < 1e-9
    assert "Levenshtein" in buf.getvalue() and "77.78%" in buf.getvalue()


def test_eval_inside_a_running_event_loop(sdk) -> None:
    console, _ = _console()

    async def main():
        return twinplane.Eval("proj", data=[1, 2], task=lambda x: x, scores=[], no_send_logs=True,
                              console=console, progress=False)

    assert len(asyncio.run(main()).results) == 2


def test_eval_completes_with_local_scores_when_the_server_is_down() -> None:
    import socket
    import time

    from twinplane.sdk import state as state_mod
    from twinplane.sdk.config import Config

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{s.getsockname()[1]}"
    state_mod.set_state(state_mod.State(Config(api_key="tpk_x", app_url=dead, max_backoff=0.1, flush_interval=0.02,
                                               atexit_flush=False)))
    console, buf = _console()
    try:
        t0 = time.monotonic()
        res = twinplane.Eval("down", data=DATA, task=lambda i: "Hi " + i, scores=[Levenshtein()],
                             experiment_name="e", console=console, progress=False)
        assert time.monotonic() - t0 < 10
        assert res.experiment_id is None and len(res.results) == 2
        assert abs(res.summary.scores["Levenshtein"].score - 7 / 9) < 1e-9
        assert "77.78%" in buf.getvalue()
    finally:
        state_mod.set_state(state_mod.State(Config(api_key=None, atexit_flush=False)))


def test_init_experiments_update_and_manual_logging(server, sdk) -> None:
    first = twinplane.init("proj", "nightly", metadata={"run": 1})
    first.log(input="q", output="a", expected="a", scores={"acc": 1.0})
    assert first.name == "nightly"
    again = twinplane.init("proj", "nightly")  # ensure_new: a new experiment, renamed
    assert again.name == "nightly-1" and again.id != first.id
    reused = twinplane.init("proj", "nightly", update=True)  # update=True: the existing one
    assert reused.id == first.id
    with reused.start_span("case", input="q2") as span:
        span.log(output="b", scores={"acc": 0.0})
    summary = reused.summarize()
    assert summary.experiment_name == "nightly" and summary.scores["acc"].score == 0.5
    posts = [b for m, p, b in server.requests if p == "/v1/experiment" and m == "POST"]
    assert [b["ensure_new"] for b in posts] == [True, True, False] and all(b["public"] is False for b in posts)
    assert posts[0]["metadata"] == {"run": 1}
