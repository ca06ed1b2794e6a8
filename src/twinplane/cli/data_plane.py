"""``twinplane data-plane ...``: serve and check the data plane.

Server imports sit inside the commands: ``twinplane eval`` must work on the SDK-only install.
"""

from __future__ import annotations

import typer

app = typer.Typer(help="Run and administer the data plane (ingest, query, REST APIs).", no_args_is_help=True)


@app.command()
def serve() -> None:
    """Serve the data plane (settings from TWINPLANE_DATA_* variables)."""
    from twinplane.server.data_plane.server import run

    run()


@app.command()
def check() -> None:
    """Check the settings: the database answers and the control plane accepts this data plane's service token.

    Exits 0 and prints the org this data plane serves, or exits 1 naming what is wrong.
    """
    import asyncio

    from twinplane.server.data_plane.control_client import ControlClient
    from twinplane.server.data_plane.store.factory import open_store
    from twinplane.server.settings import DataPlaneSettings

    settings = DataPlaneSettings()  # type: ignore[call-arg]  # from the environment

    async def run() -> str:
        store = open_store(settings)
        await store.start()
        try:
            await store.ping()
        finally:
            await store.close()
        control = ControlClient(settings.control_url, settings.service_token)
        try:
            info = await control.data_plane()
        finally:
            await control.aclose()
        if settings.data_plane_id and info.get("id") != settings.data_plane_id:
            raise RuntimeError(f"the service token belongs to data plane {info.get('id')}, "
                               f"not TWINPLANE_DATA_DATA_PLANE_ID={settings.data_plane_id}")
        return f"ok: serving org {info.get('org_name')} ({info.get('org_id')}) as data plane {info.get('id')}"

    try:
        typer.echo(asyncio.run(run()))
    except Exception as err:  # noqa: BLE001 - report any failure to the operator, then exit 1
        message = getattr(err, "message", None) or str(err) or type(err).__name__
        typer.echo(f"error: {message}", err=True)
        raise typer.Exit(code=1) from None
