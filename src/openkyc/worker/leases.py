"""A worker that starts takes back the leases of its host's dead workers at once.

A lease normally lapses after ``verification_lease_s`` (or twice the webhook timeout), and only
then may another worker finish the job: after ``kill -9`` that wait dominated the time to the
next decision. Owner names carry host and pid, so a starting worker can tell for certain that
a lease's holder on this same host is gone (no such process) and expire the lease now. Leases
held elsewhere, or by a process that still exists, wait as before; a wrong guess could only
repeat work, never decide twice, because the old holder's result is dropped once its lease
is taken (``VerificationService.complete`` reloads the run by owner).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from openkyc.db.base import utcnow
from openkyc.db.session import unit_of_work
from openkyc.verifications.owners import owner_is_dead_here, this_host_owner_prefix
from openkyc.verifications.repository import RunRepository
from openkyc.webhooks.repository import DeliveryRepository
from openkyc.worker.enqueue import enqueue_after_commit
from openkyc.worker.metrics import JOBS_REQUEUED
from openkyc.worker.names import DELIVER_WEBHOOK, VERIFY_SESSION

if TYPE_CHECKING:
    from openkyc.state import AppState

logger = logging.getLogger("openkyc.worker")

BATCH = 500


async def reclaim_from_dead_workers(state: AppState) -> tuple[int, int]:
    """Expire and re-enqueue the runs and deliveries leased by dead workers of this host."""
    now = utcnow()
    prefix = this_host_owner_prefix()
    async with unit_of_work(state.sessionmaker) as db:
        runs = [
            run
            for run in await RunRepository(db).leased_by_owners_starting(prefix, now, BATCH)
            if run.lease_owner and owner_is_dead_here(run.lease_owner)
        ]
        for run in runs:
            run.lease_until = now
            run.enqueued_at = now
            enqueue_after_commit(db, VERIFY_SESSION, run.id)
        deliveries = [
            delivery
            for delivery in await DeliveryRepository(db).leased_by_owners_starting(
                prefix, now, BATCH
            )
            if delivery.lease_owner and owner_is_dead_here(delivery.lease_owner)
        ]
        for delivery in deliveries:
            delivery.lease_until = now
            delivery.enqueued_at = now
            enqueue_after_commit(db, DELIVER_WEBHOOK, delivery.id)
        await db.flush()
    if runs or deliveries:
        JOBS_REQUEUED.labels("verification").inc(len(runs))
        JOBS_REQUEUED.labels("webhook").inc(len(deliveries))
        logger.info(
            "took back the leases of dead workers",
            extra={"runs": len(runs), "deliveries": len(deliveries)},
        )
    return len(runs), len(deliveries)
