"""SQLite: a read that runs too long is interrupted and reported as a user error; the WAL stays bounded
under load, is copied into the database file by size or by age, and is emptied when idle."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import sys
import threading
import time
from typing import Any

import pytest

from twinplane.server.common.errors import BadRequest
from twinplane.server.data_plane.migrations import upgrade_to_head
from twinplane.server.data_plane.store import sqlite as sqlite_store
from twinplane.server.data_plane.store import sqlite_checkpointer, sqlite_indexer, sqlite_writer
from twinplane.server.data_plane.store.base import ObjectRef, RowQuery
from twinplane.server.data_plane.store.sqlite import SqliteStore
from twinplane.server.data_plane.store.sqlite_checkpointer import SqliteCheckpointer
from twinplane.server.data_plane.store.sqlite_connection import PAGE_SIZE, frame_bytes, wal_frames
from twinplane.server.data_plane.store.sqlite_writer import SqliteWriter

from .conftest import ORG, w

EXP = ObjectRef("experiment", "exp-1")


async def test_long_reads_are_interrupted(tmp_path, monkeypatch) -> None:
    store = SqliteStore(str(tmp_path / "data.db"))
    await store.start()
    try:
        await store.write_rows([w(EXP, f"r{i}", input=i, metadata={"k": i}) for i in range(3000)])
        monkeypatch.setattr(sqlite_store, "READ_TIMEOUT", -1.0)
        with pytest.raises(BadRequest, match="ran longer"):
            await store.fetch_rows(RowQuery(ORG, EXP, sort=[("start", "desc")], limit=10))  # sorts every row
        monkeypatch.setattr(sqlite_store, "READ_TIMEOUT", 30.0)
        assert len((await store.fetch_rows(RowQuery(ORG, EXP, limit=10))).rows) == 10
    finally:
        await store.close()


async def test_a_new_database_gets_the_page_size_and_an_old_one_keeps_its_own(tmp_path) -> None:
    new, old = str(tmp_path / "new.db"), str(tmp_path / "old.db")
    conn = sqlite3.connect(old)
    conn.execute("PRAGMA page_size=4096")
    conn.execute("CREATE TABLE made_before (x)")  # a file written before this page size existed
    conn.close()
    for path, size in ((new, PAGE_SIZE), (old, 4096)):
        store = SqliteStore(path)
        await store.start()
        try:
            await store.write_rows([w(EXP, "a", input="x")])
            assert (await store.fetch_rows(RowQuery(ORG, EXP, limit=1))).rows[0]["id"] == "a"
        finally:
            await store.close()
        conn = sqlite3.connect(path)
        assert conn.execute("PRAGMA page_size").fetchone()[0] == size
        conn.close()


def _wal_size(path: str) -> int:
    return os.path.getsize(path + "-wal")


async def test_a_wal_past_its_bound_starts_over_once_a_long_reader_lets_go(tmp_path) -> None:
    path = str(tmp_path / "data.db")
    store = SqliteStore(path, wal_restart_bytes=64 * 1024)
    await store.start()
    reader = sqlite3.connect(path, isolation_level=None)
    try:
        reader.execute("BEGIN")
        reader.execute("SELECT count(*) FROM dp_rows").fetchone()  # holds its snapshot: the WAL cannot restart
        for i in range(20):
            await store.write_rows([w(EXP, f"r{i}-{j}", input="x" * 500) for j in range(50)])
        await asyncio.sleep(1.5)
        grown = _wal_size(path)
        assert grown > 64 * 1024  # the reader's snapshot still needs it
        frames = grown // (24 + 4096)  # a frame: its header and one page
        reader.execute("COMMIT")
        restarted = False
        for i in range(100):
            await store.write_rows([w(EXP, f"after-{i}", input="y")])
            if wal_frames(path)[0] < frames:
                restarted = True
                break
            await asyncio.sleep(0.1)
        assert restarted  # the writer went back to the start of the file ...
        size = _wal_size(path)
        assert size >= grown
        for i in range(5):
            await store.write_rows([w(EXP, f"over-{i}-{j}", input="z" * 500) for j in range(20)])
        assert _wal_size(path) == size  # ... and writes over it: neither past its end nor emptied
        assert (await store.fetch_rows(RowQuery(ORG, EXP, limit=1))).rows[0]["id"].startswith("over-4-")
    finally:
        reader.close()
        await store.close()


async def test_an_idle_wal_is_emptied(tmp_path) -> None:
    path = str(tmp_path / "data.db")
    store = SqliteStore(path, wal_restart_bytes=64 * 1024)  # past it, yet idle: emptied too
    await store.start()
    try:
        store._checkpointer.idle_rounds = 2
        for i in range(10):
            await store.write_rows([w(EXP, f"r{i}-{j}", input="x" * 500) for j in range(50)])
        assert _wal_size(path) > 64 * 1024
        for _ in range(100):
            if _wal_size(path) == 0:
                break
            await asyncio.sleep(0.1)
        assert _wal_size(path) == 0
        await store.write_rows([w(EXP, "later", input="y")])  # and writing goes on
        assert (await store.fetch_rows(RowQuery(ORG, EXP, limit=1))).rows[0]["id"] == "later"
    finally:
        await store.close()


def test_the_writer_starts_a_long_wal_over_itself(tmp_path) -> None:
    """No checkpointer runs here, so nothing else copies frames or starts the file over: without
    the writer's own RESTART between groups, 80 groups would leave a WAL of several MB."""
    path = str(tmp_path / "data.db")
    upgrade_to_head(f"sqlite:///{path}")
    bound = 256 * 1024
    writer = SqliteWriter(path, "NORMAL", wal_restart_bytes=bound)
    writer.start()
    try:
        sizes = []
        for i in range(80):
            _write_group(writer, [w(EXP, f"r{i}-{j}", input="x" * 500) for j in range(10)])
            sizes.append(_wal_size(path))
        # started over at most a group past RESTART_FORCE_RATIO x the bound, then written over in place
        assert max(sizes) < 2 * bound, sizes
    finally:
        writer.stop()


def _grouper(writer: SqliteWriter, path: str) -> Any:
    """A function that writes one small group and returns the WAL's frames after it."""
    n = 0

    def group() -> int:
        nonlocal n
        n += 1
        _write_group(writer, [w(EXP, f"g{n}-{j}", input="x" * 500) for j in range(4)])
        return wal_frames(path)[0]

    return group


def _write_group(writer: SqliteWriter, rows: list[Any]) -> None:
    answered = threading.Event()
    errors: list[Any] = []

    def done(_result: Any, error: BaseException | None) -> None:
        errors.append(error)
        answered.set()

    writer.submit_rows(rows, done)
    assert answered.wait(30) and errors == [None]


def test_the_writer_waits_for_frames_to_be_copied_before_starting_the_wal_over(tmp_path, monkeypatch) -> None:
    """Past its bound the writer does not copy (and fsync) a long WAL itself while frames wait:
    it starts the file over once another connection (the checkpointer) has copied them, or once
    the WAL reached ``RESTART_FORCE_RATIO`` times the bound."""
    # A RESTART right after another connection's checkpoint is at times refused at once (SQLite
    # reads the WAL's size as -1: its checkpoint lock was held); the writer then writes on for
    # RESTART_RETRY_SECONDS, longer than this test's groups take: here it tries at the next group.
    monkeypatch.setattr(sqlite_writer, "RESTART_RETRY_SECONDS", 0.0)
    path = str(tmp_path / "data.db")
    upgrade_to_head(f"sqlite:///{path}")
    bound = 256 * 1024
    writer = SqliteWriter(path, "NORMAL", wal_restart_bytes=bound)
    writer.start()
    probe = sqlite3.connect(path)
    page = frame_bytes(probe)
    probe.close()
    try:
        group = _grouper(writer, path)
        while group() * page <= bound:  # past the bound, nothing copied
            pass
        before = wal_frames(path)[0]
        assert group() > before  # frames wait to be copied: the WAL goes on growing
        reader = sqlite3.connect(path)
        try:
            reader.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()  # as the checkpointer does
        finally:
            reader.close()
        copied_at = wal_frames(path)[0]
        group()  # its own few frames are left to copy: the writer starts the WAL over after it
        assert group() < copied_at // 2  # the next group is written from the file's start

        while group() * page <= bound:  # past the bound again, and nothing copies this time
            pass
        frames = [group() for _ in range(60)]
        assert max(frames) * page <= bound * sqlite_writer.RESTART_FORCE_RATIO + 64 * 1024, frames
        assert min(frames) * page < bound // 2, frames  # it started over by itself
    finally:
        writer.stop()


def _fill_wal(conn: sqlite3.Connection, rows: int) -> None:
    """Commit ``rows`` ~3 KB rows, copying nothing into the database file (the connection stays
    open, as the writer's does: the last connection to close would copy everything)."""
    conn.execute("PRAGMA wal_autocheckpoint=0")
    conn.execute("CREATE TABLE IF NOT EXISTS t_fill (x)")
    conn.executemany("INSERT INTO t_fill VALUES (randomblob(3000))", [()] * rows)


def _copied_within(path: str, seconds: float) -> float | None:
    """Seconds until every frame of the WAL is copied into the database file, None if not by then."""
    start = time.monotonic()
    while time.monotonic() - start < seconds:
        frames, copied = wal_frames(path)
        if frames and copied == frames:
            return time.monotonic() - start
        time.sleep(0.05)
    return None


@pytest.mark.parametrize("trigger", ["time", "bytes"])
def test_the_checkpointer_copies_a_waiting_wal_by_time_or_by_size(tmp_path, monkeypatch, trigger: str) -> None:
    path = str(tmp_path / "data.db")
    upgrade_to_head(f"sqlite:///{path}")
    if trigger == "time":  # a few frames: copied once they waited COPY_AFTER_SECONDS
        monkeypatch.setattr(sqlite_checkpointer, "COPY_AFTER_SECONDS", 1.0)
    else:  # past WAL_COPY_BYTES: copied at the next poll, long before the time bound
        monkeypatch.setattr(sqlite_checkpointer, "COPY_AFTER_SECONDS", 60.0)
        monkeypatch.setattr(sqlite_checkpointer, "WAL_COPY_BYTES", 256 * 1024)
    checkpointer = SqliteCheckpointer(path, "NORMAL")
    checkpointer.start()
    writer = sqlite3.connect(path, isolation_level=None)
    try:
        time.sleep(0.5)  # the checkpointer has seen the (empty) WAL
        _fill_wal(writer, 10 if trigger == "time" else 200)
        frames, copied = wal_frames(path)
        assert frames > copied  # nothing copied yet: our connection does not checkpoint
        took = _copied_within(path, 5.0)
        assert took is not None
        assert took >= 0.7 if trigger == "time" else took < 0.7, took
    finally:
        writer.close()
        checkpointer.stop()


@pytest.mark.skipif(sys.platform != "linux", reason="a thread's own nice value is Linux's")
def test_the_full_text_indexer_runs_at_a_lower_priority(tmp_path) -> None:
    path = str(tmp_path / "data.db")
    upgrade_to_head(f"sqlite:///{path}")
    writer = SqliteWriter(path, "NORMAL")
    writer.start()
    try:
        _write_group(writer, [w(EXP, "a", input="x")])
        thread = writer._indexer._thread
        assert thread is not None and thread.native_id is not None
        assert os.getpriority(os.PRIO_PROCESS, thread.native_id) == sqlite_indexer.NICE
        assert os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) == 0  # only that thread
    finally:
        writer.stop()


def test_the_writer_waits_for_an_indexer_that_fell_behind_but_not_for_ever(tmp_path, monkeypatch) -> None:
    """Past ``max_backlog`` unindexed changes the writer waits for an indexer round after each
    group; an indexer that makes no progress holds the next group back at most
    ``BACKLOG_WAIT_SECONDS``, and then no group waits for ``BACKLOG_PAUSE_SECONDS``."""
    path = str(tmp_path / "data.db")
    upgrade_to_head(f"sqlite:///{path}")
    monkeypatch.setattr(sqlite_writer, "BACKLOG_WAIT_SECONDS", 3.0)
    writer = SqliteWriter(path, "NORMAL")
    writer.max_backlog = 10
    writer.start()
    try:
        with writer._indexer.round_lock:  # no indexer round can start
            _write_group(writer, [w(EXP, f"a{i}", input="x") for i in range(20)])  # answered: 20 behind
            answered = threading.Event()
            writer.submit_rows([w(EXP, "b", input="y")], lambda _r, _e: answered.set())
            assert not answered.wait(0.5)  # the writer waits for a round
        assert answered.wait(2.5)  # the round ran: the next group goes through

        with writer._indexer.round_lock:
            _write_group(writer, [w(EXP, f"c{i}", input="x") for i in range(20)])
            start = time.monotonic()
            _write_group(writer, [w(EXP, "d", input="y")])  # the indexer never moves: written after the wait
            assert 2.0 < time.monotonic() - start < 6.0
            start = time.monotonic()
            _write_group(writer, [w(EXP, "e", input="y")])  # stuck: the next groups do not wait for a while
            _write_group(writer, [w(EXP, "f", input="y")])
            assert time.monotonic() - start < 1.5
    finally:
        writer.stop()
