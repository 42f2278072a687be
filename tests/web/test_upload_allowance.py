"""A session's upload allowance is finite (OPENKYC_UPLOAD_MAX_PER_SESSION)."""

from __future__ import annotations

import pytest

from openkyc.config import Settings
from tests.web.conftest import Customer


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"upload_max_per_session": 5})


async def test_uploads_beyond_the_allowance_are_refused(customer: Customer) -> None:
    await customer.consent()
    await customer.choose()
    await customer.capture()  # one to three photos, all counted
    answer = await customer.upload_selfie(frames=5, json=True)
    assert answer.status_code == 429
    body = answer.json()
    assert body["error"]["code"] == "UPLOAD_LIMIT_REACHED"
    assert "Too many photos were uploaded" in body["error"]["message"]
