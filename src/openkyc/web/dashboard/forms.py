"""The plumbing the admin pages share: who asks, with which state and unit of work, and the
notice shown after a redirect (303, so a reload never posts the form again). Ids from the
path are read as the API reads them (:func:`openkyc.api.params.parse_id`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from fastapi.responses import RedirectResponse
from sqlalchemy.ext.asyncio import AsyncSession

from openkyc.api.dependencies import db_session, get_state
from openkyc.state import AppState
from openkyc.web.dashboard.auth import require_roles, verify_csrf
from openkyc.web.dashboard.principal import ADMIN, OperatorPrincipal
from openkyc.web.dashboard.rendering import translator

admin_only = require_roles(ADMIN)


@dataclass(frozen=True, slots=True)
class AdminRequest:
    """What every admin page handler works with."""

    request: Request
    principal: OperatorPrincipal
    state: AppState
    db: AsyncSession


async def _admin_page(
    request: Request,
    principal: OperatorPrincipal = Depends(admin_only),
    state: AppState = Depends(get_state),
    db: AsyncSession = Depends(db_session, scope="function"),
) -> AdminRequest:
    return AdminRequest(request, principal, state, db)


async def _admin_form(
    request: Request,
    principal: OperatorPrincipal = Depends(admin_only),
    _csrf: OperatorPrincipal = Depends(verify_csrf),
    state: AppState = Depends(get_state),
    db: AsyncSession = Depends(db_session, scope="function"),
) -> AdminRequest:
    return AdminRequest(request, principal, state, db)


# Function scope, as the session's: the transaction commits before the answer is sent.
AdminPage = Annotated[AdminRequest, Depends(_admin_page, scope="function")]
"""An admin reading a page."""
AdminForm = Annotated[AdminRequest, Depends(_admin_form, scope="function")]
"""An admin posting a form: the CSRF token checked (role first, as for a page)."""


def notice_text(request: Request, notices: Mapping[str, str]) -> str | None:
    """The translated notice the ``notice`` query parameter names; an unknown key shows none."""
    key = request.query_params.get("notice") or ""
    return translator(request).gettext(notices[key]) if key in notices else None


def redirect_with_notice(path: str, notice: str, anchor: str = "") -> RedirectResponse:
    return RedirectResponse(f"{path}?notice={notice}{anchor}", status_code=303)
