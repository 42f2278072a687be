from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator

import pytest

from openkyc.config import Settings
from openkyc.state import AppState
from tests.support import MerchantInfo
from tests.verifications.factories import SCRIPTED, capture, new_session, runs_of, submit
from tests.webhooks.receiver import Received, Receiver
from tests.worker.faults import KillDuringDelivery, eventually, register
from tests.worker.processes import WorkerProcess


@pytest.fixture
def settings(settings: Settings) -> Settings:
    # Short leases and sweeps: a killed worker's job is taken over within seconds.
    return settings.model_copy(
        update={
            "pipeline": SCRIPTED,
            "verification_lease_s": 2.0,
            "sweep_interval_s": 0.5,
            "sweep_grace_s": 1.0,
            "webhook_timeout_s": 2.0,
            "webhook_backoff_s": "0.2",
        }
    )


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with Receiver() as running:
        yield running


@pytest.fixture
async def killed_verification(
    state: AppState, settings: Settings, merchant: MerchantInfo, receiver: Receiver
) -> uuid.UUID:
    """A session (its webhook at ``receiver``) whose verification a worker had claimed and was
    running (the pipeline takes 2.5 s) when the worker was killed with SIGKILL."""
    await register(state, merchant, receiver.url)
    session_id = await new_session(state, merchant.id)
    await capture(state, session_id, sleep=2.5)

    async def running() -> bool:
        runs = await runs_of(state, session_id)
        return bool(runs) and runs[0].status == "running"

    worker = WorkerProcess(settings).start()
    try:
        await submit(state, session_id)
        await eventually(running)
        await asyncio.sleep(0.5)  # well inside the pipeline
    finally:
        worker.kill()
    return session_id


@pytest.fixture
def kill_during_delivery(
    state: AppState, settings: Settings, merchant: MerchantInfo, receiver: Receiver
) -> KillDuringDelivery:
    """Decides a session and kills its worker (SIGKILL) while the first webhook request waits
    ``slow_s`` for its answer; returns the session and that first request, once it came
    (within ``first_within_s``). The receiver answers the next one at once."""

    async def kill(slow_s: float, first_within_s: float) -> tuple[uuid.UUID, Received]:
        receiver.respond((200, "slow", slow_s), (200, "ok", 0.0))
        await register(state, merchant, receiver.url)
        session_id = await new_session(state, merchant.id)
        await capture(state, session_id)
        worker = WorkerProcess(settings).start()
        try:
            await submit(state, session_id)
            (first,) = await asyncio.to_thread(receiver.wait_for, 1, first_within_s)
        finally:
            worker.kill()
        return session_id, first

    return kill
