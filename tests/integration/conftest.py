"""Fixtures for tests that start the planes as separate real processes and stop, kill or
restart one of them (``twinplane.cli.up.prepare`` + ``spawn``: the same way ``up`` does)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from support.planes import SplitPlanes


@pytest.fixture
def split_planes(tmp_path: Path) -> Iterator[SplitPlanes]:
    with SplitPlanes(tmp_path / "planes", extra_data_env={"TWINPLANE_DATA_AUTH_CACHE_TTL_SECONDS": "1"}).running() as planes:
        yield planes
