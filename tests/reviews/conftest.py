from __future__ import annotations

import pytest

from openkyc.config import Settings


@pytest.fixture
def settings(settings: Settings) -> Settings:
    # The deterministic pipeline: captured cases are analysed without loading a model.
    return settings.model_copy(update={"pipeline": "fake"})
