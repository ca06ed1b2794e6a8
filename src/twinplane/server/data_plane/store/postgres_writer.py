"""Group commit for PostgreSQL within one data-plane process.

Concurrent ``write_rows`` calls queue here; up to ``MAX_INFLIGHT`` transactions run at
once, each taking every call waiting (up to a row budget) and applying them together
(``apply_group``): one set of statements and one commit for many calls. Should the
group's transaction fail on a database error, each of its calls is retried alone, so
one call's failure never becomes another's.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from psycopg_pool import AsyncConnectionPool

from twinplane.server.data_plane.store.base import RowWrite, WriteResult
from twinplane.server.data_plane.store.db_error import describe
from twinplane.server.data_plane.store.postgres_apply import apply_group

logger = logging.getLogger(__name__)

MAX_INFLIGHT = 3
GROUP_MAX_ROWS = 2000


class PostgresWriter:
    def __init__(self, pool: AsyncConnectionPool, ensure_objects: Callable[[list[RowWrite]], Awaitable[None]],
                 objkeys: dict[tuple[str, str, str], int]) -> None:
        self._pool = pool
        self._ensure_objects = ensure_objects
        self._objkeys = objkeys
        self._pending: list[tuple[list[RowWrite], asyncio.Future[WriteResult]]] = []
        self._inflight = 0
        self._calls = 0  # write calls not answered yet
        self._tasks: set[asyncio.Task[None]] = set()

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

    async def _apply(self, calls: list[list[RowWrite]]) -> list[Any]:
        async with self._pool.connection() as conn, conn.transaction():
            return await apply_group(conn, calls, self._objkeys)
