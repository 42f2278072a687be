"""Job bodies. Each opens its own units of work, loads by id, and never holds a transaction
while the slow part (the pipeline, the HTTP call) runs; the claim makes a duplicate job a
no-op, and the lease lets another worker finish what a killed one started."""

from __future__ import annotations

import asyncio
import logging
import uuid
from datetime import date, timedelta
from typing import TYPE_CHECKING

from openkyc.db.base import utcnow
from openkyc.db.session import unit_of_work
from openkyc.storage.interface import StorageUnavailable
from openkyc.verification.decision import Evidence
from openkyc.verifications.evidence import Extracted, extract
from openkyc.verifications.owners import worker_identity
from openkyc.verifications.service import ClaimedRun, VerificationService
from openkyc.webhooks import delivery
from openkyc.webhooks.service import WebhookService
from openkyc.worker.metrics import VERIFICATIONS_DECIDED, WEBHOOK_ATTEMPTS, WEBHOOK_LATENCY
from openkyc.worker.names import DELIVER_WEBHOOK, VERIFY_SESSION
from openkyc.worker.pipeline_provider import get_pipeline, run_pipeline

if TYPE_CHECKING:
    from openkyc.media.service import CapturedMedia
    from openkyc.state import AppState
    from openkyc.verification.pipeline import VerificationInputs

logger = logging.getLogger("openkyc.worker")


async def verify_session(state: AppState, run_id: str) -> None:
    owner = worker_identity()
    async with unit_of_work(state.sessionmaker) as db:
        claimed = await VerificationService(db, state).claim(uuid.UUID(run_id), owner)
    if claimed is None:
        return
    try:
        extracted = await _analyse(state, claimed)
        async with unit_of_work(state.sessionmaker) as db:
            outcome = await VerificationService(db, state).complete(claimed, extracted)
    except StorageUnavailable:
        # Not the run's fault: hand it back uncounted; the sweep enqueues it again later.
        logger.warning("verification returned: storage unavailable", extra={"run": run_id})
        async with unit_of_work(state.sessionmaker) as db:
            await VerificationService(db, state).release(claimed, "storage_unavailable")
        return
    except Exception as exc:
        # Only the exception type: a message could quote document text. A run that keeps
        # failing (a crashing model, a malformed merchant policy) ends with an operator.
        logger.error("verification failed", extra={"run": run_id, "error": type(exc).__name__})
        async with unit_of_work(state.sessionmaker) as db:
            await VerificationService(db, state).give_up(claimed, type(exc).__name__)
        return
    if outcome is not None:
        VERIFICATIONS_DECIDED.labels(outcome).inc()
    logger.info("verification decided", extra={"run": run_id, "outcome": outcome})


async def _analyse(state: AppState, claimed: ClaimedRun) -> Extracted | None:
    from openkyc.media.errors import MediaErased, MediaMissing
    from openkyc.media.service import MediaService

    today = utcnow().date()
    try:
        async with unit_of_work(state.sessionmaker) as db:
            media = await MediaService(db, state).load_inputs(claimed.session_id)
    except (MediaMissing, MediaErased):
        if claimed.forced_outcome is not None:
            return None  # sandbox: the forced outcome needs no capture
        return _nothing_captured(today)
    inputs = _inputs(media, today)
    pipeline = get_pipeline(state.settings)
    # The models block: run them off the loop so this worker's loop stays responsive.
    result = await asyncio.to_thread(run_pipeline, pipeline, inputs)
    # One selfie frame is an uploaded photo (the page's recording sends a burst).
    return extract(result, today=today, live_capture=len(inputs.selfie_frames) > 1)


def _nothing_captured(today: date) -> Extracted:
    return Extracted(
        evidence=Evidence(
            today=today,
            document_found=False,
            mrz_found=False,
            mrz_valid=False,
            document_face_found=False,
            selfie_face_found=False,
            liveness_assessed=False,
        ),
        checks=(),
        identity={},
        face=None,
        timings={},
        pipeline="none",
    )


def _inputs(media: CapturedMedia, today: date) -> VerificationInputs:
    from openkyc.verification.liveness.challenge import Challenge
    from openkyc.verification.pipeline import VerificationInputs

    challenge = Challenge.from_json(media.challenge_json) if media.challenge_json else None
    return VerificationInputs(
        document_front=media.document_front,
        document_back=media.document_back,
        selfie_frames=tuple(media.selfie_frames),
        frame_times_ms=tuple(media.frame_times_ms) if media.frame_times_ms else None,
        challenge=challenge,
        today=today,
    )


async def deliver_webhook(state: AppState, delivery_id: str) -> None:
    settings = state.settings
    owner = worker_identity()
    # Long enough for one attempt to time out; a killed worker's delivery is retried after it.
    lease = timedelta(seconds=settings.webhook_timeout_s * 2 + 1)
    async with unit_of_work(state.sessionmaker) as db:
        request = await WebhookService(db, state.keyring).claim(
            uuid.UUID(delivery_id), owner, lease, settings.public_url
        )
    if request is None:
        return
    result = await delivery.send(
        request,
        production=settings.is_production,
        timeout_s=settings.webhook_timeout_s,
        user_agent=settings.webhook_user_agent,
    )
    async with unit_of_work(state.sessionmaker) as db:
        status = await WebhookService(db, state.keyring).finish(
            request,
            owner,
            result,
            backoff_s=delivery.backoff_seconds(settings.webhook_backoff_s, request.retry_count + 1),
            give_up_after=timedelta(seconds=settings.webhook_give_up_after_s),
            disable_after=timedelta(seconds=settings.webhook_disable_after_s),
        )
    WEBHOOK_ATTEMPTS.labels(status or "lease_lost").inc()
    WEBHOOK_LATENCY.observe(result.latency_ms / 1000)
    logger.info(
        "webhook attempt",
        extra={"delivery": delivery_id, "status_code": result.status_code, "result": status},
    )


JOBS = {VERIFY_SESSION: verify_session, DELIVER_WEBHOOK: deliver_webhook}
