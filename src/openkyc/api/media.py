"""The evidence API (extension): a merchant who must keep the evidence fetches the session's
stored images. Needs a key with the ``media`` scope; every read is audited; nothing is
cached on the way (``Cache-Control: no-store``). After erasure or retention deletion the list
is empty and each item is a 404, like an unknown id."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Depends, Response
from sqlalchemy.ext.asyncio import AsyncSession

from openkyc.api.dependencies import MerchantPrincipal, db_session, get_state, require_scope
from openkyc.api.openapi import SIGNED
from openkyc.api.params import parse_id
from openkyc.media.errors import MediaNotFound
from openkyc.media.models import MediaObject
from openkyc.media.service import MediaService
from openkyc.sessions.errors import SessionNotFound
from openkyc.sessions.schemas import format_timestamp
from openkyc.sessions.service import SessionService
from openkyc.state import AppState

router = APIRouter(prefix="/api/v2/kyc/sessions", tags=["Evidence (extension)"])
# The hosted page re-encodes every upload as a JPEG (media/sanitise.py).
CONTENT_TYPE = "image/jpeg"
_NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}
_READER = Depends(require_scope("media"))


async def _session_id(
    session_id: str, principal: MerchantPrincipal, session: AsyncSession, state: AppState
) -> uuid.UUID:
    parsed = parse_id(session_id, SessionNotFound)
    sessions = SessionService(
        session, state.keyring, default_ttl_minutes=state.settings.session_ttl_minutes
    )
    return (await sessions.get(principal.tenant, parsed)).id


def _item(media_object: MediaObject) -> dict[str, Any]:
    return {
        "id": str(media_object.id),
        "kind": media_object.kind,
        "attempt": media_object.attempt,
        "index": media_object.index,
        "contentType": CONTENT_TYPE,
        "size": media_object.size,
        "sha256": media_object.sha256,
        "capturedAt": format_timestamp(media_object.created_at),
    }


@router.get("/{session_id}/media", openapi_extra=SIGNED)
async def list_media(
    session_id: str,
    response: Response,
    principal: MerchantPrincipal = _READER,
    session: AsyncSession = Depends(db_session, scope="function"),
    state: AppState = Depends(get_state),
) -> dict[str, Any]:
    """The session's stored images: kind (document_front, document_back, selfie_frame),
    attempt, index, content type, size and SHA-256 of the stored image, and capture time."""
    found = await _session_id(session_id, principal, session, state)
    objects = await MediaService(session, state).catalogue(
        found, actor_type="merchant", actor_id=str(principal.api_key_id)
    )
    response.headers.update(_NO_STORE)
    return {"success": True, "data": [_item(media_object) for media_object in objects]}


@router.get("/{session_id}/media/{media_id}", openapi_extra=SIGNED)
async def get_media(
    session_id: str,
    media_id: str,
    principal: MerchantPrincipal = _READER,
    session: AsyncSession = Depends(db_session, scope="function"),
    state: AppState = Depends(get_state),
) -> Response:
    """One image, decrypted (``image/jpeg``); ``x-content-sha256`` is its digest."""
    found = await _session_id(session_id, principal, session, state)
    media_object, plaintext = await MediaService(session, state).read_one(
        found,
        parse_id(media_id, MediaNotFound),
        actor_type="merchant",
        actor_id=str(principal.api_key_id),
    )
    return Response(
        plaintext,
        media_type=CONTENT_TYPE,
        headers={**_NO_STORE, "x-content-sha256": media_object.sha256},
    )
