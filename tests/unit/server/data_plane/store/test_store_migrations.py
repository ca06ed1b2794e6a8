"""Migrations on a database that holds rows: 0002 fills in the case keys of existing roots."""

from __future__ import annotations

from alembic import command
from sqlalchemy import create_engine
from sqlalchemy.pool import NullPool

from twinplane.server.data_plane.migrations import alembic_config, sqlalchemy_url
from twinplane.server.data_plane.services.summary import summary_items
from twinplane.server.data_plane.store.base import ObjectRef
from twinplane.server.data_plane.store.factory import open_store
from twinplane.server.settings import DataPlaneSettings

from .conftest import ORG, w

EXP, BASE = ObjectRef("experiment", "e1"), ObjectRef("experiment", "e0")


def _migrate(url: str, to: str) -> None:
    engine = create_engine(sqlalchemy_url(url), poolclass=NullPool)
    try:
        with engine.connect() as conn:
            cfg = alembic_config()
            cfg.attributes["connection"] = conn
            (command.upgrade if to == "head" else command.downgrade)(cfg, to)
            conn.commit()
    finally:
        engine.dispose()


def _case(ref: ObjectRef, tid: str, score: float, **root: object) -> list:
    return [w(ref, f"{tid}-r", root_span_id=tid, span_id=f"{tid}-r", **root),
            w(ref, f"{tid}-s", root_span_id=tid, span_id=f"{tid}-s", span_parents=[f"{tid}-r"],
              scores={"acc": score})]


async def test_case_keys_are_filled_in_for_rows_written_before_0002(database_url: str) -> None:
    store = open_store(DataPlaneSettings(database_url=database_url))
    await store.start()
    try:
        await store.write_rows(_case(BASE, "a", 0.5, input={"x": 1, "y": 2}) + _case(BASE, "b", 1.0, input="b")
                               + _case(BASE, "c", 0.1, origin={"id": "row-3"}))
        await store.write_rows(_case(EXP, "a2", 0.75, input={"y": 2, "x": 1}) + _case(EXP, "b2", 0.0, input="b")
                               + _case(EXP, "c2", 0.1, origin={"id": "row-3"}))
        before = summary_items(await store.summary_stats(ORG, EXP, BASE))
    finally:
        await store.close()
    assert before[0]["acc"]["improvements"] == 1 and before[0]["acc"]["regressions"] == 1

    _migrate(database_url, "0001")  # the column goes, with every key in it
    _migrate(database_url, "head")  # and comes back filled in from each root's JSON

    store = open_store(DataPlaneSettings(database_url=database_url))
    await store.start()
    try:
        assert summary_items(await store.summary_stats(ORG, EXP, BASE)) == before
        keys = {t.root_span_id: t.case_key for t in await store.trace_scores(ORG, EXP)}
        assert keys["a2"].startswith("i:") and keys["c2"] == "o:row-3"
    finally:
        await store.close()
