"""Entry point of the ``twinplane`` command; each sub-command lives in a module of its own."""

from __future__ import annotations

import typer

from twinplane.cli import control_plane, data_plane, eval_cmd, up

app = typer.Typer(
    name="twinplane",
    help="Twinplane: evaluate and observe LLM applications, with your data kept in your own data plane.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.add_typer(control_plane.app, name="control-plane")
app.add_typer(data_plane.app, name="data-plane")
app.command("up")(up.up)
app.command("eval")(eval_cmd.eval_command)

if __name__ == "__main__":  # pragma: no cover
    app()
