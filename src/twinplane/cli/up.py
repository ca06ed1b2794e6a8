"""``twinplane up``: both planes on this machine, embedded storage, optional demo data.

The two planes run as two separate processes on two ports, exactly as they would on two
machines: the data plane reaches the control plane over HTTP with its service token, and
nothing else. First start bootstraps an admin, an org, its data-plane registration and an
API key, and writes them to ``DIR/up.json`` for people and scripts; later starts reuse them.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import typer

ADMIN_EMAIL = "admin@twinplane.local"
ORG_NAME = "local"
UP_FILE = "up.json"


def wait_healthy(url: str, proc: subprocess.Popen[bytes], what: str, timeout: float = 60.0) -> None:
    import httpx

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the {what} exited with code {proc.returncode} while starting")
        try:
            if httpx.get(url + "/healthz", timeout=1.0).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"the {what} did not answer {url}/healthz within {timeout:.0f}s")


def _load_state(path: Path) -> dict[str, Any]:
    if path.exists():
        return dict(json.loads(path.read_text(encoding="utf-8")))
    return {}


def _write_state(path: Path, state: dict[str, Any]) -> None:
    """Replace up.json atomically; it holds credentials, so it is 0600 from its first byte."""
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)  # EXCL: never follow a planted link
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(json.dumps(state, indent=2) + "\n")
    os.replace(tmp, path)


def _stop(procs: list[subprocess.Popen[bytes]]) -> None:
    for p in procs:
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + 15
    for p in procs:
        try:
            p.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()


@dataclass
class Launch:
    """Everything needed to start the two planes of one data directory."""

    state: dict[str, Any]
    state_path: Path
    control_env: dict[str, str]
    data_env: dict[str, str]


def prepare(root: Path, *, host: str = "127.0.0.1", control_port: int = 8000, data_port: int = 8100,
            control_path: str = "") -> Launch:
    """Bootstrap (first time) or reuse the control plane's records and return both planes' environments.
    ``control_path`` ("/twinplane") serves the control plane under a path, as behind a proxy."""
    from twinplane.server.control_plane.bootstrap import ensure_bootstrap, ensure_local_secrets
    from twinplane.server.settings import ControlPlaneSettings

    root.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(root, 0o700)  # both databases, the blobs and the credentials live here
    state_path = root / UP_FILE
    state = _load_state(state_path)
    control_origin = f"http://{host}:{control_port}"
    control_url = control_origin + control_path.rstrip("/")
    data_url = f"http://{host}:{data_port}"
    control_env = {
        **ensure_local_secrets(str(root)),
        "TWINPLANE_CONTROL_DATABASE_URL": f"sqlite:///{root / 'control.db'}",
        "TWINPLANE_CONTROL_HOST": host,
        "TWINPLANE_CONTROL_PORT": str(control_port),
        "TWINPLANE_CONTROL_PUBLIC_URL": control_url,
    }
    # exactly these values, not the caller's environment: the child gets the same ones
    settings = ControlPlaneSettings.model_validate(
        {k.removeprefix("TWINPLANE_CONTROL_").lower(): v for k, v in control_env.items()})
    admin_password = state.get("admin_password") or secrets.token_urlsafe(12)
    boot = ensure_bootstrap(
        settings,
        admin_email=ADMIN_EMAIL,
        admin_password=admin_password,
        org_name=state.get("org_name", ORG_NAME),
        data_plane_api_url=data_url,
        data_plane_proxy_url=data_url,
    )
    state.update(
        control_url=control_url,
        data_url=data_url,
        org_name=boot.org_name,
        org_id=boot.org_id,
        admin_email=ADMIN_EMAIL,
        admin_password=admin_password,
        data_plane_id=boot.data_plane_id,
    )
    if boot.api_key:
        state["api_key"] = boot.api_key
    if boot.service_token:
        state["service_token"] = boot.service_token
    if not state.get("api_key") or not state.get("service_token"):
        raise RuntimeError(f"{state_path} lost its credentials; remove {root} to start afresh.")
    state.pop("pids", None)  # written by `up` once both planes answer; a previous run's are stale
    _write_state(state_path, state)
    origins = sorted({control_origin, f"http://localhost:{control_port}", f"http://127.0.0.1:{control_port}"})
    data_env = {
        "TWINPLANE_DATA_DATABASE_URL": f"sqlite:///{root / 'data.db'}",
        "TWINPLANE_DATA_HOST": host,
        "TWINPLANE_DATA_PORT": str(data_port),
        "TWINPLANE_DATA_PUBLIC_URL": data_url,
        "TWINPLANE_DATA_CONTROL_URL": control_url,
        "TWINPLANE_DATA_DATA_PLANE_ID": boot.data_plane_id,
        "TWINPLANE_DATA_SERVICE_TOKEN": state["service_token"],
        "TWINPLANE_DATA_CORS_ORIGINS": json.dumps(origins),
        "TWINPLANE_DATA_BLOB_DIR": str(root / "blobs"),
    }
    return Launch(state, state_path, control_env, data_env)


def spawn(plane: str, env: dict[str, str], log_file: Path | None = None) -> subprocess.Popen[bytes]:
    """Start ``twinplane <plane> serve`` with exactly ``env`` for its TWINPLANE_* settings."""
    base = {k: v for k, v in os.environ.items() if not k.startswith(("TWINPLANE_CONTROL_", "TWINPLANE_DATA_"))}
    out = None
    if log_file is not None:
        log_file.parent.mkdir(parents=True, exist_ok=True)
        out = open(log_file, "ab")  # noqa: SIM115 - handed to the child
    return subprocess.Popen([sys.executable, "-m", "twinplane.cli.main", plane, "serve"], env={**base, **env},
                            stdout=out, stderr=subprocess.STDOUT if out else None,
                            umask=0o077)  # databases and blobs the plane creates: owner only


def _raise_interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


def up(
    data_dir: str = typer.Option("./.twinplane", "--data-dir", help="Where both planes keep their data."),
    control_port: int = typer.Option(8000, "--control-port", help="Port of the control plane (web UI, login)."),
    data_port: int = typer.Option(8100, "--data-port", help="Port of the data plane (ingest, queries)."),
    host: str = typer.Option("127.0.0.1", "--host", help="Interface both planes bind to."),
    demo: bool = typer.Option(False, "--demo", help="Load a demo project (dataset, experiments, logs, prompt) on first start."),
    log_dir: str = typer.Option("", "--log-dir", help="Write each plane's log to a file here instead of this terminal."),
) -> None:
    """Start the control plane and the data plane as two processes with embedded SQLite storage.

    Prints the URLs and credentials and writes them to DIR/up.json. Ctrl-C stops both.
    """
    signal.signal(signal.SIGTERM, _raise_interrupt)  # stop both planes when we are stopped
    # Ctrl-C too, also when started with SIGINT ignored (a non-interactive shell's `cmd &`),
    # where Python would otherwise leave it ignored
    signal.signal(signal.SIGINT, _raise_interrupt)
    try:
        launch = prepare(Path(data_dir).resolve(), host=host, control_port=control_port, data_port=data_port)
    except RuntimeError as err:
        typer.echo(str(err), err=True)
        raise typer.Exit(code=1) from err
    state, state_path = launch.state, launch.state_path
    control_url, data_url = state["control_url"], state["data_url"]
    logs = Path(log_dir).resolve() if log_dir else None
    procs: list[subprocess.Popen[bytes]] = []
    try:
        cp = spawn("control-plane", launch.control_env, logs / "control-plane.log" if logs else None)
        procs.append(cp)
        wait_healthy(control_url, cp, "control plane")
        dp = spawn("data-plane", launch.data_env, logs / "data-plane.log" if logs else None)
        procs.append(dp)
        wait_healthy(data_url, dp, "data plane")
        state["pids"] = {"control_plane": cp.pid, "data_plane": dp.pid}
        _write_state(state_path, state)

        if demo and not state.get("demo_loaded"):
            from twinplane.sdk.demo import load_demo

            typer.echo("Loading the demo project through the SDK ...")
            load_demo(api_key=state["api_key"], app_url=control_url, org_name=state["org_name"])
            state["demo_loaded"] = True
            _write_state(state_path, state)

        typer.echo(
            "\nTwinplane is up.\n"
            f"  web UI / control plane  {control_url}\n"
            f"  data plane              {data_url}\n"
            f"  sign in as              {state['admin_email']} / {state['admin_password']}\n"
            f"  API key                 {state['api_key']}\n"
            f"  org                     {state['org_name']}\n"
            f"  state                   {state_path}\n\n"
            f"  SDK:  export TWINPLANE_API_KEY={state['api_key']} TWINPLANE_APP_URL={control_url}\n"
            "Press Ctrl-C to stop both planes."
        )
        while all(p.poll() is None for p in procs):
            time.sleep(0.5)
        dead = [p for p in procs if p.poll() is not None]
        typer.echo(f"a plane exited with code {dead[0].returncode}; stopping the other", err=True)
        raise typer.Exit(code=1)
    except KeyboardInterrupt:
        typer.echo("\nstopping ...")
    except RuntimeError as err:
        typer.echo(str(err), err=True)
        raise typer.Exit(code=1) from err
    finally:
        _stop(procs)
