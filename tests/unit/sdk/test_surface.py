"""The public surface is deliberate, and the SDK runs without any server package."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import twinplane

from .wire_server import API_KEY

EXPECTED = [
    "APIError", "Dataset", "Eval", "EvalCase", "EvalCaseResult", "EvalHooks", "EvalResult", "Experiment",
    "ExperimentSummary", "Logger", "LoginError", "NoopSpan", "NotFoundError", "Prompt", "ReadonlyExperiment", "Span", "TwinplaneError",
    "TwinplaneSpanProcessor", "__version__", "create_prompt", "current_span", "delivery_stats", "flush", "init",
    "init_dataset", "init_logger", "load_prompt", "log_feedback", "login", "start_span", "traced", "wrap_anthropic",
    "wrap_openai",
]


def test_all_is_pinned() -> None:
    assert sorted(twinplane.__all__) == sorted(EXPECTED)
    for name in twinplane.__all__:
        assert getattr(twinplane, name) is not None


BLOCKED_SCRIPT = textwrap.dedent('''
    import sys

    BLOCKED = {"fastapi", "sqlalchemy", "starlette", "uvicorn", "pydantic_settings", "alembic", "psycopg",
               "opentelemetry", "openai", "anthropic", "braintrust", "autoevals"}

    class Blocker:
        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] in BLOCKED:
                raise ImportError(f"{name} is blocked in this test")
            return None

    sys.meta_path.insert(0, Blocker())
    import twinplane
    from twinplane.scorers import Levenshtein

    twinplane.login(api_key=sys.argv[1], app_url=sys.argv[2], atexit_flush=False)
    logger = twinplane.init_logger("no-server-deps")

    @twinplane.traced
    def work(x):
        return x + 1

    with logger.start_span("outer"):
        work(1)
    res = twinplane.Eval("no-server-deps", data=[{"input": "a", "expected": "a"}], task=lambda i: i,
                         scores=[Levenshtein()], progress=False)
    assert twinplane.flush(10).ok
    loaded = sorted(m for m in sys.modules if m.split(".")[0] in BLOCKED)
    assert loaded == [], loaded
    assert not any(m.startswith("twinplane.server") for m in sys.modules)
    print("OK", res.summary.scores["Levenshtein"].score)
''')


def test_sdk_imports_and_logs_without_server_packages(server) -> None:
    proc = subprocess.run([sys.executable, "-c", BLOCKED_SCRIPT, API_KEY, server.url], capture_output=True,
                          text=True, timeout=60)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "OK 1.0" in proc.stdout
    assert any(p == "/logs3" for _, p, _ in server.requests)


CHILD = textwrap.dedent('''
    import sys
    import twinplane

    twinplane.login(api_key=sys.argv[1], app_url=sys.argv[2], atexit_flush=True)
    with twinplane.start_span("downstream", parent=sys.argv[3]) as span:
        span.log(output="from the child")
        with span.start_span("grandchild"):
            pass
    # no explicit flush: the exit-time flush sends the rows
''')


def test_trace_continues_in_another_process(server, sdk) -> None:
    logger = twinplane.init_logger("distributed")
    with logger.start_span("upstream") as span:
        exported = span.export()
        proc = subprocess.run([sys.executable, "-c", CHILD, API_KEY, server.url, exported], capture_output=True,
                              text=True, timeout=60)
        assert proc.returncode == 0, proc.stderr
    assert twinplane.flush(5).ok
    rows = {r["span_attributes"]["name"]: r for r in server.rows("project_logs", logger.id)}
    up, down, grand = rows["upstream"], rows["downstream"], rows["grandchild"]
    assert down["root_span_id"] == up["root_span_id"] == grand["root_span_id"]
    assert down["span_parents"] == [up["span_id"]] and grand["span_parents"] == [down["span_id"]]
    assert down["output"] == "from the child"


def test_export_before_the_project_is_registered_uses_its_name(server, sdk) -> None:
    logger = twinplane.init_logger("by-name")
    span = logger.start_span("s")
    exported = span.export()  # the project id is not known yet: exported by name, no network call
    assert not any(p == "/v1/project" for _, p, _ in server.requests)
    child = twinplane.start_span("c", parent=exported)
    child.end()
    span.end()
    assert twinplane.flush(5).ok
    rows = {r["span_attributes"]["name"]: r for r in server.rows("project_logs", logger.id)}
    assert rows["c"]["span_parents"] == [rows["s"]["span_id"]]
    assert twinplane.start_span("x", parent="garbage") is not None  # invalid parents are ignored


def test_experiment_spans_export_their_experiment_id(server, sdk) -> None:
    exp = twinplane.init("proj", "e1")
    span = exp.start_span("root")
    child = twinplane.start_span("remote", parent=span.export())
    child.end()
    span.end()
    assert twinplane.flush(5).ok
    rows = server.rows("experiment", exp.id)
    assert {r["span_attributes"]["name"] for r in rows} == {"root", "remote"}
