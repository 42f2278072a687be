"""The case file: every piece of evidence of a session, personal data masked until revealed."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from sqlalchemy import select

from openkyc.audit.models import AuditEvent
from openkyc.db.session import unit_of_work
from openkyc.reviews.casefile import CaseFileService, mask
from openkyc.reviews.errors import CaseNotFound
from openkyc.state import AppState
from tests.reviews.factories import (
    ALICE,
    BOB,
    captured_in_review,
    in_review,
    jpeg,
    reviews,
    scoped,
)
from tests.support import MerchantInfo


async def _actions(state: AppState, session_id: uuid.UUID, action: str) -> list[AuditEvent]:
    async with unit_of_work(state.sessionmaker) as db:
        rows = await db.scalars(
            select(AuditEvent).where(
                AuditEvent.subject_id == str(session_id), AuditEvent.action == action
            )
        )
        return list(rows.all())


async def test_a_case_gathers_images_checks_challenge_and_timeline(
    state: AppState, merchant: MerchantInfo
) -> None:
    session_id = await captured_in_review(state, merchant.id, customer_email="c@example.org")
    async with unit_of_work(state.sessionmaker) as db:
        files = CaseFileService(db, state)
        case = await files.load(ALICE, session_id)
        personal = files.personal(case)

    assert case.in_review
    assert case.merchant_name == "Test merchant"
    assert case.evidence.front is not None
    assert case.evidence.back is not None
    assert [frame.index for frame in case.evidence.frames] == list(range(24))
    assert case.best_frame in case.evidence.frames
    assert case.challenge == ["turn_left", "turn_right"]
    latest = case.latest
    assert latest is not None
    face = latest.check("face_match")
    assert face is not None
    assert face.model_name
    assert face.model_version
    assert {"document", "liveness"} <= {check.name for check in latest.checks}
    actions = [entry.action for entry in case.timeline]
    assert "session.status_changed" in actions
    assert "verification.decided" in actions
    assert personal.email == "c@example.org"
    fields = {item["name"]: item for item in personal.reading["fields"]}
    assert fields["number"]["value"] == "751234567"
    assert fields["number"]["source"] == "mrz"
    assert personal.identity["documentNumber"] == "751234567"
    assert len(await _actions(state, session_id, "case.viewed")) == 1


async def test_images_are_decrypted_for_one_response_and_audited(
    state: AppState, merchant: MerchantInfo, make_merchant: Any
) -> None:
    session_id = await captured_in_review(state, merchant.id, frames=3, back=False)
    async with unit_of_work(state.sessionmaker) as db:
        case = await CaseFileService(db, state).load(ALICE, session_id)
    front = case.evidence.front
    assert front is not None
    data, content_type = await reviews(
        state, lambda _: CaseFileService(_.db, state).image(ALICE, session_id, front.id)
    )
    assert (data, content_type) == (jpeg(640, 420, 10), "image/jpeg")
    reads = await _actions(state, session_id, "media.read")
    assert [event.actor_id for event in reads][-1] == ALICE.actor_id

    other = await make_merchant(name="Other")
    for reviewer, object_id in ((ALICE, uuid.uuid4()), (scoped(BOB, other.id), front.id)):
        with pytest.raises(CaseNotFound):
            await reviews(
                state,
                lambda _, r=reviewer, o=object_id: CaseFileService(_.db, state).image(
                    r, session_id, o
                ),
            )


async def test_the_portrait_falls_back_to_the_whole_page_without_a_located_face(
    state: AppState, merchant: MerchantInfo
) -> None:
    session_id = await captured_in_review(state, merchant.id, frames=2, back=False)
    async with unit_of_work(state.sessionmaker) as db:
        files = CaseFileService(db, state)
        case = await files.load(ALICE, session_id)
        assert case.evidence.front is not None
        data, _ = await files.portrait(ALICE, session_id, case.evidence.front.id)
    assert data.startswith(b"\xff\xd8")


async def test_revealing_personal_data_is_audited(state: AppState, merchant: MerchantInfo) -> None:
    session_id = await in_review(state, merchant.id, customer_phone="+77011234567")
    async with unit_of_work(state.sessionmaker) as db:
        files = CaseFileService(db, state)
        case = await files.load(ALICE, session_id)
        revealed = await files.reveal(ALICE, case)
    assert revealed.phone == "+77011234567"
    assert revealed.identity["fullName"] == "Test Sandbox"
    (event,) = await _actions(state, session_id, "case.personal_data_revealed")
    assert (event.actor_type, event.actor_id) == ("operator", ALICE.actor_id)


def test_masking_keeps_a_value_recognisable_but_unreadable() -> None:
    assert mask("client@example.org") == "c•••@example.org"
    assert mask("+77011234567") == "+•••••••••67"
    assert mask("751234567") == "7••••••67"
    assert mask("AB") == "••"
    assert mask(None) == ""
