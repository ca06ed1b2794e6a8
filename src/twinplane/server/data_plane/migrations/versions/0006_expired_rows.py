"""SQLite: the rows a retention sweep (or an erasure, 0007) removed whose versions are still to be deleted.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-28

The SQLite full-text index keeps no text: removing a row's entry re-derives the text from the
version the entry was built from. So a sweep (``SqliteStore.expire_rows``) deletes the rows and
their values first, queues their ids here, and deletes their versions only once an indexer round
has removed the entries. The queue makes that second step survive a crash between the two: the
next sweep finishes it. PostgreSQL stores its tsvectors and removes everything in one
transaction: nothing to do.
"""

from __future__ import annotations

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_context().dialect.name == "sqlite":
        op.execute("CREATE TABLE dp_expired (ok INTEGER NOT NULL, row_id TEXT NOT NULL, PRIMARY KEY (ok, row_id))")


def downgrade() -> None:
    if op.get_context().dialect.name == "sqlite":
        op.execute("DROP TABLE IF EXISTS dp_expired")
