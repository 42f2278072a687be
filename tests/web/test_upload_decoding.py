"""Uploads are measured from their headers and decoded before the flow is locked (issue 21,
item 5): a selfie frame is bounded to a few megapixels and a burst as a whole, and while an
upload waits for or is decoding, other writers (a signed create, the customer's other tab)
are not blocked."""

from __future__ import annotations

import asyncio
import struct
import zlib

import httpx

from openkyc.state import AppState
from tests.support import SignedApi
from tests.web.conftest import Customer, jpeg, selfie_frames


def declared_png(width: int, height: int) -> bytes:
    """A PNG whose header declares ``width`` x ``height`` but whose pixels are missing: a
    refusal by size proves the header was read; decoding it would say 'corrupt'."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + chunk(b"IEND", b"")
    )


async def _at_selfie(customer: Customer) -> None:
    await customer.consent()
    await customer.choose()
    await customer.capture()


async def test_a_selfie_frame_of_more_than_a_few_megapixels_is_refused_unread(
    customer: Customer, state: AppState
) -> None:
    await _at_selfie(customer)
    frames = [jpeg(720, 960), declared_png(2100, 2100), jpeg(720, 960)]  # 4.4 MP > 4 MP
    answer = await customer.send_burst(frames, [0, 300, 600])
    assert answer.status_code == 422, answer.text
    assert answer.headers["x-openkyc-reason"] == "selfie_too_many_pixels"
    assert "too large" in answer.json()["error"]["message"]
    assert await selfie_frames(state, customer.session_id) == 0


async def test_a_burst_is_bounded_in_pixels_as_a_whole(customer: Customer) -> None:
    await _at_selfie(customer)
    frames = [declared_png(2000, 1900) for _ in range(13)]  # 3.8 MP each, 49.4 MP together
    answer = await customer.send_burst(frames, [i * 100 for i in range(13)])
    assert answer.status_code == 422, answer.text
    assert answer.headers["x-openkyc-reason"] == "selfie_too_many_pixels"


async def test_a_document_photo_is_still_bounded_by_its_own_cap(customer: Customer) -> None:
    await customer.consent()
    await customer.choose()
    answer = await customer.post(
        "capture/front",
        files={"image": ("p.png", declared_png(6400, 6400), "image/png")},
        json=True,
    )
    assert answer.status_code == 422
    assert answer.headers["x-openkyc-reason"] == "upload_too_many_pixels"


class Gate:
    """Stands in for the app's decoding slots: holds every decode until opened."""

    def __init__(self) -> None:
        self.waiting = asyncio.Event()
        self.opened = asyncio.Event()

    async def __aenter__(self) -> None:
        self.waiting.set()
        await self.opened.wait()

    async def __aexit__(self, *exc: object) -> None:
        return None


def install_gate(client: httpx.AsyncClient) -> Gate:
    gate = Gate()
    client._transport.app.state.decode_slots = gate  # type: ignore[attr-defined]
    return gate


async def test_writers_are_not_blocked_while_an_upload_waits_to_be_decoded(
    customer: Customer, api: SignedApi, client: httpx.AsyncClient, state: AppState
) -> None:
    await _at_selfie(customer)
    gate = install_gate(client)
    upload = asyncio.create_task(customer.upload_selfie(frames=4, json=True))
    await asyncio.wait_for(gate.waiting.wait(), timeout=10)
    # The upload is parked before decoding: no transaction, no lock is held by it.
    created = await asyncio.wait_for(api.create_session(customerId="meanwhile"), timeout=5)
    assert created["status"] == "NOT_STARTED"
    gate.opened.set()
    answer = await asyncio.wait_for(upload, timeout=30)
    assert answer.status_code == 200, answer.text
    assert answer.json()["accepted"] is True
    assert await selfie_frames(state, customer.session_id) == 4


async def test_a_flow_changed_while_decoding_refuses_the_upload(
    customer: Customer, client: httpx.AsyncClient, state: AppState
) -> None:
    await _at_selfie(customer)
    gate = install_gate(client)
    upload = asyncio.create_task(customer.upload_selfie(frames=4, json=True))
    await asyncio.wait_for(gate.waiting.wait(), timeout=10)
    # The customer went back in another tab meanwhile: the burst no longer belongs anywhere.
    back = await asyncio.wait_for(customer.post("back", {"to": "capture_front"}), timeout=5)
    assert back.status_code == 303
    gate.opened.set()
    answer = await asyncio.wait_for(upload, timeout=30)
    assert answer.status_code == 409, answer.text
    assert answer.json()["error"]["code"] == "FLOW_STEP_CONFLICT"
    assert await selfie_frames(state, customer.session_id) == 0
