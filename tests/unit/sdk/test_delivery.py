"""Background delivery: retries, Retry-After, 413 splitting, bounded flush, drops, fork."""

from __future__ import annotations

import os
import socket
import time

from twinplane.sdk import state as state_mod
from twinplane.sdk.config import Config
from twinplane.sdk.logger import Logger

from .conftest import make_state
from .wire_server import API_KEY, Fault


def _log(state, n=1, size=0, project="p"):
    lg = Logger(state, project)
    for i in range(n):
        lg.log(input={"i": i, "pad": "x" * size}, output=i)
    return lg


def test_retries_5xx_and_honours_retry_after(server) -> None:
    st = make_state(server.url, max_backoff=2.0)
    server.fail("/logs3", Fault(503), Fault(429, retry_after="0.4"))
    lg = _log(st, 3)
    t0 = time.monotonic()
    res = st.delivery.flush(10)
    elapsed = time.monotonic() - t0
    assert res.ok and res.sent == 3, res
    assert elapsed >= 0.4  # waited as long as Retry-After asked
    assert [p for p in server.paths() if p == "POST /logs3"] == ["POST /logs3"] * 3
    assert len(server.rows("project_logs", lg.id)) == 3
    assert st.delivery.stats().retries == 2


def test_413_splits_the_batch_and_drops_a_single_oversized_row(server) -> None:
    st = make_state(server.url)
    server.fail("/logs3", Fault(413), Fault(413))  # whole batch, then its first half
    lg = _log(st, 4)
    res = st.delivery.flush(10)
    assert res.ok and res.sent == 4
    assert len(server.rows("project_logs", lg.id)) == 4
    bodies = [len(b["rows"]) for m, p, b in server.requests if p == "/logs3"]
    assert bodies == [4, 2, 1, 1, 2]

    server.fail("/logs3", Fault(413))
    Logger(st, "p").log(input="one")
    res = st.delivery.flush(10)
    assert not res.ok and res.dropped == 1 and st.delivery.stats().dropped_too_large == 1


def test_batches_by_count_and_bytes_and_server_limit(server) -> None:
    server.payload_max = 20_000
    st = make_state(server.url, batch_size=5)
    _log(st, 12, size=3000)
    assert st.delivery.flush(10).ok
    sizes = [len(b["rows"]) for m, p, b in server.requests if p == "/logs3"]
    assert sum(sizes) == 12 and max(sizes) <= 5
    assert all(len(c) <= 20_000 for c in [str(b) for m, p, b in server.requests if p == "/logs3"])


def test_non_retryable_errors_drop_and_count(server) -> None:
    st = make_state(server.url)
    server.fail("/logs3", Fault(400))
    _log(st, 2)
    res = st.delivery.flush(10)
    assert not res.ok and res.dropped == 2 and st.delivery.stats().dropped_failed == 2


def test_flush_returns_in_time_when_the_data_plane_is_unreachable() -> None:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()  # nothing listens there
    st = state_mod.State(Config(api_key=API_KEY, app_url=f"http://127.0.0.1:{port}", flush_interval=0.02,
                                max_backoff=0.5, atexit_flush=False))
    _log(st, 5)
    t0 = time.monotonic()
    res = st.delivery.flush(0.5)
    assert time.monotonic() - t0 < 1.0
    assert not res.ok and (res.timed_out or res.dropped == 5)
    assert res.pending + res.dropped >= 5 or res.timed_out


def test_flush_returns_in_time_when_the_server_hangs(server) -> None:
    st = make_state(server.url)
    server.fail("/logs3", Fault(500, hang=3.0))
    _log(st, 2)
    t0 = time.monotonic()
    res = st.delivery.flush(0.3)
    assert time.monotonic() - t0 < 0.8 and res.timed_out and res.pending == 4  # rows queued: start + end of each span


def test_full_queue_drops_new_rows_and_counts_them(server) -> None:
    st = make_state(server.url, queue_size=10, flush_interval=5.0)
    lg = Logger(st, "q")
    t0 = time.perf_counter()
    for i in range(100):
        lg.log(input=i)  # 2 rows each
    assert time.perf_counter() - t0 < 0.5
    stats = st.delivery.stats()
    assert stats.dropped_queue_full >= 90 and stats.pending <= 10


def test_host_unharmed_by_errors_and_login_failure(server) -> None:
    st = state_mod.State(Config(api_key="tpk_wrong", app_url=server.url, flush_interval=0.02, max_backoff=0.01,
                                atexit_flush=False))
    lg = Logger(st, "x")
    with lg.start_span("s") as span:
        span.log(output=1)
    res = st.delivery.flush(5)
    assert not res.ok and res.dropped == 3  # start, log and end rows; none could be sent
    assert "/logs3" not in [p for _, p, _ in server.requests]


def test_forked_child_starts_with_an_empty_queue(server) -> None:
    st = state_mod.set_state(make_state(server.url, flush_interval=5.0))
    try:
        lg = Logger(st, "fork")
        lg.log(input="parent-before-fork")
        r, w = os.pipe()
        pid = os.fork()
        if pid == 0:  # child: parent's pending rows are not re-sent; its own rows are
            try:
                stats = st.delivery.stats()
                lg.log(input="child")
                res = st.delivery.flush(5)
                os.write(w, f"{stats.pending},{res.sent}".encode())
            finally:
                os._exit(0)
        os.waitpid(pid, 0)
        child_pending, child_sent = map(int, os.read(r, 100).decode().split(","))
        assert child_pending == 0 and child_sent == 1  # start and end rows fold into one
        assert st.delivery.flush(5).ok
        inputs = sorted(r_["input"] for r_ in server.rows("project_logs", lg.id))
        assert inputs == ["child", "parent-before-fork"]
    finally:
        state_mod.set_state(state_mod.State(Config(api_key=None, atexit_flush=False)))


HOST = """
import sys, time
import twinplane

twinplane.login(api_key=sys.argv[1], app_url=sys.argv[2])
logger = twinplane.init_logger("host")
t0 = time.perf_counter()
total = 0
for i in range(2000):
    with logger.start_span("work", input={"i": i}) as span:
        total += i
        span.log(output=total)
print("DONE", total, round(time.perf_counter() - t0, 3), flush=True)
"""


import pytest  # noqa: E402


@pytest.mark.parametrize("fault", [Fault(500, times=10**6), Fault(429, retry_after="120", times=10**6),
                                   Fault(200, hang=30, times=10**6)], ids=["500", "429", "no-answer"])
def test_host_program_unharmed_and_exits_in_time(server, fault) -> None:
    import subprocess
    import sys

    server.fail("/logs3", fault)
    env = {k: v for k, v in os.environ.items() if not k.startswith("TWINPLANE_")}
    env.update(TWINPLANE_ATEXIT_FLUSH_TIMEOUT="1", TWINPLANE_MAX_BACKOFF="0.5")
    t0 = time.monotonic()
    proc = subprocess.run([sys.executable, "-c", HOST, API_KEY, server.url], env=env, capture_output=True,
                          text=True, timeout=60)
    elapsed = time.monotonic() - t0
    assert proc.returncode == 0, proc.stderr
    assert f"DONE {sum(range(2000))}" in proc.stdout
    assert float(proc.stdout.split()[-1]) < 2.0  # 2000 spans took the host well under 1 ms each
    assert elapsed < 8  # start-up + run + the exit-time flush, capped at 1 s
    assert "Traceback" not in proc.stderr


def test_failed_login_is_not_retried_on_every_cycle(server) -> None:
    st = state_mod.State(Config(api_key="tpk_wrong", app_url=server.url, flush_interval=0.01, atexit_flush=False))
    lg = Logger(st, "x")
    for _ in range(5):
        lg.log(input=1)
        st.delivery.flush(2)
    logins = [p for _, p, _ in server.requests if p == "/api/apikey/login"]
    assert len(logins) == 1 and st.delivery.stats().dropped_failed == 10
    import pytest as _pytest

    from twinplane.sdk.errors import LoginError

    with _pytest.raises(LoginError, match=r"tpk_\*\*\*ng"):
        st.login()
    with _pytest.raises(LoginError):
        st.login(force=True)
    assert len([p for _, p, _ in server.requests if p == "/api/apikey/login"]) == 2


def test_experiment_and_dataset_rows_wait_for_room_instead_of_dropping(server) -> None:
    from twinplane.sdk.dataset import Dataset
    from twinplane.sdk.experiment import Experiment

    st = make_state(server.url, queue_size=8, batch_size=4)
    exp = Experiment(st, "bp", "e")
    for i in range(50):
        exp.log(input=i, output=i)
    ds = Dataset(st, "bp", "d")
    for i in range(50):
        ds.insert(input=i)
    assert st.delivery.flush(10).ok
    assert st.delivery.stats().dropped_queue_full == 0
    assert len(server.rows("experiment", exp.id)) == 50 and len(server.rows("dataset", ds.id)) == 50
