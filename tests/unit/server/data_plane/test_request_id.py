"""Request ids made by the server: uuid4s in hex, never repeated, across refills of the batch."""

from __future__ import annotations

import uuid

from twinplane.server.data_plane.request_id import _BATCH, new_request_id


def test_ids_are_distinct_uuid4_hex() -> None:
    ids = [new_request_id() for _ in range(3 * _BATCH + 7)]
    assert len(set(ids)) == len(ids)
    for rid in ids:
        u = uuid.UUID(rid.decode())
        assert len(rid) == 32 and u.version == 4 and u.variant == uuid.RFC_4122
