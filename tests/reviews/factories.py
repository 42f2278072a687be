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


def jpeg(width: int = 320, height: int = 240, shade: int = 90) -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (width, height), (shade, 140, 200)).save(out, format="JPEG")
    return out.getvalue()


async def captured_in_review(
    state: AppState, merchant_id: str, *, frames: int = 24, back: bool = True, **fields: Any
) -> uuid.UUID:
    """A test session with a document (front and back) and a selfie burst, sent to review
    by the sandbox after the (fake) pipeline analysed it."""
    from tests.verifications.factories import capture_images

    session_id = await new_session(state, merchant_id, mode="test", **fields)
    await capture_images(
        state,
        session_id,
        front=jpeg(640, 420, 10),
        back=jpeg(640, 420, 20) if back else None,
        frames=[jpeg(240, 320, 30 + i) for i in range(frames)],
        times=[i * 120 for i in range(frames)],
        challenge_json='{"steps":["turn_left","turn_right"]}',
    )
    await submit(state, session_id, sandbox="review")
    await drain(state)
    return session_id
