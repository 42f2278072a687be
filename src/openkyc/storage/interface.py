"""The object storage seam: media bytes live behind it, chosen by settings."""

from __future__ import annotations

from typing import Protocol


class ObjectNotFound(Exception):
    """No object is stored under the key."""


class ObjectStorage(Protocol):
    async def put(self, key: str, data: bytes) -> None:
        """Store ``data`` under ``key`` atomically: readers see all of it or nothing."""
        ...

    async def get(self, key: str) -> bytes:
        """The bytes under ``key``; :class:`ObjectNotFound` if there are none."""
        ...

    async def delete(self, key: str) -> None:
        """Remove ``key``; deleting a missing key is not an error."""
        ...

    async def exists(self, key: str) -> bool: ...

    async def stale_keys(self, prefix: str, modified_before: float) -> list[str]:
        """Keys under ``prefix`` last written before ``modified_before`` (epoch seconds),
        including partial writes a crash left behind: the orphan sweep's input."""
        ...
