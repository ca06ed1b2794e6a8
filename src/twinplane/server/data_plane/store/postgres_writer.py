"""Group commit for PostgreSQL within one data-plane process.

Concurrent ``write_rows`` calls queue here; up to ``MAX_INFLIGHT`` transactions run at
once, each taking every call waiting (up to a row budget) and applying them together
(``apply_group``): one set of statements and one commit for many calls. Should the
group's transaction fail on a database error, each of its calls is retried alone, so
one call's failure never becomes another's.

Full text is indexed off the acknowledgement path, by every process through ``dp_fts_queue``;
when ingest outpaces it (spans of real prose cost PostgreSQL's parser ~100 µs each), a group
first waits, at most ``BACKLOG_WAIT_SECONDS``, until fewer than ``max_backlog`` rows are queued,
so the search lag stays bounded and ingest runs at the pace the index is built at.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from psycopg_pool import AsyncConnectionPool

from twinplane.server.data_plane.store.base import RowWrite, WriteResult
from twinplane.server.data_plane.store.db_error import describe
from twinplane.server.data_plane.store.postgres_apply import apply_group

logger = logging.getLogger(__name__)

MAX_INFLIGHT = 3
GROUP_MAX_ROWS = 2000
# Rows queued for the full-text index past which a group waits for the indexers first. Spans of
# real prose (``bench_ingest``, ``BENCH_INGEST_TEXT=zipf``, one process): with no bound 6,084 rows/s,
# searchable 3.98 s (p95) after their acknowledgement; bound 10,000: 5,313 / 5,504 rows/s, 2.43 /
# 2.32 s; bound 5,000: 5,260 / 5,183 rows/s, 1.35 / 1.46 s (~1 s of ingest at that rate).
MAX_BACKLOG = 5_000
BACKLOG_CHECK_SECONDS = 0.25  # how long a count of the queue is trusted while it was under the bound
BACKLOG_POLL_SECONDS = 0.05  # how often it is counted while a group waits
BACKLOG_WAIT_SECONDS = 1.0  # the longest a group waits: a stopped indexer never stops ingest
# After a wait that ran out, groups do not wait again for this long: an indexer that is stuck (a
# lock on its table, a failing round) costs ingest one second now and then, not on every write.
BACKLOG_PAUSE_SECONDS = 30.0


class PostgresWriter:
    def __init__(self, pool: AsyncConnectionPool, ensure_objects: Callable[[list[RowWrite]], Awaitable[None]],
                 objkeys: dict[tuple[str, str, str], int],
                 backlog: Callable[[int, float], Awaitable[int]] | None = None) -> None:
        self._pool = pool
        self._ensure_objects = ensure_objects
        self._objkeys = objkeys
        self._pending: list[tuple[list[RowWrite], asyncio.Future[WriteResult]]] = []
        self._inflight = 0
        self._calls = 0  # write calls not answered yet
        self._tasks: set[asyncio.Task[None]] = set()
        self._backlog = backlog  # rows queued for the index, counted up to a bound within a time
        self.max_backlog = MAX_BACKLOG
        self.backlog_wait = BACKLOG_WAIT_SECONDS
        self._counted_at = -1e9  # time.monotonic() of the last count that was under the bound
        self._paused_until = -1e9  # no pacing before this (after a wait that ran out)
        self._warned_at = -1e9

    @property
    def pending(self) -> int:
        """Calls not answered yet: waiting for a group, or in one."""
        return self._calls

    async def write(self, rows: list[RowWrite]) -> WriteResult:
        await self._ensure_objects(rows)
        fut: asyncio.Future[WriteResult] = asyncio.get_running_loop().create_future()
        self._calls += 1
        fut.add_done_callback(self._answered)
        self._pending.append((rows, fut))
        if self._inflight < MAX_INFLIGHT:
            self._inflight += 1
            task = asyncio.create_task(self._drain())
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        # the write goes on if the caller is cancelled: its outcome belongs to the group
        return await asyncio.shield(fut)

    def _answered(self, _fut: asyncio.Future[WriteResult]) -> None:
        self._calls -= 1

    async def close(self) -> None:
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    def _take(self) -> list[tuple[list[RowWrite], asyncio.Future[WriteResult]]]:
        group: list[tuple[list[RowWrite], asyncio.Future[WriteResult]]] = []
        budget = 0
        while self._pending and (not group or budget + len(self._pending[0][0]) <= GROUP_MAX_ROWS):
            item = self._pending.pop(0)
            group.append(item)
            budget += len(item[0])
        return group

    async def _drain(self) -> None:
        try:
            while self._pending:
                await self._pace()
                group = self._take()
                try:
                    results = await self._apply([rows for rows, _ in group])
                except Exception as err:  # noqa: BLE001 - isolate: retry each call on its own
                    if len(group) > 1:
                        logger.warning("group write failed (%s); retrying %d calls one by one", describe(err), len(group))
                    results = []
                    for rows, _ in group:
                        try:
                            results.extend(await self._apply([rows]))
                        except Exception as err:  # noqa: BLE001
                            results.append(err)
                for (_, fut), res in zip(group, results, strict=True):
                    if fut.done():
                        continue
                    if isinstance(res, BaseException):
                        fut.set_exception(res)
                    else:
                        fut.set_result(res)
        finally:
            self._inflight -= 1

    async def _pace(self) -> None:
        """Wait (at most ``backlog_wait``) while more than ``max_backlog`` rows are queued for the index."""
        now = time.monotonic()
        if self._backlog is None or now - self._counted_at < BACKLOG_CHECK_SECONDS or now < self._paused_until:
            return
        deadline = now + self.backlog_wait
        while True:
            try:  # the count itself keeps to the deadline (a connection, the statement)
                queued = await self._backlog(self.max_backlog + 1, max(0.05, deadline - time.monotonic()))
            except Exception as err:  # noqa: BLE001 - a count that fails must not stop ingest
                logger.warning("full-text backlog not counted (%s); writing on", describe(err))
                self._paused_until = time.monotonic() + BACKLOG_PAUSE_SECONDS
                return
            now = time.monotonic()
            if queued <= self.max_backlog:
                self._counted_at = now
                return
            if now >= deadline:
                self._paused_until = now + BACKLOG_PAUSE_SECONDS
                if now - self._warned_at > 60:
                    self._warned_at = now
                    logger.warning("full-text index more than %d rows behind and not catching up; writing on "
                                   "without waiting for %.0f s", self.max_backlog, BACKLOG_PAUSE_SECONDS)
                return
            await asyncio.sleep(BACKLOG_POLL_SECONDS)

    async def _apply(self, calls: list[list[RowWrite]]) -> list[Any]:
        async with self._pool.connection() as conn, conn.transaction():
            return await apply_group(conn, calls, self._objkeys)
