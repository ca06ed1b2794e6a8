"""Experiment summaries in SQL: each root's case key, and trace indexes that carry the value.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27

* ``dp_rows.case_key`` (roots only): ``i:`` + a digest of the root's input, else ``o:`` + its
  origin's dataset row id (``row_shape.case_key_of``). A summary matches cases across two
  experiments by joining on it instead of parsing every root's JSON.
* ``ix_dp_scores_trace`` / ``ix_dp_metrics_trace`` carry ``value``, so per-trace means and
  sums are read from the index alone.

Existing roots get their key from their current JSON here.
"""

from __future__ import annotations

import orjson
import sqlalchemy as sa
from alembic import op

from twinplane.server.data_plane.store.row_shape import case_key_of

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_BATCH = 5000


def _trace_indexes(with_value: bool) -> None:
    dialect = op.get_context().dialect.name
    for table in ("dp_scores", "dp_metrics"):
        op.drop_index(f"ix_{table}_trace", table_name=table)
        if with_value and dialect == "postgresql":
            op.create_index(f"ix_{table}_trace", table, ["ok", "root_span_id", "name"], postgresql_include=["value"])
        elif with_value:
            op.create_index(f"ix_{table}_trace", table, ["ok", "root_span_id", "name", "value"])
        else:
            op.create_index(f"ix_{table}_trace", table, ["ok", "root_span_id", "name"])


def upgrade() -> None:
    op.add_column("dp_rows", sa.Column("case_key", sa.Text(), nullable=True))
    conn = op.get_bind()
    data = "v.data::text" if conn.dialect.name == "postgresql" else "v.data"
    last = 0
    while True:
        rows = conn.execute(sa.text(
            f"SELECT r.seq, {data} FROM dp_rows r JOIN dp_versions v ON v.seq = r.version_seq "  # noqa: S608
            "WHERE r.is_root AND r.seq > :last ORDER BY r.seq LIMIT :n"), {"last": last, "n": _BATCH}).all()
        if not rows:
            break
        keys = [{"seq": seq, "k": case_key_of(orjson.loads(doc))} for seq, doc in rows if doc is not None]
        if keys:
            conn.execute(sa.text("UPDATE dp_rows SET case_key = :k WHERE seq = :seq"), keys)
        last = rows[-1][0]
    _trace_indexes(with_value=True)


def downgrade() -> None:
    _trace_indexes(with_value=False)
    op.drop_column("dp_rows", "case_key")
