"""Consent, document choice, captures and submission, as a browser without the camera would."""

from __future__ import annotations

import uuid
from pathlib import Path

import httpx
from sqlalchemy import select, update

from openkyc.db.session import unit_of_work
from openkyc.media.models import MediaObject
from openkyc.merchants.models import Merchant
from openkyc.sessions.models import KycSession
from openkyc.state import AppState
from tests.support import MerchantInfo
from tests.web.conftest import Customer, flow_of, jpeg, specimen


async def _media(state: AppState, session_id: str) -> list[MediaObject]:
    async with unit_of_work(state.sessionmaker) as db:
        rows = await db.scalars(
            select(MediaObject).where(MediaObject.session_id == uuid.UUID(session_id))
        )
        return list(rows.all())


def _files(state: AppState) -> list[Path]:
    root = state.settings.data_dir / "objects"
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


async def test_consent_is_recorded_with_its_version_hash_time_ip_and_agent(
    customer: Customer, state: AppState
) -> None:
    await customer.open()
    response = await customer.http.post(
        f"{customer.url}/consent",
        data={"csrf": customer.csrf, "agree": "yes"},
        headers={"user-agent": "PhoneBrowser/1.0"},
    )
    assert response.status_code == 303
    flow = await flow_of(state, customer.session_id)
    assert flow is not None
    assert flow.consent_version == state.settings.consent_version
    assert flow.consent_hash is not None
    assert len(flow.consent_hash) == 64
    assert flow.consented_at is not None
    assert flow.consent_ip == "127.0.0.1"
    assert flow.consent_user_agent == "PhoneBrowser/1.0"
    assert flow.step == "document"


async def test_consent_needs_the_box_ticked(customer: Customer, state: AppState) -> None:
    await customer.open()
    response = await customer.post("consent", {})
    assert response.status_code == 303
    assert response.headers["location"].endswith("?error=consent_required")
    page = await customer.open("?error=consent_required")
    assert "Tick the box to agree" in page.text
    flow = await flow_of(state, customer.session_id)
    assert flow is not None
    assert flow.step == "consent"


async def test_every_state_change_needs_the_csrf_token(customer: Customer, state: AppState) -> None:
    await customer.open()
    for csrf in ("", "0" * 64):
        response = await customer.post("consent", {"agree": "yes"}, csrf=csrf, json=True)
        assert response.status_code == 403
        body = response.json()
        assert body["success"] is False
        assert body["error"]["code"] == "CSRF_REJECTED"
        assert body["error"]["requestId"]
    flow = await flow_of(state, customer.session_id)
    assert flow is not None
    assert flow.step == "consent"


async def test_a_post_from_another_site_is_refused(customer: Customer) -> None:
    await customer.open()
    response = await customer.http.post(
        f"{customer.url}/consent",
        data={"csrf": customer.csrf, "agree": "yes"},
        headers={"origin": "https://evil.example", "accept": "application/json"},
    )
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "CSRF_REJECTED"


async def test_documents_offered_follow_the_merchant_policy(
    customer: Customer, state: AppState, merchant: MerchantInfo
) -> None:
    async with unit_of_work(state.sessionmaker) as db:
        await db.execute(
            update(Merchant)
            .where(Merchant.id == uuid.UUID(merchant.id))
            .values(policy={"allowedCountries": ["KAZ"]})
        )
    await customer.consent()
    page = (await customer.open()).text
    assert "Kazakhstan ID card" in page
    assert "Russian internal passport" not in page
    assert "Passport of another country" not in page
    refused = await customer.post("document", {"kind": "ru_internal_passport"}, json=True)
    assert refused.status_code == 400
    assert refused.json()["error"]["code"] == "VALIDATION_ERROR"
    await customer.choose("kz_id_card")
    assert "Photograph the front of your card" in (await customer.open()).text


async def test_an_uploaded_document_is_stored_encrypted_and_the_flow_moves_on(
    customer: Customer, state: AppState
) -> None:
    await customer.consent()
    await customer.choose()
    await customer.capture()
    assert "Take a selfie" in (await customer.open()).text
    rows = await _media(state, customer.session_id)
    assert [(r.kind, r.attempt) for r in rows] == [("document_front", 1)]
    files = _files(state)
    assert len(files) == 1
    assert b"JFIF" not in files[0].read_bytes()


async def test_an_id_card_needs_its_back_too(customer: Customer, state: AppState) -> None:
    await customer.reach_review("kz_id_card")
    kinds = sorted(r.kind for r in await _media(state, customer.session_id))
    assert kinds == ["document_back", "document_front"] + ["selfie_frame"] * 4


async def test_a_poor_photo_is_refused_with_what_to_fix(
    customer: Customer, state: AppState
) -> None:
    await customer.consent()
    await customer.choose()
    answer = await customer.post(
        "capture/front",
        files={"image": ("photo.jpg", jpeg(1280, 960, (15, 15, 15)), "image/jpeg")},
        json=True,
    )
    assert answer.status_code == 200
    body = answer.json()
    assert body["success"] is True
    assert body["accepted"] is False
    assert body["findings"]
    for finding in body["findings"]:
        assert finding["message"]
        assert finding["message"] != finding["code"]
    page = (await customer.open()).text
    assert "Please retake the photo" in page
    assert await _media(state, customer.session_id) == []
    assert _files(state) == []


async def test_the_instant_check_never_traps_the_customer(
    customer: Customer, state: AppState
) -> None:
    await customer.consent()
    await customer.choose()
    dark = {"image": ("photo.jpg", jpeg(1280, 960, (15, 15, 15)), "image/jpeg")}
    answers = [
        (await customer.post("capture/front", files=dark, json=True)).json() for _ in range(3)
    ]
    assert [a["accepted"] for a in answers] == [False, False, True]
    assert len(await _media(state, customer.session_id)) == 1


async def test_a_file_that_is_not_an_image_leaves_nothing_behind(
    customer: Customer, state: AppState
) -> None:
    await customer.consent()
    await customer.choose()
    bad = {"image": ("passport.jpg", b"%PDF-1.4 fake", "image/jpeg")}
    answer = await customer.post("capture/front", files=bad, json=True)
    assert answer.status_code == 422
    assert answer.json()["error"]["code"] == "UPLOAD_REJECTED"
    assert "not a photo" in answer.json()["error"]["message"]
    form_answer = await customer.post("capture/front", files=bad)
    assert form_answer.status_code == 303
    assert form_answer.headers["location"].endswith("?error=upload_not_image")
    assert "This file is not a photo" in (await customer.open("?error=upload_not_image")).text
    assert await _media(state, customer.session_id) == []
    assert _files(state) == []
    flow = await flow_of(state, customer.session_id)
    assert flow is not None
    assert flow.step == "capture_front"


async def test_uploads_over_the_size_limit_are_refused(customer: Customer) -> None:
    await customer.consent()
    await customer.choose()
    big = {"image": ("big.jpg", b"\xff\xd8\xff" + b"0" * (13 * 1024 * 1024), "image/jpeg")}
    answer = await customer.post("capture/front", files=big, json=True)
    assert answer.status_code == 413
    assert answer.json()["success"] is False


async def test_an_upload_for_another_step_is_refused(customer: Customer) -> None:
    await customer.consent()
    answer = await customer.post(
        "capture/front", files={"image": ("p.jpg", specimen(), "image/jpeg")}, json=True
    )
    assert answer.status_code == 409
    assert answer.json()["error"]["code"] == "FLOW_STEP_CONFLICT"


async def test_the_selfie_burst_is_stored_with_frame_times_and_the_challenge_is_stable(
    customer: Customer, state: AppState
) -> None:
    await customer.consent()
    await customer.choose()
    await customer.capture()
    first = (await customer.open()).text
    second = (await customer.open()).text
    steps = first.split('data-steps="')[1].split('"')[0]
    assert steps == second.split('data-steps="')[1].split('"')[0]
    assert {"turn_left", "turn_right"} <= set(steps.split(","))
    answer = await customer.upload_selfie(frames=5, json=True)
    assert answer.status_code == 200
    assert answer.json()["accepted"] is True
    frames = [r for r in await _media(state, customer.session_id) if r.kind == "selfie_frame"]
    assert [(f.index, f.frame_time_ms) for f in frames] == [(i, i * 300) for i in range(5)]
    assert "Ready to send" in (await customer.open()).text


async def test_too_many_selfie_frames_are_refused(customer: Customer, state: AppState) -> None:
    await customer.consent()
    await customer.choose()
    await customer.capture()
    answer = await customer.upload_selfie(frames=state.settings.selfie_max_frames + 1, json=True)
    assert answer.status_code == 400
    assert answer.json()["success"] is False
    assert [r.kind for r in await _media(state, customer.session_id)] == ["document_front"]


async def test_the_customer_can_go_back_and_retake_before_sending(
    customer: Customer, state: AppState
) -> None:
    await customer.reach_review()
    response = await customer.post("back", {"to": "capture_front"})
    assert response.status_code == 303
    assert "Photograph the page with your photo" in (await customer.open()).text
    await customer.capture()
    rows = await _media(state, customer.session_id)
    # The retaken photo replaced the first one; the selfie is kept.
    assert sorted(r.kind for r in rows) == ["document_front"] + ["selfie_frame"] * 4
    assert len(_files(state)) == 5


async def test_submitting_hands_the_session_over_once(
    customer: Customer, state: AppState, client: httpx.AsyncClient
) -> None:
    await customer.reach_review()
    response = await customer.post("submit", {})
    assert response.status_code == 303
    page = (await customer.open()).text
    assert "Checking your photos" in page or "You are verified" in page
    async with unit_of_work(state.sessionmaker) as db:
        session = await db.get(KycSession, uuid.UUID(customer.session_id))
        assert session is not None
        assert session.submitted_at is not None
    again = await customer.post("submit", {}, json=True)
    assert again.status_code == 409
    assert again.json()["success"] is False


async def test_the_status_endpoint_needs_the_page_cookie(
    customer: Customer, client: httpx.AsyncClient
) -> None:
    await customer.open()
    mine = await customer.http.get(f"{customer.url}/status")
    assert mine.status_code == 200
    assert mine.json()["step"] == "consent"
    async with httpx.AsyncClient(
        transport=client._transport, base_url="http://testserver"
    ) as other:
        theirs = await other.get(f"{customer.url}/status")
    assert theirs.status_code == 403
    assert theirs.json()["error"]["code"] == "FLOW_ACCESS_DENIED"


async def test_the_session_and_ip_rate_limits_apply(customer: Customer, state: AppState) -> None:
    await customer.open()
    answers = [(await customer.post("consent", {}, json=False)).status_code for _ in range(61)]
    assert answers[:60] == [303] * 60
    limited = await customer.post("consent", {}, json=True)
    assert limited.status_code == 429
    assert limited.json()["error"]["code"] == "RATE_LIMIT_EXCEEDED"
    assert int(limited.headers["retry-after"]) >= 1
