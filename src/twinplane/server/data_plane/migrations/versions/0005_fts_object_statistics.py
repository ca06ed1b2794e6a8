"""PostgreSQL: statistics on the object test a full-text search uses, so its plan stops after a page.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28

A search with row conditions reads its hits as ``f.ok + 0 = :ok AND f.fts @@ :query``
(``PostgresDialect.search_hits``: the object test kept out of the indexes). Without
statistics on ``ok + 0`` the planner used its default selectivity (0.5 %): at 1 M spans a
very common word's 382,000 hits in one object were estimated at 4,991, and with parallel
workers off (``max_parallel_workers_per_gather = 0``, as on small managed instances) it read
and sorted all of them (600-800 ms) instead of walking ``dp_fts`` backward and stopping after
a page (3.5 ms). Expression statistics (PostgreSQL 14+) give it each object's share; on an
older server nothing changes. SQLite: nothing to do (its full-text reads have no such choice).
"""

from __future__ import annotations

from alembic import op
from sqlalchemy import text

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def _expression_statistics() -> bool:
    if op.get_context().dialect.name != "postgresql":
        return False
    return int(op.get_bind().execute(text("SHOW server_version_num")).scalar_one()) >= 140000


def upgrade() -> None:
    if _expression_statistics():
        op.execute("CREATE STATISTICS IF NOT EXISTS st_dp_fts_object ON (ok + 0) FROM dp_fts")
        op.execute("ANALYZE dp_fts")  # now, not at autovacuum's next look


def downgrade() -> None:
    if _expression_statistics():
        op.execute("DROP STATISTICS IF EXISTS st_dp_fts_object")
