"""Test mode only: "use a sample document" and "use a sample selfie" on the hosted page, so the
whole real pipeline can be clicked through on a laptop with no camera and no identity document.

The specimen generator renders a document of the kind the customer chose, for a random identity
valid today, and a selfie burst of the same synthetic person for the session's issued
challenge. Person, identity and seeds follow from the session id, so the selfie matches the
document. The images are stored exactly as an accepted upload would be, and the flow moves on
as after one; the decision is the pipeline's. A live session answers 404, like a missing id.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import random
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException as StarletteHTTPException

from openkyc.errors import OpenKycError
from openkyc.flows.errors import FlowStepConflict
from openkyc.flows.models import FlowStep
from openkyc.media.models import MediaKind
from openkyc.sessions.errors import SessionNotFound
from openkyc.web.hosted.visit import Action, Visit, act, authorise, failure, open_visit, redirect

if TYPE_CHECKING:
    from openkyc.specimens.faces import SourceFace

router = APIRouter(include_in_schema=False)

# The hosted page's document choices as the specimen generator names them.
SPECIMEN_KINDS = {
    "ru_internal_passport": "ru_internal_passport",
    "ru_international_passport": "ru_international_passport",
    "kz_id_card": "kz_id_card",
    "kz_passport": "kz_passport",
    "passport": "td3_passport",
}


@dataclass(frozen=True, slots=True)
class SampleDocument:
    front: bytes
    back: bytes | None


def _person(session_id: uuid.UUID) -> tuple[SourceFace, int]:
    from openkyc.specimens.faces import source_faces

    faces = source_faces()
    return faces[session_id.int % len(faces)], (session_id.int >> 64) % (2**31)


def render_sample_document(session_id: uuid.UUID, kind: str, today: dt.date) -> SampleDocument:
    from openkyc.specimens.documents import (
        random_distortion,
        random_identity,
        render_document,
        valid_on,
    )

    face, seed = _person(session_id)
    specimen_kind = SPECIMEN_KINDS[kind]
    # Reproducible synthetic data, not secrets: a seeded PRNG is the point.
    rng = random.Random(seed)  # noqa: S311
    identity = valid_on(random_identity(specimen_kind, rng), today)
    distortion = random_distortion("clean", rng, kind=specimen_kind)
    doc = render_document(specimen_kind, identity, face, distortion, rng.randrange(2**31))
    return SampleDocument(front=doc.front_jpeg, back=doc.back_jpeg)


def render_sample_selfie(
    session_id: uuid.UUID, challenge_json: str
) -> tuple[list[bytes], list[int]]:
    from openkyc.specimens.selfies import render_selfie_frames
    from openkyc.verification.liveness.challenge import Challenge

    face, seed = _person(session_id)
    frames, times = render_selfie_frames(face, Challenge.from_json(challenge_json), seed)
    return list(frames), [int(t) for t in times]


@dataclass(frozen=True, slots=True)
class _Before:
    step: str
    document_kind: str | None
    attempt: int
    challenge_json: str | None


async def _look(request: Request, session_id: str, form: FormData) -> _Before:
    async with open_visit(request, session_id, post=True) as visit:
        flow = await authorise(visit, form, lock=False)
        if visit.kyc_session.mode != "test":
            raise SessionNotFound()
        return _Before(flow.step, flow.document_kind, flow.attempt, flow.challenge_json)


@router.post("/verify/{session_id}/sample/document")
async def sample_document(request: Request, session_id: str) -> Response:
    try:
        async with request.form(max_files=0, max_fields=4) as form:
            before = await _look(request, session_id, form)
            kind = before.document_kind
            if before.step != FlowStep.CAPTURE_FRONT.value or kind not in SPECIMEN_KINDS:
                raise FlowStepConflict()
            # Rendering takes seconds: outside any transaction, off the event loop.
            sample = await asyncio.to_thread(
                render_sample_document, uuid.UUID(session_id), kind, dt.date.today()
            )
            return await act(request, session_id, _store_document(form, before, sample),
                             limited=False)  # fmt: skip
    except (OpenKycError, StarletteHTTPException) as exc:
        return failure(request, session_id, exc)


def _store_document(form: FormData, before: _Before, sample: SampleDocument) -> Action:
    async def action(visit: Visit) -> Response:
        flow = await authorise(visit, form)
        if flow.step != before.step or flow.document_kind != before.document_kind:
            raise FlowStepConflict()
        media = visit.media_service()
        await media.store(
                visit.kyc_session.id, MediaKind.DOCUMENT_FRONT.value, sample.front,
                attempt=flow.attempt,
            )  # fmt: skip
        await visit.flows.capture_accepted(flow, "front")
        if sample.back is not None and flow.step == FlowStep.CAPTURE_BACK.value:
            await media.store(
                    visit.kyc_session.id, MediaKind.DOCUMENT_BACK.value, sample.back,
                    attempt=flow.attempt,
                )  # fmt: skip
            await visit.flows.capture_accepted(flow, "back")
        return redirect(visit.page_url)

    return action


@router.post("/verify/{session_id}/sample/selfie")
async def sample_selfie(request: Request, session_id: str) -> Response:
    try:
        async with request.form(max_files=0, max_fields=4) as form:
            before = await _look(request, session_id, form)
            if before.step != FlowStep.SELFIE.value or before.challenge_json is None:
                raise FlowStepConflict()
            frames, times = await asyncio.to_thread(
                render_sample_selfie, uuid.UUID(session_id), before.challenge_json
            )
            return await act(request, session_id, _store_selfie(form, before, frames, times),
                             limited=False)  # fmt: skip
    except (OpenKycError, StarletteHTTPException) as exc:
        return failure(request, session_id, exc)


def _store_selfie(form: FormData, before: _Before, frames: list[bytes], times: list[int]) -> Action:
    async def action(visit: Visit) -> Response:
        flow = await authorise(visit, form)
        if (
            flow.step != FlowStep.SELFIE.value
            or flow.attempt != before.attempt
            or flow.challenge_json != before.challenge_json
        ):
            raise FlowStepConflict()
        media = visit.media_service()
        await media.drop_attempt(visit.kyc_session.id, MediaKind.SELFIE_FRAME.value, flow.attempt)
        for index, (frame, at) in enumerate(zip(frames, times, strict=True)):
            await media.store(
                    visit.kyc_session.id, MediaKind.SELFIE_FRAME.value, frame,
                    attempt=flow.attempt, index=index, frame_time_ms=at,
                )  # fmt: skip
        await visit.flows.selfie_accepted(flow, len(frames))
        return redirect(visit.page_url)

    return action
