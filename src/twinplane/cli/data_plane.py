"""``twinplane data-plane ...``: serve and administer the data plane."""

from __future__ import annotations

import typer

app = typer.Typer(help="Run and administer the data plane (ingest, query, REST APIs).", no_args_is_help=True)


@app.command()
def serve() -> None:
    """Serve the data plane (settings from TWINPLANE_DATA_* variables)."""
    from twinplane.server.data_plane.server import run

    run()
