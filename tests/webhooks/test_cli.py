"""``openkyc webhooks add|list|test|remove`` against the test database and a real receiver."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from openkyc.client import WebhookVerifier
from openkyc.config import Settings
from openkyc.state import AppState
from tests.cli.running import run_cli
from tests.support import MerchantInfo
from tests.verifications.factories import drain
from tests.webhooks.receiver import Receiver


async def test_add_list_test_remove(
    state: AppState,
    settings: Settings,
    merchant: MerchantInfo,
    receiver: Receiver,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    added = json.loads(
        await run_cli(
            settings,
            "webhooks",
            "add",
            "--merchant",
            merchant.id,
            "--url",
            receiver.url,
            "--event",
            "kyc.completed",
            "--mode",
            "test",
            "--json",
        )
    )
    assert added["secret"].startswith("whsec_")
    listed = json.loads(await run_cli(settings, "webhooks", "list", "--json"))
    assert [item["id"] for item in listed] == [added["id"]]
    assert added["secret"] not in json.dumps(listed)

    output = await run_cli(settings, "webhooks", "test", added["id"])
    assert "queued test event evt_" in output
    await drain(state)
    (request,) = receiver.wait_for(1)
    event = WebhookVerifier(added["secret"]).verify(request.body, request.headers)
    assert event["test"] is True
    assert event["event"] == "kyc.completed"

    await run_cli(settings, "webhooks", "remove", added["id"])
    assert json.loads(await run_cli(settings, "webhooks", "list", "--json")) == []
    missing = await run_cli(settings, "webhooks", "remove", added["id"], code=1)
    assert "NOT_FOUND" in missing


async def test_add_refuses_an_unsafe_url(
    state: AppState,
    settings: Settings,
    merchant: MerchantInfo,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    output = await run_cli(
        settings,
        "webhooks",
        "add",
        "--merchant",
        merchant.id,
        "--url",
        "http://10.0.0.1/x",
        "--mode",
        "live",
        code=1,
    )
    assert "url: plain http is allowed only to loopback" in output


async def test_add_says_which_mode_it_listens_to_and_requires_it(
    state: AppState,
    settings: Settings,
    merchant: MerchantInfo,
    receiver: Receiver,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    base = ("webhooks", "add", "--merchant", merchant.id, "--url", receiver.url)
    missing = await run_cli(settings, *base, code=2)
    assert "Missing option '--mode'" in missing
    added = await run_cli(settings, *base, "--mode", "test")
    assert "receives test-mode sessions' events only" in added
