"""The customer's entry point, ``/verify/{id}``. The full capture flow grows here."""

from __future__ import annotations

import uuid
from pathlib import Path

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from sqlalchemy.ext.asyncio import AsyncSession

from openkyc.api.dependencies import db_session, get_state
from openkyc.db.base import utcnow
from openkyc.sessions.errors import SessionNotFound
from openkyc.sessions.presenters import effective_status
from openkyc.sessions.service import SessionService
from openkyc.state import AppState

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=Path(__file__).resolve().parent.parent / "templates")


@router.get("/verify/{session_id}", response_class=HTMLResponse)
async def verification_page(
    request: Request,
    session_id: str,
    session: AsyncSession = Depends(db_session),
    state: AppState = Depends(get_state),
) -> HTMLResponse:
    try:
        parsed = uuid.UUID(session_id)
    except ValueError:
        raise SessionNotFound() from None
    service = SessionService(
        session, state.keyring, default_ttl_minutes=state.settings.session_ttl_minutes
    )
    kyc_session = await service.get_by_id(parsed)
    status = effective_status(kyc_session, utcnow())
    return templates.TemplateResponse(
        request,
        "hosted/landing.html",
        {"status": status.value, "language": kyc_session.language},
    )
