"""Alembic environment: online only, on the connection handed over by ``upgrade_to_head``."""

from __future__ import annotations

from alembic import context

from twinplane.server.control_plane.migrations import VERSION_TABLE
from twinplane.server.control_plane.tables import metadata

config = context.config
connection = config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=metadata,
    version_table=VERSION_TABLE,
    # SQLite cannot ALTER most things; batch mode rebuilds the table instead.
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
