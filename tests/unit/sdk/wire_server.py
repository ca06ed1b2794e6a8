"""A small in-memory server speaking the wire shapes the SDK uses, for SDK tests.

Real HTTP on 127.0.0.1 (``ThreadingHTTPServer``), merge semantics from ``twinplane.wire``,
every request recorded, and faults injectable per path (status, Retry-After, hang). Overflow
slots point at ``/upload/<key>`` on this server (or under ``upload_base``), which takes no auth
and records each upload with its headers; fault key ``/upload``.
It stands in for the data plane until tests run against ``twinplane up``.
"""

from __future__ import annotations

import email.parser
import itertools
import threading
import time
import uuid
from collections import defaultdict
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

import orjson

from twinplane.wire.merge import merge_row
from twinplane.wire.objects import row_object
from twinplane.wire.xact import format_xact

API_KEY = "tpk_testlookup00_secret"


class Fault:
    def __init__(self, status: int = 500, retry_after: str | None = None, hang: float = 0.0, times: int = 1):
        self.status, self.retry_after, self.hang, self.times = status, retry_after, hang, times


class WireServer:
    def __init__(self, org_name: str = "test-org", api_url: str | None = None, payload_max: int | None = None):
        self.org_name = org_name
        self.org_id = str(uuid.uuid4())
        self._api_url = api_url
        self.payload_max = payload_max
        self.overflow_method = "PUT"
        self.upload_base: str | None = None  # where signed upload URLs point (default: this server)
        self.uploads: list[dict[str, Any]] = []
        self.blobs: dict[str, bytes] = {}
        self.lock = threading.Lock()
        self.requests: list[tuple[str, str, Any]] = []
        self.faults: dict[str, list[Fault]] = defaultdict(list)
        self.projects: dict[str, dict[str, Any]] = {}
        self.experiments: dict[str, dict[str, Any]] = {}
        self.datasets: dict[str, dict[str, Any]] = {}
        self.prompts: list[dict[str, Any]] = []
        self.history: dict[tuple[str, str, str], list[tuple[str, dict[str, Any] | None]]] = defaultdict(list)
        self._xact = itertools.count(1000)
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def start(self) -> WireServer:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def fail(self, path: str, *faults: Fault) -> None:
        with self.lock:
            self.faults[path].extend(faults)

    # -- stored state --------------------------------------------------------------------------
    def rows(self, object_type: str, object_id: str, version: str | None = None) -> list[dict[str, Any]]:
        out = []
        with self.lock:
            for (t, o, _rid), hist in self.history.items():
                if t != object_type or o != object_id:
                    continue
                cur = None
                for xact, row in hist:
                    if version is not None and xact > version:
                        break
                    cur = (xact, row)
                if cur and cur[1] is not None:
                    out.append({**cur[1], "_xact_id": cur[0]})
        return out

    def logs3_rows(self) -> list[dict[str, Any]]:
        return [r for m, p, b in self.requests if p == "/logs3" and isinstance(b["rows"], list) for r in b["rows"]]

    def paths(self) -> list[str]:
        return [f"{m} {p}" for m, p, _ in self.requests]

    def _write(self, row: dict[str, Any]) -> None:
        t, o = row_object(row)
        key = (t, o, row["id"])
        xact = format_xact(next(self._xact))
        hist = self.history[key]
        prev = next((r for _, r in reversed(hist)), None) if hist else None
        if row.get("_object_delete"):
            hist.append((xact, None))
        elif row.get("_is_merge"):
            hist.append((xact, merge_row(prev, row)))
        else:
            hist.append((xact, merge_row(None, row)))

    # -- handlers ------------------------------------------------------------------------------
    def _summarize(self, exp_id: str, comparison: str | None) -> dict[str, Any]:
        def per_case(eid: str) -> dict[str, dict[str, float]]:
            rows = self.rows("experiment", eid)
            inputs = {r["root_span_id"]: r.get("input") for r in rows if not r.get("span_parents")}
            cases: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
            for r in rows:
                for n, v in (r.get("scores") or {}).items():
                    if v is not None:
                        cases[orjson.dumps(inputs.get(r["root_span_id"])).decode()][n].append(v)
            return {k: {n: sum(v) / len(v) for n, v in d.items()} for k, d in cases.items()}

        def means(c: dict[str, dict[str, float]]) -> dict[str, float]:
            acc: dict[str, list[float]] = defaultdict(list)
            for d in c.values():
                for n, v in d.items():
                    acc[n].append(v)
            return {n: sum(v) / len(v) for n, v in acc.items()}

        exp = self.experiments[exp_id]
        base_id = comparison or exp.get("base_exp_id")
        cur = per_case(exp_id)
        base = per_case(base_id) if base_id in self.experiments else None
        m, bm = means(cur), (means(base) if base is not None else {})
        scores = {}
        for n, v in m.items():
            item: dict[str, Any] = {"name": n, "score": v, "improvements": 0, "regressions": 0}
            if base is not None and n in bm:
                item["diff"] = v - bm[n]
                for k, d in cur.items():
                    if k in base and n in d and n in base[k]:
                        item["improvements"] += d[n] > base[k][n]
                        item["regressions"] += d[n] < base[k][n]
            scores[n] = item
        return {"project_name": self.projects[exp["project_id"]]["name"], "experiment_name": exp["name"],
                "project_url": "", "experiment_url": f"{self.url}/app/e/{exp_id}",
                "comparison_experiment_name": self.experiments[base_id]["name"] if base is not None else None,
                "scores": scores, "metrics": {}}

    def _fault(self, path: str) -> tuple[int, Any, dict[str, str]] | None:
        with self.lock:
            queue = self.faults.get(path)
            fault = None
            if queue:
                fault = queue[0]
                fault.times -= 1
                if fault.times <= 0:
                    queue.pop(0)
        if fault is None:
            return None
        if fault.hang:
            time.sleep(fault.hang)
        headers = {"Retry-After": fault.retry_after} if fault.retry_after else {}
        return fault.status, {"error": {"code": "injected", "message": "injected fault"}}, headers

    def handle_upload(self, method: str, path: str, query: str, headers: dict[str, str], raw: bytes
                      ) -> tuple[int, Any, dict[str, str]]:
        """A signed upload: no Authorization expected; PUT takes the bytes, POST a multipart ``file`` part."""
        with self.lock:
            self.uploads.append({"method": method, "path": path, "query": query, "headers": headers, "body": raw})
            self.requests.append((method, "/upload", None))
        fault = self._fault("/upload")
        if fault is not None:
            return fault
        key = path[len("/upload/"):]
        if method == "POST":
            ctype = next(v for k, v in headers.items() if k.lower() == "content-type")
            msg = email.parser.BytesParser().parsebytes(f"Content-Type: {ctype}\r\n\r\n".encode() + raw)
            files = [part for part in msg.get_payload() if part.get_param("name", header="content-disposition") == "file"]
            raw = files[0].get_payload(decode=True)
        with self.lock:
            self.blobs[key] = raw
        return 200, {}, {}

    def handle(self, method: str, path: str, query: dict[str, str], body: Any, auth: str | None
               ) -> tuple[int, Any, dict[str, str]]:
        if auth != f"Bearer {API_KEY}":
            return 401, {"error": {"code": "unauthorized", "message": "bad key"}}, {}
        fault = self._fault(path)
        if fault is not None:
            return fault
        parts = path.strip("/").split("/")
        if path == "/api/apikey/login":
            return 200, {"org_info": [{"id": self.org_id, "name": self.org_name, "api_url": self._api_url or self.url,
                                       "proxy_url": None, "realtime_url": None, "is_universal_api": False,
                                       "git_metadata": None}]}, {}
        if path == "/version":
            return 200, ({"logs3_payload_max_bytes": self.payload_max} if self.payload_max else {}), {}
        if path == "/logs3/overflow":
            key = uuid.uuid4().hex
            slot: dict[str, Any] = {"method": self.overflow_method, "key": key,
                                    "signedUrl": f"{self.upload_base or self.url}/upload/{key}?sig=s1%2B"}
            if self.overflow_method == "PUT":
                slot["headers"] = {"Content-Type": "application/json", "X-Slot": key}
            else:
                slot["fields"] = {"Content-Type": "application/json", "policy": "p-" + key}
            return 200, slot, {}
        if path == "/logs3":
            rows = body["rows"]
            if isinstance(rows, dict):  # an overflow reference
                with self.lock:
                    raw = self.blobs.pop(rows["key"], None)
                if raw is None or rows.get("type") != "logs3_overflow" or rows.get("size_bytes") != len(raw):
                    return 400, {"error": {"code": "bad_request", "message": "bad overflow reference"}}, {}
                rows = orjson.loads(raw)["rows"]
            with self.lock:
                for row in rows:
                    self._write(row)
            return 200, {}, {}
        if path == "/v1/project" and method == "POST":
            with self.lock:
                for p in self.projects.values():
                    if p["name"] == body["name"]:
                        return 200, p, {}
                p = {"id": str(uuid.uuid4()), "name": body["name"], "org_id": self.org_id}
                self.projects[p["id"]] = p
                return 200, p, {}
        if parts[:2] == ["v1", "project"] and len(parts) == 3:
            p = self.projects.get(parts[2])
            return (200, p, {}) if p else (404, {"error": {"code": "not_found", "message": "no project"}}, {})
        if path == "/v1/experiment" and method == "GET":
            objs = [e for e in self.experiments.values() if e["name"] == query.get("experiment_name")
                    and (not query.get("project_id") or e["project_id"] == query["project_id"])]
            return 200, {"objects": objs}, {}
        if path == "/v1/experiment" and method == "POST":
            with self.lock:
                same = [e for e in self.experiments.values() if e["project_id"] == body["project_id"]]
                name = body.get("name") or f"experiment-{len(same) + 1}"
                existing = [e for e in same if e["name"] == name]
                if existing and not body.get("ensure_new"):
                    return 200, existing[0], {}
                n = 1
                while any(e["name"] == name for e in same):
                    name = f"{body.get('name')}-{n}"
                    n += 1
                base = body.get("base_exp_id") or (same[-1]["id"] if same else None)
                e = {"id": str(uuid.uuid4()), "name": name, "project_id": body["project_id"], "base_exp_id": base,
                     "dataset_id": body.get("dataset_id"), "dataset_version": body.get("dataset_version"),
                     "metadata": body.get("metadata"), "public": False}
                self.experiments[e["id"]] = e
                return 200, e, {}
        if parts[:2] == ["v1", "experiment"] and len(parts) == 4 and parts[3] == "summarize":
            return 200, self._summarize(parts[2], query.get("comparison_experiment_id")), {}
        if parts[:2] == ["v1", "experiment"] and len(parts) == 4 and parts[3] == "fetch":
            return 200, {"events": self.rows("experiment", parts[2]), "cursor": None}, {}
        if path == "/v1/dataset" and method == "POST":
            with self.lock:
                for d in self.datasets.values():
                    if d["name"] == body["name"] and d["project_id"] == body["project_id"]:
                        return 200, d, {}
                d = {"id": str(uuid.uuid4()), "name": body["name"], "project_id": body["project_id"],
                     "description": body.get("description")}
                self.datasets[d["id"]] = d
                return 200, d, {}
        if parts[:2] == ["v1", "dataset"] and len(parts) == 4 and parts[3] == "fetch":
            rows = self.rows("dataset", parts[2], (body or {}).get("version"))
            rows.sort(key=lambda r: r["_xact_id"])
            limit = int((body or {}).get("limit") or 1000)
            start = int((body or {}).get("cursor") or 0)
            page = rows[start:start + limit]
            cursor = str(start + limit) if start + limit < len(rows) else None
            return 200, {"events": page, "cursor": cursor}, {}
        if parts[:2] == ["v1", "dataset"] and len(parts) == 4 and parts[3] == "summarize":
            return 200, {"data_summary": {"total_records": len(self.rows("dataset", parts[2]))}}, {}
        if path == "/v1/prompt" and method == "POST":
            with self.lock:
                x = format_xact(next(self._xact))
                old = [p for p in self.prompts if p["project_id"] == body["project_id"] and p["slug"] == body["slug"]]
                pid = old[0]["id"] if old else str(uuid.uuid4())
                p = {"id": pid, "project_id": body["project_id"], "_xact_id": x, "name": body.get("name"),
                     "slug": body["slug"], "description": body.get("description"),
                     "prompt_data": body.get("prompt_data"), "tags": body.get("tags")}
                self.prompts.append(p)
                return 200, p, {}
        if path == "/v1/prompt" and method == "GET":
            proj = next((p for p in self.projects.values() if p["name"] == query.get("project_name")
                         or p["id"] == query.get("project_id")), None)
            versions = [p for p in self.prompts if proj and p["project_id"] == proj["id"]
                        and p["slug"] == query.get("slug")]
            if query.get("version"):
                versions = [p for p in versions if p["_xact_id"] <= query["version"]]
            return 200, {"objects": versions[-1:]}, {}
        return 404, {"error": {"code": "not_found", "message": f"no route {method} {path}"}}, {}

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        srv = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def _do(self, method: str) -> None:
                u = urlparse(self.path)
                n = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(n) if n else b""
                if u.path.startswith("/upload/"):
                    status, out, headers = srv.handle_upload(method, u.path, u.query, dict(self.headers), raw)
                    self._answer(status, out, headers)
                    return
                body = orjson.loads(raw) if raw else None
                query = {k: v[0] for k, v in parse_qs(u.query).items()}
                with srv.lock:
                    srv.requests.append((method, u.path, body if body is not None else query))
                status, out, headers = srv.handle(method, u.path, query, body, self.headers.get("Authorization"))
                self._answer(status, out, headers)

            def _answer(self, status: int, out: Any, headers: dict[str, str]) -> None:
                data = orjson.dumps(out)
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for k, v in headers.items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                self._do("GET")

            def do_POST(self) -> None:
                self._do("POST")

            def do_PUT(self) -> None:
                self._do("PUT")

        return Handler
