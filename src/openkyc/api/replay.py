"""Remembers signed requests for the length of the timestamp window, so none is accepted twice."""

from __future__ import annotations

import hashlib
import time
import uuid
from typing import Protocol

from redis.asyncio import Redis


def replay_fingerprint(
    api_key_id: uuid.UUID,
    method: str,
    signed_path: str,
    timestamp: str,
    body: bytes,
    signature: str,
) -> str:
    """What makes two requests the same signed request: the key and everything it signed.

    The Host header, X-Forwarded-* and the query string are not signed, so whoever replays a
    request may change them freely; they are left out on purpose. Two requests that differ
    only in their query are therefore one request: a client sends a new timestamp each time.
    """
    parts = (
        str(api_key_id),
        method.upper(),
        signed_path,
        timestamp,
        hashlib.sha256(body).hexdigest(),
        signature.strip().lower(),
    )
    return hashlib.sha256("\n".join(parts).encode("utf-8", "replace")).hexdigest()


class ReplayGuard(Protocol):
    async def first_time(self, fingerprint: str, ttl_s: int) -> bool:
        """Record the fingerprint; False if it was already recorded within its TTL."""
        ...

    async def close(self) -> None: ...


class MemoryReplayGuard:
    """The embedded default: one process, so one dictionary is enough."""

    def __init__(self, max_entries: int = 1_000_000) -> None:
        self._seen: dict[str, float] = {}
        self._max_entries = max_entries
        self._next_prune = 0.0

    async def first_time(self, fingerprint: str, ttl_s: int) -> bool:
        now = time.monotonic()
        if now >= self._next_prune or len(self._seen) >= self._max_entries:
            self._seen = {key: until for key, until in self._seen.items() if until > now}
            self._next_prune = now + 10
        until = self._seen.get(fingerprint)
        if until is not None and until > now:
            return False
        self._seen[fingerprint] = now + ttl_s
        return True

    async def close(self) -> None:
        self._seen.clear()


class RedisReplayGuard:
    """Shared by every API process: SET NX is atomic, so two processes cannot both accept."""

    def __init__(self, client: Redis) -> None:
        self._client = client

    async def first_time(self, fingerprint: str, ttl_s: int) -> bool:
        created = await self._client.set(f"openkyc:replay:{fingerprint}", b"1", nx=True, ex=ttl_s)
        return bool(created)

    async def close(self) -> None:
        await self._client.aclose(close_connection_pool=True)
