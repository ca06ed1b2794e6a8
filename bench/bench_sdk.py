"""Caller-thread cost of one span, Twinplane SDK beside OpenTelemetry and Braintrust.

For each SDK, in the same process and run: start a span, log a ~2 KB input and a ~2 KB
output, end it; time each span on the caller's thread (``perf_counter_ns``), after a
warm-up. Each SDK's background delivery runs meanwhile against a local sink server on
127.0.0.1 (the OTel batch processor exports to a discarding exporter), so the figures
include the GIL time the background threads take from the caller.

Two paces: ``tight`` (spans back to back, a stress test) and ``paced`` (the caller sleeps
``PACE_US`` microseconds between spans, like an application waiting on I/O between spans).

Second part, against ``twinplane up`` (both planes as real processes, SQLite): an ``Eval`` of
``EVAL_CASES`` cases (a trivial task, Levenshtein and ExactMatch scorers) from the first call
to the printed-summary-ready result, i.e. including creating the experiment, sending every
span and the data plane's summary; the official ``braintrust`` SDK's ``Eval`` runs the same
cases against the same planes for comparison.

Writes ``bench/results/sdk.json`` and ``bench/results/sdk.md``.
"""

from __future__ import annotations

import gc
import json
import os
import platform
import statistics
import sys
import threading
import time
import uuid
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
SPANS = int(os.environ.get("BENCH_SDK_SPANS", "20000"))
WARMUP = int(os.environ.get("BENCH_SDK_WARMUP", "2000"))
PACE_US = float(os.environ.get("BENCH_SDK_PACE_US", "200"))
REPEATS = int(os.environ.get("BENCH_SDK_REPEATS", "3"))
TARGET_MEDIAN_US, TARGET_P99_US = 15.0, 50.0
EVAL_CASES = int(os.environ.get("BENCH_SDK_EVAL_CASES", "1000"))


def payload(i: int) -> tuple[dict[str, Any], dict[str, Any]]:
    """A chat-style input and output of about 2 KB each as JSON."""
    text = ("The quick brown fox jumps over the lazy dog while the model considers the refund policy. " * 11)[:1000]
    inp = {"messages": [{"role": "system", "content": "You are a helpful support agent."},
                        {"role": "user", "content": text}], "case": i, "model": "gpt-4o-mini",
           "params": {"temperature": 0.2, "max_tokens": 512}, "context": text[:800]}
    out = {"role": "assistant", "content": text + " " + text[:850], "finish_reason": "stop", "case": i}
    return inp, out


class _Sink(BaseHTTPRequestHandler):
    """Accepts what both SDKs send: login, project, version, logs3 (bodies read and dropped)."""

    protocol_version = "HTTP/1.1"

    def log_message(self, *args: Any) -> None:
        pass

    def _answer(self, body: dict[str, Any]) -> None:
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self) -> None:
        n = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(n)
        base = f"http://127.0.0.1:{self.server.server_address[1]}"
        if self.path.startswith("/api/apikey/login"):
            self._answer({"org_info": [{"id": "org-1", "name": "bench", "api_url": base, "proxy_url": base,
                                        "git_metadata": None}]})
        elif self.path.startswith("/v1/project"):
            self._answer({"id": "11111111-1111-4111-8111-111111111111", "name": "bench"})
        else:
            self._answer({})

    def do_GET(self) -> None:
        self._answer({})


def _stats(samples_ns: list[int]) -> dict[str, float]:
    us = sorted(s / 1000 for s in samples_ns)
    return {"median_us": round(statistics.median(us), 2), "p90_us": round(us[int(len(us) * 0.90)], 2),
            "p99_us": round(us[int(len(us) * 0.99)], 2), "max_us": round(us[-1], 2), "n": len(us)}


def _measure(one_span: Callable[[int], None], pace_us: float | None) -> dict[str, float]:
    payloads = [payload(i) for i in range(64)]
    for i in range(WARMUP):
        one_span(i)
    samples = []
    perf = time.perf_counter_ns
    gc.collect()
    sleep = time.sleep
    for i in range(SPANS):
        if pace_us:
            # an application between spans mostly waits on I/O (an LLM call, a database): it sleeps and
            # releases the GIL. A pure-Python spin here would starve every SDK's background thread.
            sleep(pace_us / 1e6)
        t0 = perf()
        one_span(i)
        samples.append(perf() - t0)
    del payloads
    return _stats(samples)


def bench_twinplane(url: str) -> tuple[Callable[[int], None], Callable[[], None]]:
    from twinplane.sdk.config import Config
    from twinplane.sdk.logger import Logger
    from twinplane.sdk.state import State

    # a queue large enough that no row is dropped: every measured span takes the enqueue path
    state = State(Config(api_key="tpk_bench", app_url=url, atexit_flush=False, queue_size=2_000_000))
    logger = Logger(state, "bench")
    data = [payload(i) for i in range(64)]

    def one(i: int) -> None:
        inp, out = data[i & 63]
        span = logger.start_span("work")
        span.log(input=inp, output=out)
        span.end()

    def done() -> dict[str, Any]:
        res = state.delivery.flush(60)
        stats = state.delivery.stats()
        print(f"   twinplane: flushed ok={res.ok} stats={stats}", flush=True)
        return {"rows_sent": stats.sent, "rows_dropped_queue_full": stats.dropped_queue_full,
                "rows_dropped_failed": stats.dropped_failed}

    return one, done


def bench_otel() -> tuple[Callable[[int], None], Callable[[], None]]:
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExporter, SpanExportResult

    class Discard(SpanExporter):
        def export(self, spans: Any) -> SpanExportResult:
            return SpanExportResult.SUCCESS

        def shutdown(self) -> None:
            pass

    provider = TracerProvider()
    provider.add_span_processor(BatchSpanProcessor(Discard()))
    tracer = provider.get_tracer("bench")
    # OTel attributes are primitives: the application passes the input/output as JSON text.
    data = [(json.dumps(a), json.dumps(b)) for a, b in (payload(i) for i in range(64))]

    def one(i: int) -> None:
        inp, out = data[i & 63]
        span = tracer.start_span("work")
        span.set_attribute("input", inp)
        span.set_attribute("output", out)
        span.end()

    return one, lambda: provider.force_flush()


def bench_braintrust(url: str) -> tuple[Callable[[int], None], Callable[[], None]]:
    os.environ["BRAINTRUST_DISABLE_ATEXIT_FLUSH"] = "1"
    import braintrust

    logger = braintrust.init_logger(project="bench", api_key="sk-bench", app_url=url, force_login=True)
    data = [payload(i) for i in range(64)]

    def one(i: int) -> None:
        inp, out = data[i & 63]
        span = logger.start_span(name="work")
        span.log(input=inp, output=out)
        span.end()

    return one, lambda: logger.flush()


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _start_up(data_dir: str) -> tuple[Any, dict[str, Any]]:
    """``twinplane up`` on free ports; returns the process and its up.json."""
    import subprocess

    import httpx

    cport, dport = _free_port(), _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TWINPLANE_", "BRAINTRUST_"))}
    log = open(os.path.join(data_dir, "up.log"), "ab")  # noqa: SIM115 - lives as long as the process
    proc = subprocess.Popen([sys.executable, "-m", "twinplane.cli.main", "up", "--data-dir", data_dir,
                             "--control-port", str(cport), "--data-port", str(dport)], stdout=log,
                            stderr=subprocess.STDOUT, env=env)
    deadline = time.monotonic() + 120
    path = os.path.join(data_dir, "up.json")
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError("twinplane up exited early; see " + os.path.join(data_dir, "up.log"))
        if os.path.exists(path):
            state = json.loads(open(path).read())
            try:
                if all(httpx.get(state[k] + "/healthz", timeout=1).status_code == 200
                       for k in ("control_url", "data_url")):
                    return proc, state
            except (httpx.HTTPError, KeyError):
                pass
        time.sleep(0.25)
    proc.kill()
    raise RuntimeError("twinplane up did not become ready")


def _eval_cases() -> list[dict[str, Any]]:
    return [{"input": f"question number {i} about the refund policy", "expected": f"answer {i}",
             "metadata": {"i": i}} for i in range(EVAL_CASES)]


def bench_eval_twinplane(state: dict[str, Any]) -> dict[str, Any]:
    import io

    from rich.console import Console

    import twinplane
    from twinplane.scorers import ExactMatch, Levenshtein

    twinplane.login(api_key=state["api_key"], app_url=state["control_url"], force_login=True, atexit_flush=False)
    t0 = time.perf_counter()
    result = twinplane.Eval("bench-eval", data=_eval_cases(), task=lambda q: "answer " + q.split()[2],
                            scores=[Levenshtein(), ExactMatch()], experiment_name="twinplane-1000",
                            max_concurrency=16, progress=False, console=Console(file=io.StringIO()))
    wall = time.perf_counter() - t0
    stats = twinplane.delivery_stats()
    summary = result.summary.scores if result.summary else {}
    return {"cases": EVAL_CASES, "wall_s": round(wall, 2), "cases_per_s": round(EVAL_CASES / wall, 1),
            "summary_from_data_plane": bool(result.experiment_id and summary),
            "mean_scores": {k: round(v.score or 0, 4) for k, v in summary.items()},
            "rows_sent": stats.sent, "rows_dropped": stats.dropped, "errors": result.errors}


def bench_eval_braintrust(state: dict[str, Any]) -> dict[str, Any]:
    """The official SDK's Eval on the same cases, in a subprocess (its globals stay out of ours)."""
    import subprocess

    script = f"""
import io, json, sys, time, contextlib
import braintrust
from autoevals import ExactMatch, Levenshtein
cases = [{{"input": f"question number {{i}} about the refund policy", "expected": f"answer {{i}}",
          "metadata": {{"i": i}}}} for i in range({EVAL_CASES})]
t0 = time.perf_counter()
with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
    res = braintrust.Eval("bench-eval", data=cases, task=lambda q: "answer " + q.split()[2],
                          scores=[Levenshtein, ExactMatch], experiment_name="braintrust-1000", max_concurrency=16)
print(json.dumps({{"wall_s": time.perf_counter() - t0,
                  "mean_scores": {{k: v.score for k, v in (res.summary.scores or {{}}).items()}}}}))
"""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TWINPLANE_", "BRAINTRUST_"))}
    env.update(BRAINTRUST_API_KEY=state["api_key"], BRAINTRUST_APP_URL=state["control_url"],
               BRAINTRUST_DISABLE_ATEXIT_FLUSH="1")
    out = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=600)
    if out.returncode != 0:
        return {"error": out.stderr[-500:]}
    body = json.loads(out.stdout.strip().splitlines()[-1])
    return {"cases": EVAL_CASES, "wall_s": round(body["wall_s"], 2),
            "cases_per_s": round(EVAL_CASES / body["wall_s"], 1),
            "mean_scores": {k: round(v or 0, 4) for k, v in body["mean_scores"].items()}}


def eval_benchmark() -> dict[str, Any]:
    import shutil
    import signal
    import tempfile

    data_dir = tempfile.mkdtemp(prefix="bench-sdk-up-")
    proc, state = _start_up(data_dir)
    try:
        out = {"twinplane": bench_eval_twinplane(state), "braintrust": bench_eval_braintrust(state)}
        print(f"   eval {out}", flush=True)
        return out
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except Exception:  # noqa: BLE001
            proc.kill()
        shutil.rmtree(data_dir, ignore_errors=True)


def main() -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Sink)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}"
    results: dict[str, Any] = {
        "what": "caller-thread time of start span + log ~2 KB input and ~2 KB output + end, per span",
        "spans": SPANS, "warmup": WARMUP, "repeats": REPEATS, "paced_interval_us": PACE_US,
        "python": sys.version.split()[0], "machine": f"{platform.machine()} {os.cpu_count()} CPUs",
        "run_id": uuid.uuid4().hex[:8], "sdks": {}, "load_average_at_start": list(os.getloadavg()),
    }
    factories = {"twinplane": lambda: bench_twinplane(url), "opentelemetry": bench_otel,
                 "braintrust": lambda: bench_braintrust(url)}
    only = [n for n in os.environ.get("BENCH_SDK_ONLY", "").split(",") if n]
    for name, factory in factories.items():
        if only and name not in only:
            continue
        one, done = factory()
        entry = {}
        for pace in ("paced", "tight"):
            runs = [_measure(one, None if pace == "tight" else PACE_US) for _ in range(REPEATS)]
            # each statistic is the median over the repetitions: robust to a noisy neighbour on shared CPUs
            entry[pace] = {k: round(statistics.median(r[k] for r in runs), 2) for k in runs[0]}
            entry[pace]["p99_us_each_run"] = [r["p99_us"] for r in runs]
            print(f"   {name:14s} {pace:6s} {entry[pace]}", flush=True)
            delivered = done()
            if isinstance(delivered, dict):  # cumulative counters of the Twinplane queue after this pace
                entry[pace]["delivery_after"] = delivered
        results["sdks"][name] = entry
    if only:
        print(json.dumps(results["sdks"], indent=1))
        return
    tp = results["sdks"]["twinplane"]
    for pace in ("tight", "paced"):
        for other in ("opentelemetry", "braintrust"):
            o = results["sdks"][other][pace]
            results.setdefault("ratios", {})[f"{pace}: twinplane / {other}"] = {
                "median": round(tp[pace]["median_us"] / o["median_us"], 2),
                "p99": round(tp[pace]["p99_us"] / o["p99_us"], 2)}
    results["targets"] = {"median_us": TARGET_MEDIAN_US, "p99_us": TARGET_P99_US,
                          "met": {p: tp[p]["median_us"] <= TARGET_MEDIAN_US and tp[p]["p99_us"] <= TARGET_P99_US
                                  for p in ("tight", "paced")}}
    server.shutdown()
    results["load_average_at_end"] = list(os.getloadavg())
    if os.environ.get("BENCH_SDK_SKIP_EVAL") != "1":
        results["eval"] = eval_benchmark()
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "sdk.json").write_text(json.dumps(results, indent=2) + "\n")
    lines = ["# SDK caller-thread cost per span", "", results["what"] + ".", "",
             f"{SPANS} spans after {WARMUP} warm-up spans, {REPEATS} runs (each figure is the median over the runs), Python {results['python']}, {results['machine']}. "
             f"`tight`: back to back; `paced`: the caller sleeps {PACE_US:g} µs between spans. Background delivery to a local "
             "sink server runs meanwhile (OTel: batch processor, discarding exporter; its input/output are JSON "
             "strings made by the application beforehand). The Twinplane queue is sized so that no row is dropped "
             "(the tight loop produces rows faster than one background thread sends them; with the default "
             "queue size the SDK would drop and count them rather than block). `tight` is the caller's CPU cost "
             "per span; `paced` adds the effects of sleeping between spans (cold caches, the background thread "
             "running meanwhile). The machine is shared: load average "
             f"{results['load_average_at_start'][0]:.1f} at the start and "
             f"{results['load_average_at_end'][0]:.1f} at the end of the span runs, on {os.cpu_count()} CPUs.", "",
             "| SDK | pace | median µs | p90 µs | p99 µs | max µs |", "|---|---|---|---|---|---|"]
    for name, entry in results["sdks"].items():
        for pace, s in entry.items():
            lines.append(f"| {name} | {pace} | {s['median_us']} | {s['p90_us']} | {s['p99_us']} | {s['max_us']} |")
    lines += ["", "| ratio (twinplane / other) | median | p99 |", "|---|---|---|"]
    for k, v in results["ratios"].items():
        lines.append(f"| {k} | {v['median']} | {v['p99']} |")
    lines += ["", f"Target: median ≤ {TARGET_MEDIAN_US:g} µs, p99 ≤ {TARGET_P99_US:g} µs: "
              + ", ".join(f"{p} {'met' if m else 'NOT met'}" for p, m in results["targets"]["met"].items()), ""]
    if "eval" in results:
        lines += ["## Eval of " + str(EVAL_CASES) + " cases against `twinplane up`", "",
                  "From the `Eval(...)` call to its result: experiment created, every span sent, the data plane's "
                  "summary fetched. Trivial task, Levenshtein + ExactMatch, max_concurrency 16, SQLite.", "",
                  "| SDK | wall s | cases/s | mean scores |", "|---|---|---|---|"]
        for name, r in results["eval"].items():
            lines.append(f"| {name} | {r.get('wall_s')} | {r.get('cases_per_s')} | {r.get('mean_scores', r.get('error'))} |")
        lines.append("")
    (RESULTS / "sdk.md").write_text("\n".join(lines))


if __name__ == "__main__":
    main()
