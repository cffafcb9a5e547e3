"""A small HTTP server on 127.0.0.1 that records requests and fails on demand."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass(frozen=True)
class Call:
    method: str
    path: str
    query: dict[str, str]
    body: dict[str, Any]
    status: int = 0
    response: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """The fake answered with success (not a scripted or auth failure)."""
        return (
            self.status == 200
            and self.response.get("errcode", 0) == 0
            and self.response.get("ok", True) is True
        )


@dataclass
class Failure:
    """What the next matching request gets instead of success."""

    path_suffix: str
    status: int = 200
    payload: dict[str, Any] | None = None
    delay: float = 0.0
    times: int = 1


@dataclass
class FakeApi:
    """Subclasses implement ``answer(call) -> (status, payload)``."""

    calls: list[Call] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    server: ThreadingHTTPServer | None = None

    # -- lifecycle ------------------------------------------------------------
    def start(self) -> str:
        api = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                api._serve(self, "GET")

            def do_POST(self) -> None:
                api._serve(self, "POST")

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()

    # -- scripting and inspection ------------------------------------------------
    def fail(
        self,
        path_suffix: str,
        times: int = 1,
        status: int = 200,
        payload: dict[str, Any] | None = None,
        delay: float = 0.0,
    ) -> None:
        with self.lock:
            self.failures.append(Failure(path_suffix, status, payload, delay, times))

    def sent(self, path_suffix: str) -> list[Call]:
        """Every recorded request to the path (successful or not)."""
        with self.lock:
            return [c for c in self.calls if c.path.endswith(path_suffix)]

    def delivered(self, path_suffix: str) -> list[Call]:
        return [c for c in self.sent(path_suffix) if c.ok]

    def wait_for(self, path_suffix: str, count: int = 1, timeout: float = 10.0) -> list[Call]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.delivered(path_suffix)
            if len(found) >= count:
                return found
            time.sleep(0.02)
        raise AssertionError(
            f"expected {count} delivered call(s) to {path_suffix}, got {len(self.delivered(path_suffix))}"
        )

    def answer(self, call: Call) -> tuple[int, dict[str, Any]]:
        raise NotImplementedError

    # -- internals -------------------------------------------------------------------
    def _serve(self, handler: BaseHTTPRequestHandler, method: str) -> None:
        parts = urlsplit(handler.path)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        length = int(handler.headers.get("Content-Length") or 0)
        raw = handler.rfile.read(length) if length else b""
        call = Call(method, parts.path, query, _body(raw, handler.headers.get("Content-Type", "")))
        failure = self._take_failure(call.path)
        if failure is not None and failure.delay:
            time.sleep(failure.delay)
        status, payload = (failure.status, failure.payload or {}) if failure else self.answer(call)
        with self.lock:
            self.calls.append(replace(call, status=status, response=payload))
        data = json.dumps(payload, ensure_ascii=False).encode()
        try:
            handler.send_response(status)
            handler.send_header("Content-Type", "application/json")
            handler.send_header("Content-Length", str(len(data)))
            handler.end_headers()
            handler.wfile.write(data)
        except OSError:
            pass  # the client gave up (timeout test)

    def _take_failure(self, path: str) -> Failure | None:
        with self.lock:
            for failure in self.failures:
                if path.endswith(failure.path_suffix):
                    failure.times -= 1
                    if failure.times <= 0:
                        self.failures.remove(failure)
                    return failure
        return None


def _body(raw: bytes, content_type: str) -> dict[str, Any]:
    if not raw:
        return {}
    text = raw.decode("utf-8", "replace")
    if "json" in content_type or text.startswith("{"):
        try:
            value = json.loads(text)
            return value if isinstance(value, dict) else {"_": value}
        except json.JSONDecodeError:
            return {"_raw": text}
    return {k: _maybe_json(v[0]) for k, v in parse_qs(text).items()}


def _maybe_json(value: str) -> Any:
    try:
        return json.loads(value)
    except json.JSONDecodeError:
        return value
