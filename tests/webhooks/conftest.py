from __future__ import annotations

from collections.abc import Iterator

import pytest

from openkyc.config import Settings
from tests.verifications.factories import SCRIPTED
from tests.webhooks.receiver import Receiver


@pytest.fixture
def settings(settings: Settings) -> Settings:
    # Short waits so retries, timeouts and give-ups happen within a test.
    return settings.model_copy(
        update={
            "pipeline": SCRIPTED,
            "webhook_backoff_s": "0.05",
            "webhook_timeout_s": 1.0,
            "sweep_grace_s": 0.0,
        }
    )


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with Receiver() as running:
        yield running
