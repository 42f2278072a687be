"""Everything a reviewer sees about one session, gathered in one place.

:meth:`CaseFileService.load` reads what is not personal data (statuses, runs and every check,
the media list, consent, the timeline); :meth:`CaseFileService.personal` decrypts what is
(contact, identity, the document reading) and :func:`masked` hides it by default. Images are
decrypted one at a time, in memory, for the response that shows them
(:meth:`CaseFileService.image`); nothing decrypted is ever written to disk.
"""

from __future__ import annotations

import io
import json
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from openkyc.audit.service import AuditService
from openkyc.db.base import utcnow
from openkyc.flows.models import HostedFlow
from openkyc.flows.repository import FlowRepository
from openkyc.media.models import MediaKind, MediaObject
from openkyc.media.service import MediaService
from openkyc.merchants.repository import MerchantRepository
from openkyc.operators.service import OperatorService
from openkyc.reviews.errors import CaseNotFound
from openkyc.reviews.models import CaseAssignment, CaseNote, DecisionProposal
from openkyc.reviews.repository import CaseRepository
from openkyc.reviews.schemas import Reviewer
from openkyc.reviews.service import ReviewService
from openkyc.sessions.models import Contact, KycSession
from openkyc.sessions.presenters import effective_status
from openkyc.sessions.service import SessionService
from openkyc.state import AppState
from openkyc.verifications.models import (
    RunOutcome,
    RunStatus,
    VerificationCheck,
    VerificationReview,
    VerificationRun,
    candidate_aad,
)


@dataclass(frozen=True, slots=True)
class RunView:
    run: VerificationRun
    checks: list[VerificationCheck]

    def check(self, name: str) -> VerificationCheck | None:
        return next((check for check in self.checks if check.name == name), None)


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    at: datetime
    kind: str  # audit | webhook
    action: str
    actor_type: str | None = None
    actor_id: str | None = None
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Evidence:
    """The images of the latest attempt, and of earlier ones (kept for comparison)."""

    front: MediaObject | None
    back: MediaObject | None
    frames: list[MediaObject]
    earlier: list[MediaObject]


@dataclass(frozen=True, slots=True)
class CaseFile:
    session: KycSession
    status: str
    merchant_name: str
    runs: list[RunView]
    evidence: Evidence
    best_frame: MediaObject | None
    challenge: list[str]
    duplicates: list[uuid.UUID]
    flow: HostedFlow | None
    timeline: list[TimelineEntry]
    notes: list[CaseNote]
    proposals: list[DecisionProposal]
    reviews: list[VerificationReview]
    holder: CaseAssignment | None
    proposal: DecisionProposal | None
    four_eyes: bool
    retakes_left: int

    @property
    def latest(self) -> RunView | None:
        return self.runs[-1] if self.runs else None

    @property
    def in_review(self) -> bool:
        run = self.latest.run if self.latest else None
        return (
            run is not None
            and run.status == RunStatus.DONE.value
            and run.outcome == RunOutcome.REVIEW.value
        )


@dataclass(frozen=True, slots=True)
class Personal:
    """Decrypted personal data: shown masked unless the reviewer reveals it (audited)."""

    email: str | None
    phone: str | None
    identity: dict[str, Any]
    reading: dict[str, Any]


class CaseFileService:
    def __init__(self, db: AsyncSession, state: AppState) -> None:
        self.db = db
        self.state = state
        self.reviews = ReviewService(db, state)
        self.cases = CaseRepository(db)
        self.flows = FlowRepository(db)
        self.merchants = MerchantRepository(db)
        self.media = MediaService(db, state)
        self.audit = AuditService(db)
        self.operators = OperatorService(db, state)
        self.sessions = SessionService(
            db, state.keyring, default_ttl_minutes=state.settings.session_ttl_minutes
        )

    async def load(self, reviewer: Reviewer, session_id: uuid.UUID) -> CaseFile:
        """The case (404 when missing or outside the reviewer's merchants); the view is
        audited."""
        kyc_session = await self.reviews.case_session(reviewer, session_id)
        merchant = await self.merchants.get(kyc_session.merchant_id)
        runs = await self.cases.runs_of(session_id)
        checks = await self.cases.checks_of([run.id for run in runs])
        views = [RunView(run, [c for c in checks if c.run_id == run.id]) for run in runs]
        objects = list(await self.media.list_for_session(session_id))
        evidence = _evidence(objects)
        latest = views[-1] if views else None
        flow = await self.flows.get_for_session(session_id)
        policy = await self.reviews.verifications.policy_for(kyc_session.merchant_id)
        used = latest.run.attempt if latest else 0
        case = CaseFile(
            session=kyc_session,
            status=effective_status(kyc_session, utcnow()).value,
            merchant_name=merchant.name if merchant else "",
            runs=views,
            evidence=evidence,
            best_frame=_best_frame(latest, evidence.frames),
            challenge=_challenge(flow),
            duplicates=_duplicates(views),
            flow=flow,
            timeline=await self._timeline(session_id),
            notes=list(await self.reviews.notes_of(session_id)),
            proposals=list(await self.reviews.proposals_of(session_id)),
            reviews=list(await self.cases.reviews_of(session_id)),
            holder=await self.reviews.holder(session_id),
            proposal=await self.reviews.pending_proposal(session_id),
            four_eyes=await self.reviews.four_eyes(kyc_session.merchant_id),
            retakes_left=max(0, policy.retakes_allowed + 1 - used),
        )
        await self._record("case.viewed", reviewer, kyc_session)
        return case

    def personal(self, case: CaseFile) -> Personal:
        """The case's personal data, decrypted in memory for one response."""
        contact: Contact = self.sessions.contact_of(case.session)
        identity = self.sessions.verification_of(case.session) or {}
        reading: dict[str, Any] = {}
        run = case.latest.run if case.latest else None
        if run is not None and run.candidate_ciphertext is not None:
            sealed = json.loads(
                self.state.keyring.decrypt(run.candidate_ciphertext, candidate_aad(run.id))
            )
            identity = identity or dict(sealed.get("identity") or {})
            reading = dict(sealed.get("reading") or {})
        return Personal(contact.email, contact.phone, identity, reading)

    async def reveal(self, reviewer: Reviewer, case: CaseFile) -> Personal:
        """Unmasked personal data: one click for the reviewer, one audit row."""
        await self._record("case.personal_data_revealed", reviewer, case.session)
        return self.personal(case)

    async def image(
        self, reviewer: Reviewer, session_id: uuid.UUID, object_id: uuid.UUID
    ) -> tuple[bytes, str]:
        """One image of the case, decrypted in memory (the media service audits the read)."""
        kyc_session = await self.reviews.case_session(reviewer, session_id)
        media_object = await self._object(kyc_session.id, object_id)
        data = await self.media.read(
            media_object, actor_type="operator", actor_id=reviewer.actor_id
        )
        return data, _content_type(data)

    async def portrait(
        self, reviewer: Reviewer, session_id: uuid.UUID, object_id: uuid.UUID
    ) -> tuple[bytes, str]:
        """The face photo cut out of the document image, where the reader located it."""
        data, content_type = await self.image(reviewer, session_id, object_id)
        kyc_session = await self.reviews.case_session(reviewer, session_id)
        box = self._portrait_box(await self.cases.runs_of(kyc_session.id))
        if box is None:
            return data, content_type
        return _crop(data, box), "image/jpeg"

    def _portrait_box(self, runs: list[VerificationRun]) -> list[int] | None:
        run = runs[-1] if runs else None
        if run is None or run.candidate_ciphertext is None:
            return None
        sealed = json.loads(
            self.state.keyring.decrypt(run.candidate_ciphertext, candidate_aad(run.id))
        )
        box = (sealed.get("reading") or {}).get("portraitBox")
        return [int(value) for value in box] if isinstance(box, list) and len(box) == 4 else None

    async def _object(self, session_id: uuid.UUID, object_id: uuid.UUID) -> MediaObject:
        for media_object in await self.media.list_for_session(session_id):
            if media_object.id == object_id:
                return media_object
        raise CaseNotFound("Image not found")

    async def _timeline(self, session_id: uuid.UUID) -> list[TimelineEntry]:
        entries = [
            TimelineEntry(
                at=event.occurred_at,
                kind="audit",
                action=event.action,
                actor_type=event.actor_type,
                actor_id=event.actor_id,
                data=dict(event.data or {}),
            )
            for event in await self.audit.history("kyc_session", str(session_id))
            if event.action not in _QUIET_ACTIONS
        ]
        for delivery, event_name, url, attempts in await self.cases.deliveries_of(session_id):
            for attempt in attempts:
                entries.append(
                    TimelineEntry(
                        at=attempt.attempted_at,
                        kind="webhook",
                        action=event_name,
                        data={
                            "url": url,
                            "status": delivery.status,
                            "statusCode": attempt.status_code,
                            "latencyMs": attempt.latency_ms,
                            "response": (attempt.response_excerpt or "")[:300],
                            "error": attempt.error,
                            "retry": attempt.retry_count,
                        },
                    )
                )
            if not attempts:
                entries.append(
                    TimelineEntry(
                        at=delivery.created_at,
                        kind="webhook",
                        action=event_name,
                        data={"url": url, "status": delivery.status},
                    )
                )
        entries.sort(key=lambda entry: entry.at)
        return entries

    async def _record(self, action: str, reviewer: Reviewer, kyc_session: KycSession) -> None:
        await self.audit.record(
            action=action,
            actor_type="operator",
            actor_id=reviewer.actor_id,
            merchant_id=kyc_session.merchant_id,
            subject_type="kyc_session",
            subject_id=str(kyc_session.id),
        )


# Rows that would drown the timeline: each image shown is one media read.
_QUIET_ACTIONS = frozenset({"media.read", "case.viewed"})


def _evidence(objects: list[MediaObject]) -> Evidence:
    def latest_attempt(kind: str) -> int | None:
        attempts = [obj.attempt for obj in objects if obj.kind == kind]
        return max(attempts) if attempts else None

    front_attempt = latest_attempt(MediaKind.DOCUMENT_FRONT.value)
    frame_attempt = latest_attempt(MediaKind.SELFIE_FRAME.value)

    def pick(kind: str, attempt: int | None) -> MediaObject | None:
        found = [obj for obj in objects if obj.kind == kind and obj.attempt == attempt]
        return found[-1] if found else None

    frames = sorted(
        (
            obj
            for obj in objects
            if obj.kind == MediaKind.SELFIE_FRAME.value and obj.attempt == frame_attempt
        ),
        key=lambda obj: obj.index,
    )
    front = pick(MediaKind.DOCUMENT_FRONT.value, front_attempt)
    back = pick(MediaKind.DOCUMENT_BACK.value, front_attempt)
    shown = {obj.id for obj in (front, back, *frames) if obj is not None}
    earlier = sorted(
        (obj for obj in objects if obj.id not in shown),
        key=lambda obj: (obj.attempt, obj.kind, obj.index),
    )
    return Evidence(front, back, frames, earlier)


def _best_frame(latest: RunView | None, frames: list[MediaObject]) -> MediaObject | None:
    if not frames:
        return None
    check = latest.check("face_match") if latest else None
    index = (check.detail or {}).get("best_frame") if check is not None else None
    if isinstance(index, int) and 0 <= index < len(frames):
        return frames[index]
    return frames[len(frames) // 2]


def _challenge(flow: HostedFlow | None) -> list[str]:
    if flow is None or not flow.challenge_json:
        return []
    try:
        steps = json.loads(flow.challenge_json).get("steps")
    except (ValueError, AttributeError):
        return []
    return [str(step) for step in steps] if isinstance(steps, list) else []


def _duplicates(runs: list[RunView]) -> list[uuid.UUID]:
    found: list[uuid.UUID] = []
    for view in runs:
        check = view.check("duplicates")
        text = (check.detail or {}).get("sessions") if check is not None else None
        for part in str(text or "").split():
            try:
                found.append(uuid.UUID(part))
            except ValueError:
                continue
    return list(dict.fromkeys(found))


def _content_type(data: bytes) -> str:
    if data.startswith(b"\xff\xd8"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG"):
        return "image/png"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return "application/octet-stream"


def _crop(data: bytes, box: list[int]) -> bytes:
    from PIL import Image

    x, y, width, height = box
    with Image.open(io.BytesIO(data)) as image:
        # A margin around the face, as a person would frame it.
        pad_x, pad_y = width // 4, height // 4
        area = (
            max(0, x - pad_x),
            max(0, y - pad_y),
            min(image.width, x + width + pad_x),
            min(image.height, y + height + pad_y),
        )
        out = io.BytesIO()
        image.crop(area).convert("RGB").save(out, format="JPEG", quality=90)
    return out.getvalue()


def mask(value: object) -> str:
    """Enough to recognise a value, not to read it: the first character and the last two."""
    text = "" if value is None else str(value)
    if not text:
        return ""
    if "@" in text:
        local, _, domain = text.partition("@")
        return f"{local[:1]}•••@{domain}"
    if len(text) <= 3:
        return "•" * len(text)
    return text[:1] + "•" * (len(text) - 3) + text[-2:]
