"""Alembic environment of the data plane: always run with a connection handed in by
``twinplane.server.data_plane.migrations.upgrade_to_head`` (no ini file, no URL here)."""

from __future__ import annotations

from alembic import context

from twinplane.server.data_plane.migrations import VERSION_TABLE

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - only reachable when misused from the alembic CLI
    raise RuntimeError("run data-plane migrations through upgrade_to_head(url)")

context.configure(
    connection=connection,
    target_metadata=None,
    version_table=VERSION_TABLE,
    render_as_batch=True,
    transaction_per_migration=True,
)
with context.begin_transaction():
    context.run_migrations()
