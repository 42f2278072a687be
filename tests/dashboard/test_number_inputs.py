"""Numbers typed into dashboard forms and query strings are ASCII digits or a 400 naming the
field: a superscript digit passes ``str.isdigit()`` but not ``int()`` (issue 21, item 2)."""

from __future__ import annotations

import uuid

import httpx
import pytest

from openkyc.db.session import unit_of_work
from openkyc.merchants.service import MerchantService
from openkyc.state import AppState
from tests.dashboard.support import OperatorInfo, sign_in
from tests.support import MerchantInfo


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/dashboard/overview", {"days": "3\u00b2"}),
        ("/dashboard/sessions", {"page": "1\u00b9"}),
        ("/dashboard/sessions", {"page": "\u0661"}),  # an Arabic-Indic one
    ],
)
async def test_a_unicode_digit_in_a_query_is_a_400(
    client: httpx.AsyncClient, admin: OperatorInfo, path: str, params: dict[str, str]
) -> None:
    await sign_in(client, admin)
    page = await client.get(path, params=params)
    assert page.status_code == 400
    assert f'data-error="{next(iter(params))}"' in page.text or "must be" in page.text


async def test_a_unicode_digit_in_the_audit_cursor_is_ignored(
    client: httpx.AsyncClient, admin: OperatorInfo
) -> None:
    await sign_in(client, admin)
    page = await client.get("/dashboard/audit", params={"before": "5\u00b2"})
    assert page.status_code == 200


async def test_a_unicode_digit_as_grace_hours_is_a_400_and_no_key_is_issued(
    client: httpx.AsyncClient, state: AppState, admin: OperatorInfo, merchant: MerchantInfo
) -> None:
    csrf = await sign_in(client, admin)
    before = await _key_ids(state, merchant)
    rotated = await client.post(
        f"/dashboard/merchants/{merchant.id}/keys/{sorted(before)[0]}/rotate",
        data={"csrf_token": csrf, "grace_hours": "2\u00b2"},
    )
    assert rotated.status_code == 400
    assert await _key_ids(state, merchant) == before


async def _key_ids(state: AppState, merchant: MerchantInfo) -> set[uuid.UUID]:
    async with unit_of_work(state.sessionmaker) as db:
        keys = await MerchantService(db, state.keyring).list_keys(uuid.UUID(merchant.id))
    return {key.id for key in keys}
