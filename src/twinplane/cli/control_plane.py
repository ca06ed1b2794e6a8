"""``twinplane control-plane ...``: serve and administer the control plane.

Every command reads the TWINPLANE_CONTROL_* settings, brings the database to the newest
schema, and works on it directly (no running server needed).
"""

from __future__ import annotations

from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import typer

if TYPE_CHECKING:
    from collections.abc import Iterator

    from twinplane.server.control_plane.runtime import Runtime

app = typer.Typer(help="Run and administer the control plane (UI, login, names, keys, secrets).", no_args_is_help=True)


@app.command()
def serve() -> None:
    """Serve the control plane (settings from TWINPLANE_CONTROL_* variables)."""
    from twinplane.server.control_plane.server import run

    run()


@contextmanager
def _runtime() -> Iterator[Runtime]:
    from twinplane.server.control_plane.migrations import upgrade_to_head
    from twinplane.server.control_plane.runtime import ConfigurationError, build_runtime
    from twinplane.server.settings import ControlPlaneSettings

    settings = ControlPlaneSettings()  # type: ignore[call-arg]  # from the environment
    try:
        rt = build_runtime(settings)
    except ConfigurationError as err:
        typer.echo(f"error: {err}", err=True)
        raise typer.Exit(code=2) from None
    upgrade_to_head(settings.database_url)
    try:
        yield rt
    finally:
        rt.engine.dispose()


def _fail(message: str) -> None:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code=1)


def _org(rt: Runtime, org: str) -> dict[str, Any]:
    row = rt.store.get_org(org) or rt.store.get_org_by_name(org)
    if row is None:
        _fail(f"no organization with id or name {org!r}")
    assert row is not None
    return row


@app.command()
def bootstrap(
    admin_email: str = typer.Option(..., "--admin-email", help="Email of the first owner."),
    admin_password: str = typer.Option(..., "--admin-password", prompt=True, hide_input=True,
                                       help="Password of the first owner (prompted when omitted)."),
    org: str = typer.Option(..., "--org", help="Name of the first organization."),
    data_plane_url: str = typer.Option(..., "--data-plane-url", help="Public URL of the org's data plane."),
    proxy_url: str | None = typer.Option(None, "--proxy-url", help="Public URL of its LLM proxy, if different."),
) -> None:
    """Create (once) an owner, an org, its data-plane registration and an API key."""
    from twinplane.server.common.errors import TwinplaneError
    from twinplane.server.control_plane.bootstrap import ensure_bootstrap
    from twinplane.server.settings import ControlPlaneSettings

    try:
        res = ensure_bootstrap(ControlPlaneSettings(), admin_email=admin_email,  # type: ignore[call-arg]
                               admin_password=admin_password, org_name=org, data_plane_api_url=data_plane_url,
                               data_plane_proxy_url=proxy_url)
    except (TwinplaneError, ValueError) as err:
        _fail(str(getattr(err, "message", err)))
        return
    typer.echo(f"org            {res.org_name} ({res.org_id})\ndata plane id  {res.data_plane_id}")
    if res.service_token:
        typer.echo(f"service token  {res.service_token}   (shown once: set TWINPLANE_DATA_SERVICE_TOKEN)")
    if res.api_key:
        typer.echo(f"API key        {res.api_key}   (shown once)")
    if not res.created:
        typer.echo("already bootstrapped; nothing created")


@app.command("create-key")
def create_key(
    org: str = typer.Option(..., "--org", help="Organization id or name."),
    email: str = typer.Option(..., "--email", help="Member the key acts for."),
    name: str = typer.Option("cli", "--name", help="A label for the key."),
    project: str | None = typer.Option(None, "--project", help="Limit the key to this project (id or name)."),
    read_only: bool = typer.Option(False, "--read-only", help="The key may only read."),
    expires_in_days: int | None = typer.Option(None, "--expires-in-days", min=1, help="Expire after N days."),
) -> None:
    """Create an API key and print it (shown once)."""
    with _runtime() as rt:
        o = _org(rt, org)
        user = rt.store.get_user_by_email(email.strip().lower())
        if user is None or rt.store.get_role(o["id"], user["id"]) is None:
            _fail(f"{email} is not a member of {o['name']}")
        assert user is not None
        project_id = None
        if project:
            p = rt.store.get_project(o["id"], project)
            if p is None:
                rows, _ = rt.store.list_projects(o["id"], 1, None, name=project)
                p = rows[0] if rows else None
            if p is None:
                _fail(f"no project {project!r} in {o['name']}")
            assert p is not None
            project_id = p["id"]
        expires = datetime.now(UTC) + timedelta(days=expires_in_days) if expires_in_days else None
        row, key = rt.api_keys.create_for_user(o["id"], user["id"], name, project_id, read_only, expires)
        typer.echo(f"{key}\n(id {row['id']}; shown once)")


@app.command("revoke-key")
def revoke_key(
    org: str = typer.Option(..., "--org", help="Organization id or name."),
    key: str = typer.Argument(..., help="The key's id or its prefix (tpk_<lookup>)."),
) -> None:
    """Revoke an API key."""
    with _runtime() as rt:
        o = _org(rt, org)
        row = rt.store.get_api_key(o["id"], key)
        if row is None and key.startswith("tpk_"):
            found = rt.store.get_api_key_by_lookup(key.split("_")[1] if key.count("_") >= 1 else "")
            row = found if found and found["org_id"] == o["id"] else None
        if row is None:
            _fail(f"no API key {key!r} in {o['name']}")
        assert row is not None
        rt.store.revoke_api_key(o["id"], row["id"])
        typer.echo(f"revoked {row['id']}")


@app.command("reseal-secrets")
def reseal_secrets() -> None:
    """Re-encrypt every provider secret under the first (current) key of TWINPLANE_CONTROL_KEK."""
    with _runtime() as rt:
        typer.echo(f"re-encrypted {rt.secrets.reseal_all()} secret(s) under key version "
                   f"{rt.secrets.keyring.current_version}")
