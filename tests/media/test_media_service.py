from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from openkyc.audit.models import AuditEvent
from openkyc.db.session import unit_of_work
from openkyc.media.errors import MediaErased, MediaMissing
from openkyc.media.models import MediaKey, MediaObject
from openkyc.media.service import MediaService
from openkyc.state import AppState
from tests.media.conftest import jpeg


async def _store_capture(state: AppState, session_id: uuid.UUID, attempt: int = 1) -> None:
    async with unit_of_work(state.sessionmaker) as db:
        media = MediaService(db, state)
        await media.store(session_id, "document_front", jpeg(color=(1, 2, 3)), attempt=attempt)
        await media.store(session_id, "document_back", jpeg(color=(4, 5, 6)), attempt=attempt)
        for index in range(3):
            await media.store(
                session_id,
                "selfie_frame",
                jpeg(color=(index, 0, 0)),
                attempt=attempt,
                index=index,
                frame_time_ms=index * 400,
            )


async def _storage_files(state: AppState) -> list[str]:
    root = state.settings.data_dir / "objects"
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


async def test_stored_media_come_back_decrypted_and_the_read_is_audited(
    state: AppState, session_id: uuid.UUID
) -> None:
    await _store_capture(state, session_id)
    async with unit_of_work(state.sessionmaker) as db:
        captured = await MediaService(db, state).load_inputs(session_id, actor_type="worker")
    assert captured.document_front == jpeg(color=(1, 2, 3))
    assert captured.document_back == jpeg(color=(4, 5, 6))
    assert captured.selfie_frames == tuple(jpeg(color=(i, 0, 0)) for i in range(3))
    assert captured.frame_times_ms == (0, 400, 800)
    async with unit_of_work(state.sessionmaker) as db:
        reads = (
            await db.scalars(select(AuditEvent).where(AuditEvent.action == "media.read"))
        ).all()
    assert len(reads) == 1
    assert reads[0].actor_type == "worker"
    assert reads[0].subject_id == str(session_id)
    assert len(reads[0].data["objects"]) == 5


async def test_media_are_encrypted_at_rest(state: AppState, session_id: uuid.UUID) -> None:
    await _store_capture(state, session_id)
    root = state.settings.data_dir / "objects"
    files = [p for p in root.rglob("*") if p.is_file()]
    assert len(files) == 5
    for path in files:
        blob = path.read_bytes()
        assert b"JFIF" not in blob
        assert not blob.startswith(b"\xff\xd8")


async def test_the_latest_attempt_is_loaded(state: AppState, session_id: uuid.UUID) -> None:
    await _store_capture(state, session_id, attempt=1)
    async with unit_of_work(state.sessionmaker) as db:
        media = MediaService(db, state)
        await media.store(session_id, "selfie_frame", jpeg(color=(9, 9, 9)), attempt=2)
    async with unit_of_work(state.sessionmaker) as db:
        captured = await MediaService(db, state).load_inputs(session_id)
    # The selfie was retaken; the document of attempt 1 still stands.
    assert captured.selfie_frames == (jpeg(color=(9, 9, 9)),)
    assert captured.frame_times_ms is None
    assert captured.document_front == jpeg(color=(1, 2, 3))


async def test_a_retaken_capture_replaces_the_old_file_after_commit(
    state: AppState, session_id: uuid.UUID
) -> None:
    async with unit_of_work(state.sessionmaker) as db:
        await MediaService(db, state).store(session_id, "document_front", jpeg(), attempt=1)
    first = await _storage_files(state)
    async with unit_of_work(state.sessionmaker) as db:
        await MediaService(db, state).store(
            session_id, "document_front", jpeg(color=(7, 7, 7)), attempt=1
        )
    second = await _storage_files(state)
    assert len(first) == len(second) == 1
    assert first != second
    async with unit_of_work(state.sessionmaker) as db:
        rows = (await db.scalars(select(MediaObject))).all()
        captured = await MediaService(db, state).load_inputs(session_id)
    assert len(rows) == 1
    assert captured.document_front == jpeg(color=(7, 7, 7))


async def test_erase_shreds_the_key_and_deletes_the_files(
    state: AppState, session_id: uuid.UUID
) -> None:
    await _store_capture(state, session_id)
    async with unit_of_work(state.sessionmaker) as db:
        await MediaService(db, state).erase(session_id, actor_type="merchant")
    assert await _storage_files(state) == []
    async with unit_of_work(state.sessionmaker) as db:
        assert (await db.scalars(select(MediaKey))).all() == []
        assert (await db.scalars(select(MediaObject))).all() == []
        with pytest.raises(MediaMissing):
            await MediaService(db, state).load_inputs(session_id)


async def test_without_the_key_the_files_are_unreadable(
    state: AppState, session_id: uuid.UUID
) -> None:
    await _store_capture(state, session_id)
    async with unit_of_work(state.sessionmaker) as db:
        key_row = await db.get(MediaKey, session_id)
        assert key_row is not None
        await db.delete(key_row)
    async with unit_of_work(state.sessionmaker) as db:
        with pytest.raises(MediaErased):
            await MediaService(db, state).load_inputs(session_id)


async def test_a_rolled_back_upload_leaves_no_file_and_no_row(
    state: AppState, session_id: uuid.UUID
) -> None:
    async def upload_then_fail() -> None:
        async with unit_of_work(state.sessionmaker) as db:
            media = MediaService(db, state)
            try:
                await media.store(session_id, "document_front", jpeg(), attempt=1)
                raise RuntimeError("failure after the upload, before commit")
            except BaseException:
                await media.discard_uncommitted()
                raise

    with pytest.raises(RuntimeError):
        await upload_then_fail()
    assert await _storage_files(state) == []
    async with unit_of_work(state.sessionmaker) as db:
        assert (await db.scalars(select(MediaObject))).all() == []
        assert (await db.scalars(select(MediaKey))).all() == []


async def test_loading_without_a_document_says_media_are_missing(
    state: AppState, session_id: uuid.UUID
) -> None:
    async with unit_of_work(state.sessionmaker) as db:
        with pytest.raises(MediaMissing):
            await MediaService(db, state).load_inputs(session_id)
