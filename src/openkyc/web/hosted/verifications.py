"""The hosted page's view of the verification service (owned by the worker/decision side).

Coded against ``openkyc.verifications.service.VerificationService``; until that module is
present an interim gateway only marks the session submitted, so the page still works and
shows "processing".
"""

from __future__ import annotations

import importlib
import uuid
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from openkyc.db.base import utcnow
from openkyc.flows.errors import FlowClosed
from openkyc.sessions.models import KycSession
from openkyc.state import AppState

PENDING = "pending"
APPROVED = "approved"
DECLINED = "declined"
RETAKE = "retake"
REVIEW = "review"


class OutcomeLike(Protocol):
    @property
    def state(self) -> str: ...
    @property
    def reasons(self) -> tuple[str, ...]: ...
    @property
    def attempts_used(self) -> int: ...
    @property
    def attempts_allowed(self) -> int: ...


@dataclass(frozen=True, slots=True)
class Outcome:
    state: str
    reasons: tuple[str, ...] = ()
    attempts_used: int = 0
    attempts_allowed: int = 3


class VerificationGateway(Protocol):
    async def submit(
        self,
        kyc_session: KycSession,
        *,
        actor_type: str = "customer",
        sandbox_outcome: str | None = None,
    ) -> None: ...

    async def latest_outcome(self, session_id: uuid.UUID) -> OutcomeLike | None: ...


class InterimGateway:
    """Stand-in while the verification service is not installed: nothing decides."""

    def __init__(self, db: AsyncSession) -> None:
        self.db = db

    async def submit(
        self,
        kyc_session: KycSession,
        *,
        actor_type: str = "customer",
        sandbox_outcome: str | None = None,
    ) -> None:
        if kyc_session.submitted_at is not None:
            raise FlowClosed("This verification was already submitted")
        kyc_session.submitted_at = utcnow()
        await self.db.flush()

    async def latest_outcome(self, session_id: uuid.UUID) -> OutcomeLike | None:
        return None


def verification_gateway(db: AsyncSession, state: AppState) -> VerificationGateway:
    try:
        module = importlib.import_module("openkyc.verifications.service")
    except ModuleNotFoundError as exc:
        if exc.name != "openkyc.verifications.service":
            raise
        return InterimGateway(db)
    gateway: VerificationGateway = module.VerificationService(db, state)
    return gateway
