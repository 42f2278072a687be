"""KYC sessions: creation (idempotent), tenant-scoped reads, expiry, and status transitions."""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from openkyc.audit.service import AuditService
from openkyc.db.base import utcnow
from openkyc.encryption import Keyring
from openkyc.errors import IdempotencyConflict
from openkyc.merchants.repository import MerchantRepository
from openkyc.merchants.tenant import Tenant
from openkyc.sessions.errors import IdempotencyInFlight, SessionNotFound, SessionStateConflict
from openkyc.sessions.models import (
    Contact,
    IdempotencyRecord,
    KycSession,
    SessionStatus,
    VerificationData,
    verification_aad,
)
from openkyc.sessions.presenters import effective_status
from openkyc.sessions.repository import IdempotencyRepository, SessionRepository
from openkyc.sessions.schemas import CreateSessionRequest
from openkyc.sessions.sealing import open_contact, seal_contact
from openkyc.webhooks.service import WebhookService

# The webhook event each status change emits (kyc.started and kyc.expired are extensions).
_WEBHOOK_EVENTS = {
    SessionStatus.IN_PROGRESS: "kyc.started",
    SessionStatus.APPROVED: "kyc.completed",
    SessionStatus.DECLINED: "kyc.failed",
    SessionStatus.EXPIRED: "kyc.expired",
}


@dataclass(frozen=True, slots=True)
class SessionPage:
    items: Sequence[KycSession]
    total: int
    limit: int
    offset: int


def _truncate_to_ms(moment: datetime) -> datetime:
    # The wire format has millisecond precision; storing the same keeps reads stable.
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


class SessionService:
    def __init__(
        self, session: AsyncSession, keyring: Keyring, *, default_ttl_minutes: int
    ) -> None:
        self.db = session
        self.keyring = keyring
        self.default_ttl = timedelta(minutes=default_ttl_minutes)
        self.sessions = SessionRepository(session)
        self.idempotency = IdempotencyRepository(session)
        self.merchants = MerchantRepository(session)
        self.audit = AuditService(session)

    async def create(
        self,
        tenant: Tenant,
        request: CreateSessionRequest,
        *,
        idempotency_key: str | None = None,
        ttl_minutes: int | None = None,
    ) -> KycSession:
        """Create a session; ``ttl_minutes`` is the merchant's override when the caller knows it."""
        request_hash = hashlib.sha256(
            json.dumps(request.fingerprint(), sort_keys=True).encode()
        ).hexdigest()
        if idempotency_key is not None:
            record = await self.idempotency.find(tenant.merchant_id, tenant.mode, idempotency_key)
            if record is not None:
                return await self._replay(record, request_hash)

        if ttl_minutes is None:
            merchant = await self.merchants.get(tenant.merchant_id)
            ttl_minutes = merchant.session_ttl_minutes if merchant is not None else None
        ttl = timedelta(minutes=ttl_minutes) if ttl_minutes else self.default_ttl
        now = _truncate_to_ms(utcnow())
        kyc_session = KycSession(
            id=uuid.uuid4(),
            merchant_id=tenant.merchant_id,
            mode=tenant.mode,
            status=SessionStatus.NOT_STARTED.value,
            invoice_id=request.invoice_id,
            customer_id=request.customer_id,
            callback_url=request.callback_url,
            language=request.language,
            created_at=now,
            updated_at=now,
            expires_at=now + ttl,
        )
        seal_contact(
            self.keyring,
            kyc_session,
            Contact(email=request.customer_email, phone=request.customer_phone),
        )
        self.db.add(kyc_session)
        if idempotency_key is not None:
            # No ORM relationship orders these inserts, so the session row goes first explicitly.
            await self.db.flush()
            self.db.add(
                IdempotencyRecord(
                    merchant_id=tenant.merchant_id,
                    mode=tenant.mode,
                    key=idempotency_key,
                    request_hash=request_hash,
                    session_id=kyc_session.id,
                )
            )
            try:
                await self.db.flush()
            except IntegrityError:
                # Another request with the same key committed between our lookup and insert.
                raise IdempotencyInFlight() from None
        await self.audit.record(
            action="session.created",
            actor_type="merchant",
            actor_id=tenant.mode,
            merchant_id=tenant.merchant_id,
            subject_type="kyc_session",
            subject_id=str(kyc_session.id),
            data={"status": kyc_session.status},
        )
        return kyc_session

    async def _replay(self, record: IdempotencyRecord, request_hash: str) -> KycSession:
        if record.request_hash != request_hash:
            raise IdempotencyConflict()
        existing = await self.sessions.get(record.session_id)
        if existing is None:  # deleted by retention: the key is spent
            raise IdempotencyConflict("Idempotency-Key refers to a session that no longer exists")
        return existing

    async def get(self, tenant: Tenant, session_id: uuid.UUID) -> KycSession:
        found = await self.sessions.get_for_tenant(session_id, tenant.merchant_id, tenant.mode)
        if found is None:
            raise SessionNotFound()
        return found

    async def get_by_id(self, session_id: uuid.UUID) -> KycSession:
        found = await self.sessions.get(session_id)
        if found is None:
            raise SessionNotFound()
        return found

    async def list(
        self, tenant: Tenant, *, status: SessionStatus | None, limit: int, offset: int
    ) -> SessionPage:
        items, total = await self.sessions.list_for_tenant(
            tenant.merchant_id, tenant.mode, status=status, now=utcnow(), limit=limit, offset=offset
        )
        return SessionPage(items=items, total=total, limit=limit, offset=offset)

    def contact_of(self, kyc_session: KycSession) -> Contact:
        return open_contact(self.keyring, kyc_session)

    def verification_of(self, kyc_session: KycSession) -> VerificationData | None:
        if kyc_session.verification_ciphertext is None:
            return None
        plaintext = self.keyring.decrypt(
            kyc_session.verification_ciphertext, verification_aad(kyc_session.id)
        )
        data: VerificationData = json.loads(plaintext)
        return data

    def seal_verification(self, kyc_session: KycSession, data: VerificationData) -> None:
        kyc_session.verification_ciphertext = self.keyring.encrypt(
            json.dumps(data, ensure_ascii=False).encode(), verification_aad(kyc_session.id)
        )

    async def expire_due(self) -> Sequence[uuid.UUID]:
        """Persist EXPIRED for every open session past its deadline (the periodic job)."""
        expired = await self.sessions.expire_due(utcnow())
        for session_id in expired:
            await self.audit.record(
                action="session.status_changed",
                actor_type="system",
                subject_type="kyc_session",
                subject_id=str(session_id),
                data={"to": SessionStatus.EXPIRED.value, "reason": "expires_at passed"},
            )
            expired_session = await self.sessions.get(session_id)
            if expired_session is not None:
                await self._record_event(expired_session, SessionStatus.EXPIRED)
        return expired

    async def expire_now(
        self, kyc_session: KycSession, *, actor_type: str, actor_id: str | None = None
    ) -> None:
        """Close an open, unsubmitted session as its deadline would (the sandbox's expire):
        the same status, audit row and kyc.expired event as the periodic job writes."""
        locked = await self.sessions.get_for_update(kyc_session.id)
        if locked is None:
            raise SessionNotFound()
        now = _truncate_to_ms(utcnow())
        current = effective_status(locked, now)
        if current not in (SessionStatus.NOT_STARTED, SessionStatus.IN_PROGRESS):
            raise SessionStateConflict(f"Cannot expire a session that is {current}")
        if locked.submitted_at is not None:
            raise SessionStateConflict("Cannot expire a submitted session: it is being decided")
        locked.expires_at = min(locked.expires_at, now)
        locked.status = SessionStatus.EXPIRED.value
        locked.updated_at = now
        await self.db.flush()
        await self.audit.record(
            action="session.status_changed",
            actor_type=actor_type,
            actor_id=actor_id,
            merchant_id=locked.merchant_id,
            subject_type="kyc_session",
            subject_id=str(locked.id),
            data={"from": current.value, "to": SessionStatus.EXPIRED.value, "reason": "sandbox"},
        )
        await self._record_event(locked, SessionStatus.EXPIRED)

    async def _record_event(self, kyc_session: KycSession, to: SessionStatus) -> None:
        # Same transaction as the change: the event exists if and only if the change does.
        await WebhookService(self.db, self.keyring).record_session_event(
            kyc_session, _WEBHOOK_EVENTS[to], self.verification_of(kyc_session)
        )

    async def transition(
        self,
        kyc_session: KycSession,
        to: SessionStatus,
        *,
        actor_type: str,
        actor_id: str | None = None,
        reasons: Sequence[str] = (),
    ) -> None:
        """The only way a status changes: checks the state machine and writes the audit row."""
        current = effective_status(kyc_session, utcnow())
        allowed = {
            SessionStatus.NOT_STARTED: {SessionStatus.IN_PROGRESS, SessionStatus.EXPIRED},
            SessionStatus.IN_PROGRESS: {
                SessionStatus.APPROVED,
                SessionStatus.DECLINED,
                SessionStatus.EXPIRED,
            },
        }
        if to not in allowed.get(current, set()):
            raise SessionStateConflict(f"Cannot move a session from {current} to {to}")
        now = utcnow()
        kyc_session.status = to.value
        kyc_session.updated_at = now
        if to is SessionStatus.IN_PROGRESS:
            kyc_session.started_at = now
        if to in (SessionStatus.APPROVED, SessionStatus.DECLINED):
            kyc_session.decided_at = now
            kyc_session.decline_reasons = list(reasons) if to is SessionStatus.DECLINED else None
        await self.db.flush()
        await self.audit.record(
            action="session.status_changed",
            actor_type=actor_type,
            actor_id=actor_id,
            merchant_id=kyc_session.merchant_id,
            subject_type="kyc_session",
            subject_id=str(kyc_session.id),
            data={"from": current.value, "to": to.value, "reasons": list(reasons)},
        )
        await self._record_event(kyc_session, to)
