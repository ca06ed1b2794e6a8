"""Everything one data-plane app holds while it runs, built from the settings once at start.

No module-level state: ``create_app`` builds a ``Runtime`` in its lifespan and routes reach
it through ``request.app.state.runtime``, so two apps in one process never share anything.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import secrets
from typing import Any

import httpx

from twinplane.server.common.allowed_hosts import answered_hosts
from twinplane.server.data_plane.auth.api_keys import ApiKeyCache
from twinplane.server.data_plane.auth.authenticator import Authenticator
from twinplane.server.data_plane.auth.jwks import JwksVerifier
from twinplane.server.data_plane.blobs import open_blob_store
from twinplane.server.data_plane.control_client import ControlClient, ControlUnavailable
from twinplane.server.data_plane.metrics import Metrics
from twinplane.server.data_plane.ratelimit import RateLimiter
from twinplane.server.data_plane.services.catalog import Catalog
from twinplane.server.data_plane.services.erasure import Erasure
from twinplane.server.data_plane.services.ingest import IngestService
from twinplane.server.data_plane.services.objects import ObjectResolver
from twinplane.server.data_plane.services.prompts import Prompts
from twinplane.server.data_plane.services.reader import RowReader
from twinplane.server.data_plane.services.reports import Reports
from twinplane.server.data_plane.services.retention import Retention
from twinplane.server.data_plane.services.row_check import RowLimits
from twinplane.server.data_plane.services.traces import TraceIngest
from twinplane.server.data_plane.store.base import Store
from twinplane.server.settings import DataPlaneSettings

logger = logging.getLogger(__name__)

PIN_RETRY_SECONDS = 2.0
# Overflow payloads unused this long are abandoned: their upload URL expired long ago.
OVERFLOW_MAX_AGE_SECONDS = 3600.0
SWEEP_INTERVAL_SECONDS = 600.0
SWEEP_BATCH = 1000  # bounded per pass so a huge backlog never stalls a thread for long
SWEEP_STOP_SECONDS = 10.0  # how long stopping waits for a sweep in progress before closing the blob store


def _derive(secret: str, purpose: str) -> bytes:
    """A per-purpose key from the service token, which every replica of this data plane shares."""
    if not secret:
        return secrets.token_bytes(32)  # unconfigured: this process only
    return hashlib.sha256(f"twinplane:{purpose}\0{secret}".encode()).digest()


class Runtime:
    def __init__(self, settings: DataPlaneSettings, store: Store, *,
                 control_transport: httpx.AsyncBaseTransport | None = None, metrics: Metrics | None = None) -> None:
        self.settings = settings
        self.metrics = metrics or Metrics()
        self.store = store
        self.control = ControlClient(settings.control_url, settings.service_token, transport=control_transport)
        self.redis: Any = None
        if settings.redis_url:
            import redis.asyncio as aioredis

            self.redis = aioredis.Redis.from_url(settings.redis_url, socket_timeout=1.0, socket_connect_timeout=1.0)
        prefix = settings.redis_prefix
        self.keys = ApiKeyCache(
            self.control.introspect, secret=_derive(settings.service_token, "auth-cache"),
            ttl=settings.auth_cache_ttl_seconds, negative_ttl=settings.auth_negative_ttl_seconds,
            grace=settings.auth_grace_seconds, redis=self.redis, redis_prefix=prefix,
            refused_per_client_minute=settings.auth_refused_keys_per_client_minute)
        self.jwks = JwksVerifier(self.control.jwks, audience=settings.data_plane_id,
                                 issuer=(settings.jwt_issuer or settings.control_url).rstrip("/"),
                                 ttl=settings.jwks_ttl_seconds)
        self.auth = Authenticator(self.keys, self.jwks)
        self.limiter = RateLimiter(settings.rate_limit_org, settings.rate_limit_key,
                                   redis_url=settings.redis_url, prefix=prefix)
        self.blobs = open_blob_store(settings, _derive(settings.service_token, "blob-url"))
        self.objects = ObjectResolver(store, self.control)
        self.ingest = IngestService(store, self.objects,
                                    RowLimits(settings.max_row_bytes, settings.max_json_depth))
        self.catalog = Catalog(store, self.control, self.objects)
        self.traces = TraceIngest(self.ingest, self.catalog, self.objects)
        self.reader = RowReader(store, self.objects)
        self.reports = Reports(store, self.objects, settings.jwt_issuer or settings.control_url)
        self.prompts = Prompts(store, self.control, self.objects, self.ingest)
        self.retention = Retention(store, self.control, lambda: self.auth.org_id)
        self.erasure = Erasure(store, self.blobs)
        self._pin_task: asyncio.Task[None] | None = None
        self._sweep_task: asyncio.Task[None] | None = None
        self._sweep_run: asyncio.Future[int] | None = None  # a sweep's thread, which cancelling cannot stop
        self._retention_task: asyncio.Task[None] | None = None

    async def pin_org(self) -> bool:
        """Learn which org this data plane serves; True once known."""
        try:
            info = await self.control.data_plane()
        except (ControlUnavailable, httpx.HTTPError) as err:
            logger.warning("cannot reach the control plane to learn this data plane's org (%s)", err)
            return False
        org_id, dp_id = info.get("org_id"), info.get("id")
        if not isinstance(org_id, str) or not org_id:
            logger.error("the control plane's /data-plane answer names no org")
            return False
        if self.settings.data_plane_id and dp_id and dp_id != self.settings.data_plane_id:
            logger.error("service token belongs to data plane %s, not the configured %s",
                         dp_id, self.settings.data_plane_id)
            return False
        if not self.settings.data_plane_id and isinstance(dp_id, str):
            self.jwks.audience = dp_id
        self.auth.pin(org_id, str(info.get("org_name") or ""))
        logger.info("serving org %s", org_id)
        return True

    async def start(self, *, pin_attempts: int = 3) -> None:
        await self.metrics.start(self, self.settings.metrics_host, self.settings.metrics_port,
                                 answered_hosts(self.settings.public_url, self.settings.allowed_hosts))
        self._sweep_task = asyncio.create_task(self._sweep_overflow())
        if self.settings.retention_sweep_seconds > 0:
            self._retention_task = asyncio.create_task(self.retention.run(self.settings.retention_sweep_seconds))
        for attempt in range(pin_attempts):
            if await self.pin_org():
                return
            if attempt + 1 < pin_attempts:
                await asyncio.sleep(0.5 * (attempt + 1))
        self._pin_task = asyncio.create_task(self._keep_pinning())

    async def _keep_pinning(self) -> None:
        while True:  # a retry loop with back-off, not a wait for an event
            if await self.pin_org():
                return
            await asyncio.sleep(PIN_RETRY_SECONDS)

    async def _sweep_overflow(self) -> None:
        """At start and every ``SWEEP_INTERVAL_SECONDS``: delete abandoned overflow payloads."""
        while True:
            try:
                self._sweep_run = asyncio.ensure_future(
                    asyncio.to_thread(self.blobs.sweep_overflow, OVERFLOW_MAX_AGE_SECONDS, limit=SWEEP_BATCH))
                # retrieved here too: after a cancel nobody awaits it, and its error is logged below or moot
                self._sweep_run.add_done_callback(lambda f: f.cancelled() or f.exception())
                removed = await asyncio.shield(self._sweep_run)
                if removed:
                    logger.info("deleted %d abandoned overflow payload(s)", removed)
            except OSError as err:
                logger.warning("overflow sweep failed (%s)", type(err).__name__)
            await asyncio.sleep(SWEEP_INTERVAL_SECONDS)

    async def close(self) -> None:
        for task in (self._pin_task, self._sweep_task, self._retention_task):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        await self.metrics.close()
        if self._sweep_run is not None and not self._sweep_run.done():  # let it finish with the client open
            await asyncio.wait({self._sweep_run}, timeout=SWEEP_STOP_SECONDS)
        self.blobs.close()
        await self.catalog.close()
        await self.control.aclose()
        if self.redis is not None:
            await self.redis.aclose()
