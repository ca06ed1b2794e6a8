"""The one Alembic tree upgrades an empty database to exactly the schema of tables.py."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from twinplane.server.common.db import create_db_engine
from twinplane.server.control_plane.migrations import VERSION_TABLE, upgrade_to_head
from twinplane.server.control_plane.tables import metadata


def test_upgrade_from_empty_matches_the_models(database_url: str) -> None:
    upgrade_to_head(database_url)
    upgrade_to_head(database_url)  # a second run is a no-op
    engine = create_db_engine(database_url)
    try:
        with engine.connect() as conn:
            names = set(inspect(conn).get_table_names())
            assert set(metadata.tables) <= names and VERSION_TABLE in names
            ctx = MigrationContext.configure(conn, opts={"compare_type": True, "version_table": VERSION_TABLE})
            assert ctx.get_current_revision() is not None
            diffs = compare_metadata(ctx, metadata)
            assert diffs == []
    finally:
        engine.dispose()
