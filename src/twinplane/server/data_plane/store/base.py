"""The data-plane storage interface.

Services call these methods; engines (``sqlite.py``, ``postgres.py``) implement them with
the same behaviour, proved by tests that run every store test on both.

Model
-----
* An *object* is an experiment, a dataset, a project's logs, playground logs or a
  project's prompts, named by ``(object_type, object_id)`` (``twinplane.wire.objects``).
  Experiments, datasets and prompts also have an ``ObjectMeta`` record (description,
  repo info, base experiment, ...); their names live at the control plane too.
* A *row* is keyed by ``(object_type, object_id, row_id)``. Every accepted write batch
  gets one new transaction id (``xact_id``, int; on the wire a 19-digit string), higher
  than every earlier one, across all processes sharing the database.
* Writes are replace, deep merge (``twinplane.wire.merge``) or delete; a write to a
  row first merges with the row's current version. Each version is kept, so an object
  can be read as of an earlier ``xact_id``.
* ``write_rows`` returns only once the rows are durable (committed). Full-text indexing
  may lag behind it by a bounded delay.
"""

from __future__ import annotations

import abc
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from twinplane.server.data_plane.store.row_shape import RowShape
    from twinplane.server.data_plane.store.search_text import SearchText

SortDir = Literal["asc", "desc"]


@dataclass(frozen=True, slots=True)
class ObjectRef:
    object_type: str
    object_id: str


@dataclass(slots=True)
class RowWrite:
    """One row of a write batch, already validated: identity resolved, control keys kept."""

    org_id: str
    project_id: str | None
    ref: ObjectRef
    row_id: str
    row: dict[str, Any] | None  # the wire row, including _is_merge/_object_delete/_merge_paths
    # A replace already turned into what the writer stores (``row_change.prepare_all``; ``row`` is then
    # None): the SQLite store computes it in the server, so the writer process does not.
    prepared: Prepared | None = None


@dataclass(frozen=True, slots=True)
class Prepared:
    """A replace's final row as stored, computed before the writer sees it (``row_change.prepare_all``).

    It holds whenever the key has no current row, and whenever the row names its own ``created``:
    a replace takes nothing else from the row it replaces. Otherwise the writer parses ``data``
    and plans the write as usual."""

    data: str  # the final row as JSON text
    shape: RowShape
    search: SearchText
    own_created: bool


@dataclass(slots=True)
class WriteResult:
    xact_id: int
    row_ids: list[str]


@dataclass(slots=True)
class ObjectMeta:
    """Data-plane record of an experiment, dataset or prompt (the name also lives at the control plane)."""

    id: str
    org_id: str
    project_id: str
    object_type: str  # "experiment" | "dataset" | "prompt" | "project"
    name: str
    created: str  # ISO-8601 UTC
    data: dict[str, Any] = field(default_factory=dict)  # description, repo_info, base_exp_id, metadata, tags, ...
    deleted: bool = False


@dataclass(slots=True)
class Page:
    rows: list[dict[str, Any]]
    cursor: str | None


@dataclass(slots=True)
class RowQuery:
    """A read of one object's current rows (or as of ``version``)."""

    org_id: str
    ref: ObjectRef
    version: int | None = None
    limit: int = 1000
    cursor: str | None = None
    filter: Any = None  # a query AST node (twinplane.server.data_plane.query.ast) or None
    search: str | None = None  # full-text terms
    sort: list[tuple[str, SortDir]] = field(default_factory=list)  # default: newest first, stable
    roots_only: bool = False


@dataclass(slots=True)
class TraceScores:
    """Per-trace facts an experiment summary needs (one entry per root_span_id)."""

    root_span_id: str
    root_row_id: str | None
    case_key: str | None  # the root's case (row_shape.case_key_of): matches it across experiments
    scores: dict[str, float]  # per-trace score (mean over spans that carry it)
    metrics: dict[str, float]  # duration (s) of the root span, token counts summed over the trace, ...


@dataclass(slots=True)
class SummaryStat:
    """One score or metric of an experiment summary, computed by the store."""

    kind: Literal["score", "metric"]
    name: str
    mean: float | None  # over the experiment's traces that carry it; None if only the base has it
    base_mean: float | None  # the same over the comparison experiment's traces
    # cases (matched by case key) where this experiment's value is higher / lower than the base's
    higher: int
    lower: int


# The tables besides dp_rows that hold an object's data by its key ``ok``: what a purge empties
# (each engine adds its own full-text table).
OBJECT_TABLES = ("dp_versions", "dp_scores", "dp_metrics", "dp_xacts", "dp_trace_values", "dp_case_values")
# Rows (or versions) a purge deletes per transaction: ~0.4 s of SQLite's writer for 20,000 ~2 KB rows.
PURGE_BATCH = 20_000
# Rows ``Store.delete_for_good`` deletes per write (one call of the ordinary write path).
DELETE_BATCH = 1000


@dataclass(frozen=True, slots=True)
class StoreStats:
    """What an operator watches of a store (``Store.stats``, exported as metrics)."""

    engine: str  # "sqlite" | "postgresql"
    pending_writes: int  # this process's write calls not answered yet (queued or in a transaction)
    search_lag: int | None  # rows changed and not yet in the full-text index (None: not known)
    wal_bytes_waiting: int | None = None  # SQLite: WAL bytes not yet copied into the database file


class Store(abc.ABC):
    """All SQL of the data plane lives behind this interface."""

    # lifecycle -------------------------------------------------------------
    @abc.abstractmethod
    async def start(self) -> None:
        """Create or migrate the schema and start background workers (writer, indexer)."""

    @abc.abstractmethod
    async def close(self) -> None:
        """Drain queued writes and stop workers."""

    @abc.abstractmethod
    async def ping(self) -> None:
        """Raise if the database cannot answer (readiness)."""

    @abc.abstractmethod
    async def stats(self) -> StoreStats:
        """Queue depths and lags right now (a few cheap reads)."""

    # writes ----------------------------------------------------------------
    @abc.abstractmethod
    async def write_rows(self, rows: list[RowWrite]) -> WriteResult:
        """Apply a batch atomically (all or nothing) and return its transaction id once durable."""

    # reads -----------------------------------------------------------------
    @abc.abstractmethod
    async def fetch_rows(self, q: RowQuery) -> Page:
        """Current merged rows (deleted excluded) of one object, or as of ``q.version``."""

    @abc.abstractmethod
    async def get_row(self, org_id: str, ref: ObjectRef, row_id: str, version: int | None = None) -> dict[str, Any] | None:
        """One current row (or as of a version), or None."""

    @abc.abstractmethod
    async def row_versions(self, org_id: str, ref: ObjectRef, row_id: str) -> list[dict[str, Any]]:
        """Every version of one row, oldest first (prompt versions, audit)."""

    @abc.abstractmethod
    async def object_versions(self, org_id: str, ref: ObjectRef, limit: int = 100) -> list[dict[str, Any]]:
        """Transactions that touched an object, newest first: ``{"xact_id", "created", "rows_changed"}``."""

    @abc.abstractmethod
    async def trace(self, org_id: str, ref: ObjectRef, root_span_id: str, limit: int = 1000,
                    cursor: str | None = None) -> Page:
        """Spans of one trace ordered by start time."""

    @abc.abstractmethod
    async def trace_scores(self, org_id: str, ref: ObjectRef) -> list[TraceScores]:
        """Per-trace scores and metrics of an experiment, for summaries and comparisons."""

    @abc.abstractmethod
    async def summary_stats(self, org_id: str, ref: ObjectRef, base: ObjectRef | None) -> list[SummaryStat]:
        """Per score and metric name: mean over traces for the experiment and its base, and how many
        matched cases went up or down (the maths of ``services.summary``, in SQL). Both
        refs are experiments: their writes keep the per-case values this reads (``trace_rollup``);
        another object type has none, so its summary is empty."""

    @abc.abstractmethod
    async def count_rows(self, org_id: str, ref: ObjectRef) -> int:
        """Number of current (not deleted) rows of an object."""

    @abc.abstractmethod
    async def max_xact(self, org_id: str, ref: ObjectRef) -> int | None:
        """Highest transaction id of an object's current rows."""

    @abc.abstractmethod
    async def aggregate(self, org_id: str, refs: list[ObjectRef], group_by: list[Any], measures: list[Any],
                        filter: Any = None) -> list[dict[str, Any]]:
        """Grouped aggregates (count, mean, min, max, percentiles) over rows of the objects."""

    # object metadata -------------------------------------------------------
    @abc.abstractmethod
    async def put_object(self, meta: ObjectMeta) -> ObjectMeta:
        """Insert or replace an object's data-plane record."""

    @abc.abstractmethod
    async def get_object(self, org_id: str, object_id: str) -> ObjectMeta | None: ...

    @abc.abstractmethod
    async def list_objects(self, org_id: str, object_type: str, project_id: str | None = None,
                           name: str | None = None, limit: int = 1000, offset: int = 0,
                           include_deleted: bool = False) -> list[ObjectMeta]:
        """Newest first; ``offset`` records skipped; deleted records only with ``include_deleted``."""

    # full text ---------------------------------------------------------------
    @abc.abstractmethod
    async def wait_indexed(self) -> None:
        """Return once every row acknowledged so far is searchable (tests, benchmarks, tools).

        Indexing runs in the background on its own; nothing needs to call this.
        """

    # erasure ---------------------------------------------------------------
    @abc.abstractmethod
    async def purge_object(self, org_id: str, ref: ObjectRef) -> int:
        """Delete every row, version, value and index entry of an object; returns rows removed. On SQLite the
        versions go after the index has dropped the entries (it needs them); if it does not catch up in time the
        call fails with the rows gone and the versions left, and calling it again finishes."""

    @abc.abstractmethod
    async def row_objects(self, org_id: str) -> list[tuple[ObjectRef, str | None]]:
        """Every object of the org that has held rows, deleted ones too, with its project (erasure)."""

    @abc.abstractmethod
    async def queue_version_removal(self, org_id: str, ref: ObjectRef, row_ids: list[str]) -> None:
        """Record, durably, rows whose every version ``finish_version_removal`` deletes once they have no current
        row (an erasure queues its rows before deleting them, so a crash in between loses nothing)."""

    @abc.abstractmethod
    async def finish_version_removal(self) -> int:
        """Delete every version of the queued rows that have no current row (rows written again keep theirs) and
        empty the queue; returns versions deleted."""

    async def delete_for_good(self, org_id: str, project_id: str | None, ref: ObjectRef, row_ids: list[str]) -> None:
        """Delete rows so that no version of them stays (an erasure, a prompt's deletion): each batch is queued for
        version removal first (durably, so a crash after the delete loses nothing), then deleted through the write
        path (summaries and the index follow). ``finish_version_removal`` then removes the versions; callers run
        it once, after their last batch."""
        for i in range(0, len(row_ids), DELETE_BATCH):
            batch = row_ids[i:i + DELETE_BATCH]
            await self.queue_version_removal(org_id, ref, batch)
            await self.write_rows([RowWrite(org_id, project_id, ref, rid, {"id": rid, "_object_delete": True})
                                   for rid in batch])

    @abc.abstractmethod
    async def expire_rows(self, org_id: str, ref: ObjectRef, before: float, limit: int) -> int:
        """Delete up to ``limit`` of an object's rows created before ``before`` (epoch seconds), oldest first,
        with every version, score, metric and search entry of theirs; returns rows removed (retention)."""
