"""Prometheus metrics both planes export, and the listener that serves them.

Each app gets its own registry (two apps in one process, as in tests, share nothing) with the
process, platform and garbage-collector collectors, and ``MetricsMiddleware`` counts and times
every HTTP request by method, route template and status. A route appears as its template
(``/v1/experiment/{experiment_id}/fetch``), never as the raw path, so the figures hold no ids,
names or tokens (paths can carry signed URLs), and unmatched paths share one label: a scan of
random paths adds no series.

``serve(host, port, hosts)`` starts a small WSGI listener (``prometheus_client``'s exposition
app) on a thread: a port of its own, answering ``GET`` on any path without credentials, so it
is bound where only monitoring reaches (127.0.0.1 unless configured). Like the API ports it
answers only a ``Host`` it knows, an IP address or one of the plane's allowed host names, so a
web page cannot read it through DNS rebinding.
"""

from __future__ import annotations

import ipaddress
import logging
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, make_server

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest, make_wsgi_app
from prometheus_client.exposition import ThreadingWSGIServer
from prometheus_client.gc_collector import GCCollector
from prometheus_client.platform_collector import PlatformCollector
from prometheus_client.process_collector import ProcessCollector
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from twinplane.server.common.allowed_hosts import host_allowed, hostname_of

logger = logging.getLogger(__name__)

# Seconds: from a 1 ms read to a 10 s write waiting behind a long group.
LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
NO_ROUTE = "(no route)"
# the method label's values; anything else counts as OTHER, so a client cannot add series
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


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
        method = method if method in _METHODS else "OTHER"
        self.requests.labels(method, route, str(status)).inc()
        self.latency.labels(method, route).observe(seconds)

    def serve(self, host: str, port: int, hosts: Iterable[str]) -> None:
        """Answer ``GET /metrics`` on ``host:port`` (a thread) until ``stop``, to requests whose ``Host``
        is an IP address or matches ``hosts`` (``allowed_hosts`` patterns)."""
        app = _known_hosts_only(make_wsgi_app(self.registry), list(hosts))
        self._server = make_server(host, port, app, ThreadingWSGIServer, handler_class=_QuietHandler)
        self._thread = threading.Thread(target=self._server.serve_forever, name="twinplane-metrics", daemon=True)
        self._thread.start()
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


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
        """A scrape every few seconds is not worth a log line."""


def _known_hosts_only(app: Callable[..., Any], patterns: list[str]) -> Callable[..., Any]:
    def guarded(environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        host = hostname_of(environ.get("HTTP_HOST", ""))
        try:
            ipaddress.ip_address(host)
        except ValueError:  # a name: only a known one (DNS rebinding points a foreign name here)
            if not host_allowed(host, patterns):
                start_response("400 Bad Request", [("Content-Type", "text/plain; charset=utf-8")])
                return [b"unknown host\n"]
        return app(environ, start_response)
    return guarded


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
