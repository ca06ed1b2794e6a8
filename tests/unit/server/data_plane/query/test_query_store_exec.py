"""The same filter cases through the REAL store engines (their SqlDialect, schema and FTS),
on SQLite and PostgreSQL: parse → AST → ``Store.fetch_rows`` → exactly the expected rows.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest

from twinplane.server.data_plane.query.btql import parse_btql_filter
from twinplane.server.data_plane.query.parse import parse_filter

from .sql_table import ROWS
from .test_query_compile_exec import BTQL_CASES, TYPED_CASES

ORG = "org-q"
# transaction ids are the store's to assign, so cases that name them are left to the fixture table
STORE_TYPED_CASES = [(t, want) for t, want in TYPED_CASES if "_xact_id" not in t]


def _wire_row(r: dict[str, Any]) -> dict[str, Any]:
    row = {k: v for k, v in r["data"].items()}
    row.update({
        "id": r["id"], "span_id": r["id"], "root_span_id": r["root_span_id"],
        "created": datetime.fromtimestamp(r["created"], UTC).isoformat().replace("+00:00", "Z"),
        "experiment_id": "exp-q", "project_id": "proj-q", "scores": r["scores"] or None,
        "metrics": r["metrics"] or None,
    })
    return row


@pytest.fixture
async def store(database_url: str) -> AsyncIterator[Any]:
    factory = pytest.importorskip("twinplane.server.data_plane.store.factory")
    from twinplane.server.data_plane.store.base import ObjectRef, RowWrite
    from twinplane.server.settings import DataPlaneSettings

    s = factory.open_store(DataPlaneSettings(database_url=database_url))
    await s.start()
    try:
        ref = ObjectRef("experiment", "exp-q")
        await s.write_rows([RowWrite(ORG, "proj-q", ref, r["id"], _wire_row(r)) for r in ROWS])
        await s.wait_indexed()
        yield s
    finally:
        await s.close()


async def _ids(store: Any, node: Any) -> set[str]:
    from twinplane.server.data_plane.store.base import ObjectRef, RowQuery

    page = await store.fetch_rows(RowQuery(org_id=ORG, ref=ObjectRef("experiment", "exp-q"), filter=node))
    return {row["id"] for row in page.rows}


async def _mismatches(store: Any, cases: list[tuple[Any, set[str]]], parse: Any) -> list[str]:
    bad = []
    for source, want in cases:
        got = await _ids(store, parse(source))
        if got != want:
            bad.append(f"{source!r}: got {sorted(got)}, want {sorted(want)}")
    return bad


async def test_typed_filters_through_the_store(store: Any, dialect: str) -> None:
    bad = await _mismatches(store, STORE_TYPED_CASES, parse_filter)
    assert not bad, f"{dialect}:\n" + "\n".join(bad)


async def test_btql_filters_through_the_store(store: Any, dialect: str) -> None:
    bad = await _mismatches(store, BTQL_CASES, parse_btql_filter)
    assert not bad, f"{dialect}:\n" + "\n".join(bad)


async def test_injection_through_the_store_is_bound(store: Any) -> None:
    for text in ("id = '''; DROP TABLE dp_rows; --'", "metadata.\"x') OR 1=1 --\" = 'a'",
                 "input MATCH 'x\" OR 1=1; DROP TABLE dp_rows --'", "output ~ ''' OR 1=1 --'"):
        assert await _ids(store, parse_filter(text)) == set(), text
    assert await _ids(store, parse_filter("metadata.\"a') OR 1=1 --\" = 'evil'")) == {"r1"}
    assert len(await _ids(store, None)) == len(ROWS)
