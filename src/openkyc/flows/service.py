"""The customer's progress through the hosted page.

The page is reached through the session's unguessable id *and* a page token held in an
HttpOnly cookie: the first browser to open the link receives it. Only SHA-256 hashes of
tokens are stored. A second browser may take the flow over before submission (the first one
then loses access); a desktop may hand the flow to a phone through a one-time QR token, and
both devices keep access so the desktop can follow the phone's progress.
"""

from __future__ import annotations

import hashlib
import hmac
import random
import secrets
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from openkyc.audit.service import AuditService
from openkyc.db.base import utcnow
from openkyc.flows.documents import DocumentOption, allowed_options, option_for
from openkyc.flows.errors import DocumentNotAllowed, FlowStepConflict, HandoffInvalid
from openkyc.flows.models import FlowStep, HostedFlow
from openkyc.flows.repository import FlowRepository
from openkyc.sessions.models import KycSession, SessionStatus
from openkyc.sessions.presenters import effective_status
from openkyc.sessions.service import SessionService

# Reason-code prefixes a selfie retake fixes; anything else restarts at the document.
_SELFIE_REASONS = ("selfie", "face", "liveness", "no_face")
_CAPTURE_STEPS = (FlowStep.CAPTURE_FRONT, FlowStep.CAPTURE_BACK, FlowStep.SELFIE)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> str:
    return secrets.token_urlsafe(32)


@dataclass(frozen=True, slots=True)
class Opened:
    flow: HostedFlow
    # Set when this visit created the flow: the cookie to hand to the browser.
    issued_token: str | None
    authorised: bool


@dataclass(frozen=True, slots=True)
class Consent:
    version: str
    text_hash: str
    ip: str | None
    user_agent: str | None


class FlowService:
    def __init__(self, db: AsyncSession, sessions: SessionService) -> None:
        self.db = db
        self.flows = FlowRepository(db)
        self.sessions = sessions
        self.audit = AuditService(db)

    async def open(self, kyc_session: KycSession, token: str | None) -> Opened:
        """The customer opened the link: create the flow on the first visit, and move the
        session NOT_STARTED -> IN_PROGRESS (which fires the merchant's events)."""
        flow = await self.flows.get_for_update(kyc_session.id)
        if flow is not None:
            if self.token_matches(flow, token):
                return Opened(flow, None, True)
            if flow.step == FlowStep.CONSENT.value and flow.handoff_device_token_hash is None:
                # Nothing was done yet: link previews (messengers fetch links) and a browser
                # switch must not lock the customer out, so a new browser simply takes over.
                issued = new_token()
                flow.token_hash = hash_token(issued)
                await self.db.flush()
                return Opened(flow, issued, True)
            return Opened(flow, None, False)
        issued = new_token()
        flow = HostedFlow(session_id=kyc_session.id, token_hash=hash_token(issued))
        try:
            async with self.db.begin_nested():
                await self.flows.add(flow)
        except IntegrityError:
            # Two first visits at once (a double tap): the other request created the flow.
            existing = await self.flows.get_for_update(kyc_session.id)
            if existing is None:
                raise
            return Opened(existing, None, self.token_matches(existing, token))
        if effective_status(kyc_session, utcnow()) is SessionStatus.NOT_STARTED:
            await self.sessions.transition(
                kyc_session, SessionStatus.IN_PROGRESS, actor_type="customer"
            )
        return Opened(flow, issued, True)

    async def locked(self, session_id: uuid.UUID) -> HostedFlow | None:
        return await self.flows.get_for_update(session_id)

    async def get(self, session_id: uuid.UUID) -> HostedFlow | None:
        return await self.flows.get_for_session(session_id)

    @staticmethod
    def token_matches(flow: HostedFlow, token: str | None) -> bool:
        if not token:
            return False
        presented = hash_token(token)
        return any(
            stored is not None and hmac.compare_digest(presented, stored)
            for stored in (flow.token_hash, flow.handoff_device_token_hash)
        )

    async def take_over(self, flow: HostedFlow) -> str:
        """This browser becomes the flow's only device; every other one loses access."""
        token = new_token()
        flow.token_hash = hash_token(token)
        flow.handoff_device_token_hash = None
        flow.handoff_token_hash = None
        await self._save(flow, "flow.taken_over")
        return token

    async def give_consent(self, flow: HostedFlow, consent: Consent) -> None:
        self._require(flow, FlowStep.CONSENT)
        flow.consent_version = consent.version
        flow.consent_hash = consent.text_hash
        flow.consented_at = utcnow()
        flow.consent_ip = (consent.ip or "")[:64] or None
        flow.consent_user_agent = (consent.user_agent or "")[:512] or None
        flow.step = FlowStep.DOCUMENT.value
        await self._save(flow, "flow.consent_given", {"version": consent.version})

    async def choose_document(
        self, flow: HostedFlow, kind: str, policy: Mapping[str, Any]
    ) -> DocumentOption:
        self._require(flow, FlowStep.DOCUMENT, *_CAPTURE_STEPS, FlowStep.REVIEW)
        option = option_for(kind)
        if option is None or option not in allowed_options(policy):
            raise DocumentNotAllowed()
        flow.document_kind = option.kind
        flow.country = option.country
        flow.step = FlowStep.CAPTURE_FRONT.value
        flow.last_findings = None
        await self._save(flow, "flow.document_chosen", {"kind": option.kind})
        return option

    def count_upload(self, flow: HostedFlow, files: int, *, limit: int) -> bool:
        """Whether ``files`` more uploads fit the session's allowance (counted either way)."""
        flow.uploads_total += files
        return flow.uploads_total <= limit

    async def capture_rejected(self, flow: HostedFlow, findings: Sequence[str]) -> None:
        flow.capture_checks += 1
        flow.last_findings = list(findings)
        await self._save(flow, "flow.capture_rejected", {"findings": list(findings)})

    async def capture_accepted(
        self, flow: HostedFlow, side: str, findings: Sequence[str] = ()
    ) -> None:
        option = option_for(flow.document_kind)
        if side == "front":
            self._require(flow, FlowStep.CAPTURE_FRONT)
            needs_back = option is not None and option.sides == 2
            flow.step = (FlowStep.CAPTURE_BACK if needs_back else FlowStep.SELFIE).value
        else:
            self._require(flow, FlowStep.CAPTURE_BACK)
            flow.step = FlowStep.SELFIE.value
        flow.capture_checks = 0
        flow.last_findings = None
        await self._save(flow, "flow.capture_accepted", {"side": side, "findings": list(findings)})

    def challenge(self, flow: HostedFlow, rng: random.Random | None = None) -> str:
        """The liveness challenge for this attempt, issued once and kept across reloads."""
        if flow.challenge_json is None:
            from openkyc.verification.liveness.challenge import issue_challenge

            flow.challenge_json = issue_challenge(rng or random.SystemRandom()).to_json()
        return flow.challenge_json

    @staticmethod
    def may_refuse_selfie(flow: HostedFlow) -> bool:
        return flow.selfie_refused_attempt != flow.attempt

    async def selfie_refused(self, flow: HostedFlow, findings: Sequence[str]) -> str:
        """The instant check missed the head movements: the next recording gets a fresh
        challenge (returned), so that a refusal is never a second try at the same order."""
        self._require(flow, FlowStep.SELFIE)
        flow.selfie_refused_attempt = flow.attempt
        flow.last_findings = list(findings)
        flow.challenge_json = None
        fresh = self.challenge(flow)
        await self._save(flow, "flow.selfie_refused", {"findings": list(findings)})
        return fresh

    async def selfie_accepted(self, flow: HostedFlow, frames: int) -> None:
        self._require(flow, FlowStep.SELFIE)
        flow.selfie_uploads += 1
        flow.step = FlowStep.REVIEW.value
        flow.last_findings = None
        await self._save(flow, "flow.selfie_captured", {"frames": frames})

    async def go_back(self, flow: HostedFlow, to: str) -> None:
        """Before submission the customer may redo any earlier step."""
        target = FlowStep(to) if to in FlowStep._value2member_map_ else None
        order = list(FlowStep)
        current = FlowStep(flow.step)
        if (
            target is None
            or current is FlowStep.PROCESSING
            or target in (FlowStep.CONSENT, FlowStep.PROCESSING, FlowStep.REVIEW)
            or order.index(target) >= order.index(current)
        ):
            raise FlowStepConflict()
        if target is FlowStep.CAPTURE_BACK and (option_for(flow.document_kind) or _NO).sides < 2:
            raise FlowStepConflict()
        flow.step = target.value
        flow.last_findings = None
        flow.capture_checks = 0
        await self._save(flow, "flow.went_back", {"to": target.value})

    async def submitted(self, flow: HostedFlow) -> None:
        self._require(flow, FlowStep.REVIEW)
        flow.step = FlowStep.PROCESSING.value
        await self._save(flow, "flow.submitted", {"attempt": flow.attempt})

    async def start_retake(self, flow: HostedFlow, reasons: Iterable[str]) -> None:
        """A fixable decline: a new attempt, from the selfie when only the selfie failed."""
        self._require(flow, FlowStep.PROCESSING)
        codes = [code.lower() for code in reasons]
        selfie_only = bool(codes) and all(code.startswith(_SELFIE_REASONS) for code in codes)
        flow.attempt += 1
        flow.challenge_json = None
        flow.capture_checks = 0
        flow.last_findings = None
        flow.step = (FlowStep.SELFIE if selfie_only else FlowStep.CAPTURE_FRONT).value
        await self._save(flow, "flow.retake_started", {"attempt": flow.attempt})

    async def create_handoff(self, flow: HostedFlow, ttl: timedelta) -> str:
        token = new_token()
        flow.handoff_token_hash = hash_token(token)
        flow.handoff_expires_at = utcnow() + ttl
        await self._save(flow, "flow.handoff_created")
        return token

    async def redeem_handoff(self, session_id: uuid.UUID, token: str) -> str:
        """Spend a QR token once; the phone gets its own page token."""
        flow = await self.flows.get_for_update(session_id)
        now = utcnow()
        if (
            flow is None
            or flow.handoff_token_hash is None
            or flow.handoff_expires_at is None
            or flow.handoff_expires_at <= now
            or not hmac.compare_digest(flow.handoff_token_hash, hash_token(token))
        ):
            raise HandoffInvalid()
        device_token = new_token()
        flow.handoff_device_token_hash = hash_token(device_token)
        flow.handoff_token_hash = None
        flow.handoff_expires_at = None
        await self._save(flow, "flow.handoff_redeemed")
        return device_token

    @staticmethod
    def _require(flow: HostedFlow, *steps: FlowStep) -> None:
        if FlowStep(flow.step) not in steps:
            raise FlowStepConflict()

    async def _save(
        self, flow: HostedFlow, action: str, data: dict[str, Any] | None = None
    ) -> None:
        flow.updated_at = utcnow()
        await self.db.flush()
        await self.audit.record(
            action=action,
            actor_type="customer",
            subject_type="kyc_session",
            subject_id=str(flow.session_id),
            data=data or {},
        )


_NO = DocumentOption("", "", "", 0)
