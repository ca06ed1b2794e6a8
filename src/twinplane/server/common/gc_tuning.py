"""Garbage-collector settings for the server processes that handle ingest batches."""

from __future__ import annotations

import gc

# A 100-row ingest batch allocates a few thousand dicts and lists that live until the
# batch is committed (~0.1 s). With the default threshold (700) they trigger several
# collections per batch and get promoted, and every full collection then walks the
# ~85,000 objects the imports leave behind too (tens of ms each, the GIL held:
# every thread stops). Frozen, the startup objects are never walked again.
GC_THRESHOLD = (10_000, 10, 10)


def tune_gc() -> None:
    """Freeze what startup allocated and collect the young generation less often."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLD)
