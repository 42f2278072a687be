"""Retention on schedule and erasure on request (docs/privacy.md): what each data class loses,
when, and what a legal hold or an open session keeps."""

from __future__ import annotations

import asyncio
import json
import os
import time
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner, Result

from openkyc.audit.models import AuditEvent
from openkyc.cli.main import app
from openkyc.config import Settings
from openkyc.db.base import utcnow
from openkyc.db.session import unit_of_work
from openkyc.media.errors import MediaErased, MediaMissing
from openkyc.media.models import MediaKey, MediaObject
from openkyc.media.service import MediaService
from openkyc.merchants.tenant import Tenant
from openkyc.sessions.models import KycSession
from openkyc.state import AppState
from openkyc.verifications.models import FaceEmbedding
from openkyc.webhooks.models import WebhookEvent, payload_aad
from openkyc.webhooks.service import WebhookService
from openkyc.worker.periodic import apply_retention
from tests.support import MerchantInfo, SignedApi
from tests.verifications.factories import (
    capture,
    cli_env,
    drain,
    load_session,
    new_session,
    submit,
)

EMAIL, PHONE = "anna@example.com", "+77011234567"
CONTACT = {"customer_email": EMAIL, "customer_phone": PHONE}


async def _decided_session(
    state: AppState, merchant: MerchantInfo, mode: str = "live"
) -> uuid.UUID:
    async with unit_of_work(state.sessionmaker) as db:
        await WebhookService(db, state.keyring).create_endpoint(
            Tenant(uuid.UUID(merchant.id), mode),
            url="http://127.0.0.1:9/hook",
            events=["kyc.completed"],
            secret=None,
            production=False,
        )
    session_id = await new_session(state, merchant.id, mode, **CONTACT)
    await capture(state, session_id)
    await submit(state, session_id)
    await drain(state, rounds=1)
    decided = await load_session(state, session_id)
    assert decided.status == "APPROVED"
    assert decided.verification_ciphertext is not None
    return session_id


async def _age(state: AppState, session_id: uuid.UUID, days: float) -> None:
    """Move the decision into the past instead of waiting for it."""
    async with unit_of_work(state.sessionmaker) as db:
        kyc_session = await db.get(KycSession, session_id)
        assert kyc_session is not None
        assert kyc_session.decided_at is not None
        kyc_session.decided_at = utcnow() - timedelta(days=days)


async def _count(state: AppState, model: Any, session_id: uuid.UUID) -> int:
    async with unit_of_work(state.sessionmaker) as db:
        statement = select(func.count()).select_from(model).where(model.session_id == session_id)
        return int(await db.scalar(statement) or 0)


def _stored_files(state: AppState) -> list[Path]:
    root = state.settings.storage_dir or state.settings.data_dir / "objects"
    return [path for path in root.rglob("*") if path.is_file()]


async def _event_payloads(state: AppState, session_id: uuid.UUID) -> list[dict[str, Any]]:
    async with unit_of_work(state.sessionmaker) as db:
        events = (
            await db.scalars(select(WebhookEvent).where(WebhookEvent.session_id == session_id))
        ).all()
        return [
            json.loads(state.keyring.decrypt(event.payload_ciphertext, payload_aad(event.id)))
            for event in events
        ]


async def test_each_data_class_goes_after_its_own_period(
    state: AppState, merchant: MerchantInfo
) -> None:
    session_id = await _decided_session(state, merchant)
    assert _stored_files(state)
    assert await _count(state, FaceEmbedding, session_id) == 1

    # Day 29: nothing is due.
    await _age(state, session_id, 29)
    assert (await apply_retention(state)).total == 0
    assert await _count(state, MediaObject, session_id) == 4

    # Day 31: media are crypto-shredded (key row and files); the rest stays.
    await _age(state, session_id, 31)
    report = await apply_retention(state)
    assert (report.media, report.biometrics, report.records) == (1, 0, 0)
    assert await _count(state, MediaObject, session_id) == 0
    assert await _count(state, MediaKey, session_id) == 0
    assert _stored_files(state) == []
    assert await _count(state, FaceEmbedding, session_id) == 1
    async with unit_of_work(state.sessionmaker) as db:
        with pytest.raises((MediaErased, MediaMissing)):
            await MediaService(db, state).load_inputs(session_id)
    # Idempotent: the next sweep finds nothing.
    assert (await apply_retention(state)).total == 0

    # Day 91: the face embedding goes; the identity record stays (AML period).
    await _age(state, session_id, 91)
    report = await apply_retention(state)
    assert (report.media, report.biometrics, report.records) == (0, 1, 0)
    assert await _count(state, FaceEmbedding, session_id) == 0
    assert (await load_session(state, session_id)).verification_ciphertext is not None

    # After five years: identity, contacts and webhook payloads are redacted.
    assert any(p["data"]["verification"] for p in await _event_payloads(state, session_id))
    await _age(state, session_id, 5 * 365 + 1)
    report = await apply_retention(state)
    assert (report.media, report.biometrics, report.records) == (0, 0, 1)
    redacted = await load_session(state, session_id)
    assert redacted.verification_ciphertext is None
    assert redacted.contact_ciphertext is None
    assert redacted.status == "APPROVED"
    assert redacted.redacted_at is not None
    payloads = await _event_payloads(state, session_id)
    assert payloads
    assert all(
        p["data"]["verification"] is None and p["data"]["customerEmail"] is None for p in payloads
    )
    assert all(p["data"]["status"] == "APPROVED" for p in payloads)
    assert (await apply_retention(state)).total == 0


async def test_a_legal_hold_keeps_everything(state: AppState, merchant: MerchantInfo) -> None:
    from openkyc.retention.errors import LegalHold
    from openkyc.retention.service import RetentionService

    session_id = await _decided_session(state, merchant)
    async with unit_of_work(state.sessionmaker) as db:
        kyc_session = await db.get(KycSession, session_id)
        assert kyc_session is not None
        await RetentionService(db, state).set_legal_hold(kyc_session, True, actor_id="legal")
    await _age(state, session_id, 10 * 365)
    assert (await apply_retention(state)).total == 0
    assert await _count(state, MediaObject, session_id) == 4
    assert await _count(state, FaceEmbedding, session_id) == 1
    async with unit_of_work(state.sessionmaker) as db:
        kyc_session = await db.get(KycSession, session_id)
        assert kyc_session is not None
        with pytest.raises(LegalHold):
            await RetentionService(db, state).erase_session(
                kyc_session, actor_type="operator", actor_id="x"
            )
        await RetentionService(db, state).set_legal_hold(kyc_session, False, actor_id="legal")
    report = await apply_retention(state)
    assert (report.media, report.biometrics, report.records) == (1, 1, 1)


async def test_open_sessions_are_never_touched_and_expired_ones_count_from_their_deadline(
    state: AppState, merchant: MerchantInfo
) -> None:
    in_progress = await new_session(state, merchant.id, **CONTACT)
    await capture(state, in_progress)
    expired = await new_session(state, merchant.id, **CONTACT)
    await capture(state, expired)
    async with unit_of_work(state.sessionmaker) as db:
        for session_id, status in ((in_progress, "IN_PROGRESS"), (expired, "EXPIRED")):
            kyc_session = await db.get(KycSession, session_id)
            assert kyc_session is not None
            kyc_session.status = status
            kyc_session.submitted_at = utcnow() if status == "IN_PROGRESS" else None
            kyc_session.expires_at = utcnow() - timedelta(days=400)
    report = await apply_retention(state)
    assert (report.media, report.biometrics, report.records) == (1, 0, 0)
    assert await _count(state, MediaObject, in_progress) == 4
    assert await _count(state, MediaObject, expired) == 0


async def test_the_merchant_erases_a_final_session_through_the_api(
    state: AppState, merchant: MerchantInfo, api: SignedApi, make_merchant: Any
) -> None:
    session_id = await _decided_session(state, merchant, mode="test")
    path = f"/api/v2/kyc/sessions/{session_id}"

    other = SignedApi(api.http, (await make_merchant(name="Other")).test)
    assert (await other.request("DELETE", path)).status_code == 404
    assert await _count(state, MediaObject, session_id) == 4

    response = await api.request("DELETE", path)
    assert response.status_code == 200, response.text
    erasure = response.json()["erasure"]
    assert erasure["sessionId"] == str(session_id)
    assert (erasure["mediaObjects"], erasure["faceEmbeddings"]) == (4, 1)
    assert erasure["webhookPayloads"] >= 1
    assert erasure["erasedAt"].endswith("Z")
    assert _stored_files(state) == []

    body = (await api.get(path)).json()["session"]
    assert body["status"] == "APPROVED"
    assert body["verification"] is None
    assert body["customerEmail"] is None
    assert body["customerPhone"] is None

    again = (await api.request("DELETE", path)).json()["erasure"]
    assert (again["mediaObjects"], again["faceEmbeddings"], again["webhookPayloads"]) == (0, 0, 0)
    assert again["erasedAt"] == erasure["erasedAt"]


async def test_erasure_is_refused_while_the_session_can_still_change(
    state: AppState, api: SignedApi
) -> None:
    created = await api.create_session(customerEmail=EMAIL, customerPhone=PHONE)
    response = await api.request("DELETE", f"/api/v2/kyc/sessions/{created['id']}")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "SESSION_NOT_FINAL"
    body = (await api.get(f"/api/v2/kyc/sessions/{created['id']}")).json()["session"]
    assert body["customerEmail"] == EMAIL
    malformed = await api.request("DELETE", "/api/v2/kyc/sessions/not-a-uuid")
    assert malformed.status_code == 404


async def test_operators_hold_erase_and_run_retention_from_the_cli(
    state: AppState,
    settings: Settings,
    merchant: MerchantInfo,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)  # no stray .env
    session_id = await _decided_session(state, merchant)
    runner, env = CliRunner(), cli_env(settings)

    async def openkyc(*args: str) -> Result:
        return await asyncio.to_thread(runner.invoke, app, list(args), env=env)

    held = await openkyc("sessions", "hold", str(session_id), "--operator", "dpo", "--note", "C-1")
    assert held.exit_code == 0, held.output
    refused = await openkyc("sessions", "erase", str(session_id), "--operator", "dpo")
    assert refused.exit_code == 1
    assert "LEGAL_HOLD" in refused.output
    released = await openkyc("sessions", "hold", str(session_id), "--operator", "dpo", "--release")
    assert released.exit_code == 0, released.output

    await _age(state, session_id, 31)
    ran = await openkyc("retention", "run")
    assert ran.exit_code == 0, ran.output
    assert "media erased: 1, biometrics erased: 0, records redacted: 0" in ran.output

    erased = await openkyc("sessions", "erase", str(session_id), "--operator", "dpo")
    assert erased.exit_code == 0, erased.output
    assert json.loads(erased.output)["faceEmbeddings"] == 1
    async with unit_of_work(state.sessionmaker) as db:
        actions = (
            await db.scalars(
                select(AuditEvent.action)
                .where(AuditEvent.subject_id == str(session_id))
                .order_by(AuditEvent.id)
            )
        ).all()
    assert [a for a in actions if a.startswith(("session.legal", "session.erased"))] == [
        "session.legal_hold_set",
        "session.legal_hold_released",
        "session.erased",
    ]
    assert {"media.erased", "session.redacted"} <= set(actions)


async def test_files_no_row_points_to_are_deleted_once_old(
    state: AppState, merchant: MerchantInfo
) -> None:
    session_id = await new_session(state, merchant.id)
    await capture(state, session_id)
    kept = _stored_files(state)
    folder = kept[0].parent
    orphan = folder / "0123456789abcdef.bin"  # an upload whose transaction rolled back
    partial = folder / ".fedcba9876543210.bin.00aa.tmp"  # a write a crash interrupted
    young = folder / "00000000000000ff.bin"  # may still be committing
    for path in (orphan, partial, young):
        path.write_bytes(b"sealed bytes")
    two_hours_ago = time.time() - 7200
    for path in (*kept, orphan, partial):
        os.utime(path, (two_hours_ago, two_hours_ago))

    report = await apply_retention(state)
    assert report.orphan_files == 2
    assert sorted(_stored_files(state)) == sorted([*kept, young])
    async with unit_of_work(state.sessionmaker) as db:
        assert len((await MediaService(db, state).load_inputs(session_id)).selfie_frames) == 3
