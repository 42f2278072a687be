"""What the worker logs while deciding and delivering: ids and codes, never personal data."""

from __future__ import annotations

import logging
import uuid

import pytest

from openkyc.db.session import unit_of_work
from openkyc.merchants.tenant import Tenant
from openkyc.state import AppState
from openkyc.webhooks.service import WebhookService
from tests.support import MerchantInfo
from tests.verifications.factories import capture, drain, new_session, submit
from tests.webhooks.receiver import Receiver

PERSONAL = ("Иван", "ИВАН", "IVANOV", "4509123456", "1990-01-15", "client@example.org")


async def test_no_personal_data_in_worker_logs(
    state: AppState, merchant: MerchantInfo, receiver: Receiver, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="openkyc")
    caplog.set_level(logging.DEBUG, logger="huey")
    receiver.respond((500, "no", 0.0), (200, "ok", 0.0))
    async with unit_of_work(state.sessionmaker) as db:
        await WebhookService(db, state.keyring).create_endpoint(
            Tenant(uuid.UUID(merchant.id), "live"),
            url=receiver.url,
            events=["kyc.completed"],
            secret=None,
            production=False,
        )
    session_id = await new_session(state, merchant.id, customer_email="client@example.org")
    await capture(state, session_id)
    await submit(state, session_id)
    await drain(state)
    receiver.wait_for(2)

    text = "\n".join(
        f"{record.getMessage()} {record.__dict__}"
        for record in caplog.records
        if record.name.startswith(("openkyc", "huey"))  # drivers' DEBUG echo SQL; not ours
    )
    assert "verification decided" in text
    assert "webhook attempt" in text
    for value in PERSONAL:
        assert value not in text
