"""The overview's figures: sessions per day by status, approval rate, decline reasons, time
to decision and time in the review queue, overall and per merchant, over the last N days.

Aggregated by the database where it can (per day and status); the rest from the decided
sessions of the window, which a dashboard window keeps small.
"""

from __future__ import annotations

import statistics
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from openkyc.db.base import utcnow
from openkyc.merchants.repository import MerchantRepository
from openkyc.reviews.repository import QueueRepository, StatsRepository
from openkyc.sessions.models import SessionStatus

STATUSES = tuple(status.value for status in SessionStatus)
MAX_DAYS = 366


@dataclass(slots=True)
class Figures:
    """One merchant's figures, or everyone's."""

    created: int = 0
    approved: int = 0
    declined: int = 0
    decision_seconds: list[float] = field(default_factory=list)
    queue_seconds: list[float] = field(default_factory=list)
    reasons: Counter[str] = field(default_factory=Counter)

    @property
    def approval_rate(self) -> float | None:
        decided = self.approved + self.declined
        return self.approved / decided if decided else None

    @property
    def median_decision_s(self) -> float | None:
        return statistics.median(self.decision_seconds) if self.decision_seconds else None

    @property
    def median_queue_s(self) -> float | None:
        return statistics.median(self.queue_seconds) if self.queue_seconds else None

    @property
    def p90_queue_s(self) -> float | None:
        if len(self.queue_seconds) < 2:
            return self.median_queue_s
        return statistics.quantiles(self.queue_seconds, n=10)[-1]


@dataclass(frozen=True, slots=True)
class Overview:
    days: list[date]
    # day -> status -> count
    per_day: dict[date, dict[str, int]]
    overall: Figures
    merchants: list[tuple[uuid.UUID, str, Figures]]
    waiting_now: int
    oldest_waiting_s: float | None


class OverviewService:
    def __init__(self, db: AsyncSession) -> None:
        self.stats = StatsRepository(db)
        self.queue = QueueRepository(db)
        self.merchants = MerchantRepository(db)

    async def build(
        self,
        *,
        days: int,
        scope: frozenset[uuid.UUID] | None,
        merchant_id: uuid.UUID | None = None,
        now: datetime | None = None,
    ) -> Overview:
        now = now or utcnow()
        days = max(1, min(days, MAX_DAYS))
        first = (now - timedelta(days=days - 1)).date()
        since = datetime(first.year, first.month, first.day, tzinfo=now.tzinfo)
        merchant_ids = scope
        if merchant_id is not None:
            merchant_ids = (
                frozenset({merchant_id}) if scope is None else scope & frozenset({merchant_id})
            )
        overall = Figures()
        per_merchant: dict[uuid.UUID, Figures] = defaultdict(Figures)
        per_day: dict[date, dict[str, int]] = {
            first + timedelta(days=offset): dict.fromkeys(STATUSES, 0) for offset in range(days)
        }
        for day_value, merchant, status, count in await self.stats.per_day(
            since, now, merchant_ids
        ):
            day = date.fromisoformat(str(day_value)[:10])
            if day in per_day and status in per_day[day]:
                per_day[day][status] += int(count)
            overall.created += int(count)
            per_merchant[merchant].created += int(count)
        for merchant, status, submitted, decided, reasons in await self.stats.decided(
            since, merchant_ids
        ):
            for figures in (overall, per_merchant[merchant]):
                if status == SessionStatus.APPROVED.value:
                    figures.approved += 1
                elif status == SessionStatus.DECLINED.value:
                    figures.declined += 1
                    figures.reasons.update(reasons or ())
                if submitted is not None and decided is not None:
                    figures.decision_seconds.append((decided - submitted).total_seconds())
        for merchant, waited_from, decided in await self.stats.reviewed(since, merchant_ids):
            if waited_from is None:
                continue
            seconds = (decided - waited_from).total_seconds()
            overall.queue_seconds.append(seconds)
            per_merchant[merchant].queue_seconds.append(seconds)
        waiting = await self.queue.waiting(merchant_ids, limit=1000, offset=0)
        oldest = waiting[0][0].finished_at if waiting else None
        names = {m.id: m.name for m in await self.merchants.list_all()}
        merchants = sorted(
            ((mid, names.get(mid, str(mid)), figures) for mid, figures in per_merchant.items()),
            key=lambda row: row[1].lower(),
        )
        return Overview(
            days=sorted(per_day),
            per_day=per_day,
            overall=overall,
            merchants=merchants,
            waiting_now=len(waiting),
            oldest_waiting_s=(now - oldest).total_seconds() if oldest else None,
        )
