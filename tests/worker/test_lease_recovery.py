"""A worker that starts takes back the leases its host's dead workers held, at once: after
``kill -9`` the next decision no longer waits for the lease to lapse (issue 21, item 9)."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
import uuid

import pytest

from openkyc.config import Settings
from openkyc.state import AppState
from openkyc.verifications.owners import owner_is_dead_here, this_host_owner_prefix
from tests.verifications.factories import load_session, runs_of
from tests.webhooks.receiver import Receiver
from tests.worker.faults import (
    KillDuringDelivery,
    decided_count,
    eventually,
    the_delivery_is_delivered,
)
from tests.worker.processes import WorkerProcess


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
    state: AppState, settings: Settings, receiver: Receiver, killed_verification: uuid.UUID
) -> None:
    session_id = killed_verification
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
    state: AppState,
    settings: Settings,
    receiver: Receiver,
    kill_during_delivery: KillDuringDelivery,
) -> None:
    # The first answer never comes (the webhook timeout is 30 s). Generous: a worker's start
    # and first delivery are slow on a loaded 2-core machine.
    _, first = await kill_during_delivery(120.0, 45.0)

    with WorkerProcess(settings):
        # The lease was 2 x 30 s + 1 s; the second request comes before that.
        requests = await asyncio.to_thread(receiver.wait_for, 2, 50)
        await eventually(lambda: the_delivery_is_delivered(state))
    assert requests[1].json()["id"] == first.json()["id"]
