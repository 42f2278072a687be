"""Helpers shared by tests: signing like an integration, and a real server on loopback."""

from __future__ import annotations

import json
import socket
import threading
import time
from dataclasses import dataclass
from typing import Any

import httpx
import uvicorn

from openkyc.api.signing import Clock, sign
from openkyc.app import create_app
from openkyc.config import Settings


@dataclass(frozen=True)
class KeyPairInfo:
    api_key: str
    secret_key: str


@dataclass(frozen=True)
class MerchantInfo:
    id: str
    name: str
    live: KeyPairInfo
    test: KeyPairInfo


_CLOCK = Clock()


def signed_headers(
    pair: KeyPairInfo, method: str, path: str, body: bytes, timestamp: str | None = None
) -> dict[str, str]:
    ts = timestamp or _CLOCK.timestamp()
    return {
        "x-api-key": pair.api_key,
        "x-timestamp": ts,
        "x-signature": sign(pair.secret_key, method, path, ts, body),
    }


class SignedApi:
    """Signs like a Love&Pay integration: over the exact bytes sent and the path without query."""

    def __init__(self, http: httpx.AsyncClient, pair: KeyPairInfo) -> None:
        self.http = http
        self.pair = pair

    async def request(
        self,
        method: str,
        path: str,
        *,
        json_body: Any = None,
        content: bytes | None = None,
        params: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
        pair: KeyPairInfo | None = None,
    ) -> httpx.Response:
        body = content if content is not None else b""
        if json_body is not None:
            body = json.dumps(json_body).encode()
        all_headers = signed_headers(pair or self.pair, method, path, body)
        if body:
            all_headers["content-type"] = "application/json"
        all_headers.update(headers or {})
        return await self.http.request(
            method, path, content=body, params=params, headers=all_headers
        )

    async def post(self, path: str, **kwargs: Any) -> httpx.Response:
        return await self.request("POST", path, **kwargs)

    async def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return await self.request("GET", path, **kwargs)

    async def create_session(self, **fields: Any) -> dict[str, Any]:
        response = await self.post("/api/v2/kyc/sessions", json_body=fields)
        assert response.status_code == 201, response.text
        session: dict[str, Any] = response.json()["session"]
        return session


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class LiveServer:
    """The real app behind a real uvicorn on loopback, in a thread, for real-HTTP tests."""

    def __init__(self, settings: Settings) -> None:
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        settings = settings.model_copy(update={"public_url": self.base_url})
        config = uvicorn.Config(
            create_app(settings), host="127.0.0.1", port=self.port, log_config=None, lifespan="on"
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 15
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("live server did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
