from __future__ import annotations

import pytest

from openkyc.config import Settings
from tests.verifications.factories import SCRIPTED


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"pipeline": SCRIPTED})
