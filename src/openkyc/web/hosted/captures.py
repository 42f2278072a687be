"""What the customer is about to send, shown back on the review step as small thumbnails.

Served only to the browser holding the page cookie, only while the session is still open,
decrypted through :class:`~openkyc.media.service.MediaService` (every read is audited) and
never cached (``Cache-Control: no-store`` like every hosted response).
"""

from __future__ import annotations

import asyncio
import io
from dataclasses import dataclass, field

from fastapi import APIRouter, Request
from fastapi.responses import Response
from PIL import Image

from openkyc.flows.errors import FlowAccessDenied, FlowClosed
from openkyc.media.models import MediaKind, MediaObject
from openkyc.sessions.errors import SessionNotFound
from openkyc.web.hosted.security import PAGE_COOKIE, apply_headers
from openkyc.web.hosted.visit import Visit, act, failure

router = APIRouter(include_in_schema=False)

PARTS = {
    "front": MediaKind.DOCUMENT_FRONT.value,
    "back": MediaKind.DOCUMENT_BACK.value,
    "selfie": MediaKind.SELFIE_FRAME.value,
}
THUMBNAIL_SIDE = 320


@dataclass
class Captures:
    """The latest capture of each part (what the worker will read), and how many frames the
    selfie has: one frame is an uploaded photo, not a recording."""

    objects: dict[str, MediaObject] = field(default_factory=dict)
    selfie_frames: int = 0

    @property
    def parts(self) -> tuple[str, ...]:
        return tuple(part for part in PARTS if part in self.objects)


async def current_captures(visit: Visit) -> Captures:
    captures = Captures()
    stored = await visit.media_service().list_for_session(visit.kyc_session.id)
    latest: dict[str, int] = {}
    for media_object in stored:
        latest[media_object.kind] = max(latest.get(media_object.kind, 0), media_object.attempt)
    # A back photo belongs to the front's attempt (as the worker reads them).
    front_attempt = latest.get(MediaKind.DOCUMENT_FRONT.value)
    for part, kind in PARTS.items():
        attempt = front_attempt if kind == MediaKind.DOCUMENT_BACK.value else latest.get(kind)
        of_attempt = [o for o in stored if o.kind == kind and o.attempt == attempt]
        if not of_attempt:
            continue
        # Listed by attempt, kind, index, time: the first selfie frame looks straight ahead;
        # for a document the last one stored is the one used.
        captures.objects[part] = of_attempt[0] if part == "selfie" else of_attempt[-1]
        if part == "selfie":
            captures.selfie_frames = len(of_attempt)
    return captures


def _thumbnail(data: bytes) -> bytes:
    with Image.open(io.BytesIO(data)) as image:
        image.thumbnail((THUMBNAIL_SIDE, THUMBNAIL_SIDE))
        out = io.BytesIO()
        image.convert("RGB").save(out, format="JPEG", quality=80)
        return out.getvalue()


@router.get("/verify/{session_id}/captures/{part}")
async def capture_thumbnail(request: Request, session_id: str, part: str) -> Response:
    if part not in PARTS:
        return failure(request, session_id, SessionNotFound(), as_json=True)

    async def action(visit: Visit) -> Response:
        flow = await visit.flows.get(visit.kyc_session.id)
        if flow is None or not visit.flows.token_matches(flow, request.cookies.get(PAGE_COOKIE)):
            raise FlowAccessDenied()
        if visit.status.is_terminal:
            raise FlowClosed()
        media_object = (await current_captures(visit)).objects.get(part)
        if media_object is None:
            raise SessionNotFound()
        data = await visit.media_service().read(media_object, actor_type="customer")
        small = await asyncio.to_thread(_thumbnail, data)
        return apply_headers(Response(small, media_type="image/jpeg"))

    return await act(request, session_id, action, post=False, as_json=True)
