"""``twinplane control-plane ...``: serve and administer the control plane."""

from __future__ import annotations

import typer

app = typer.Typer(help="Run and administer the control plane (UI, login, names, keys, secrets).", no_args_is_help=True)


@app.command()
def serve() -> None:
    """Serve the control plane (settings from TWINPLANE_CONTROL_* variables)."""
    from twinplane.server.control_plane.server import run

    run()
