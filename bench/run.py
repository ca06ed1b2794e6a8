"""Run every benchmark module ``bench/bench_*.py`` (or those named on the command line).

Each module has ``main() -> None`` that runs bounded work against local servers only and
writes ``bench/results/<name>.json`` (figures) and ``.md`` (how it was measured).
"""

from __future__ import annotations

import importlib
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main(argv: list[str]) -> int:
    names = argv or sorted(p.stem for p in HERE.glob("bench_*.py"))
    failed = []
    for name in names:
        mod = importlib.import_module(f"bench.{name if name.startswith('bench_') else 'bench_' + name}")
        t0 = time.monotonic()
        print(f"== {mod.__name__}", flush=True)
        try:
            mod.main()
        except Exception as err:  # noqa: BLE001 - report and go on to the next benchmark
            failed.append(name)
            print(f"!! {mod.__name__} failed: {type(err).__name__}: {err}", flush=True)
        print(f"== {mod.__name__} done in {time.monotonic() - t0:.1f}s", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
