"""A worker that starts takes back the leases its host's dead workers held, at once: after
``kill -9`` the next decision no longer waits for the lease to lapse (issue 21, item 9)."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time

import pytest
from sqlalchemy import select

from openkyc.config import Settings
from openkyc.db.session import unit_of_work
from openkyc.state import AppState
from openkyc.verifications.owners import owner_is_dead_here, this_host_owner_prefix
from openkyc.webhooks.models import WebhookDelivery
from tests.support import MerchantInfo
from tests.verifications.factories import capture, load_session, new_session, runs_of, submit
from tests.webhooks.receiver import Receiver
from tests.worker.processes import WorkerProcess
from tests.worker.test_faults import decided_count, eventually, register


@pytest.fixture
def settings(settings: Settings) -> Settings:
    # Leases far longer than the test: only the reclaim can make it pass in time, and the
    # sweep runs often so it is not what is waited for.
    return settings.model_copy(
        update={"verification_lease_s": 600.0, "webhook_timeout_s": 30.0, "sweep_grace_s": 0.5}
    )


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_an_owner_is_dead_only_if_its_process_is_gone_from_this_host() -> None:
    prefix = this_host_owner_prefix()
    assert owner_is_dead_here(f"{prefix}{_dead_pid()}:1")
    assert not owner_is_dead_here(f"{prefix}{os.getpid()}:1")  # ourselves
    assert not owner_is_dead_here(f"{prefix}1:1")  # exists (init), whoever owns it
    assert not owner_is_dead_here(f"another-host.example:{_dead_pid()}:1")
    assert not owner_is_dead_here(f"{prefix}\u00b2:1")
    assert not owner_is_dead_here("garbage")


async def test_a_killed_verification_is_decided_without_waiting_for_its_lease(
    state: AppState, settings: Settings, merchant: MerchantInfo, receiver: Receiver
) -> None:
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
        await asyncio.sleep(0.5)
    finally:
        worker.kill()
    killed_at = time.monotonic()

    with WorkerProcess(settings):

        async def approved() -> bool:
            return (await load_session(state, session_id)).status == "APPROVED"

        await eventually(approved, timeout_s=30)
        recovered_s = time.monotonic() - killed_at
        receiver.wait_for(1, timeout_s=15)
    assert recovered_s < 60  # the lease alone would have kept it for 600 s
    (run,) = await runs_of(state, session_id)
    assert run.claims == 2
    assert await decided_count(state, session_id) == 1


async def test_a_killed_delivery_is_sent_again_without_waiting_for_its_lease(
    state: AppState, settings: Settings, merchant: MerchantInfo, receiver: Receiver
) -> None:
    receiver.respond((200, "slow", 120.0), (200, "ok", 0.0))  # the first answer never comes
    await register(state, merchant, receiver.url)
    session_id = await new_session(state, merchant.id)
    await capture(state, session_id)

    worker = WorkerProcess(settings).start()
    try:
        await submit(state, session_id)
        # Generous: a worker's start and first delivery are slow on a loaded 2-core machine.
        (first,) = await asyncio.to_thread(receiver.wait_for, 1, 45)
    finally:
        worker.kill()

    with WorkerProcess(settings):
        # The lease was 2 x 30 s + 1 s; the second request comes before that.
        requests = await asyncio.to_thread(receiver.wait_for, 2, 50)

        async def delivered() -> bool:
            async with unit_of_work(state.sessionmaker) as db:
                row = (await db.scalars(select(WebhookDelivery))).one()
            return row.status == "delivered"

        await eventually(delivered)
    assert requests[1].json()["id"] == first.json()["id"]
