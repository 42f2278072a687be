"""The bundled Python client against a real server over real HTTP."""

from __future__ import annotations

import pytest

from openkyc.client import NotFoundError, OpenKycClient, ValidationError
from tests.support import LiveServer, MerchantInfo


async def test_client_creates_gets_and_lists(
    live_server: LiveServer, merchant: MerchantInfo
) -> None:
    with OpenKycClient(
        live_server.base_url, api_key=merchant.test.api_key, secret_key=merchant.test.secret_key
    ) as kyc:
        created = kyc.create_session(customer_email="client@example.com", language="en")
        assert created.status == "NOT_STARTED"
        assert created.verification_url == f"{live_server.base_url}/verify/{created.id}"
        fetched = kyc.get_session(created.id)
        assert fetched.id == created.id
        assert fetched.verification is None
        page = kyc.list_sessions(limit=10, status="NOT_STARTED")
        assert page.pagination.total == 1
        assert page.data[0].id == created.id
        again = kyc.create_session(customer_id="x", idempotency_key="same")
        assert kyc.create_session(customer_id="x", idempotency_key="same").id == again.id


async def test_client_raises_typed_errors(live_server: LiveServer, merchant: MerchantInfo) -> None:
    with OpenKycClient(
        live_server.base_url, api_key=merchant.test.api_key, secret_key=merchant.test.secret_key
    ) as kyc:
        with pytest.raises(NotFoundError) as missing:
            kyc.get_session("00000000-0000-4000-8000-000000000000")
        assert missing.value.code == "NOT_FOUND"
        assert missing.value.request_id
        with pytest.raises(ValidationError) as invalid:
            kyc.create_session(language="de")
        assert invalid.value.code == "VALIDATION_ERROR"


async def test_a_created_session_is_readable_as_soon_as_the_response_arrives(
    live_server: LiveServer, merchant: MerchantInfo
) -> None:
    # Guards the edge's transaction: the commit must happen before the 201 is sent.
    with OpenKycClient(
        live_server.base_url, api_key=merchant.test.api_key, secret_key=merchant.test.secret_key
    ) as kyc:
        for index in range(30):
            created = kyc.create_session(customer_id=f"race-{index}")
            assert kyc.get_session(created.id).id == created.id


async def test_client_and_cli_simulate(
    live_server: LiveServer, merchant: MerchantInfo, capsys: pytest.CaptureFixture[str]
) -> None:
    import asyncio
    import json

    from openkyc.cli.main import main

    with OpenKycClient(
        live_server.base_url, api_key=merchant.test.api_key, secret_key=merchant.test.secret_key
    ) as kyc:
        first = kyc.create_session(customer_id="ci")
        declined = kyc.simulate(first.id, "decline", decline_reasons=["FACE_MISMATCH"])
        assert (declined.status, declined.decline_reasons) == ("DECLINED", ("FACE_MISMATCH",))
        second = kyc.create_session(customer_id="ci")
        waiting = kyc.simulate(second.id, "review")
        assert waiting.review is not None
        assert waiting.review["status"] == "PENDING"
        with pytest.raises(ValidationError) as invalid:
            kyc.simulate(second.id, "win")
        assert "outcome" in str(invalid.value)
        third = kyc.create_session()

    argv = [
        "client", "simulate", third.id, "approve", "--base-url", live_server.base_url,
        "--api-key", merchant.test.api_key, "--secret-key", merchant.test.secret_key,
    ]  # fmt: skip
    with pytest.raises(SystemExit) as exited:
        await asyncio.to_thread(main, argv)
    assert exited.value.code == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["status"] == "APPROVED"
    assert printed["verification"]["fullNameLatin"] == "Test Sandbox"
