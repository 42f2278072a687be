"""Kill -9 the worker in the middle of a verification and of a webhook delivery: after a
restart the session is decided once and the webhook delivered with the same event id."""

from __future__ import annotations

import asyncio
import uuid

from sqlalchemy import func, select

from openkyc.config import Settings
from openkyc.db.session import unit_of_work
from openkyc.state import AppState
from openkyc.verifications.models import VerificationRun
from openkyc.webhooks.models import WebhookDelivery
from tests.verifications.factories import load_session, runs_of
from tests.webhooks.receiver import Receiver
from tests.worker.faults import (
    KillDuringDelivery,
    decided_count,
    eventually,
    the_delivery_is_delivered,
)
from tests.worker.processes import WorkerProcess


async def test_sigkill_in_the_middle_of_a_verification(
    state: AppState, settings: Settings, receiver: Receiver, killed_verification: uuid.UUID
) -> None:
    session_id = killed_verification
    assert (await load_session(state, session_id)).status == "IN_PROGRESS"

    with WorkerProcess(settings):

        async def approved() -> bool:
            return (await load_session(state, session_id)).status == "APPROVED"

        await eventually(approved)
        (request,) = receiver.wait_for(1, timeout_s=15)
    (run,) = await runs_of(state, session_id)
    assert run.claims == 2  # the killed worker's claim, then the survivor's
    assert await decided_count(state, session_id) == 1
    assert request.json()["event"] == "kyc.completed"


async def test_sigkill_in_the_middle_of_a_webhook_delivery(
    state: AppState,
    settings: Settings,
    receiver: Receiver,
    kill_during_delivery: KillDuringDelivery,
) -> None:
    # The first answer never comes (the webhook timeout is 2 s).
    session_id, first = await kill_during_delivery(30.0, 20.0)
    async with unit_of_work(state.sessionmaker) as db:
        delivery = (await db.scalars(select(WebhookDelivery))).one()
    assert (delivery.status, delivery.attempts) == ("pending", 0)

    with WorkerProcess(settings):
        requests = await asyncio.to_thread(receiver.wait_for, 2, 20)
        await eventually(lambda: the_delivery_is_delivered(state))
    assert requests[1].json()["id"] == first.json()["id"]
    assert await decided_count(state, session_id) == 1
    async with unit_of_work(state.sessionmaker) as db:
        assert (await db.scalar(select(func.count()).select_from(VerificationRun))) == 1
