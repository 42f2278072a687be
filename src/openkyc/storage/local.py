"""Objects as files under one root directory, written with a temporary file and a rename."""

from __future__ import annotations

import asyncio
import contextlib
import errno
import os
import secrets
from pathlib import Path

from openkyc.storage.interface import ObjectNotFound, StorageUnavailable, check_key


class LocalFileStorage:
    def __init__(self, root: Path) -> None:
        self.root = root.resolve()

    def _path(self, key: str) -> Path:
        return self.root / check_key(key)

    async def put(self, key: str, data: bytes) -> None:
        try:
            await asyncio.to_thread(self._put, self._path(key), data)
        except OSError as exc:
            # A full or failing disk is an outage to the caller, like an unreachable bucket.
            raise StorageUnavailable(
                f"local storage write failed: {errno.errorcode.get(exc.errno or 0, 'EIO')}"
            ) from exc

    async def get(self, key: str) -> bytes:
        try:
            return await asyncio.to_thread(self._get, self._path(key))
        except OSError as exc:
            raise StorageUnavailable("local storage read failed") from exc

    async def check(self) -> None:
        def writable() -> bool:
            self.root.mkdir(parents=True, exist_ok=True, mode=0o700)
            return os.access(self.root, os.W_OK)

        try:
            ok = await asyncio.to_thread(writable)
        except OSError as exc:
            raise StorageUnavailable("local storage root is not usable") from exc
        if not ok:
            raise StorageUnavailable("local storage root is not writable")

    async def close(self) -> None:
        return None

    async def delete(self, key: str) -> None:
        await asyncio.to_thread(self._delete, self._path(key))

    async def exists(self, key: str) -> bool:
        return await asyncio.to_thread(self._path(key).is_file)

    async def stale_keys(self, prefix: str, modified_before: float) -> list[str]:
        return await asyncio.to_thread(self._stale_keys, self._path(prefix), modified_before)

    def _stale_keys(self, top: Path, modified_before: float) -> list[str]:
        keys = []
        for directory, _, names in os.walk(top):
            for name in names:
                path = Path(directory, name)
                with contextlib.suppress(FileNotFoundError):  # deleted while we walk
                    if path.stat().st_mtime < modified_before:
                        keys.append(path.relative_to(self.root).as_posix())
        return keys

    @staticmethod
    def _put(path: Path, data: bytes) -> None:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        temporary = path.with_name(f".{path.name}.{secrets.token_hex(8)}.tmp")
        try:
            fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            # rename is atomic on POSIX: a crash leaves either no object or the whole one.
            os.replace(temporary, path)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                temporary.unlink()
            raise

    @staticmethod
    def _get(path: Path) -> bytes:
        try:
            return path.read_bytes()
        except FileNotFoundError:
            raise ObjectNotFound(path.name) from None

    @staticmethod
    def _delete(path: Path) -> None:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
        # Empty per-session folders are removed so erased sessions leave no trace.
        with contextlib.suppress(OSError):
            path.parent.rmdir()
