"""The review queue and the decisions people make on it.

Every decision goes through :meth:`VerificationService.review`, the same path as the CLI
and the worker (status change, audit row, webhook). Around it this service keeps who holds a
case, notes, and the four-eyes rule. Each action locks the session row first, so two
reviewers acting at once are serialised and the second sees what the first did: a case is
never decided twice, and a refusal changes nothing. Services flush; the edge commits.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from openkyc.audit.service import AuditService
from openkyc.db.base import utcnow
from openkyc.merchants.repository import MerchantRepository
from openkyc.reviews.errors import (
    CaseNotFound,
    CaseNotTaken,
    CaseTaken,
    InvalidNote,
    MayNotDecide,
    NoProposal,
    ProposalPending,
    SameReviewer,
)
from openkyc.reviews.models import CaseAssignment, CaseNote, DecisionProposal
from openkyc.reviews.repository import (
    AssignmentRepository,
    NoteRepository,
    ProposalRepository,
    QueueRepository,
)
from openkyc.reviews.schemas import DecisionResult, QueueItem, Reviewer, Score
from openkyc.sessions.models import KycSession
from openkyc.sessions.repository import SessionRepository
from openkyc.state import AppState
from openkyc.verifications.errors import NotAwaitingReview
from openkyc.verifications.models import RunOutcome, RunStatus, VerificationRun
from openkyc.verifications.policy import requires_four_eyes
from openkyc.verifications.repository import RunRepository
from openkyc.verifications.service import VerificationService, validate_review

NOTE_MAX = 1000
# The checks whose scores the queue shows beside each case.
KEY_CHECKS = ("face_match", "liveness", "document")


class ReviewService:
    def __init__(self, db: AsyncSession, state: AppState) -> None:
        self.db = db
        self.state = state
        self.verifications = VerificationService(db, state)
        self.queue_rows = QueueRepository(db)
        self.assignments = AssignmentRepository(db)
        self.notes = NoteRepository(db)
        self.proposals = ProposalRepository(db)
        self.sessions = SessionRepository(db)
        self.runs = RunRepository(db)
        self.merchants = MerchantRepository(db)
        self.audit = AuditService(db)

    # --- reading ---------------------------------------------------------------------------

    async def queue(
        self, reviewer: Reviewer, *, limit: int = 100, offset: int = 0
    ) -> list[QueueItem]:
        """Sessions waiting for a person that the reviewer may see, oldest first."""
        rows = await self.queue_rows.waiting(reviewer.merchant_ids, limit=limit, offset=offset)
        checks = await self.queue_rows.checks_of([row[0].id for row in rows])
        scores: dict[uuid.UUID, dict[str, Score]] = {}
        for check in checks:
            if check.name in KEY_CHECKS:
                scores.setdefault(check.run_id, {})[check.name] = Score(
                    check.score, check.threshold, check.passed
                )
        items = []
        for run, kyc_session, merchant_name, assignment, proposal in rows:
            items.append(
                QueueItem(
                    session_id=kyc_session.id,
                    merchant_id=kyc_session.merchant_id,
                    merchant_name=merchant_name,
                    mode=kyc_session.mode,
                    attempt=run.attempt,
                    reasons=tuple(run.reasons or ()),
                    waiting_since=run.finished_at or run.created_at,
                    scores=scores.get(run.id, {}),
                    taken_by=assignment.actor_label if assignment else None,
                    taken_by_id=assignment.actor_id if assignment else None,
                    proposed=proposal.decision if proposal else None,
                    proposed_by=proposal.actor_label if proposal else None,
                )
            )
        return items

    async def case_session(self, reviewer: Reviewer, session_id: uuid.UUID) -> KycSession:
        """The session, if it exists and the reviewer may see its merchant (404 otherwise)."""
        kyc_session = await self.sessions.get(session_id)
        if kyc_session is None or not reviewer.sees(kyc_session.merchant_id):
            raise CaseNotFound()
        return kyc_session

    async def holder(self, session_id: uuid.UUID) -> CaseAssignment | None:
        return await self.assignments.current(session_id)

    async def pending_proposal(self, session_id: uuid.UUID) -> DecisionProposal | None:
        """The four-eyes proposal waiting on the session's current review, if any."""
        run = await self.runs.latest_for_session(session_id)
        if run is None or not _in_review(run):
            return None
        return await self.proposals.for_run(run.id)

    async def notes_of(self, session_id: uuid.UUID) -> Sequence[CaseNote]:
        return await self.notes.for_session(session_id)

    async def proposals_of(self, session_id: uuid.UUID) -> Sequence[DecisionProposal]:
        return await self.proposals.for_session(session_id)

    async def four_eyes(self, merchant_id: uuid.UUID) -> bool:
        merchant = await self.merchants.get(merchant_id)
        return requires_four_eyes(merchant.policy if merchant is not None else None)

    # --- assignment ------------------------------------------------------------------------

    async def take(self, reviewer: Reviewer, session_id: uuid.UUID) -> CaseAssignment:
        self._may_decide(reviewer)
        kyc_session = await self._locked_case(reviewer, session_id)
        await self._run_in_review(session_id)
        held = await self.assignments.current(session_id)
        if held is not None:
            if held.actor_id == reviewer.actor_id:
                return held
            raise CaseTaken(held.actor_label)
        assignment = CaseAssignment(
            session_id=session_id,
            actor_id=reviewer.actor_id,
            actor_label=reviewer.label,
            assigned_at=utcnow(),
        )
        if not await self.assignments.try_add(assignment):  # pragma: no cover - lock first
            current = await self.assignments.current(session_id)
            raise CaseTaken(current.actor_label if current else "")
        await self._record("case.taken", reviewer, kyc_session)
        return assignment

    async def release(
        self, reviewer: Reviewer, session_id: uuid.UUID, *, force: bool = False
    ) -> None:
        """Give the case back; ``force`` (an administrator) frees another reviewer's case."""
        self._may_decide(reviewer)
        kyc_session = await self._locked_case(reviewer, session_id)
        held = await self.assignments.current(session_id)
        if held is None or (held.actor_id != reviewer.actor_id and not force):
            raise CaseNotTaken()
        await self.assignments.remove(session_id)
        await self._record(
            "case.released", reviewer, kyc_session, {"heldBy": held.actor_id, "forced": force}
        )

    # --- decisions -------------------------------------------------------------------------

    async def decide(
        self,
        reviewer: Reviewer,
        session_id: uuid.UUID,
        decision: str,
        *,
        reasons: Sequence[str] = (),
        note: str | None = None,
    ) -> DecisionResult:
        """Approve, decline or ask for a retake; under four-eyes the first decision is held
        as a proposal until a different reviewer confirms it."""
        self._may_decide(reviewer)
        validate_review(decision, reasons)
        note = _clean_note(note, required=False)
        kyc_session = await self._locked_case(reviewer, session_id)
        run = await self._run_in_review(session_id)
        await self._not_held_by_another(reviewer, session_id)
        if await self.four_eyes(kyc_session.merchant_id):
            proposal = DecisionProposal(
                session_id=session_id,
                run_id=run.id,
                decision=decision,
                reasons=list(reasons),
                note=note,
                actor_id=reviewer.actor_id,
                actor_label=reviewer.label,
            )
            if not await self.proposals.try_add(proposal):
                raise ProposalPending()
            # The proposer steps back so that a second reviewer can take the case.
            await self.assignments.remove(session_id)
            await self._record(
                "case.decision_proposed",
                reviewer,
                kyc_session,
                {"decision": decision, "reasons": list(reasons)},
            )
            return DecisionResult("proposed", decision)
        await self.verifications.review(
            session_id, decision=decision, operator=reviewer.actor_id, reasons=reasons, note=note
        )
        await self.assignments.remove(session_id)
        return DecisionResult("decided", decision)

    async def confirm(self, reviewer: Reviewer, session_id: uuid.UUID) -> DecisionResult:
        """The second reviewer applies a four-eyes proposal made by someone else."""
        self._may_decide(reviewer)
        kyc_session = await self._locked_case(reviewer, session_id)
        run = await self._run_in_review(session_id)
        proposal = await self.proposals.for_run(run.id)
        if proposal is None:
            raise NoProposal()
        if proposal.actor_id == reviewer.actor_id:
            raise SameReviewer()
        await self._not_held_by_another(reviewer, session_id)
        await self.verifications.review(
            session_id,
            decision=proposal.decision,
            operator=reviewer.actor_id,
            reasons=proposal.reasons,
            note=proposal.note,
        )
        await self.assignments.remove(session_id)
        await self._record(
            "case.decision_confirmed",
            reviewer,
            kyc_session,
            {"decision": proposal.decision, "proposedBy": proposal.actor_id},
        )
        return DecisionResult("decided", proposal.decision)

    async def withdraw(self, reviewer: Reviewer, session_id: uuid.UUID) -> None:
        """Drop a pending proposal: its author withdraws it, or a second reviewer disagrees
        (then anyone may propose again)."""
        self._may_decide(reviewer)
        kyc_session = await self._locked_case(reviewer, session_id)
        run = await self._run_in_review(session_id)
        proposal = await self.proposals.for_run(run.id)
        if proposal is None:
            raise NoProposal()
        await self.proposals.remove(proposal)
        await self._record(
            "case.decision_rejected",
            reviewer,
            kyc_session,
            {"decision": proposal.decision, "proposedBy": proposal.actor_id},
        )

    # --- notes -----------------------------------------------------------------------------

    async def add_note(self, reviewer: Reviewer, session_id: uuid.UUID, body: str) -> CaseNote:
        self._may_decide(reviewer)
        text = _clean_note(body, required=True)
        assert text is not None
        kyc_session = await self.case_session(reviewer, session_id)
        note = await self.notes.add(
            CaseNote(
                session_id=session_id,
                actor_id=reviewer.actor_id,
                actor_label=reviewer.label,
                body=text,
            )
        )
        # The audit row names the note, never its text (it may quote personal data).
        await self._record("case.note_added", reviewer, kyc_session, {"note": str(note.id)})
        return note

    # --- shared ----------------------------------------------------------------------------

    @staticmethod
    def _may_decide(reviewer: Reviewer) -> None:
        if not reviewer.can_decide:
            raise MayNotDecide()

    async def _locked_case(self, reviewer: Reviewer, session_id: uuid.UUID) -> KycSession:
        await self.case_session(reviewer, session_id)
        locked = await self.sessions.get_for_update(session_id)
        if locked is None:  # pragma: no cover - it was there a statement ago
            raise CaseNotFound()
        return locked

    async def _run_in_review(self, session_id: uuid.UUID) -> VerificationRun:
        run = await self.runs.latest_for_session(session_id, refresh=True)
        if run is None or not _in_review(run):
            raise NotAwaitingReview()
        return run

    async def _not_held_by_another(self, reviewer: Reviewer, session_id: uuid.UUID) -> None:
        held = await self.assignments.current(session_id)
        if held is not None and held.actor_id != reviewer.actor_id:
            raise CaseTaken(held.actor_label)

    async def _record(
        self,
        action: str,
        reviewer: Reviewer,
        kyc_session: KycSession,
        data: dict[str, object] | None = None,
    ) -> None:
        await self.audit.record(
            action=action,
            actor_type="operator",
            actor_id=reviewer.actor_id,
            merchant_id=kyc_session.merchant_id,
            subject_type="kyc_session",
            subject_id=str(kyc_session.id),
            data=dict(data or {}),
        )


def _in_review(run: VerificationRun) -> bool:
    return run.status == RunStatus.DONE.value and run.outcome == RunOutcome.REVIEW.value


def _clean_note(note: str | None, *, required: bool) -> str | None:
    text = (note or "").strip()
    if "\x00" in text:
        raise InvalidNote({"note": "must not contain NUL characters"})
    if len(text) > NOTE_MAX:
        raise InvalidNote({"note": f"must be at most {NOTE_MAX} characters"})
    if required and not text:
        raise InvalidNote({"note": "must not be empty"})
    return text or None
