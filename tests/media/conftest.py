from __future__ import annotations

import io
import uuid

import pytest
from PIL import Image

from tests.support import SignedApi


def jpeg(
    width: int = 640, height: int = 480, color: tuple[int, int, int] = (90, 140, 200)
) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), color).save(out, format="JPEG")
    return out.getvalue()


@pytest.fixture
async def session_id(api: SignedApi) -> uuid.UUID:
    created = await api.create_session(customerEmail="client@openkyc.dev", language="en")
    return uuid.UUID(created["id"])
