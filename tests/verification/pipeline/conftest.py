"""The real pipeline, built once per test session (models load once)."""

from __future__ import annotations

import pytest

from openkyc.verification.pipeline import DefaultPipeline


@pytest.fixture(scope="session")
def pipeline() -> DefaultPipeline:
    return DefaultPipeline()
