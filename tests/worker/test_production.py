"""Production mode: PostgreSQL + Redis, two separate worker commands (as on two machines).
Every job is done once even when it is enqueued twice. Skipped unless both are configured
(OPENKYC_TEST_POSTGRES_URL and OPENKYC_TEST_REDIS_URL)."""

from __future__ import annotations

import asyncio
import os

import pytest
from sqlalchemy import func, select

from openkyc.audit.models import AuditEvent
from openkyc.config import Settings
from openkyc.db.session import unit_of_work
from openkyc.state import AppState
from openkyc.verifications.models import VerificationRun
from openkyc.worker.names import VERIFY_SESSION
from tests.support import MerchantInfo
from tests.verifications.factories import capture, new_session, runs_of, submit
from tests.webhooks.receiver import Receiver
from tests.worker.faults import eventually, register
from tests.worker.processes import WorkerProcess

REDIS_URL = os.environ.get("OPENKYC_TEST_REDIS_URL")
SESSIONS = 12


@pytest.fixture
def settings(settings: Settings, database_url: str) -> Settings:
    if not database_url.startswith("postgresql") or not REDIS_URL:
        pytest.skip("needs OPENKYC_TEST_POSTGRES_URL and OPENKYC_TEST_REDIS_URL")
    return settings.model_copy(update={"redis_url": REDIS_URL})


async def test_two_workers_on_postgres_and_redis_do_each_job_once(
    state: AppState, settings: Settings, merchant: MerchantInfo, receiver: Receiver
) -> None:
    state.queue.huey.flush()
    await register(state, merchant, receiver.url)
    session_ids = []
    for _ in range(SESSIONS):
        session_id = await new_session(state, merchant.id)
        await capture(state, session_id, sleep=0.3)
        session_ids.append(session_id)

    with WorkerProcess(settings) as first, WorkerProcess(settings) as second:
        for session_id in session_ids:
            await submit(state, session_id)
            (run,) = await runs_of(state, session_id)
            state.queue.enqueue(VERIFY_SESSION, str(run.id))  # a duplicate job for each

        async def all_decided() -> bool:
            async with unit_of_work(state.sessionmaker) as db:
                done = await db.scalar(select(func.count()).where(VerificationRun.status == "done"))
            return done == SESSIONS

        await eventually(all_decided, timeout_s=40)
        requests = await asyncio.to_thread(receiver.wait_for, SESSIONS, 20)
        await asyncio.sleep(1.0)  # a duplicate delivery would arrive now
        for worker in (first, second):
            assert worker.proc is not None
            assert worker.proc.poll() is None, worker.output()  # neither crashed

    assert len(receiver.received) == SESSIONS
    assert len({request.json()["id"] for request in requests}) == SESSIONS
    async with unit_of_work(state.sessionmaker) as db:
        runs = (await db.scalars(select(VerificationRun))).all()
        decided = await db.scalar(
            select(func.count()).where(AuditEvent.action == "verification.decided")
        )
    assert {run.claims for run in runs} == {1}
    assert decided == SESSIONS
    workers = {run.decided_by.split(":")[1] for run in runs if run.decided_by}
    assert len(workers) == 2, workers  # both worker commands took jobs
