"""Schemathesis against the live app (issue 21, item 7): every operation of /openapi.json,
signed like an integration, answers as the document says: a documented status code, content
type and response body, and never a 5xx. Bounded to a couple of minutes."""

from __future__ import annotations

import asyncio
import time
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import FailureGroup, not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from openkyc.api.signing import Clock, sign
from tests.support import LiveServer, MerchantInfo

EXAMPLES_PER_OPERATION = 25
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


class Signed(requests.auth.AuthBase):
    """Signs the prepared request: the exact body bytes and path that go on the wire."""

    def __init__(self, api_key: str, secret: str) -> None:
        self.api_key, self.secret, self.clock = api_key, secret, Clock()

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        body = request.body or b""
        raw = body.encode() if isinstance(body, str) else body
        timestamp = self.clock.timestamp()
        path = urlsplit(request.path_url).path
        request.headers["x-api-key"] = self.api_key
        request.headers["x-timestamp"] = timestamp
        request.headers["x-signature"] = sign(
            self.secret, request.method or "", path, timestamp, raw
        )
        return request


@pytest.fixture
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    # SQLite only: the conformance of the document does not depend on the database.
    return f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"


async def test_every_operation_answers_as_the_document_says(
    live_server: LiveServer, merchant: MerchantInfo
) -> None:
    schema = schemathesis.openapi.from_url(f"{live_server.base_url}/openapi.json")
    session = requests.Session()
    session.auth = Signed(merchant.test.api_key, merchant.test.secret_key)
    # Known ids, so that operations on one session or endpoint reach their 2xx paths too.
    created = session.post(f"{live_server.base_url}/api/v2/kyc/sessions", json={})
    assert created.status_code == 201, created.text
    failures: list[str] = []
    statuses: list[int] = []
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 10
    started = time.monotonic()
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            database=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        def run(case: Any) -> None:
            response = case.call(base_url=live_server.base_url, session=session)
            statuses.append(response.status_code)
            try:
                case.validate_response(response, checks=CHECKS)
            except (AssertionError, FailureGroup) as exc:
                failures.append(f"{case.method} {case.formatted_path}: {str(exc)[:400]}")

        await asyncio.to_thread(run)
    assert time.monotonic() - started < 240
    # It really ran, and not only into refusals.
    assert len(statuses) >= 5 * len(operations)
    assert {200, 201} <= set(statuses), sorted(set(statuses))
    assert failures == [], "\n".join(failures[:10])
