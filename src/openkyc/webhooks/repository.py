from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import aliased

from openkyc.db.repository import Repository
from openkyc.webhooks.models import (
    DeliveryStatus,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
)


class EndpointRepository(Repository[WebhookEndpoint]):
    model = WebhookEndpoint

    async def for_tenant(self, merchant_id: uuid.UUID, mode: str) -> Sequence[WebhookEndpoint]:
        statement = (
            select(WebhookEndpoint)
            .where(WebhookEndpoint.merchant_id == merchant_id, WebhookEndpoint.mode == mode)
            .order_by(WebhookEndpoint.created_at, WebhookEndpoint.id)
        )
        return (await self.session.scalars(statement)).all()

    async def get_for_tenant(
        self, endpoint_id: uuid.UUID, merchant_id: uuid.UUID, mode: str
    ) -> WebhookEndpoint | None:
        statement = select(WebhookEndpoint).where(
            WebhookEndpoint.id == endpoint_id,
            WebhookEndpoint.merchant_id == merchant_id,
            WebhookEndpoint.mode == mode,
        )
        return (await self.session.scalars(statement)).first()

    async def all(self) -> Sequence[WebhookEndpoint]:
        statement = select(WebhookEndpoint).order_by(WebhookEndpoint.created_at)
        return (await self.session.scalars(statement)).all()

    async def get_for_update(self, endpoint_id: uuid.UUID) -> WebhookEndpoint | None:
        return await self._first_locked(
            endpoint_id, select(WebhookEndpoint).where(WebhookEndpoint.id == endpoint_id)
        )

    async def delete(self, endpoint: WebhookEndpoint) -> None:
        await self.session.delete(endpoint)
        await self.session.flush()


class EventRepository(Repository[WebhookEvent]):
    model = WebhookEvent

    async def get_by_id(self, event_id: str) -> WebhookEvent | None:
        return await self.session.get(WebhookEvent, event_id)

    async def for_session(self, session_id: uuid.UUID) -> Sequence[WebhookEvent]:
        statement = select(WebhookEvent).where(WebhookEvent.session_id == session_id)
        return (await self.session.scalars(statement)).all()

    async def next_sequence(self, session_id: uuid.UUID) -> int:
        statement = select(func.max(WebhookEvent.sequence)).where(
            WebhookEvent.session_id == session_id
        )
        return int(await self.session.scalar(statement) or 0) + 1


class DeliveryRepository(Repository[WebhookDelivery]):
    model = WebhookDelivery

    async def for_endpoint(
        self, endpoint_id: uuid.UUID, *, limit: int, offset: int
    ) -> tuple[Sequence[tuple[WebhookDelivery, WebhookEvent]], int]:
        total = await self.session.scalar(
            select(func.count()).where(WebhookDelivery.endpoint_id == endpoint_id)
        )
        statement = (
            select(WebhookDelivery, WebhookEvent)
            .join(WebhookEvent, WebhookEvent.id == WebhookDelivery.event_id)
            .where(WebhookDelivery.endpoint_id == endpoint_id)
            .order_by(WebhookDelivery.created_at.desc(), WebhookDelivery.sequence.desc())
            .limit(limit)
            .offset(offset)
        )
        rows = [(first, second) for first, second in (await self.session.execute(statement)).all()]
        return list(rows), int(total or 0)

    async def get_for_endpoint(
        self, delivery_id: uuid.UUID, endpoint_id: uuid.UUID
    ) -> WebhookDelivery | None:
        statement = select(WebhookDelivery).where(
            WebhookDelivery.id == delivery_id, WebhookDelivery.endpoint_id == endpoint_id
        )
        return (await self.session.scalars(statement)).first()

    async def claim(
        self, delivery_id: uuid.UUID, owner: str, now: datetime, lease_until: datetime
    ) -> bool:
        """Take a due delivery of an active endpoint if no earlier event of the same session
        is still pending for that endpoint (per-session order) and no live lease holds it."""
        earlier = aliased(WebhookDelivery)
        blocked = (
            select(earlier.id)
            .where(
                earlier.endpoint_id == WebhookDelivery.endpoint_id,
                earlier.session_id == WebhookDelivery.session_id,
                earlier.status == DeliveryStatus.PENDING.value,
                earlier.sequence < WebhookDelivery.sequence,
            )
            .exists()
        )
        active = (
            select(WebhookEndpoint.id)
            .where(
                WebhookEndpoint.id == WebhookDelivery.endpoint_id,
                WebhookEndpoint.active.is_(True),
            )
            .exists()
        )
        statement = (
            update(WebhookDelivery)
            .where(
                WebhookDelivery.id == delivery_id,
                WebhookDelivery.status == DeliveryStatus.PENDING.value,
                WebhookDelivery.next_attempt_at <= now,
                or_(WebhookDelivery.lease_until.is_(None), WebhookDelivery.lease_until < now),
                ~blocked,
                active,
            )
            .values(lease_owner=owner, lease_until=lease_until)
            .execution_options(synchronize_session=False)
        )
        result = await self.session.execute(statement)
        return bool(result.rowcount)  # type: ignore[attr-defined]  # CursorResult of an UPDATE

    async def get_owned(self, delivery_id: uuid.UUID, owner: str) -> WebhookDelivery | None:
        statement = (
            select(WebhookDelivery)
            .where(
                WebhookDelivery.id == delivery_id,
                WebhookDelivery.lease_owner == owner,
                WebhookDelivery.status == DeliveryStatus.PENDING.value,
            )
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        return (await self.session.scalars(statement)).first()

    async def next_in_line(
        self, endpoint_id: uuid.UUID, session_id: uuid.UUID
    ) -> WebhookDelivery | None:
        statement = (
            select(WebhookDelivery)
            .where(
                WebhookDelivery.endpoint_id == endpoint_id,
                WebhookDelivery.session_id == session_id,
                WebhookDelivery.status == DeliveryStatus.PENDING.value,
            )
            .order_by(WebhookDelivery.sequence)
            .limit(1)
        )
        return (await self.session.scalars(statement)).first()

    async def pending_for_endpoint(self, endpoint_id: uuid.UUID) -> Sequence[WebhookDelivery]:
        statement = select(WebhookDelivery).where(
            WebhookDelivery.endpoint_id == endpoint_id,
            WebhookDelivery.status == DeliveryStatus.PENDING.value,
        )
        return (await self.session.scalars(statement)).all()

    async def leased_by_owners_starting(
        self, prefix: str, now: datetime, limit: int
    ) -> Sequence[WebhookDelivery]:
        """Pending deliveries under a live lease whose owner name starts with ``prefix``."""
        statement = (
            select(WebhookDelivery)
            .where(
                WebhookDelivery.status == DeliveryStatus.PENDING.value,
                WebhookDelivery.lease_owner.startswith(prefix, autoescape=True),
                WebhookDelivery.lease_until >= now,
            )
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        return (await self.session.scalars(statement)).all()

    async def lost(
        self, now: datetime, enqueued_before: datetime, limit: int
    ) -> Sequence[WebhookDelivery]:
        """Due deliveries of active endpoints whose job is gone (not enqueued recently, no
        live lease). SKIP LOCKED lets several sweeps share the work."""
        active = (
            select(WebhookEndpoint.id)
            .where(
                WebhookEndpoint.id == WebhookDelivery.endpoint_id,
                WebhookEndpoint.active.is_(True),
            )
            .exists()
        )
        statement = (
            select(WebhookDelivery)
            .where(
                WebhookDelivery.status == DeliveryStatus.PENDING.value,
                WebhookDelivery.next_attempt_at <= now,
                WebhookDelivery.enqueued_at < enqueued_before,
                or_(WebhookDelivery.lease_until.is_(None), WebhookDelivery.lease_until < now),
                active,
            )
            .order_by(WebhookDelivery.next_attempt_at)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        return (await self.session.scalars(statement)).all()


class AttemptRepository(Repository[WebhookAttempt]):
    model = WebhookAttempt

    async def for_deliveries(
        self, delivery_ids: Sequence[uuid.UUID]
    ) -> dict[uuid.UUID, list[WebhookAttempt]]:
        if not delivery_ids:
            return {}
        statement = (
            select(WebhookAttempt)
            .where(WebhookAttempt.delivery_id.in_(delivery_ids))
            .order_by(WebhookAttempt.attempted_at)
        )
        grouped: dict[uuid.UUID, list[WebhookAttempt]] = {}
        for attempt in (await self.session.scalars(statement)).all():
            grouped.setdefault(attempt.delivery_id, []).append(attempt)
        return grouped
