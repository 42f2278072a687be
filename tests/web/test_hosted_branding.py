"""The hosted page wears the merchant's brand under the strict CSP: the display name and logo
in the header, the accent colour from a same-origin stylesheet (no inline style), and
"Secured by OpenKYC" stays; the brand's assets are cacheable and hold nothing of the upload."""

from __future__ import annotations

import io
import re
import uuid

import httpx
from PIL import Image

from openkyc.db.session import unit_of_work
from openkyc.merchants.service import MerchantService
from openkyc.state import AppState
from openkyc.web.hosted.security import CONTENT_SECURITY_POLICY
from tests.support import MerchantInfo
from tests.web.conftest import Customer


def _logo() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (300, 100), (200, 30, 30)).save(out, format="JPEG", comment=b"secret")
    return out.getvalue()


async def _brand(state: AppState, merchant: MerchantInfo, **values: object) -> str | None:
    async with unit_of_work(state.sessionmaker) as db:
        updated = await MerchantService(db, state.keyring).update(uuid.UUID(merchant.id), **values)
        return updated.logo_digest


async def test_the_page_shows_the_brand_without_inline_style(
    customer: Customer, client: httpx.AsyncClient, state: AppState, merchant: MerchantInfo
) -> None:
    plain = await customer.open()
    assert "/brand/" not in plain.text
    assert f'<span class="merchant">{merchant.name}</span>' in plain.text

    digest = await _brand(
        state, merchant, display_name="Shop & Co", accent_colour="#0B5D3B", logo=_logo()
    )
    page = await customer.open()
    assert page.status_code == 200
    html = page.text
    assert page.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert "style-src 'self'" in CONTENT_SECURITY_POLICY
    # Nothing the CSP would block: no style attribute, no inline <style>, no foreign origin.
    assert not re.search(r"<style|\sstyle=", html)
    assert not re.search(r'(?:src|href)="(?:https?:)?//', html)
    assert '<link rel="stylesheet" href="/brand/accent-0b5d3b.css">' in html
    assert f'<img class="brand-logo" src="/brand/logo-{digest}.png" alt="">Shop &amp; Co' in html
    assert " · Shop &amp; Co</title>" in html
    assert "Secured by OpenKYC" in html
    assert merchant.id not in html.split("<main")[0]  # the header's URLs name no merchant

    css = await client.get("/brand/accent-0b5d3b.css")
    assert css.status_code == 200
    assert css.headers["content-type"].startswith("text/css")
    assert css.text.strip() == ":root { --accent: #0b5d3b; }"
    assert "immutable" in css.headers["cache-control"]
    logo = await client.get(f"/brand/logo-{digest}.png")
    assert logo.status_code == 200
    assert logo.headers["content-type"] == "image/png"
    assert "max-age=31536000" in logo.headers["cache-control"]
    assert logo.headers["x-content-type-options"] == "nosniff"
    assert logo.content.startswith(b"\x89PNG")
    assert b"secret" not in logo.content

    for missing in (
        f"/brand/logo-{'0' * 64}.png",
        "/brand/logo-..%2Fetc.png",
        "/brand/accent-red;}body{x.css",
        "/brand/accent-0B5D3B.css",
    ):
        assert (await client.get(missing)).status_code == 404, missing

    await _brand(state, merchant, display_name=None, accent_colour=None, logo=None)
    cleared = (await customer.open()).text
    assert "/brand/" not in cleared
    assert (await client.get(f"/brand/logo-{digest}.png")).status_code == 404
