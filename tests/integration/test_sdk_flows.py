"""The Twinplane SDK against ``twinplane up`` (two real plane processes), in both modes:
normal (login at the control plane) and data-plane-only (the SDK knows only the data plane).
Rows larger than the advertised ``logs3_payload_max_bytes`` run against ``small_payload_planes``."""

from __future__ import annotations

import io
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest
from rich.console import Console

import twinplane
from support.planes import SMALL_PAYLOAD_MAX_BYTES
from twinplane.scorers import Levenshtein
from twinplane.sdk import state as state_mod
from twinplane.sdk.config import Config

MODES = ["normal", "data-plane-only"]
pytestmark = pytest.mark.slow


@contextmanager
def _sdk_state(planes, mode: str) -> Iterator[state_mod.State]:
    """The default SDK state, logged into ``planes`` in ``mode``; an unconfigured one afterwards."""
    app_url = planes.control_url if mode == "normal" else planes.data_url
    st = state_mod.set_state(state_mod.State(Config(api_key=planes.api_key, app_url=app_url, flush_interval=0.05,
                                                    atexit_flush=False, prompt_cache_dir="off")))
    try:
        yield st
    finally:
        st.delivery.close(10)
        state_mod.set_state(state_mod.State(Config(api_key=None, atexit_flush=False)))


@pytest.fixture(params=MODES)
def sdk_up(request, planes) -> Iterator[state_mod.State]:
    with _sdk_state(planes, request.param) as st:
        yield st


@pytest.fixture(params=MODES)
def sdk_small(request, small_payload_planes) -> Iterator[state_mod.State]:
    """The SDK against planes whose data plane advertises ``SMALL_PAYLOAD_MAX_BYTES``."""
    with _sdk_state(small_payload_planes, request.param) as st:
        yield st


def fetch(planes, object_type: str, object_id: str) -> list[dict]:
    r = httpx.post(f"{planes.data_url}/v1/{object_type}/{object_id}/fetch", json={"limit": 1000},
                   headers={"Authorization": f"Bearer {planes.api_key}"}, timeout=30)
    assert r.status_code == 200, r.text
    return r.json()["events"]


def _name(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def test_login_targets_the_data_plane(planes, sdk_up) -> None:
    org = sdk_up.login()
    assert org.api_url == planes.data_url and org.name == planes.state["org_name"]


def test_traces_and_feedback(planes, sdk_up) -> None:
    logger = twinplane.init_logger(_name("sdk-logs"))

    @twinplane.traced
    def inner(x):
        twinplane.current_span().log(metadata={"step": "inner"}, tags=["t1"])
        return x * 2

    @twinplane.traced(name="outer")
    def outer(x):
        return inner(x) + 1

    with logger.start_span("request", input={"q": "hi"}) as root:
        assert outer(3) == 7
        with root.start_span("llm-call", type="llm") as llm:
            llm.log(output="hello", metrics={"prompt_tokens": 10, "completion_tokens": 3, "tokens": 13})
    logger.log_feedback(root.id, scores={"helpful": 1.0}, comment="good answer", metadata={"who": "qa"})
    assert twinplane.flush(20).ok
    rows = fetch(planes, "project_logs", logger.id)
    spans = {r["span_attributes"]["name"]: r for r in rows if r.get("span_attributes")}
    assert set(spans) == {"request", "outer", "inner", "llm-call"}
    req, out, inn, llm_row = spans["request"], spans["outer"], spans["inner"], spans["llm-call"]
    assert out["span_parents"] == [req["span_id"]] and inn["span_parents"] == [out["span_id"]]
    assert inn["input"] == {"x": 3} and inn["output"] == 6 and out["output"] == 7
    assert inn["tags"] == ["t1"] and inn["metadata"]["step"] == "inner"
    assert llm_row["metrics"]["tokens"] == 13 and req["scores"] == {"helpful": 1.0}
    assert all(r["root_span_id"] == req["root_span_id"] for r in spans.values())
    assert all(isinstance(r["_xact_id"], str) for r in rows)


def test_an_experiment_opened_for_reading(planes, sdk_up) -> None:
    project, name = _name("sdk-open"), _name("exp")
    exp = twinplane.init(project, name, set_current=False)
    for i in range(3):
        with exp.start_span("case", input={"q": i}) as span:
            span.log(output=i * 2, expected=i * 2, scores={"exact": 1.0}, metadata={"i": i}, tags=["t"])
            with span.start_span("llm") as child:
                child.log(output="x")
    assert twinplane.flush(20).ok

    opened = twinplane.init(project, name, open=True)
    assert isinstance(opened, twinplane.ReadonlyExperiment) and opened.id == exp.id and opened.name == name
    assert len(list(opened.fetch())) == 6  # every span
    cases = sorted(opened.as_dataset(), key=lambda c: c["input"]["q"])  # the roots, as evaluation cases
    assert cases == [{"input": {"q": i}, "expected": i * 2, "metadata": {"i": i}, "tags": ["t"]} for i in range(3)]
    assert not hasattr(opened, "log") and not hasattr(opened, "start_span")

    def exact(input, output, expected):
        return 1.0 if output == expected else 0.0

    rerun = twinplane.Eval(project, data=opened.as_dataset, task=lambda input: input["q"] * 2, scores=[exact],
                           progress=False, summarize=False)  # one run's cases feed another
    assert rerun.errors == 0 and sorted(r.expected for r in rerun.results) == [0, 2, 4]
    assert all(r.scores["exact"] == 1.0 for r in rerun.results)

    with pytest.raises(twinplane.NotFoundError):
        _ = twinplane.init(project, "no-such-experiment", open=True).id
    with pytest.raises(ValueError, match="existing experiment"):
        twinplane.init(project, name, open=True, update=True)


def test_dataset_versions(planes, sdk_up) -> None:
    ds = twinplane.init_dataset(_name("sdk-ds"), "cases")
    ds.insert(input="a", expected="A", id="r1")
    ds.insert(input="b", expected="B", id="r2")
    v1 = ds.version
    ds.update("r1", metadata={"fixed": True})
    ds.delete("r2")
    ds.insert(input="c", expected="C", id="r3")
    rows = {r["id"]: r for r in ds.fetch()}
    assert set(rows) == {"r1", "r3"} and rows["r1"]["metadata"] == {"fixed": True}
    assert ds.version > v1
    old = {r["id"]: r for r in twinplane.init_dataset(ds.project_name, "cases", version=v1)}
    assert set(old) == {"r1", "r2"} and not old["r1"].get("metadata")
    assert ds.summarize()["total_records"] == 2


def test_prompt_versions(planes, sdk_up) -> None:
    project = _name("sdk-prompt")
    p1 = twinplane.create_prompt(project, "greet", messages=[{"role": "user", "content": "Hi {{name}}"}],
                                 model="gpt-4o-mini", params={"temperature": 0})
    p2 = twinplane.create_prompt(project, "greet", messages=[{"role": "user", "content": "Hello {{name}}"}],
                                 model="gpt-4o-mini")
    assert p2.version > p1.version
    assert twinplane.load_prompt(project, "greet").build(name="Ada")["messages"][0]["content"] == "Hello Ada"
    pinned = twinplane.load_prompt(project, "greet", version=p1.version).build(name="Ada")
    assert pinned["messages"][0]["content"] == "Hi Ada" and pinned["temperature"] == 0
    with pytest.raises(twinplane.NotFoundError):
        twinplane.load_prompt(project, "nope")


def test_eval_on_a_dataset_with_baseline_summary(planes, sdk_up) -> None:
    project = _name("sdk-eval")
    ds = twinplane.init_dataset(project, "cases")
    for q in ("foo", "bar", "baz"):
        ds.insert(input=q, expected="Hi " + q)
    buf = io.StringIO()
    console = Console(file=buf, width=140)
    good = twinplane.Eval(project, data=ds, task=lambda q: "Hi " + q, scores=[Levenshtein()],
                          experiment_name="good", console=console, progress=False)
    assert good.summary.scores["Levenshtein"].score == pytest.approx(1.0)
    bad = twinplane.Eval(project, data=ds, task=lambda q: "Yo " + q, scores=[Levenshtein()],
                         experiment_name="bad", base_experiment="good", console=console, progress=False)
    s = bad.summary
    assert s.comparison_experiment_name == "good"
    assert s.scores["Levenshtein"].diff < 0 and s.scores["Levenshtein"].regressions == 3
    assert [r.name for r in bad.regressions()] == ["Levenshtein"]
    assert "bad compared to good" in buf.getvalue()
    rows = fetch(planes, "experiment", bad.experiment_id)
    roots = [r for r in rows if r["span_attributes"]["type"] == "eval"]
    scores = [r for r in rows if r["span_attributes"]["type"] == "score"]
    assert len(roots) == 3 and len(scores) == 3
    assert all(r["origin"]["object_id"] == ds.id and r["origin"]["object_type"] == "dataset" for r in roots)
    assert all(r["span_attributes"]["purpose"] == "scorer" for r in scores)


def test_rows_larger_than_the_payload_limit_go_through_overflow(small_payload_planes, sdk_small) -> None:
    project = _name("sdk-overflow")
    big_log = {"text": "é€" * (3 * SMALL_PAYLOAD_MAX_BYTES), "n": list(range(500))}
    big_exp = "x" * (5 * SMALL_PAYLOAD_MAX_BYTES)
    logger = twinplane.init_logger(project)
    logger.log(input="small", output="ok", metadata={"size": "small"})
    logger.log(input=big_log, output="big", metadata={"size": "big"})
    exp = twinplane.init(project, "overflow")
    exp.log(input="q", output=big_exp, scores={"s": 1.0})
    res = twinplane.flush(30)
    assert res.ok and res.dropped == 0, res
    stats = twinplane.delivery_stats()
    assert stats.overflowed == 2 and stats.dropped == 0 and stats.sent == 3, stats

    rows = {r["metadata"]["size"]: r for r in fetch(small_payload_planes, "project_logs", logger.id)}
    assert set(rows) == {"small", "big"}
    assert rows["big"]["input"] == big_log and rows["big"]["output"] == "big"
    assert rows["small"]["input"] == "small"
    (row,) = fetch(small_payload_planes, "experiment", exp.id)
    assert row["output"] == big_exp and row["scores"] == {"s": 1.0}
