from __future__ import annotations

from collections.abc import Iterator

import pytest

from openkyc.config import Settings
from tests.verifications.factories import SCRIPTED
from tests.webhooks.receiver import Receiver


@pytest.fixture
def settings(settings: Settings) -> Settings:
    # Short leases and sweeps: a killed worker's job is taken over within seconds.
    return settings.model_copy(
        update={
            "pipeline": SCRIPTED,
            "verification_lease_s": 2.0,
            "sweep_interval_s": 0.5,
            "sweep_grace_s": 1.0,
            "webhook_timeout_s": 2.0,
            "webhook_backoff_s": "0.2",
        }
    )


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with Receiver() as running:
        yield running
