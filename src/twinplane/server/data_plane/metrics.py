"""Prometheus metrics of one data-plane process (``server.common.http_metrics`` for the HTTP part
and the listener: ``metrics_port``, 0 = off, on ``metrics_host``, 127.0.0.1 by default).

What is exported (``docs/self-hosting.md``, *Metrics*):

* HTTP: requests by method, route template and status; latency histograms by method and route;
* ingest: rows acknowledged by object type;
* the store (refreshed every ``STORE_REFRESH_SECONDS`` from ``Store.stats``): write calls not
  answered yet, row changes not yet searchable, SQLite WAL bytes not yet copied;
* auth: control-plane introspections, their outages, keys served from the grace window;
* rate limits: requests refused per org and per key, failures of the shared counter store;
* the blob store: failed calls by operation (S3);
* log retention: sweeps, failed sweeps, rows deleted;
* the process (CPU, memory, open files) and Python's garbage collector.

Counters kept by the services themselves are plain integers read at scrape time (the
services do not know about Prometheus).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric

from twinplane.server.common.http_metrics import HttpMetrics

if TYPE_CHECKING:
    from twinplane.server.data_plane.runtime import Runtime
    from twinplane.server.data_plane.store.base import StoreStats

logger = logging.getLogger(__name__)

STORE_REFRESH_SECONDS = 5.0


class Metrics(HttpMetrics):
    def __init__(self) -> None:
        super().__init__()
        self.store_stats: StoreStats | None = None  # the last refresh
        self.store_read_at = 0.0  # its time.monotonic()
        self._runtime: Runtime | None = None
        self._refresh: asyncio.Task[None] | None = None
        self.registry.register(_RuntimeCollector(self))  # empty until ``start`` names the runtime

    async def start(self, runtime: Runtime, host: str, port: int, hosts: list[str]) -> None:
        """Export ``runtime``'s figures; with a ``port``, serve them (to ``hosts``, see ``serve``) and keep
        the store's fresh."""
        self._runtime = runtime
        await self.refresh_store()
        if port:
            self.serve(host, port, hosts)
            self._refresh = asyncio.create_task(self._keep_fresh())

    async def close(self) -> None:
        if self._refresh is not None:
            self._refresh.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._refresh
            self._refresh = None
        await asyncio.to_thread(self.stop)  # waits for the listener's loop to notice

    async def refresh_store(self) -> None:
        assert self._runtime is not None
        try:
            self.store_stats = await self._runtime.store.stats()
            self.store_read_at = time.monotonic()
        except Exception as err:  # noqa: BLE001 - a metric must never take the process down
            logger.warning("store figures for metrics not read (%s)", type(err).__name__)
            self.store_stats = None

    async def _keep_fresh(self) -> None:
        while True:  # a timer, not a wait for an event
            await asyncio.sleep(STORE_REFRESH_SECONDS)
            await self.refresh_store()


class _RuntimeCollector:
    """Counters the services keep as plain integers, and the store's last figures, read at scrape time."""

    def __init__(self, metrics: Metrics) -> None:
        self._metrics = metrics

    def collect(self) -> Iterator[Metric]:
        rt = self._metrics._runtime
        if rt is None:
            return
        yield _by_label("twinplane_ingested_rows", "Rows acknowledged (committed), by object type.", "object_type",
                        rt.ingest.rows_written)
        keys = rt.keys
        yield _counter("twinplane_auth_introspections", "API keys looked up at the control plane.", keys.upstream_calls)
        yield _counter("twinplane_auth_control_unavailable", "Introspections that found the control plane unreachable.",
                       keys.upstream_unavailable)
        yield _counter("twinplane_auth_grace_answers",
                       "Requests let through on a key validated earlier while the control plane was unreachable.",
                       keys.grace_answers)
        yield _by_label("twinplane_rate_limited_requests", "Requests refused with 429, by limit.", "limit",
                        rt.limiter.refused)
        yield _counter("twinplane_rate_limit_storage_failures",
                       "Rate-limit checks that could not reach the counter store (requests then pass).",
                       rt.limiter.storage_failures)
        yield _by_label("twinplane_blob_store_failures",
                        "Blob-store calls that failed (S3: unreachable, refused), by operation.", "operation",
                        rt.blobs.backend.failures)
        yield _counter("twinplane_retention_sweeps", "Log-retention sweeps finished.", rt.retention.sweeps)
        yield _counter("twinplane_retention_sweep_failures", "Log-retention sweeps that failed.", rt.retention.failures)
        yield _counter("twinplane_retention_deleted_rows", "Log rows deleted by retention.", rt.retention.rows_deleted)
        stats = self._metrics.store_stats
        if stats is None:
            return
        info = GaugeMetricFamily("twinplane_store_info", "The store engine this process writes to.", labels=["engine"])
        info.add_metric([stats.engine], 1)
        yield info
        yield GaugeMetricFamily("twinplane_store_pending_writes",
                                "Write calls of this process not answered yet (queued or in a transaction).",
                                value=stats.pending_writes)
        if stats.search_lag is not None:
            yield GaugeMetricFamily("twinplane_search_lag_rows",
                                    "Row writes not yet in the full-text index, so not yet found by searches (SQLite "
                                    "counts each change of a row, PostgreSQL each row once, up to 100,000).",
                                    value=stats.search_lag)
        if stats.wal_bytes_waiting is not None:
            yield GaugeMetricFamily("twinplane_sqlite_wal_bytes_waiting",
                                    "SQLite WAL bytes not yet copied into the database file.",
                                    value=stats.wal_bytes_waiting)
        yield GaugeMetricFamily("twinplane_store_stats_age_seconds", "Seconds since the store figures above were read.",
                                value=time.monotonic() - self._metrics.store_read_at)


def _counter(name: str, doc: str, value: int) -> CounterMetricFamily:
    return CounterMetricFamily(name, doc, value=value)


def _by_label(name: str, doc: str, label: str, counts: Mapping[str, int]) -> CounterMetricFamily:
    """A counter per value of one label, from a service's plain counts (copied in one step: the service
    adds to them on another thread)."""
    family = CounterMetricFamily(name, doc, labels=[label])
    for value, n in sorted(dict(counts).items()):
        family.add_metric([value], n)
    return family
