"""No dead ends, no wrong words: a selfie photo without a camera gets a way through the
merchant's policy controls, retake pages say the one or two things to fix, the review step
shows what will be sent, and the sandbox banner says what is true."""

from __future__ import annotations

import io
import re
import uuid

import pytest
from PIL import Image
from sqlalchemy import select, update

from openkyc.config import Settings
from openkyc.db.session import unit_of_work
from openkyc.flows.models import HostedFlow
from openkyc.merchants.models import Merchant
from openkyc.state import AppState
from openkyc.verifications.models import VerificationRun
from tests.support import MerchantInfo
from tests.web.conftest import Customer, jpeg, new_browser, selfie_frames
from tests.web.test_results import decide_pending


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"pipeline": "fake"})


async def _set_policy(state: AppState, merchant: MerchantInfo, policy: dict[str, object]) -> None:
    async with unit_of_work(state.sessionmaker) as db:
        await db.execute(
            update(Merchant).where(Merchant.id == uuid.UUID(merchant.id)).values(policy=policy)
        )


async def _at_selfie(customer: Customer) -> None:
    await customer.consent()
    await customer.choose()
    await customer.capture()


async def _upload_photo(customer: Customer, *, json: bool = False) -> object:
    return await customer.post(
        "selfie",
        files=[("frames", ("me.jpg", jpeg(720, 960, (180, 150, 130)), "image/jpeg"))],
        json=json,
    )


def _items(page: str, css_class: str) -> list[str]:
    block = re.search(rf'<ul class="{css_class}">(.*?)</ul>', page, re.S)
    assert block is not None, page
    return re.findall(r"<li>(.*?)</li>", block.group(1), re.S)


# --- a single uploaded selfie photo ---------------------------------------------------------


async def test_the_selfie_page_offers_the_phone_first_then_a_photo_for_manual_review(
    customer: Customer,
) -> None:
    await _at_selfie(customer)
    page = (await customer.open()).text
    handoff = page.index(f'action="{customer.url}/handoff"')
    upload = page.index('id="upload-selfie"')
    assert handoff < upload
    assert "a specialist will check it by hand" in page
    assert "move slowly" not in page


async def test_a_single_selfie_photo_goes_to_manual_review_with_no_live_capture(
    customer: Customer, state: AppState
) -> None:
    await _at_selfie(customer)
    # A recording first, then one photo instead: none of the recording's frames may remain.
    assert (await customer.upload_selfie(frames=5)).status_code == 303
    await customer.post("back", {"to": "selfie"})
    response = await _upload_photo(customer)
    assert response.status_code == 303  # type: ignore[attr-defined]
    assert await selfie_frames(state, customer.session_id) == 1

    review = (await customer.open()).text
    assert 'data-page="review"' in review
    assert "Your selfie is a photo, not a live recording" in review
    assert (await customer.post("submit")).status_code == 303
    await decide_pending(state)

    page = (await customer.open()).text
    assert "Your photos are being reviewed" in page
    assert "move slowly" not in page
    async with unit_of_work(state.sessionmaker) as db:
        run = await db.scalar(
            select(VerificationRun).where(
                VerificationRun.session_id == uuid.UUID(customer.session_id)
            )
        )
    assert run is not None
    assert run.outcome == "review"
    assert "NO_LIVE_CAPTURE" in run.reasons


async def test_a_recorded_selfie_is_not_treated_as_a_photo(
    customer: Customer, state: AppState
) -> None:
    await _at_selfie(customer)
    await customer.open()  # the selfie page issues the challenge the recording follows
    assert (await customer.upload_selfie(frames=6)).status_code == 303
    assert "Your selfie is a photo" not in (await customer.open()).text
    await customer.post("submit")
    await decide_pending(state)
    assert "You are verified" in (await customer.open()).text


async def test_a_merchant_may_refuse_a_photo_with_a_message_that_says_what_to_do(
    customer: Customer, state: AppState, merchant: MerchantInfo
) -> None:
    await _set_policy(state, merchant, {"noLiveCapture": "decline"})
    await _at_selfie(customer)
    page = (await customer.open()).text
    assert 'id="upload-selfie"' not in page
    assert f'action="{customer.url}/handoff"' in page
    assert "needs a live selfie recorded with a camera" in page

    answer = await _upload_photo(customer, json=True)
    assert answer.status_code == 422  # type: ignore[attr-defined]
    error = answer.json()["error"]  # type: ignore[attr-defined]
    assert error["code"] == "LIVE_CAPTURE_REQUIRED"
    assert "Continue on a phone with the QR code" in error["message"]
    form = await _upload_photo(customer)
    assert form.headers["location"].endswith("?error=live_capture_required")  # type: ignore[attr-defined]
    shown = (await customer.open("?error=live_capture_required")).text
    assert "open this link in a browser that can use the camera" in shown
    assert await selfie_frames(state, customer.session_id) == 0
    # A recording still goes through.
    assert (await customer.upload_selfie()).status_code == 303


# --- retake pages ---------------------------------------------------------------------------


async def _set_findings(state: AppState, session_id: str, codes: list[str]) -> None:
    async with unit_of_work(state.sessionmaker) as db:
        await db.execute(
            update(HostedFlow)
            .where(HostedFlow.session_id == uuid.UUID(session_id))
            .values(last_findings=codes)
        )


async def test_a_retake_page_shows_the_two_reasons_that_matter_most_actionable_first(
    customer: Customer, state: AppState
) -> None:
    await customer.consent()
    await customer.choose()
    # Seven findings, two of them saying the document is not in the photo.
    await _set_findings(
        state,
        customer.session_id,
        [
            "capture_mrz_not_found",
            "document_mrz_not_found",
            "capture_blurred",
            "capture_too_dark",
            "capture_face_not_found",
            "liveness_face_lost",
            "POOR_QUALITY",
        ],
    )
    items = _items((await customer.open()).text, "findings-list")
    assert items == [
        "The photo is too dark. Move to a brighter place.",
        "We could not find the machine-readable lines (with &lt;&lt;&lt;). Photograph the side "
        "that has them, whole and in focus.",
    ]


async def test_a_retake_result_shows_at_most_two_reasons(
    customer: Customer, state: AppState
) -> None:
    await customer.reach_review()
    await customer.post("submit", {"sandbox_outcome": "retake"})
    await decide_pending(state)
    async with unit_of_work(state.sessionmaker) as db:
        run = await db.scalar(
            select(VerificationRun).where(
                VerificationRun.session_id == uuid.UUID(customer.session_id)
            )
        )
        assert run is not None
        run.hints = [
            "selfie_blurry",
            "document_mrz_not_found",
            "capture_mrz_not_found",
            "selfie_face_cut_off",
            "liveness_face_lost",
        ]
    page = (await customer.open()).text
    assert "Please take the photos again" in page
    reasons = _items(page, "reasons")
    assert len(reasons) == 2
    assert reasons[0].startswith("We could not find the machine-readable lines")
    assert (
        reasons[1] == "Part of your face is outside the frame. Keep your whole face in the frame."
    )


# --- the review step ------------------------------------------------------------------------


async def test_the_review_step_is_step_three_of_three_with_thumbnails_and_retake_links(
    customer: Customer,
) -> None:
    await customer.reach_review("kz_id_card")
    page = (await customer.open()).text
    assert "Step 3 of 3" in page
    current = re.findall(r'<li class="current" aria-current="step"><span>(.*?)</span>', page)
    assert current == ["Check and send"]
    assert "Result</span>" not in page
    items = re.findall(r'<li class="summary-item">(.*?)</li>', page, re.S)
    assert len(items) == 3
    for item, part, step in zip(
        items, ("front", "back", "selfie"), ("capture_front", "capture_back", "selfie"), strict=True
    ):
        assert f'src="{customer.url}/captures/{part}"' in item
        assert f'name="to" value="{step}"' in item
        assert 'class="link"' in item


async def test_a_thumbnail_is_served_small_uncached_and_only_to_the_customer(
    customer: Customer, client: object, state: AppState
) -> None:
    await customer.reach_review()
    response = await customer.http.get(f"{customer.url}/captures/front")
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/jpeg"
    assert response.headers["cache-control"] == "no-store"
    with Image.open(io.BytesIO(response.content)) as image:
        assert max(image.size) <= 320
    assert (await customer.http.get(f"{customer.url}/captures/selfie")).status_code == 200
    assert (await customer.http.get(f"{customer.url}/captures/back")).status_code == 404
    assert (await customer.http.get(f"{customer.url}/captures/other")).status_code == 404

    import httpx

    assert isinstance(client, httpx.AsyncClient)
    async with new_browser(client) as stranger:
        refused = await stranger.get(f"{customer.url}/captures/front")
        assert refused.status_code == 403
        assert refused.headers["content-type"].startswith("application/json")

    await customer.post("submit", {"sandbox_outcome": "approve"})
    await decide_pending(state)
    assert (await customer.http.get(f"{customer.url}/captures/front")).status_code == 409


async def test_earlier_steps_name_their_own_step(customer: Customer) -> None:
    await customer.consent()
    assert "Step 1 of 3" in (await customer.open()).text
    await customer.choose()
    assert "Step 1 of 3" in (await customer.open()).text
    await customer.capture()
    page = (await customer.open()).text
    assert "Step 2 of 3" in page
    assert re.findall(r'aria-current="step"><span>(.*?)</span>', page) == ["Selfie"]


# --- the sandbox banner ---------------------------------------------------------------------


async def test_the_sandbox_banner_says_what_is_true(customer: Customer) -> None:
    await customer.reach_review()
    page = (await customer.open()).text
    assert "no real check is made" not in page
    assert "no documents are needed" not in page
    assert (
        "the real checks run on real photos, unless you force a result with the buttons on the "
        "last step" in page
    )
    # The primary button runs the real checks; each sandbox button names its outcome.
    assert re.search(r'<button type="submit" class="button primary-action">Send for', page)
    for outcome in ("approve", "decline", "retake", "review"):
        assert f'name="sandbox_outcome" value="{outcome}"' in page
