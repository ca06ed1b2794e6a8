"""``twinplane up``: both planes on this machine, embedded storage, optional demo data."""

from __future__ import annotations

import typer


def up(
    data_dir: str = typer.Option("./.twinplane", "--data-dir", help="Where both planes keep their data."),
    control_port: int = typer.Option(8000, "--control-port", help="Port of the control plane."),
    data_port: int = typer.Option(8100, "--data-port", help="Port of the data plane."),
    demo: bool = typer.Option(False, "--demo", help="Load a demo project on first start."),
) -> None:
    """Start both planes as two processes on two ports."""
    raise typer.Exit(code=2)
