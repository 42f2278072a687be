"""Uploaded images: stored encrypted under a per-session data key, read only with an audit row.

Each session gets its own AES-256-GCM data key, itself sealed under the master key in
``media_keys``. Erasing a session deletes that row first, so the objects become unreadable
at once even if deleting the files later fails or a backup still holds them
(crypto-shredding).

Objects are written to storage before their row is flushed. If anything fails afterwards in
the same request, the edge calls :meth:`MediaService.discard_uncommitted` so no file outlives
a rolled-back transaction; replaced and erased files are deleted only after the commit.
"""

from __future__ import annotations

import hashlib
import logging
import os
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy.ext.asyncio import AsyncSession

from openkyc.audit.service import AuditService
from openkyc.db.session import after_commit
from openkyc.encryption import generate_data_key
from openkyc.flows.repository import FlowRepository
from openkyc.media.errors import MediaErased, MediaMissing, MediaNotFound
from openkyc.media.models import (
    MediaKey,
    MediaKind,
    MediaObject,
    media_key_aad,
    media_object_aad,
)
from openkyc.media.repository import MediaKeyRepository, MediaObjectRepository
from openkyc.sessions.repository import SessionRepository
from openkyc.state import AppState
from openkyc.storage.interface import ObjectNotFound, ObjectStorage, StorageUnavailable

logger = logging.getLogger("openkyc.media")

_NONCE = 12


@dataclass(frozen=True, slots=True)
class CapturedMedia:
    """What the pipeline needs, decrypted: the latest capture of each kind."""

    document_front: bytes
    document_back: bytes | None
    selfie_frames: tuple[bytes, ...]
    frame_times_ms: tuple[int, ...] | None
    challenge_json: str | None


class MediaService:
    def __init__(self, db: AsyncSession, state: AppState) -> None:
        self.db = db
        self.state = state
        self.storage: ObjectStorage = state.storage
        self.objects = MediaObjectRepository(db)
        self.keys = MediaKeyRepository(db)
        self.flows = FlowRepository(db)
        self.sessions = SessionRepository(db)
        self.audit = AuditService(db)
        # Storage keys written by this service instance and not yet committed.
        self.written: list[str] = []

    async def store(
        self,
        session_id: uuid.UUID,
        kind: str,
        data: bytes,
        *,
        attempt: int,
        index: int = 0,
        frame_time_ms: int | None = None,
    ) -> MediaObject:
        """Encrypt and store one sanitised image; an image already in the same slot
        (kind, attempt, index) is replaced, its file deleted after commit."""
        media_kind = MediaKind(kind)
        data_key = await self._data_key(session_id, create=True)
        object_id = uuid.uuid4()
        storage_key = f"media/{session_id}/{object_id.hex}.bin"
        nonce = os.urandom(_NONCE)
        sealed = AESGCM(data_key).encrypt(nonce, data, media_object_aad(session_id, storage_key))
        replaced = await self.objects.find_slot(session_id, media_kind.value, attempt, index)
        # Remembered before the write: a put that timed out may still have landed.
        self.written.append(storage_key)
        await self.storage.put(storage_key, nonce + sealed)
        media_object = MediaObject(
            id=object_id,
            session_id=session_id,
            kind=media_kind.value,
            attempt=attempt,
            index=index,
            frame_time_ms=frame_time_ms,
            storage_key=storage_key,
            size=len(data),
            sha256=hashlib.sha256(data).hexdigest(),
        )
        try:
            await self.objects.add(media_object)
        except BaseException:
            await self._delete_quietly(storage_key)
            self.written.remove(storage_key)
            raise
        if replaced:
            await self.objects.delete_objects(replaced)
            self._delete_after_commit([obj.storage_key for obj in replaced])
        return media_object

    async def drop_attempt(self, session_id: uuid.UUID, kind: str, attempt: int) -> None:
        """Forget one attempt's objects of a kind before it is captured again: a recording
        replaced by fewer frames (or by one uploaded photo) must leave none of the old ones."""
        stale = await self.objects.of_attempt(session_id, MediaKind(kind).value, attempt)
        if stale:
            await self.objects.delete_objects(stale)
            self._delete_after_commit([obj.storage_key for obj in stale])

    async def discard_uncommitted(self) -> None:
        """Delete the files this instance wrote; call it when the transaction rolls back.
        Best effort: what cannot be deleted now (storage down) the orphan sweep deletes."""
        for storage_key in self.written:
            await self._delete_quietly(storage_key)
        self.written.clear()

    async def _delete_quietly(self, storage_key: str) -> None:
        try:
            await self.storage.delete(storage_key)
        except StorageUnavailable:
            logger.warning("object left for the orphan sweep", extra={"key": storage_key})

    async def list_for_session(self, session_id: uuid.UUID) -> Sequence[MediaObject]:
        return await self.objects.for_session(session_id)

    async def catalogue(
        self, session_id: uuid.UUID, *, actor_type: str, actor_id: str | None = None
    ) -> Sequence[MediaObject]:
        """The session's stored images (metadata only) for the evidence API; audited, since
        even the list tells what was captured. Empty once erased."""
        objects = await self.objects.for_session(session_id)
        kyc_session = await self.sessions.get(session_id)
        await self.audit.record(
            action="media.listed",
            actor_type=actor_type,
            actor_id=actor_id,
            merchant_id=kyc_session.merchant_id if kyc_session else None,
            subject_type="kyc_session",
            subject_id=str(session_id),
            data={"objects": len(objects)},
        )
        return objects

    async def read_one(
        self,
        session_id: uuid.UUID,
        media_id: uuid.UUID,
        *,
        actor_type: str,
        actor_id: str | None = None,
    ) -> tuple[MediaObject, bytes]:
        """One image of this session, decrypted, with its audit row; 404 for another
        session's id and once erased (the row goes with the data key)."""
        media_object = await self.objects.get(media_id)
        if media_object is None or media_object.session_id != session_id:
            raise MediaNotFound()
        try:
            plaintext = await self.read(media_object, actor_type=actor_type, actor_id=actor_id)
        except (MediaErased, MediaMissing):
            raise MediaNotFound() from None
        return media_object, plaintext

    async def read(
        self, media_object: MediaObject, *, actor_type: str, actor_id: str | None = None
    ) -> bytes:
        """One object's plaintext, for a reviewer; every read leaves an audit row."""
        data_key = await self._data_key(media_object.session_id, create=False)
        plaintext = await self._decrypt(data_key, media_object)
        await self._audit_read(media_object.session_id, [media_object], actor_type, actor_id)
        return plaintext

    async def load_inputs(
        self, session_id: uuid.UUID, *, actor_type: str = "system", actor_id: str | None = None
    ) -> CapturedMedia:
        data_key = await self._data_key(session_id, create=False)
        front_attempt = await self.objects.latest_attempt(
            session_id, MediaKind.DOCUMENT_FRONT.value
        )
        if front_attempt is None:
            raise MediaMissing()
        fronts = await self.objects.of_attempt(
            session_id, MediaKind.DOCUMENT_FRONT.value, front_attempt
        )
        backs = await self.objects.of_attempt(
            session_id, MediaKind.DOCUMENT_BACK.value, front_attempt
        )
        selfie_attempt = await self.objects.latest_attempt(session_id, MediaKind.SELFIE_FRAME.value)
        frames: Sequence[MediaObject] = ()
        if selfie_attempt is not None:
            frames = await self.objects.of_attempt(
                session_id, MediaKind.SELFIE_FRAME.value, selfie_attempt
            )
        used: list[MediaObject] = [fronts[-1], *backs[-1:], *frames]
        front = await self._decrypt(data_key, fronts[-1])
        back = await self._decrypt(data_key, backs[-1]) if backs else None
        frame_bytes = tuple([await self._decrypt(data_key, frame) for frame in frames])
        times = [frame.frame_time_ms for frame in frames]
        frame_times = (
            tuple(t for t in times if t is not None)
            if frames and all(t is not None for t in times)
            else None
        )
        await self._audit_read(session_id, used, actor_type, actor_id)
        return CapturedMedia(
            document_front=front,
            document_back=back,
            selfie_frames=frame_bytes,
            frame_times_ms=frame_times,
            challenge_json=await self.flows.challenge_of(session_id),
        )

    async def erase(
        self, session_id: uuid.UUID, *, actor_type: str = "system", actor_id: str | None = None
    ) -> int:
        """Crypto-shred: the data key row goes in this transaction, the files after commit.
        Returns how many objects were erased."""
        objects = await self.objects.for_session(session_id)
        await self.keys.delete_for_session(session_id)
        await self.objects.delete_for_session(session_id)
        await self.db.flush()
        self._delete_after_commit([obj.storage_key for obj in objects])
        kyc_session = await self.sessions.get(session_id)
        await self.audit.record(
            action="media.erased",
            actor_type=actor_type,
            actor_id=actor_id,
            merchant_id=kyc_session.merchant_id if kyc_session else None,
            subject_type="kyc_session",
            subject_id=str(session_id),
            data={"objects": len(objects)},
        )
        return len(objects)

    async def delete_orphans(self, modified_before: float, batch: int = 500) -> int:
        """Delete stored files no row points to: uploads whose transaction a crash rolled
        back, partial writes, erased files whose after-commit delete failed. Only files
        older than ``modified_before`` (epoch s): a younger one may belong to an upload
        whose transaction has not committed yet."""
        stale = await self.storage.stale_keys("media", modified_before)
        deleted = 0
        for start in range(0, len(stale), batch):
            chunk = stale[start : start + batch]
            known = await self.objects.known_keys(chunk)
            for storage_key in chunk:
                if storage_key not in known:
                    await self.storage.delete(storage_key)
                    deleted += 1
        return deleted

    async def _data_key(self, session_id: uuid.UUID, *, create: bool) -> bytes:
        row = await self.keys.get_for_session(session_id)
        if row is None:
            if not create:
                raise MediaErased() if await self._had_media(session_id) else MediaMissing()
            key = generate_data_key()
            row = MediaKey(
                session_id=session_id,
                key_ciphertext=self.state.keyring.encrypt(key, media_key_aad(session_id)),
            )
            await self.keys.add(row)
            return key
        return self.state.keyring.decrypt(row.key_ciphertext, media_key_aad(session_id))

    async def _had_media(self, session_id: uuid.UUID) -> bool:
        return await self.objects.count_for_session(session_id) > 0

    async def _decrypt(self, data_key: bytes, media_object: MediaObject) -> bytes:
        try:
            blob = await self.storage.get(media_object.storage_key)
        except ObjectNotFound:
            raise MediaErased("A media object is missing from storage") from None
        aad = media_object_aad(media_object.session_id, media_object.storage_key)
        try:
            return AESGCM(data_key).decrypt(blob[:_NONCE], blob[_NONCE:], aad)
        except InvalidTag:
            raise MediaErased("A media object failed authentication") from None

    async def _audit_read(
        self,
        session_id: uuid.UUID,
        objects: Sequence[MediaObject],
        actor_type: str,
        actor_id: str | None,
    ) -> None:
        kyc_session = await self.sessions.get(session_id)
        await self.audit.record(
            action="media.read",
            actor_type=actor_type,
            actor_id=actor_id,
            merchant_id=kyc_session.merchant_id if kyc_session else None,
            subject_type="kyc_session",
            subject_id=str(session_id),
            data={"objects": [str(obj.id) for obj in objects]},
        )

    def _delete_after_commit(self, storage_keys: list[str]) -> None:
        if not storage_keys:
            return
        storage = self.storage

        async def delete_files() -> None:
            for storage_key in storage_keys:
                await storage.delete(storage_key)

        after_commit(self.db, delete_files)
