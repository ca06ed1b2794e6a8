"""The SDK across real processes and against ``twinplane up``: trace continuation between two
processes, the CI exit code of ``twinplane eval`` on a regression, a host program with an
unreachable data plane, and the LLM wrappers and OTel bridge landing in the data plane."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import textwrap
import time
import uuid

import httpx
import openai
import pytest
from opentelemetry.sdk.trace import TracerProvider

import twinplane
from support.fake_llm import FakeLLM
from twinplane.sdk import state as state_mod
from twinplane.sdk.config import Config
from twinplane.sdk.otel import TwinplaneSpanProcessor

pytestmark = pytest.mark.slow


def _env(planes, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TWINPLANE_", "BRAINTRUST_"))}
    env.update(TWINPLANE_API_KEY=planes.api_key, TWINPLANE_APP_URL=planes.control_url, **extra)
    return env


UPSTREAM = textwrap.dedent('''
    import subprocess, sys
    import twinplane

    logger = twinplane.init_logger(sys.argv[1])
    with logger.start_span("api-gateway", input={"path": "/ask"}) as span:
        header = span.export()  # sent to the next service, e.g. as an HTTP header
        out = subprocess.run([sys.executable, "-c", sys.argv[2], header], capture_output=True, text=True, check=True)
        span.log(output=out.stdout.strip())
    print(span.root_span_id)
''')

DOWNSTREAM = textwrap.dedent('''
    import sys
    import twinplane

    @twinplane.traced
    def answer(question):
        return "42"

    with twinplane.start_span("worker", parent=sys.argv[1]) as span:
        print(answer("meaning of life"))
''')


def test_trace_continues_across_two_processes(planes) -> None:
    project = "sdk-dist-" + uuid.uuid4().hex[:8]
    proc = subprocess.run([sys.executable, "-c", UPSTREAM, project, DOWNSTREAM], env=_env(planes),
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    root_span_id = proc.stdout.strip().splitlines()[-1]
    r = httpx.post(f"{planes.data_url}/v1/project", json={"name": project},
                   headers={"Authorization": f"Bearer {planes.api_key}"}, timeout=30)
    rows = [e for e in planes.fetch_all(f"/v1/project_logs/{r.json()['id']}/fetch") if e.get("span_attributes")]
    spans = {e["span_attributes"]["name"]: e for e in rows}
    assert set(spans) == {"api-gateway", "worker", "answer"}
    gw, worker, ans = spans["api-gateway"], spans["worker"], spans["answer"]
    assert gw["root_span_id"] == worker["root_span_id"] == ans["root_span_id"] == root_span_id
    assert worker["span_parents"] == [gw["span_id"]] and ans["span_parents"] == [worker["span_id"]]
    assert gw["output"] == "42" and ans["output"] == "42"


EVAL_FILE = textwrap.dedent('''
    import os
    from twinplane import Eval
    from twinplane.scorers import ExactMatch, Levenshtein

    prefix = os.environ["ANSWER_PREFIX"]
    Eval(os.environ["EVAL_PROJECT"], data=[{"input": q, "expected": "Hi " + q} for q in ("ann", "bob", "cy")],
         task=lambda q: prefix + q, scores=[Levenshtein(), ExactMatch()], experiment_name=os.environ["EXP"])
''')


def test_cli_fails_the_build_on_a_regression(planes, tmp_path) -> None:
    (tmp_path / "eval_greeting.py").write_text(EVAL_FILE)
    project = "sdk-ci-" + uuid.uuid4().hex[:8]

    def run(exp: str, prefix: str, *flags: str) -> subprocess.CompletedProcess[str]:
        env = _env(planes, EVAL_PROJECT=project, EXP=exp, ANSWER_PREFIX=prefix)
        return subprocess.run([sys.executable, "-m", "twinplane.cli.main", "eval", str(tmp_path), "--no-progress",
                               *flags], env=env, capture_output=True, text=True, timeout=120)

    base = run("main", "Hi ", "--fail-on-regression")
    assert base.returncode == 0, base.stdout + base.stderr
    same = run("pr-1", "Hi ", "--fail-on-regression")
    assert same.returncode == 0, same.stdout + same.stderr
    worse = run("pr-2", "Hey ", "--fail-on-regression")
    assert worse.returncode == 1, worse.stdout + worse.stderr
    assert "Regression" in worse.stdout and "pr-2 compared to pr-1" in worse.stdout
    lenient = run("pr-3", "Hey ", "--fail-on-regression", "--threshold", "Levenshtein=0.5",
                  "--threshold", "ExactMatch=1")
    assert lenient.returncode == 0, lenient.stdout + lenient.stderr


def test_flush_returns_in_time_when_the_data_plane_is_unreachable(planes) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{s.getsockname()[1]}"
    # login works (control plane up), the data plane address answers nothing
    st = state_mod.State(Config(api_key=planes.api_key, app_url=planes.control_url, api_url=dead,
                                atexit_flush=False))
    from twinplane.sdk.logger import Logger

    lg = Logger(st, "unreachable")
    t0 = time.perf_counter()
    for i in range(200):
        lg.log(input=i)
    assert time.perf_counter() - t0 < 0.5
    t0 = time.monotonic()
    res = st.delivery.flush(1.0)
    assert time.monotonic() - t0 < 2.0 and not res.ok


HOST = textwrap.dedent('''
    import sys, time
    import twinplane

    twinplane.login(api_key=sys.argv[1], app_url=sys.argv[2], api_url=sys.argv[3])
    logger = twinplane.init_logger("host")
    total = 0
    t0 = time.perf_counter()
    for i in range(2000):
        with logger.start_span("work", input={"i": i}) as span:
            total += i
            span.log(output=total)
    print("DONE", total, round(time.perf_counter() - t0, 3))
''')


def test_host_program_unharmed_and_exit_flush_bounded(planes) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{s.getsockname()[1]}"
    env = _env(planes, TWINPLANE_ATEXIT_FLUSH_TIMEOUT="1.5")
    t0 = time.monotonic()
    proc = subprocess.run([sys.executable, "-c", HOST, planes.api_key, planes.control_url, dead], env=env,
                          capture_output=True, text=True, timeout=60)
    elapsed = time.monotonic() - t0
    assert proc.returncode == 0, proc.stderr
    assert f"DONE {sum(range(2000))}" in proc.stdout
    assert elapsed < 10  # interpreter start + 2000 spans + an exit flush capped at 1.5 s
    assert "Traceback" not in proc.stderr


def test_wrappers_and_otel_land_in_the_data_plane(planes) -> None:
    st = state_mod.set_state(state_mod.State(Config(api_key=planes.api_key, app_url=planes.control_url,
                                                    atexit_flush=False)))
    llm = FakeLLM(reply="The answer is 42")
    try:
        logger = twinplane.init_logger("sdk-wrap-" + uuid.uuid4().hex[:8])
        client = twinplane.wrap_openai(openai.OpenAI(api_key="sk-x", base_url=llm.url + "/v1", max_retries=0))
        provider = TracerProvider()
        provider.add_span_processor(TwinplaneSpanProcessor(logger=logger))
        with logger.start_span("request"):
            client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "q"}])
            list(client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "s"}],
                                                stream=True, stream_options={"include_usage": True}))
        with provider.get_tracer("t").start_as_current_span("otel-llm") as span:
            span.set_attribute("gen_ai.request.model", "claude")
            span.set_attribute("gen_ai.usage.input_tokens", 5)
            span.set_attribute("gen_ai.usage.output_tokens", 2)
        assert twinplane.flush(20).ok
        rows = [r for r in planes.fetch_all(f"/v1/project_logs/{logger.id}/fetch") if r.get("span_attributes")]
        llm_rows = [r for r in rows if r["span_attributes"]["type"] == "llm"]
        assert len(llm_rows) == 3
        assert sorted(r["metrics"]["tokens"] for r in llm_rows) == [7, 18, 18]
        assert all(r["metadata"]["model"] in ("gpt-4o-mini", "claude") for r in llm_rows)
    finally:
        llm.stop()
        st.delivery.close(5)
        state_mod.set_state(state_mod.State(Config(api_key=None, atexit_flush=False)))
