"""What the review queue and its callers exchange (plain data, no ORM objects)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True, slots=True)
class Reviewer:
    """Who acts: an operator of the dashboard, or a name given to the CLI.

    ``merchant_ids`` None sees every merchant; otherwise only those (anything else is
    answered exactly as a missing id).
    """

    actor_id: str
    label: str
    merchant_ids: frozenset[uuid.UUID] | None = None
    can_decide: bool = True

    def sees(self, merchant_id: uuid.UUID) -> bool:
        return self.merchant_ids is None or merchant_id in self.merchant_ids


@dataclass(frozen=True, slots=True)
class Score:
    score: float | None
    threshold: float | None
    passed: bool | None


@dataclass(frozen=True, slots=True)
class QueueItem:
    session_id: uuid.UUID
    merchant_id: uuid.UUID
    merchant_name: str
    mode: str
    attempt: int
    reasons: tuple[str, ...]
    waiting_since: datetime
    scores: dict[str, Score] = field(default_factory=dict)
    taken_by: str | None = None
    taken_by_id: str | None = None
    # Four-eyes: the decision proposed and by whom, while it waits for a second reviewer.
    proposed: str | None = None
    proposed_by: str | None = None


@dataclass(frozen=True, slots=True)
class DecisionResult:
    """``decided`` when the session's status changed; ``proposed`` when the merchant's
    four-eyes policy holds it for a second reviewer."""

    state: str
    decision: str
