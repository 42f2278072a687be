"""Key lifecycle (revoke, rotate with grace), storage of secrets, and session expiry."""

from __future__ import annotations

import uuid
from datetime import timedelta

import httpx
from sqlalchemy import select

from openkyc.audit.models import AuditEvent
from openkyc.db.base import utcnow
from openkyc.db.session import unit_of_work
from openkyc.merchants import keys
from openkyc.merchants.models import ApiKey
from openkyc.merchants.service import MerchantService
from openkyc.sessions.models import KycSession
from openkyc.state import AppState
from openkyc.worker.periodic import expire_sessions
from tests.support import KeyPairInfo, MerchantInfo, SignedApi

PATH = "/api/v2/kyc/sessions"


async def _key_id(state: AppState, api_key: str) -> uuid.UUID:
    async with unit_of_work(state.sessionmaker) as session:
        found = await MerchantService(session, state.keyring).api_keys.get_by_public_hash(
            keys.hash_public_key(api_key)
        )
    assert found is not None
    return found[0].id


async def test_secrets_are_stored_encrypted_and_keys_by_hash(
    state: AppState, merchant: MerchantInfo
) -> None:
    async with unit_of_work(state.sessionmaker) as session:
        rows = (await session.scalars(select(ApiKey))).all()
    assert len(rows) == 2
    for row in rows:
        assert merchant.test.secret_key.encode() not in row.secret_ciphertext
        assert merchant.live.secret_key.encode() not in row.secret_ciphertext
        assert row.public_key_hash in {
            keys.hash_public_key(merchant.test.api_key),
            keys.hash_public_key(merchant.live.api_key),
        }


async def test_revoked_key_is_refused_at_once(
    state: AppState, client: httpx.AsyncClient, merchant: MerchantInfo
) -> None:
    api = SignedApi(client, merchant.test)
    assert (await api.get(PATH)).status_code == 200
    key_id = await _key_id(state, merchant.test.api_key)
    async with unit_of_work(state.sessionmaker) as session:
        await MerchantService(session, state.keyring).revoke_key(key_id)
    response = await api.get(PATH)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "INVALID_API_KEY"


async def test_rotation_keeps_old_key_for_the_grace_period(
    state: AppState, client: httpx.AsyncClient, merchant: MerchantInfo
) -> None:
    key_id = await _key_id(state, merchant.test.api_key)
    async with unit_of_work(state.sessionmaker) as session:
        issued = await MerchantService(session, state.keyring).rotate_key(
            key_id, grace=timedelta(hours=1)
        )
    new_pair = KeyPairInfo(issued.pair.api_key, issued.pair.secret_key)
    old_api, new_api = SignedApi(client, merchant.test), SignedApi(client, new_pair)
    created = await old_api.create_session()
    # Same merchant and mode: the new key sees what the old one created.
    assert (await new_api.get(f"{PATH}/{created['id']}")).status_code == 200
    assert (await old_api.get(PATH)).status_code == 200

    async with unit_of_work(state.sessionmaker) as session:
        old = await session.get(ApiKey, key_id)
        assert old is not None
        old.expires_at = utcnow() - timedelta(seconds=1)
    assert (await old_api.get(PATH)).json()["error"]["code"] == "INVALID_API_KEY"
    assert (await new_api.get(PATH)).status_code == 200


async def test_expired_session_reads_expired_before_and_after_the_sweep(
    state: AppState, api: SignedApi
) -> None:
    created = await api.create_session()
    async with unit_of_work(state.sessionmaker) as session:
        row = await session.get(KycSession, uuid.UUID(created["id"]))
        assert row is not None
        row.expires_at = utcnow() - timedelta(seconds=1)
    # Never stale: the read already says EXPIRED although nothing persisted it yet.
    session_json = (await api.get(f"{PATH}/{created['id']}")).json()["session"]
    assert session_json["status"] == "EXPIRED"
    assert (await api.get(PATH, params={"status": "EXPIRED"})).json()["pagination"]["total"] == 1
    assert (await api.get(PATH, params={"status": "NOT_STARTED"})).json()["pagination"][
        "total"
    ] == 0

    assert await expire_sessions(state) == 1
    async with unit_of_work(state.sessionmaker) as session:
        row = await session.get(KycSession, uuid.UUID(created["id"]))
        assert row is not None
        assert row.status == "EXPIRED"
        audit = (
            await session.scalars(select(AuditEvent).where(AuditEvent.subject_id == created["id"]))
        ).all()
    assert [event.action for event in audit][-1] == "session.status_changed"
    assert await expire_sessions(state) == 0


async def test_inactive_merchant_is_refused(
    state: AppState, client: httpx.AsyncClient, merchant: MerchantInfo
) -> None:
    async with unit_of_work(state.sessionmaker) as session:
        found = await MerchantService(session, state.keyring).get(uuid.UUID(merchant.id))
        found.active = False
    response = await SignedApi(client, merchant.test).get(PATH)
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "PARTNER_INACTIVE"
