"""The evidence API (extension): a merchant keeps the photos. Scoped keys, decrypted reads
with no caching, an audit row per read, and nothing left to read after erasure."""

from __future__ import annotations

import hashlib
import json
import uuid
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

from openkyc.audit.service import AuditService
from openkyc.cli.main import app
from openkyc.db.session import unit_of_work
from openkyc.media.service import MediaService
from openkyc.merchants.service import MerchantService
from openkyc.state import AppState
from tests.media.conftest import jpeg
from tests.support import KeyPairInfo, MerchantInfo, SignedApi


async def _key(state: AppState, merchant: MerchantInfo, *scopes: str) -> KeyPairInfo:
    async with unit_of_work(state.sessionmaker) as db:
        issued = await MerchantService(db, state.keyring).create_key(
            uuid.UUID(merchant.id), "test", scopes=scopes
        )
    return KeyPairInfo(issued.pair.api_key, issued.pair.secret_key)


async def _store(state: AppState, session_id: uuid.UUID) -> dict[str, bytes]:
    images = {
        "document_front": jpeg(color=(10, 20, 30)),
        "selfie_frame": jpeg(color=(200, 100, 50)),
    }
    async with unit_of_work(state.sessionmaker) as db:
        media = MediaService(db, state)
        await media.store(session_id, "document_front", images["document_front"], attempt=1)
        await media.store(
            session_id, "selfie_frame", images["selfie_frame"], attempt=1, frame_time_ms=0
        )
    return images


async def _audit(state: AppState, session_id: uuid.UUID) -> list[str]:
    async with unit_of_work(state.sessionmaker) as db:
        return [e.action for e in await AuditService(db).history("kyc_session", str(session_id))]


@pytest.fixture
async def reader(state: AppState, merchant: MerchantInfo, client: httpx.AsyncClient) -> SignedApi:
    return SignedApi(client, await _key(state, merchant, "sessions", "media"))


async def test_list_and_read_decrypted_uncached_and_audited(
    state: AppState, reader: SignedApi, session_id: uuid.UUID
) -> None:
    images = await _store(state, session_id)
    listing = await reader.get(f"/api/v2/kyc/sessions/{session_id}/media")
    assert listing.status_code == 200, listing.text
    assert listing.headers["cache-control"] == "no-store"
    items = {item["kind"]: item for item in listing.json()["data"]}
    assert set(items) == {"document_front", "selfie_frame"}
    for kind, item in items.items():
        assert item["contentType"] == "image/jpeg"
        assert item["capturedAt"].endswith("Z")
        fetched = await reader.get(f"/api/v2/kyc/sessions/{session_id}/media/{item['id']}")
        assert fetched.status_code == 200
        assert fetched.headers["content-type"] == "image/jpeg"
        assert fetched.headers["cache-control"] == "no-store"
        # What was stored comes back decrypted, byte for byte, as listed.
        assert fetched.content == images[kind]
        assert hashlib.sha256(fetched.content).hexdigest() == item["sha256"]
        assert len(fetched.content) == item["size"]
    actions = await _audit(state, session_id)
    assert actions.count("media.listed") == 1
    assert actions.count("media.read") == 2


async def test_scopes_keep_media_from_keys_without_it(
    state: AppState,
    api: SignedApi,
    client: httpx.AsyncClient,
    merchant: MerchantInfo,
    session_id: uuid.UUID,
) -> None:
    await _store(state, session_id)
    # The merchant's default keys (and every key made before scopes) cannot read media.
    refused = await api.get(f"/api/v2/kyc/sessions/{session_id}/media")
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "INSUFFICIENT_SCOPE"
    assert (await api.get(f"/api/v2/kyc/sessions/{session_id}")).status_code == 200
    media_only = SignedApi(client, await _key(state, merchant, "media"))
    assert (await media_only.get(f"/api/v2/kyc/sessions/{session_id}/media")).status_code == 200
    for path in ("/api/v2/kyc/sessions", "/api/v2/webhooks"):
        response = await media_only.get(path)
        assert response.status_code == 403
        assert response.json()["error"]["code"] == "INSUFFICIENT_SCOPE"
    assert "media.read" not in await _audit(state, session_id)


async def test_other_sessions_and_unknown_ids_are_404(
    state: AppState,
    reader: SignedApi,
    make_merchant: Any,
    client: httpx.AsyncClient,
    session_id: uuid.UUID,
) -> None:
    await _store(state, session_id)
    other_session = uuid.UUID((await reader.create_session())["id"])
    await _store(state, other_session)
    theirs = (await reader.get(f"/api/v2/kyc/sessions/{other_session}/media")).json()["data"]
    for path in (
        f"/api/v2/kyc/sessions/{session_id}/media/{theirs[0]['id']}",
        f"/api/v2/kyc/sessions/{session_id}/media/{uuid.uuid4()}",
        f"/api/v2/kyc/sessions/{session_id}/media/not-an-id",
        f"/api/v2/kyc/sessions/{uuid.uuid4()}/media",
    ):
        response = await reader.get(path)
        assert response.status_code == 404, path
        assert response.json()["error"]["code"] == "NOT_FOUND"
    stranger = await make_merchant("Other")
    stranger_reader = SignedApi(client, await _key(state, stranger, "sessions", "media"))
    assert (
        await stranger_reader.get(f"/api/v2/kyc/sessions/{session_id}/media")
    ).status_code == 404


async def test_after_erasure_the_list_is_empty_and_items_404(
    state: AppState, reader: SignedApi, session_id: uuid.UUID
) -> None:
    await _store(state, session_id)
    items = (await reader.get(f"/api/v2/kyc/sessions/{session_id}/media")).json()["data"]
    decided = await reader.post(
        f"/api/v2/kyc/sessions/{session_id}/simulate", json_body={"outcome": "approve"}
    )
    assert decided.status_code == 200, decided.text
    erased = await reader.request("DELETE", f"/api/v2/kyc/sessions/{session_id}")
    assert erased.status_code == 200, erased.text
    assert (await reader.get(f"/api/v2/kyc/sessions/{session_id}/media")).json()["data"] == []
    for item in items:
        gone = await reader.get(f"/api/v2/kyc/sessions/{session_id}/media/{item['id']}")
        assert gone.status_code == 404


def test_keys_create_takes_scopes(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENKYC_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.delenv("OPENKYC_DATABASE_URL", raising=False)
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    created = runner.invoke(app, ["merchants", "create", "--name", "Shop", "--json"])
    merchant_id = json.loads(created.output)["merchantId"]
    made = runner.invoke(
        app, ["keys", "create", "--merchant", merchant_id, "--scope", "sessions,media", "--json"]
    )
    assert made.exit_code == 0, made.output
    assert json.loads(made.output)["scopes"] == "sessions,media"
    listed = json.loads(
        runner.invoke(app, ["keys", "list", "--merchant", merchant_id, "--json"]).output
    )
    assert sorted(tuple(key["scopes"]) for key in listed) == [
        ("sessions", "media"),
        ("sessions", "webhooks"),
        ("sessions", "webhooks"),
    ]
    bad = runner.invoke(app, ["keys", "create", "--merchant", merchant_id, "--scope", "photos"])
    assert bad.exit_code == 2
    assert "unknown scope(s) photos" in bad.output
