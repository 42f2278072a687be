"""SIGTERM on a real `openkyc worker`: a job that finishes within the shutdown timeout is
finished (decided once); one that does not is handed back at once, and the command exits
within the timeout plus a few seconds either way."""

from __future__ import annotations

import asyncio
import signal
import time
import uuid

from openkyc.config import Settings
from openkyc.state import AppState
from tests.support import MerchantInfo
from tests.verifications.factories import capture, load_session, new_session, runs_of, submit
from tests.webhooks.receiver import Receiver
from tests.worker.faults import decided_count, eventually, register
from tests.worker.processes import WorkerProcess


async def _terminate_while_running(
    state: AppState,
    settings: Settings,
    merchant: MerchantInfo,
    pipeline_s: float,
    shutdown_timeout_s: float,
) -> tuple[WorkerProcess, float, uuid.UUID]:
    session_id = await new_session(state, merchant.id)
    await capture(state, session_id, sleep=pipeline_s)
    worker = WorkerProcess(settings, OPENKYC_SHUTDOWN_TIMEOUT_S=str(shutdown_timeout_s)).start()

    async def running() -> bool:
        runs = await runs_of(state, session_id)
        return bool(runs) and runs[0].status == "running"

    await submit(state, session_id)
    try:
        await eventually(running, timeout_s=40)
    except AssertionError:
        worker.stop()
        raise AssertionError(worker.output()) from None
    assert worker.proc is not None
    worker.proc.send_signal(signal.SIGTERM)  # the consumer only, as a container runtime does
    started = time.monotonic()
    await asyncio.to_thread(worker.proc.wait, shutdown_timeout_s + 20)
    return worker, time.monotonic() - started, session_id


async def test_a_job_within_the_timeout_is_finished_before_exit(
    state: AppState, settings: Settings, merchant: MerchantInfo, receiver: Receiver
) -> None:
    await register(state, merchant, receiver.url)
    worker, took_s, session_id = await _terminate_while_running(
        state, settings, merchant, pipeline_s=2.0, shutdown_timeout_s=15
    )
    worker.stop()
    assert took_s < 15
    assert (await load_session(state, session_id)).status == "APPROVED"
    (run,) = await runs_of(state, session_id)
    assert (run.status, run.claims) == ("done", 1)
    assert await decided_count(state, session_id) == 1


async def test_a_job_past_the_timeout_is_handed_back_and_the_worker_exits(
    state: AppState, settings: Settings, merchant: MerchantInfo
) -> None:
    worker, took_s, session_id = await _terminate_while_running(
        state, settings, merchant, pipeline_s=60.0, shutdown_timeout_s=1.5
    )
    worker.stop()
    # Far below the 60 s job: the worker did not wait for it (slack for a loaded machine).
    assert took_s < 1.5 + 25, worker.output()
    (run,) = await runs_of(state, session_id)
    assert (run.status, run.lease_owner, run.claims, run.error) == (
        "pending",
        None,
        0,
        "worker_shutdown",
    ), worker.output()
    assert (await load_session(state, session_id)).status == "IN_PROGRESS"
