"""An upload counts against the rate limits before its body is read: once the session's
limit is spent, even a body that would not parse is answered 429, unread."""

from __future__ import annotations

import httpx
import pytest

from openkyc.config import Settings
from tests.web.conftest import Customer


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"hosted_rate_limit_session": "2/minute"})


@pytest.mark.parametrize("action", ["selfie", "capture/front"])
async def test_a_spent_limit_refuses_the_upload_before_reading_it(
    client: httpx.AsyncClient, customer: Customer, action: str
) -> None:
    garbage = {"content-type": "multipart/form-data; boundary=nope", "accept": "application/json"}
    statuses = []
    for _ in range(3):
        response = await client.post(
            f"{customer.url}/{action}", content=b"--not-the-boundary\r\n", headers=garbage
        )
        statuses.append(response.status_code)
    assert statuses[:2] == [400, 400]  # a malformed form, refused while the limit lasts
    assert statuses[2] == 429, statuses
