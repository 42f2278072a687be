"""Searching sessions: filters, exact personal values through keyed hashes, scoping."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from openkyc.audit.models import AuditEvent
from openkyc.db.session import unit_of_work
from openkyc.state import AppState
from tests.dashboard.support import OperatorInfo, sign_in
from tests.reviews.factories import in_review
from tests.support import MerchantInfo
from tests.verifications.factories import new_session


def _found(html: str) -> set[str]:
    return set(re.findall(r'<tr data-session="([^"]+)"', html))


@pytest.fixture
async def sessions(state: AppState, merchant: MerchantInfo, make_merchant: Any) -> dict[str, Any]:
    other = await make_merchant(name="Other shop")
    a = await new_session(
        state,
        merchant.id,
        customer_email="Anna@Example.org",
        customer_phone="+77011234567",
        customer_id="cust-1",
    )
    b = await in_review(state, merchant.id, customer_email="boris@example.org")
    c = await new_session(state, other.id, mode="test", customer_id="cust-1")
    return {"a": str(a), "b": str(b), "c": str(c), "other": other}


async def test_filters_and_exact_personal_values_find_the_right_sessions(
    client: httpx.AsyncClient,
    state: AppState,
    sessions: dict[str, Any],
    admin: OperatorInfo,
    merchant: MerchantInfo,
) -> None:
    await sign_in(client, admin)

    async def search(**params: str) -> set[str]:
        page = await client.get("/dashboard/sessions", params=params)
        assert page.status_code == 200, page.text
        return _found(page.text)

    assert await search() == {sessions["a"], sessions["b"], sessions["c"]}
    assert await search(email="anna@example.ORG ") == {sessions["a"]}
    assert await search(phone="+7 701 123-45-67") == {sessions["a"]}
    assert await search(document="000001234") == {sessions["b"]}  # the sandbox's number
    assert await search(email="nobody@example.org") == set()
    assert await search(customerId="cust-1") == {sessions["a"], sessions["c"]}
    assert await search(customerId="cust-1", mode="test") == {sessions["c"]}
    assert await search(merchant=merchant.id) == {sessions["a"], sessions["b"]}
    assert await search(status="IN_PROGRESS") == {sessions["b"]}
    assert await search(status="NOT_STARTED") == {sessions["a"], sessions["c"]}
    assert await search(session=sessions["c"]) == {sessions["c"]}
    assert await search(session=f"verification-{sessions['c']}") == {sessions["c"]}
    assert await search(**{"from": "2000-01-01", "to": "2000-01-02"}) == set()
    assert len(await search(**{"from": "2000-01-01"})) == 3

    async with unit_of_work(state.sessionmaker) as db:
        events = (
            await db.scalars(select(AuditEvent).where(AuditEvent.action == "sessions.searched"))
        ).all()
    assert [event.data["by"] for event in events][:2] == [["email"], ["phone"]]
    assert "anna" not in str([event.data for event in events]).lower()


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"status": "DONE"}, "status"),
        ({"from": "yesterday"}, "from"),
        ({"session": "not-a-uuid"}, "session"),
        ({"email": "no-at-sign"}, "email"),
        ({"phone": "12"}, "phone"),
        ({"mode": "prod"}, "mode"),
        ({"page": "-1"}, "page"),
        ({"from": "2026-02-01", "to": "2026-01-01"}, "to"),
    ],
)
async def test_a_bad_filter_is_a_400_naming_the_field(
    client: httpx.AsyncClient, admin: OperatorInfo, params: dict[str, str], field: str
) -> None:
    await sign_in(client, admin)
    page = await client.get("/dashboard/sessions", params=params)
    assert page.status_code == 400
    assert f'data-error="{field}"' in page.text
    assert 'data-session="' not in page.text


async def test_a_merchant_bound_operator_finds_only_their_merchants_sessions(
    client: httpx.AsyncClient, sessions: dict[str, Any], make_operator: Any
) -> None:
    bound = await make_operator(role="reviewer", merchant_ids=[sessions["other"].id])
    await sign_in(client, bound)
    page = await client.get("/dashboard/sessions")
    assert _found(page.text) == {sessions["c"]}
    assert "Test merchant" not in page.text  # not even in the merchant filter
    by_email = await client.get("/dashboard/sessions", params={"email": "anna@example.org"})
    assert _found(by_email.text) == set()
    by_id = await client.get("/dashboard/sessions", params={"session": sessions["a"]})
    assert _found(by_id.text) == set()
