from __future__ import annotations

from pathlib import Path

from openkyc.storage.local import LocalFileStorage


async def test_put_leaves_no_temporary_files(tmp_path: Path) -> None:
    storage = LocalFileStorage(tmp_path)
    await storage.put("media/a/b.bin", b"one")
    await storage.put("media/a/b.bin", b"two")
    assert sorted(p.name for p in (tmp_path / "media" / "a").iterdir()) == ["b.bin"]


async def test_delete_removes_the_empty_session_folder(tmp_path: Path) -> None:
    storage = LocalFileStorage(tmp_path)
    await storage.put("media/a/b.bin", b"x")
    await storage.delete("media/a/b.bin")
    assert not (tmp_path / "media" / "a").exists()
