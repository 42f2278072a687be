"""Cases in the review queue (sandbox review, no capture) and reviewers acting on them."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from openkyc.db.session import unit_of_work
from openkyc.merchants.models import Merchant
from openkyc.reviews.schemas import Reviewer
from openkyc.reviews.service import ReviewService
from openkyc.state import AppState
from tests.verifications.factories import drain, new_session, submit

T = TypeVar("T")

ALICE = Reviewer(actor_id=str(uuid.uuid4()), label="alice@example.org")
BOB = Reviewer(actor_id=str(uuid.uuid4()), label="bob@example.org")
AUDITOR = Reviewer(actor_id=str(uuid.uuid4()), label="audit@example.org", can_decide=False)


def scoped(reviewer: Reviewer, *merchant_ids: str) -> Reviewer:
    return Reviewer(
        actor_id=reviewer.actor_id,
        label=reviewer.label,
        merchant_ids=frozenset(uuid.UUID(m) for m in merchant_ids),
        can_decide=reviewer.can_decide,
    )


async def in_review(state: AppState, merchant_id: str, **fields: Any) -> uuid.UUID:
    """A test session the sandbox sent straight to manual review."""
    session_id = await new_session(state, merchant_id, mode="test", **fields)
    await submit(state, session_id, sandbox="review")
    await drain(state)
    return session_id


async def reviews(state: AppState, act: Callable[[ReviewService], Awaitable[T]]) -> T:
    """One unit of work, committed unless ``act`` raises (as the edge does)."""
    async with unit_of_work(state.sessionmaker) as db:
        return await act(ReviewService(db, state))


async def set_policy(state: AppState, merchant_id: str, policy: dict[str, Any]) -> None:
    async with unit_of_work(state.sessionmaker) as db:
        found = await db.get(Merchant, uuid.UUID(merchant_id))
        assert found is not None
        found.policy = policy
