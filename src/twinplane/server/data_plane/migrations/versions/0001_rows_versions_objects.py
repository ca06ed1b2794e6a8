"""Rows, versions, side tables of scores and metrics, object records, full-text index.

Revision ID: 0001
Revises:
Create Date: 2026-11-27

Layout (see store/README.md for why):

* ``dp_objkeys``: one small integer per (org, object type, object id); every row table
  is keyed by it so indexes stay narrow and isolation is part of the key.
* ``dp_rows``: the current row of each key, typed columns only; its JSON is the version
  it points at.
* ``dp_versions``: append-only, every version of every row (full merged JSON).
* ``dp_scores`` / ``dp_metrics``: numeric side tables maintained on write.
* ``dp_xacts``: one entry per (object, transaction) for version listings.
* full text: SQLite an FTS5 table in a side file (rowid = dp_rows.seq), PostgreSQL a
  table of tsvectors with a GIN index; both fed in batches by a background indexer.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

_SEQ = sa.BigInteger().with_variant(sa.Integer(), "sqlite")  # SQLite: INTEGER PRIMARY KEY = rowid
_JSON = sa.Text().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    dialect = op.get_context().dialect.name

    op.create_table(
        "dp_objkeys",
        sa.Column("id", _SEQ, primary_key=True, autoincrement=True),
        sa.Column("org_id", sa.Text(), nullable=False),
        sa.Column("object_type", sa.Text(), nullable=False),
        sa.Column("object_id", sa.Text(), nullable=False),
        sa.UniqueConstraint("org_id", "object_type", "object_id", name="uq_dp_objkeys"),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "dp_objects",
        sa.Column("id", sa.Text(), primary_key=True),
        sa.Column("org_id", sa.Text(), nullable=False),
        sa.Column("project_id", sa.Text(), nullable=False),
        sa.Column("object_type", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("created", sa.Text(), nullable=False),
        sa.Column("created_ts", sa.Double(), nullable=False),
        sa.Column("data", _JSON, nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    op.create_index("ix_dp_objects_list", "dp_objects", ["org_id", "object_type", "project_id", "created_ts"])

    op.create_table(
        "dp_rows",
        sa.Column("seq", _SEQ, primary_key=True, autoincrement=True),
        sa.Column("ok", sa.BigInteger(), nullable=False),
        sa.Column("row_id", sa.Text(), nullable=False),
        sa.Column("project_id", sa.Text(), nullable=True),
        sa.Column("xact_id", sa.BigInteger(), nullable=False),
        sa.Column("version_seq", sa.BigInteger(), nullable=False),
        sa.Column("created", sa.Double(), nullable=False),
        sa.Column("root_span_id", sa.Text(), nullable=True),
        sa.Column("span_id", sa.Text(), nullable=True),
        sa.Column("is_root", sa.Boolean(), nullable=False),
        sa.Column("span_name", sa.Text(), nullable=True),
        sa.Column("span_type", sa.Text(), nullable=True),
        sa.Column("start_ts", sa.Double(), nullable=True),
        sa.Column("end_ts", sa.Double(), nullable=True),
        sa.Column("has_error", sa.Boolean(), nullable=False),
        sqlite_autoincrement=True,  # never reuse a seq: it is the FTS rowid
        # room on each page for HOT updates: a span's end merge touches no indexed column
        postgresql_with={"fillfactor": 85},
    )
    op.create_index("uq_dp_rows_key", "dp_rows", ["ok", "row_id"], unique=True)
    op.create_index("ix_dp_rows_created", "dp_rows", ["ok", "created", "row_id"])
    op.create_index("ix_dp_rows_trace", "dp_rows", ["ok", "root_span_id", "start_ts"])
    # roots only (partial): a trace list walks it newest first, and spans never touch it
    op.create_index("ix_dp_rows_roots", "dp_rows", ["ok", "created", "row_id"],
                    sqlite_where=sa.text("is_root = TRUE"), postgresql_where=sa.text("is_root"))

    op.create_table(
        "dp_versions",
        sa.Column("seq", _SEQ, primary_key=True, autoincrement=True),
        sa.Column("ok", sa.BigInteger(), nullable=False),
        sa.Column("row_id", sa.Text(), nullable=False),
        sa.Column("xact_id", sa.BigInteger(), nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("created", sa.Double(), nullable=True),
        sa.Column("data", _JSON, nullable=True),
    )
    op.create_index("ix_dp_versions_key", "dp_versions", ["ok", "row_id", "xact_id"])

    for table in ("dp_scores", "dp_metrics"):
        op.create_table(
            table,
            sa.Column("ok", sa.BigInteger(), nullable=False),
            sa.Column("name", sa.Text(), nullable=False),
            sa.Column("row_seq", sa.BigInteger(), nullable=False),
            sa.Column("root_span_id", sa.Text(), nullable=True),
            sa.Column("value", sa.Double(), nullable=False),
            # One key serves both reads: (ok, name) scans one score of an object for an
            # aggregate, (ok, name, row_seq) probes one row's value; row_seq grows, so new
            # values append at the end of their (ok, name) range instead of landing at random.
            # PostgreSQL carries the value in the key's index too (index-only aggregates).
            sa.PrimaryKeyConstraint("ok", "name", "row_seq", postgresql_include=["value"]),
            sqlite_with_rowid=False,  # the primary key is the table: one b-tree fewer per value
        )
        # (ok, root_span_id, name): a trace list sorted or filtered by a score probes one trace's value
        op.create_index(f"ix_{table}_trace", table, ["ok", "root_span_id", "name"])

    op.create_table(
        "dp_xacts",
        sa.Column("ok", sa.BigInteger(), nullable=False),
        sa.Column("xact_id", sa.BigInteger(), nullable=False),
        sa.Column("created", sa.Double(), nullable=False),
        sa.Column("rows_changed", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("ok", "xact_id"),
        sqlite_with_rowid=False,
    )

    if dialect == "sqlite":
        # change_seq: bumped on every write of a row; the full-text indexer (its index is a
        # side file, see store/sqlite_indexer.py) catches up by walking it past a watermark.
        # (plain ADD COLUMN: a batch copy would drop the table's AUTOINCREMENT)
        op.add_column("dp_rows", sa.Column("change_seq", sa.BigInteger(), nullable=False, server_default="0"))
        op.create_index("ix_dp_rows_change", "dp_rows", ["change_seq"])
        # Counters read and bumped inside each writer transaction (transaction ids, changes).
        op.create_table(
            "dp_counters",
            sa.Column("name", sa.Text(), primary_key=True),
            sa.Column("value", sa.BigInteger(), nullable=False),
        )
        op.execute("INSERT INTO dp_counters (name, value) VALUES ('xact', 0), ('change', 0)")
        # Rows deleted (or purged), for the indexer to drop from the full-text index.
        op.create_table(
            "dp_fts_trash",
            sa.Column("change_seq", sa.BigInteger(), primary_key=True),
            sa.Column("row_seq", sa.BigInteger(), nullable=False),
        )
    elif dialect == "postgresql":
        op.execute("CREATE SEQUENCE dp_xact_seq AS bigint START 1")
        # JSON of ~2 KB sits at the TOAST threshold: lz4 keeps compression cheap.
        op.execute("ALTER TABLE dp_versions ALTER COLUMN data SET COMPRESSION lz4")
        # Full text lives beside the rows, so indexing never rewrites a dp_rows tuple:
        # writers queue row seqs, the indexer turns them into tsvectors in batches.
        op.execute("CREATE TABLE dp_fts_queue (row_seq bigint PRIMARY KEY)")
        op.execute("CREATE TABLE dp_fts (seq bigint PRIMARY KEY, ok bigint NOT NULL, fts tsvector NOT NULL)")
        # a small pending list: searches scan it linearly until it is merged into the tree
        op.execute("CREATE INDEX ix_dp_fts_gin ON dp_fts USING gin (fts) WITH (gin_pending_list_limit = 1024)")
        # Newest-first walk for "newest N matching a common word" (SQLite: the FTS rowid).
        op.execute("CREATE INDEX ix_dp_fts_newest ON dp_fts (ok, seq)")
        # A cast that answers NULL instead of failing, so a filter on an odd value never
        # aborts a query.
        op.execute(
            "CREATE FUNCTION tp_try_timestamptz(t text) RETURNS timestamptz LANGUAGE plpgsql IMMUTABLE AS $$ "
            "BEGIN RETURN t::timestamptz; EXCEPTION WHEN others THEN RETURN NULL; END $$"
        )


def downgrade() -> None:
    dialect = op.get_context().dialect.name
    if dialect == "sqlite":
        op.drop_table("dp_fts_trash")
        op.drop_table("dp_counters")
    elif dialect == "postgresql":
        op.execute("DROP SEQUENCE IF EXISTS dp_xact_seq")
        op.execute("DROP TABLE IF EXISTS dp_fts")
        op.execute("DROP TABLE IF EXISTS dp_fts_queue")
        op.execute("DROP FUNCTION IF EXISTS tp_try_timestamptz(text)")
    for table in ("dp_xacts", "dp_metrics", "dp_scores", "dp_versions", "dp_rows", "dp_objects", "dp_objkeys"):
        op.drop_table(table)
