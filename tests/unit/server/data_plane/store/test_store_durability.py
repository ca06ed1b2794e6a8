"""SQLite: what ``write_rows`` acknowledged survives the process being killed (SIGKILL)."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import textwrap
import time

from twinplane.server.data_plane.store.base import ObjectRef
from twinplane.server.data_plane.store.sqlite import SqliteStore

from .conftest import ORG

_WRITER = textwrap.dedent("""
    import asyncio, sys
    from twinplane.server.data_plane.store.base import ObjectRef, RowWrite
    from twinplane.server.data_plane.store.sqlite import SqliteStore

    async def main(path):
        store = SqliteStore(path)
        await store.start()
        ref = ObjectRef("experiment", "exp-1")

        async def writer(k):
            n = 0
            while True:
                ids = [f"w{k}-{n}-{i}" for i in range(20)]
                await store.write_rows([RowWrite("org-1", "p", ref, rid, {"id": rid, "input": "x" * 500})
                                        for rid in ids])
                sys.stdout.write(" ".join(ids) + "\\n")
                sys.stdout.flush()
                n += 1

        await asyncio.gather(*(writer(k) for k in range(4)))

    asyncio.run(main(sys.argv[1]))
""")


def test_acknowledged_rows_survive_sigkill(tmp_path) -> None:
    path = str(tmp_path / "data.db")
    proc = subprocess.Popen([sys.executable, "-c", _WRITER, path], stdout=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONUNBUFFERED": "1"})
    acked: set[str] = set()
    deadline = time.monotonic() + 60
    try:
        assert proc.stdout is not None
        while len(acked) < 2000 and time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            acked.update(line.split())
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
    assert len(acked) >= 2000, "the writer process did not get going"

    async def check() -> set[str]:
        store = SqliteStore(path)
        await store.start()
        try:
            ref = ObjectRef("experiment", "exp-1")
            found: set[str] = set()
            for rid in acked:
                if await store.get_row(ORG, ref, rid) is not None:
                    found.add(rid)
            return found
        finally:
            await store.close()

    assert acked - asyncio.run(check()) == set()
