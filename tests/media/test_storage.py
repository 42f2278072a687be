from __future__ import annotations

from pathlib import Path

import pytest

from openkyc.storage.interface import ObjectNotFound
from openkyc.storage.local import LocalFileStorage


async def test_put_then_get_returns_the_bytes(tmp_path: Path) -> None:
    storage = LocalFileStorage(tmp_path)
    await storage.put("media/a/b.bin", b"payload")
    assert await storage.get("media/a/b.bin") == b"payload"
    assert await storage.exists("media/a/b.bin")


async def test_put_leaves_no_temporary_files(tmp_path: Path) -> None:
    storage = LocalFileStorage(tmp_path)
    await storage.put("media/a/b.bin", b"one")
    await storage.put("media/a/b.bin", b"two")
    assert sorted(p.name for p in (tmp_path / "media" / "a").iterdir()) == ["b.bin"]
    assert await storage.get("media/a/b.bin") == b"two"


async def test_delete_removes_the_object_and_tolerates_missing_keys(tmp_path: Path) -> None:
    storage = LocalFileStorage(tmp_path)
    await storage.put("media/a/b.bin", b"x")
    await storage.delete("media/a/b.bin")
    await storage.delete("media/a/b.bin")
    assert not await storage.exists("media/a/b.bin")
    with pytest.raises(ObjectNotFound):
        await storage.get("media/a/b.bin")
    assert not (tmp_path / "media" / "a").exists()


@pytest.mark.parametrize("key", ["../escape", "/abs/path", "media/../../x", "a//b", ""])
async def test_keys_that_could_escape_the_root_are_refused(tmp_path: Path, key: str) -> None:
    with pytest.raises(ValueError):
        await LocalFileStorage(tmp_path).put(key, b"x")
