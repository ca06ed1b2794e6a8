"""SQLite: the writer runs in a child process; errors cross back typed, and a dead writer is replaced."""

from __future__ import annotations

import asyncio
import os
import socket
from collections.abc import AsyncIterator

import pytest

from twinplane.server.common.errors import BadRequest, NotFound, TwinplaneError
from twinplane.server.data_plane.store import sqlite_writer_process as wp
from twinplane.server.data_plane.store.base import ObjectRef, RowQuery
from twinplane.server.data_plane.store.sqlite import SqliteStore

from .conftest import ORG, all_rows, eventually_found, w

EXP = ObjectRef("experiment", "exp-1")


@pytest.fixture
async def store(tmp_path) -> AsyncIterator[SqliteStore]:  # SQLite only, whatever the run's engines
    s = SqliteStore(str(tmp_path / "data.db"))
    await s.start()
    try:
        yield s
    finally:
        await s.close()


def test_typed_errors_keep_their_class_and_details() -> None:
    err = wp._error_from(wp._error_doc(BadRequest("bad row", details={"row": 3})))
    assert type(err) is BadRequest and err.message == "bad row" and err.details == {"row": 3}
    assert type(wp._error_from(wp._error_doc(NotFound("gone")))) is NotFound
    other = wp._error_from(wp._error_doc(ValueError("secret row content")))
    assert type(other) is TwinplaneError and other.status == 500
    assert "secret" not in other.message and "ValueError" in other.message  # the type, never the text


def test_an_answer_the_frame_cannot_carry_still_reaches_the_server_as_an_error() -> None:
    ours, theirs = socket.socketpair()
    try:
        answers = wp._Answers(theirs)
        answers.expect()
        answers.answer(7, {"odd": object()}, None)  # marshal refuses it
        reply = wp._recv_frame(ours)
        assert reply["id"] == 7 and "error" in reply
        assert type(wp._error_from(reply["error"])) is TwinplaneError
    finally:
        ours.close()
        theirs.close()


async def test_the_writer_is_another_process_and_stops_with_the_store(store: SqliteStore) -> None:
    proc = store._writer._proc
    assert proc is not None and proc.pid != os.getpid() and proc.is_alive()
    await store.write_rows([w(EXP, "a", input="x")])
    await store.close()
    assert not proc.is_alive() and proc.exitcode == 0


async def test_a_value_json_cannot_carry_is_refused_before_it_reaches_the_writer(store: SqliteStore) -> None:
    with pytest.raises(BadRequest, match="not serializable"):
        await store.write_rows([w(EXP, "a", input={1, 2})])
    await store.write_rows([w(EXP, "b", input="fine")])
    assert [r["id"] for r in await all_rows(store, EXP)] == ["b"]


async def test_a_killed_writer_fails_its_calls_with_503_and_the_next_call_starts_a_new_one(store: SqliteStore) -> None:
    await store.write_rows([w(EXP, "before", input="first")])
    old = store._writer._proc
    assert old is not None
    old.kill()
    old.join(10)
    await asyncio.sleep(0.2)  # the reply reader sees the socket close
    await store.write_rows([w(EXP, "after", input="second")])  # a new writer took over
    assert store._writer._proc is not None and store._writer._proc.pid != old.pid
    ids = {r["id"] for r in await all_rows(store, EXP)}
    assert ids == {"before", "after"}
    # and the new writer's indexer makes it searchable
    assert [r["id"] for r in await eventually_found(store, RowQuery(ORG, EXP, search="second"))] == ["after"]


async def test_calls_in_flight_when_the_writer_dies_get_writer_stopped(store: SqliteStore) -> None:
    old = store._writer._proc
    assert old is not None
    writes = [asyncio.create_task(store.write_rows([w(EXP, f"r{i}-{j}", input="y" * 2000) for j in range(200)]))
              for i in range(20)]
    await asyncio.sleep(0.05)
    old.kill()
    outcomes = await asyncio.gather(*writes, return_exceptions=True)
    failed = [o for o in outcomes if isinstance(o, BaseException)]
    assert failed, "the kill came after every write had been answered"
    assert all(isinstance(o, wp.WriterStopped) and o.status == 503 and o.headers["Retry-After"] == "1"
               for o in failed)


async def test_the_writer_exits_when_the_server_side_goes_away(store: SqliteStore) -> None:
    proc = store._writer._proc
    assert proc is not None
    await store.write_rows([w(EXP, "a", input="x")])
    assert store._writer._stream is not None
    store._writer._stream.close()  # as when the server process is killed: the socket closes
    await asyncio.to_thread(proc.join, 20)
    assert not proc.is_alive() and proc.exitcode == 0
