"""The hosted page's brand in the dashboard's merchant settings: admin only, CSRF, a multipart
form whose bad fields are named beside themselves, saved through MerchantService (audited)."""

from __future__ import annotations

import io
import re
import uuid
from typing import Any

import httpx
from PIL import Image

from openkyc.db.session import unit_of_work
from openkyc.merchants.service import MerchantService
from openkyc.state import AppState
from tests.dashboard.support import OperatorInfo, sign_in
from tests.support import MerchantInfo


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (160, 60), (0, 80, 40)).save(out, format="PNG")
    return out.getvalue()


async def _stored(state: AppState, merchant: MerchantInfo) -> tuple[Any, ...]:
    async with unit_of_work(state.sessionmaker) as db:
        found = await MerchantService(db, state.keyring).get(uuid.UUID(merchant.id))
        return (found.display_name, found.accent_colour, found.logo_digest)


async def test_an_admin_sets_the_brand_with_errors_beside_each_field(
    client: httpx.AsyncClient, state: AppState, admin: OperatorInfo, merchant: MerchantInfo
) -> None:
    csrf = await sign_in(client, admin)
    url = f"/dashboard/merchants/{merchant.id}/branding"
    page = await client.get(f"/dashboard/merchants/{merchant.id}")
    assert 'id="branding-form"' in page.text
    assert 'enctype="multipart/form-data"' in page.text

    refused = await client.post(
        url,
        data={"csrf_token": csrf, "displayName": "Shop", "accentColour": "#fafafa"},
        files={"logo": ("logo.svg", b"<svg><script>alert(1)</script></svg>", "image/svg+xml")},
    )
    assert refused.status_code == 400
    html = refused.text
    accent = re.search(
        r'id="f-accent"[^>]*>\s*<p class="hint"[^<]*</p>\s*<p class="field-error" id="accentColour-error">([^<]+)</p>',
        html,
    )
    assert accent
    assert "contrast is too low" in accent.group(1)
    assert 'aria-describedby="accentColour-error"' in html
    assert re.search(r'id="logo-error">must be a PNG, JPEG or WebP image', html)
    assert 'value="#fafafa"' in html  # what was typed is kept
    assert await _stored(state, merchant) == (None, None, None)

    saved = await client.post(
        url,
        data={"csrf_token": csrf, "displayName": "Shop Brand", "accentColour": "#0b5d3b"},
        files={"logo": ("logo.png", _png(), "image/png")},
    )
    assert saved.status_code == 303
    assert saved.headers["location"].endswith("?notice=brand_saved#branding")
    name, colour, digest = await _stored(state, merchant)
    assert (name, colour) == ("Shop Brand", "#0b5d3b")
    assert digest
    shown = await client.get(saved.headers["location"])
    assert f'src="/brand/logo-{digest}.png"' in shown.text
    assert "The brand is saved" in shown.text

    # An empty file field keeps the logo; the box removes it.
    kept = await client.post(
        url, data={"csrf_token": csrf, "displayName": "", "accentColour": "#0b5d3b"},
        files={"logo": ("", b"", "application/octet-stream")},
    )  # fmt: skip
    assert kept.status_code == 303
    assert await _stored(state, merchant) == (None, "#0b5d3b", digest)
    removed = await client.post(
        url, data={"csrf_token": csrf, "accentColour": "", "removeLogo": "1"}
    )
    assert removed.status_code == 303
    assert await _stored(state, merchant) == (None, None, None)


async def test_branding_needs_an_admin_and_the_csrf_token(
    client: httpx.AsyncClient,
    other_browser: httpx.AsyncClient,
    state: AppState,
    admin: OperatorInfo,
    make_operator: Any,
    merchant: MerchantInfo,
) -> None:
    url = f"/dashboard/merchants/{merchant.id}/branding"
    reviewer = await make_operator(role="reviewer")
    reviewer_csrf = await sign_in(other_browser, reviewer)
    denied = await other_browser.post(
        url, data={"csrf_token": reviewer_csrf, "accentColour": "#0b5d3b"}
    )
    assert denied.status_code == 403
    await sign_in(client, admin)
    forged = await client.post(url, data={"csrf_token": "forged", "accentColour": "#0b5d3b"})
    assert forged.status_code == 403
    assert await _stored(state, merchant) == (None, None, None)
