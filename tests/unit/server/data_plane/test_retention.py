"""Log retention: the sweep deletes a project's logs older than its ``settings.retention_days``."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime, timedelta

from twinplane.server.data_plane.services.retention import Retention, retention_days
from twinplane.server.data_plane.store.base import ObjectRef

from .rows import fetch_all, logs3, span


def _iso(days_ago: float) -> str:
    return (datetime.now(UTC) - timedelta(days=days_ago)).isoformat()


async def test_the_sweep_deletes_logs_older_than_the_projects_retention(dplane) -> None:
    c = dplane.client()
    kept_for_30 = (await c.post("/v1/project", json={"name": "r-" + uuid.uuid4().hex[:6]})).json()["id"]
    for_ever = (await c.post("/v1/project", json={"name": "f-" + uuid.uuid4().hex[:6]})).json()["id"]
    word = "zq" + uuid.uuid4().hex[:8]
    rows = []
    for pid in (kept_for_30, for_ever):
        ident = {"project_id": pid, "log_id": "g"}
        rows += [span(ident, input=f"{word} old {i}", created=_iso(45), scores={"Helpful": 1.0}) for i in range(4)]
        rows += [span(ident, input=f"{word} new {i}", created=_iso(2)) for i in range(2)]
    assert (await logs3(c, rows)).status_code == 200
    crt = dplane.control_rt
    crt.store.update_project(dplane.org_id, kept_for_30, {"settings": {"retention_days": 30}})
    await dplane.store.wait_indexed()

    rt = dplane.app.state.runtime
    assert await rt.retention.sweep() == {kept_for_30: 4}
    assert sorted(r["input"] for r in await fetch_all(c, f"/v1/project_logs/{kept_for_30}/fetch")) == [
        f"{word} new 0", f"{word} new 1"]
    assert len(await fetch_all(c, f"/v1/project_logs/{for_ever}/fetch")) == 6  # no retention: all kept
    await dplane.store.wait_indexed()
    hits = await c.post("/v1/query", json={"object_type": "project_logs", "object_id": kept_for_30, "search": word})
    assert hits.status_code == 200 and len(hits.json()["data"]) == 2
    assert await rt.retention.sweep() == {kept_for_30: 0}  # nothing left to do
    # a later sweep, 30 days on, takes the rest
    assert await rt.retention.sweep(now=time.time() + 30 * 86_400) == {kept_for_30: 2}
    assert await dplane.store.count_rows(dplane.org_id, ObjectRef("project_logs", kept_for_30)) == 0


def test_only_a_whole_number_of_days_is_a_retention() -> None:
    assert retention_days({"settings": {"retention_days": 7}}) == 7
    for settings in (None, {}, {"retention_days": None}, {"retention_days": 0}, {"retention_days": "7"},
                     {"retention_days": True}, {"retention_days": 2.5}, "junk"):
        assert retention_days({"settings": settings}) is None, settings


async def test_without_a_pinned_org_the_sweep_does_nothing(plane) -> None:
    rt = plane.app.state.runtime
    assert await Retention(plane.store, rt.control, lambda: None).sweep() == {}
