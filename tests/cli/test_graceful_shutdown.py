"""SIGTERM on a real `openkyc serve`: it stops accepting at once, finishes the request that
was in flight, and exits within its shutdown timeout even when a client never finishes."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from tests.support import KeyPairInfo, free_port, signed_headers

OPENKYC = str(Path(sys.executable).parent / "openkyc")
SHUTDOWN_TIMEOUT_S = 3


def _env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPENKYC_")}
    env.update(
        OPENKYC_DATA_DIR=str(tmp_path / "var"),
        OPENKYC_LOG_LEVEL="WARNING",
        OPENKYC_SHUTDOWN_TIMEOUT_S=str(SHUTDOWN_TIMEOUT_S),
    )
    return env


def _connect(port: int, timeout_s: float = 30.0) -> socket.socket:
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            return socket.create_connection(("127.0.0.1", port), timeout=10)
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def _request_head(port: int, pair: KeyPairInfo, body: bytes) -> bytes:
    headers = signed_headers(pair, "POST", "/api/v2/kyc/sessions", body)
    lines = [
        "POST /api/v2/kyc/sessions HTTP/1.1",
        f"Host: 127.0.0.1:{port}",
        "Content-Type: application/json",
        f"Content-Length: {len(body)}",
        *(f"{name}: {value}" for name, value in headers.items()),
    ]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def _read_response(connection: socket.socket) -> bytes:
    data = b""
    while b"\r\n\r\n" not in data:
        data += connection.recv(65536)
    head, _, body = data.partition(b"\r\n\r\n")
    length = next(
        int(line.split(b":")[1])
        for line in head.lower().split(b"\r\n")
        if line.startswith(b"content-length")
    )
    while len(body) < length:
        body += connection.recv(65536)
    return head + b"\r\n\r\n" + body


def test_sigterm_finishes_the_request_in_flight_and_stops_accepting(tmp_path: Path) -> None:
    env = _env(tmp_path)
    created = subprocess.run(
        [OPENKYC, "merchants", "create", "--name", "Shop", "--json"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    keys = json.loads(created.stdout)["test"]
    pair = KeyPairInfo(keys["apiKey"], keys["secretKey"])
    port = free_port()
    server = subprocess.Popen(
        [OPENKYC, "serve", "--port", str(port), "--no-demo"],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    finishing, stalled = _connect(port), _connect(port)
    try:
        body = json.dumps({"customerEmail": "client@openkyc.dev", "language": "en"}).encode()
        # Both requests are in flight: headers and part of the body sent.
        finishing.sendall(_request_head(port, pair, body) + body[:10])
        stalled.sendall(_request_head(port, pair, body) + body[:10])
        time.sleep(0.5)

        server.send_signal(signal.SIGTERM)
        sent_at = time.monotonic()
        time.sleep(1.0)
        try:
            socket.create_connection(("127.0.0.1", port), timeout=2).close()
            raise AssertionError("a new connection was accepted after SIGTERM")
        except ConnectionRefusedError:
            pass

        finishing.sendall(body[10:])
        answer = _read_response(finishing)
        assert answer.startswith(b"HTTP/1.1 201"), answer[:200]
        assert b'"status":"NOT_STARTED"' in answer.replace(b" ", b"")

        # The stalled client never finishes; the server does not wait for it for ever.
        # uvicorn re-raises the signal it handled once it is done: a SIGTERM exit status.
        assert server.wait(timeout=SHUTDOWN_TIMEOUT_S * 2 + 10) in (0, -signal.SIGTERM)
        assert time.monotonic() - sent_at < SHUTDOWN_TIMEOUT_S + 5
    finally:
        for connection in (finishing, stalled):
            connection.close()
        if server.poll() is None:
            server.kill()
            server.wait(timeout=10)
