"""PostgreSQL too: rows whose versions are to be deleted once they have no current row.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-28

An erasure (``services/erasure.py``) queues the ids it is about to delete before deleting them,
and removes their versions once they are gone (``Store.queue_version_removal`` /
``Store.finish_version_removal``). If the process dies between the two, the next erasure or
retention sweep finishes the job: the queue is durable. SQLite has had the table since 0006.
"""

from __future__ import annotations

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_context().dialect.name == "postgresql":
        op.execute("CREATE TABLE dp_expired (ok bigint NOT NULL, row_id text NOT NULL, PRIMARY KEY (ok, row_id))")


def downgrade() -> None:
    if op.get_context().dialect.name == "postgresql":
        op.execute("DROP TABLE IF EXISTS dp_expired")
