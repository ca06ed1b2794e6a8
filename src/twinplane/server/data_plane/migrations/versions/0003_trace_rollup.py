"""Experiment summaries from values kept up to date on write: per trace and per case.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27

* ``dp_trace_values`` (experiments only): per trace, its score means, summed token / cost
  metrics and root duration, with the root's case key (``''`` for none); keyed
  ``(ok, root_span_id, kind, name)``, what a write recomputes.
* ``dp_case_values``: per ``(ok, kind, name, case_key)`` the total and the number of its
  traces' values, what a summary reads; writes add their traces' changes to it
  (``store/trace_rollup.py``).

Existing experiments are filled in here, with the statements the writes use.
"""

# SQL here is assembled from fixed fragments; nothing is bound.
# ruff: noqa: S608

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from twinplane.server.data_plane.store.trace_rollup import EXPERIMENT, fill_traces

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_EXPERIMENTS = f"SELECT id FROM dp_objkeys WHERE object_type = '{EXPERIMENT}'"
# every trace of every experiment: its spans, and the score / metric values that name it
_TRACES = " UNION ".join(f"SELECT ok, root_span_id FROM {table} WHERE ok IN ({_EXPERIMENTS}) "
                         "AND root_span_id IS NOT NULL" for table in ("dp_rows", "dp_scores", "dp_metrics"))


def upgrade() -> None:
    op.create_table(
        "dp_trace_values",
        sa.Column("ok", sa.BigInteger(), nullable=False),
        sa.Column("root_span_id", sa.Text(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),  # 's' score, 'm' metric
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("case_key", sa.Text(), nullable=False),
        sa.Column("value", sa.Double(), nullable=False),
        sa.PrimaryKeyConstraint("ok", "root_span_id", "kind", "name"),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "dp_case_values",
        sa.Column("ok", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("case_key", sa.Text(), nullable=False),
        sa.Column("total", sa.Double(), nullable=False),
        sa.Column("traces", sa.BigInteger(), nullable=False),
        # PostgreSQL carries the values in the key's index: a summary reads it alone
        sa.PrimaryKeyConstraint("ok", "kind", "name", "case_key", postgresql_include=["total", "traces"]),
        sqlite_with_rowid=False,
    )
    op.execute(fill_traces(_TRACES, returning=False))
    op.execute("INSERT INTO dp_case_values (ok, kind, name, case_key, total, traces) "
               "SELECT ok, kind, name, case_key, sum(value), count(*) FROM dp_trace_values GROUP BY ok, kind, name, case_key")


def downgrade() -> None:
    op.drop_table("dp_case_values")
    op.drop_table("dp_trace_values")
