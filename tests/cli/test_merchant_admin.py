"""``openkyc merchants show|update|disable|enable``: a merchant operated without SQL, through
the MerchantService the dashboard uses, every change audited and felt by the API."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest

from openkyc.audit.service import AuditService
from openkyc.config import Settings
from openkyc.db.session import unit_of_work
from openkyc.errors import ValidationFailed
from openkyc.merchants.service import MerchantService
from openkyc.state import AppState
from openkyc.verifications.service import VerificationService
from tests.cli.running import in_tmp_cwd, run_cli  # noqa: F401  (the fixture)
from tests.support import MerchantInfo, SignedApi

pytestmark = pytest.mark.usefixtures("in_tmp_cwd")


async def _audit(state: AppState, merchant_id: str) -> list[tuple[str, dict[str, Any]]]:
    async with unit_of_work(state.sessionmaker) as session:
        events = await AuditService(session).history("merchant", merchant_id)
        return [(event.action, dict(event.data)) for event in events]


async def test_show_prints_settings_as_set_and_as_applied(
    state: AppState, settings: Settings, merchant: MerchantInfo
) -> None:
    shown = json.loads(await run_cli(settings, "merchants", "show", merchant.id, "--json"))
    assert shown["name"] == merchant.name
    assert shown["active"] is True
    assert shown["policy"] == {}
    assert shown["sessionTtlMinutes"] is None
    assert shown["effectiveSessionTtlMinutes"] == settings.session_ttl_minutes
    assert shown["effectivePolicy"]["minimumAge"] == 18
    assert shown["effectivePolicy"]["retakesAllowed"] == 3
    assert sorted(key["mode"] for key in shown["keys"]) == ["live", "test"]
    assert merchant.test.secret_key not in json.dumps(shown)


async def test_update_by_flags_changes_the_api_and_the_decision_and_is_audited(
    state: AppState, settings: Settings, merchant: MerchantInfo, api: SignedApi
) -> None:
    shown = json.loads(
        await run_cli(
            settings,
            "merchants",
            "update",
            merchant.id,
            "--name",
            "Shop renamed",
            "--session-ttl-minutes",
            "90",
            "--minimum-age",
            "21",
            "--allowed-countries",
            "kaz,rus",
            "--accept-duplicates",
            "--json",
        )
    )
    assert shown["name"] == "Shop renamed"
    assert shown["policy"] == {
        "minimumAge": 21,
        "allowedCountries": ["KAZ", "RUS"],
        "rejectDuplicates": False,
    }
    created = await api.create_session()
    span = _ms(created["expiresAt"]) - _ms(created["createdAt"])
    assert span == 90 * 60 * 1000
    async with unit_of_work(state.sessionmaker) as session:
        policy = await VerificationService(session, state).policy_for(uuid.UUID(merchant.id))
    assert policy.minimum_age == 21
    assert policy.allowed_countries == frozenset({"KAZ", "RUS"})
    assert policy.reject_duplicates is False

    (_, (action, data)) = await _audit(state, merchant.id)
    assert action == "merchant.updated"
    assert data["changes"]["name"] == {"from": merchant.name, "to": "Shop renamed"}
    assert data["changes"]["sessionTtlMinutes"] == {"from": None, "to": 90}
    assert data["changes"]["policy"]["from"] == {}

    # --reset drops one field back to its default; --policy replaces the whole document.
    shown = json.loads(
        await run_cli(
            settings, "merchants", "update", merchant.id, "--reset", "minimumAge", "--json"
        )
    )
    assert "minimumAge" not in shown["policy"]
    assert shown["effectivePolicy"]["minimumAge"] == 18
    shown = json.loads(
        await run_cli(
            settings,
            "merchants",
            "update",
            merchant.id,
            "--policy",
            '{"retakesAllowed": 1}',
            "--session-ttl-minutes",
            "default",
            "--json",
        )
    )
    assert shown["policy"] == {"retakesAllowed": 1}
    assert shown["sessionTtlMinutes"] is None


async def test_every_bad_value_is_named_and_nothing_changes(
    state: AppState, settings: Settings, merchant: MerchantInfo
) -> None:
    output = await run_cli(
        settings,
        "merchants",
        "update",
        merchant.id,
        "--name",
        "ok",
        "--minimum-age",
        "200",
        "--allowed-document-types",
        "passport,licence",
        "--policy",
        '{"colour": "red"}',
        code=1,
    )
    assert output.count("\n") == 1
    assert output.startswith("error: VALIDATION_ERROR: ")
    assert "policy.colour: unknown field" in output
    assert "policy.minimumAge: must be an integer between 0 and 130" in output
    assert "policy.allowedDocumentTypes: must be among passport, id_card, visa: licence" in output
    above = await run_cli(
        settings, "merchants", "update", merchant.id, "--face-review-floor", "0.9", code=1
    )
    assert "policy.faceReviewFloor: must not be above faceMatchThreshold (0.75)" in above
    bad_ttl = await run_cli(
        settings, "merchants", "update", merchant.id, "--session-ttl-minutes", "0", code=1
    )
    assert "sessionTtlMinutes: must be an integer from 1 to 10080" in bad_ttl
    not_json = await run_cli(settings, "merchants", "update", merchant.id, "--policy", "{", code=2)
    assert "not JSON" in not_json
    shown = json.loads(await run_cli(settings, "merchants", "show", merchant.id, "--json"))
    assert (shown["name"], shown["policy"]) == (merchant.name, {})
    assert [action for action, _ in await _audit(state, merchant.id)] == ["merchant.created"]


async def test_disable_refuses_the_keys_and_enable_restores_them(
    state: AppState, settings: Settings, merchant: MerchantInfo, api: SignedApi
) -> None:
    assert "disabled" in await run_cli(settings, "merchants", "disable", merchant.id)
    refused = await api.post("/api/v2/kyc/sessions", json_body={})
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "PARTNER_INACTIVE"
    listed = json.loads(await run_cli(settings, "merchants", "list", "--json"))
    assert listed[0]["active"] is False
    assert "enabled" in await run_cli(settings, "merchants", "enable", merchant.id)
    assert (await api.post("/api/v2/kyc/sessions", json_body={})).status_code == 201
    actions = [action for action, _ in await _audit(state, merchant.id)]
    assert actions == ["merchant.created", "merchant.disabled", "merchant.enabled"]


async def test_the_service_names_fields_for_the_dashboard(state: AppState, merchant: Any) -> None:
    async with unit_of_work(state.sessionmaker) as session:
        service = MerchantService(session, state.keyring)
        with pytest.raises(ValidationFailed) as refused:
            await service.update(
                uuid.UUID(merchant.id),
                name="  ",
                session_ttl_minutes=True,
                policy_changes={"livenessThreshold": "high", "allowedCountries": ["RU"]},
            )
    assert set(refused.value.errors) == {
        "name",
        "sessionTtlMinutes",
        "policy.livenessThreshold",
        "policy.allowedCountries",
    }
    assert refused.value.http_status == 400


async def test_unknown_merchant_is_one_line(state: AppState, settings: Settings) -> None:
    missing = str(uuid.uuid4())
    for command in ("show", "disable", "enable"):
        output = await run_cli(settings, "merchants", command, missing, code=1)
        assert output == "error: NOT_FOUND: Merchant not found\n"


def _ms(stamp: str) -> int:
    from datetime import datetime

    return int(datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp() * 1000)
