"""The two planes as separate processes: crashes, outages, and where customer data lands.

* ``kill -9`` of the data plane in the middle of ingest loses no acknowledged row;
* with the control plane down, keys validated before keep working within the grace
  window, unseen keys get 503 + Retry-After, and all works again once it is back;
* the hybrid canary: after a full workload carrying a canary string, no file or log the
  control plane wrote contains it, while the data plane holds all of it.
"""

from __future__ import annotations

import signal
import threading
import time
import uuid
from pathlib import Path

import httpx
import orjson
import pytest

from support.planes import SplitPlanes

pytestmark = pytest.mark.slow


def _project(planes: SplitPlanes, name: str) -> str:
    with planes.client() as c:
        r = c.post("/v1/project", json={"name": name})
        assert r.status_code == 200, r.text
        return r.json()["id"]


def _span(project_id: str, text: str) -> dict:
    rid = uuid.uuid4().hex
    return {"id": rid, "project_id": project_id, "log_id": "g", "span_id": rid[:16], "root_span_id": rid,
            "span_parents": None, "input": {"q": text}, "output": text, "metadata": {"m": text},
            "metrics": {"start": time.time(), "end": time.time() + 0.1}, "created": "2026-11-27T00:00:00+00:00"}


def test_kill_9_mid_ingest_loses_no_acknowledged_row(split_planes: SplitPlanes) -> None:
    pid = _project(split_planes, "crash")
    acked: list[str] = []
    stop = threading.Event()

    def ingest() -> None:
        with httpx.Client(base_url=split_planes.data_url, timeout=10,
                          headers={"Authorization": f"Bearer {split_planes.api_key}"}) as c:
            while not stop.is_set():
                rows = [_span(pid, "crash test") for _ in range(50)]
                try:
                    r = c.post("/logs3", content=orjson.dumps({"rows": rows, "api_version": 2}))
                except httpx.HTTPError:
                    return
                if r.status_code == 200:
                    acked.extend(row["id"] for row in rows)

    workers = [threading.Thread(target=ingest) for _ in range(3)]
    for w in workers:
        w.start()
    deadline = time.monotonic() + 20
    while len(acked) < 2000 and time.monotonic() < deadline:
        time.sleep(0.05)
    split_planes.stop_data(signal.SIGKILL)
    stop.set()
    for w in workers:
        w.join(timeout=15)
    assert len(acked) >= 500, "ingest did not get going before the kill"
    split_planes.start_data()
    present = {r["id"] for r in split_planes.fetch_all(f"/v1/project_logs/{pid}/fetch")}
    missing = set(acked) - present
    assert not missing, f"{len(missing)} acknowledged rows lost of {len(acked)}"


def test_control_plane_outage_grace_and_fail_closed(split_planes: SplitPlanes) -> None:
    unseen = split_planes.new_api_key()
    pid = _project(split_planes, "outage")  # validates the main key at the data plane
    split_planes.stop_control(signal.SIGKILL)
    time.sleep(1.5)  # past the 1 s cache TTL: only the grace window keeps the key alive
    with split_planes.client() as c:
        r = c.post(f"/v1/project_logs/{pid}/fetch", json={"limit": 10})
        assert r.status_code == 200, r.text
    with split_planes.client(unseen) as c:
        r = c.post(f"/v1/project_logs/{pid}/fetch", json={"limit": 10})
        assert r.status_code == 503, r.text
        assert int(r.headers["Retry-After"]) >= 1
        assert r.json()["error"]["code"] == "unavailable"
    split_planes.start_control()
    with split_planes.client(unseen) as c:
        r = c.post(f"/v1/project_logs/{pid}/fetch", json={"limit": 10})
        assert r.status_code == 200, r.text


def test_hybrid_canary_never_reaches_the_control_plane(split_planes: SplitPlanes, braintrust_scenario) -> None:
    canary = "cnry" + uuid.uuid4().hex[:12]
    project = "canary-" + uuid.uuid4().hex[:6]
    for mode, scenario in (("normal", "logger"), ("normal", "dataset"), ("normal", "prompt"),
                           ("data-plane-only", "eval1"), ("data-plane-only", "eval2")):
        braintrust_scenario(split_planes, mode, scenario, project, canary=canary)
    pid = _project(split_planes, project)
    # scores named with the canary, and a human review comment carrying it
    row = _span(pid, canary)
    row["scores"] = {f"score_{canary}": 0.25}
    with split_planes.client() as c:
        assert c.post("/logs3", content=orjson.dumps({"rows": [row], "api_version": 2})).status_code == 200
        r = c.post(f"/v1/project_logs/{pid}/insert", json={"events": [
            {"id": uuid.uuid4().hex, "origin": {"id": row["id"]}, "comment": {"text": f"review {canary}"},
             "_audit_source": "app"}]})
        assert r.status_code == 200, r.text
    rows = split_planes.fetch_all(f"/v1/project_logs/{pid}/fetch")
    blob = orjson.dumps(rows).decode()
    for where in ("secret_note", "question", "score_", "review "):
        assert where in blob
    assert blob.count(canary) >= 5
    split_planes.stop()  # flush everything either plane buffers

    root = Path(split_planes.data_dir)
    control_files = [p for p in root.rglob("*") if p.is_file() and (
        p.name.startswith("control") or p.name == "control-plane.log")]
    assert any(p.name == "control.db" for p in control_files)
    leaks = [str(p) for p in control_files if canary.encode() in p.read_bytes()]
    assert leaks == []
    data_files = [p for p in root.rglob("*") if p.is_file() and (p.name.startswith("data.db") or
                                                                p.parent.name == "blobs" or "blobs" in p.parts)]
    assert any(canary.encode() in p.read_bytes() for p in data_files)
