"""The SQLite writer in a process of its own, so it never waits for the event loop's GIL.

Python's ``sqlite3`` releases the GIL while SQLite works and takes it back after every
statement. With the writer thread beside the event loop in one process, each of those
hand-backs waited for the event loop's Python (request parsing, checks, auth): the writer
spent ~72 µs of wall time per ~2 KB row in the server against ~42 µs alone, and ingest
stopped near 10k rows/s however idle the second core was. Here the server process keeps
HTTP, checks and reads; a child process (``spawn``: no inherited threads or locks) runs
``SqliteWriter`` (group commit) and its full-text indexer, and talks to the server over a
socket pair.

Frames both ways: 4-byte big-endian length, then a ``marshal`` document (dicts, lists, str,
numbers, None). Both ends are this code on a private socket pair, so marshal's lack of
defences against crafted input does not matter here; against orjson it moves a prepared row's
stored JSON as plain bytes instead of an escaped string: ~40 % fewer bytes, and encoding plus
decoding ~2.5 instead of ~3.7 µs per row (store README, performance log).
Requests ``{"id", "op", ...}``: ``write`` (rows as ``[org, project, type, object, row id,
row, prepared]``: a plain replace travels as ``[data, shape, search text, own created]``
instead of its row, computed by ``row_change.prepare_all`` in the server, see ``WriterProcess.write``), ``run`` (a named operation of ``sqlite_writer.OPS`` and its arguments),
``index_now``. Replies ``{"id", "ok": result}`` or ``{"id", "error": {"type", "message",
"details"}}``; a ``TwinplaneError`` raised in the child is raised again here with its
class, anything else as a plain ``TwinplaneError`` (500) naming the error's type. A write
is answered only after its group committed, so an acknowledged row is on disk whatever
happens to either process after. If the child dies, the calls it had not answered fail
with ``WriterStopped`` (503, Retry-After: their rows may or may not be stored, and
re-sending a batch is safe) and the next call starts a new child.

In the child, the main thread reads requests (blocking socket reads) and queues them for
the writer thread, which sends each reply itself after the commit.

The child stops when asked, or when the socket closes (the server exited or was killed):
it finishes the calls it has and exits. It ignores SIGINT and SIGTERM, so a Ctrl-C sent
to the whole process group cannot interrupt a commit; the server stops it after draining.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import marshal
import multiprocessing
import operator
import signal
import socket
import struct
import threading
import time
from typing import Any

from twinplane.server.common import errors
from twinplane.server.common.errors import BadRequest, TwinplaneError, Unavailable
from twinplane.server.common.gc_tuning import tune_gc
from twinplane.server.common.redaction import install_redaction
from twinplane.server.data_plane.store.base import ObjectRef, Prepared, RowWrite, WriteResult
from twinplane.server.data_plane.store.row_change import prepare_all
from twinplane.server.data_plane.store.row_shape import RowShape

logger = logging.getLogger(__name__)

_HEADER = struct.Struct(">I")
START_TIMEOUT = 60.0  # seconds for the child to import, open the database and say it is ready
STOP_TIMEOUT = 120.0  # seconds for it to drain its queue and let the indexer catch up


class WriterStopped(Unavailable):
    """The writer process exited before answering; a new one starts with the next call."""

    def __init__(self) -> None:
        super().__init__("the store's writer restarted; retry the request", retry_after=1)


def _frame(doc: Any) -> bytes:
    body = marshal.dumps(doc)
    return _HEADER.pack(len(body)) + body


async def _read_frame(reader: asyncio.StreamReader) -> Any:
    (n,) = _HEADER.unpack(await reader.readexactly(_HEADER.size))
    return marshal.loads(await reader.readexactly(n))  # noqa: S302 - our own child, a private socket pair


_shape_values = operator.attrgetter(*(f.name for f in dataclasses.fields(RowShape)))


def _prepared(doc: list[Any] | None) -> Prepared | None:
    if doc is None:
        return None
    data, shape, search, own_created = doc
    return Prepared(data, RowShape(*shape), tuple(search), own_created)


def _error_doc(err: BaseException) -> dict[str, Any]:
    if isinstance(err, TwinplaneError):
        return {"type": type(err).__name__, "message": err.message, "details": err.details}
    from twinplane.server.data_plane.store.db_error import describe

    return {"type": None, "message": f"the store writer failed ({describe(err)})", "details": None}


def _error_from(doc: dict[str, Any]) -> TwinplaneError:
    cls = getattr(errors, doc.get("type") or "", None)
    # only the simple (message, details) classes travel; the rest arrive as a plain 500
    if isinstance(cls, type) and issubclass(cls, TwinplaneError) and cls.__init__ is TwinplaneError.__init__:
        return cls(doc["message"], details=doc.get("details"))
    return TwinplaneError(doc["message"])


# the server's side -----------------------------------------------------------
class WriterProcess:
    """What ``SqliteStore`` holds: ``start``, ``write``, ``run``, ``index_now``, ``stop``."""

    def __init__(self, path: str, synchronous: str, wal_restart_bytes: int) -> None:
        self._path = path
        self._synchronous = synchronous
        self._wal_restart_bytes = wal_restart_bytes
        self._proc: multiprocessing.process.BaseProcess | None = None
        self._reader: asyncio.StreamReader | None = None
        self._stream: asyncio.StreamWriter | None = None
        self._replies: asyncio.Task[None] | None = None
        self._pending: dict[int, asyncio.Future[Any]] = {}
        self._next_id = 0
        self._writes = 0  # row writes not answered yet
        self._broken: BaseException | None = None
        self._restart = asyncio.Lock()

    async def start(self) -> None:
        self._broken = None
        ours, theirs = socket.socketpair()
        ctx = multiprocessing.get_context("spawn")
        # the server's log level: the writer logs like the process it serves
        level = logging.getLogger().getEffectiveLevel()
        self._proc = ctx.Process(target=child_main,
                                 args=(self._path, self._synchronous, self._wal_restart_bytes, theirs, level),
                                 name="twinplane-sqlite-writer", daemon=True)
        self._proc.start()
        theirs.close()
        self._reader, self._stream = await asyncio.open_unix_connection(sock=ours)
        try:
            hello = await asyncio.wait_for(_read_frame(self._reader), START_TIMEOUT)
        except (asyncio.IncompleteReadError, TimeoutError) as err:
            await self._reap()
            raise RuntimeError("the SQLite writer process did not start (see its log above)") from err
        if "error" in hello:
            await self._reap()
            raise RuntimeError(hello["error"]["message"])
        self._replies = asyncio.create_task(self._read_replies(), name="twinplane-sqlite-writer-replies")

    async def stop(self) -> None:
        if self._proc is None:
            return
        if self._broken is None:
            with contextlib.suppress(TwinplaneError, ConnectionError):
                await self._request({"op": "stop"})
        await self._reap()

    async def _reap(self) -> None:
        stream, self._stream, self._reader = self._stream, None, None
        if stream is not None:
            stream.close()
            with contextlib.suppress(ConnectionError, OSError):
                await stream.wait_closed()
        proc, self._proc = self._proc, None
        if proc is not None:
            await asyncio.to_thread(proc.join, STOP_TIMEOUT)
            if proc.is_alive():
                logger.error("the SQLite writer process did not stop in %.0f s; killing it", STOP_TIMEOUT)
                proc.kill()
                await asyncio.to_thread(proc.join)
        if self._replies is not None:
            self._replies.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._replies
            self._replies = None

    @property
    def pending(self) -> int:
        """Row writes sent and not answered yet."""
        return self._writes

    async def write(self, rows: list[RowWrite]) -> WriteResult:
        # Plain replaces travel prepared (``row_change.prepare_all``): the final JSON text, the shape and
        # the full-text columns, computed here, beside the writer process, which is the bottleneck
        # of ingest; merges and deletes travel as rows.
        wire: list[list[Any]] = []
        for w, p in zip(rows, prepare_all(rows, time.time()), strict=True):
            head = [w.org_id, w.project_id, w.ref.object_type, w.ref.object_id, w.row_id]
            if p is None:
                wire.append([*head, w.row, None])
            else:
                wire.append([*head, None, [p.data, _shape_values(p.shape), p.search, p.own_created]])
        self._writes += 1
        try:
            out = await self._request({"op": "write", "rows": wire})
        finally:
            self._writes -= 1
        return WriteResult(xact_id=out["xact_id"], row_ids=out["row_ids"])

    async def run(self, op: str, *args: Any) -> Any:
        """A named operation of ``sqlite_writer.OPS``, in a transaction of its own."""
        return await self._request({"op": "run", "name": op, "args": list(args)})

    async def index_now(self) -> None:
        await self._request({"op": "index_now"})

    async def _request(self, doc: dict[str, Any]) -> Any:
        if self._broken is not None:
            async with self._restart:
                if self._broken is not None and self._proc is not None:
                    logger.error("the SQLite writer process exited; starting a new one")
                    await self._reap()
                    await self.start()
        if self._stream is None:
            raise RuntimeError("the store is not started")
        self._next_id += 1
        doc["id"] = self._next_id
        try:
            frame = _frame(doc)
        except ValueError as err:  # marshal's "unmarshallable object": no JSON value either
            raise BadRequest("row is not serializable as JSON") from err
        fut: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._pending[self._next_id] = fut
        self._stream.write(frame)
        # as with the thread writer: the outcome is the writer's, a cancelled caller does not undo it
        reply = await asyncio.shield(fut)
        if reply is None:
            raise WriterStopped
        if "error" in reply:
            raise _error_from(reply["error"])
        return reply["ok"]

    async def _read_replies(self) -> None:
        assert self._reader is not None
        try:
            while True:
                reply = await _read_frame(self._reader)
                fut = self._pending.pop(reply["id"], None)
                if fut is not None and not fut.done():
                    fut.set_result(reply)
        except (asyncio.IncompleteReadError, ConnectionError) as err:
            self._broken = err
            if self._pending:
                logger.error("the SQLite writer process exited with %d calls unanswered", len(self._pending))
            for fut in self._pending.values():
                if not fut.done():
                    fut.set_result(None)
            self._pending.clear()


# the writer's side -----------------------------------------------------------
def child_main(path: str, synchronous: str, wal_restart_bytes: int, sock: socket.socket,
               log_level: int = logging.INFO) -> None:
    """Entry point of the writer process."""
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, signal.SIG_IGN)
    logging.basicConfig(level=log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    install_redaction()
    _serve(path, synchronous, wal_restart_bytes, sock)


def _recv_exactly(sock: socket.socket, n: int) -> bytearray:
    buf = bytearray(n)
    view = memoryview(buf)
    got = 0
    while got < n:
        k = sock.recv_into(view[got:], n - got)
        if k == 0:
            raise EOFError
        got += k
    return buf


def _recv_frame(sock: socket.socket) -> Any:
    (n,) = _HEADER.unpack(_recv_exactly(sock, _HEADER.size))
    return marshal.loads(_recv_exactly(sock, n))  # noqa: S302 - our own server, a private socket pair


class _Answers:
    """Replies to the server, sent from whichever thread finished the call (mostly the writer's,
    right after its commit); counts the calls not answered yet, so ``stop`` can wait for them."""

    def __init__(self, sock: socket.socket) -> None:
        self._sock = sock
        self._lock = threading.Lock()
        self._open = 0
        self._idle = threading.Condition()

    def send(self, doc: dict[str, Any]) -> None:
        try:
            frame = _frame(doc)
        except ValueError as err:  # a result or error detail marshal cannot carry: still answer
            frame = _frame({"id": doc.get("id"), "error": _error_doc(err)})
        with self._lock:
            try:
                self._sock.sendall(frame)
            except OSError:
                pass  # the server is gone; its calls are failed on its side

    def expect(self) -> None:
        with self._idle:
            self._open += 1

    def answer(self, req_id: int, out: Any, err: BaseException | None) -> None:
        self.send({"id": req_id, "ok": out} if err is None else {"id": req_id, "error": _error_doc(err)})
        with self._idle:
            self._open -= 1
            self._idle.notify_all()

    def wait_all(self) -> None:
        with self._idle:
            self._idle.wait_for(lambda: self._open == 0)


def _serve(path: str, synchronous: str, wal_restart_bytes: int, sock: socket.socket) -> None:
    """Read requests on this thread and queue them for the writer thread, which answers each one
    after its commit. Plain blocking sockets: the asyncio streams this replaced cost ~5 µs of
    CPU per ingested row (a 200 KB frame arrived in many reads, each pausing and resuming the
    transport)."""
    from twinplane.server.data_plane.store.sqlite_writer import OPS, SqliteWriter

    writer = SqliteWriter(path, synchronous, wal_restart_bytes)
    answers = _Answers(sock)
    try:
        writer.start()
    except Exception as err:  # noqa: BLE001 - reported to the server, which fails its start
        answers.send({"error": _error_doc(err)})
        sock.close()
        return
    tune_gc()  # as in the server process: each batch's rows are thousands of short-lived dicts
    answers.send({"ready": True})

    def dispatch(req: dict[str, Any]) -> None:
        req_id, op = req["id"], req.get("op")
        answers.expect()

        def done(result: Any, err: BaseException | None) -> None:
            if err is None and op == "write":
                result = {"xact_id": result.xact_id, "row_ids": result.row_ids}
            answers.answer(req_id, result, err)

        try:
            if op == "write":
                writer.submit_rows([RowWrite(org, project, ObjectRef(typ, obj), row_id, row, _prepared(p))
                                    for org, project, typ, obj, row_id, row, p in req["rows"]], done)
            elif op == "run":
                fn, args = OPS[req["name"]], req["args"]
                writer.submit_call(lambda c: fn(c, *args), done)
            elif op == "index_now":
                def wait() -> None:
                    try:
                        writer.index_now()
                    except Exception as err:  # noqa: BLE001 - every call gets an answer
                        done(None, err)
                    else:
                        done(None, None)

                threading.Thread(target=wait, name="twinplane-sqlite-index-now", daemon=True).start()
            else:
                raise ValueError(f"unknown writer operation {op!r}")
        except Exception as err:  # noqa: BLE001 - every call gets an answer
            done(None, err)

    try:
        while True:
            try:
                req = _recv_frame(sock)
            except (EOFError, OSError):
                break  # the server is gone: finish what we have and exit
            if req.get("op") == "stop":
                answers.wait_all()
                answers.send({"id": req["id"], "ok": None})
                break
            dispatch(req)
        answers.wait_all()
    finally:
        writer.stop()
        sock.close()
