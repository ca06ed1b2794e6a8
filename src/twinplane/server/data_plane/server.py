"""``run()``: read ``DataPlaneSettings`` once and serve the app with uvicorn (uvloop + httptools)."""

from __future__ import annotations

import gc
import logging

from twinplane.server.common.redaction import install_redaction


def run() -> None:
    import uvicorn

    from twinplane.server.data_plane.app import create_app
    from twinplane.server.settings import DataPlaneSettings

    settings = DataPlaneSettings()  # type: ignore[call-arg]  # from the environment
    logging.basicConfig(level=settings.log_level.upper(),
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    config = uvicorn.Config(create_app(settings), host=settings.host, port=settings.port, loop="uvloop",
                            http="httptools", log_level=settings.log_level.lower(), access_log=False,
                            proxy_headers=False, timeout_graceful_shutdown=10, server_header=False)
    # uvicorn sets up its handlers in Config(); scrub credentials from everything they print
    for name in ("", "uvicorn", "uvicorn.error", "uvicorn.access"):
        install_redaction(logging.getLogger(name))
    tune_gc()
    uvicorn.Server(config).run()


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
