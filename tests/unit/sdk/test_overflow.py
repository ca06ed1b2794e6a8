"""Rows larger than the server's ``logs3_payload_max_bytes``: the overflow upload (wire §2.6)."""

from __future__ import annotations

import time

import orjson
import pytest

from twinplane.sdk import overflow
from twinplane.sdk.config import Config
from twinplane.sdk.delivery import Delivery
from twinplane.sdk.logger import Logger

from .conftest import make_state
from .wire_server import API_KEY, Fault, WireServer

LIMIT = 4000
BIG = 5 * LIMIT


def _bodies(server: WireServer, path: str) -> list:
    return [b for m, p, b in server.requests if p == path]


def _auth_headers(upload: dict) -> list[str]:
    return [k for k in upload["headers"] if k.lower() in ("authorization", "cookie")]


def test_a_row_larger_than_the_advertised_limit_is_uploaded_and_referenced(server) -> None:
    server.payload_max = LIMIT
    st = make_state(server.url)
    lg = Logger(st, "p")
    lg.log(input="small", output=1)
    lg.log(input={"pad": "x" * BIG}, output=2)
    res = st.delivery.flush(10)
    stats = st.delivery.stats()
    assert res.ok and res.sent == 2 and res.dropped == 0, res
    assert stats.overflowed == 1 and stats.dropped == 0
    assert server.paths() == ["POST /api/apikey/login", "POST /v1/project", "GET /version", "POST /logs3",
                              "POST /logs3/overflow", "PUT /upload", "POST /logs3"]

    direct, ref = _bodies(server, "/logs3")
    assert [r["input"] for r in direct["rows"]] == ["small"]
    (up,) = server.uploads
    payload = up["body"]
    assert len(orjson.dumps(direct)) <= LIMIT < len(payload)
    sent = orjson.loads(payload)
    assert sent["api_version"] == 2 and len(sent["rows"]) == 1 and sent["rows"][0]["input"] == {"pad": "x" * BIG}
    (slot_req,) = _bodies(server, "/logs3/overflow")
    row_bytes = len(payload) - len(b'{"rows":[],"api_version":2}')
    assert slot_req == {"content_type": "application/json", "size_bytes": len(payload), "rows": [
        {"object_ids": {"project_id": lg.id, "log_id": "g"}, "has_comment": False, "is_delete": False,
         "input_row": {"byte_size": row_bytes}}]}
    # the exact signed URL, its headers, and no credential of ours
    key = up["path"].rsplit("/", 1)[1]
    assert up["query"] == "sig=s1%2B" and up["headers"]["X-Slot"] == key
    assert up["headers"]["Content-Type"] == "application/json"
    assert _auth_headers(up) == []
    assert ref == {"rows": {"type": "logs3_overflow", "key": key, "size_bytes": len(payload)}, "api_version": 2}
    stored = {r["output"]: r for r in server.rows("project_logs", lg.id)}
    assert stored[2]["input"] == {"pad": "x" * BIG} and stored[1]["input"] == "small"


def test_a_post_slot_gets_a_multipart_form_with_its_fields_and_a_file_part(server) -> None:
    server.payload_max = LIMIT
    server.overflow_method = "POST"
    st = make_state(server.url)
    lg = Logger(st, "p")
    lg.log(input={"pad": "é" * BIG})
    assert st.delivery.flush(10).ok
    (up,) = server.uploads
    assert up["method"] == "POST" and _auth_headers(up) == []
    assert up["headers"]["Content-Type"].startswith("multipart/form-data; boundary=")
    key = up["path"].rsplit("/", 1)[1]
    assert b'name="policy"\r\n\r\np-' + key.encode() in up["body"]
    assert b'name="file"; filename="logs3.json"\r\nContent-Type: application/json' in up["body"]
    (row,) = server.rows("project_logs", lg.id)
    assert row["input"] == {"pad": "é" * BIG}
    assert st.delivery.stats().overflowed == 1


def test_the_upload_goes_to_the_signed_url_and_nowhere_else(server) -> None:
    other = WireServer().start()
    try:
        other.blobs = server.blobs  # the store behind the signed URL
        server.upload_base = other.url
        server.payload_max = LIMIT
        st = make_state(server.url)
        lg = Logger(st, "p")
        lg.log(input={"pad": "x" * BIG})
        assert st.delivery.flush(10).ok
        assert server.uploads == [] and len(other.uploads) == 1
        assert other.requests == [("PUT", "/upload", None)]  # nothing else reached the upload host
        assert _auth_headers(other.uploads[0]) == []
        assert len(server.rows("project_logs", lg.id)) == 1
    finally:
        other.stop()


def test_without_an_advertised_limit_large_rows_are_posted_and_a_413_drops_them(server) -> None:
    st = make_state(server.url)
    lg = Logger(st, "p")
    lg.log(input={"pad": "x" * BIG})
    assert st.delivery.flush(10).ok
    server.fail("/logs3", Fault(413))
    lg.log(input={"pad": "y" * BIG})
    res = st.delivery.flush(10)
    assert not res.ok and res.dropped == 1
    stats = st.delivery.stats()
    assert stats.dropped_too_large == 1 and stats.overflowed == 0
    assert "POST /logs3/overflow" not in server.paths() and server.uploads == []


def test_each_step_is_retried_and_a_failed_upload_gets_a_new_slot(server) -> None:
    server.payload_max = LIMIT
    server.fail("/logs3/overflow", Fault(503, retry_after="0.3"))
    server.fail("/upload", Fault(500))
    server.fail("/logs3", Fault(502))
    st = make_state(server.url, max_backoff=2.0)
    lg = Logger(st, "p")
    lg.log(input={"pad": "x" * BIG})
    t0 = time.monotonic()
    res = st.delivery.flush(10)
    assert res.ok and res.sent == 1, res
    assert time.monotonic() - t0 >= 0.3  # Retry-After honoured
    steps = [p for p in server.paths() if p not in ("POST /api/apikey/login", "POST /v1/project", "GET /version")]
    assert steps == ["POST /logs3/overflow", "POST /logs3/overflow", "PUT /upload", "POST /logs3/overflow",
                     "PUT /upload", "POST /logs3", "POST /logs3"]
    first, second = (u["path"] for u in server.uploads)
    assert first != second  # an upload URL works once: the retry asked for a new slot
    refs = _bodies(server, "/logs3")
    assert [r["rows"]["key"] for r in refs] == [second.rsplit("/", 1)[1]] * 2
    stats = st.delivery.stats()
    assert stats.retries == 3 and stats.overflowed == 1 and stats.dropped == 0
    assert len(server.rows("project_logs", lg.id)) == 1


@pytest.mark.parametrize(("setup", "counter"), [
    (lambda s: s.fail("/logs3/overflow", Fault(413)), "dropped_too_large"),
    (lambda s: s.fail("/upload", Fault(413)), "dropped_too_large"),
    (lambda s: s.fail("/logs3", Fault(413)), "dropped_too_large"),
    (lambda s: s.fail("/logs3/overflow", Fault(403)), "dropped_failed"),
    (lambda s: s.fail("/logs3", Fault(400)), "dropped_failed"),
    (lambda s: s.fail("/upload", Fault(503, times=10)), "dropped_failed"),
    (lambda s: setattr(s, "overflow_method", "GET"), "dropped_failed"),  # not a usable slot
])
def test_overflow_failures_are_counted_never_raised(server, setup, counter) -> None:
    server.payload_max = LIMIT
    setup(server)
    st = make_state(server.url)
    Logger(st, "p").log(input={"pad": "x" * BIG})
    res = st.delivery.flush(10)
    assert not res.ok and res.dropped == 1 and not res.timed_out
    stats = st.delivery.stats()
    assert getattr(stats, counter) == 1 and stats.dropped == 1 and stats.overflowed == 0 and stats.sent == 0


def test_the_slot_request_describes_each_row() -> None:
    comment = {"id": "c", "experiment_id": "e1", "comment": {"text": "hi"}, "origin": {"id": "r"}}
    delete = {"id": "d", "dataset_id": "ds1", "_object_delete": True}
    logs = {"id": "l", "project_id": "p1", "log_id": "g", "input": 1}
    assert [overflow.row_meta(r, n) for r, n in ((comment, 10), (delete, 20), (logs, 30))] == [
        {"object_ids": {"experiment_id": "e1"}, "has_comment": True, "is_delete": False, "input_row": {"byte_size": 10}},
        {"object_ids": {"dataset_id": "ds1"}, "has_comment": False, "is_delete": True, "input_row": {"byte_size": 20}},
        {"object_ids": {"project_id": "p1", "log_id": "g"}, "has_comment": False, "is_delete": False,
         "input_row": {"byte_size": 30}},
    ]
    assert overflow.slot_request([], 7) == {"content_type": "application/json", "size_bytes": 7, "rows": []}
    assert overflow.reference("k", 7) == {"rows": {"type": "logs3_overflow", "key": "k", "size_bytes": 7},
                                          "api_version": 2}


@pytest.mark.parametrize("answer", [
    None, [], {"method": "GET", "signedUrl": "http://h/u", "key": "k", "headers": {}},
    {"method": "PUT", "signedUrl": "http://h/u", "key": "k"},  # PUT without headers
    {"method": "POST", "signedUrl": "http://h/u", "key": "k", "headers": {}},  # POST without fields
    {"method": "PUT", "signedUrl": "file:///etc/passwd", "key": "k", "headers": {}},
    {"method": "PUT", "signedUrl": "http://h/u", "key": 5, "headers": {}},
])
def test_unusable_slots_are_refused(answer) -> None:
    assert overflow.parse_slot(answer) is None


def test_usable_slots_are_taken_as_given() -> None:
    slot = overflow.parse_slot({"method": "POST", "signedUrl": "https://b.example/x?sig=a%2Fb", "key": "k",
                                "fields": {"n": 1}, "headers": {"X-A": "b"}})
    assert slot == overflow.Slot("POST", "https://b.example/x?sig=a%2Fb", "k", {"X-A": "b"}, {"n": "1"})


def test_batches_keep_their_whole_payload_within_the_limit() -> None:
    d = Delivery(Config(api_key=API_KEY, atexit_flush=False), lambda: None)  # type: ignore[arg-type,return-value]
    d._max_bytes = LIMIT
    for size in range(1200, 1400, 3):
        rows = [(b"x" * size, {}) for _ in range(7)]
        batches = d._batches(rows)
        assert sum(batches, []) == rows
        for batch in batches:
            body = b'{"rows":[' + b",".join(p for p, _ in batch) + b'],"api_version":2}'
            assert len(body) <= LIMIT
