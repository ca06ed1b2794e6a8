"""``twinplane eval PATH...``: run the Evals defined in files or folders."""

from __future__ import annotations

import typer


def eval_command(paths: list[str] = typer.Argument(..., help="Files or folders with Eval(...) calls.")) -> None:
    """Run the Evals in PATH... and print their summaries."""
    raise typer.Exit(code=2)
