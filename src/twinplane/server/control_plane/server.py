"""``twinplane control-plane serve``: settings from the environment, migrate, serve."""

from __future__ import annotations

import logging
import sys

from twinplane.server.common.allowed_hosts import answered_hosts
from twinplane.server.common.redaction import install_redaction
from twinplane.server.control_plane.migrations import upgrade_to_head
from twinplane.server.control_plane.runtime import ConfigurationError
from twinplane.server.settings import ControlPlaneSettings

__all__ = ["run"]

logger = logging.getLogger(__name__)


def run(settings: ControlPlaneSettings | None = None) -> None:
    import uvicorn

    from twinplane.server.control_plane.app import create_app

    settings = settings or ControlPlaneSettings()  # type: ignore[call-arg]  # from the environment
    logging.basicConfig(level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        app = create_app(settings)
    except ConfigurationError as err:
        logger.error("cannot start the control plane: %s", err)
        sys.exit(2)
    upgrade_to_head(settings.database_url)
    config = uvicorn.Config(app, host=settings.host, port=settings.port, log_level=settings.log_level.lower(),
                            proxy_headers=True, forwarded_allow_ips=settings.forwarded_allow_ips,
                            server_header=False)
    # uvicorn sets up its handlers in Config(); scrub credentials from everything they print
    for name in ("", "uvicorn", "uvicorn.error", "uvicorn.access"):
        install_redaction(logging.getLogger(name))
    if settings.metrics_port:
        app.state.metrics.serve(settings.metrics_host, settings.metrics_port,
                                answered_hosts(settings.public_url, settings.allowed_hosts))
    try:
        uvicorn.Server(config).run()
    finally:
        app.state.metrics.stop()
