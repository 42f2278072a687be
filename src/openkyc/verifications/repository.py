from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, func, or_, select, update

from openkyc.db.repository import Repository
from openkyc.sessions.models import KycSession
from openkyc.verifications.models import (
    FaceEmbedding,
    RunOutcome,
    RunStatus,
    VerificationCheck,
    VerificationReview,
    VerificationRun,
)


class RunRepository(Repository[VerificationRun]):
    model = VerificationRun

    async def latest_for_session(
        self, session_id: uuid.UUID, *, refresh: bool = False
    ) -> VerificationRun | None:
        """``refresh`` reloads a row this unit of work already holds (read after a lock)."""
        statement = (
            select(VerificationRun)
            .where(VerificationRun.session_id == session_id)
            .order_by(VerificationRun.attempt.desc())
            .limit(1)
        )
        if refresh:
            statement = statement.execution_options(populate_existing=True)
        return (await self.session.scalars(statement)).first()

    async def clear_candidates(self, session_id: uuid.UUID) -> None:
        await self.session.execute(
            update(VerificationRun)
            .where(VerificationRun.session_id == session_id)
            .values(candidate_ciphertext=None)
        )

    async def count_for_session(self, session_id: uuid.UUID) -> int:
        statement = select(func.count()).where(VerificationRun.session_id == session_id)
        return int(await self.session.scalar(statement) or 0)

    async def retakes_before(self, session_id: uuid.UUID, attempt: int) -> int:
        statement = select(func.count()).where(
            VerificationRun.session_id == session_id,
            VerificationRun.attempt < attempt,
            VerificationRun.outcome == RunOutcome.RETAKE.value,
        )
        return int(await self.session.scalar(statement) or 0)

    async def claim(
        self, run_id: uuid.UUID, owner: str, now: datetime, lease_until: datetime
    ) -> bool:
        """Take the run if it is pending, or running under a lease that ran out (its worker
        died). One conditional UPDATE: PostgreSQL's row lock and SQLite's single writer both
        make exactly one of two racing workers see a row count of 1."""
        statement = (
            update(VerificationRun)
            .where(
                VerificationRun.id == run_id,
                or_(
                    VerificationRun.status == RunStatus.PENDING.value,
                    (VerificationRun.status == RunStatus.RUNNING.value)
                    & (VerificationRun.lease_until < now),
                ),
            )
            .values(
                status=RunStatus.RUNNING.value,
                lease_owner=owner,
                lease_until=lease_until,
                started_at=now,
                claims=VerificationRun.claims + 1,
            )
            .execution_options(synchronize_session=False)
        )
        result = await self.session.execute(statement)
        return bool(result.rowcount)  # type: ignore[attr-defined]  # CursorResult of an UPDATE

    async def get_owned(self, run_id: uuid.UUID, owner: str) -> VerificationRun | None:
        """The run, locked, if this worker still holds it (another may have taken it over)."""
        statement = (
            select(VerificationRun)
            .where(
                VerificationRun.id == run_id,
                VerificationRun.status == RunStatus.RUNNING.value,
                VerificationRun.lease_owner == owner,
            )
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        return (await self.session.scalars(statement)).first()

    async def leased_by_owners_starting(
        self, prefix: str, now: datetime, limit: int
    ) -> Sequence[VerificationRun]:
        """Runs under a live lease whose owner name starts with ``prefix`` (one host's)."""
        statement = (
            select(VerificationRun)
            .where(
                VerificationRun.status == RunStatus.RUNNING.value,
                VerificationRun.lease_owner.startswith(prefix, autoescape=True),
                VerificationRun.lease_until >= now,
            )
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        return (await self.session.scalars(statement)).all()

    async def owned_by(self, owner: str) -> Sequence[VerificationRun]:
        """Every run this worker holds, locked."""
        statement = (
            select(VerificationRun)
            .where(
                VerificationRun.status == RunStatus.RUNNING.value,
                VerificationRun.lease_owner == owner,
            )
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        return (await self.session.scalars(statement)).all()

    async def lost(
        self, now: datetime, enqueued_before: datetime, limit: int
    ) -> Sequence[VerificationRun]:
        """Runs that are due but whose job is gone: pending for longer than the grace, or
        running under a lapsed lease. SKIP LOCKED lets several sweeps share the work."""
        statement = (
            select(VerificationRun)
            .where(
                or_(
                    (VerificationRun.status == RunStatus.PENDING.value)
                    & (VerificationRun.enqueued_at < enqueued_before),
                    (VerificationRun.status == RunStatus.RUNNING.value)
                    & (VerificationRun.lease_until < now)
                    & (VerificationRun.enqueued_at < enqueued_before),
                )
            )
            .order_by(VerificationRun.enqueued_at)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        return (await self.session.scalars(statement)).all()

    async def review_pending_since(
        self, session_ids: Sequence[uuid.UUID]
    ) -> dict[uuid.UUID, datetime]:
        """For each of these sessions waiting for a person: since when (its run's end)."""
        if not session_ids:
            return {}
        statement = select(VerificationRun.session_id, VerificationRun.finished_at).where(
            VerificationRun.session_id.in_(list(session_ids)),
            VerificationRun.status == RunStatus.DONE.value,
            VerificationRun.outcome == RunOutcome.REVIEW.value,
        )
        rows = (await self.session.execute(statement)).all()
        return {row[0]: row[1] for row in rows if row[1] is not None}

    async def awaiting_review(self, limit: int) -> Sequence[tuple[VerificationRun, KycSession]]:
        statement = (
            select(VerificationRun, KycSession)
            .join(KycSession, KycSession.id == VerificationRun.session_id)
            .where(
                VerificationRun.status == RunStatus.DONE.value,
                VerificationRun.outcome == RunOutcome.REVIEW.value,
            )
            .order_by(VerificationRun.finished_at)
            .limit(limit)
        )
        rows = [(first, second) for first, second in (await self.session.execute(statement)).all()]
        return list(rows)


class CheckRepository(Repository[VerificationCheck]):
    model = VerificationCheck

    async def for_run(self, run_id: uuid.UUID) -> Sequence[VerificationCheck]:
        statement = (
            select(VerificationCheck)
            .where(VerificationCheck.run_id == run_id)
            .order_by(VerificationCheck.name)
        )
        return (await self.session.scalars(statement)).all()


class ReviewRepository(Repository[VerificationReview]):
    model = VerificationReview


class EmbeddingRepository(Repository[FaceEmbedding]):
    model = FaceEmbedding

    async def for_tenant(
        self, merchant_id: uuid.UUID, mode: str, *, model: str, excluding: uuid.UUID
    ) -> Sequence[FaceEmbedding]:
        """The tenant's stored faces made by ``model`` (other spaces cannot be compared)."""
        statement = select(FaceEmbedding).where(
            FaceEmbedding.merchant_id == merchant_id,
            FaceEmbedding.mode == mode,
            FaceEmbedding.model == model,
            FaceEmbedding.session_id != excluding,
        )
        return (await self.session.scalars(statement)).all()

    async def delete_for_session(self, session_id: uuid.UUID) -> int:
        result = await self.session.execute(
            delete(FaceEmbedding).where(FaceEmbedding.session_id == session_id)
        )
        return int(getattr(result, "rowcount", 0) or 0)
