"""The typed facts taken from a row: times as epoch seconds, whatever way a client wrote them."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from twinplane.server.data_plane.store.row_shape import parse_time

EPOCH = datetime(2026, 11, 28, 3, 10, tzinfo=UTC).timestamp()


@pytest.mark.parametrize(("value", "expected"), [
    ("2026-11-28T03:10:00Z", EPOCH),
    ("2026-11-28T03:10:00+00:00", EPOCH),
    ("2026-11-28T04:10:00+01:00", EPOCH),
    ("2026-11-28T03:10:00.250000Z", EPOCH + 0.25),
    ("2026-11-28T03:10:00", EPOCH),  # naive: UTC
    ("2026-11-28 03:10:00Z", EPOCH),
    ("  2026-11-28T03:10:00Z\n", EPOCH),  # spaces around: the slower path
    (EPOCH, EPOCH),
    (int(EPOCH), EPOCH),
])
def test_times_read_as_epoch_seconds(value, expected) -> None:
    assert parse_time(value) == pytest.approx(expected, abs=1e-6)


@pytest.mark.parametrize("value", ["", "   ", "yesterday", "2026-13-40T00:00:00Z", True, None, float("inf"),
                                   float("nan"), [2026], {"t": 1}])
def test_what_is_not_a_time_reads_as_none(value) -> None:
    assert parse_time(value) is None
