"""Log retention: a project's logs older than its ``settings.retention_days`` are deleted.

The control plane holds the setting (a project setting, edited on the UI's Logs page or through
``PATCH /api/v1/projects/{id}``; it validates 1 to 36,500 days, or null for never). Every
``retention_sweep_seconds`` this data plane reads its org's projects there and removes, per
project, the logs created before now minus that many days, with their versions, scores, metrics
and search entries (``Store.expire_rows``), oldest first, in batches so a write never waits long
behind a sweep. Experiments, datasets and prompts are kept: they are deleted explicitly. With
several data-plane processes each one sweeps; a batch another process removed first is empty.
Each sweep also finishes the version removals an erasure or an earlier sweep left queued.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from typing import Any

from twinplane.server.data_plane.control_client import ControlClient, ControlUnavailable
from twinplane.server.data_plane.store.base import ObjectRef, Store

logger = logging.getLogger(__name__)

DAY = 86_400.0
BATCH = 5_000  # rows per transaction
MAX_BATCHES = 200  # per project and sweep: a huge backlog is worked off over several sweeps
FIRST_SWEEP_DELAY = 60.0  # after start, at most this long (start-up stays quiet)


def retention_days(project: dict[str, Any]) -> int | None:
    """The project's retention in days, or None (keep for ever, or a value the control plane would refuse)."""
    settings = project.get("settings")
    days = settings.get("retention_days") if isinstance(settings, dict) else None
    if isinstance(days, bool) or not isinstance(days, int) or days < 1:
        return None
    return days


class Retention:
    def __init__(self, store: Store, control: ControlClient, org_id: Callable[[], str | None]) -> None:
        self._store = store
        self._control = control
        self._org_id = org_id
        self.sweeps = self.failures = self.rows_deleted = 0  # since start (metrics)

    async def sweep(self, now: float | None = None) -> dict[str, int]:
        """One pass over the org's projects; rows removed per project that has a retention."""
        org = self._org_id()
        if org is None:
            return {}
        now = time.time() if now is None else now
        await self._store.finish_version_removal()  # what an erasure or a sweep left queued when it stopped
        removed: dict[str, int] = {}
        for project in await self._control.list_projects():
            days = retention_days(project)
            if days is None:
                continue
            ref, cutoff, total = ObjectRef("project_logs", str(project["id"])), now - days * DAY, 0
            for _ in range(MAX_BATCHES):
                n = await self._store.expire_rows(org, ref, cutoff, BATCH)
                total += n
                if n < BATCH:
                    break
            removed[ref.object_id] = total
            self.rows_deleted += total
            if total:
                logger.info("retention: deleted %d log row(s) older than %d day(s) of project %s",
                            total, days, ref.object_id)
        self.sweeps += 1
        return removed

    async def run(self, interval: float) -> None:
        """Sweep every ``interval`` seconds until cancelled; a failed sweep is logged and retried next time."""
        await asyncio.sleep(min(FIRST_SWEEP_DELAY, interval))
        while True:
            try:
                await self.sweep()
            except ControlUnavailable:
                self.failures += 1
                logger.warning("retention sweep skipped: the control plane is unreachable")
            except Exception:  # noqa: BLE001 - a background loop: log, try again next time
                self.failures += 1
                logger.exception("retention sweep failed")
            await asyncio.sleep(interval)
