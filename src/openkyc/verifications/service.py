"""Submissions, decisions and manual reviews: the one path every verification takes.

The hosted page calls :meth:`VerificationService.submit`; the worker calls :meth:`claim` and
:meth:`complete`; an operator calls :meth:`review`. All of them change the session only
through ``SessionService.transition`` (audit row, webhook event) inside the caller's unit of
work. Services flush; the edge commits.
"""

from __future__ import annotations

import base64
import json
import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from openkyc.audit.service import AuditService
from openkyc.db.base import utcnow
from openkyc.errors import ValidationFailed
from openkyc.merchants.repository import MerchantRepository
from openkyc.sessions import search
from openkyc.sessions.models import KycSession, SessionStatus
from openkyc.sessions.presenters import effective_status
from openkyc.sessions.repository import SessionRepository
from openkyc.sessions.schemas import format_timestamp
from openkyc.sessions.service import SessionService
from openkyc.state import AppState
from openkyc.verification import decision as rules
from openkyc.verification.decision import Decision, DecisionPolicy
from openkyc.verifications.duplicates import FaceRegistry
from openkyc.verifications.errors import (
    AlreadySubmitted,
    InvalidPolicy,
    NoRetakesLeft,
    NotAwaitingReview,
    RunNotFound,
    SessionClosed,
)
from openkyc.verifications.evidence import Extracted, FaceVector
from openkyc.verifications.models import (
    RunOutcome,
    RunStatus,
    VerificationCheck,
    VerificationReview,
    VerificationRun,
    candidate_aad,
)
from openkyc.verifications.policy import DEFAULT_POLICY, parse_policy
from openkyc.verifications.repository import (
    CheckRepository,
    EmbeddingRepository,
    ReviewRepository,
    RunRepository,
)
from openkyc.verifications.simulation import magic_simulation
from openkyc.verifications.synthetic import (
    SANDBOX_REVIEW_FACE,
    sandbox_checks,
    sandbox_identity,
    sandbox_reading,
)
from openkyc.webhooks.service import WebhookService
from openkyc.worker.enqueue import enqueue_after_commit
from openkyc.worker.names import VERIFY_SESSION

logger = logging.getLogger("openkyc.verifications")

SANDBOX_OUTCOMES = ("approve", "decline", "retake", "review")
REVIEW_DECISIONS = (rules.APPROVE, rules.DECLINE, rules.RETAKE)
_REVIEWED_AS = {rules.APPROVE: "approved", rules.DECLINE: "declined", rules.RETAKE: "retake"}
# A run whose worker died this many times is not retried again: an operator looks at it.
MAX_CLAIMS = 4
_OUTCOME_OF = {
    rules.APPROVE: RunOutcome.APPROVED,
    rules.DECLINE: RunOutcome.DECLINED,
    rules.RETAKE: RunOutcome.RETAKE,
    rules.REVIEW: RunOutcome.REVIEW,
}


def validate_review(decision: str, reasons: Sequence[str]) -> None:
    """A reviewer's decision and reason codes (from the API's list), checked before anything
    is recorded."""
    if decision not in REVIEW_DECISIONS:
        raise ValidationFailed({"decision": "must be approve, decline or retake"})
    unknown = [code for code in reasons if code not in rules.DECISION_CODES]
    if unknown:
        raise ValidationFailed({"reasons": f"unknown reason codes: {', '.join(unknown)}"})


@dataclass(frozen=True, slots=True)
class Outcome:
    """What the hosted page shows: ``state`` is pending, approved, declined, retake or review."""

    state: str
    reasons: tuple[str, ...]
    attempts_used: int
    attempts_allowed: int
    hints: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ClaimedRun:
    run_id: uuid.UUID
    session_id: uuid.UUID
    attempt: int
    forced_outcome: str | None
    owner: str


def _return_run(run: VerificationRun, error: str) -> None:
    run.error = error[:200]
    run.status = RunStatus.PENDING.value
    run.lease_owner = None
    run.lease_until = None
    run.claims = max(0, run.claims - 1)


class VerificationService:
    def __init__(self, db: AsyncSession, state: AppState) -> None:
        self.db = db
        self.state = state
        self.runs = RunRepository(db)
        self.checks = CheckRepository(db)
        self.reviews = ReviewRepository(db)
        self.embeddings = EmbeddingRepository(db)
        self.faces = FaceRegistry(self.embeddings, state)
        self.sessions = SessionRepository(db)
        self.merchants = MerchantRepository(db)
        self.audit = AuditService(db)
        self.session_service = SessionService(
            db, state.keyring, default_ttl_minutes=state.settings.session_ttl_minutes
        )

    # --- the customer submits -------------------------------------------------------------

    async def submit(
        self,
        kyc_session: KycSession,
        *,
        actor_type: str = "customer",
        sandbox_outcome: str | None = None,
        sandbox_reasons: Sequence[str] = (),
    ) -> VerificationRun:
        """Submit the captures for a decision (a new run, enqueued after commit).

        In test mode a sandbox outcome forces the decision (``sandbox_reasons`` the codes of
        a forced decline); without one, a magic ``customerId`` suffix may ask for one
        (``openkyc.verifications.sandbox``)."""
        if sandbox_outcome is not None and sandbox_outcome not in SANDBOX_OUTCOMES:
            raise ValidationFailed({"sandboxOutcome": "must be approve, decline, retake or review"})
        # The row lock serialises a double click and a second device submitting at once.
        locked = await self.sessions.get_for_update(kyc_session.id)
        if locked is None:
            raise SessionClosed()
        kyc_session = locked
        status = effective_status(kyc_session, utcnow())
        if status.is_terminal:
            raise SessionClosed()
        if kyc_session.submitted_at is not None:
            raise AlreadySubmitted()
        policy = await self.policy_for(kyc_session.merchant_id)
        used = await self.runs.count_for_session(kyc_session.id)
        if used >= policy.retakes_allowed + 1:
            raise NoRetakesLeft()
        if status is SessionStatus.NOT_STARTED:
            await self.session_service.transition(
                kyc_session, SessionStatus.IN_PROGRESS, actor_type=actor_type
            )
        forced = sandbox_outcome if kyc_session.mode == "test" else None
        if sandbox_outcome is not None and forced is None:
            logger.warning("sandbox outcome ignored for a live session")
        if forced is None and kyc_session.mode == "test":
            magic = magic_simulation(kyc_session.customer_id)
            if magic is not None:
                forced, sandbox_reasons = magic.outcome, magic.reasons
        now = utcnow()
        kyc_session.submitted_at = now
        try:
            run = await self._add_run(
                kyc_session, used + 1, forced, now, list(sandbox_reasons) if forced else []
            )
        except IntegrityError:
            raise AlreadySubmitted() from None
        await self.audit.record(
            action="verification.submitted",
            actor_type=actor_type,
            merchant_id=kyc_session.merchant_id,
            subject_type="kyc_session",
            subject_id=str(kyc_session.id),
            data={"run": str(run.id), "attempt": run.attempt, "sandbox": forced},
        )
        enqueue_after_commit(self.db, VERIFY_SESSION, run.id)
        return run

    async def _add_run(
        self,
        kyc_session: KycSession,
        attempt: int,
        forced: str | None,
        now: datetime,
        requested_reasons: list[str],
    ) -> VerificationRun:
        return await self.runs.add(
            VerificationRun(
                session_id=kyc_session.id,
                merchant_id=kyc_session.merchant_id,
                attempt=attempt,
                status=RunStatus.PENDING.value,
                forced_outcome=forced,
                enqueued_at=now,
                # A forced run holds the reasons asked for until the decision replaces them.
                reasons=requested_reasons,
                hints=[],
                timings={},
            )
        )

    async def latest_outcome(self, session_id: uuid.UUID) -> Outcome | None:
        run = await self.runs.latest_for_session(session_id)
        if run is None:
            return None
        try:
            policy = await self.policy_for(run.merchant_id)
        except InvalidPolicy:
            # The page still shows where things stand; the run itself waits for an operator.
            policy = DEFAULT_POLICY
        state = "pending" if run.status != RunStatus.DONE.value else (run.outcome or "pending")
        return Outcome(
            state=state,
            reasons=tuple(run.reasons or ()),
            attempts_used=run.attempt,
            attempts_allowed=policy.retakes_allowed + 1,
            hints=tuple(run.hints or ()),
        )

    async def policy_for(self, merchant_id: uuid.UUID) -> DecisionPolicy:
        merchant = await self.merchants.get(merchant_id)
        return parse_policy(merchant.policy if merchant is not None else None)

    # --- the worker decides ---------------------------------------------------------------

    async def claim(self, run_id: uuid.UUID, owner: str) -> ClaimedRun | None:
        """Take the run for this worker, or None if another has it or it is done."""
        now = utcnow()
        lease = timedelta(seconds=self.state.settings.verification_lease_s)
        if not await self.runs.claim(run_id, owner, now, now + lease):
            return None
        run = await self.runs.get_owned(run_id, owner)
        if run is None:  # pragma: no cover - we just claimed it in this transaction
            return None
        return ClaimedRun(run.id, run.session_id, run.attempt, run.forced_outcome, owner)

    async def complete(self, claimed: ClaimedRun, extracted: Extracted | None) -> str | None:
        """Record the checks and apply the decision; None if the lease was lost meanwhile."""
        run = await self.runs.get_owned(claimed.run_id, claimed.owner)
        if run is None:
            logger.warning(
                "verification lease lost; result dropped", extra={"run": str(claimed.run_id)}
            )
            return None
        kyc_session = await self.sessions.get_for_update(run.session_id)
        if kyc_session is None:  # pragma: no cover - the run cascades with its session
            return None
        now = utcnow()
        policy = await self.policy_for(run.merchant_id)
        retakes_used = await self.runs.retakes_before(run.session_id, run.attempt)
        if extracted is None:
            # Sandbox without captures: a synthetic identity, and for a forced review the
            # synthetic checks a reviewer would see, so the queue can be exercised.
            sandbox_review = run.forced_outcome == rules.REVIEW
            face_score = SANDBOX_REVIEW_FACE if sandbox_review else 1.0
            evidence = rules.Evidence(
                today=now.date(),
                document_found=True,
                mrz_found=True,
                mrz_valid=True,
                face_score=face_score,
                liveness_score=1.0,
            )
            candidate = sandbox_identity(face_score)
            if sandbox_review:
                for record in sandbox_checks(policy):
                    record.run_id = run.id
                    await self.checks.add(record)
                run.pipeline = "sandbox"
        else:
            evidence = extracted.evidence
            candidate = dict(extracted.identity)
            if run.forced_outcome and not candidate.get("fullName"):
                candidate = sandbox_identity()
            duplicates = await self.faces.matches(kyc_session, extracted, policy)
            if duplicates:
                evidence = _with_duplicate(evidence)
                # Which sessions the same face was verified under (ids only): a reviewer
                # follows them from the case page.
                await self.checks.add(
                    VerificationCheck(
                        run_id=run.id,
                        name="duplicates",
                        passed=False,
                        reasons=[rules.DUPLICATE_IDENTITY],
                        detail={"sessions": " ".join(duplicates)},
                    )
                )
            for check in extracted.checks:
                await self.checks.add(
                    VerificationCheck(
                        run_id=run.id,
                        name=check.name,
                        passed=check.passed,
                        score=check.score,
                        threshold=check.threshold,
                        reasons=list(check.reasons),
                        model_name=check.model_name,
                        model_version=check.model_version,
                        duration_ms=check.duration_ms,
                        detail=_json_safe(check.detail),
                    )
                )
            run.pipeline = extracted.pipeline
            run.timings = extracted.timings
        result = rules.decide(
            evidence, policy, retakes_used=retakes_used, forced=run.forced_outcome
        )
        if run.forced_outcome == rules.DECLINE and run.reasons:
            result = Decision(rules.DECLINE, tuple(run.reasons))
        # Whatever the outcome, an operator can find the session by its document number.
        search.index_document(self.state.keyring, kyc_session, candidate.get("documentNumber"))
        run.status = RunStatus.DONE.value
        run.finished_at = now
        run.decided_by = claimed.owner
        run.lease_owner = None
        run.lease_until = None
        if effective_status(kyc_session, now).is_terminal:
            # Decided another way meanwhile (a second device, an operator): keep that.
            run.error = "session_closed"
            await self.db.flush()
            return None
        await self._apply(
            run,
            kyc_session,
            result,
            candidate,
            extracted.face if extracted is not None else None,
            actor_type="system",
            actor_id=None,
            reading=extracted.reading if extracted is not None else sandbox_reading(candidate),
        )
        return run.outcome

    async def release(self, claimed: ClaimedRun, error: str) -> None:
        """Hand back a run this worker cannot do now for a reason outside the run (its media
        storage is down): pending again, and this claim does not count towards giving up."""
        run = await self.runs.get_owned(claimed.run_id, claimed.owner)
        if run is not None:
            _return_run(run, error)

    async def release_all(self, owner: str, error: str) -> int:
        """Hand back every run ``owner`` holds (a worker shutting down mid-job), enqueued
        again at once after commit instead of waiting for their leases to lapse."""
        runs = await self.runs.owned_by(owner)
        for run in runs:
            _return_run(run, error)
            run.enqueued_at = utcnow()
            enqueue_after_commit(self.db, VERIFY_SESSION, run.id)
        await self.db.flush()
        return len(runs)

    async def give_up(self, claimed: ClaimedRun, error: str) -> None:
        """The pipeline cannot process this run (it crashed, repeatedly): an operator decides."""
        run = await self.runs.get_owned(claimed.run_id, claimed.owner)
        if run is None:
            return
        run.error = error[:200]
        if run.claims < MAX_CLAIMS:
            # Let the lease lapse: the sweep re-enqueues it and another attempt is made.
            run.status = RunStatus.PENDING.value
            run.lease_owner = None
            run.lease_until = None
            return
        kyc_session = await self.sessions.get_for_update(run.session_id)
        if kyc_session is None:  # pragma: no cover
            return
        run.status = RunStatus.DONE.value
        run.finished_at = utcnow()
        await self._apply(
            run,
            kyc_session,
            Decision(rules.REVIEW, ()),
            {},
            None,
            actor_type="system",
            actor_id=None,
        )

    # --- an operator reviews --------------------------------------------------------------

    async def review_pending_since(
        self, session_ids: Sequence[uuid.UUID]
    ) -> dict[uuid.UUID, datetime]:
        """Which of these sessions wait for a person, and since when (the API's ``review``)."""
        return await self.runs.review_pending_since(session_ids)

    async def awaiting_review(
        self, limit: int = 100
    ) -> Sequence[tuple[VerificationRun, KycSession]]:
        return await self.runs.awaiting_review(limit)

    async def review(
        self,
        session_id: uuid.UUID,
        *,
        decision: str,
        operator: str,
        reasons: Sequence[str] = (),
        note: str | None = None,
    ) -> VerificationRun:
        """An operator's decision on a run waiting for review: ``approve``, ``decline`` (with
        decision codes) or ``retake`` (the customer captures again through the same link).

        The session row is locked before the run is read, so of two operators deciding at
        once the second sees the first one's result and is refused (409), changing nothing.
        """
        validate_review(decision, reasons)
        kyc_session = await self.sessions.get_for_update(session_id)
        if kyc_session is None:
            raise RunNotFound()
        run = await self.runs.latest_for_session(session_id, refresh=True)
        if run is None:
            raise RunNotFound()
        if run.status != RunStatus.DONE.value or run.outcome != RunOutcome.REVIEW.value:
            raise NotAwaitingReview()
        if effective_status(kyc_session, utcnow()).is_terminal:  # pragma: no cover - defensive
            raise NotAwaitingReview()
        if decision == rules.RETAKE:
            policy = await self.policy_for(kyc_session.merchant_id)
            if run.attempt >= policy.retakes_allowed + 1:
                raise NoRetakesLeft()
        candidate: dict[str, Any] = {}
        embedding: FaceVector | None = None
        if run.candidate_ciphertext is not None:
            sealed = json.loads(
                self.state.keyring.decrypt(run.candidate_ciphertext, candidate_aad(run.id))
            )
            candidate = sealed.get("identity", {})
            if sealed.get("embedding") and sealed.get("embedding_model"):
                embedding = FaceVector(
                    base64.b64decode(sealed["embedding"]), sealed["embedding_model"]
                )
        if decision == rules.APPROVE:
            result = Decision(rules.APPROVE, ())
        elif decision == rules.DECLINE:
            codes = tuple(reasons) or tuple(run.reasons) or (rules.FACE_MISMATCH,)
            result = Decision(rules.DECLINE, codes)
        else:
            result = Decision(rules.RETAKE, tuple(reasons) or (rules.POOR_QUALITY,))
        try:
            async with self.db.begin_nested():
                await self.reviews.add(
                    VerificationReview(
                        run_id=run.id,
                        session_id=session_id,
                        operator=operator,
                        decision=_REVIEWED_AS[decision],
                        reasons=list(result.reasons),
                        note=note,
                    )
                )
        except IntegrityError:  # pragma: no cover - the session lock decides races first
            raise NotAwaitingReview() from None
        run.candidate_ciphertext = None
        if decision == rules.RETAKE:
            await self._reopen(kyc_session)
        await self._apply(
            run, kyc_session, result, candidate, embedding, actor_type="operator", actor_id=operator
        )
        return run

    async def _reopen(self, kyc_session: KycSession) -> None:
        """An operator's retake sends the customer back through the same link: the session
        must not have expired meanwhile, so it gets at least a fresh time-to-live."""
        merchant = await self.merchants.get(kyc_session.merchant_id)
        minutes = (merchant.session_ttl_minutes if merchant else None) or (
            self.state.settings.session_ttl_minutes
        )
        kyc_session.expires_at = max(kyc_session.expires_at, utcnow() + timedelta(minutes=minutes))

    # --- shared --------------------------------------------------------------------------

    async def _apply(
        self,
        run: VerificationRun,
        kyc_session: KycSession,
        result: Decision,
        candidate: dict[str, Any],
        embedding: FaceVector | None,
        *,
        actor_type: str,
        actor_id: str | None,
        reading: dict[str, Any] | None = None,
    ) -> None:
        outcome = _OUTCOME_OF[result.outcome]
        run.outcome = outcome.value
        run.reasons = list(result.reasons)
        run.hints = list(result.hints)
        await self.db.flush()
        if outcome is RunOutcome.APPROVED:
            now = utcnow()
            identity = {**candidate, "verifiedAt": format_timestamp(now)}
            self.session_service.seal_verification(kyc_session, identity)
            if embedding:
                await self.faces.remember(kyc_session, identity, embedding)
            await self.session_service.transition(
                kyc_session, SessionStatus.APPROVED, actor_type=actor_type, actor_id=actor_id
            )
        elif outcome is RunOutcome.DECLINED:
            await self.session_service.transition(
                kyc_session,
                SessionStatus.DECLINED,
                actor_type=actor_type,
                actor_id=actor_id,
                reasons=result.reasons,
            )
        elif outcome is RunOutcome.RETAKE:
            # The customer captures again (the session's own deadline applies again).
            kyc_session.submitted_at = None
            kyc_session.updated_at = utcnow()
            await self.db.flush()
        else:
            sealed = {
                "identity": candidate,
                "embedding": base64.b64encode(embedding.vector).decode() if embedding else None,
                "embedding_model": embedding.space if embedding else None,
                # What the reviewer sees field by field; dropped with the rest on decision.
                "reading": reading or {},
            }
            run.candidate_ciphertext = self.state.keyring.encrypt(
                json.dumps(sealed, ensure_ascii=False).encode(), candidate_aad(run.id)
            )
            await self.db.flush()
            # The status stays IN_PROGRESS: this extension event tells the merchant why.
            await WebhookService(self.db, self.state.keyring).record_session_event(
                kyc_session, "kyc.review", None, review_since=run.finished_at or utcnow()
            )
        await self.audit.record(
            action="verification.decided",
            actor_type=actor_type,
            actor_id=actor_id,
            merchant_id=kyc_session.merchant_id,
            subject_type="kyc_session",
            subject_id=str(kyc_session.id),
            data={
                "run": str(run.id),
                "attempt": run.attempt,
                "outcome": outcome.value,
                "reasons": list(result.reasons),
            },
        )


def _with_duplicate(evidence: rules.Evidence) -> rules.Evidence:
    return replace(evidence, duplicate_identity=True)


def _json_safe(detail: dict[str, Any]) -> dict[str, Any]:
    return {
        key: value
        for key, value in detail.items()
        if isinstance(value, str | int | float | bool) or value is None
    }
