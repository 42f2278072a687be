"""Borderline results wait for an operator; the operator decides through the same service."""

from __future__ import annotations

import asyncio
import json
import uuid
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from openkyc.audit.models import AuditEvent
from openkyc.cli.main import app
from openkyc.config import Settings
from openkyc.db.session import unit_of_work
from openkyc.sessions.service import SessionService
from openkyc.state import AppState
from openkyc.verifications.errors import NotAwaitingReview
from openkyc.verifications.models import VerificationReview
from openkyc.verifications.service import VerificationService
from openkyc.worker.names import DELIVER_WEBHOOK
from tests.support import MerchantInfo
from tests.verifications.factories import (
    capture,
    cli_env,
    drain,
    load_session,
    new_session,
    submit,
)


async def _in_review(state: AppState, merchant: MerchantInfo) -> uuid.UUID:
    session_id = await new_session(state, merchant.id)
    await capture(state, session_id, face=0.6)  # below 0.80, inside the review band
    await submit(state, session_id)
    await drain(state)
    return session_id


async def test_a_borderline_face_match_waits_for_review_and_stays_in_progress(
    state: AppState, merchant: MerchantInfo
) -> None:
    session_id = await _in_review(state, merchant)
    kyc_session = await load_session(state, session_id)
    assert kyc_session.status == "IN_PROGRESS"
    assert kyc_session.verification_ciphertext is None  # nothing shown before a decision
    async with unit_of_work(state.sessionmaker) as db:
        outcome = await VerificationService(db, state).latest_outcome(session_id)
        waiting = await VerificationService(db, state).awaiting_review()
    assert outcome is not None
    assert outcome.state == "review"
    assert outcome.reasons == ("FACE_MISMATCH",)
    assert [row[1].id for row in waiting] == [session_id]


async def test_an_operator_approval_fills_the_verification_and_audits_the_operator(
    state: AppState, merchant: MerchantInfo
) -> None:
    session_id = await _in_review(state, merchant)
    async with unit_of_work(state.sessionmaker) as db:
        await VerificationService(db, state).review(
            session_id, decision="approve", operator="alice"
        )
    approved = await load_session(state, session_id)
    assert approved.status == "APPROVED"
    async with unit_of_work(state.sessionmaker) as db:
        verification = SessionService(db, state.keyring, default_ttl_minutes=30).verification_of(
            approved
        )
        change = (
            await db.scalars(
                select(AuditEvent).where(
                    AuditEvent.subject_id == str(session_id),
                    AuditEvent.action == "session.status_changed",
                    AuditEvent.data["to"].as_string() == "APPROVED",
                )
            )
        ).one()
        review = (await db.scalars(select(VerificationReview))).one()
    assert verification is not None
    assert verification["fullName"] == "Иван Петрович Иванов"
    assert verification["faceMatchScore"] == 0.6
    assert (change.actor_type, change.actor_id) == ("operator", "alice")
    assert (review.operator, review.decision) == ("alice", "approved")


async def test_an_operator_decline_keeps_the_reason_codes(
    state: AppState, merchant: MerchantInfo
) -> None:
    session_id = await _in_review(state, merchant)
    async with unit_of_work(state.sessionmaker) as db:
        await VerificationService(db, state).review(
            session_id, decision="decline", operator="bob", reasons=["LIVENESS_FAILED"]
        )
    declined = await load_session(state, session_id)
    assert (declined.status, declined.decline_reasons) == ("DECLINED", ["LIVENESS_FAILED"])
    async with unit_of_work(state.sessionmaker) as db:
        with pytest.raises(NotAwaitingReview):
            await VerificationService(db, state).review(
                session_id, decision="approve", operator="bob"
            )


async def test_a_decided_session_cannot_be_reviewed(
    state: AppState, merchant: MerchantInfo
) -> None:
    session_id = await new_session(state, merchant.id)
    await capture(state, session_id)
    await submit(state, session_id)
    await drain(state)
    async with unit_of_work(state.sessionmaker) as db:
        with pytest.raises(NotAwaitingReview) as caught:
            await VerificationService(db, state).review(
                session_id, decision="approve", operator="x"
            )
    assert caught.value.http_status == 409


async def test_review_cli_lists_and_approves(
    state: AppState,
    settings: Settings,
    merchant: MerchantInfo,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)  # no stray .env
    session_id = await _in_review(state, merchant)
    runner = CliRunner()
    env = cli_env(settings)

    listed = await asyncio.to_thread(runner.invoke, app, ["review", "list", "--json"], env=env)
    assert listed.exit_code == 0, listed.output
    (item,) = json.loads(listed.output)
    assert item["sessionId"] == str(session_id)
    assert item["checks"]["face_match"] == {"score": 0.6, "threshold": 0.8}
    assert "Иван" not in listed.output  # no personal data on the operator's screen

    approved = await asyncio.to_thread(
        runner.invoke, app, ["review", "approve", str(session_id), "--operator", "carol"], env=env
    )
    assert approved.exit_code == 0, approved.output
    assert (await load_session(state, session_id)).status == "APPROVED"

    again = await asyncio.to_thread(
        runner.invoke, app, ["review", "decline", str(session_id), "--operator", "carol"], env=env
    )
    assert again.exit_code == 1
    assert "NOT_IN_REVIEW" in again.output


async def test_review_cli_decision_is_delivered_by_webhook(
    state: AppState,
    settings: Settings,
    merchant: MerchantInfo,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from openkyc.merchants.tenant import Tenant
    from openkyc.webhooks.service import WebhookService

    monkeypatch.chdir(tmp_path)
    async with unit_of_work(state.sessionmaker) as db:
        await WebhookService(db, state.keyring).create_endpoint(
            Tenant(uuid.UUID(merchant.id), "live"),
            url="http://127.0.0.1:9/hook",
            events=["kyc.failed"],
            secret=None,
            production=False,
        )
    session_id = await _in_review(state, merchant)
    result = await asyncio.to_thread(
        CliRunner().invoke,
        app,
        ["review", "decline", str(session_id), "--operator", "dan", "--reason", "FACE_MISMATCH"],
        env=cli_env(settings),
    )
    assert result.exit_code == 0, result.output
    # The command enqueued the delivery after its commit, into the same queue.
    task = state.queue.huey.dequeue()
    assert task is not None
    assert task.name == DELIVER_WEBHOOK


async def test_an_operator_retake_returns_the_session_to_the_customer(
    state: AppState, merchant: MerchantInfo
) -> None:
    session_id = await _in_review(state, merchant)
    async with unit_of_work(state.sessionmaker) as db:
        await VerificationService(db, state).review(
            session_id, decision="retake", operator="fay", reasons=["DOCUMENT_UNREADABLE"]
        )
    reopened = await load_session(state, session_id)
    assert (reopened.status, reopened.submitted_at) == ("IN_PROGRESS", None)
    async with unit_of_work(state.sessionmaker) as db:
        outcome = await VerificationService(db, state).latest_outcome(session_id)
    assert outcome is not None
    assert (outcome.state, outcome.reasons) == ("retake", ("DOCUMENT_UNREADABLE",))
    # The same session takes a second attempt, decided as usual.
    await capture(state, session_id, attempt=2)
    await submit(state, session_id)
    await drain(state)
    assert (await load_session(state, session_id)).status == "APPROVED"


async def test_an_operator_retake_is_refused_when_no_attempt_is_left(
    state: AppState, merchant: MerchantInfo
) -> None:
    from openkyc.merchants.models import Merchant
    from openkyc.verifications.errors import NoRetakesLeft

    async with unit_of_work(state.sessionmaker) as db:
        found = await db.get(Merchant, uuid.UUID(merchant.id))
        assert found is not None
        found.policy = {"retakesAllowed": 0}
    session_id = await _in_review(state, merchant)
    async with unit_of_work(state.sessionmaker) as db:
        with pytest.raises(NoRetakesLeft):
            await VerificationService(db, state).review(
                session_id, decision="retake", operator="fay"
            )
    assert (await load_session(state, session_id)).submitted_at is not None


async def test_review_cli_four_eyes_needs_a_second_operator(
    state: AppState,
    settings: Settings,
    merchant: MerchantInfo,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from openkyc.merchants.models import Merchant

    monkeypatch.chdir(tmp_path)
    async with unit_of_work(state.sessionmaker) as db:
        found = await db.get(Merchant, uuid.UUID(merchant.id))
        assert found is not None
        found.policy = {"fourEyes": True}
    session_id = await _in_review(state, merchant)
    runner, env = CliRunner(), cli_env(settings)

    def cli(*args: str) -> Any:
        return runner.invoke(app, ["review", *args, str(session_id)], env=env)

    proposed = await asyncio.to_thread(cli, "approve", "--operator", "gus")
    assert proposed.exit_code == 0, proposed.output
    assert "second operator must confirm" in proposed.output
    assert (await load_session(state, session_id)).status == "IN_PROGRESS"
    same = await asyncio.to_thread(cli, "confirm", "--operator", "gus")
    assert same.exit_code == 1
    assert "FOUR_EYES" in same.output
    confirmed = await asyncio.to_thread(cli, "confirm", "--operator", "hal")
    assert confirmed.exit_code == 0, confirmed.output
    assert (await load_session(state, session_id)).status == "APPROVED"
