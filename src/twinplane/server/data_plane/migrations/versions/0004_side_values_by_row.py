"""Score and metric values reach their trace through their span, not through a trace index of their own.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28

* ``ix_dp_scores_trace`` / ``ix_dp_metrics_trace`` (``ok, root_span_id, name``) are dropped.
  With the SDK's uuid4 span ids every value landed on a page of its own in each (1.5-1.7 WAL
  pages per ingested row each, measured), the two most expensive trees of a SQLite write.
* ``ix_dp_scores_row`` / ``ix_dp_metrics_row`` (``ok, row_seq``, carrying name and value)
  take their place: a span's values, found from the span (``dp_rows.seq``), which new rows
  append to. A trace's values are its spans' (``ix_dp_rows_trace``), each span's values then
  read from this index (``trace_rollup.fill_traces``, ``RowDialect.side_value``).

``trace_rollup.fill_traces`` joins through these indexes; migration 0003, which fills the
roll-up with it on an older database, does so before they exist (slower there, same result).
"""

from __future__ import annotations

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_TABLES = ("dp_scores", "dp_metrics")


def upgrade() -> None:
    postgres = op.get_context().dialect.name == "postgresql"
    for table in _TABLES:
        op.drop_index(f"ix_{table}_trace", table_name=table)
        if postgres:
            op.create_index(f"ix_{table}_row", table, ["ok", "row_seq"], postgresql_include=["name", "value"])
        else:
            op.create_index(f"ix_{table}_row", table, ["ok", "row_seq", "name", "value"])


def downgrade() -> None:
    postgres = op.get_context().dialect.name == "postgresql"
    for table in _TABLES:
        op.drop_index(f"ix_{table}_row", table_name=table)
        if postgres:
            op.create_index(f"ix_{table}_trace", table, ["ok", "root_span_id", "name"], postgresql_include=["value"])
        else:
            op.create_index(f"ix_{table}_trace", table, ["ok", "root_span_id", "name", "value"])
