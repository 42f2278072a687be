"""Webhook endpoints, the outbox, and the bookkeeping of deliveries. Services flush only.

An event is written in the same transaction as the status change that caused it, with one
delivery row per subscribed endpoint; the jobs are enqueued after commit. What is sent is the
session as ``GET /api/v2/kyc/sessions/{id}`` returned it at the event (a snapshot, encrypted:
it carries names and birth dates).
"""

from __future__ import annotations

import json
import logging
import secrets
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from openkyc.audit.service import AuditService
from openkyc.db.base import utcnow
from openkyc.encryption import Keyring
from openkyc.errors import ValidationFailed
from openkyc.merchants.tenant import Tenant
from openkyc.sessions.models import KycSession, VerificationData
from openkyc.sessions.presenters import full_session
from openkyc.sessions.schemas import format_timestamp
from openkyc.sessions.sealing import open_contact
from openkyc.webhooks import ssrf
from openkyc.webhooks.errors import DeliveryNotFound, EndpointNotFound
from openkyc.webhooks.models import (
    EVENTS,
    DeliveryStatus,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
    payload_aad,
    secret_aad,
)
from openkyc.webhooks.repository import (
    AttemptRepository,
    DeliveryRepository,
    EndpointRepository,
    EventRepository,
)
from openkyc.webhooks.signing import generate_secret
from openkyc.worker.enqueue import enqueue_after_commit
from openkyc.worker.names import DELIVER_WEBHOOK

logger = logging.getLogger("openkyc.webhooks")

MAX_SECRET_LENGTH = 200
MAX_ENDPOINTS_PER_TENANT = 20


@dataclass(frozen=True, slots=True)
class CreatedEndpoint:
    endpoint: WebhookEndpoint
    secret: str  # shown once


@dataclass(frozen=True, slots=True)
class DeliveryView:
    delivery: WebhookDelivery
    event: WebhookEvent
    attempts: Sequence[WebhookAttempt]


@dataclass(frozen=True, slots=True)
class DeliveryPage:
    items: Sequence[DeliveryView]
    total: int


@dataclass(frozen=True, slots=True)
class OutgoingRequest:
    """Everything a sender needs, decrypted; built inside a short transaction."""

    delivery_id: uuid.UUID
    endpoint_id: uuid.UUID
    url: str
    secret: str
    event_id: str
    envelope: dict[str, Any]
    retry_count: int


@dataclass(frozen=True, slots=True)
class AttemptResult:
    status_code: int | None
    latency_ms: float
    response_excerpt: str | None
    error: str | None

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def new_event_id() -> str:
    return f"evt_{int(utcnow().timestamp() * 1000)}_{secrets.token_hex(6)}"


def _pending_delivery(
    event: WebhookEvent, endpoint_id: uuid.UUID, moment: datetime
) -> WebhookDelivery:
    """A first delivery of ``event`` to one endpoint, due at once."""
    return WebhookDelivery(
        event_id=event.id,
        endpoint_id=endpoint_id,
        session_id=event.session_id,
        sequence=event.sequence,
        status=DeliveryStatus.PENDING.value,
        attempts=0,
        next_attempt_at=moment,
        enqueued_at=moment,
    )


# The keys of a session payload that hold personal data (see sessions.presenters).
_PERSONAL_KEYS = ("customerEmail", "customerPhone", "verification")


class WebhookService:
    def __init__(self, db: AsyncSession, keyring: Keyring) -> None:
        self.db = db
        self.keyring = keyring
        self.endpoints = EndpointRepository(db)
        self.events = EventRepository(db)
        self.deliveries = DeliveryRepository(db)
        self.attempts = AttemptRepository(db)
        self.audit = AuditService(db)

    # --- endpoints ------------------------------------------------------------------------

    async def create_endpoint(
        self,
        tenant: Tenant,
        *,
        url: str,
        events: Sequence[str],
        secret: str | None,
        production: bool,
        actor_type: str = "merchant",
        actor_id: str | None = None,
    ) -> CreatedEndpoint:
        await ssrf.resolve(url, production=production)
        chosen = validate_events(events)
        secret = validate_secret(secret) if secret is not None else generate_secret()
        existing = await self.endpoints.for_tenant(tenant.merchant_id, tenant.mode)
        if len(existing) >= MAX_ENDPOINTS_PER_TENANT:
            raise ValidationFailed({"url": f"at most {MAX_ENDPOINTS_PER_TENANT} endpoints"})
        endpoint_id = uuid.uuid4()
        endpoint = await self.endpoints.add(
            WebhookEndpoint(
                id=endpoint_id,
                merchant_id=tenant.merchant_id,
                mode=tenant.mode,
                url=url,
                events=chosen,
                secret_ciphertext=self.keyring.encrypt(secret.encode(), secret_aad(endpoint_id)),
                active=True,
            )
        )
        await self._audit_endpoint(
            endpoint, "webhook.created", actor_type, {"events": chosen}, actor_id
        )
        return CreatedEndpoint(endpoint=endpoint, secret=secret)

    async def list_endpoints(self, tenant: Tenant) -> Sequence[WebhookEndpoint]:
        return await self.endpoints.for_tenant(tenant.merchant_id, tenant.mode)

    async def list_all(self) -> Sequence[WebhookEndpoint]:
        return await self.endpoints.all()

    async def get_endpoint(self, tenant: Tenant, endpoint_id: uuid.UUID) -> WebhookEndpoint:
        found = await self.endpoints.get_for_tenant(endpoint_id, tenant.merchant_id, tenant.mode)
        if found is None:
            raise EndpointNotFound()
        return found

    async def get_endpoint_by_id(self, endpoint_id: uuid.UUID) -> WebhookEndpoint:
        found = await self.endpoints.get(endpoint_id)
        if found is None:
            raise EndpointNotFound()
        return found

    async def update_endpoint(
        self,
        endpoint: WebhookEndpoint,
        *,
        url: str | None = None,
        events: Sequence[str] | None = None,
        active: bool | None = None,
        secret: str | None = None,
        production: bool,
        actor_type: str = "merchant",
        actor_id: str | None = None,
    ) -> WebhookEndpoint:
        changed: dict[str, Any] = {}
        if url is not None:
            await ssrf.resolve(url, production=production)
            endpoint.url = url
            changed["url"] = True
        if events is not None:
            endpoint.events = validate_events(events)
            changed["events"] = endpoint.events
        if secret is not None:
            endpoint.secret_ciphertext = self.keyring.encrypt(
                validate_secret(secret).encode(), secret_aad(endpoint.id)
            )
            changed["secret"] = True
        if active is not None and active != endpoint.active:
            endpoint.active = active
            changed["active"] = active
            if active:
                endpoint.disabled_at = None
                endpoint.disabled_reason = None
                endpoint.failing_since = None
                # Whatever waited while it was off goes out now, oldest event first.
                for delivery in await self.deliveries.pending_for_endpoint(endpoint.id):
                    delivery.next_attempt_at = utcnow()
                    delivery.enqueued_at = utcnow()
                    enqueue_after_commit(self.db, DELIVER_WEBHOOK, delivery.id)
            else:
                endpoint.disabled_at = utcnow()
                endpoint.disabled_reason = "merchant"
        endpoint.updated_at = utcnow()
        await self.db.flush()
        await self._audit_endpoint(endpoint, "webhook.updated", actor_type, changed, actor_id)
        return endpoint

    async def delete_endpoint(
        self,
        endpoint: WebhookEndpoint,
        *,
        actor_type: str = "merchant",
        actor_id: str | None = None,
    ) -> None:
        await self._audit_endpoint(endpoint, "webhook.deleted", actor_type, {}, actor_id)
        await self.endpoints.delete(endpoint)

    def secret_of(self, endpoint: WebhookEndpoint) -> str:
        return self.keyring.decrypt(endpoint.secret_ciphertext, secret_aad(endpoint.id)).decode()

    # --- events ---------------------------------------------------------------------------

    async def record_session_event(
        self,
        kyc_session: KycSession,
        event: str,
        verification: VerificationData | None,
        *,
        now: datetime | None = None,
        review_since: datetime | None = None,
    ) -> WebhookEvent | None:
        """Write the event and its deliveries; None when no endpoint listens to it."""
        if event not in EVENTS:
            raise ValueError(f"unknown webhook event {event}")
        endpoints = [
            endpoint
            for endpoint in await self.endpoints.for_tenant(
                kyc_session.merchant_id, kyc_session.mode
            )
            if event in endpoint.events
        ]
        if not endpoints:
            return None
        moment = now or utcnow()
        # verificationUrl is filled from the configured public URL when sent.
        data = full_session(
            kyc_session,
            open_contact(self.keyring, kyc_session),
            verification,
            "",
            moment,
            review_since=review_since,
        )
        event_id = new_event_id()
        sequence = await self.events.next_sequence(kyc_session.id)
        payload = {
            "id": event_id,
            "event": event,
            "timestamp": format_timestamp(moment),
            "data": data,
        }
        record = await self.events.add(
            WebhookEvent(
                id=event_id,
                merchant_id=kyc_session.merchant_id,
                mode=kyc_session.mode,
                event=event,
                session_id=kyc_session.id,
                sequence=sequence,
                payload_ciphertext=self._seal_payload(event_id, payload),
                created_at=moment,
            )
        )
        for endpoint in endpoints:
            delivery = await self.deliveries.add(_pending_delivery(record, endpoint.id, moment))
            enqueue_after_commit(self.db, DELIVER_WEBHOOK, delivery.id)
        return record

    async def redact_session_events(self, session_id: uuid.UUID) -> int:
        """Strip personal data from the stored payloads of a session's events (retention):
        a later resend carries the status and ids, but no names, contacts or document data."""
        events = await self.events.for_session(session_id)
        for event in events:
            payload = self._open_payload(event)
            data = payload.get("data")
            if isinstance(data, dict):
                data.update({key: None for key in _PERSONAL_KEYS if key in data})
            event.payload_ciphertext = self._seal_payload(event.id, payload)
        return len(events)

    def _seal_payload(self, event_id: str, payload: dict[str, Any]) -> bytes:
        return self.keyring.encrypt(
            json.dumps(payload, ensure_ascii=False).encode(), payload_aad(event_id)
        )

    def _open_payload(self, event: WebhookEvent) -> dict[str, Any]:
        payload: dict[str, Any] = json.loads(
            self.keyring.decrypt(event.payload_ciphertext, payload_aad(event.id))
        )
        return payload

    async def record_test_event(
        self, endpoint: WebhookEndpoint, kyc_session: KycSession
    ) -> WebhookDelivery:
        """``openkyc webhooks test``: a real delivery of a ``kyc.completed``-shaped event."""
        event_id = new_event_id()
        moment = utcnow()
        data = full_session(kyc_session, open_contact(self.keyring, kyc_session), None, "", moment)
        payload = {
            "id": event_id,
            "event": "kyc.completed",
            "timestamp": format_timestamp(moment),
            "data": data,
            "test": True,
        }
        sequence = await self.events.next_sequence(kyc_session.id)
        record = await self.events.add(
            WebhookEvent(
                id=event_id,
                merchant_id=endpoint.merchant_id,
                mode=endpoint.mode,
                event="kyc.completed",
                session_id=kyc_session.id,
                sequence=sequence,
                payload_ciphertext=self._seal_payload(event_id, payload),
                created_at=moment,
            )
        )
        return await self.deliveries.add(_pending_delivery(record, endpoint.id, moment))

    # --- deliveries as the merchant sees them --------------------------------------------

    async def list_deliveries(
        self, endpoint: WebhookEndpoint, *, limit: int, offset: int
    ) -> DeliveryPage:
        rows, total = await self.deliveries.for_endpoint(endpoint.id, limit=limit, offset=offset)
        attempts = await self.attempts.for_deliveries([delivery.id for delivery, _ in rows])
        return DeliveryPage(
            items=[
                DeliveryView(delivery, event, attempts.get(delivery.id, []))
                for delivery, event in rows
            ],
            total=total,
        )

    async def resend(
        self,
        endpoint: WebhookEndpoint,
        delivery_id: uuid.UUID,
        *,
        actor_type: str = "merchant",
        actor_id: str | None = None,
    ) -> WebhookDelivery:
        """Send the same event (same id) again, now, whatever happened to it before."""
        delivery = await self.deliveries.get_for_endpoint(delivery_id, endpoint.id)
        if delivery is None:
            raise DeliveryNotFound()
        now = utcnow()
        delivery.status = DeliveryStatus.PENDING.value
        delivery.next_attempt_at = now
        delivery.enqueued_at = now
        delivery.lease_owner = None
        delivery.lease_until = None
        await self.db.flush()
        await self._audit_endpoint(
            endpoint,
            "webhook.resend",
            actor_type,
            {"delivery": str(delivery.id), "event": delivery.event_id},
            actor_id,
        )
        enqueue_after_commit(self.db, DELIVER_WEBHOOK, delivery.id)
        return delivery

    # --- the worker's side ---------------------------------------------------------------

    async def claim(
        self, delivery_id: uuid.UUID, owner: str, lease: timedelta, public_url: str
    ) -> OutgoingRequest | None:
        now = utcnow()
        if not await self.deliveries.claim(delivery_id, owner, now, now + lease):
            return None
        delivery = await self.deliveries.get_owned(delivery_id, owner)
        if delivery is None:  # pragma: no cover - claimed in this very transaction
            return None
        endpoint = await self.endpoints.get(delivery.endpoint_id)
        event = await self.events.get_by_id(delivery.event_id)
        if endpoint is None or event is None:  # pragma: no cover - cascades
            return None
        payload = self._open_payload(event)
        data = payload.get("data") or {}
        if isinstance(data, dict) and "verificationUrl" in data:
            data["verificationUrl"] = f"{public_url.rstrip('/')}/verify/{event.session_id}"
        envelope: dict[str, Any] = {
            "id": payload["id"],
            "event": payload["event"],
            "timestamp": payload["timestamp"],
            "data": data,
            "partnerId": str(event.merchant_id),
            "retryCount": delivery.attempts,
        }
        if payload.get("test"):
            envelope["test"] = True
        return OutgoingRequest(
            delivery_id=delivery.id,
            endpoint_id=endpoint.id,
            url=endpoint.url,
            secret=self.secret_of(endpoint),
            event_id=event.id,
            envelope=envelope,
            retry_count=delivery.attempts,
        )

    async def finish(
        self,
        request: OutgoingRequest,
        owner: str,
        result: AttemptResult,
        *,
        backoff_s: float,
        give_up_after: timedelta,
        disable_after: timedelta,
    ) -> str | None:
        """Record the attempt and what follows from it; the delivery's new status, or None if
        the lease was lost (another worker owns it now)."""
        delivery = await self.deliveries.get_owned(request.delivery_id, owner)
        if delivery is None:
            return None
        endpoint = await self.endpoints.get_for_update(request.endpoint_id)
        if endpoint is None:  # pragma: no cover - cascades
            return None
        now = utcnow()
        delivery.attempts += 1
        delivery.last_status_code = result.status_code
        delivery.lease_owner = None
        delivery.lease_until = None
        next_at: datetime | None = None
        if result.succeeded:
            delivery.status = DeliveryStatus.DELIVERED.value
            delivery.delivered_at = now
            endpoint.failing_since = None
        elif result.status_code == 410:
            delivery.status = DeliveryStatus.FAILED.value
            await self._disable(endpoint, "gone", now)
        else:
            endpoint.failing_since = endpoint.failing_since or now
            if now - delivery.created_at >= give_up_after:
                delivery.status = DeliveryStatus.FAILED.value
            else:
                next_at = now + timedelta(seconds=backoff_s)
                delivery.next_attempt_at = next_at
                delivery.enqueued_at = now
            if now - endpoint.failing_since >= disable_after and endpoint.active:
                await self._disable(endpoint, "failing", now)
        await self.attempts.add(
            WebhookAttempt(
                delivery_id=delivery.id,
                attempted_at=now,
                retry_count=request.retry_count,
                status_code=result.status_code,
                latency_ms=round(result.latency_ms, 1),
                response_excerpt=result.response_excerpt,
                error=result.error,
                next_attempt_at=next_at,
            )
        )
        if next_at is not None and endpoint.active:
            enqueue_after_commit(
                self.db, DELIVER_WEBHOOK, delivery.id, delay_s=(next_at - now).total_seconds()
            )
        elif delivery.status != DeliveryStatus.PENDING.value:
            # The next event of this session for this endpoint was waiting for this one.
            following = await self.deliveries.next_in_line(endpoint.id, delivery.session_id)
            if following is not None:
                enqueue_after_commit(self.db, DELIVER_WEBHOOK, following.id)
        return delivery.status

    async def release(self, delivery_id: uuid.UUID, owner: str) -> None:
        """Give the lease back without an attempt (the target was refused before sending)."""
        delivery = await self.deliveries.get_owned(delivery_id, owner)
        if delivery is not None:
            delivery.lease_owner = None
            delivery.lease_until = None
            await self.db.flush()

    async def _disable(self, endpoint: WebhookEndpoint, reason: str, now: datetime) -> None:
        endpoint.active = False
        endpoint.disabled_at = now
        endpoint.disabled_reason = reason
        await self.db.flush()
        # The operator's signal (besides the audit row): ids only, the URL may be private.
        logger.warning(
            "webhook endpoint disabled",
            extra={
                "endpoint": str(endpoint.id),
                "merchant": str(endpoint.merchant_id),
                "reason": reason,
            },
        )
        await self._audit_endpoint(endpoint, "webhook.disabled", "system", {"reason": reason})

    async def _audit_endpoint(
        self,
        endpoint: WebhookEndpoint,
        action: str,
        actor_type: str,
        data: dict[str, Any],
        actor_id: str | None = None,
    ) -> None:
        await self.audit.record(
            action=action,
            actor_type=actor_type,
            actor_id=actor_id,
            merchant_id=endpoint.merchant_id,
            subject_type="webhook_endpoint",
            subject_id=str(endpoint.id),
            data=data,
        )


def validate_events(events: Sequence[str]) -> list[str]:
    if (
        isinstance(events, str)
        or not isinstance(events, list | tuple)
        or not events
        or not all(isinstance(event, str) for event in events)
    ):
        raise ValidationFailed({"events": "must be a non-empty list of event names"})
    unknown = [event for event in events if event not in EVENTS]
    if unknown:
        raise ValidationFailed({"events": f"unknown events {unknown}; known: {list(EVENTS)}"})
    return list(dict.fromkeys(events))


def validate_secret(secret: str) -> str:
    if not isinstance(secret, str) or not 16 <= len(secret) <= MAX_SECRET_LENGTH:
        raise ValidationFailed({"secret": f"must be 16 to {MAX_SECRET_LENGTH} characters"})
    if any(ch.isspace() or not ch.isprintable() for ch in secret):
        raise ValidationFailed({"secret": "must be printable, without spaces"})
    return secret
