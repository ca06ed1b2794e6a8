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


# Administration through the data plane's own API (an org admin's API key): what the UI does, from a shell.
API_URL = typer.Option(..., "--api-url", envvar="TWINPLANE_API_URL", help="The data plane's URL.")
API_KEY = typer.Option(..., "--api-key", envvar="TWINPLANE_API_KEY", help="An org admin's API key.")


def _call(method: str, api_url: str, api_key: str, path: str, body: dict | None = None) -> dict:
    """One authenticated call; prints the answer as JSON, or the error and exits 1."""
    import json

    import httpx

    try:
        r = httpx.request(method, api_url.rstrip("/") + path, json=body, timeout=600,
                          headers={"Authorization": f"Bearer {api_key}"})
    except httpx.HTTPError as err:
        typer.echo(f"error: cannot reach the data plane at {api_url} ({type(err).__name__})", err=True)
        raise typer.Exit(code=1) from None
    try:
        answer = r.json()
    except ValueError:
        answer = {"error": {"message": r.text[:200]}}
    if r.status_code >= 400:
        message = (answer.get("error") or {}).get("message") if isinstance(answer, dict) else None
        typer.echo(f"error: {r.status_code} {message or r.reason_phrase}", err=True)
        raise typer.Exit(code=1)
    typer.echo(json.dumps(answer, indent=2))
    return dict(answer)


@app.command()
def delete(kind: str = typer.Argument(..., help="experiment, dataset or project"),
           object_id: str = typer.Argument(..., help="Its id."), api_url: str = API_URL, api_key: str = API_KEY,
           yes: bool = typer.Option(False, "--yes", help="Do not ask for confirmation.")) -> None:
    """Delete an experiment, a dataset or a whole project for good: every row, version, score and search entry."""
    if kind not in ("experiment", "dataset", "project"):
        typer.echo("error: KIND must be experiment, dataset or project", err=True)
        raise typer.Exit(code=2)
    if not yes:
        typer.confirm(f"Delete {kind} {object_id} and all its data for good?", abort=True)
    from urllib.parse import quote

    _call("DELETE", api_url, api_key, f"/v1/{kind}/{quote(object_id, safe='')}")


@app.command()
def erase(subject: str = typer.Argument(..., help="A filter naming the data subject: metadata.user_id = 'u-42'"),
          project_id: str = typer.Option(None, "--project-id", help="Only this project."),
          api_url: str = API_URL, api_key: str = API_KEY,
          yes: bool = typer.Option(False, "--yes", help="Do not ask for confirmation.")) -> None:
    """Erase a data subject's rows (and the rest of their traces, earlier versions, search entries and attachments)
    from every project, or one; prints the receipt."""
    if not yes:
        typer.confirm(f"Erase every row matching {subject!r} {'in project ' + project_id if project_id else 'in every project'}?",
                      abort=True)
    body = {"filter": subject, **({"project_id": project_id} if project_id else {})}
    _call("POST", api_url, api_key, "/v1/erasure", body)


@app.command()
def receipts(api_url: str = API_URL, api_key: str = API_KEY) -> None:
    """List the erasure receipts, newest first."""
    _call("GET", api_url, api_key, "/v1/erasure")
