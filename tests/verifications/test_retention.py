"""Biometric and personal data of a session go with it: deleting the row removes the face
embedding, the runs and checks, and the webhook outbox (its payload names the customer)."""

from __future__ import annotations

import uuid

from sqlalchemy import delete, func, select

from openkyc.db.session import unit_of_work
from openkyc.merchants.tenant import Tenant
from openkyc.sessions.models import KycSession
from openkyc.state import AppState
from openkyc.verifications.models import FaceEmbedding, VerificationCheck, VerificationRun
from openkyc.webhooks.models import WebhookDelivery, WebhookEvent
from openkyc.webhooks.service import WebhookService
from tests.support import MerchantInfo
from tests.verifications.factories import capture, drain, new_session, submit


async def test_deleting_a_session_deletes_its_embedding_runs_and_events(
    state: AppState, merchant: MerchantInfo
) -> None:
    async with unit_of_work(state.sessionmaker) as db:
        await WebhookService(db, state.keyring).create_endpoint(
            Tenant(uuid.UUID(merchant.id), "live"),
            url="http://127.0.0.1:9/hook",
            events=["kyc.completed"],
            secret=None,
            production=False,
        )
    session_id = await new_session(state, merchant.id)
    await capture(state, session_id)
    await submit(state, session_id)
    await drain(state, rounds=1)

    tables = (FaceEmbedding, VerificationRun, VerificationCheck, WebhookEvent, WebhookDelivery)

    async def counts() -> list[int]:
        async with unit_of_work(state.sessionmaker) as db:
            return [
                int(await db.scalar(select(func.count()).select_from(table)) or 0)
                for table in tables
            ]

    assert all(count > 0 for count in await counts())
    async with unit_of_work(state.sessionmaker) as db:
        await db.execute(delete(KycSession).where(KycSession.id == session_id))
    assert await counts() == [0, 0, 0, 0, 0]
