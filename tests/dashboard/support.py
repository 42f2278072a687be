"""Signing in to the dashboard the way a browser does: read the form, post it, keep cookies.
Shared by every dashboard test (queue, cases, merchants...)."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import httpx

from openkyc.db.session import unit_of_work
from openkyc.operators.service import OperatorService
from openkyc.state import AppState

PASSWORD = "correct horse battery staple"
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass(frozen=True)
class OperatorInfo:
    id: uuid.UUID
    email: str
    role: str
    password: str


async def create_operator(
    state: AppState,
    *,
    email: str | None = None,
    role: str = "reviewer",
    merchant_ids: Iterable[uuid.UUID | str] = (),
    password: str | None = PASSWORD,
) -> tuple[OperatorInfo, str | None]:
    email = email or f"{role}-{uuid.uuid4().hex[:8]}@example.com"
    async with unit_of_work(state.sessionmaker) as db:
        operator, one_time = await OperatorService(db, state).create(
            email=email,
            role=role,
            merchant_ids=[uuid.UUID(str(m)) for m in merchant_ids],
            password=password,
        )
    info = OperatorInfo(operator.id, operator.email, operator.role, password or one_time or "")
    return info, one_time


def csrf_of(html: str) -> str:
    match = _CSRF.search(html)
    assert match, "no csrf_token field on the page"
    return match.group(1)


async def post_login(
    http: httpx.AsyncClient, email: str, password: str, **extra: str
) -> httpx.Response:
    page = await http.get("/dashboard/login")
    form = {"email": email, "password": password, "csrf_token": csrf_of(page.text), **extra}
    return await http.post("/dashboard/login", data=form)


async def sign_in(http: httpx.AsyncClient, operator: OperatorInfo) -> str:
    """Signs ``operator`` in on ``http``; returns the session's CSRF token for posts."""
    response = await post_login(http, operator.email, operator.password)
    assert response.status_code == 303, response.text
    return await csrf_token(http)


async def csrf_token(http: httpx.AsyncClient) -> str:
    page = await http.get("/dashboard/account/password")
    assert page.status_code == 200, page.status_code
    return csrf_of(page.text)


def form(csrf: str, **fields: Any) -> dict[str, Any]:
    return {"csrf_token": csrf, **fields}
