"""``run()``: read ``DataPlaneSettings`` once and serve the app with uvicorn (uvloop + httptools)."""

from __future__ import annotations

import logging

from twinplane.server.common.gc_tuning import tune_gc
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
