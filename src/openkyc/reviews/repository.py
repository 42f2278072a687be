from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import case, delete, func, select
from sqlalchemy.exc import IntegrityError

from openkyc.db.repository import Repository
from openkyc.merchants.models import Merchant
from openkyc.reviews.models import CaseAssignment, CaseNote, DecisionProposal
from openkyc.sessions.models import KycSession
from openkyc.verifications.models import (
    RunOutcome,
    RunStatus,
    VerificationCheck,
    VerificationReview,
    VerificationRun,
)
from openkyc.webhooks.models import (
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
)


class QueueRepository(Repository[VerificationRun]):
    model = VerificationRun

    async def waiting(
        self, merchant_ids: frozenset[uuid.UUID] | None, *, limit: int, offset: int
    ) -> Sequence[Any]:
        """Runs waiting for a person, oldest first, with their session, merchant name,
        holder and pending four-eyes proposal."""
        statement = (
            select(VerificationRun, KycSession, Merchant.name, CaseAssignment, DecisionProposal)
            .join(KycSession, KycSession.id == VerificationRun.session_id)
            .join(Merchant, Merchant.id == KycSession.merchant_id)
            .outerjoin(CaseAssignment, CaseAssignment.session_id == KycSession.id)
            .outerjoin(DecisionProposal, DecisionProposal.run_id == VerificationRun.id)
            .where(
                VerificationRun.status == RunStatus.DONE.value,
                VerificationRun.outcome == RunOutcome.REVIEW.value,
            )
            .order_by(VerificationRun.finished_at, VerificationRun.id)
            .limit(limit)
            .offset(offset)
        )
        if merchant_ids is not None:
            statement = statement.where(KycSession.merchant_id.in_(merchant_ids))
        return (await self.session.execute(statement)).all()

    async def checks_of(self, run_ids: Sequence[uuid.UUID]) -> Sequence[VerificationCheck]:
        if not run_ids:
            return []
        statement = select(VerificationCheck).where(VerificationCheck.run_id.in_(run_ids))
        return (await self.session.scalars(statement)).all()


class AssignmentRepository(Repository[CaseAssignment]):
    model = CaseAssignment

    async def current(self, session_id: uuid.UUID) -> CaseAssignment | None:
        statement = (
            select(CaseAssignment)
            .where(CaseAssignment.session_id == session_id)
            .execution_options(populate_existing=True)
        )
        return (await self.session.scalars(statement)).first()

    async def try_add(self, assignment: CaseAssignment) -> bool:
        """Insert unless someone holds the case already (the primary key decides a race)."""
        try:
            async with self.session.begin_nested():
                self.session.add(assignment)
                await self.session.flush()
        except IntegrityError:
            return False
        return True

    async def remove(self, session_id: uuid.UUID) -> None:
        await self.session.execute(
            delete(CaseAssignment)
            .where(CaseAssignment.session_id == session_id)
            .execution_options(synchronize_session="fetch")
        )


class NoteRepository(Repository[CaseNote]):
    model = CaseNote

    async def for_session(self, session_id: uuid.UUID) -> Sequence[CaseNote]:
        statement = (
            select(CaseNote).where(CaseNote.session_id == session_id).order_by(CaseNote.created_at)
        )
        return (await self.session.scalars(statement)).all()


class ProposalRepository(Repository[DecisionProposal]):
    model = DecisionProposal

    async def for_run(self, run_id: uuid.UUID) -> DecisionProposal | None:
        statement = (
            select(DecisionProposal)
            .where(DecisionProposal.run_id == run_id)
            .execution_options(populate_existing=True)
        )
        return (await self.session.scalars(statement)).first()

    async def for_session(self, session_id: uuid.UUID) -> Sequence[DecisionProposal]:
        statement = (
            select(DecisionProposal)
            .where(DecisionProposal.session_id == session_id)
            .order_by(DecisionProposal.created_at)
        )
        return (await self.session.scalars(statement)).all()

    async def try_add(self, proposal: DecisionProposal) -> bool:
        try:
            async with self.session.begin_nested():
                self.session.add(proposal)
                await self.session.flush()
        except IntegrityError:
            return False
        return True

    async def remove(self, proposal: DecisionProposal) -> None:
        await self.session.delete(proposal)
        await self.session.flush()


class CaseRepository(Repository[VerificationRun]):
    """What a case page reads about one session, across the domains that hold it."""

    model = VerificationRun

    async def runs_of(self, session_id: uuid.UUID) -> list[VerificationRun]:
        statement = (
            select(VerificationRun)
            .where(VerificationRun.session_id == session_id)
            .order_by(VerificationRun.attempt)
        )
        return list((await self.session.scalars(statement)).all())

    async def checks_of(self, run_ids: Sequence[uuid.UUID]) -> Sequence[VerificationCheck]:
        if not run_ids:
            return []
        statement = (
            select(VerificationCheck)
            .where(VerificationCheck.run_id.in_(run_ids))
            .order_by(VerificationCheck.name)
        )
        return (await self.session.scalars(statement)).all()

    async def reviews_of(self, session_id: uuid.UUID) -> Sequence[VerificationReview]:
        statement = (
            select(VerificationReview)
            .where(VerificationReview.session_id == session_id)
            .order_by(VerificationReview.created_at)
        )
        return (await self.session.scalars(statement)).all()

    async def deliveries_of(
        self, session_id: uuid.UUID
    ) -> list[tuple[WebhookDelivery, str, str, list[WebhookAttempt]]]:
        """Each webhook delivery of the session: its event name, target URL and attempts."""
        statement = (
            select(WebhookDelivery, WebhookEvent.event, WebhookEndpoint.url)
            .join(WebhookEvent, WebhookEvent.id == WebhookDelivery.event_id)
            .join(WebhookEndpoint, WebhookEndpoint.id == WebhookDelivery.endpoint_id)
            .where(WebhookDelivery.session_id == session_id)
            .order_by(WebhookDelivery.sequence, WebhookDelivery.created_at)
        )
        rows = (await self.session.execute(statement)).all()
        ids = [row[0].id for row in rows]
        attempts: dict[uuid.UUID, list[WebhookAttempt]] = {}
        if ids:
            found = await self.session.scalars(
                select(WebhookAttempt)
                .where(WebhookAttempt.delivery_id.in_(ids))
                .order_by(WebhookAttempt.attempted_at)
            )
            for attempt in found.all():
                attempts.setdefault(attempt.delivery_id, []).append(attempt)
        return [
            (delivery, event, url, attempts.get(delivery.id, [])) for delivery, event, url in rows
        ]


class StatsRepository(Repository[KycSession]):
    """The overview's aggregates; merchant scope applied to every query."""

    model = KycSession

    @staticmethod
    def _scope(statement: Any, merchant_ids: frozenset[uuid.UUID] | None) -> Any:
        if merchant_ids is None:
            return statement
        return statement.where(KycSession.merchant_id.in_(merchant_ids))

    async def per_day(
        self, since: datetime, now: datetime, merchant_ids: frozenset[uuid.UUID] | None
    ) -> Sequence[Any]:
        """(day, merchant, status as read, count) of sessions created since ``since``."""
        day = func.date(KycSession.created_at)
        expired = (
            KycSession.status.in_(("NOT_STARTED", "IN_PROGRESS"))
            & KycSession.submitted_at.is_(None)
            & (KycSession.expires_at <= now)
        )
        status = case((expired, "EXPIRED"), else_=KycSession.status)
        statement = (
            select(day, KycSession.merchant_id, status, func.count())
            .where(KycSession.created_at >= since)
            .group_by(day, KycSession.merchant_id, status)
        )
        return (await self.session.execute(self._scope(statement, merchant_ids))).all()

    async def decided(
        self, since: datetime, merchant_ids: frozenset[uuid.UUID] | None
    ) -> Sequence[Any]:
        """(merchant, status, submitted_at, decided_at, decline_reasons) of sessions decided
        since ``since``."""
        statement = select(
            KycSession.merchant_id,
            KycSession.status,
            KycSession.submitted_at,
            KycSession.decided_at,
            KycSession.decline_reasons,
        ).where(KycSession.decided_at >= since)
        return (await self.session.execute(self._scope(statement, merchant_ids))).all()

    async def reviewed(
        self, since: datetime, merchant_ids: frozenset[uuid.UUID] | None
    ) -> Sequence[Any]:
        """(merchant, waited from, decided at) of manual reviews decided since ``since``."""
        statement = (
            select(
                KycSession.merchant_id, VerificationRun.finished_at, VerificationReview.created_at
            )
            .join(VerificationRun, VerificationRun.id == VerificationReview.run_id)
            .join(KycSession, KycSession.id == VerificationReview.session_id)
            .where(VerificationReview.created_at >= since)
        )
        return (await self.session.execute(self._scope(statement, merchant_ids))).all()
