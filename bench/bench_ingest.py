"""HTTP ingest through ``/logs3`` into ONE data-plane process, on SQLite and PostgreSQL.

Setup: a real control plane (``twinplane control-plane serve``) and one data plane
(``twinplane data-plane serve``: uvicorn, uvloop, httptools) as subprocesses on 127.0.0.1,
bootstrapped like ``twinplane up`` does. The data plane validates the API key once through
a real introspection and then serves it from its cache, so each request pays the cached
auth path, the rate limiter, validation, and the store write.

Load: a separate load-generator process with ``CONNECTIONS`` keep-alive connections (a
minimal HTTP/1.1 client, so the generator's own cost stays small on a 2-core machine),
posting 100-row batches of ~2 KB spans as the SDK does (raw body, no Content-Type) for at
most ``SECONDS`` and ``MAX_BATCHES``. Every ``PROBE_EVERY``-th batch carries a unique word;
a prober measures how long after the acknowledgement that batch is visible to a fetch by
row id and to a full-text search for the word.

Ratio: the same load against a parse-only endpoint (same uvicorn settings, orjson parse
of the body, 200) measured in the same run gives the HTTP + parse ceiling.

``python -m bench.bench_ingest [sqlite|postgresql ...]`` writes
``bench/results/ingest_<engine>.json`` and ``ingest.md``.
"""

from __future__ import annotations

import asyncio
import json
import multiprocessing as mp
import os
import platform
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.pg import create_database, drop_database
from bench.proc import cpu_seconds, machine_cpu_seconds, process_tree

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
SECONDS = float(os.environ.get("BENCH_INGEST_SECONDS", "15"))
MAX_BATCHES = int(os.environ.get("BENCH_INGEST_MAX_BATCHES", "4000"))
CONNECTIONS = int(os.environ.get("BENCH_INGEST_CONNECTIONS", "8"))
# Row ids: "ordered" (per connection a prefix and a counter: every index on ids is appended to)
# or "random" (uuid4, as the SDK makes them: every index on ids is written at random places).
IDS = os.environ.get("BENCH_INGEST_IDS", "ordered")
if IDS not in ("ordered", "random"):
    raise SystemExit("BENCH_INGEST_IDS must be 'ordered' or 'random'")
# Span text: "small" (140 words drawn from a 20-word list: few distinct words, the cheapest case for
# the full-text index) or "zipf" (140 words from the query benchmark's Zipf(1.1) vocabulary of 50,000
# synthetic words: ~100 distinct words per span, as in real prose).
TEXT = os.environ.get("BENCH_INGEST_TEXT", "small")
if TEXT not in ("small", "zipf"):
    raise SystemExit("BENCH_INGEST_TEXT must be 'small' or 'zipf'")
BATCH = 100
PROBE_EVERY = 25
PROBE_INTERVAL = 0.1  # seconds between visibility polls: the precision of the lag figures, at little load
TARGETS = {"sqlite": 25_000, "postgresql": 15_000}

_MARK = re.compile(rb"@@(ID|WORD|CREATED)@@")
_WORDS = ("refund order customer shipping invoice delay account password reset billing upgrade plan "
          "support ticket priority answer question model latency token prompt").split()


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# --- the payload ------------------------------------------------------------------------

def _row_parts(project_id: str, n: int) -> list[tuple[list[bytes], list[bytes]]]:
    """``n`` ~2 KB span rows split around the marks of their id, creation time and probe word, so a
    batch is one bytes join."""
    import orjson

    parts = []
    pick = _zipf_words() if TEXT == "zipf" else (lambda rng: rng.choice(_WORDS))
    for i in range(n):
        rng = random.Random(i)
        text = " ".join(pick(rng) for _ in range(140))
        now = time.time()
        row = {
            "id": "@@ID@@", "project_id": project_id, "log_id": "g", "created": "@@CREATED@@",
            "span_id": "@@ID@@", "root_span_id": "@@ID@@", "span_parents": None,
            "input": {"messages": [{"role": "system", "content": "You are a support agent."},
                                   {"role": "user", "content": text[:500]}]},
            "output": {"role": "assistant", "content": text[500:] + " @@WORD@@"},
            "expected": text[:200],
            "metadata": {"model": rng.choice(["gpt-4o", "gpt-4o-mini", "claude"]), "customer": f"c{i % 97}",
                         "region": rng.choice(["eu", "us"]), "version": "1.4.2"},
            "metrics": {"start": now, "end": now + 0.5, "prompt_tokens": 120 + i % 50, "completion_tokens": 80,
                        "tokens": 200 + i % 50},
            "scores": {"Factuality": rng.random(), "Levenshtein": rng.random()},
            "span_attributes": {"name": "llm", "type": "llm", "exec_counter": i},
            "tags": ["bench"],
            "context": {"caller_filename": "app.py", "caller_functionname": "answer", "caller_lineno": 42},
        }
        pieces = _MARK.split(orjson.dumps(row))  # text, mark, text, mark, ..., text
        parts.append((pieces[0::2], pieces[1::2]))
    return parts


def _zipf_words() -> Any:
    """A word picker over the query benchmark's vocabulary, frequent words first (Zipf)."""
    import itertools

    from bench.query_corpus import VOCAB_SIZE, ZIPF_S, vocabulary

    words = vocabulary(random.Random(11))
    cum = list(itertools.accumulate((k + 1) ** -ZIPF_S for k in range(VOCAB_SIZE)))
    return lambda rng: rng.choices(words, cum_weights=cum)[0]


def _batch(parts: list[tuple[list[bytes], list[bytes]]], prefix: str, seq: int, word: str | None) -> tuple[bytes, list[str]]:
    if IDS == "random":
        ids = [uuid.uuid4().hex for _ in range(BATCH)]
    else:
        ids = [f"{prefix}{seq:07d}{i:03d}" for i in range(BATCH)]
    # one join of prepared pieces, no search-and-replace: the generator's CPU is the server's loss
    # ``created`` as the SDK sets it: the time the span started (here: the batch's, a microsecond apart)
    now = datetime.now(UTC)
    stamp, micro = now.strftime("%Y-%m-%dT%H:%M:%S"), now.microsecond
    w = (word or "plain").encode()
    out = [b'{"rows":[']
    for i, rid in enumerate(ids):
        texts, marks = parts[(seq * BATCH + i) % len(parts)]
        values = {b"ID": rid.encode(), b"WORD": w,
                  b"CREATED": f"{stamp}.{min(micro + i, 999_999):06d}+00:00".encode()}
        if i:
            out.append(b",")
        out.append(texts[0])
        for mark, text in zip(marks, texts[1:], strict=True):
            out.append(values[mark])
            out.append(text)
    out.append(b'],"api_version":2}')
    return b"".join(out), ids


# --- a minimal keep-alive HTTP/1.1 client ----------------------------------------------------

class Conn:
    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def request(self, method: str, path: str, body: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        assert self.reader is not None
        head = f"{method} {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\nContent-Length: {len(body)}\r\n"
        head += "".join(f"{k}: {v}\r\n" for k, v in headers.items()) + "\r\n"
        self.writer.write(head.encode() + body)
        status_line = await self.reader.readline()
        status = int(status_line.split()[1])
        length = 0
        while True:
            line = await self.reader.readline()
            if line in (b"\r\n", b""):
                break
            k, _, v = line.decode("latin-1").partition(":")
            if k.strip().lower() == "content-length":
                length = int(v.strip())
        data = await self.reader.readexactly(length) if length else b""
        return status, data


# --- the load generator (its own process) ------------------------------------------------------

async def _load(url: str, api_key: str, project_id: str, probe: bool, out: Any) -> None:
    import orjson

    host, port = url.removeprefix("http://").split(":")
    headers = {"Authorization": f"Bearer {api_key}"}
    parts = _row_parts(project_id, 257)
    prefix = uuid.uuid4().hex[:12]
    seq = 0
    acked = 0
    failures: dict[int, int] = {}
    latencies: list[float] = []
    probes: list[asyncio.Task[None]] = []
    fetch_lag: list[float] = []
    search_lag: list[float] = []
    unseen = {"fetch": 0, "search": 0}
    deadline = time.monotonic() + SECONDS

    async def prober(word: str, row_id: str, t_ack: float) -> None:
        c = Conn(host, int(port))
        q_fetch = orjson.dumps({"object_type": "project_logs", "object_id": project_id,
                                "filter": f"id = '{row_id}'", "limit": 1})
        q_search = orjson.dumps({"object_type": "project_logs", "object_id": project_id, "search": word,
                                 "limit": 1})
        got_fetch = got_search = False
        give_up = t_ack + 10.0
        while time.monotonic() < give_up and not (got_fetch and got_search):
            if not got_fetch:
                s, data = await c.request("POST", "/v1/query", q_fetch, headers)
                if s == 200 and orjson.loads(data)["data"]:
                    got_fetch = True
                    fetch_lag.append(time.monotonic() - t_ack)
            if not got_search:
                s, data = await c.request("POST", "/v1/query", q_search, headers)
                if s == 200 and orjson.loads(data)["data"]:
                    got_search = True
                    search_lag.append(time.monotonic() - t_ack)
            if not (got_fetch and got_search):
                await asyncio.sleep(PROBE_INTERVAL)
        unseen["fetch"] += not got_fetch
        unseen["search"] += not got_search
        if c.writer is not None:
            c.writer.close()

    async def worker() -> None:
        nonlocal seq, acked
        c = Conn(host, int(port))
        while time.monotonic() < deadline and seq < MAX_BATCHES:
            my = seq
            seq += 1
            word = f"w{prefix}{my:07d}" if probe and my % PROBE_EVERY == 0 else None
            body, ids = _batch(parts, prefix, my, word)
            t0 = time.monotonic()
            status, _ = await c.request("POST", "/logs3", body, headers)
            t1 = time.monotonic()
            if status == 200:
                acked += BATCH
                latencies.append(t1 - t0)
                if word:
                    probes.append(asyncio.create_task(prober(word, ids[-1], t1)))
            else:
                failures[status] = failures.get(status, 0) + 1

    t_start = time.monotonic()
    await asyncio.gather(*(worker() for _ in range(CONNECTIONS)))
    elapsed = time.monotonic() - t_start
    await asyncio.gather(*probes)
    q = statistics.quantiles
    out.put({
        "seconds": round(elapsed, 2), "batches": seq, "rows_acknowledged": acked,
        "rows_per_second": round(acked / elapsed), "requests_per_second": round(len(latencies) / elapsed, 1),
        "failures": failures, "bytes_per_batch": len(_batch(parts, prefix, 0, None)[0]),
        "request_latency_ms": {"p50": round(q(latencies, n=100)[49] * 1000, 1),
                               "p95": round(q(latencies, n=100)[94] * 1000, 1)} if len(latencies) > 2 else {},
        "visibility_s": {
            "samples": len(probes), "fetch_unseen_10s": unseen["fetch"], "search_unseen_10s": unseen["search"],
            "fetch_p50": _p(fetch_lag, 50), "fetch_p95": _p(fetch_lag, 95),
            "search_p50": _p(search_lag, 50), "search_p95": _p(search_lag, 95),
        } if probe else None,
    })


def _p(xs: list[float], pct: int) -> float | None:
    if len(xs) < 2:
        return round(xs[0], 3) if xs else None
    return round(statistics.quantiles(xs, n=100)[pct - 1], 3)


def _load_process(url: str, api_key: str, project_id: str, probe: bool, out: Any) -> None:
    import uvloop

    uvloop.run(_load(url, api_key, project_id, probe, out))


def run_load(url: str, api_key: str, project_id: str, probe: bool, server_pid: int | None = None) -> dict[str, Any]:
    """Run the load generator; with ``server_pid``, also the CPU the server's processes and the
    generator spent per acknowledged row (µs), which other work on the machine distorts far less
    than rows/s."""
    ctx = mp.get_context("spawn")
    out = ctx.Queue()
    tree = process_tree(server_pid) if server_pid else []
    before = {p: cpu_seconds(p) for p in tree}
    machine = machine_cpu_seconds()
    p = ctx.Process(target=_load_process, args=(url, api_key, project_id, probe, out))
    p.start()
    result = dict(out.get(timeout=SECONDS + 120))
    if server_pid:
        rows = max(1, result["rows_acknowledged"])
        cpu = {}
        for pid in tree:  # the server first
            used = round((cpu_seconds(pid) - before[pid]) / rows * 1e6, 1)
            if used > 0.05:  # idle helpers (multiprocessing's resource tracker) are left out
                cpu["data plane" if pid == server_pid else f"data plane child {len(cpu)}"] = used
        cpu["load generator"] = round(cpu_seconds(p.pid or 0) / rows * 1e6, 1)
        # everything busy on the machine meanwhile: with PostgreSQL its backends; other work too
        cpu["whole machine"] = round((machine_cpu_seconds() - machine) / rows * 1e6, 1)
        result["cpu_us_per_row"] = cpu
    p.join(timeout=30)
    return result


# --- the parse-only endpoint (same uvicorn settings) ---------------------------------------------

def _parse_only_app() -> Any:
    import orjson
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import Response
    from starlette.routing import Route

    async def logs3(request: Request) -> Response:
        body = orjson.loads(await request.body())
        return Response(orjson.dumps({"rows": len(body["rows"])}), media_type="application/json")

    async def healthz(request: Request) -> Response:
        return Response(b"{}", media_type="application/json")

    return Starlette(routes=[Route("/logs3", logs3, methods=["POST"]), Route("/healthz", healthz)])


def serve_parse_only(port: int) -> None:
    import uvicorn

    uvicorn.run(_parse_only_app(), host="127.0.0.1", port=port, loop="uvloop", http="httptools",
                log_level="warning", access_log=False)


# --- where the data plane's time goes (py-spy collapsed stacks) ----------------------------------

def profile_share(path: str) -> dict[str, float]:
    """Share of samples per area, by the innermost twinplane frame of each stack (a driver call
    made by the store counts as store time; stacks with no twinplane frame are server/framework)."""
    counts: dict[str, int] = {}
    total = 0
    for line in Path(path).read_text().splitlines():
        stack, _, n = line.rpartition(" ")
        if not stack or not n.isdigit():
            continue
        area = "server, framework and event loop"
        frames = stack.split(";")
        # a leaf in the event loop itself is the loop's C code (uvloop, driver callbacks), whatever py-spy
        # shows above it
        for frame in reversed(frames if "asyncio/runners.py" not in frames[-1] else []):
            if "twinplane/server/data_plane/store/" in frame:
                area = "store (SQL, indexing, driver)"
                break
            if "twinplane/server/data_plane/" in frame or "twinplane/wire/" in frame:
                area = "data-plane app (auth, checks, routing)"
                break
        counts[area] = counts.get(area, 0) + int(n)
        total += int(n)
    return {k: round(v / total, 3) for k, v in sorted(counts.items(), key=lambda kv: -kv[1])} if total else {}


# --- the planes ----------------------------------------------------------------------------------

def _wait(url: str, proc: subprocess.Popen[bytes], path: str = "/healthz", timeout: float = 60) -> None:
    import httpx

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server at {url} exited with {proc.returncode}")
        try:
            if httpx.get(url + path, timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{url}{path} did not answer")


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def bench_engine(engine: str, workdir: Path) -> dict[str, Any]:
    import httpx

    from twinplane.cli.up import prepare, spawn

    cport, dport, pport = _free_port(), _free_port(), _free_port()
    launch = prepare(workdir, control_port=cport, data_port=dport)
    data_env = dict(launch.data_env)
    pg_url = None
    if engine == "postgresql":
        pg_url = create_database()
        data_env["TWINPLANE_DATA_DATABASE_URL"] = pg_url
    data_env.update({"TWINPLANE_DATA_RATE_LIMIT_ORG": "1000000/second", "TWINPLANE_DATA_RATE_LIMIT_KEY": "1000000/second",
                     "TWINPLANE_DATA_AUTH_CACHE_TTL_SECONDS": "600", "TWINPLANE_DATA_LOG_LEVEL": "warning"})
    logs = workdir / "logs"
    control = spawn("control-plane", launch.control_env, logs / "control.log")
    data = parse = None
    try:
        _wait(launch.state["control_url"], control)
        data = spawn("data-plane", data_env, logs / "data.log")
        _wait(launch.state["data_url"], data, "/readyz")
        key = launch.state["api_key"]
        with httpx.Client(base_url=launch.state["data_url"], headers={"Authorization": f"Bearer {key}"}) as c:
            r = c.post("/v1/project", json={"name": "bench"})  # the one real introspection
            r.raise_for_status()
            project_id = r.json()["id"]
        profiler = None
        if os.environ.get("BENCH_INGEST_PROFILE"):  # py-spy collapsed stacks of the data plane under load
            profiler = subprocess.Popen([str(Path(sys.executable).parent / "py-spy"), "record", "--pid",
                                         str(data.pid), "--subprocesses", "--threads", "-d", str(int(SECONDS)), "--format", "raw", "-o",
                                         os.environ["BENCH_INGEST_PROFILE"], "--nonblocking"])
        result = run_load(launch.state["data_url"], key, project_id, probe=True, server_pid=data.pid)
        if profiler is not None:
            profiler.wait(timeout=60)
            result["profile_share"] = profile_share(os.environ["BENCH_INGEST_PROFILE"])
        parse = subprocess.Popen([sys.executable, "-c", f"from bench.bench_ingest import serve_parse_only; "
                                  f"serve_parse_only({pport})"], cwd=str(HERE.parent))
        _wait(f"http://127.0.0.1:{pport}", parse)
        baseline = run_load(f"http://127.0.0.1:{pport}", key, project_id, probe=False)
        result["parse_only_rows_per_second"] = baseline["rows_per_second"]
        result["ratio_to_parse_only"] = round(result["rows_per_second"] / max(1, baseline["rows_per_second"]), 3)
    finally:
        for p in (parse, data, control):
            if p is not None:
                _stop(p)
        if pg_url:
            drop_database(pg_url)
    result.update(engine=engine, target_rows_per_second=TARGETS[engine],
                  meets_target=result["rows_per_second"] >= TARGETS[engine],
                  connections=CONNECTIONS, batch_rows=BATCH, ids=IDS, text=TEXT,
                  env={"python": platform.python_version(), "machine": platform.machine(), "cpus": os.cpu_count(),
                       # other work on the machine during the run (1-minute load average at the end)
                       "load_average_1m": round(os.getloadavg()[0], 2)})
    return result


def _result_name(engine: str, ids: str, text: str = "small") -> str:
    return (f"ingest_{engine}" + ("" if ids == "ordered" else f"_{ids}_ids")
            + ("" if text == "small" else f"_{text}_text") + ".json")


def _label(r: dict[str, Any]) -> str:
    extra = ([f"{r['ids']} ids"] if r.get("ids", "ordered") != "ordered" else []) + \
        ([f"{r['text']} text"] if r.get("text", "small") != "small" else [])
    return ", ".join([r["engine"], *extra])


def _markdown(results: list[dict[str, Any]]) -> str:
    lines = [
        "# /logs3 ingest benchmark", "",
        "Command: `.venv/bin/python -m bench.bench_ingest sqlite postgresql` "
        f"(BENCH_INGEST_SECONDS={SECONDS:g}, CONNECTIONS={CONNECTIONS}, 100-row batches of ~2 KB spans).", "",
        "One data-plane process (uvicorn + uvloop + httptools) on 127.0.0.1, a real control plane process, "
        "API key introspected once then served from the auth cache; a separate load-generator process "
        "(keep-alive raw HTTP/1.1 connections). Visibility: every 25th batch probed through `/v1/query` "
        "(fetch by id, and full-text search for a word unique to the batch) every 0.1 s until found. "
        "CPU per row: the data-plane process and its children (on SQLite, child 1 is the writer process "
        "with the full-text indexer), the load generator, and the whole machine (PostgreSQL's backends "
        "and any other work included).", "",
        "Row ids: `ordered` (a prefix and a counter per connection, the default) or `random` "
        "(`BENCH_INGEST_IDS=random`: uuid4, as the SDK makes them, so every index on ids is written at "
        "random places). Each row's `created` is the time its batch was built, a microsecond apart, "
        "as the SDK stamps a span's start.", "",
        "Text: `small` (140 words from a 20-word list, the default) or `zipf` (`BENCH_INGEST_TEXT=zipf`: 140 "
        "words from the query benchmark's Zipf(1.1) vocabulary of 50,000 words, ~100 distinct words per span "
        "as in real prose: more work for the full-text index).", "",
        "| engine | ids | text | rows/s acked | target | parse-only rows/s | ratio | req p50 / p95 ms | fetch vis. p95 s | search vis. p95 s |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        v = r.get("visibility_s") or {}
        lat = r.get("request_latency_ms") or {}
        lines.append(f"| {r['engine']} | {r.get('ids', 'ordered')} | {r.get('text', 'small')} | {r['rows_per_second']:,} | "
                     f"{r['target_rows_per_second']:,} | "
                     f"{r['parse_only_rows_per_second']:,} | {r['ratio_to_parse_only']} | "
                     f"{lat.get('p50')} / {lat.get('p95')} | {v.get('fetch_p95')} | {v.get('search_p95')} |")
    for r in results:
        if r.get("cpu_us_per_row"):
            parts = ", ".join(f"{k} {v}" for k, v in r["cpu_us_per_row"].items())
            budget = 2e6 / r["target_rows_per_second"]
            lines += ["", f"CPU µs per acknowledged row ({_label(r)}, /proc): {parts}. At the target "
                      f"rate two cores allow {budget:.0f} µs per row for everything, load generator included."]
    for r in results:
        if r.get("profile_share"):
            shares = ", ".join(f"{k} {v:.0%}" for k, v in r["profile_share"].items())
            lines += ["", f"Where the data-plane process spent its samples ({r['engine']}, py-spy): {shares}."]
    loads = ", ".join(f"{_label(r)} {r['env'].get('load_average_1m')}" for r in results)
    lines += ["", f"1-minute load average at the end of each run (other work on the machine): {loads}."]
    lines += ["", "Machine: 2 vCPUs shared by the server, the load generator and other work; single runs. "
              "Raw figures in `ingest_<engine>.json` (`ingest_<engine>_random_ids.json`, `..._zipf_text.json`).", ""]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    engines = argv or ["sqlite", "postgresql"]
    RESULTS.mkdir(parents=True, exist_ok=True)
    for engine in engines:
        work = Path(tempfile.mkdtemp(prefix=f"tp-bench-{engine}-"))
        try:
            r = bench_engine(engine, work)
        finally:
            shutil.rmtree(work, ignore_errors=True)
        (RESULTS / _result_name(engine, IDS, TEXT)).write_text(json.dumps(r, indent=2) + "\n")
        print(json.dumps(r, indent=2), flush=True)
    # the page covers every engine measured so far (a run of one engine keeps the other's figures)
    measured = [json.loads(p.read_text()) for e in TARGETS for ids in ("ordered", "random")
                for text in ("small", "zipf") if (p := RESULTS / _result_name(e, ids, text)).exists()]
    if measured:
        (RESULTS / "ingest.md").write_text(_markdown(measured))


if __name__ == "__main__":
    main(sys.argv[1:])
