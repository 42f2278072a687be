"""Sessions, captures and submissions as the hosted page makes them; jobs drained in-loop.

``drain`` pops what the code under test really enqueued (after commit) from the real Huey
storage and runs each job body against the test's database, so a test proves both that the
job was enqueued and what it does.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from typing import Any

from sqlalchemy import select

from openkyc.config import Settings
from openkyc.db.session import unit_of_work
from openkyc.media.service import MediaService
from openkyc.merchants.tenant import Tenant
from openkyc.sessions.models import KycSession
from openkyc.sessions.schemas import CreateSessionRequest
from openkyc.sessions.service import SessionService
from openkyc.state import AppState
from openkyc.verifications.models import VerificationRun
from openkyc.verifications.service import VerificationService
from openkyc.worker.tasks import JOBS
from tests.verifications.pipelines import scenario

SCRIPTED = "tests.verifications.pipelines:ScriptedPipeline"


async def new_session(
    state: AppState, merchant_id: str, mode: str = "live", **fields: Any
) -> uuid.UUID:
    async with unit_of_work(state.sessionmaker) as db:
        created = await SessionService(db, state.keyring, default_ttl_minutes=30).create(
            Tenant(uuid.UUID(merchant_id), mode), CreateSessionRequest(**fields)
        )
    return created.id


async def capture(state: AppState, session_id: uuid.UUID, attempt: int = 1, **spec: Any) -> None:
    async with unit_of_work(state.sessionmaker) as db:
        media = MediaService(db, state)
        await media.store(session_id, "document_front", scenario(**spec), attempt=attempt)
        for index in range(3):
            await media.store(
                session_id,
                "selfie_frame",
                b"frame%d" % index,
                attempt=attempt,
                index=index,
                frame_time_ms=index * 100,
            )


async def capture_images(
    state: AppState,
    session_id: uuid.UUID,
    *,
    front: bytes,
    back: bytes | None,
    frames: list[bytes],
    times: list[int],
    challenge_json: str | None,
    attempt: int = 1,
) -> None:
    """What the hosted page stores: images through the media service, the challenge on the
    flow (inserted directly: these tests do not walk the page)."""
    from openkyc.flows.models import HostedFlow

    async with unit_of_work(state.sessionmaker) as db:
        media = MediaService(db, state)
        await media.store(session_id, "document_front", front, attempt=attempt)
        if back is not None:
            await media.store(session_id, "document_back", back, attempt=attempt)
        for index, (frame, at) in enumerate(zip(frames, times, strict=True)):
            await media.store(
                session_id, "selfie_frame", frame, attempt=attempt, index=index, frame_time_ms=at
            )
        flow = await db.get(HostedFlow, session_id)
        if flow is None:
            db.add(
                HostedFlow(
                    session_id=session_id, token_hash="0" * 64, challenge_json=challenge_json
                )
            )
        else:
            flow.challenge_json = challenge_json


async def submit(
    state: AppState, session_id: uuid.UUID, *, sandbox: str | None = None, actor: str = "customer"
) -> None:
    async with unit_of_work(state.sessionmaker) as db:
        kyc_session = await db.get(KycSession, session_id)
        assert kyc_session is not None
        await VerificationService(db, state).submit(
            kyc_session, actor_type=actor, sandbox_outcome=sandbox
        )


async def drain(state: AppState, *, include_scheduled: bool = False, rounds: int = 20) -> list[str]:
    """Run every job in the queue (and those they enqueue), in order; return their names."""
    huey = state.queue.huey
    ran: list[str] = []
    for _ in range(rounds):
        tasks = []
        while (task := huey.dequeue()) is not None:
            tasks.append(task)
        if include_scheduled:
            far = dt.datetime.now(dt.UTC).replace(tzinfo=None) + dt.timedelta(days=30)
            tasks.extend(huey.read_schedule(far))
        if not tasks:
            break
        for task in tasks:
            if task.eta is not None:
                # A delayed job (a retry): run it when it is due, as the consumer would.
                wait = (task.eta - dt.datetime.now(dt.UTC).replace(tzinfo=None)).total_seconds()
                await asyncio.sleep(min(max(wait, 0.0), 5.0))
            await JOBS[task.name](state, *task.args)
            ran.append(task.name)
    return ran


async def runs_of(state: AppState, session_id: uuid.UUID) -> list[VerificationRun]:
    async with unit_of_work(state.sessionmaker) as db:
        rows = await db.scalars(
            select(VerificationRun)
            .where(VerificationRun.session_id == session_id)
            .order_by(VerificationRun.attempt)
        )
        return list(rows.all())


async def load_session(state: AppState, session_id: uuid.UUID) -> KycSession:
    async with unit_of_work(state.sessionmaker) as db:
        found = await db.get(KycSession, session_id)
        assert found is not None
        return found


def cli_env(settings: Settings) -> dict[str, str]:
    """What an `openkyc` command run by a test needs to reach the test's database and keys."""
    assert settings.master_key is not None
    return {
        "OPENKYC_DATA_DIR": str(settings.data_dir),
        "OPENKYC_DATABASE_URL": settings.resolved_database_url,
        "OPENKYC_MASTER_KEY": settings.master_key.get_secret_value(),
    }
