"""Deleting personal data: on schedule (the sweep) and on request (API, CLI).

Three data classes, each with its own period counted from the moment the session became final
(decided, or expired without a decision):

* media: document photos and selfie frames, crypto-shredded (the session's data key first);
* biometrics: the face embedding kept for duplicate search;
* records: the extracted identity, the customer's e-mail and phone, the identity a run kept
  for review, and the personal fields of stored webhook payloads.

What stays: the session row (status, timestamps, decline codes, the merchant's invoice and
customer ids), the checks (scores, thresholds, model versions) and the audit trail, none of
which identifies the customer without the merchant's own records. A legal hold suspends all
of it; an open session (undecided, or waiting for review) is never touched.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from openkyc.audit.service import AuditService
from openkyc.db.base import utcnow
from openkyc.media.service import MediaService
from openkyc.retention.errors import LegalHold, SessionNotFinal
from openkyc.retention.repository import RetentionRepository
from openkyc.sessions import search
from openkyc.sessions.models import KycSession
from openkyc.sessions.presenters import effective_status
from openkyc.sessions.repository import SessionRepository
from openkyc.sessions.schemas import format_timestamp
from openkyc.state import AppState
from openkyc.verifications.repository import EmbeddingRepository, RunRepository
from openkyc.webhooks.service import WebhookService

_ACTOR = "retention"


@dataclass(frozen=True, slots=True)
class ErasureReceipt:
    """What an on-demand erasure removed; returned to the merchant and kept in the audit."""

    session_id: uuid.UUID
    erased_at: datetime
    media_objects: int
    face_embeddings: int
    webhook_payloads: int

    def to_json(self) -> dict[str, object]:
        return {
            "sessionId": str(self.session_id),
            "erasedAt": format_timestamp(self.erased_at),
            "mediaObjects": self.media_objects,
            "faceEmbeddings": self.face_embeddings,
            "webhookPayloads": self.webhook_payloads,
        }


@dataclass(frozen=True, slots=True)
class RetentionReport:
    media: int
    biometrics: int
    records: int
    orphan_files: int = 0

    @property
    def total(self) -> int:
        return self.media + self.biometrics + self.records + self.orphan_files


class RetentionService:
    def __init__(self, db: AsyncSession, state: AppState) -> None:
        self.db = db
        self.state = state
        self.due = RetentionRepository(db)
        self.sessions = SessionRepository(db)
        self.media = MediaService(db, state)
        self.embeddings = EmbeddingRepository(db)
        self.runs = RunRepository(db)
        self.webhooks = WebhookService(db, state.keyring)
        self.audit = AuditService(db)

    # --- on request -------------------------------------------------------------------------

    async def erase_session(
        self, kyc_session: KycSession, *, actor_type: str, actor_id: str | None
    ) -> ErasureReceipt:
        """Everything personal about a final session, now. Repeating it removes nothing more
        and returns a receipt with zero counts and the first erasure's time."""
        if kyc_session.legal_hold:
            raise LegalHold()
        if not effective_status(kyc_session, utcnow()).is_terminal:
            raise SessionNotFinal()
        objects = await self._erase_media(kyc_session, actor_type, actor_id)
        embeddings = await self.embeddings.delete_for_session(kyc_session.id)
        payloads = await self._redact(kyc_session, actor_type, actor_id)
        receipt = ErasureReceipt(
            session_id=kyc_session.id,
            erased_at=kyc_session.redacted_at or utcnow(),
            media_objects=objects,
            face_embeddings=embeddings,
            webhook_payloads=payloads,
        )
        await self.audit.record(
            action="session.erased",
            actor_type=actor_type,
            actor_id=actor_id,
            merchant_id=kyc_session.merchant_id,
            subject_type="kyc_session",
            subject_id=str(kyc_session.id),
            data={k: v for k, v in receipt.to_json().items() if k != "sessionId"},
        )
        return receipt

    async def set_legal_hold(
        self, kyc_session: KycSession, hold: bool, *, actor_id: str, note: str | None = None
    ) -> None:
        kyc_session.legal_hold = hold
        await self.audit.record(
            action="session.legal_hold_set" if hold else "session.legal_hold_released",
            actor_type="operator",
            actor_id=actor_id,
            merchant_id=kyc_session.merchant_id,
            subject_type="kyc_session",
            subject_id=str(kyc_session.id),
            data={"note": note} if note else {},
        )

    # --- on schedule ------------------------------------------------------------------------

    async def apply(self, now: datetime, batch: int) -> RetentionReport:
        """One batch of each data class that is past its period."""
        settings = self.state.settings
        media_due = await self.due.media_due(
            now - timedelta(days=settings.retention_media_days), batch
        )
        for kyc_session in media_due:
            await self._erase_media(kyc_session, "system", _ACTOR)
        biometrics_due = await self.due.embeddings_due(
            now - timedelta(days=settings.retention_biometrics_days), batch
        )
        for session_id in biometrics_due:
            await self.embeddings.delete_for_session(session_id)
            await self.audit.record(
                action="biometrics.erased",
                actor_type="system",
                actor_id=_ACTOR,
                subject_type="kyc_session",
                subject_id=str(session_id),
            )
        records_due = await self.due.records_due(
            now - timedelta(days=settings.retention_records_days), batch
        )
        for kyc_session in records_due:
            await self._redact(kyc_session, "system", _ACTOR)
        await self.db.flush()
        return RetentionReport(len(media_due), len(biometrics_due), len(records_due))

    # --- the deletions ----------------------------------------------------------------------

    async def _erase_media(
        self, kyc_session: KycSession, actor_type: str, actor_id: str | None
    ) -> int:
        if kyc_session.media_erased_at is not None:
            return 0
        erased = await self.media.erase(kyc_session.id, actor_type=actor_type, actor_id=actor_id)
        kyc_session.media_erased_at = utcnow()
        return erased

    async def _redact(self, kyc_session: KycSession, actor_type: str, actor_id: str | None) -> int:
        if kyc_session.redacted_at is not None:
            return 0
        kyc_session.verification_ciphertext = None
        kyc_session.contact_ciphertext = None
        search.forget(kyc_session)
        kyc_session.redacted_at = utcnow()
        await self.runs.clear_candidates(kyc_session.id)
        payloads = await self.webhooks.redact_session_events(kyc_session.id)
        await self.audit.record(
            action="session.redacted",
            actor_type=actor_type,
            actor_id=actor_id,
            merchant_id=kyc_session.merchant_id,
            subject_type="kyc_session",
            subject_id=str(kyc_session.id),
            data={"webhookPayloads": payloads},
        )
        return payloads
