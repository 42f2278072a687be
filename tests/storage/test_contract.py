"""The object storage contract, checked the same way against local files and a real
S3-protocol server (moto, started by tests/s3server.py): every backend keeps every promise."""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from openkyc.storage.interface import ObjectNotFound, ObjectStorage, StorageUnavailable
from openkyc.storage.local import LocalFileStorage
from openkyc.storage.location import S3Location
from openkyc.storage.s3 import S3Storage
from tests.s3server import ACCESS_KEY, REGION, SECRET_KEY, S3Server
from tests.support import free_port


def s3_storage(endpoint_url: str, bucket: str, **options: float) -> S3Storage:
    return S3Storage(
        S3Location(bucket, "root/of-media"),
        endpoint_url=endpoint_url,
        region=REGION,
        access_key_id=ACCESS_KEY,
        secret_access_key=SECRET_KEY,
        **options,  # type: ignore[arg-type]
    )


@pytest.fixture(params=["local", "s3"])
async def storage(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[ObjectStorage]:
    backend: ObjectStorage
    if request.param == "local":
        backend = LocalFileStorage(tmp_path / "objects")
    else:
        server: S3Server = request.getfixturevalue("s3_server")
        backend = s3_storage(server.endpoint_url, server.new_bucket())
    yield backend
    await backend.close()


@pytest.fixture(params=["local", "s3"])
async def broken_storage(
    request: pytest.FixtureRequest, tmp_path: Path
) -> AsyncIterator[ObjectStorage]:
    """A store that cannot work: a root that is a file, or nothing listening on the port."""
    backend: ObjectStorage
    if request.param == "local":
        blocker = tmp_path / "not-a-directory"
        blocker.write_bytes(b"")
        backend = LocalFileStorage(blocker / "objects")
    else:
        backend = s3_storage(
            f"http://127.0.0.1:{free_port()}", "nowhere", timeout_s=0.5, max_attempts=2
        )
    yield backend
    await backend.close()


async def test_put_then_get_returns_the_bytes(storage: ObjectStorage) -> None:
    await storage.put("media/a/b.bin", b"payload")
    assert await storage.get("media/a/b.bin") == b"payload"
    assert await storage.exists("media/a/b.bin")


async def test_put_replaces_an_object_whole(storage: ObjectStorage) -> None:
    await storage.put("media/a/b.bin", b"one" * 1000)
    await storage.put("media/a/b.bin", b"two")
    assert await storage.get("media/a/b.bin") == b"two"


async def test_a_missing_key_is_not_found_not_an_error(storage: ObjectStorage) -> None:
    with pytest.raises(ObjectNotFound):
        await storage.get("media/nothing/here.bin")
    assert not await storage.exists("media/nothing/here.bin")


async def test_delete_removes_the_object_and_tolerates_missing_keys(
    storage: ObjectStorage,
) -> None:
    await storage.put("media/a/b.bin", b"x")
    await storage.delete("media/a/b.bin")
    await storage.delete("media/a/b.bin")
    assert not await storage.exists("media/a/b.bin")
    with pytest.raises(ObjectNotFound):
        await storage.get("media/a/b.bin")


async def test_readers_never_see_part_of_an_object(storage: ObjectStorage) -> None:
    """Readers racing a writer see no object, the old one or the new one, never a mix."""
    old, new = os.urandom(256 * 1024), os.urandom(512 * 1024)
    await storage.put("media/race/x.bin", old)
    seen: set[int] = set()

    async def read_often() -> None:
        for _ in range(20):
            data = await storage.get("media/race/x.bin")
            assert data in (old, new)
            seen.add(len(data))

    await asyncio.gather(read_often(), storage.put("media/race/x.bin", new), read_often())
    assert await storage.get("media/race/x.bin") == new


@pytest.mark.parametrize("key", ["../escape", "/abs/path", "media/../../x", "a//b", ""])
async def test_keys_that_could_escape_are_refused(storage: ObjectStorage, key: str) -> None:
    with pytest.raises(ValueError):
        await storage.put(key, b"x")


async def test_stale_keys_lists_old_objects_under_the_prefix_only(
    storage: ObjectStorage,
) -> None:
    await storage.put("media/s1/old.bin", b"1")
    await storage.put("other/s1/old.bin", b"1")
    cutoff = time.time() + 0.5
    await asyncio.sleep(1.6)  # S3 keeps modification times to the millisecond or second
    await storage.put("media/s2/new.bin", b"2")
    assert await storage.stale_keys("media", cutoff) == ["media/s1/old.bin"]
    assert sorted(await storage.stale_keys("media", time.time() + 5)) == [
        "media/s1/old.bin",
        "media/s2/new.bin",
    ]
    assert await storage.stale_keys("media", time.time() - 3600) == []


async def test_a_healthy_store_passes_its_readiness_check(storage: ObjectStorage) -> None:
    await storage.check()


async def test_an_unusable_store_raises_unavailable_not_not_found(
    broken_storage: ObjectStorage,
) -> None:
    started = time.monotonic()
    with pytest.raises(StorageUnavailable):
        await broken_storage.put("media/a/b.bin", b"x")
    with pytest.raises(StorageUnavailable):
        await broken_storage.get("media/a/b.bin")
    with pytest.raises(StorageUnavailable):
        await broken_storage.check()
    assert time.monotonic() - started < 15  # bounded by timeouts x attempts, never a hang
