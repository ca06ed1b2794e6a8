"""Prometheus metrics both planes export, and the listener that serves them.

Each app gets its own registry (two apps in one process, as in tests, share nothing) with the
process, platform and garbage-collector collectors, and ``MetricsMiddleware`` counts and times
every HTTP request by method, route template and status. A route appears as its template
(``/v1/experiment/{experiment_id}/fetch``), never as the raw path, so the figures hold no ids,
names or tokens (paths can carry signed URLs), and unmatched paths share one label: a scan of
random paths adds no series.

``serve(host, port)`` starts ``prometheus_client``'s HTTP listener on a thread: a port of its
own, answering ``GET`` on any path without credentials, so it is bound where only monitoring
reaches (127.0.0.1 unless configured).
"""

from __future__ import annotations

import logging
import time
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest, start_http_server
from prometheus_client.gc_collector import GCCollector
from prometheus_client.platform_collector import PlatformCollector
from prometheus_client.process_collector import ProcessCollector
from starlette.types import ASGIApp, Message, Receive, Scope, Send

logger = logging.getLogger(__name__)

# Seconds: from a 1 ms read to a 10 s write waiting behind a long group.
LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
NO_ROUTE = "(no route)"


class HttpMetrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        ProcessCollector(registry=self.registry)
        PlatformCollector(registry=self.registry)
        GCCollector(registry=self.registry)
        self.requests = Counter("twinplane_http_requests", "HTTP requests answered, by method, route template and status.",
                                ("method", "route", "status"), registry=self.registry)
        self.latency = Histogram("twinplane_http_request_duration_seconds",
                                 "Time from a request's arrival to its last response byte, by method and route template.",
                                 ("method", "route"), buckets=LATENCY_BUCKETS, registry=self.registry)
        self._server: Any = None
        self._thread: Any = None

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        self.requests.labels(method, route, str(status)).inc()
        self.latency.labels(method, route).observe(seconds)

    def serve(self, host: str, port: int) -> None:
        """Answer ``GET /metrics`` on ``host:port`` (a thread) until ``stop``."""
        self._server, self._thread = start_http_server(port, addr=host, registry=self.registry)
        logger.info("metrics at http://%s:%d/metrics", host, self._server.server_port)

    @property
    def port(self) -> int | None:
        """The listener's port, None when not serving."""
        return None if self._server is None else int(self._server.server_port)

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._thread.join(5)
            self._server = self._thread = None

    def render(self) -> bytes:
        """The exposition text (what ``GET /metrics`` answers)."""
        return generate_latest(self.registry)


class MetricsMiddleware:
    """Counts and times every HTTP request, labelled by its route's template once routing matched it.
    Add it last (outermost), so it times everything the other middleware does too."""

    def __init__(self, app: ASGIApp, metrics: HttpMetrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500  # what the client gets when the app raises before answering

        async def send_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_status)
        finally:
            # the router writes the matched route into this same scope
            route = getattr(scope.get("route"), "path", None) or NO_ROUTE
            self.metrics.observe(scope["method"], route, status, time.perf_counter() - started)
