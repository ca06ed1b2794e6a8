"""Every benchmark module imports: ``make bench`` is not run by ``make test``, so a module
that moved or was renamed under a benchmark is caught here rather than at the next bench."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[3] / "bench"


@pytest.mark.parametrize("name", sorted(p.stem for p in BENCH.glob("*.py") if p.stem != "__init__"))
def test_bench_module_imports(name: str) -> None:
    importlib.import_module(f"bench.{name}")
