"""The merchant's brand on the hosted pages, served by OpenKYC itself under the strict CSP.

The accent colour is a one-rule stylesheet named by the colour (``style-src 'self'`` allows it;
no inline style, no nonce), and the logo a sanitised PNG named by its sha256. Both names change
with their content, so both are cached for a year; a customer's page carries no merchant id
in them.
"""

from __future__ import annotations

import re
from typing import Any

from fastapi import APIRouter, Depends
from fastapi.responses import Response
from sqlalchemy.ext.asyncio import AsyncSession

from openkyc.api.dependencies import db_session, get_state
from openkyc.merchants.models import Merchant
from openkyc.merchants.service import MerchantService
from openkyc.state import AppState
from openkyc.web.hosted.security import apply_headers

router = APIRouter(include_in_schema=False)
IMMUTABLE = "public, max-age=31536000, immutable"
_COLOUR = re.compile(r"[0-9a-f]{6}")
_DIGEST = re.compile(r"[0-9a-f]{64}")


def brand_context(merchant: Merchant) -> dict[str, Any]:
    """What hosted/base.html needs: the name shown, and the brand's two URLs (or None)."""
    colour = merchant.accent_colour
    return {
        "merchant_name": merchant.display_name or merchant.name,
        "brand_css": f"/brand/accent-{colour[1:]}.css" if colour else None,
        "brand_logo": f"/brand/logo-{merchant.logo_digest}.png" if merchant.logo_digest else None,
    }


def _cacheable(response: Response) -> Response:
    apply_headers(response)
    response.headers["Cache-Control"] = IMMUTABLE
    return response


def _not_found() -> Response:
    return apply_headers(Response(status_code=404))


@router.get("/brand/accent-{colour}.css")
async def accent_stylesheet(colour: str) -> Response:
    # Only the colours the service accepts are stored; any six hex digits are harmless here.
    if not _COLOUR.fullmatch(colour):
        return _not_found()
    css = f":root {{ --accent: #{colour}; }}\n"
    return _cacheable(Response(css, media_type="text/css"))


@router.get("/brand/logo-{digest}.png")
async def logo(
    digest: str,
    state: AppState = Depends(get_state),
    db: AsyncSession = Depends(db_session, scope="function"),
) -> Response:
    if not _DIGEST.fullmatch(digest):
        return _not_found()
    png = await MerchantService(db, state.keyring).logo(digest)
    if png is None:
        return _not_found()
    return _cacheable(Response(png, media_type="image/png"))
