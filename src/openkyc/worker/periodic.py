"""The sweep: expire sessions and re-enqueue work whose job was lost.

The database is the source of truth; the queue is only a wake-up call. Anything due whose
job did not run (a crash between commit and enqueue, a worker killed mid-job, a Redis flush)
is found here and enqueued again. Duplicates are harmless: every job claims its row first.
Several sweeps (one per worker machine) may run at once; SKIP LOCKED shares the rows.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass
from datetime import timedelta

from openkyc.db.base import utcnow
from openkyc.db.session import unit_of_work
from openkyc.media.service import MediaService
from openkyc.observability.metrics import SESSIONS_EXPIRED
from openkyc.retention.service import RetentionReport, RetentionService
from openkyc.sessions.service import SessionService
from openkyc.state import AppState
from openkyc.verifications.repository import RunRepository
from openkyc.webhooks.repository import DeliveryRepository
from openkyc.worker.enqueue import enqueue_after_commit
from openkyc.worker.metrics import JOBS_REQUEUED
from openkyc.worker.names import DELIVER_WEBHOOK, VERIFY_SESSION

logger = logging.getLogger("openkyc.worker")

BATCH = 200
# Stored files without a row are deleted once older than this (an upload commits in seconds).
ORPHAN_AGE_S = 3600.0


@dataclass(frozen=True, slots=True)
class SweepReport:
    expired: int
    runs: int
    deliveries: int


async def expire_sessions(state: AppState) -> int:
    async with unit_of_work(state.sessionmaker) as session:
        service = SessionService(
            session, state.keyring, default_ttl_minutes=state.settings.session_ttl_minutes
        )
        expired = await service.expire_due()
    if expired:
        SESSIONS_EXPIRED.inc(len(expired))
        logger.info("sessions expired", extra={"count": len(expired)})
    return len(expired)


async def requeue_lost(state: AppState) -> tuple[int, int]:
    now = utcnow()
    cutoff = now - timedelta(seconds=state.settings.sweep_grace_s)
    async with unit_of_work(state.sessionmaker) as db:
        runs = await RunRepository(db).lost(now, cutoff, BATCH)
        for run in runs:
            run.enqueued_at = now
            enqueue_after_commit(db, VERIFY_SESSION, run.id)
        deliveries = await DeliveryRepository(db).lost(now, cutoff, BATCH)
        for delivery in deliveries:
            delivery.enqueued_at = now
            enqueue_after_commit(db, DELIVER_WEBHOOK, delivery.id)
        await db.flush()
    if runs or deliveries:
        JOBS_REQUEUED.labels("verification").inc(len(runs))
        JOBS_REQUEUED.labels("webhook").inc(len(deliveries))
        logger.info(
            "re-enqueued lost jobs", extra={"runs": len(runs), "deliveries": len(deliveries)}
        )
    return len(runs), len(deliveries)


async def apply_retention(state: AppState, *, max_batches: int = 50) -> RetentionReport:
    """Delete what is past its retention period, a batch per transaction, so one large
    backlog neither holds locks for long nor loses finished batches to a later failure."""
    media = biometrics = records = 0
    for _ in range(max_batches):
        async with unit_of_work(state.sessionmaker) as db:
            report = await RetentionService(db, state).apply(utcnow(), BATCH)
        media, biometrics, records = (
            media + report.media,
            biometrics + report.biometrics,
            records + report.records,
        )
        if max(report.media, report.biometrics, report.records) < BATCH:
            break
    async with unit_of_work(state.sessionmaker) as db:
        orphans = await MediaService(db, state).delete_orphans(time.time() - ORPHAN_AGE_S)
    total = RetentionReport(media, biometrics, records, orphans)
    if total.total:
        logger.info(
            "retention applied",
            extra={
                "media": media,
                "biometrics": biometrics,
                "records": records,
                "orphans": orphans,
            },
        )
    return total


async def sweep_once(state: AppState) -> SweepReport:
    expired = await expire_sessions(state)
    runs, deliveries = await requeue_lost(state)
    return SweepReport(expired, runs, deliveries)


async def run_periodic_jobs(state: AppState) -> None:
    interval = min(state.settings.sweep_interval_s, state.settings.expiry_sweep_interval_s)
    loop = asyncio.get_running_loop()
    retention_due = loop.time()
    while True:
        try:
            await sweep_once(state)
        except Exception:  # one failed sweep must not stop the next one
            logger.exception("sweep failed")
        if loop.time() >= retention_due:
            retention_due = loop.time() + state.settings.retention_interval_s
            try:
                await apply_retention(state)
            except Exception:
                logger.exception("retention failed")
        await asyncio.sleep(interval)
