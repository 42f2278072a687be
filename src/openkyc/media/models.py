"""Uploaded images and the per-session key that encrypts them."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from openkyc.db.base import Base, CreatedAtMixin, IdMixin, utcnow


class MediaKind(StrEnum):
    DOCUMENT_FRONT = "document_front"
    DOCUMENT_BACK = "document_back"
    SELFIE_FRAME = "selfie_frame"


class MediaObject(IdMixin, CreatedAtMixin, Base):
    __tablename__ = "media_objects"
    __table_args__ = (Index("ix_media_objects_session_kind", "session_id", "kind", "attempt"),)

    session_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("kyc_sessions.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(32))
    # The submission attempt the image belongs to (1, then 2 after a retake...).
    attempt: Mapped[int]
    # Position within a burst of selfie frames; 0 for documents.
    index: Mapped[int] = mapped_column(default=0)
    frame_time_ms: Mapped[int | None] = mapped_column(default=None)
    storage_key: Mapped[str] = mapped_column(String(255), unique=True)
    # Size and digest of the sanitised plaintext, so a reviewer can prove what was judged.
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))


class MediaKey(Base):
    """The session's data key, sealed under the master key: deleting this row erases the media."""

    __tablename__ = "media_keys"

    session_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("kyc_sessions.id", ondelete="CASCADE"), primary_key=True
    )
    key_ciphertext: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


def media_key_aad(session_id: uuid.UUID) -> bytes:
    return b"media_keys.key:" + session_id.bytes


def media_object_aad(session_id: uuid.UUID, storage_key: str) -> bytes:
    return b"media_objects:" + session_id.bytes + b":" + storage_key.encode()
