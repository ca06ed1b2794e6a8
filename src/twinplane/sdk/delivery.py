"""Background delivery of logged rows to ``POST /logs3``.

The caller's thread only appends ``(object ref, row)`` to a bounded deque; a daemon
thread resolves object ids (login, project and experiment registration), folds rows of
the same key, serializes with orjson, batches by count and bytes and posts. Failures are
retried with backoff honouring ``Retry-After``; what cannot be sent is dropped and counted
(:class:`DeliveryStats`). Nothing here raises to the host.

Large payloads: when ``GET /version`` (asked once, before the first post) advertised
``logs3_payload_max_bytes``, batches stay under it and a payload still larger (a single big
row) goes through the overflow upload (:mod:`twinplane.sdk.overflow`: slot, upload to the
signed URL, reference to ``/logs3``), retried as a whole and counted in ``overflowed``.
Without that limit a 413 splits the batch in two, and a single row still refused is
dropped and counted in ``dropped_too_large``.

``flush(timeout)`` waits for everything enqueued before it, and never longer than
``timeout``. After ``fork()`` the child starts with an empty queue and no thread.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import httpx
import orjson

from twinplane.sdk import overflow, serializer
from twinplane.sdk.retry import RetryPolicy
from twinplane.sdk.row_keys import END_KEY, REF_KEY, START_KEY, expand_row
from twinplane.wire.coalesce import coalesce_rows

if TYPE_CHECKING:
    from twinplane.sdk.config import Config
    from twinplane.sdk.connection import Connection
    from twinplane.sdk.object_ref import ObjectRef

logger = logging.getLogger(__name__)

def _row_id(row: dict[str, Any]) -> Any:
    return row.get("id")


_TAKE_MAX = 10_000  # rows folded per cycle; bounds the worker's memory per cycle
WARNING_INTERVAL = 60.0  # seconds between two "cannot resolve" warnings
BACKPRESSURE_LIMIT = 30.0  # longest an experiment or dataset write waits for room in a full queue
_Encoded = tuple[bytes, dict[str, Any]]  # a serialized row and the row (for the overflow slot request)
_HEAD = b'{"rows":['
_TAIL = b'],"api_version":2}'
_ENVELOPE = len(_HEAD) + len(_TAIL) - 1  # a batch's payload: _ENVELOPE + sum(len(row) + 1)


@dataclass(frozen=True)
class DeliveryStats:
    """Counters since the state was created (or since a fork, in the child)."""

    sent: int = 0
    dropped_queue_full: int = 0
    dropped_failed: int = 0
    dropped_too_large: int = 0
    retries: int = 0
    pending: int = 0
    overflowed: int = 0  # rows of ``sent`` that went through an overflow upload

    @property
    def dropped(self) -> int:
        return self.dropped_queue_full + self.dropped_failed + self.dropped_too_large


@dataclass(frozen=True)
class FlushResult:
    """What one ``flush`` achieved. ``pending`` rows are still queued or in flight."""

    ok: bool
    sent: int
    dropped: int
    pending: int
    timed_out: bool


class _Marker:
    __slots__ = ("done",)

    def __init__(self) -> None:
        self.done = threading.Event()


class Delivery:
    """The bounded queue and its sender thread (one per :class:`~twinplane.sdk.state.State`)."""

    def __init__(self, config: Config, connection: Callable[[], Connection]) -> None:
        self._cfg = config
        self._connection = connection
        self._policy = RetryPolicy(retries=config.num_retries, max_backoff=config.max_backoff)
        self._max_queue = max(1, config.queue_size)
        self._batch_size = max(1, config.batch_size)
        self._init_runtime()

    def _init_runtime(self) -> None:
        self._queue: deque[Any] = deque()
        self._wake = threading.Event()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._closed = False
        self._in_flight = 0
        self._max_bytes = max(1024, self._cfg.batch_bytes)
        self._version_checked = False
        self._overflow_limit: int | None = None  # the server's logs3_payload_max_bytes, once read
        self._no_wait_until = 0.0
        self._last_warning = self._last_drop_warning = -WARNING_INTERVAL
        self._sent = self._dropped_full = self._dropped_failed = self._dropped_large = self._retries = 0
        self._overflowed = 0

    # -- caller side (hot path) ----------------------------------------------------------------
    def put(self, ref: ObjectRef, row: dict[str, Any]) -> None:
        """Enqueue one row; O(1), never blocks, never raises."""
        q = self._queue
        if len(q) >= self._max_queue or self._closed:
            # Experiments and datasets are written by evals and scripts, where a missing row is a wrong
            # result: they wait for room (bounded). Production logs never wait: they are dropped.
            if self._closed or ref.object_type == "project_logs" or not self._wait_for_room():
                with self._lock:
                    self._dropped_full += 1
                return
        # the ref rides in the row itself: one GC-tracked tuple less per row on the caller's thread
        row[REF_KEY] = ref
        q.append(row)
        if self._thread is None:
            self._start()
        elif len(q) >= self._batch_size and not self._wake.is_set():
            self._wake.set()

    def _wait_for_room(self, limit: float = BACKPRESSURE_LIMIT) -> bool:
        if self._thread is not None and threading.current_thread() is self._thread:
            return False
        if self._thread is None:
            self._start()
        now = time.monotonic()
        if now < self._no_wait_until:  # the sender was stuck a moment ago: do not stall every write
            return False
        deadline = now + limit
        while len(self._queue) >= self._max_queue:
            self._wake.set()
            if time.monotonic() > deadline or self._closed:
                self._no_wait_until = time.monotonic() + limit
                return False
            time.sleep(0.002)
        return True

    def _start(self) -> None:
        with self._lock:
            if self._thread is not None:
                return
            t = threading.Thread(target=self._run, name="twinplane-delivery", daemon=True)
            try:
                t.start()
            except RuntimeError:  # interpreter shutting down: nothing can be sent any more
                return
            self._thread = t

    def flush(self, timeout: float | None = None) -> FlushResult:
        """Send everything enqueued so far; return after at most ``timeout`` seconds."""
        before = self.stats()
        if not self._queue and self._in_flight == 0:
            return FlushResult(ok=True, sent=0, dropped=0, pending=0, timed_out=False)
        if self._thread is not None and threading.current_thread() is self._thread:
            return FlushResult(ok=False, sent=0, dropped=0, pending=self._pending(), timed_out=True)
        marker = _Marker()
        self._queue.append(marker)
        if self._thread is None:
            self._start()
        self._wake.set()
        done = marker.done.wait(timeout) if (timeout is None or timeout > 0) else False
        after = self.stats()
        dropped = after.dropped - before.dropped
        return FlushResult(ok=done and dropped == 0, sent=after.sent - before.sent, dropped=dropped,
                           pending=0 if done else self._pending(), timed_out=not done)

    def _pending(self) -> int:
        return sum(1 for item in list(self._queue) if not isinstance(item, _Marker)) + self._in_flight

    def stats(self) -> DeliveryStats:
        return DeliveryStats(sent=self._sent, dropped_queue_full=self._dropped_full, dropped_failed=self._dropped_failed,
                             dropped_too_large=self._dropped_large, retries=self._retries, pending=self._pending(),
                             overflowed=self._overflowed)

    def close(self, timeout: float | None = None) -> FlushResult:
        result = self.flush(timeout)
        self._closed = True
        self._wake.set()
        return result

    def reset_after_fork(self) -> None:
        """In a forked child: the parent sends its own rows; start empty, thread-less."""
        self._init_runtime()

    # -- worker side ---------------------------------------------------------------------------
    def _run(self) -> None:
        while True:
            self._wake.wait(self._cfg.flush_interval)
            self._wake.clear()
            try:
                self._drain()
            except Exception:  # the worker must survive anything
                logger.exception("twinplane delivery cycle failed")
            if self._closed and not self._queue:
                return

    def _drain(self) -> None:
        while self._queue:
            items: list[dict[str, Any]] = []
            markers: list[_Marker] = []
            while self._queue and len(items) < _TAKE_MAX:
                item = self._queue.popleft()
                if isinstance(item, _Marker):
                    markers.append(item)
                    break
                items.append(item)
            self._in_flight = len(items)
            try:
                if items:
                    self._process(items)
            finally:
                self._in_flight = 0
                for m in markers:
                    m.done.set()

    def _process(self, items: list[dict[str, Any]]) -> None:
        groups: dict[int, tuple[ObjectRef, list[dict[str, Any]]]] = {}
        for row in items:
            ref = row.pop(REF_KEY)
            if START_KEY in row or END_KEY in row:
                expand_row(row)
            group = groups.get(id(ref))
            if group is None:
                groups[id(ref)] = (ref, [row])
            else:
                group[1].append(row)
        encoded: list[_Encoded] = []
        for ref, rows in groups.values():
            ident = self._identity(ref)
            if ident is None:
                self._dropped_failed += len(rows)
                continue
            # queue rows are the SDK's own dicts (never the caller's), so they are folded in place
            for row in coalesce_rows(rows, key=_row_id, in_place=True):
                created = row.get("created")
                if created.__class__ is float:
                    row["created"] = serializer.iso_utc(created)
                row.update(ident)
                encoded.append((serializer.dumps(row), row))
        if not encoded:
            return
        self._check_version()
        for batch in self._batches(encoded):
            self._send(batch)

    def _identity(self, ref: ObjectRef) -> dict[str, Any] | None:
        try:
            return ref.identity()
        except Exception as exc:  # noqa: BLE001 - login/registration failures drop rows, never raise
            now = time.monotonic()
            if now - self._last_warning >= WARNING_INTERVAL:  # one line per interval, not one per cycle
                self._last_warning = now
                logger.warning("twinplane: cannot resolve %s (%s); its rows are dropped", ref.describe(), exc)
            return None

    def _check_version(self) -> None:
        if self._version_checked:
            return
        self._version_checked = True
        try:
            resp = self._connection().send("GET", "/version", timeout=5.0)
            if resp.status_code == 200:
                limit = orjson.loads(resp.content).get("logs3_payload_max_bytes")
                if isinstance(limit, (int, float)) and not isinstance(limit, bool) and int(limit) > 0:
                    self._overflow_limit = int(limit)
                    self._max_bytes = min(self._max_bytes, self._overflow_limit)
        except Exception:  # noqa: BLE001 - optional handshake
            logger.debug("GET /version failed; using the configured batch size", exc_info=True)

    def _batches(self, encoded: list[_Encoded]) -> list[list[_Encoded]]:
        """Batches whose payload stays within the row count and ``_max_bytes``; a row larger than
        that goes alone."""
        batches: list[list[_Encoded]] = []
        cur: list[_Encoded] = []
        size = _ENVELOPE
        for item in encoded:
            n = len(item[0]) + 1
            if cur and (len(cur) >= self._batch_size or size + n > self._max_bytes):
                batches.append(cur)
                cur, size = [], _ENVELOPE
            cur.append(item)
            size += n
        if cur:
            batches.append(cur)
        return batches

    def _send(self, batch: list[_Encoded]) -> None:
        if self._overflow_limit is not None and _payload_size(batch) > self._overflow_limit:
            self._send_overflow(batch)
            return
        body = _payload(batch)
        attempt = 0
        while True:
            status: int | None = None
            retry_after: str | None = None
            try:
                resp = self._connection().send("POST", "/logs3", content=body,
                                               headers={"Content-Type": "application/json"})
                status = resp.status_code
                retry_after = resp.headers.get("retry-after")
            except httpx.HTTPError as exc:
                logger.debug("POST /logs3 failed: %s", type(exc).__name__)
            except Exception as exc:  # noqa: BLE001 - e.g. login failure inside connection()
                logger.warning("twinplane: cannot send rows: %s", exc)
            if status is not None and 200 <= status < 300:
                self._sent += len(batch)
                return
            if status == 413:
                if len(batch) == 1:
                    self._drop_too_large(batch)
                    return
                half = len(batch) // 2
                self._max_bytes = max(1024, min(self._max_bytes, len(body) // 2))
                self._send(batch[:half])
                self._send(batch[half:])
                return
            if not self._wait_to_retry(len(batch), attempt, status, retry_after):
                return
            attempt += 1

    def _send_overflow(self, batch: list[_Encoded]) -> None:
        """Slot, upload, reference; a failed attempt starts again from the step that failed (a new
        slot when the upload failed, since an upload URL works once)."""
        size = _payload_size(batch)
        slot_body = overflow.slot_request([overflow.row_meta(row, len(part)) for part, row in batch], size)
        key: str | None = None
        attempt = 0
        while True:
            status: int | None = None
            retry_after: str | None = None
            try:
                conn = self._connection()
                if key is None:
                    resp = conn.send("POST", "/logs3/overflow", json=slot_body)
                    status, retry_after = resp.status_code, resp.headers.get("retry-after")
                    if 200 <= status < 300:
                        slot = overflow.parse_slot(_json_or_none(resp.content))
                        if slot is None:
                            self._drop_failed(len(batch), attempt + 1, "the data plane answered no usable overflow slot")
                            return
                        status = None
                        # the payload exists only while it is uploaded: one copy of the batch, released at once
                        status, retry_after = overflow.upload(conn, slot, _payload(batch))
                        if 200 <= status < 300:
                            key = slot.key
                if key is not None:
                    status = None
                    resp = conn.send("POST", "/logs3", json=overflow.reference(key, size))
                    status, retry_after = resp.status_code, resp.headers.get("retry-after")
                    if 200 <= status < 300:
                        self._sent += len(batch)
                        self._overflowed += len(batch)
                        return
            except httpx.HTTPError as exc:
                logger.debug("overflow upload failed: %s", type(exc).__name__)
            except Exception as exc:  # noqa: BLE001 - e.g. login failure inside connection()
                logger.warning("twinplane: cannot send rows: %s", exc)
            if status == 413:
                self._drop_too_large(batch)
                return
            if not self._wait_to_retry(len(batch), attempt, status, retry_after):
                return
            attempt += 1

    def _drop_too_large(self, batch: list[_Encoded]) -> None:
        self._dropped_large += len(batch)
        logger.warning("twinplane: %d row(s) of %d bytes are larger than the server accepts; dropped",
                       len(batch), _payload_size(batch))

    def _wait_to_retry(self, n: int, attempt: int, status: int | None, retry_after: str | None) -> bool:
        """Sleep before the next attempt and say True; or, out of attempts, drop the ``n`` rows."""
        if attempt >= self._policy.retries or not self._policy.should_retry(status):
            self._drop_failed(n, attempt + 1, f"last status {status}")
            return False
        self._retries += 1
        time.sleep(self._policy.delay(attempt, retry_after))
        return True

    def _drop_failed(self, n: int, attempts: int, why: str) -> None:
        self._dropped_failed += n
        now = time.monotonic()
        if now - self._last_drop_warning >= WARNING_INTERVAL:
            self._last_drop_warning = now
            logger.warning("twinplane: dropped %d rows after %d attempts (%s); see twinplane.delivery_stats()",
                           n, attempts, why)


def _payload(batch: list[_Encoded]) -> bytes:
    return _HEAD + b",".join(part for part, _ in batch) + _TAIL


def _payload_size(batch: list[_Encoded]) -> int:
    return _ENVELOPE + sum(len(part) + 1 for part, _ in batch)


def _json_or_none(content: bytes) -> Any:
    try:
        return orjson.loads(content)
    except orjson.JSONDecodeError:
        return None
