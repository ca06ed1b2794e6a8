"""``twinplane up`` as a user runs it: two processes, up.json, Ctrl-C, and a second start
on the same folder that keeps the credentials and the data."""

from __future__ import annotations

import json
import os
import signal
import uuid

import httpx
import pytest

from support.planes import start_planes

pytestmark = pytest.mark.slow


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_up_twice_on_one_folder_reuses_credentials_and_data(tmp_path) -> None:
    data_dir = str(tmp_path / "tp")
    first = start_planes(data_dir)
    try:
        state = json.loads(open(os.path.join(data_dir, "up.json")).read())
        for key in ("control_url", "data_url", "api_key", "org_name", "admin_email", "admin_password"):
            assert state[key], key
        assert state["control_url"] != state["data_url"]
        assert os.stat(os.path.join(data_dir, "up.json")).st_mode & 0o077 == 0
        pids = state["pids"]
        assert pids["control_plane"] != pids["data_plane"] and all(_alive(p) for p in pids.values())
        headers = {"Authorization": f"Bearer {first.api_key}"}
        name = "reuse-" + uuid.uuid4().hex[:6]
        pid = httpx.post(first.data_url + "/v1/project", json={"name": name}, headers=headers).json()["id"]
        row = {"id": "r1", "project_id": pid, "log_id": "g", "input": "kept", "span_id": "s1", "root_span_id": "t1"}
        assert httpx.post(first.data_url + "/logs3", content=json.dumps({"rows": [row]}), headers=headers).status_code == 200
    finally:
        first.proc.send_signal(signal.SIGINT)  # Ctrl-C
        first.proc.wait(timeout=30)
    assert not any(_alive(p) for p in pids.values()), "Ctrl-C left a plane running"

    second = start_planes(data_dir, control_port=int(state["control_url"].rsplit(":", 1)[1]),
                          data_port=int(state["data_url"].rsplit(":", 1)[1]))
    try:
        again = json.loads(open(os.path.join(data_dir, "up.json")).read())
        assert (again["api_key"], again["admin_password"], again["org_id"]) == (
            state["api_key"], state["admin_password"], state["org_id"])
        headers = {"Authorization": f"Bearer {again['api_key']}"}
        r = httpx.post(second.data_url + f"/v1/project_logs/{pid}/fetch", json={"limit": 10}, headers=headers)
        assert r.status_code == 200 and [e["input"] for e in r.json()["events"]] == ["kept"]
        login = httpx.post(second.control_url + "/api/v1/auth/login",
                           json={"email": again["admin_email"], "password": again["admin_password"]})
        assert login.status_code == 200
    finally:
        second.stop()
