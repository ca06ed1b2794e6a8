"""Both planes as real processes, started the way ``twinplane up`` starts them."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx

from support.ports import free_port

# logs3_payload_max_bytes of the ``small_payload_planes`` fixture: rows of a few dozen KB overflow
SMALL_PAYLOAD_MAX_BYTES = 8192


def end_process(proc: subprocess.Popen[bytes] | None, sig: int = signal.SIGTERM, timeout: float = 30) -> None:
    """Send ``sig`` and wait; kill the process if it does not exit in time."""
    if proc is not None and proc.poll() is None:
        proc.send_signal(sig)
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


class Planes:
    """What every way of running the two planes exposes: their URLs and the bootstrap API key."""

    state: dict

    @property
    def control_url(self) -> str:
        return self.state["control_url"]

    @property
    def data_url(self) -> str:
        return self.state["data_url"]

    @property
    def api_key(self) -> str:
        return self.state["api_key"]

    def client(self, key: str | None = None) -> httpx.Client:
        """The data plane, with the bootstrap API key (or ``key``)."""
        return httpx.Client(base_url=self.data_url, headers={"Authorization": f"Bearer {key or self.api_key}"},
                            timeout=30)

    def fetch_all(self, path: str) -> list[dict]:
        """Every event of a ``.../fetch`` endpoint (``/v1/project_logs/<id>/fetch``, ...), page after page."""
        rows: list[dict] = []
        cursor = None
        with self.client() as c:
            while True:
                r = c.post(path, json={"limit": 1000, **({"cursor": cursor} if cursor else {})})
                assert r.status_code == 200, r.text
                page = r.json()
                rows += page["events"]
                cursor = page.get("cursor")
                if not cursor or not page["events"]:
                    return rows


class RunningPlanes(Planes):
    """``twinplane up`` running as a subprocess: two planes, two ports, two SQLite databases."""

    def __init__(self, proc, state: dict, data_dir: str, log_path: str) -> None:
        self.proc = proc
        self.state = state
        self.data_dir = data_dir
        self.log_path = log_path

    def stop(self) -> None:
        end_process(self.proc)


def start_planes(data_dir: str, *, demo: bool = False, timeout: float = 120.0,
                 control_port: int | None = None, data_port: int | None = None) -> RunningPlanes:
    """Start ``twinplane up`` on free ports and wait until both planes answer."""
    import json
    import subprocess
    import sys
    import time

    import httpx

    cport, dport = control_port or free_port(), data_port or free_port()
    log_path = os.path.join(data_dir, "up.log")
    os.makedirs(data_dir, exist_ok=True)
    log = open(log_path, "ab")  # noqa: SIM115 - closed with the process
    cmd = [sys.executable, "-m", "twinplane.cli.main", "up", "--data-dir", data_dir,
           "--control-port", str(cport), "--data-port", str(dport)]
    if demo:
        cmd.append("--demo")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TWINPLANE_", "BRAINTRUST_"))}
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=env)
    deadline = time.monotonic() + timeout
    state_path = os.path.join(data_dir, "up.json")
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"twinplane up exited {proc.returncode}:\n" + open(log_path).read()[-4000:])
        if os.path.exists(state_path):
            state = json.loads(open(state_path).read())
            # `up` writes the pids once both planes answer (and demo_loaded after the demo)
            if (state.get("control_url", "").endswith(f":{cport}") and state.get("pids")
                    and (not demo or state.get("demo_loaded"))):
                try:
                    ok = all(httpx.get(u + "/healthz", timeout=1).status_code == 200
                             for u in (state["control_url"], state["data_url"]))
                except httpx.HTTPError:
                    ok = False
                if ok:
                    return RunningPlanes(proc, state, data_dir, log_path)
        time.sleep(0.25)
    proc.kill()
    raise RuntimeError("twinplane up did not become ready:\n" + open(log_path).read()[-4000:])


class SplitPlanes(Planes):
    def __init__(self, root: Path, extra_data_env: dict[str, str] | None = None,
                 extra_control_env: dict[str, str] | None = None, control_path: str = "") -> None:
        from twinplane.cli.up import prepare

        self.root = root
        self.launch = prepare(root, control_port=free_port(), data_port=free_port(), control_path=control_path)
        self.launch.data_env.update(extra_data_env or {})
        self.launch.control_env.update(extra_control_env or {})
        self.state = self.launch.state
        self.control: subprocess.Popen[bytes] | None = None
        self.data: subprocess.Popen[bytes] | None = None

    @property
    def data_dir(self) -> str:
        return str(self.root)

    def start_control(self) -> None:
        from twinplane.cli.up import spawn, wait_healthy

        self.control = spawn("control-plane", self.launch.control_env, self.root / "logs" / "control-plane.log")
        wait_healthy(self.control_url, self.control, "control plane")

    def start_data(self) -> None:
        from twinplane.cli.up import spawn, wait_healthy

        self.data = spawn("data-plane", self.launch.data_env, self.root / "logs" / "data-plane.log")
        wait_healthy(self.data_url, self.data, "data plane")

    def stop_control(self, sig: int = signal.SIGTERM) -> None:
        end_process(self.control, sig, timeout=20)

    def stop_data(self, sig: int = signal.SIGTERM) -> None:
        end_process(self.data, sig, timeout=20)

    def stop(self) -> None:
        self.stop_data()
        self.stop_control()

    @contextlib.contextmanager
    def running(self) -> Iterator[SplitPlanes]:
        """Both planes started, and stopped on leaving."""
        self.start_control()
        self.start_data()
        try:
            yield self
        finally:
            self.stop()

    def admin_session(self) -> httpx.Client:
        """A signed-in browser-like session at the control plane (cookie + CSRF header)."""
        c = httpx.Client(base_url=self.control_url, timeout=30)
        r = c.post("/api/v1/auth/login", json={"email": self.state["admin_email"],
                                               "password": self.state["admin_password"]})
        assert r.status_code == 200, r.text
        me = c.get("/api/v1/auth/me").json()
        c.headers["X-CSRF-Token"] = me["csrf_token"]
        return c

    def new_api_key(self, **fields) -> str:
        c = self.admin_session()
        try:
            r = c.post(f"/api/v1/orgs/{self.state['org_id']}/api-keys", json={"name": "test", **fields})
            assert r.status_code == 200, r.text
            return r.json()["key"]
        finally:
            c.close()
