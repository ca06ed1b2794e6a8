"""OTLP trace exports as span rows of a project's logs or of an experiment.

Order, so that a refused request writes nothing: the credential may write → every span maps to a
row (a bad one is a 400 naming its index) → every row passes the row checks (size, nesting, NUL),
with its parent's identity fields at their final size → each distinct parent resolves
(``project_name:`` is get-or-create, as ``POST /v1/project``, so it runs only once nothing else
can refuse the request) → one all-or-nothing ``IngestService.write``.

The parent comes from the ``x-bt-parent`` header; without it, from each span's
``braintrust.parent`` attribute, else its resource's. Rows keep the ids of the SDK's span
processor (``"<trace hex>-<span hex>"``), so a re-sent export replaces the same rows.
"""

from __future__ import annotations

from typing import Any

from twinplane.server.common.errors import BadRequest
from twinplane.server.data_plane.auth.principal import Principal
from twinplane.server.data_plane.services.catalog import Catalog
from twinplane.server.data_plane.services.ingest import IngestService
from twinplane.server.data_plane.services.objects import ObjectResolver
from twinplane.server.data_plane.services.row_check import check_rows
from twinplane.wire.objects import LOG_ID_PROJECT_LOGS
from twinplane.wire.otel_map import OtelSpan, parse_parent, span_row

__all__ = ["TraceIngest"]

PARENT_ATTRIBUTE = "braintrust.parent"
# the identity fields a row gets from its parent, at their size, for checking rows before resolving
_ID_SIZED = {"project_id": "0" * 36, "log_id": LOG_ID_PROJECT_LOGS}


class TraceIngest:
    def __init__(self, ingest: IngestService, catalog: Catalog, objects: ObjectResolver) -> None:
        self._ingest = ingest
        self._catalog = catalog
        self._objects = objects

    async def export(self, principal: Principal, spans: list[OtelSpan], *, parent: str | None,
                     may_hold_nul: bool) -> int:
        """Write every span of one export; returns how many. ``parent`` is the ``x-bt-parent`` header."""
        principal.require_write()
        if not spans:
            return 0  # an empty export is valid OTLP: nothing to do
        rows: list[dict[str, Any]] = []
        parents: list[str] = []
        for i, span in enumerate(spans):
            where = parent or _attribute_parent(span, i)
            if not where:
                raise BadRequest(f"span {i}: no parent object: send the 'x-bt-parent' header (project_name:<name>, "
                                 f"project_id:<id> or experiment_id:<id>) or a '{PARENT_ATTRIBUTE}' attribute")
            try:
                rows.append(span_row(span))
            except ValueError as err:
                raise BadRequest(f"span {i}: {err}") from None
            parents.append(where)
        # Rows are built here, not parsed from the body: their size is not bounded by the body's, so
        # ``raw_size`` is set past the row limit to make the per-row size check run.
        raw_size = self._ingest.limits.max_row_bytes + 1
        # the row checks first, with identity fields as long as the real ones (ids are 36 characters)
        check_rows([{**row, **_ID_SIZED} for row in rows], self._ingest.limits, raw_size=raw_size,
                   may_hold_nul=may_hold_nul, item="span")
        identities: dict[str, dict[str, str]] = {}
        for i, where in enumerate(parents):
            if where not in identities:
                identities[where] = await self._identity(principal, where, i, from_header=parent is not None)
            rows[i].update(identities[where])
        result = await self._ingest.write(principal, rows, raw_size=raw_size,
                                          may_hold_nul=may_hold_nul, item="span")
        return len(result.row_ids)

    async def _identity(self, principal: Principal, where: str, index: int, *, from_header: bool) -> dict[str, str]:
        try:
            kind, value = parse_parent(where)
        except ValueError as err:
            origin = "header 'x-bt-parent'" if from_header else f"span {index}: attribute '{PARENT_ATTRIBUTE}'"
            raise BadRequest(f"{origin}: {err}") from None
        if kind == "experiment_id":
            await self._objects.meta(principal, "experiment", value)
            return {"experiment_id": value}
        if kind == "project_id":
            await self._objects.meta(principal, "project", value)
            project_id = value
        else:
            project_id = (await self._catalog.project_get_or_create(principal, {"name": value}))["id"]
        return {"project_id": project_id, "log_id": LOG_ID_PROJECT_LOGS}


def _attribute_parent(span: OtelSpan, index: int) -> str | None:
    for attrs in (span.attributes, span.resource_attributes):
        value = attrs.get(PARENT_ATTRIBUTE)
        if value is None or value == "":
            continue
        if not isinstance(value, str):
            raise BadRequest(f"span {index}: attribute '{PARENT_ATTRIBUTE}' must be a string")
        return value
    return None
