"""A fake LLM provider on 127.0.0.1: OpenAI- and Anthropic-compatible, with SSE streaming.

Serves ``/v1/chat/completions`` (plain, tool calls, judge ``select_choice``), ``/v1/completions``,
``/v1/embeddings`` (deterministic vectors: equal texts give equal vectors) and ``/v1/messages``
(Anthropic). Records every request; ``fail_next`` injects error statuses.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


def _vector(text: str, dim: int = 16) -> list[float]:
    words = text.lower().split() or [""]
    vec = [0.0] * dim
    for w in words:
        h = hashlib.sha256(w.encode()).digest()
        for i in range(dim):
            vec[i] += (h[i] - 128) / 128.0
    return vec


class FakeLLM:
    def __init__(self, judge_choice: str | None = None, reply: str = "Hello from the fake model") -> None:
        self.judge_choice = judge_choice
        self.reply = reply
        self.requests: list[tuple[str, dict[str, Any]]] = []
        self.fail_next: list[int] = []
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    # -- answers -------------------------------------------------------------------------------
    def _chat(self, body: dict[str, Any]) -> dict[str, Any]:
        tools = body.get("tools") or []
        message: dict[str, Any] = {"role": "assistant", "content": self.reply}
        finish = "stop"
        if tools:
            fn = tools[0]["function"]
            if fn["name"] == "select_choice":
                enum = fn["parameters"]["properties"]["choice"]["enum"]
                args = {"reasons": "Compared both carefully.", "choice": self.judge_choice or enum[0]}
            else:
                args = {"city": "Paris"}
            message = {"role": "assistant", "content": None, "tool_calls": [
                {"id": "call_1", "type": "function", "function": {"name": fn["name"], "arguments": json.dumps(args)}}]}
            finish = "tool_calls"
        return {"id": "chatcmpl-1", "object": "chat.completion", "created": int(time.time()), "model": body.get("model"),
                "choices": [{"index": 0, "message": message, "finish_reason": finish, "logprobs": None}],
                "usage": {"prompt_tokens": 11, "completion_tokens": 7, "total_tokens": 18}}

    def _chat_chunks(self, body: dict[str, Any]) -> list[dict[str, Any]]:
        base = {"id": "chatcmpl-1", "object": "chat.completion.chunk", "created": int(time.time()),
                "model": body.get("model")}
        chunks = [{**base, "choices": [{"index": 0, "delta": {"role": "assistant", "content": ""}, "finish_reason": None}]}]
        if body.get("tools"):
            name = body["tools"][0]["function"]["name"]
            chunks.append({**base, "choices": [{"index": 0, "delta": {"tool_calls": [
                {"index": 0, "id": "call_1", "type": "function", "function": {"name": name, "arguments": '{"city": '}}]},
                "finish_reason": None}]})
            chunks.append({**base, "choices": [{"index": 0, "delta": {"tool_calls": [
                {"index": 0, "function": {"arguments": '"Paris"}'}}]}, "finish_reason": None}]})
            finish = "tool_calls"
        else:
            for word in self.reply.split(" "):
                chunks.append({**base, "choices": [{"index": 0, "delta": {"content": word + " "}, "finish_reason": None}]})
            finish = "stop"
        chunks.append({**base, "choices": [{"index": 0, "delta": {}, "finish_reason": finish}]})
        if (body.get("stream_options") or {}).get("include_usage"):
            chunks.append({**base, "choices": [], "usage": {"prompt_tokens": 11, "completion_tokens": 7,
                                                            "total_tokens": 18}})
        return chunks

    def _response(self, body: dict[str, Any], status: str = "completed") -> dict[str, Any]:
        return {"id": "resp_1", "object": "response", "created_at": int(time.time()), "status": status,
                "model": body.get("model"), "parallel_tool_calls": True, "tool_choice": "auto", "tools": [],
                "output": [{"type": "message", "id": "msg_1", "status": "completed", "role": "assistant",
                            "content": [{"type": "output_text", "text": self.reply, "annotations": []}]}],
                "usage": {"input_tokens": 9, "output_tokens": 6, "total_tokens": 15,
                          "input_tokens_details": {"cached_tokens": 0},
                          "output_tokens_details": {"reasoning_tokens": 0}}}

    def _response_events(self, body: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
        created = {**self._response(body, "in_progress"), "output": [], "usage": None}
        ev: list[tuple[str, dict[str, Any]]] = [("response.created", {"type": "response.created", "response": created,
                                                                      "sequence_number": 0})]
        for i, word in enumerate(self.reply.split(" ")):
            ev.append(("response.output_text.delta", {"type": "response.output_text.delta", "item_id": "msg_1",
                                                      "output_index": 0, "content_index": 0, "delta": word + " ",
                                                      "logprobs": [], "sequence_number": i + 1}))
        ev.append(("response.completed", {"type": "response.completed", "response": self._response(body),
                                          "sequence_number": len(ev)}))
        return ev

    def _anthropic(self, body: dict[str, Any]) -> dict[str, Any]:
        content: list[dict[str, Any]] = [{"type": "text", "text": self.reply}]
        stop = "end_turn"
        if body.get("tools"):
            content = [{"type": "tool_use", "id": "toolu_1", "name": body["tools"][0]["name"], "input": {"city": "Paris"}}]
            stop = "tool_use"
        return {"id": "msg_1", "type": "message", "role": "assistant", "model": body.get("model"), "content": content,
                "stop_reason": stop, "stop_sequence": None, "usage": {"input_tokens": 13, "output_tokens": 5}}

    def _anthropic_events(self, body: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
        msg = {"id": "msg_1", "type": "message", "role": "assistant", "model": body.get("model"), "content": [],
               "stop_reason": None, "stop_sequence": None, "usage": {"input_tokens": 13, "output_tokens": 1}}
        ev = [("message_start", {"type": "message_start", "message": msg}),
              ("content_block_start", {"type": "content_block_start", "index": 0,
                                       "content_block": {"type": "text", "text": ""}})]
        for word in self.reply.split(" "):
            ev.append(("content_block_delta", {"type": "content_block_delta", "index": 0,
                                               "delta": {"type": "text_delta", "text": word + " "}}))
        ev += [("content_block_stop", {"type": "content_block_stop", "index": 0}),
               ("message_delta", {"type": "message_delta", "delta": {"stop_reason": "end_turn", "stop_sequence": None},
                                  "usage": {"output_tokens": 5}}),
               ("message_stop", {"type": "message_stop"})]
        return ev

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def _json(self, status: int, body: Any) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _sse(self, events: list[tuple[str | None, Any]]) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.send_header("Connection", "close")
                self.end_headers()
                for name, data in events:
                    text = data if isinstance(data, str) else json.dumps(data)
                    head = f"event: {name}\n" if name else ""
                    self.wfile.write(f"{head}data: {text}\n\n".encode())
                    self.wfile.flush()
                self.close_connection = True

            def do_POST(self) -> None:
                n = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(n) or b"{}")
                with fake.lock:
                    fake.requests.append((self.path, body))
                    fail = fake.fail_next.pop(0) if fake.fail_next else None
                if fail:
                    self._json(fail, {"error": {"message": "injected", "type": "server_error"}})
                    return
                path = self.path.split("?")[0]
                if path.endswith("/chat/completions"):
                    if body.get("stream"):
                        self._sse([(None, c) for c in fake._chat_chunks(body)] + [(None, "[DONE]")])
                    else:
                        self._json(200, fake._chat(body))
                elif path.endswith("/responses"):
                    if body.get("stream"):
                        self._sse(list(fake._response_events(body)))
                    else:
                        self._json(200, fake._response(body))
                elif path.endswith("/completions"):
                    self._json(200, {"id": "cmpl-1", "object": "text_completion", "created": int(time.time()),
                                     "model": body.get("model"), "choices": [{"index": 0, "text": fake.reply,
                                     "finish_reason": "stop", "logprobs": None}],
                                     "usage": {"prompt_tokens": 3, "completion_tokens": 4, "total_tokens": 7}})
                elif path.endswith("/embeddings"):
                    inputs = body["input"] if isinstance(body["input"], list) else [body["input"]]
                    self._json(200, {"object": "list", "model": body.get("model"),
                                     "data": [{"object": "embedding", "index": i, "embedding": _vector(t)}
                                              for i, t in enumerate(inputs)],
                                     "usage": {"prompt_tokens": 2, "total_tokens": 2}})
                elif path.endswith("/messages"):
                    if body.get("stream"):
                        self._sse(list(fake._anthropic_events(body)))
                    else:
                        self._json(200, fake._anthropic(body))
                else:
                    self._json(404, {"error": {"message": "not found"}})

        return Handler
