"""A real HTTP receiver on loopback: records every request, answers as a test scripts it."""

from __future__ import annotations

import http.server
import json
import threading
import time
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    at: float

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Script:
    """Responses in order; the last one repeats. A response is (status, body, sleep_s)."""

    responses: list[tuple[int, str, float]] = field(default_factory=lambda: [(200, "ok", 0.0)])
    extra_headers: dict[str, str] = field(default_factory=dict)


class Receiver:
    def __init__(self, port: int = 0) -> None:
        self.received: list[Received] = []
        self.script = Script()
        self._lock = threading.Lock()
        self._calls = 0
        owner = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                body = self.rfile.read(length)
                with owner._lock:
                    owner.received.append(
                        Received(self.path, dict(self.headers.items()), body, time.monotonic())
                    )
                    index = min(owner._calls, len(owner.script.responses) - 1)
                    owner._calls += 1
                    status, text, sleep_s = owner.script.responses[index]
                if sleep_s:
                    time.sleep(sleep_s)
                payload = text.encode()
                try:
                    self.send_response(status)
                    for name, value in owner.script.extra_headers.items():
                        self.send_header(name, value)
                    self.send_header("content-length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def log_message(self, *args: Any) -> None:
                return None

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def respond(self, *responses: tuple[int, str, float]) -> None:
        with self._lock:
            self.script.responses = list(responses)
            self._calls = 0

    def __enter__(self) -> Receiver:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)

    def wait_for(self, count: int, timeout_s: float = 10.0) -> list[Received]:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            with self._lock:
                if len(self.received) >= count:
                    return list(self.received)
            time.sleep(0.02)
        raise AssertionError(f"expected {count} requests, got {len(self.received)}")
