"""Test mode's "use a sample document" and "use a sample selfie": a synthetic document of the
chosen kind and a burst of the same person for this session's challenge, stored as uploads
are, so the real checks run on them; a live session answers 404 like a missing id."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import httpx

from openkyc.db.session import unit_of_work
from openkyc.media.service import MediaService
from openkyc.state import AppState
from openkyc.verification.document import DocumentReader
from openkyc.verification.liveness.challenge import Challenge
from tests.support import MerchantInfo, SignedApi
from tests.web.conftest import Customer, flow_of, selfie_frames


async def test_sample_document_and_selfie_walk_a_test_session_to_review(
    state: AppState, customer: Customer
) -> None:
    await customer.consent()
    await customer.choose("kz_id_card")  # two sides: both are rendered
    page = await customer.open()
    assert 'id="use-sample-document"' in page.text
    response = await customer.post("sample/document")
    assert response.status_code == 303, response.text
    flow = await flow_of(state, customer.session_id)
    assert flow is not None
    assert flow.step == "selfie"
    assert 'id="use-sample-selfie"' in (await customer.open()).text
    flow = await flow_of(state, customer.session_id)
    assert flow is not None
    assert flow.challenge_json is not None
    response = await customer.post("sample/selfie")
    assert response.status_code == 303, response.text
    flow = await flow_of(state, customer.session_id)
    assert flow is not None
    assert flow.step == "review"
    assert await selfie_frames(state, customer.session_id) >= 6

    async with unit_of_work(state.sessionmaker) as db:
        media = await MediaService(db, state).load_inputs(uuid.UUID(customer.session_id))
    assert media.document_back is not None
    assert media.frame_times_ms is not None
    assert Challenge.from_json(media.challenge_json or "").steps
    # The real reader reads the rendered card: valid check digits, valid today.
    read = DocumentReader().read(media.document_front, media.document_back)
    assert read.valid, read
    assert read.issuing_country == "KAZ"
    assert read.expiry_date is not None
    assert read.expiry_date > dt.date.today()


async def test_a_live_session_has_no_samples(
    client: httpx.AsyncClient, merchant: MerchantInfo
) -> None:
    live = SignedApi(client, merchant.live)
    created: dict[str, Any] = await live.create_session()
    customer = Customer(client, created["id"])
    await customer.consent()
    await customer.choose()
    assert 'id="use-sample-document"' not in (await customer.open()).text
    response = await customer.post("sample/document")
    assert response.status_code == 404
